import BudgetCore
import ArgumentParser
import BudgetRender
import BudgetApp

extension OutputFormat: ExpressibleByArgument {}
extension MoneyUnit: ExpressibleByArgument {}
extension ReportLanguage: ExpressibleByArgument {}

/// How results are printed, and the query parameters.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: table, csv, tsv, json or markdown (export: csv, tsv or json; default csv).")
    var format: OutputFormat?

    @Option(help: "Money display unit in table and markdown output: 分 (whole fen), 元, 万元 or 亿元.")
    var unit: MoneyUnit = .yuan

    @Option(name: .long, help: ArgumentHelp("Set a query parameter ($NAME).", valueName: "name=value"))
    var param: [String] = []

    @Option(name: .long, help: "Most rows printed in table mode; the rest are counted, not shown.")
    var maxRows: Int = 1000

    @Flag(name: .long, help: "Leave the UTF-8 byte-order mark out of CSV files (it is there so that Excel and WPS read them as UTF-8).")
    var noBom = false

    @Option(name: .long, help: "Report language (markdown, html, xlsx): zh for Chinese headers and status labels, en for the column names.")
    var lang: ReportLanguage = .zh

    @Option(name: .long, help: "Fit table output in N cells (0: no limit). Default: the terminal's width; files and pipes get every column whole.")
    var maxWidth: Int?

    /// At a terminal, table mode fits its width; a file or a pipe gets every column whole.
    var renderer: ResultRenderer {
        ResultRenderer(format: format ?? .table, moneyUnit: unit, maxRows: max(1, maxRows),
                       terminalWidth: TerminalSize.ofStandardOutput()?.columns, maxWidth: maxWidth.map { max(0, $0) }, language: lang)
    }

    func parsedParameters() throws -> [(String, String)] {
        try param.map { item in
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw ValidationError("--param expects name=value, got `\(item)`")
            }
            return (String(item[..<eq]), String(item[item.index(after: eq)...]))
        }
    }
}

/// The options `run` and `export` take from the top-level command (`--data`, `--format`, `--param` …),
/// listed in their help, generated from the option groups so the list cannot fall behind.
func sharedOptionsHelp() -> String {
    func options(_ help: String) -> String {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("OPTIONS:") }) else { return "" }
        return lines[(start + 1)...].filter { !$0.contains("-h, --help") }.joined(separator: "\n")
    }
    return "OPTIONS (also accepted here):\n" + options(DataOptions.helpMessage()) + "\n" + options(OutputOptions.helpMessage())
}
