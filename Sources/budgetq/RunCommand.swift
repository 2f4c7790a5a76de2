import BudgetCore
import ArgumentParser
import BudgetApp
import BudgetRender
import Foundation

/// `budgetq run FILE --param k=v [--format table|markdown|csv]`: a saved query script as a report.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a saved query script; each result is titled with the comment line above it.",
        usage: "budgetq run FILE [--param NAME=VALUE …] [--format table|markdown|html|xlsx|json|csv] [--out FILE] [--lang zh|en] [--unit 分|元|万元|亿元] [--data DIR]",
        discussion: """
        Checks the script and its parameters before any output: an unknown or missing parameter is an error, a month or year \
        outside the loaded data a warning. Stops at the first error, naming FILE:LINE. Markdown is a report to paste into a memo; html is one self-contained page \
        with charts; xlsx a workbook (one sheet per result and a 来源 sheet); json one array of {title, columns, rows}. \
        CSV holds one result: a script with several writes one file each with --out DIR/. The format follows --out's extension unless --format says.

        """ + sharedOptionsHelp())

    @Argument(help: "The script, e.g. queries/monthly-summary.bq.")
    var file: String

    @Option(help: "Write the report to FILE (atomically; a folder for several CSV results) instead of standard output.")
    var out: String?

    /// `--data`, `--format`, `--unit` and `--param` belong to the top-level command.
    @ParentCommand var root: Budgetq

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        var renderer = root.output.renderer
        if root.output.format == nil, let out, let format = OutputFormat(fileName: out) { renderer.format = format }
        if out != nil { renderer.terminalWidth = nil }
        AllocatorTuning.returnLargeBlocks()
        let workspace = Workspace(paths: [root.data.directory], renderer: renderer, limits: root.data.limits, cache: root.data.cache)
        AllocatorTuning.keepLargeBlocks()
        if workspace.loadedNoTable {
            StandardStreams.writeError((workspace.noTableMessage + "\n"))
            throw ExitCode(1)
        }
        let parameters = try root.output.parsedParameters()
        for (name, value) in parameters { workspace.session.setParameter(name, text: value) }
        workspace.byteOrderMark = !root.output.noBom
        let ok = ReportRunner(workspace: workspace, file: file).run(String(decoding: data, as: UTF8.self), parameters: parameters, out: out)
        let loadErrors = workspace.reportLoadErrors()
        if !ok || loadErrors { throw ExitCode(1) }
    }
}
