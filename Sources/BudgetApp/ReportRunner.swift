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
        for result in QuerySession.parseRecovering(text) {
            let statement: ParsedStatement
            switch result {
            case .failure(let error):
                workspace.standardError(error.rendered(source: text, file: file) + "\n")
                return false
            case .success(let s):
                statement = s
            }
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
