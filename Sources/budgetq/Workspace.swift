import BudgetDocuments
import BudgetQuery
import BudgetRender
import BudgetStore
import Foundation

/// The loaded data and a query session over it, shared by `-c`, `run`, scripts on stdin and the REPL.
final class Workspace {
    let dataDirectory: String
    private(set) var loaded: LoadedDocuments
    let session: QuerySession

    init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
        loaded = DocumentLoader.load(paths: [dataDirectory])
        session = QuerySession(store: StoreBuilder.build(from: loaded))
    }

    var banner: String {
        let summary = CheckSummary(loaded)
        var text = "budgetq \(BudgetqVersion.current) — \(dataDirectory)\n" + summary.text
        if loaded.errorCount > 0 { text += "\nrun `budgetq check \(dataDirectory)` to see the \(loaded.errorCount) load error(s)" }
        return text
    }

    /// Runs every statement of `text`, printing results to stdout and errors to stderr.
    /// Returns false if any statement failed; with `stopAtFirstError` the rest are skipped.
    @discardableResult
    func runScript(_ text: String, file: String, renderer: ResultRenderer, stopAtFirstError: Bool,
                   out: (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }) -> Bool {
        let statements: [ParsedStatement]
        do {
            statements = try QuerySession.parse(text)
        } catch {
            printError(error.rendered(source: text, file: file))
            return false
        }
        var ok = true
        for (i, statement) in statements.enumerated() {
            do {
                switch try session.execute(statement) {
                case .result(let result):
                    if i > 0, renderer.format == .table || renderer.format == .markdown { out("\n") }
                    out(renderer.render(result))
                case .message:
                    break
                }
            } catch {
                printError(error.rendered(source: text, file: file))
                ok = false
                if stopAtFirstError { return false }
            }
        }
        return ok
    }

    func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
