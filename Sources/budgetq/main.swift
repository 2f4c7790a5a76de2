import ArgumentParser
import BudgetDocuments
import BudgetRender
import BudgetStore
import Foundation

/// The `budgetq` command: subcommands for checking, exporting and querying budget documents.
struct Budgetq: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budgetq",
        abstract: "Load, check and query 项目绩效目标表 budget documents.",
        version: BudgetqVersion.current,
        subcommands: [Check.self, Export.self]
    )

    @OptionGroup var data: DataOptions

    mutating func run() throws {
        let loaded = DocumentLoader.load(paths: [data.directory])
        let summary = CheckSummary(loaded)
        print(summary.text)
        if loaded.errorCount > 0 { print("run `budgetq check \(data.directory)` to see the \(loaded.errorCount) error(s)") }
    }
}

/// Where the bundled or user data lives.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data folder (default: $BUDGETQ_DATA or ./datasets).")
    var data: String?

    var directory: String { data ?? ProcessInfo.processInfo.environment["BUDGETQ_DATA"] ?? "datasets" }
}

enum BudgetqVersion {
    static let current = "0.1.0"
}

Budgetq.main()
