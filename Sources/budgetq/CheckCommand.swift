import BudgetCore
import ArgumentParser
import BudgetDocuments
import BudgetApp
import BudgetStore
import Foundation

/// `budgetq check PATH…`: diagnostics and a summary; exit status 1 when any error.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read documents, print every problem as FILE:LINE: error|warning: …, and a summary.",
        discussion: "Exits with status 1 when any error was found.")

    @Argument(help: "Files or folders (read recursively).")
    var paths: [String]

    @Flag(name: .long, help: "Also list target-quality findings (the `findings` table: missing categories, qualitative-only or unit-less targets, 成本指标 without an amount, …) as FILE:LINE: finding: ….")
    var quality = false

    /// `--max-line-kb` belongs to the top-level command.
    @ParentCommand var root: Budgetq

    func run() throws {
        if quality {
            let loaded = DocumentLoader.load(paths: paths, limits: root.data.limits)
            let findings = QualityReport(StoreBuilder.build(from: loaded))
            StandardStreams.writeOutput(loaded.diagnostics.map { "\($0)\n" }.joined() + findings.lines.map { $0 + "\n" }.joined()
                                        + CheckSummary(loaded).text + "\n" + findings.summary + "\n")
            if loaded.errorCount > 0 { throw ExitCode(1) }
            return
        }
        let loaded = DocumentLoader.load(paths: paths, limits: root.data.limits)
        StandardStreams.writeOutput(loaded.diagnostics.map { "\($0)\n" }.joined() + CheckSummary(loaded).text + "\n")
        if loaded.errorCount > 0 { throw ExitCode(1) }
    }
}

