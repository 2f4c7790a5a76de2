import BudgetCore
import BudgetQuery
import BudgetRender

/// Runs a saved query script (`budgetq run`): every statement in order, each result titled with
/// the comment line above it; the first error stops the run and names FILE:LINE.
public struct ReportRunner {
    let workspace: Workspace
    let file: String

    public init(workspace: Workspace, file: String) {
        self.workspace = workspace
        self.file = file
    }

    /// Returns false after an error (already reported on standard error). `out` is a file (or,
    /// for CSV with several results, a folder) to write instead of standard output.
    public func run(_ original: String, parameters given: [(String, String)], out: String? = nil) -> Bool {
        let text = QuerySession.normalizedLineEnds(original)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // `# default month = 2023-07`: the value a parameter takes when the run does not give one.
        var parameters = given
        for (name, value) in Self.defaults(lines) where !given.contains(where: { $0.0 == name }) {
            workspace.session.setParameter(name, text: value)
            parameters.append((name, value))
        }
        // Everything that can be checked before the first result is (issue 15): the script's
        // syntax and its parameters, so that a mistyped --param never leaves half a report.
        let parsed = QuerySession.parseRecovering(text)
        for case .failure(let error) in parsed {
            workspace.standardError(error.rendered(source: text, file: file) + "\n")
            return false
        }
        let statements = parsed.compactMap { try? $0.get() }
        guard checkParameters(statements, given: given) else { return false }
        let format = workspace.renderer.format
        // JSON, CSV/TSV, xlsx and HTML are one document for the whole run, written at the end.
        let wholeRun = format.isDocument || format == .json || format == .csv || format == .tsv
        if let out, !wholeRun { workspace.setOutput(out) }
        if format == .markdown {
            var header = "# " + (Self.scriptTitle(lines) ?? file) + "\n\n"
            if !parameters.isEmpty {
                header += "Parameters: " + parameters.map { "\($0.0) = \($0.1)" }.joined(separator: ", ") + ". "
            }
            header += "Data: " + workspace.dataSummary + "\n"
            if let loaded = workspace.loaded, loaded.errorCount > 0 {
                // The memo travels without the terminal's stderr: the warning must be in it.
                header += "\n> **Warning:** \(loaded.errorCount) load error\(loaded.errorCount == 1 ? "" : "s") in the data: these results leave out "
                    + "what could not be read. Run `budgetq check \(workspace.paths.joined(separator: " "))` for all.\n"
            }
            workspace.emit(header)
        }
        workspace.collectsResults = wholeRun
        defer { workspace.collectsResults = false }
        var first = true
        for statement in statements {
            if !statement.isDefinition {
                let title = Self.title(above: statement.line, in: lines) ?? "Result at line \(statement.line)"
                switch format {
                case .markdown: workspace.emit("\n## \(title)\n\n")
                case .table, .line: workspace.emit((first ? "" : "\n") + "== \(title) ==\n")
                case .csv, .tsv, .json, .html, .xlsx: workspace.nextTitle = title
                }
                first = false
            }
            if !workspace.execute(statement, source: text, file: file) { return false }
        }
        guard wholeRun else { return true }
        let results = workspace.takeCollected()
        let context = workspace.reportContext(title: Self.scriptTitle(lines) ?? file, parameters: parameters)
        return ReportDocumentWriter(workspace: workspace, file: file).write(results, format: format, context: context, parameters: parameters, out: out)
    }

    /// Checks the `--param` values against the `$names` the script reads; errors (unknown or
    /// missing names) stop the run, a month or year outside the loaded data is a warning.
    func checkParameters(_ statements: [ParsedStatement], given: [(String, String)]) -> Bool {
        let defined = Set(statements.compactMap(\.setsParameter))
        var used = Set<String>()
        for s in statements { used.formUnion(s.parameterNames) }
        let takes = used.subtracting(defined).sorted()
        let takesText = takes.isEmpty ? "this script takes no parameters" : "this script takes \(takes.joined(separator: ", "))"
        var ok = true
        for (name, _) in given where !used.contains(name) && !defined.contains(name) {
            let close = takes.min { editDistance(Array(name), Array($0)) < editDistance(Array(name), Array($1)) }
            let guess = close.map { editDistance(Array(name), Array($0)) <= 2 ? " (did you mean \($0)?)" : "" } ?? ""
            workspace.standardError("\(file): error: unknown parameter \(name); \(takesText)\(guess)\n")
            ok = false
        }
        let givenNames = Set(given.map(\.0))
        for name in takes where !givenNames.contains(name) && !workspace.session.parameterNames.contains(name) {
            workspace.standardError("\(file): error: parameter \(name) is not given; pass --param \(name)=… (\(takesText))\n")
            ok = false
        }
        guard ok else { return false }
        // A month or year the data does not cover gives an empty report: say so first.
        let years = Set(workspace.session.store.sources.flatMap(\.years))
        guard let low = years.min(), let high = years.max() else { return true }
        for (name, value) in given {
            let digits = value.split(separator: "-")
            guard let year = digits.first.flatMap({ Int($0) }), digits[0].count == 4,
                  (digits.count == 1 && value.count == 4) || (digits.count == 2 && digits[1].count == 2) else { continue }
            if !years.contains(year) {
                let span = low == high ? "\(low)" : "\(low)–\(high)"
                workspace.standardError("\(file): warning: --param \(name)=\(value) is outside the loaded data (budget years \(span)); its results will be empty\n")
            }
        }
        return true
    }

    /// `# default NAME = VALUE` comment lines.
    static func defaults(_ lines: [String]) -> [(String, String)] {
        lines.compactMap { line in
            let text = line.trimmingCharacters()
            guard text.hasPrefix("# default ") else { return nil }
            let body = text.dropFirst("# default ".count)
            guard let equals = body.firstIndex(of: "=") else { return nil }
            let name = body[..<equals].trimmingCharacters(), value = body[body.index(after: equals)...].trimmingCharacters()
            return name.isEmpty || value.isEmpty ? nil : (name, value)
        }
    }

    /// The first comment line of the file: what the script is for.
    static func scriptTitle(_ lines: [String]) -> String? {
        lines.first { $0.hasPrefix("#") }.map { String($0.dropFirst()).trimmingCharacters() }
    }

    /// The comment line directly above `line` (1-based), if any.
    static func title(above line: Int, in lines: [String]) -> String? {
        var index = line - 2
        while index >= 0 {
            let text = lines[index].trimmingCharacters()
            if text.hasPrefix("#") { return String(text.dropFirst()).trimmingCharacters() }
            if !text.isEmpty && !text.hasPrefix("|") { return nil }
            if text.isEmpty { return nil }
            index -= 1
        }
        return nil
    }
}

extension Workspace {
    /// "N published and M synthetic files": what the data behind a report is.
    public var dataSummary: String {
        let sources = session.store.sources
        let published = sources.filter { $0.origin == .published }
        let synthetic = sources.count - published.count
        return "\(published.count) published file\(published.count == 1 ? "" : "s") (real) and \(synthetic) synthetic (generated) file\(synthetic == 1 ? "" : "s") in \(paths.joined(separator: ", ")) — see `.sources`."
    }
}
