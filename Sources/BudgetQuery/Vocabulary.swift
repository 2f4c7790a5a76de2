/// The words and symbols of the query language, in one place: the lexer, the parser, the binder,
/// the line-continuation rule, the REPL's completer and `.help` all read these tables.

/// `==` `!=` `<` `<=` `>` `>=`, typed from the parser on.
public enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    @inline(__always)
    func test<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        }
    }
}

/// `+` `-` `*` `/` `%`.
public enum ArithmeticOperator: String, Sendable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
}

/// `and`, `or`.
public enum LogicOperator: String, Sendable, CaseIterable {
    case and, or
}

/// `has` (a list member, or a substring), `contains`, `startswith`, `endswith`.
public enum TextOperator: String, Sendable, CaseIterable {
    case has, contains, startswith, endswith
}

/// A binary operator as the parser read it.
enum BinaryOperator: Sendable, Equatable {
    case comparison(ComparisonOperator)
    case arithmetic(ArithmeticOperator)
    case logic(LogicOperator)
    case text(TextOperator)

    /// How it is written, for messages.
    var spelling: String {
        switch self {
        case .comparison(let op): return op.rawValue
        case .arithmetic(let op): return op.rawValue
        case .logic(let op): return op.rawValue
        case .text(let op): return op.rawValue
        }
    }
}

/// `not x` and `-x`.
enum UnaryOperator: String, Sendable {
    case not, negate = "-"
}

/// The pipeline operators.
enum PipeKeyword: String, Sendable, CaseIterable {
    case `where`, select, derive, summarize, sort, take, top, distinct, count, explode, join, compare, pivot, total
}

/// The language's word lists.
public enum Vocabulary {
    /// One pipeline operator: its name, other spellings, syntax and what it does.
    public struct Operator: Sendable {
        let keyword: PipeKeyword
        public let synonyms: [String]
        public let usage: String
        public let help: String
        /// A line ending in this word is not finished (`count` and `distinct` may end a statement).
        let needsMore: Bool

        public var name: String { keyword.rawValue }
        /// What Tab inserts after `|`.
        public var completion: String { keyword == .sort ? "sort by" : name }
    }

    public static let operators: [Operator] = [
        Operator(keyword: .where, synonyms: ["filter"], usage: "where CONDITION", help: "keep the rows where CONDITION is true", needsMore: true),
        Operator(keyword: .select, synonyms: ["project"], usage: "select [NAME =] EXPR, …", help: "keep or compute these columns only", needsMore: true),
        Operator(keyword: .derive, synonyms: ["extend"], usage: "derive NAME = EXPR, …", help: "add computed columns", needsMore: true),
        Operator(keyword: .summarize, synonyms: [], usage: "summarize [NAME =] AGG, … [by KEY, …] [with total]", help: "one row per group (with total: and a 合计 row over all rows)", needsMore: true),
        Operator(keyword: .sort, synonyms: ["order"], usage: "sort by EXPR [asc|desc], …", help: "order the rows", needsMore: true),
        Operator(keyword: .take, synonyms: ["limit"], usage: "take N", help: "the first N rows", needsMore: true),
        Operator(keyword: .top, synonyms: [], usage: "top N by EXPR [asc|desc] [per KEY, …]", help: "the N largest rows (of each group with per)", needsMore: true),
        Operator(keyword: .distinct, synonyms: [], usage: "distinct [EXPR, …]", help: "drop repeated rows", needsMore: false),
        Operator(keyword: .count, synonyms: [], usage: "count", help: "the number of rows", needsMore: false),
        Operator(keyword: .explode, synonyms: [], usage: "explode LIST [as NAME]", help: "one row per list item", needsMore: true),
        Operator(keyword: .join, synonyms: [], usage: "join TABLE on KEY [== KEY]", help: "add the matching rows of TABLE", needsMore: true),
        Operator(keyword: .compare, synonyms: [], usage: "compare COL A vs B of AGG [by KEY, …]", help: "A and B side by side, with delta and pct", needsMore: true),
        Operator(keyword: .total, synonyms: [], usage: "total", help: "add a 合计 row: each numeric column's sum (not ratios, years or ids)", needsMore: false),
        Operator(keyword: .pivot, synonyms: [], usage: "pivot COL of AGG [by KEY, …]", help: "one column per value of COL", needsMore: true),
    ]

    /// The operator a word names (its name or a synonym), case-insensitively.
    static func pipeOperator(_ word: String) -> Operator? {
        let lower = word.lowercased()
        return operators.first { $0.name == lower || $0.synonyms.contains(lower) }
    }

    public static var operatorNames: [String] { operators.map(\.name) }
    public static var aggregateNames: [String] { AggregateFunction.allCases.map(\.rawValue) }
    public static var functionNames: [String] { ScalarFunction.allCases.map(\.rawValue) }
    /// True for an aggregate or scalar function's name.
    static func isFunctionName(_ lower: String) -> Bool {
        AggregateFunction(rawValue: lower) != nil || ScalarFunction(rawValue: lower) != nil
    }
    /// Statements that are not queries.
    public static let statementWords = ["let", "set"]
    /// Words inside operators and expressions.
    public static var keywords: [String] {
        LogicOperator.allCases.map(\.rawValue) + ["not", "in"] + TextOperator.allCases.map(\.rawValue) + listOperators + ["between"] + clauseWords + ["asc", "desc"]
    }
    /// `regions has_any ("铜仁", "韶关")`: any (or all) of a list.
    static let listOperators = ["has_any", "has_all"]
    static let clauseWords = ["by", "of", "vs", "as", "on", "per", "with"]

    // MARK: line continuation

    /// Operator words after which a line does not end the statement, when they follow `|`
    /// (elsewhere `project` or `count` may be a column's name).
    static let continuingOperatorWords: Set<String> = Set(operators.filter(\.needsMore).flatMap { [$0.name] + $0.synonyms })

    /// Words after which a line never ends the statement.
    static let continuingWords: Set<String> = Set(
        LogicOperator.allCases.map(\.rawValue) + ["not", "in", "between"] + TextOperator.allCases.map(\.rawValue) + listOperators + clauseWords)

    /// Symbols after which a line does not end the statement.
    static let continuingSymbols: Set<String> = Set(
        ["|", ",", "=", "("] + ComparisonOperator.allCases.map(\.rawValue) + ArithmeticOperator.allCases.map(\.rawValue))
}

/// When a statement goes on to the next line: the one rule the lexer applies and the REPL, `.read`,
/// stdin scripts and `run` share.
///
/// A newline ends a statement unless a parenthesis is open, the line ends with a token that needs
/// more (`|`, `,`, `=`, an operator symbol, `where`, `by`, `and` …), or the next line starts with `|`.
public enum Continuation {
    /// True when the line ending in `token` (after `previous`, the token before it) must go on.
    static func continues(after token: Token, following previous: Token?) -> Bool {
        if let s = token.symbol { return Vocabulary.continuingSymbols.contains(s) }
        guard let w = token.word?.lowercased() else { return false }
        if Vocabulary.continuingWords.contains(w) { return true }
        if previous?.symbol == "|" { return Vocabulary.continuingOperatorWords.contains(w) }
        // `let` and `set` begin a statement.
        return Vocabulary.statementWords.contains(w) && (previous == nil || previous?.kind == .newline || previous?.symbol == ";")
    }

    /// True when a line starting with `token` continues the statement above it.
    static func continues(before token: Token) -> Bool { token.symbol == "|" }

    /// True when the lines typed so far cannot end the statement yet: the REPL then asks for
    /// another line. An unreadable token (an unterminated string) does not wait: it is an error.
    public static func needsMoreLines(_ text: String) -> Bool {
        let tokens = Lexer.rawTokens(text)
        var depth = 0
        for token in tokens {
            if token.symbol == "(" { depth += 1 }
            if token.symbol == ")" { depth = max(0, depth - 1) }
        }
        let written = tokens.filter { $0.kind != .end }
        guard let lastIndex = written.lastIndex(where: { $0.kind != .newline }) else { return false }
        let last = written[lastIndex]
        let beforeLast = lastIndex > 0 ? written[lastIndex - 1] : nil
        if case .invalid = last.kind { return false }
        if last.symbol == ";" { return false }
        return depth > 0 || continues(after: last, following: beforeLast)
    }

    /// True when `line` continues the statement above it (it starts with `|`): what a paste of
    /// `projects` / `| where …` / `| count` needs the REPL to know before running the first line.
    public static func continuesPrevious(_ line: String) -> Bool {
        guard let first = Lexer.rawTokens(line).first(where: { $0.kind != .newline }) else { return false }
        return continues(before: first)
    }
}
