import BudgetApp
import BudgetQuery
/// What completion may offer: names and values from the loaded data, without the store's internals.
public protocol CompletionSource {
    var tableNames: [String] { get }
    func columnNames(of table: String) -> [String]
    func values(of column: String, in table: String) -> [String]
    var dotCommandNames: [String] { get }
    func paths(matching prefix: String) -> [String]
    /// Tables' Chinese aliases, to the table (`项目` → projects).
    var tableAliases: [String: String] { get }
    /// The columns of a pipeline's result (`projects | select name, budget`), nil when it does not run.
    func resultColumns(of pipeline: String) -> (names: [String], aliases: [String])?
}

extension CompletionSource {
    public var tableAliases: [String: String] { [:] }
    public func resultColumns(of pipeline: String) -> (names: [String], aliases: [String])? { nil }
}

/// Context-aware Tab completion over the text before the cursor.
public struct Completer {
    /// One completion: replace `replacing` characters before the cursor by one of `candidates`.
    public struct Completion: Equatable {
        public var replacing: Int
        public var candidates: [String]
    }

    static let operators = Vocabulary.operators.map(\.completion)
    static let functions = Vocabulary.aggregateNames.map { $0 == "count" ? "count()" : $0 + "(" } + Vocabulary.functionNames.map { $0 + "(" }
    static let keywords = Vocabulary.keywords

    let source: CompletionSource

    public init(source: CompletionSource) { self.source = source }

    public func complete(_ textBeforeCursor: String) -> Completion {
        let text = Array(textBeforeCursor)
        let trimmedStart = text.drop { $0 == " " }
        if trimmedStart.first == "." {
            let words = String(trimmedStart).split(separator: " ", omittingEmptySubsequences: false)
            if words.count == 1 { return filter(source.dotCommandNames, partial: String(words[0])) }
            let command = String(words[0])
            let partial = String(words.last ?? "")
            switch command {
            case ".load", ".read", ".output", ".open", ".save": return filter(source.paths(matching: partial), partial: partial)
            case ".mode": return filter(["table", "csv", "tsv", "json", "markdown"], partial: partial)
            case ".unit": return filter(["分", "元", "万元", "亿元"], partial: partial)
            case ".timer": return filter(["on", "off"], partial: partial)
            case ".schema": return filter(source.tableNames, partial: partial)
            case ".help": return filter(source.dotCommandNames.map { String($0.dropFirst()) }, partial: partial)
            default: return Completion(replacing: 0, candidates: [])
            }
        }
        // The current statement starts after the last `;`.
        let statementStart = (text.lastIndex(of: ";").map { $0 + 1 }) ?? 0
        let statement = Array(text[statementStart...])
        let table = tableInPlay(statement)

        // Inside an open string: offer values of the column being compared.
        let quotes = statement.filter { $0 == "\"" }.count
        if quotes % 2 == 1, let open = statement.lastIndex(of: "\"") {
            let partial = String(statement[(open + 1)...])
            let before = String(statement[..<open])
            guard let column = columnBeforeComparison(before), let table else { return Completion(replacing: 0, candidates: []) }
            let values = source.values(of: column, in: table).map { $0 + "\"" }
            return filter(values, partial: partial)
        }

        var wordStart = statement.count
        while wordStart > 0, isWordCharacter(statement[wordStart - 1]) { wordStart -= 1 }
        let partial = String(statement[wordStart...])
        let before = String(statement[..<wordStart]).trimmingTrailingSpaces()

        let tables = source.tableNames + source.tableAliases.keys.sorted()
        if before.isEmpty { return filter(tables + Vocabulary.statementWords, partial: partial) }
        if before.hasSuffix("|") { return filter(Self.operators, partial: partial) }
        if before.hasSuffix("join") || before.hasSuffix("=") && before.hasPrefix("let") && !before.contains("|") {
            return filter(tables, partial: partial)
        }
        // After a string-valued comparison with no quote yet: offer quoted values.
        if let column = columnBeforeComparison(before), let table, !source.values(of: column, in: table).isEmpty, partial.isEmpty {
            return filter(source.values(of: column, in: table).map { "\"" + $0 + "\"" }, partial: partial)
        }
        // The columns that exist at this point of the pipeline: after `select a, b |` only a and b.
        var columns: [String] = []
        if let table { columns = source.columnNames(of: table) }
        if let bar = lastPipe(statement[..<wordStart]), let made = source.resultColumns(of: pipelineText(String(statement[..<bar]))) {
            // Nothing typed yet: the names; a first character also finds the Chinese aliases.
            columns = partial.isEmpty ? made.names : made.names + made.aliases
        }
        // With nothing typed yet, the columns alone; a letter or more also finds functions and keywords.
        if partial.isEmpty, !columns.isEmpty { return filter(columns, partial: partial) }
        return filter(columns + Self.functions + Self.keywords, partial: partial)
    }

    /// The position of the last `|` outside strings, if any.
    func lastPipe(_ text: ArraySlice<Character>) -> Int? {
        var inString = false
        var last: Int?
        for i in text.indices {
            if text[i] == "\"" { inString.toggle() }
            if !inString, text[i] == "|" || text[i] == "｜" { last = i }
        }
        return last
    }

    /// The pipeline before a `|`: `let x = projects | …` loses its `let x =`.
    func pipelineText(_ text: String) -> String {
        let trimmed = text.drop { $0 == " " }
        if trimmed.hasPrefix("let "), let eq = trimmed.firstIndex(of: "=") { return String(trimmed[trimmed.index(after: eq)...]) }
        return String(trimmed)
    }

    /// The table the statement reads: its first word, or the one named after `let x =`.
    func tableInPlay(_ statement: [Character]) -> String? {
        var words = String(statement).split { $0 == " " || $0 == "\n" || $0 == "|" }.map(String.init)
        if words.first == "let", words.count >= 3 { words.removeFirst(3) }
        guard let first = words.first else { return nil }
        if let table = source.tableAliases[first] { return table }
        return source.tableNames.contains(first) ? first : nil
    }

    /// `where type == ` → `type`; `where regions has ` → `regions`.
    func columnBeforeComparison(_ text: String) -> String? {
        var t = Substring(text.trimmingTrailingSpaces())
        var matched = false
        let comparisons = [ComparisonOperator.equal.rawValue, ComparisonOperator.notEqual.rawValue] + TextOperator.allCases.map(\.rawValue)
        for op in comparisons + ["in (", "in(", ","] where t.hasSuffix(op) {
            t = t.dropLast(op.count)
            matched = true
            break
        }
        if !matched { return nil }
        // `in ("a", "b", ` : look back to the column before `in (`.
        if text.trimmingTrailingSpaces().hasSuffix(","), let open = t.lastIndex(of: "(") {
            let inside = String(t[..<open]).trimmingTrailingSpaces()
            guard inside.hasSuffix("in") else { return nil }
            t = Substring(inside.dropLast(2))
        }
        let trimmed = Array(String(t).trimmingTrailingSpaces())
        var start = trimmed.count
        while start > 0, isWordCharacter(trimmed[start - 1]) { start -= 1 }
        let name = String(trimmed[start...])
        return name.isEmpty ? nil : name
    }

    private func isWordCharacter(_ c: Character) -> Bool { c == "_" || c.isLetter || c.isNumber }

    private func filter(_ candidates: [String], partial: String) -> Completion {
        var seen = Set<String>()
        let matches = candidates.filter { $0.hasPrefix(partial) && $0 != partial && seen.insert($0).inserted }
        // One word left: complete it and the space after it, as shells do (not after `(`, a quote or a folder).
        if matches.count == 1, let only = matches.first, let end = only.last, end.isLetter || end.isNumber || end == "_" || end == ")" {
            return Completion(replacing: partial.count, candidates: [only + " "])
        }
        return Completion(replacing: partial.count, candidates: matches)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " || s.last == "\n" || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}

/// The longest common prefix of several strings (by character).
public func commonPrefix(_ strings: [String]) -> String {
    guard var prefix = strings.first.map(Array.init) else { return "" }
    for s in strings.dropFirst() {
        let chars = Array(s)
        var n = 0
        while n < prefix.count, n < chars.count, prefix[n] == chars[n] { n += 1 }
        prefix.removeSubrange(n...)
    }
    return String(prefix)
}
