import ArgumentParser
import BudgetApp
import Foundation

/// `budgetq run FILE --param k=v [--format table|markdown|csv]`: a saved query script as a report.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a saved query script; each result is titled with the comment line above it.",
        usage: "budgetq run FILE [--param NAME=VALUE …] [--format table|markdown|csv] [--unit 分|元|万元|亿元] [--data DIR]",
        discussion: "Stops at the first error, naming FILE:LINE. Markdown output is a report to paste into a memo.")

    @Argument(help: "The script, e.g. queries/monthly-summary.bq.")
    var file: String

    /// `--data`, `--format`, `--unit` and `--param` belong to the top-level command.
    @ParentCommand var root: Budgetq

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        let workspace = Workspace(paths: [root.data.directory], renderer: root.output.renderer, limits: root.data.limits, cache: root.data.cache)
        if workspace.loadedNoTable {
            FileHandle.standardError.write(Data((workspace.noTableMessage + "\n").utf8))
            throw ExitCode(1)
        }
        let parameters = try root.output.parsedParameters()
        for (name, value) in parameters { workspace.session.setParameter(name, text: value) }
        let ok = ReportRunner(workspace: workspace, file: file).run(String(decoding: data, as: UTF8.self), parameters: parameters)
        let loadErrors = workspace.reportLoadErrors()
        if !ok || loadErrors { throw ExitCode(1) }
    }
}
