import BudgetStore

/// Names visible to an expression: a frame's columns (with aliases).
struct Schema: Sendable {
    var names: [String]
    var aliases: [[String]]
    var types: [ColumnType]
    var origin: String

    init(_ frame: Frame) {
        names = frame.columns.map(\.name)
        aliases = frame.columns.map(\.aliases)
        types = frame.columns.map(\.type)
        origin = frame.origin
    }

    init(names: [String], types: [ColumnType], origin: String) {
        self.names = names
        self.aliases = names.map { _ in [] }
        self.types = types
        self.origin = origin
    }

    func index(of name: String) -> Int? {
        names.firstIndex(of: name) ?? aliases.firstIndex { $0.contains(name) }
    }

    var allNames: [String] { names + aliases.flatMap { $0 } }
}

/// Resolves names, parameters and `let` scalars and checks types: `Expr` → `Bound` (the planner's core).
struct Binder {
    /// What a plain name may refer to.
    let schema: Schema
    /// Where aggregate arguments resolve; nil when aggregates are not allowed here.
    let aggregateInput: Schema?
    let context: BindingContext
    /// Aggregates met while binding, in order; `.extra(i)` refers to the i-th.
    private(set) var aggregates: [AggregateSpec] = []
    /// Why aggregates are not allowed, for the error message.
    var aggregateRefusal = "aggregates such as sum() belong in summarize, or in derive over the whole result"

    init(schema: Schema, aggregateInput: Schema? = nil, context: BindingContext) {
        self.schema = schema
        self.aggregateInput = aggregateInput
        self.context = context
    }

    mutating func bind(_ expr: Expr) throws(QueryError) -> Bound {
        switch expr {
        case .name(let name, let span):
            if let i = schema.index(of: name) { return .column(i, schema.types[i]) }
            if let scalar = context.scalarLet(name) { return .constant(scalar) }
            var hint = didYouMean(name, among: schema.allNames)
            if hint == nil, context.hasLet(name) { hint = "`\(name)` is a let with more than one value; only a one-row, one-column let is a scalar" }
            if hint == nil, schema.names.count <= 12 { hint = "columns: \(schema.names.joined(separator: ", "))" }
            throw QueryError("no column `\(name)` in \(schema.origin)", at: span, hint: hint)
        case .number(let text, let multiplier, let span):
            return .constant(try Literals.number(text, multiplier: multiplier, span: span))
        case .string(let s, _):
            return .constant(Scalar(value: .string(s), type: .string))
        case .date(let text, let span):
            return .constant(try Literals.date(text, span: span))
        case .month(let text, let span):
            return .constant(try Literals.month(text, span: span))
        case .boolean(let b, _):
            return .constant(Scalar(value: .integer(b ? 1 : 0), type: .bool))
        case .null:
            return .constant(.null)
        case .parameter(let name, let span):
            guard let value = context.parameters[name] else {
                throw QueryError("parameter $\(name) is not set", at: span, hint: "set it with `set \(name) = …` or --param \(name)=…")
            }
            return .constant(value)
        case .unary(let op, let operand, let span):
            let inner = try bind(operand)
            if op == .not {
                try requireBool(inner, operand.span, "not")
                return .not(inner)
            }
            guard let t = inner.type, t.isNumeric else {
                if inner.type == nil { return .constant(.null) }
                throw QueryError("cannot negate \(describe(inner.type))", at: span)
            }
            // -5 is a literal, usable wherever a constant is (set, in lists, compare).
            if case .constant(let s) = inner, case .integer(let v) = s.value, v != Int64.min {
                return .constant(Scalar(value: .integer(-v), type: s.type))
            }
            if case .constant(let s) = inner, case .real(let v) = s.value { return .constant(Scalar(value: .real(-v), type: s.type)) }
            return .negate(inner, t)
        case .binary(let op, let l, let r, let span):
            return try bindBinary(op, l, r, span)
        case .inList(let operand, let items, let negated, _):
            let inner = try bind(operand)
            var values: [Scalar] = []
            for item in items {
                let bound = try bind(item)
                guard case .constant(let scalar) = bound else {
                    throw QueryError("`in` lists take literal values", at: item.span, hint: "type in (\"a\", \"b\")")
                }
                values.append(try coerce(scalar, toCompareWith: inner.type, at: item.span, against: operand))
            }
            return .inSet(inner, values, negated: negated)
        case .call(let name, let args, let span):
            if let aggregate = AggregateFunction(rawValue: name) {
                return try bindAggregate(aggregate, args, span)
            }
            if let function = ScalarFunction(rawValue: name) {
                return try bindFunction(function, args, span)
            }
            let known = AggregateFunction.allCases.map(\.rawValue) + ScalarFunction.allCases.map(\.rawValue)
            throw QueryError("unknown function `\(name)`", at: span, hint: didYouMean(name, among: known) ?? "functions: \(known.joined(separator: ", "))")
        }
    }

    private func requireBool(_ b: Bound, _ span: SourceSpan, _ what: String) throws(QueryError) {
        guard b.type == .bool || b.type == nil else {
            throw QueryError("`\(what)` needs a true/false condition, not \(describe(b.type))", at: span, hint: "compare it: year == 2024")
        }
    }

    private mutating func bindBinary(_ op: BinaryOperator, _ l: Expr, _ r: Expr, _ span: SourceSpan) throws(QueryError) -> Bound {
        var left = try bind(l)
        var right = try bind(r)
        switch op {
        case .logic(let logic):
            try requireBool(left, l.span, logic.rawValue)
            try requireBool(right, r.span, logic.rawValue)
            return .logic(logic, left, right)
        case .comparison(let comparison):
            // `x == null` is null for every row, as in SQL: never what was meant.
            if case .null = r { throw nullComparison(comparison, l, span) }
            if case .null = l { throw nullComparison(comparison, r, span) }
            if case .constant(let s) = right { right = .constant(try coerce(s, toCompareWith: left.type, at: r.span, against: l)) }
            if case .constant(let s) = left { left = .constant(try coerce(s, toCompareWith: right.type, at: l.span, against: r)) }
            if left.type == .list || right.type == .list {
                throw QueryError("cannot compare a list with `\(comparison.rawValue)`", at: span, hint: "test membership with has: regions has \"铜仁\"")
            }
            guard comparable(left.type, right.type) else {
                throw QueryError("cannot compare \(describe(left.type)) with \(describe(right.type))", at: span,
                                 hint: left.type == .string || right.type == .string ? "strings go in double quotes: type == \"其他事业发展性支出\"" : nil)
            }
            return .compare(comparison, left, right)
        case .text(let text):
            guard right.type == .string || right.type == nil else {
                throw QueryError("`\(text.rawValue)` needs a string on its right, not \(describe(right.type))", at: r.span, hint: "regions has \"铜仁\"")
            }
            if left.type == .list {
                // `regions has "铜仁市"`: an alias of the gazetteer names its region.
                if case .constant(let s) = right, case .string(let needle) = s.value, let region = context.regionAliases[needle] {
                    right = .constant(Scalar(value: .string(region), type: .string))
                }
                return .listHas(left, right)
            }
            guard left.type == .string || left.type == .text || left.type == nil else {
                throw QueryError("`\(text.rawValue)` needs a string or a list on its left, not \(describe(left.type))", at: l.span)
            }
            return .textMatch(text, left, right)
        case .arithmetic(let arithmetic):
            // `project + "/" + name` joins text, as strcat does.
            let stringy: Set<ColumnType?> = [.string, .text]
            if arithmetic == .add, stringy.contains(left.type), stringy.contains(right.type) {
                return .call(.strcat, [left, right], .string)
            }
            if arithmetic == .add, stringy.contains(left.type) || stringy.contains(right.type) {
                throw QueryError("`+` joins two strings or adds two numbers, not \(describe(left.type)) and \(describe(right.type))", at: span,
                                 hint: "to join text with a number, strcat(\(written(l) ?? "a"), \(written(r) ?? "b"))")
            }
            if left.type == nil || right.type == nil { return .constant(.null) }
            guard let lt = left.type, let rt = right.type, lt.isNumeric, rt.isNumeric else {
                throw QueryError("`\(arithmetic.rawValue)` needs numbers, not \(describe(left.type)) and \(describe(right.type))", at: span)
            }
            return .arithmetic(arithmetic, left, right, arithmeticType(arithmetic, lt, rt))
        }
    }

    /// A name or string literal as it would be written, for hints.
    private func written(_ e: Expr) -> String? {
        if case .string(let s, _) = e { return "\"\(s)\"" }
        return e.impliedName
    }

    /// The refusal of `x == null`, naming isnull/isnotnull.
    private func nullComparison(_ op: ComparisonOperator, _ other: Expr, _ span: SourceSpan) -> QueryError {
        let operand = other.impliedName ?? "x"
        let hint: String
        switch op {
        case .equal: hint = "write isnull(\(operand))"
        case .notEqual: hint = "write isnotnull(\(operand))"
        default: hint = "test for a missing value with isnull(\(operand)) or isnotnull(\(operand))"
        }
        return QueryError("`\(op.rawValue) null` is never true: a comparison with null is null", at: span, hint: hint)
    }

    private func arithmeticType(_ op: ArithmeticOperator, _ a: ColumnType, _ b: ColumnType) -> ColumnType {
        if a == .real || b == .real || op == .divide { return .real }
        let (sa, sb) = (numericScale(a) ?? 0, numericScale(b) ?? 0)
        switch op {
        case .multiply:
            if sa == 0 { return b }
            if sb == 0 { return a }
            return .real
        case .remainder:
            return sa == 0 && sb == 0 ? .int : .real
        case .add, .subtract, .divide:
            return typeForScale(max(sa, sb), preferring: a, b)
        }
    }

    /// The type two alternatives share: numbers widen as `+` does (money only when both are money).
    private func unifiedType(_ a: ColumnType?, _ b: ColumnType?) -> ColumnType {
        guard let a else { return b ?? .string }
        guard let b else { return a }
        if a.isNumeric && b.isNumeric { return arithmeticType(.add, a, b) }
        if a == .text || b == .text { return a == b ? a : .text }
        return a
    }

    private func comparable(_ a: ColumnType?, _ b: ColumnType?) -> Bool {
        guard let a, let b else { return true }
        if a.isNumeric && b.isNumeric { return true }
        let stringy: Set<ColumnType> = [.string, .text]
        if stringy.contains(a) && stringy.contains(b) { return true }
        return a == b
    }

    /// String literals compared with dates or months are read as dates or months.
    private func coerce(_ s: Scalar, toCompareWith type: ColumnType?, at span: SourceSpan, against: Expr) throws(QueryError) -> Scalar {
        guard case .string(let text) = s.value, let type else { return s }
        switch type {
        case .date: return try Literals.date(text, span: span)
        case .month: return try Literals.month(text, span: span)
        case .int, .money, .decimal, .real:
            throw QueryError("cannot compare \(describe(type)) with the string \"\(text)\"", at: span,
                             hint: "numbers are written without quotes: \(text)")
        default: return s
        }
    }

    private mutating func bindAggregate(_ function: AggregateFunction, _ args: [Expr], _ span: SourceSpan) throws(QueryError) -> Bound {
        guard let input = aggregateInput else { throw QueryError("\(function.rawValue)() is not allowed here", at: span, hint: aggregateRefusal) }
        var argumentBinder = Binder(schema: input, context: context)
        argumentBinder.aggregateRefusal = "aggregates cannot be nested"
        var argument: Bound?
        switch function {
        case .count:
            guard args.count <= 1 else { throw QueryError("\"count\" takes no argument or one", at: span) }
            argument = try args.first.map { e throws(QueryError) in try argumentBinder.bind(e) }
        default:
            guard args.count == 1 else { throw QueryError("\"\(function.rawValue)\" needs one argument", at: span, hint: "\(function.rawValue)(budget)") }
            argument = try argumentBinder.bind(args[0])
        }
        let argType = argument?.type
        let resultType: ColumnType
        switch function {
        case .count, .dcount: resultType = .int
        case .avg:
            guard argType?.isNumeric == true || argType == nil else { throw QueryError("avg needs a number; the argument is \(describe(argType))", at: span) }
            resultType = .real
        case .sum, .runningSum:
            guard let t = argType, t.isNumeric else { throw QueryError("\(function.rawValue) needs a number; the argument is \(describe(argType))", at: span) }
            resultType = t
        case .min, .max:
            guard let t = argType, t != .list else { throw QueryError("\(function.rawValue) needs a value it can order, not \(describe(argType))", at: span) }
            resultType = t
        }
        aggregates.append(AggregateSpec(function: function, argument: argument, resultType: resultType, span: span))
        return .extra(aggregates.count - 1, resultType)
    }

    private mutating func bindFunction(_ function: ScalarFunction, _ args: [Expr], _ span: SourceSpan) throws(QueryError) -> Bound {
        var bound: [Bound] = []
        for a in args { bound.append(try bind(a)) }
        func arity(_ range: ClosedRange<Int>, _ example: String) throws(QueryError) {
            guard range.contains(bound.count) else {
                let count = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) or \(range.upperBound)"
                throw QueryError("\"\(function.rawValue)\" needs \(count) argument\(range.upperBound == 1 ? "" : "s")", at: span, hint: example)
            }
        }
        switch function {
        case .round:
            try arity(1...2, "round(rate, 2)")
            guard bound[0].type?.isNumeric ?? true else { throw QueryError("round needs a number", at: args[0].span) }
            var digits: Int64 = 0
            if bound.count == 2 {
                guard case .constant(let s) = bound[1], s.type == .int, case .integer(let d) = s.value, (0...10).contains(d) else {
                    throw QueryError("round's digits must be a whole number from 0 to 10", at: args[1].span, hint: "round(rate, 2)")
                }
                digits = d
            }
            // Exact inputs round exactly, half away from zero (四舍五入): round(1.005, 2) is 1.01.
            // A decimal rounded to no digits is a whole number; money stays money.
            switch bound[0].type {
            case .int?, .bool?: return .call(.round, bound, .int)
            case .money?: return .call(.round, bound, .money)
            case .decimal?: return .call(.round, bound, digits == 0 ? .int : .decimal)
            default: return .call(.round, bound, .real)
            }
        case .abs:
            try arity(1...1, "abs(delta)")
            guard let t = bound[0].type, t.isNumeric else { throw QueryError("abs needs a number", at: args[0].span) }
            return .call(.abs, bound, t)
        case .year, .month:
            try arity(1...1, "\(function.rawValue)(date)")
            guard bound[0].type == .date || bound[0].type == .month else {
                throw QueryError("\(function.rawValue)() needs a date or month, not \(describe(bound[0].type))", at: args[0].span)
            }
            return .call(function, bound, function == .year ? .int : (bound[0].type == .date ? .month : .int))
        case .getyear, .getmonth:
            try arity(1...1, "\(function.rawValue)(date)")
            guard bound[0].type == .date || bound[0].type == .month || bound[0].type == nil else {
                throw QueryError("\(function.rawValue)() needs a date or month, not \(describe(bound[0].type))", at: args[0].span)
            }
            return .call(function, bound, .int)
        case .quarter:
            try arity(1...1, "quarter(date)")
            guard bound[0].type == .date || bound[0].type == .month || bound[0].type == nil else {
                throw QueryError("quarter() needs a date or month, not \(describe(bound[0].type))", at: args[0].span, hint: "quarter(date) is 2024-Q2")
            }
            return .call(.quarter, bound, .string)
        case .strcat:
            guard !bound.isEmpty else { throw QueryError("\"strcat\" needs at least one argument", at: span, hint: "strcat(project, \"/\", name)") }
            for (b, a) in zip(bound, args) where b.type == .list {
                throw QueryError("strcat joins values, not a list", at: a.span, hint: "explode the list first")
            }
            return .call(.strcat, bound, .string)
        case .tofen:
            try arity(1...1, "tofen(budget)")
            guard let t = bound[0].type, [.money, .int, .decimal].contains(t) else {
                if bound[0].type == nil { return .constant(.null) }
                throw QueryError("tofen needs an exact amount (money, a whole number or a decimal), not \(describe(bound[0].type))", at: args[0].span)
            }
            return .call(.tofen, bound, .int)
        case .isnull, .isnotnull, .isempty:
            try arity(1...1, "\(function.rawValue)(target)")
            return .call(function, bound, .bool)
        case .bar:
            // DuckDB's bar(): bar(x [, max [, width]]) draws x against max (default 1, for ratios).
            try arity(1...3, "bar(rate) or bar(budget, 1亿, 30)")
            for (b, a) in zip(bound, args) where !(b.type?.isNumeric ?? true) {
                throw QueryError("bar needs numbers, not \(describe(b.type))", at: a.span, hint: "bar(rate), bar(budget, 1亿) or bar(x, max, width)")
            }
            if bound.count == 3, case .constant(let s) = bound[2], case .integer(let w) = s.value, !(1...200).contains(w) {
                throw QueryError("bar's width is 1 to 200 cells", at: args[2].span)
            }
            return .call(.bar, bound, .string)
        case .len:
            try arity(1...1, "len(name)")
            guard [.string, .text, .list].contains(bound[0].type ?? .string) else { throw QueryError("len needs a string or a list", at: args[0].span) }
            return .call(.len, bound, .int)
        case .coalesce:
            try arity(2...2, "coalesce(unit, \"\")")
            guard comparable(bound[0].type, bound[1].type) else { throw QueryError("coalesce needs two values of one type", at: span) }
            return .call(.coalesce, bound, unifiedType(bound[0].type, bound[1].type))
        case .iff:
            try arity(3...3, "iff(budget > 1亿, \"large\", \"small\")")
            try requireBool(bound[0], args[0].span, "iff")
            guard comparable(bound[1].type, bound[2].type) else { throw QueryError("iff's two results must have one type", at: span) }
            return .call(.iff, bound, unifiedType(bound[1].type, bound[2].type))
        }
    }
}

/// What binding may look up besides columns: parameters and `let` results.
struct BindingContext: Sendable {
    var parameters: [String: Scalar]
    var lets: [String: Frame]
    /// Gazetteer aliases to their region (`铜仁市`, `莞铜` → 铜仁), for `has` on a list of regions.
    var regionAliases: [String: String] = [:]

    /// A one-row, one-column let as a scalar.
    func scalarLet(_ name: String) -> Scalar? {
        guard let frame = lets[name], frame.rowCount == 1, frame.columns.count == 1 else { return nil }
        // One row: the column is read at its one base row, not gathered.
        let (column, rows) = frame.raw(0)
        return Scalar(value: column.value(at: rows.map { Int($0[0]) } ?? 0), type: column.type)
    }

    func hasLet(_ name: String) -> Bool { lets[name] != nil }
}
