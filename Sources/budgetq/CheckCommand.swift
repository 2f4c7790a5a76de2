import ArgumentParser
import BudgetDocuments
import BudgetApp
import Foundation

/// `budgetq check PATH…`: diagnostics and a summary; exit status 1 when any error.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read documents, print every problem as FILE:LINE: error|warning: …, and a summary.",
        discussion: "Exits with status 1 when any error was found.")

    @Argument(help: "Files or folders (read recursively).")
    var paths: [String]

    /// `--max-file-mb` and `--max-line-kb` belong to the top-level command.
    @ParentCommand var root: Budgetq

    func run() throws {
        let loaded = DocumentLoader.load(paths: paths, limits: root.data.limits)
        for diagnostic in loaded.diagnostics { print(diagnostic) }
        print(CheckSummary(loaded).text)
        if loaded.errorCount > 0 { throw ExitCode(1) }
    }
}

