import BudgetStore

/// An evaluated expression: a dense column (one value per row) or one value for all rows.
enum Operand: Sendable {
    case column(Column)
    case scalar(Scalar)

    var type: ColumnType? {
        switch self {
        case .column(let c): return c.type
        case .scalar(let s): return s.type
        }
    }
}

/// A failure while computing (overflow); the operator adds the position.
struct EvaluationFailure: Error {
    var message: String
}

/// Evaluates bound expressions over a frame, a column at a time.
struct Evaluator {
    let frame: Frame
    /// Columns computed outside the frame (aggregate results), referenced by `.extra`.
    var extras: [Operand] = []

    var rowCount: Int { frame.rowCount }

    func evaluate(_ bound: Bound) throws(EvaluationFailure) -> Operand {
        switch bound {
        case .column(let i, _): return .column(frame.dense(i))
        case .extra(let i, _): return extras[i]
        case .constant(let s): return .scalar(s)
        case .compare(let op, let l, let r): return try compare(op, evaluate(l), evaluate(r))
        case .arithmetic(let op, let l, let r, let type): return try arithmetic(op, evaluate(l), evaluate(r), type)
        case .logic(let op, let l, let r): return logic(op, try evaluate(l), try evaluate(r))
        case .not(let inner):
            let v = try boolValues(evaluate(inner))
            return boolColumn(v.map { $0 == nullInteger ? nullInteger : 1 - $0 })
        case .negate(let inner, let type):
            let operand = try evaluate(inner)
            if type == .real {
                return realColumn(reals(operand).map { -$0 }, type: .real)
            }
            return intColumn(try ints(operand, scale: numericScale(type) ?? 0).map { $0 == nullInteger ? nullInteger : -$0 }, type: type)
        case .textMatch(let op, let l, let r): return try textMatch(op, evaluate(l), evaluate(r))
        case .listHas(let l, let r): return try listHas(evaluate(l), evaluate(r))
        case .inSet(let operand, let values, let negated):
            let value = try evaluate(operand)
            var any = [Int64](repeating: 0, count: rowCount)
            var sawNull = [Bool](repeating: false, count: rowCount)
            if case .column(let c) = value { for i in 0..<rowCount where c.isNull(i) { sawNull[i] = true } }
            if case .scalar(let s) = value, s.value == .null { sawNull = [Bool](repeating: true, count: rowCount) }
            // SQL's rule: no match and a null in the list gives null, not false.
            let listHasNull = values.contains { $0.value == .null }
            for item in values where item.value != .null {
                let eq = try boolValues(compare(.equal, value, .scalar(item)))
                for i in 0..<rowCount where eq[i] == 1 { any[i] = 1 }
            }
            return boolColumn((0..<rowCount).map { i in
                if sawNull[i] || (any[i] == 0 && listHasNull) { return nullInteger }
                return negated ? 1 - any[i] : any[i]
            })
        case .call(let function, let args, let type):
            var operands: [Operand] = []
            for a in args { operands.append(try evaluate(a)) }
            return try call(function, operands, type)
        }
    }

    // MARK: helpers

    func boolColumn(_ v: [Int64]) -> Operand { .column(Column(name: "", type: .bool, data: .integers(v))) }
    func intColumn(_ v: [Int64], type: ColumnType) -> Operand { .column(Column(name: "", type: type, data: .integers(v))) }
    func realColumn(_ v: [Double], type: ColumnType) -> Operand { .column(Column(name: "", type: type, data: .reals(v))) }

    /// One Int64 per row (null as `nullInteger`) at decimal `scale`.
    func ints(_ operand: Operand, scale: Int) throws(EvaluationFailure) -> [Int64] {
        let from = numericScale(operand.type ?? .int) ?? 0
        let factor = powerOfTen(scale - from)
        switch operand {
        case .scalar(let s):
            guard case .integer(let v) = s.value else { return [Int64](repeating: nullInteger, count: rowCount) }
            let (scaled, overflow) = v.multipliedReportingOverflow(by: factor)
            if overflow { throw EvaluationFailure(message: "a number is too large to compare or compute exactly") }
            return [Int64](repeating: scaled, count: rowCount)
        case .column(let c):
            guard case .integers(let values) = c.data else { return [Int64](repeating: nullInteger, count: rowCount) }
            if factor == 1 { return values }
            var out = values
            for i in out.indices where out[i] != nullInteger {
                let (scaled, overflow) = out[i].multipliedReportingOverflow(by: factor)
                if overflow { throw EvaluationFailure(message: "a number is too large to compute exactly") }
                out[i] = scaled
            }
            return out
        }
    }

    /// One Double per row in natural units (yuan for money), NaN for null.
    func reals(_ operand: Operand) -> [Double] {
        let type = operand.type ?? .int
        let divisor = Double(powerOfTen(numericScale(type) ?? 0))
        switch operand {
        case .scalar(let s):
            switch s.value {
            case .integer(let v): return [Double](repeating: Double(v) / divisor, count: rowCount)
            case .real(let v): return [Double](repeating: v, count: rowCount)
            default: return [Double](repeating: .nan, count: rowCount)
            }
        case .column(let c):
            switch c.data {
            case .integers(let values): return values.map { $0 == nullInteger ? .nan : Double($0) / divisor }
            case .reals(let values): return values
            default: return [Double](repeating: .nan, count: rowCount)
            }
        }
    }

    func boolValues(_ operand: Operand) throws(EvaluationFailure) -> [Int64] {
        switch operand {
        case .scalar(let s):
            if case .integer(let v) = s.value { return [Int64](repeating: v, count: rowCount) }
            return [Int64](repeating: nullInteger, count: rowCount)
        case .column(let c):
            if case .integers(let v) = c.data { return v }
            return [Int64](repeating: nullInteger, count: rowCount)
        }
    }

    /// A string accessor per row (nil for null).
    func strings(_ operand: Operand) -> (Int) -> String? {
        switch operand {
        case .scalar(let s):
            if case .string(let text) = s.value { return { _ in text } }
            return { _ in nil }
        case .column(let c):
            switch c.data {
            case .strings(let codes, let dictionary): return { codes[$0] == nullCode ? nil : dictionary[Int(codes[$0])] }
            case .texts(let values): return { values[$0] }
            default: return { _ in nil }
            }
        }
    }

    // MARK: comparison

    private func compare(_ comparison: ComparisonOperator, _ l: Operand, _ r: Operand) throws(EvaluationFailure) -> Operand {
        let n = rowCount
        guard let lt = l.type, let rt = r.type else { return boolColumn([Int64](repeating: nullInteger, count: n)) }
        if lt.isNumeric && rt.isNumeric && (lt == .real || rt == .real) {
            let a = reals(l), b = reals(r)
            var out = [Int64](repeating: nullInteger, count: n)
            for i in 0..<n where !a[i].isNaN && !b[i].isNaN { out[i] = comparison.test(a[i], b[i]) ? 1 : 0 }
            return boolColumn(out)
        }
        if lt.isInteger && rt.isInteger {
            let scale = max(numericScale(lt) ?? 0, numericScale(rt) ?? 0)
            // Column against a constant: the common case of `where`; no broadcast of the constant.
            if case .scalar(let s) = r, case .integer(let raw) = s.value {
                let a = try ints(l, scale: scale)
                let (c, overflow) = raw.multipliedReportingOverflow(by: powerOfTen(scale - (numericScale(rt) ?? 0)))
                if overflow { throw EvaluationFailure(message: "a number is too large to compare exactly") }
                return boolColumn(Self.compareToConstant(comparison, a, c))
            }
            let a = try ints(l, scale: scale), b = try ints(r, scale: scale)
            var out = [Int64](repeating: nullInteger, count: n)
            for i in 0..<n where a[i] != nullInteger && b[i] != nullInteger { out[i] = comparison.test(a[i], b[i]) ? 1 : 0 }
            return boolColumn(out)
        }
        // Strings: a dictionary column against a constant compares codes (the dictionary is sorted).
        if case .column(let c) = l, case .strings(let codes, let dictionary) = c.data, case .scalar(let s) = r, case .string(let text) = s.value {
            let lower = dictionary.lowerBound(text)
            let exact = lower < dictionary.count && dictionary[lower] == text
            let code = Int32(lower)
            var out = [Int64](repeating: nullInteger, count: n)
            for i in 0..<n where codes[i] != nullCode {
                let k = codes[i]
                let result: Bool
                switch comparison {
                case .equal: result = exact && k == code
                case .notEqual: result = !(exact && k == code)
                case .less: result = k < code
                case .lessOrEqual: result = k < code || (exact && k == code)
                case .greater: result = exact ? k > code : k >= code
                case .greaterOrEqual: result = k >= code
                }
                out[i] = result ? 1 : 0
            }
            return boolColumn(out)
        }
        let a = strings(l), b = strings(r)
        var out = [Int64](repeating: nullInteger, count: n)
        for i in 0..<n {
            guard let x = a(i), let y = b(i) else { continue }
            out[i] = comparison.test(x.utf8Ordered, y.utf8Ordered) ? 1 : 0
        }
        return boolColumn(out)
    }

    static func compareToConstant(_ op: ComparisonOperator, _ a: [Int64], _ c: Int64) -> [Int64] {
        var out = [Int64](repeating: nullInteger, count: a.count)
        a.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { out in
                switch op {
                case .equal: for i in 0..<a.count where a[i] != nullInteger { out[i] = a[i] == c ? 1 : 0 }
                case .notEqual: for i in 0..<a.count where a[i] != nullInteger { out[i] = a[i] != c ? 1 : 0 }
                case .less: for i in 0..<a.count where a[i] != nullInteger { out[i] = a[i] < c ? 1 : 0 }
                case .lessOrEqual: for i in 0..<a.count where a[i] != nullInteger { out[i] = a[i] <= c ? 1 : 0 }
                case .greater: for i in 0..<a.count where a[i] != nullInteger { out[i] = a[i] > c ? 1 : 0 }
                case .greaterOrEqual: for i in 0..<a.count where a[i] != nullInteger { out[i] = a[i] >= c ? 1 : 0 }
                }
            }
        }
        return out
    }

    // MARK: arithmetic and logic

    private func arithmetic(_ op: ArithmeticOperator, _ l: Operand, _ r: Operand, _ type: ColumnType) throws(EvaluationFailure) -> Operand {
        let n = rowCount
        if type == .real {
            let a = reals(l), b = reals(r)
            var out = [Double](repeating: .nan, count: n)
            for i in 0..<n where !a[i].isNaN && !b[i].isNaN {
                switch op {
                case .add: out[i] = a[i] + b[i]
                case .subtract: out[i] = a[i] - b[i]
                case .multiply: out[i] = a[i] * b[i]
                case .remainder: out[i] = b[i] == 0 ? .nan : a[i].truncatingRemainder(dividingBy: b[i])
                case .divide: out[i] = b[i] == 0 ? .nan : a[i] / b[i]
                }
            }
            return realColumn(out, type: .real)
        }
        let scale = numericScale(type) ?? 0
        let a: [Int64], b: [Int64]
        if op == .multiply {
            // One side is a whole number: keep the other side's scale.
            let ls = numericScale(l.type ?? .int) ?? 0
            a = try ints(l, scale: ls)
            b = try ints(r, scale: numericScale(r.type ?? .int) ?? 0)
        } else {
            a = try ints(l, scale: scale)
            b = try ints(r, scale: scale)
        }
        var out = [Int64](repeating: nullInteger, count: n)
        for i in 0..<n where a[i] != nullInteger && b[i] != nullInteger {
            let result: (Int64, Bool)
            switch op {
            case .add: result = a[i].addingReportingOverflow(b[i])
            case .subtract: result = a[i].subtractingReportingOverflow(b[i])
            case .multiply: result = a[i].multipliedReportingOverflow(by: b[i])
            case .remainder:
                if b[i] == 0 { continue }
                result = a[i].remainderReportingOverflow(dividingBy: b[i])
            case .divide:
                // The binder types every division as real; an exact one cannot reach here.
                throw EvaluationFailure(message: "internal: exact division was planned")
            }
            if result.1 { throw EvaluationFailure(message: "arithmetic overflow: the result does not fit exactly") }
            out[i] = result.0
        }
        return intColumn(out, type: type)
    }

    private func logic(_ op: LogicOperator, _ l: Operand, _ r: Operand) -> Operand {
        let a = (try? boolValues(l)) ?? [], b = (try? boolValues(r)) ?? []
        var out = [Int64](repeating: nullInteger, count: rowCount)
        for i in 0..<rowCount {
            let x = a[i], y = b[i]
            if op == .and {
                if x == 0 || y == 0 { out[i] = 0 } else if x == nullInteger || y == nullInteger { out[i] = nullInteger } else { out[i] = 1 }
            } else {
                if x == 1 || y == 1 { out[i] = 1 } else if x == nullInteger || y == nullInteger { out[i] = nullInteger } else { out[i] = 0 }
            }
        }
        return boolColumn(out)
    }

    // MARK: strings and lists

    private func textMatch(_ op: TextOperator, _ l: Operand, _ r: Operand) throws(EvaluationFailure) -> Operand {
        let n = rowCount
        func matches(_ s: String, _ needle: String) -> Bool {
            // Every string contains the empty string (Swift's `contains("")` says otherwise).
            if needle.isEmpty { return true }
            switch op {
            case .startswith: return s.hasPrefix(needle)
            case .endswith: return s.hasSuffix(needle)
            case .has, .contains: return s.contains(needle)
            }
        }
        var out = [Int64](repeating: nullInteger, count: n)
        if case .column(let c) = l, case .strings(let codes, let dictionary) = c.data, case .scalar(let s) = r, case .string(let needle) = s.value {
            // Test each dictionary entry once, then map codes.
            let hit = dictionary.map { matches($0, needle) }
            for i in 0..<n where codes[i] != nullCode { out[i] = hit[Int(codes[i])] ? 1 : 0 }
            return boolColumn(out)
        }
        let a = strings(l), b = strings(r)
        for i in 0..<n {
            guard let s = a(i), let needle = b(i) else { continue }
            out[i] = matches(s, needle) ? 1 : 0
        }
        return boolColumn(out)
    }

    private func listHas(_ l: Operand, _ r: Operand) throws(EvaluationFailure) -> Operand {
        let n = rowCount
        guard case .column(let c) = l, case .lists(let offsets, let codes, let dictionary) = c.data else {
            return boolColumn([Int64](repeating: nullInteger, count: n))
        }
        let needles = strings(r)
        var out = [Int64](repeating: 0, count: n)
        if case .scalar = r {
            guard let needle = needles(0) else { return boolColumn([Int64](repeating: nullInteger, count: n)) }
            let lower = dictionary.lowerBound(needle)
            guard lower < dictionary.count, dictionary[lower] == needle else { return boolColumn(out) }
            let code = Int32(lower)
            for i in 0..<n where codes[Int(offsets[i])..<Int(offsets[i + 1])].contains(code) { out[i] = 1 }
            return boolColumn(out)
        }
        for i in 0..<n {
            guard let needle = needles(i) else { out[i] = nullInteger; continue }
            out[i] = codes[Int(offsets[i])..<Int(offsets[i + 1])].contains { dictionary[Int($0)] == needle } ? 1 : 0
        }
        return boolColumn(out)
    }

    // MARK: functions

    private func call(_ function: ScalarFunction, _ args: [Operand], _ type: ColumnType) throws(EvaluationFailure) -> Operand {
        let n = rowCount
        switch function {
        case .round:
            let digits: Int
            if args.count > 1, case .scalar(let s) = args[1], case .integer(let d) = s.value { digits = Int(max(0, min(10, d))) } else { digits = 0 }
            let factor = Double(powerOfTen(digits))
            return realColumn(reals(args[0]).map { $0.isNaN ? .nan : ($0 * factor).rounded(.toNearestOrAwayFromZero) / factor }, type: .real)
        case .abs:
            if type == .real { return realColumn(reals(args[0]).map { Swift.abs($0) }, type: .real) }
            return intColumn(try ints(args[0], scale: numericScale(type) ?? 0).map { $0 == nullInteger ? nullInteger : Swift.abs($0) }, type: type)
        case .year, .month:
            let source = args[0].type
            let values = try ints(args[0], scale: 0)
            return intColumn(values.map { v in
                guard v != nullInteger else { return nullInteger }
                let yearMonth = source == .date ? v / 100 : v
                if function == .year { return yearMonth / 100 }
                return source == .date ? yearMonth : yearMonth % 100
            }, type: type)
        case .len:
            if case .column(let c) = args[0], case .lists(let offsets, _, _) = c.data {
                return intColumn((0..<n).map { Int64(offsets[$0 + 1] - offsets[$0]) }, type: .int)
            }
            let s = strings(args[0])
            return intColumn((0..<n).map { s($0).map { Int64($0.count) } ?? nullInteger }, type: .int)
        case .coalesce, .iff:
            let condition = function == .iff ? try boolValues(args[0]) : []
            let (a, b) = function == .iff ? (args[1], args[2]) : (args[0], args[1])
            let first = try converted(a, to: type), second = try converted(b, to: type)
            var picks = [Int32](repeating: 0, count: n)
            for i in 0..<n {
                let useFirst = function == .iff ? condition[i] == 1 : !first.isNull(i)
                picks[i] = useFirst ? 0 : 1
            }
            return .column(Column.choosing(picks, first, second, type: type))
        }
    }

    /// A dense column of `type`, rescaling numbers (an int 5 becomes money 5.00, not 0.05).
    func converted(_ operand: Operand, to type: ColumnType) throws(EvaluationFailure) -> Column {
        guard type.isNumeric, let from = operand.type, from.isNumeric, from != type else { return materialize(operand, type: type) }
        if type == .real { return Column(name: "", type: .real, data: .reals(reals(operand))) }
        return Column(name: "", type: type, data: .integers(try ints(operand, scale: numericScale(type) ?? 0)))
    }

    /// A dense column for an operand (scalars broadcast).
    func materialize(_ operand: Operand, type: ColumnType) -> Column {
        switch operand {
        case .column(let c): return c
        case .scalar(let s): return Column.repeating(s, count: rowCount, type: type)
        }
    }
}

extension Column {
    func isNull(_ row: Int) -> Bool {
        switch data {
        case .integers(let v): return v[row] == nullInteger
        case .reals(let v): return v[row].isNaN
        case .strings(let codes, _): return codes[row] == nullCode
        case .texts(let v): return v[row] == nil
        case .lists: return false
        }
    }

    /// `count` copies of one scalar.
    static func repeating(_ s: Scalar, count: Int, type: ColumnType) -> Column {
        let data: ColumnData
        switch s.value {
        case .null:
            switch type {
            case .real: data = .reals([Double](repeating: .nan, count: count))
            case .string: data = .strings(codes: [Int32](repeating: nullCode, count: count), dictionary: [])
            case .text: data = .texts([String?](repeating: nil, count: count))
            case .list: data = .lists(offsets: [Int32](repeating: 0, count: count + 1), codes: [], dictionary: [])
            default: data = .integers([Int64](repeating: nullInteger, count: count))
            }
        case .integer(let v): data = .integers([Int64](repeating: v, count: count))
        case .real(let v): data = .reals([Double](repeating: v, count: count))
        case .string(let text):
            data = type == .text ? .texts([String?](repeating: text, count: count)) : .strings(codes: [Int32](repeating: 0, count: count), dictionary: [text])
        case .list(let items):
            let (sorted, remap) = sortedDictionary(items)
            let codes = remap
            var offsets: [Int32] = [0]
            var all: [Int32] = []
            for _ in 0..<count { all += codes; offsets.append(Int32(all.count)) }
            data = .lists(offsets: offsets, codes: all, dictionary: sorted)
        }
        return Column(name: "", type: s.type ?? type, data: data)
    }

    /// Row i from `first` when picks[i] == 0, else from `second` (same logical type).
    static func choosing(_ picks: [Int32], _ first: Column, _ second: Column, type: ColumnType) -> Column {
        var builder = ValueColumnBuilder(type: type)
        for (i, p) in picks.enumerated() { builder.append((p == 0 ? first : second).value(at: i)) }
        return builder.finish(name: "")
    }
}

/// Builds a column from boxed values (for small results: groups, joins, pivots).
struct ValueColumnBuilder {
    let type: ColumnType
    private var ints: [Int64] = []
    private var reals: [Double] = []
    private var strings = StringColumnBuilder()
    private var texts: [String?] = []
    private var lists = ListColumnBuilder()

    init(type: ColumnType) { self.type = type }

    mutating func append(_ value: Value) {
        switch type {
        case .real:
            switch value {
            case .real(let v): reals.append(v)
            case .integer(let v): reals.append(Double(v))
            default: reals.append(.nan)
            }
        case .string:
            if case .string(let s) = value { strings.append(s) } else { strings.append(nil) }
        case .text:
            if case .string(let s) = value { texts.append(s) } else { texts.append(nil) }
        case .list:
            if case .list(let items) = value { lists.append(items) } else { lists.append([]) }
        default:
            if case .integer(let v) = value { ints.append(v) } else { ints.append(nullInteger) }
        }
    }

    func finish(name: String) -> Column {
        let data: ColumnData
        switch type {
        case .real: data = .reals(reals)
        case .string: data = strings.finish()
        case .text: data = .texts(texts)
        case .list: data = lists.finish()
        default: data = .integers(ints)
        }
        return Column(name: name, type: type, data: data)
    }
}

extension Array where Element == String {
    /// First index whose string is not below `key` in UTF-8 byte order (the array is sorted that way).
    func lowerBound(_ key: String) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid].utf8.lexicographicallyPrecedes(key.utf8) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

extension String {
    /// Compares by UTF-8 bytes, as SQLite's BINARY collation does.
    var utf8Ordered: UTF8Ordered { UTF8Ordered(self) }
}

/// A string wrapper ordered by UTF-8 bytes.
struct UTF8Ordered: Comparable {
    let value: String
    init(_ value: String) { self.value = value }
    static func < (a: UTF8Ordered, b: UTF8Ordered) -> Bool { a.value.utf8.lexicographicallyPrecedes(b.value.utf8) }
    static func == (a: UTF8Ordered, b: UTF8Ordered) -> Bool { a.value.utf8.elementsEqual(b.value.utf8) }
}
