/// Recursive-descent parser from tokens to statements.
struct Parser {
    private var tokens: [Token]
    private var index = 0
    /// How deep expressions nest; past `maxDepth` the query is refused rather than the stack overflowing.
    private var depth = 0
    static let maxDepth = 200
    /// How many operators one expression may chain (`1+1+…`): each makes the tree one level deeper
    /// for the binder and evaluator, which recurse; past it the query is refused, not the stack overflowed.
    static let maxChainedOperators = 1000
    private var chained = 0

    init(tokens: [Token]) { self.tokens = tokens }

    static func parse(_ text: String) throws(QueryError) -> [Statement] {
        var statements: [Statement] = []
        for result in parseRecovering(text) {
            switch result {
            case .success(let s): statements.append(s)
            case .failure(let e): throw e
            }
        }
        return statements
    }

    /// Every statement, or its syntax error; after an error, parsing resumes at the next statement.
    static func parseRecovering(_ text: String) -> [Result<Statement, QueryError>] {
        var parser = Parser(tokens: Lexer.tokenize(text))
        if parser.tokens.isEmpty { return [] }
        var results: [Result<Statement, QueryError>] = []
        while true {
            while parser.current.kind == .newline || parser.isSymbol(";") { parser.advance() }
            if parser.current.kind == .end { return results }
            do throws(QueryError) {
                let statement = try parser.statement()
                guard parser.current.kind == .newline || parser.isSymbol(";") || parser.current.kind == .end else {
                    throw QueryError("expected `|`, `;` or the end of the statement, found \(parser.current.describe)", at: parser.current.span,
                                     hint: "operators are joined with |, as in: projects | where year == 2024")
                }
                results.append(.success(statement))
            } catch {
                // A token the lexer could not read explains the failure better than the parser can.
                if case .invalid(let lexical) = parser.current.kind {
                    results.append(.failure(lexical))
                } else {
                    results.append(.failure(error))
                }
                while parser.current.kind != .newline && !parser.isSymbol(";") && parser.current.kind != .end { parser.advance() }
            }
        }
    }

    private var current: Token { tokens[min(index, tokens.count - 1)] }
    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private func isSymbol(_ s: String) -> Bool { current.symbol == s }
    private func isWord(_ w: String) -> Bool { current.word?.lowercased() == w }

    private mutating func expectSymbol(_ s: String, _ what: String) throws(QueryError) -> SourceSpan {
        guard isSymbol(s) else { throw QueryError("expected \(what), found \(current.describe)", at: current.span) }
        let span = current.span
        advance()
        return span
    }

    private mutating func expectWord(_ w: String, _ context: String) throws(QueryError) {
        guard isWord(w) else { throw QueryError("expected `\(w)` \(context), found \(current.describe)", at: current.span) }
        advance()
    }

    private mutating func identifier(_ what: String) throws(QueryError) -> (String, SourceSpan) {
        switch current.kind {
        case .identifier(let s), .quotedIdentifier(let s):
            let span = current.span
            advance()
            return (s, span)
        default:
            throw QueryError("expected \(what), found \(current.describe)", at: current.span)
        }
    }

    private mutating func statement() throws(QueryError) -> Statement {
        if isWord("let") {
            let start = current.span
            advance()
            let (name, _) = try identifier("a name after let")
            _ = try expectSymbol("=", "`=` after `let \(name)`")
            return .assign(name: name, try pipeline(), start)
        }
        if isWord("set") {
            let start = current.span
            advance()
            let (name, _) = try identifier("a parameter name after set")
            _ = try expectSymbol("=", "`=` after `set \(name)`")
            return .set(name: name, try expression(), start)
        }
        return .query(try pipeline())
    }

    private mutating func pipeline() throws(QueryError) -> Pipeline {
        let (source, sourceSpan) = try identifier("a table name (projects, indicators, coverage, regions, payments, execution)")
        var operators: [(PipeOperator, SourceSpan)] = []
        while isSymbol("|") {
            advance()
            let start = current.span
            operators.append((try pipeOperator(), start))
        }
        return Pipeline(source: source, sourceSpan: sourceSpan, operators: operators)
    }

    private mutating func pipeOperator() throws(QueryError) -> PipeOperator {
        let names = Vocabulary.operatorNames
        guard let word = current.word?.lowercased() else {
            throw QueryError("expected an operator after `|`, found \(current.describe)", at: current.span,
                             hint: "operators: \(names.joined(separator: ", "))")
        }
        let span = current.span
        guard let known = Vocabulary.pipeOperator(word) else {
            throw QueryError("unknown operator `\(word)`", at: span,
                             hint: didYouMean(word, among: names) ?? "operators: \(names.joined(separator: ", "))")
        }
        advance()
        switch known.keyword {
        case .where: return .filter(try expression())
        case .select: return .select(try namedList())
        case .derive: return .derive(try namedList())
        case .summarize:
            var aggregates: [NamedExpr] = []
            if !isWord("by") { aggregates = try namedList() }
            var by: [NamedExpr] = []
            if isWord("by") {
                advance()
                by = try namedList()
            }
            if aggregates.isEmpty && by.isEmpty {
                throw QueryError("summarize needs an aggregate or a `by` list", at: span, hint: "summarize total = sum(budget) by type")
            }
            var withTotal = false
            if isWord("with") {
                advance()
                guard isWord("total") else {
                    throw QueryError("after `with`, summarize expects `total`", at: current.span, hint: "summarize budget = sum(budget) by type with total")
                }
                advance()
                withTotal = true
            }
            return .summarize(aggregates: aggregates, by: by, withTotal: withTotal)
        case .sort:
            try expectWord("by", "after `\(word)`")
            return .sort(try sortKeys())
        case .take: return .take(try count(after: word))
        case .top:
            let n = try count(after: "top")
            try expectWord("by", "after `top \(n)`")
            let keys = try sortKeys()
            var per: [NamedExpr] = []
            if isWord("per") {
                advance()
                per = try namedList()
            }
            return .top(n, keys, per: per)
        case .distinct:
            if current.kind == .newline || current.kind == .end || isSymbol("|") || isSymbol(";") { return .distinct([]) }
            return .distinct(try namedList())
        case .count: return .count
        case .total: return .total
        case .explode:
            let column = try expression()
            var alias: String?
            if isWord("as") {
                advance()
                alias = try identifier("a column name after `as`").0
            }
            return .explode(column, as: alias)
        case .join:
            if isWord("kind") || isWord("inner") { advance() }
            let (table, tableSpan) = try identifier("a table or let name after `join`")
            try expectWord("on", "after `join \(table)`")
            let (left, leftSpan) = try identifier("a key column after `on`")
            var right = left
            var keySpan = leftSpan
            if isSymbol("==") || isSymbol("=") {
                advance()
                let (r, rSpan) = try identifier("the other table's key column")
                right = r
                keySpan = leftSpan.through(rSpan)
            }
            return .join(table: table, tableSpan: tableSpan, left: left, right: right, keySpan: keySpan)
        case .compare:
            let column = try primary()
            let a = try expression()
            try expectWord("vs", "between the two values of `compare`")
            let b = try expression()
            try expectWord("of", "before the aggregate of `compare`")
            let aggregate = try named()
            var by: [NamedExpr] = []
            if isWord("by") {
                advance()
                by = try namedList()
            }
            return .compare(column: column, a: a, b: b, aggregate: aggregate, by: by)
        case .pivot:
            let column = try primary()
            try expectWord("of", "before the aggregate of `pivot`")
            let aggregate = try named()
            var by: [NamedExpr] = []
            if isWord("by") {
                advance()
                by = try namedList()
            }
            return .pivot(column: column, aggregate: aggregate, by: by)
        }
    }

    /// The argument written after a function name without parentheses (`sum budget`), if the next
    /// token is a column name or number rather than a keyword, operator or the end.
    private func calledWithoutParentheses() -> String? {
        switch current.kind {
        case .identifier(let w):
            let lower = w.lowercased()
            // `pivot year sum(budget)`: the next word is itself a call, not an argument.
            if index + 1 < tokens.count, tokens[index + 1].symbol == "(" { return nil }
            if Vocabulary.keywords.contains(lower) || Vocabulary.pipeOperator(lower) != nil || ["between", "like", "ilike", "has_any", "has_all", "per"].contains(lower) { return nil }
            return w
        case .quotedIdentifier(let w): return "`\(w)`"
        default: return nil   // not a number: `compare year 2023 vs 2024` names a column
        }
    }

    private mutating func count(after word: String) throws(QueryError) -> Int {
        guard case .number(let text, let multiplier) = current.kind, let n = Int(text), n >= 0 else {
            throw QueryError("expected a row count after `\(word)`, found \(current.describe)", at: current.span, hint: "\(word) 10")
        }
        advance()
        let (total, overflow) = n.multipliedReportingOverflow(by: Int(multiplier))
        return overflow ? Int.max : total
    }

    private mutating func sortKeys() throws(QueryError) -> [SortKey] {
        var keys: [SortKey] = []
        repeat {
            if !keys.isEmpty { advance() }
            let expr = try expression()
            var descending: Bool?
            if isWord("asc") { descending = false; advance() } else if isWord("desc") { descending = true; advance() }
            keys.append(SortKey(expr: expr, descending: descending))
        } while isSymbol(",")
        return keys
    }

    private mutating func namedList() throws(QueryError) -> [NamedExpr] {
        var list = [try named()]
        while isSymbol(",") {
            advance()
            list.append(try named())
        }
        return list
    }

    private mutating func named() throws(QueryError) -> NamedExpr {
        if case .identifier(let name) = current.kind, index + 1 < tokens.count, tokens[index + 1].symbol == "=" {
            advance(); advance()
            return NamedExpr(name: name, expr: try expression())
        }
        if case .quotedIdentifier(let name) = current.kind, index + 1 < tokens.count, tokens[index + 1].symbol == "=" {
            advance(); advance()
            return NamedExpr(name: name, expr: try expression())
        }
        return NamedExpr(name: nil, expr: try expression())
    }

    // MARK: expressions, lowest precedence first

    mutating func expression() throws(QueryError) -> Expr {
        if depth == 0 { chained = 0 }
        try enterNesting(at: current.span)
        defer { depth -= 1 }
        return try orExpression()
    }

    /// One more operator chained in this expression.
    private mutating func chain(at span: SourceSpan) throws(QueryError) {
        chained += 1
        guard chained <= Self.maxChainedOperators else {
            throw QueryError("the expression chains more than \(Self.maxChainedOperators) operators", at: span, hint: "split it with let or derive, or sum a column with summarize")
        }
    }

    /// One level deeper; the caller undoes it with `defer { depth -= 1 }`.
    private mutating func enterNesting(at span: SourceSpan) throws(QueryError) {
        depth += 1
        guard depth <= Self.maxDepth else {
            depth -= 1
            throw QueryError("the expression nests more than \(Self.maxDepth) levels deep", at: span, hint: "split it with let or derive")
        }
    }

    private mutating func orExpression() throws(QueryError) -> Expr {
        var left = try andExpression()
        while isWord("or") {
            try chain(at: current.span)
            advance()
            let right = try andExpression()
            left = .binary(.logic(.or), left, right, left.span.through(right.span))
        }
        return left
    }

    private mutating func andExpression() throws(QueryError) -> Expr {
        var left = try notExpression()
        while isWord("and") {
            try chain(at: current.span)
            advance()
            let right = try notExpression()
            left = .binary(.logic(.and), left, right, left.span.through(right.span))
        }
        return left
    }

    private mutating func notExpression() throws(QueryError) -> Expr {
        if isWord("not") || isSymbol("!") {
            let span = current.span
            advance()
            try enterNesting(at: span)
            defer { depth -= 1 }
            let operand = try notExpression()
            return .unary(.not, operand, span.through(operand.span))
        }
        return try comparison()
    }

    private mutating func comparison() throws(QueryError) -> Expr {
        let left = try additive()
        if let op = current.symbol.flatMap(ComparisonOperator.init(rawValue:)) {
            advance()
            let right = try additive()
            return .binary(.comparison(op), left, right, left.span.through(right.span))
        }
        if isSymbol("=") {
            throw QueryError("`=` names a result; to compare, use `==`", at: current.span, hint: "where year == 2024")
        }
        if let op = current.word.flatMap({ TextOperator(rawValue: $0.lowercased()) }) {
            advance()
            let right = try additive()
            return .binary(.text(op), left, right, left.span.through(right.span))
        }
        // `regions has_any ("铜仁", "韶关")`: one `has` per item, joined by or (has_all: by and).
        if let word = current.word?.lowercased(), word == "has_any" || word == "has_all" {
            let opSpan = current.span
            advance()
            guard isSymbol("(") else {
                throw QueryError("expected `(` after `\(word)`", at: current.span, hint: "regions \(word) (\"铜仁\", \"韶关\")")
            }
            let items = try parenthesizedList(after: word)
            guard let first = items.first else {
                throw QueryError("`\(word)` needs at least one value", at: opSpan, hint: "regions \(word) (\"铜仁\", \"韶关\")")
            }
            let join: LogicOperator = word == "has_any" ? .or : .and
            var result: Expr = .binary(.text(.has), left, first, left.span.through(first.span))
            for item in items.dropFirst() {
                result = .binary(.logic(join), result, .binary(.text(.has), left, item, left.span.through(item.span)), left.span.through(item.span))
            }
            return result
        }
        var negated = false
        // SQL's forms: `x between a and b` is read; `like` gets the budgetq spelling.
        let notFollows = isWord("not") && index + 1 < tokens.count
        let nextWord = notFollows ? tokens[index + 1].word?.lowercased() : nil
        if isWord("between") || nextWord == "between" {
            let negatedBetween = notFollows
            if negatedBetween { advance() }
            advance()
            let low = try additive()
            guard isWord("and") else {
                throw QueryError("expected `and` in `between … and …`, found \(current.describe)", at: current.span, hint: "year between 2023 and 2024")
            }
            advance()
            let high = try additive()
            let span = left.span.through(high.span)
            let inside: Expr = .binary(.logic(.and), .binary(.comparison(.greaterOrEqual), left, low, span), .binary(.comparison(.lessOrEqual), left, high, span), span)
            return negatedBetween ? .unary(.not, inside, span) : inside
        }
        if isWord("like") || isWord("ilike") || nextWord == "like" || nextWord == "ilike" {
            if notFollows { advance() }
            let likeSpan = current.span
            advance()
            var hint = "budgetq writes `x contains \"综合\"`, `x startswith \"其他\"`, `x endswith \"类\"`"
            if case .string(let pattern) = current.kind {
                let inner = String(pattern.drop { $0 == "%" }.reversed().drop { $0 == "%" }.reversed())
                let form: String
                switch (pattern.hasPrefix("%"), pattern.hasSuffix("%")) {
                case (true, true), (false, false): form = "contains"
                case (false, true): form = "startswith"
                case (true, false): form = "endswith"
                }
                hint = "write: \(notFollows ? "not (" : "")\(describeSource(left)) \(form) \"\(inner)\"\(notFollows ? ")" : "")"
            }
            throw QueryError("budgetq has no `like`", at: likeSpan, hint: hint)
        }
        if isWord("not"), index + 1 < tokens.count, tokens[index + 1].word?.lowercased() == "in" {
            negated = true
            advance()
        }
        if isWord("in") || (isSymbol("!") && tokens[index + 1].word == "in") {
            if isSymbol("!") { negated = true; advance() }
            advance()
            guard isSymbol("(") else { throw QueryError("expected `(` after `in`, found \(current.describe)", at: current.span, hint: "type in (\"a\", \"b\")") }
            let items = try parenthesizedList(after: "in")
            return .inList(left, items, negated: negated, left.span.through(tokens[max(0, index - 1)].span))
        }
        return left
    }

    /// `( a, b, … )` of values, for `in`, `has_any` and `has_all`; the current token is `(`.
    private mutating func parenthesizedList(after word: String) throws(QueryError) -> [Expr] {
        advance()
        var items: [Expr] = []
        if !isSymbol(")") {
            items.append(try additive())
            while isSymbol(",") {
                advance()
                items.append(try additive())
            }
        }
        _ = try expectSymbol(")", "`)` to close the `\(word)` list")
        return items
    }

    /// A column reference as written, for hints (`type`), else `x`.
    private func describeSource(_ expr: Expr) -> String {
        if case .name(let n, _) = expr { return n }
        return "x"
    }

    private mutating func additive() throws(QueryError) -> Expr {
        var left = try multiplicative()
        while let op = current.symbol.flatMap(ArithmeticOperator.init(rawValue:)), op == .add || op == .subtract {
            try chain(at: current.span)
            advance()
            let right = try multiplicative()
            left = .binary(.arithmetic(op), left, right, left.span.through(right.span))
        }
        return left
    }

    private mutating func multiplicative() throws(QueryError) -> Expr {
        var left = try unary()
        while let op = current.symbol.flatMap(ArithmeticOperator.init(rawValue:)), op == .multiply || op == .divide || op == .remainder {
            try chain(at: current.span)
            advance()
            let right = try unary()
            left = .binary(.arithmetic(op), left, right, left.span.through(right.span))
        }
        return left
    }

    private mutating func unary() throws(QueryError) -> Expr {
        if isSymbol("-") {
            let span = current.span
            advance()
            try enterNesting(at: span)
            defer { depth -= 1 }
            let operand = try unary()
            return .unary(.negate, operand, span.through(operand.span))
        }
        return try primary()
    }

    private mutating func primary() throws(QueryError) -> Expr {
        let token = current
        switch token.kind {
        case .number(let text, let multiplier):
            advance()
            return .number(text: text, multiplier: multiplier, token.span)
        case .string(let s):
            advance()
            return .string(s, token.span)
        case .date(let s):
            advance()
            return .date(s, token.span)
        case .month(let s):
            advance()
            return .month(s, token.span)
        case .quarter(let s):
            // A quarter is its text, 2024-Q2, as quarter() returns it.
            advance()
            return .string(s, token.span)
        case .parameter(let p):
            advance()
            return .parameter(p, token.span)
        case .quotedIdentifier(let name):
            advance()
            return .name(name, token.span)
        case .identifier(let name):
            advance()
            switch name.lowercased() {
            case "true": return .boolean(true, token.span)
            case "false": return .boolean(false, token.span)
            case "null": return .null(token.span)
            default: break
            }
            if isSymbol("(") {
                advance()
                var args: [Expr] = []
                // SQL's count(*) is count().
                if name.lowercased() == "count", isSymbol("*"), index + 1 < tokens.count, tokens[index + 1].symbol == ")" { advance() }
                if !isSymbol(")") {
                    args.append(try expression())
                    while isSymbol(",") {
                        advance()
                        args.append(try expression())
                    }
                }
                let close = try expectSymbol(")", "`)` to close the call of `\(name)`")
                return .call(name.lowercased(), args, token.span.through(close))
            }
            // `sum budget` as SQL-minded fingers write it: a function is called with parentheses.
            let lower = name.lowercased()
            if Vocabulary.isFunctionName(lower), let next = calledWithoutParentheses() {
                throw QueryError("`\(lower)` is a function: call it with parentheses", at: token.span.through(current.span),
                                 hint: "\(lower)(\(next))" + (lower == "count" ? "; count() counts rows" : ""))
            }
            return .name(name, token.span)
        case .symbol("("):
            advance()
            let inner = try expression()
            _ = try expectSymbol(")", "`)`")
            return inner
        case .end, .newline:
            throw QueryError("the query ends where a value was expected", at: token.span, hint: "complete the expression, e.g. year == 2024")
        default:
            throw QueryError("expected a value, a column or a function call, found \(token.describe)", at: token.span)
        }
    }
}
