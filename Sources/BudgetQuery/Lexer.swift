/// Splits query text into tokens with character-based positions.
///
/// Newlines matter: where a statement ends is decided by `Continuation` (Vocabulary.swift).
struct Lexer {
    private let chars: [Character]
    private var index = 0
    private var line = 1
    private var column = 1

    init(_ text: String) { chars = Self.halfWidth(Array(text)) }

    /// Full-width digits and operators typed with a Chinese input method (`２０２４`, `＝＝`, `！＝`,
    /// `、` between columns) read as their ASCII forms outside quotes; one character stays one
    /// character, so columns in messages still point at what was typed.
    static func halfWidth(_ chars: [Character]) -> [Character] {
        let map: [Character: Character] = [
            "＝": "=", "！": "!", "＞": ">", "＜": "<", "（": "(", "）": ")", "，": ",", "、": ",", "；": ";", "｜": "|",
            "＋": "+", "－": "-", "＊": "*", "／": "/", "％": "%", "．": ".", "＄": "$",
            "０": "0", "１": "1", "２": "2", "３": "3", "４": "4", "５": "5", "６": "6", "７": "7", "８": "8", "９": "9",
        ]
        let closers: [Character: Character] = ["\"": "\"", "“": "”", "‘": "’", "'": "'", "`": "`"]
        var out = chars
        var closer: Character?
        var comment = false
        for (i, c) in chars.enumerated() {
            if c == "\n" || c == "\r\n" { closer = nil; comment = false; continue }
            if comment { continue }
            if let open = closer {
                if c == open { closer = nil }
                continue
            }
            if c == "#" { comment = true; continue }
            if let close = closers[c] { closer = close; continue }
            if let ascii = map[c] { out[i] = ascii }
        }
        return out
    }

    static func tokenize(_ text: String) -> [Token] {
        significantNewlines(rawTokens(text))
    }

    /// Every token, newlines included; text that cannot be read becomes an `.invalid` token.
    static func rawTokens(_ text: String) -> [Token] {
        var lexer = Lexer(text)
        var raw: [Token] = []
        while true {
            do {
                let token = try lexer.next()
                raw.append(token)
                if token.kind == .end { break }
            } catch {
                // Keep going: the parser reports this and resumes at the next statement.
                raw.append(Token(kind: .invalid(error), span: error.span))
                lexer.skipToEndOfLine()
            }
        }
        return raw
    }

    /// Drops the newlines that do not end a statement, by the rule of `Continuation`.
    private static func significantNewlines(_ tokens: [Token]) -> [Token] {
        var out: [Token] = []
        var depth = 0
        for (i, token) in tokens.enumerated() {
            if let s = token.symbol {
                if s == "(" { depth += 1 }
                if s == ")" { depth = max(0, depth - 1) }
            }
            guard token.kind == .newline else { out.append(token); continue }
            if depth > 0 { continue }
            guard let previous = out.last, previous.kind != .newline, previous.symbol != ";" else { continue }
            if Continuation.continues(after: previous, following: out.count >= 2 ? out[out.count - 2] : nil) { continue }
            if let nextReal = tokens[(i + 1)...].first(where: { $0.kind != .newline }), Continuation.continues(before: nextReal) { continue }
            out.append(token)
        }
        return out
    }

    mutating func skipToEndOfLine() {
        while let c = current, c != "\n" { advance() }
    }

    private var current: Character? { index < chars.count ? chars[index] : nil }
    private func peek(_ offset: Int = 1) -> Character? { index + offset < chars.count ? chars[index + offset] : nil }

    private mutating func advance() {
        if chars[index] == "\n" { line += 1; column = 1 } else { column += 1 }
        index += 1
    }

    private mutating func next() throws(QueryError) -> Token {
        // Skip spaces and comments.
        while let c = current {
            if c == "#" {
                while let d = current, d != "\n" { advance() }
            } else if c == "\n" || c == "\r\n" {
                let span = SourceSpan(line: line, column: column, length: 1)
                advance()
                return Token(kind: .newline, span: span)
            } else if c.isWhitespace {
                advance()
            } else {
                break
            }
        }
        let startLine = line, startColumn = column, start = index
        func span() -> SourceSpan { SourceSpan(line: startLine, column: startColumn, length: index - start) }
        guard let c = current else { return Token(kind: .end, span: SourceSpan(line: line, column: column, length: 1)) }

        // Strings: "…", and as Chinese and SQL users type them, “…”, ‘…’ and '…'.
        let closers: [Character: Character] = ["\"": "\"", "“": "”", "‘": "’", "'": "'"]
        if let close = closers[c] {
            advance()
            var value = ""
            while true {
                guard let d = current, d != "\n" else {
                    throw QueryError("unterminated string", at: span(), hint: "close it with \(close)")
                }
                advance()
                if d == close { break }
                if d == "\\", close == "\"", let e = current {
                    advance()
                    switch e {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    default: value.append(e)
                    }
                } else {
                    value.append(d)
                }
            }
            return Token(kind: .string(value), span: span())
        }
        if c == "`" {
            advance()
            var name = ""
            while let d = current, d != "`", d != "\n" { name.append(d); advance() }
            guard current == "`" else { throw QueryError("unterminated `quoted name`", at: span()) }
            advance()
            return Token(kind: .quotedIdentifier(name), span: span())
        }
        if c == "$" {
            advance()
            var name = ""
            while let d = current, isIdentifierCharacter(d) { name.append(d); advance() }
            guard !name.isEmpty else { throw QueryError("expected a parameter name after $", at: span(), hint: "for example $month") }
            return Token(kind: .parameter(name), span: span())
        }
        if c.isASCII && c.isNumber {
            return try number(startLine: startLine, startColumn: startColumn, start: start)
        }
        if isIdentifierStart(c) {
            var name = ""
            while let d = current, isIdentifierCharacter(d) { name.append(d); advance() }
            return Token(kind: .identifier(name), span: span())
        }
        // The two-character comparison symbols, and SQL's `<>` for `!=`.
        let twoCharacter = ComparisonOperator.allCases.map(\.rawValue).filter { $0.count == 2 } + ["<>"]
        if let n = peek(), twoCharacter.contains(String([c, n])) {
            advance(); advance()
            let text = String([c, n]) == "<>" ? "!=" : String([c, n])
            return Token(kind: .symbol(text), span: span())
        }
        let fullWidth: [Character: String] = ["（": "(", "）": ")", "，": ",", "＝": "=", "＞": ">", "＜": "<", "≥": ">=", "≤": "<=", "≠": "!=", "；": ";", "｜": "|"]
        if let mapped = fullWidth[c] {
            advance()
            return Token(kind: .symbol(mapped), span: span())
        }
        if "|,()=<>+-*/;%!".contains(c) {
            advance()
            return Token(kind: .symbol(String(c)), span: span())
        }
        advance()
        throw QueryError("unexpected character `\(c)`", at: span(), hint: "strings go in double quotes: \"铜仁\"")
    }

    /// `2024`, `1.5`, `500万`, `1.5亿`, `2024-06-30` (date), `2024-06` (month), `2024-Q2` (quarter).
    private mutating func number(startLine: Int, startColumn: Int, start: Int) throws(QueryError) -> Token {
        func span() -> SourceSpan { SourceSpan(line: startLine, column: startColumn, length: index - start) }
        var text = ""
        while let d = current, d.isASCII, d.isNumber || d == "_" { if d != "_" { text.append(d) }; advance() }
        // Dates and months: exactly four digits, a dash, two digits.
        // Quarters: 2024-Q2.
        if text.count == 4, current == "-", let q = peek(1), q == "Q" || q == "q", let d = peek(2), ("1"..."4").contains(d),
           !(peek(3).map { isIdentifierCharacter($0) } ?? false) {
            advance(); advance(); advance()
            return Token(kind: .quarter(text + "-Q" + String(d)), span: span())
        }
        if text.count == 4, current == "-", let a = peek(1), let b = peek(2), a.isASCII, a.isNumber, b.isASCII, b.isNumber,
           !(peek(3).map { $0.isASCII && $0.isNumber } ?? false) {
            advance(); advance(); advance()
            let month = text + "-" + String([a, b])
            if current == "-", let c1 = peek(1), let c2 = peek(2), c1.isASCII, c1.isNumber, c2.isASCII, c2.isNumber,
               !(peek(3).map { $0.isASCII && $0.isNumber } ?? false) {
                advance(); advance(); advance()
                return Token(kind: .date(month + "-" + String([c1, c2])), span: span())
            }
            return Token(kind: .month(month), span: span())
        }
        if current == ".", let n = peek(), n.isASCII, n.isNumber {
            text.append(".")
            advance()
            while let d = current, d.isASCII, d.isNumber { text.append(d); advance() }
        }
        let units: [(String, Int64)] = [("万亿", 1_000_000_000_000), ("千万", 10_000_000), ("百万", 1_000_000), ("亿", 100_000_000), ("万", 10_000), ("千", 1_000)]
        for (unit, multiplier) in units where matches(unit) {
            for _ in unit { advance() }
            if current == "元" { advance() }
            return Token(kind: .number(text: text, multiplier: multiplier), span: span())
        }
        if let d = current, isIdentifierStart(d) {
            throw QueryError("unexpected `\(d)` after the number \(text)", at: SourceSpan(line: line, column: column, length: 1),
                             hint: "numbers take the units 万, 亿, 千, 百万, 千万 (500万, 1.5亿)")
        }
        return Token(kind: .number(text: text, multiplier: 1), span: span())
    }

    private func matches(_ word: String) -> Bool {
        var i = index
        for ch in word {
            guard i < chars.count, chars[i] == ch else { return false }
            i += 1
        }
        return true
    }

    private func isIdentifierStart(_ c: Character) -> Bool {
        c == "_" || (c.isLetter && !isFullWidthPunctuation(c))
    }

    private func isIdentifierCharacter(_ c: Character) -> Bool {
        c == "_" || (c.isLetter && !isFullWidthPunctuation(c)) || (c.isNumber && c.isASCII)
    }

    private func isFullWidthPunctuation(_ c: Character) -> Bool { "（），＝＞＜；｜".contains(c) }
}
