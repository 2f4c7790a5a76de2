import BudgetCore
import BudgetStore

/// A typed scalar: a boxed value and its column type (nil only for the `null` literal).
struct Scalar: Sendable, Equatable {
    var value: Value
    var type: ColumnType?

    static let null = Scalar(value: .null, type: nil)
}

/// The aggregate functions of `summarize`, `compare`, `pivot` and (over the whole result) `derive`.
enum AggregateFunction: String, Sendable, CaseIterable {
    case count, sum, avg, min, max, dcount
    case runningSum = "running_sum"
}

/// Scalar functions usable anywhere.
enum ScalarFunction: String, Sendable, CaseIterable {
    case round, abs, year, month, quarter, getyear, getmonth, len, strcat, tofen, coalesce, iff, isnull, isnotnull, isempty, bar
}

/// One aggregate to compute: its function and its argument bound against the input rows.
struct AggregateSpec: Sendable {
    var function: AggregateFunction
    var argument: Bound?
    var resultType: ColumnType
    var span: SourceSpan
}

/// An expression with names resolved and types checked; evaluated a column at a time.
indirect enum Bound: Sendable {
    case column(Int, ColumnType)
    /// A column computed outside the frame (aggregate results), by position.
    case extra(Int, ColumnType)
    case constant(Scalar)
    case compare(ComparisonOperator, Bound, Bound)
    case arithmetic(ArithmeticOperator, Bound, Bound, ColumnType)
    case logic(LogicOperator, Bound, Bound)
    case not(Bound)
    case negate(Bound, ColumnType)
    case textMatch(TextOperator, Bound, Bound)
    case listHas(Bound, Bound)
    case inSet(Bound, [Scalar], negated: Bool)
    case call(ScalarFunction, [Bound], ColumnType)

    /// nil for the null literal.
    var type: ColumnType? {
        switch self {
        case .column(_, let t), .extra(_, let t), .arithmetic(_, _, _, let t), .negate(_, let t), .call(_, _, let t): return t
        case .constant(let s): return s.type
        case .compare, .logic, .not, .textMatch, .listHas, .inSet: return .bool
        }
    }
}

/// Decimal scale of a numeric type: values are integers × 10^-scale.
func numericScale(_ type: ColumnType) -> Int? {
    switch type {
    case .int, .bool: return 0
    case .money: return 2
    case .decimal: return 4
    default: return nil
    }
}

func typeForScale(_ scale: Int, preferring a: ColumnType, _ b: ColumnType) -> ColumnType {
    if a == .money && b == .money { return .money }
    switch scale {
    case 0: return .int
    case 2: return .money
    default: return .decimal
    }
}

func powerOfTen(_ n: Int) -> Int64 {
    var r: Int64 = 1
    for _ in 0..<max(0, n) { r *= 10 }
    return r
}

/// A readable name for a type in messages.
func describe(_ type: ColumnType?) -> String {
    guard let type else { return "null" }
    switch type {
    case .int, .money, .decimal, .real: return "a number (\(type.rawValue))"
    case .string, .text: return "a string"
    case .date: return "a date"
    case .month: return "a month"
    case .list: return "a list"
    case .bool: return "a true/false value"
    }
}

/// Parses a literal token's text into a typed scalar.
enum Literals {
    static func number(_ text: String, multiplier: Int64, span: SourceSpan) throws(QueryError) -> Scalar {
        guard let decimal = ExactDecimal(parsing: Substring(text)), let scaled = decimal.multiplied(by: multiplier) else {
            throw QueryError("the number \(text) is too large or has more than 4 decimals", at: span)
        }
        if scaled.scaled % ExactDecimal.unit == 0 { return Scalar(value: .integer(scaled.scaled / ExactDecimal.unit), type: .int) }
        return Scalar(value: .integer(scaled.scaled), type: .decimal)
    }

    static func date(_ text: String, span: SourceSpan) throws(QueryError) -> Scalar {
        guard let d = CalendarDate(iso: Substring(text)) else { throw QueryError("\(text) is not a valid date", at: span, hint: "dates are written 2024-06-30") }
        return Scalar(value: .integer(d.packed), type: .date)
    }

    static func month(_ text: String, span: SourceSpan) throws(QueryError) -> Scalar {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let y = Int64(parts[0]), let m = Int64(parts[1]), (1...12).contains(m) else {
            throw QueryError("\(text) is not a valid month", at: span, hint: "months are written 2024-06")
        }
        return Scalar(value: .integer(y * 100 + m), type: .month)
    }

    /// A parameter value given on the command line or with `set`: read as a literal when it looks like one, else a string.
    static func parameter(_ text: String) -> Scalar {
        let tokens = Lexer.tokenize(text)
        if tokens.count == 2 {
            let span = tokens[0].span
            switch tokens[0].kind {
            case .number(let t, let m): if let s = try? number(t, multiplier: m, span: span) { return s }
            case .date(let t): if let s = try? date(t, span: span) { return s }
            case .month(let t): if let s = try? month(t, span: span) { return s }
            case .string(let s): return Scalar(value: .string(s), type: .string)
            default: break
            }
        }
        return Scalar(value: .string(text), type: .string)
    }
}
