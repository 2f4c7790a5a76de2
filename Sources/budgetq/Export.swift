import BudgetCore
import ArgumentParser
import BudgetApp
import BudgetDocuments
import BudgetRender
import BudgetQuery
import BudgetStore
import Foundation

/// `budgetq export TABLE --format csv|tsv|json [--out FILE]`: the normalized tables.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a table (projects, indicators, coverage, regions, payments, execution).",
        usage: "budgetq export <table> [--format csv|tsv|json|xlsx] [--out FILE] [--no-bom] [--data DIR]",
        discussion: "CSV is RFC 4180 in UTF-8 (a file starts with a byte-order mark for Excel/WPS unless --no-bom); money is yuan with exactly two decimals; lists are ;-joined (arrays in JSON). The format follows --out's extension (.xlsx, .json, .tsv) unless --format says.\n\n" + sharedOptionsHelp())

    @Argument(help: "Table to write: projects, indicators, coverage, regions, payments or execution.")
    var table: String


    @Option(help: "Write to FILE (atomically) instead of standard output.")
    var out: String?

    /// `--data` and `--format` belong to the top-level command and are read from it.
    @ParentCommand var root: Budgetq

    func run() throws {
        let format = root.output.format ?? out.flatMap { OutputFormat(fileName: $0) } ?? .csv
        let workspace = Workspace(paths: [root.data.directory], limits: root.data.limits, cache: root.data.cache)
        if workspace.loadedNoTable {
            StandardStreams.writeError((workspace.noTableMessage + "\n"))
            throw ExitCode(1)
        }
        let store = workspace.session.store
        guard let found = store.table(named: table) else {
            throw ValidationError("no table `\(table)`; expected one of: \(store.tables.map(\.name).joined(separator: ", "))")
        }
        let data: Data
        switch format {
        // A CSV file starts with a UTF-8 byte-order mark so that Excel and WPS read it as UTF-8.
        case .csv: data = Data(((out != nil && !root.output.noBom ? "\u{FEFF}" : "") + DelimitedWriter.csv(found)).utf8)
        case .tsv: data = Data(DelimitedWriter.tsv(found).utf8)
        case .json: data = Data(DelimitedWriter.json(found).utf8)
        case .xlsx:
            if out == nil, TerminalSize.ofStandardOutput() != nil {
                throw ValidationError("an xlsx workbook is a binary file; write it with --out FILE.xlsx")
            }
            let result = QueryResult(table: found)
            let context = workspace.reportContext(title: found.name, parameters: [])
            data = try XlsxWriter(language: root.output.lang, glossary: workspace.glossary).workbook([TitledResult(title: found.name, result: result)], context: context)
        case .table, .line, .markdown, .html:
            throw ValidationError("export writes csv, tsv, json or xlsx; for \(format.rawValue), use budgetq -c '\(table)' --format \(format.rawValue)")
        }
        if let out {
            do {
                try AtomicFile.write(data, to: out)
            } catch {
                StandardStreams.writeError("budgetq: \(error)\n")
                throw ExitCode(1)
            }
        } else {
            StandardStreams.writeOutput(data)
        }
        // After the table: the count, the first few errors and where to see them all.
        if workspace.reportLoadErrors() { throw ExitCode(1) }
    }
}
