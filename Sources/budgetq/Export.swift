import ArgumentParser
import BudgetDocuments
import BudgetRender
import BudgetStore
import Foundation

/// `budgetq export TABLE --format csv|tsv|json [--out FILE]`: the normalized tables.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a normalized table (projects, indicators, coverage, regions).")

    enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case csv, tsv, json }

    @Argument(help: "Table to write: projects, indicators, coverage or regions.")
    var table: String

    @Option(help: "csv (RFC 4180, UTF-8), tsv or json.")
    var format: ExportFormat = .csv

    @Option(help: "Write to FILE (atomically) instead of standard output.")
    var out: String?

    @OptionGroup var data: DataOptions

    func run() throws {
        let loaded = DocumentLoader.load(paths: [data.directory])
        for diagnostic in loaded.diagnostics where diagnostic.severity == .error {
            FileHandle.standardError.write(Data("\(diagnostic)\n".utf8))
        }
        let store = StoreBuilder.build(from: loaded)
        guard let found = store.table(named: table) else {
            throw ValidationError("no table `\(table)`; expected one of: \(store.tables.map(\.name).joined(separator: ", "))")
        }
        let text: String
        switch format {
        case .csv: text = DelimitedWriter.csv(found)
        case .tsv: text = DelimitedWriter.tsv(found)
        case .json: text = DelimitedWriter.json(found)
        }
        if let out {
            try AtomicFile.write(text, to: out)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
