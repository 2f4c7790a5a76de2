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

    @Option(name: .customShort("c"), help: "Run QUERY (one or more statements) and exit.")
    var command: String?

    @OptionGroup var output: OutputOptions

    mutating func run() throws {
        let workspace = Workspace(dataDirectory: data.directory)
        for (name, value) in try output.parsedParameters() { workspace.session.setParameter(name, text: value) }
        guard let command else {
            print(workspace.banner)
            return
        }
        let ok = workspace.runScript(command, file: "query", renderer: output.renderer, stopAtFirstError: true)
        if !ok { throw ExitCode(1) }
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
