/// A place in the query text: 1-based line and column counted in characters (not bytes), and a length.
public struct SourceSpan: Sendable, Equatable {
    public var line: Int
    public var column: Int
    public var length: Int

    public init(line: Int, column: Int, length: Int) {
        self.line = line
        self.column = column
        self.length = max(1, length)
    }

    /// From the start of `self` to the end of `other` when both sit on one line.
    func through(_ other: SourceSpan) -> SourceSpan {
        guard other.line == line, other.column >= column else { return self }
        return SourceSpan(line: line, column: column, length: other.column + other.length - column)
    }
}

/// One lexical token of the query language.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case quotedIdentifier(String)
        case number(text: String, multiplier: Int64)
        case string(String)
        case date(String)
        case month(String)
        /// `2024-Q2`.
        case quarter(String)
        case parameter(String)
        case symbol(String)
        case newline
        case end
        /// Text the lexer could not read; the parser reports it.
        case invalid(QueryError)
    }

    var kind: Kind
    var span: SourceSpan

    var symbol: String? {
        if case .symbol(let s) = kind { return s }
        return nil
    }

    /// The keyword or name, for bare identifiers only.
    var word: String? {
        if case .identifier(let s) = kind { return s }
        return nil
    }

    var describe: String {
        switch kind {
        case .identifier(let s): return "`\(s)`"
        case .quotedIdentifier(let s): return "`\(s)`"
        case .number(let t, _): return "number \(t)"
        case .string(let s): return "string \"\(s)\""
        case .date(let s): return "date \(s)"
        case .month(let s): return "month \(s)"
        case .quarter(let s): return "quarter \(s)"
        case .parameter(let s): return "$\(s)"
        case .symbol(let s): return "`\(s)`"
        case .newline: return "end of line"
        case .end: return "end of query"
        case .invalid: return "invalid text"
        }
    }
}
