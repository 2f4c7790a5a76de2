import BudgetQuery

extension QueryError {
    /// `FILE:LINE:COLUMN: error: message`, the offending line, a caret under the column
    /// (East Asian wide characters count two cells), and the hint.
    public func rendered(source: String, file: String = "query") -> String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        var out = "\(file):\(span.line):\(span.column): error: \(message)"
        if span.line >= 1, span.line <= lines.count {
            var text = String(lines[span.line - 1])
            if text.hasSuffix("\r") { text.removeLast() }
            // A tab is one column to the lexer: print it as one space so the caret lines up.
            text = String(text.map { $0 == "\t" || $0 == "\r" ? " " : $0 })
            let prefix = String(text.prefix(max(0, span.column - 1)))
            let marked = String(text.dropFirst(max(0, span.column - 1)).prefix(span.length))
            let pad = String(repeating: " ", count: displayWidth(prefix))
            let carets = String(repeating: "^", count: max(1, displayWidth(marked)))
            out += "\n    \(text)\n    \(pad)\(carets)"
        }
        if let hint { out += "\nhint: \(hint)" }
        return out
    }
}
