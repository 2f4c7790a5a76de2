import BudgetCore
import ArgumentParser
import BudgetApp
import BudgetDocuments
import BudgetRender
import BudgetStore
import Foundation

/// `budgetq export TABLE --format csv|tsv|json [--out FILE]`: the normalized tables.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a table (projects, indicators, coverage, regions, payments, execution).",
        usage: "budgetq export <table> [--format csv|tsv|json] [--out FILE] [--data DIR]",
        discussion: "CSV is RFC 4180 in UTF-8; money is yuan with exactly two decimals; lists are ;-joined (arrays in JSON).")

    @Argument(help: "Table to write: projects, indicators, coverage, regions, payments or execution.")
    var table: String


    @Option(help: "Write to FILE (atomically) instead of standard output.")
    var out: String?

    /// `--data` and `--format` belong to the top-level command and are read from it.
    @ParentCommand var root: Budgetq

    func run() throws {
        let format = root.output.format ?? .csv
        let workspace = Workspace(paths: [root.data.directory], limits: root.data.limits, cache: root.data.cache)
        if workspace.loadedNoTable {
            FileHandle.standardError.write(Data((workspace.noTableMessage + "\n").utf8))
            throw ExitCode(1)
        }
        let store = workspace.session.store
        guard let found = store.table(named: table) else {
            throw ValidationError("no table `\(table)`; expected one of: \(store.tables.map(\.name).joined(separator: ", "))")
        }
        let text: String
        switch format {
        case .csv: text = DelimitedWriter.csv(found)
        case .tsv: text = DelimitedWriter.tsv(found)
        case .json: text = DelimitedWriter.json(found)
        case .table, .line, .markdown: throw ValidationError("export writes csv, tsv or json; for \(format.rawValue), use budgetq -c '\(table)' --format \(format.rawValue)")
        }
        if let out {
            try AtomicFile.write(text, to: out)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        // After the table: the count, the first few errors and where to see them all.
        if workspace.reportLoadErrors() { throw ExitCode(1) }
    }
}
