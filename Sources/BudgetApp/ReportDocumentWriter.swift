import BudgetCore
import BudgetQuery
import BudgetRender
import BudgetStore
import Foundation

/// Writes the results of a whole run as one document: a JSON array, one CSV (or a folder of
/// them), an xlsx workbook, or an HTML page with charts.
struct ReportDocumentWriter {
    let workspace: Workspace
    let file: String

    func write(_ results: [TitledResult], format: OutputFormat, context: ReportContext, parameters: [(String, String)], out: String?) -> Bool {
        do {
            switch format {
            case .json:
                try deliver(Data(DelimitedWriter.jsonDocument(results).utf8), to: out)
            case .csv, .tsv:
                return try delimited(results, format: format, out: out)
            case .xlsx:
                let writer = XlsxWriter(language: workspace.renderer.language, glossary: workspace.glossary)
                let data = try writer.workbook(results, context: context)
                if out == nil, TerminalSize.ofStandardOutput() != nil {
                    workspace.standardError("\(file): error: an xlsx workbook is a binary file; write it with --out FILE.xlsx (or redirect: > FILE.xlsx)\n")
                    return false
                }
                try deliver(data, to: out)
            case .html:
                let charts = ReportCharts.from(results, workspace: workspace, parameters: parameters)
                var renderer = workspace.renderer
                renderer.glossary = workspace.glossary
                try deliver(Data(HTMLReport(renderer: renderer).page(results, context: context, charts: charts).utf8), to: out)
            case .table, .line, .markdown:
                return true
            }
            return true
        } catch {
            workspace.standardError("\(file): error: cannot write \(out ?? "the report"): \(error)\n")
            return false
        }
    }

    /// One result: one CSV. Several: one CSV each in the folder `out` (an existing folder, or a
    /// name ending in `/`); a single CSV file cannot hold tables with different columns.
    private func delimited(_ results: [TitledResult], format: OutputFormat, out: String?) throws -> Bool {
        let bom = format == .csv && workspace.byteOrderMark
        func text(_ table: Table) -> String { format == .csv ? DelimitedWriter.csv(table) : DelimitedWriter.tsv(table) }
        var isDirectory: ObjCBool = false
        let outIsFolder = out.map { $0.hasSuffix("/") || (FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue) } ?? false
        if results.count == 1 && !outIsFolder {
            let body = text(results[0].result.table)
            if let out {
                try AtomicFile.write((bom ? "\u{FEFF}" : "") + body, to: out)
            } else {
                workspace.standardOutput(body)
            }
            return true
        }
        guard let out, outIsFolder else {
            workspace.standardError("\(file): error: this script gives \(results.count) results, and one \(format.rawValue.uppercased()) file holds one table: "
                + "write one file per result with --out DIR/, or use --format xlsx (one sheet per result) or --format json\n")
            return false
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (i, item) in results.enumerated() {
            let path = (out.hasSuffix("/") ? out : out + "/") + String(format: "%02d-", i + 1) + Self.fileName(item.title) + "." + format.rawValue
            try AtomicFile.write((bom ? "\u{FEFF}" : "") + text(item.result.table), to: path)
        }
        workspace.standardError("wrote \(results.count) \(format.rawValue.uppercased()) files to \(out)\n")
        return true
    }

    /// A title as a file name: no path separators or characters file systems refuse, at most 60.
    static func fileName(_ title: String) -> String {
        let cleaned = String(title.map { "/\\:*?\"<>|".contains($0) || $0.isNewline ? "_" : $0 }).trimmingCharacters(in: .whitespaces)
        return cleaned.isEmpty ? "result" : String(cleaned.prefix(60))
    }

    private func deliver(_ data: Data, to out: String?) throws {
        if let out {
            try AtomicFile.write(data, to: out)
        } else {
            StandardStreams.writeOutput(data)
        }
    }
}

extension ReportCharts {
    /// The charts of an HTML report: each project's 执行率 against its target and against the
    /// share of the year gone (from the first result with `project` and `rate` columns), and
    /// the payments of each month of the report's year up to `$month` (a query of its own).
    static func from(_ results: [TitledResult], workspace: Workspace, parameters: [(String, String)]) -> ReportCharts? {
        var charts = ReportCharts()
        let zh = workspace.renderer.language == .zh
        var month: (year: Int, month: Int)?
        if let text = parameters.first(where: { $0.0 == "month" })?.1 {
            let parts = text.split(separator: "-")
            if parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) { month = (y, m) }
        }
        if let source = results.first(where: { $0.result.table.column(named: "rate") != nil && ($0.result.table.column(named: "project") != nil || $0.result.table.column(named: "name") != nil) }) {
            let table = source.result.table
            let labels = table.column(named: "project") ?? table.column(named: "name")
            let rates = table.column(named: "rate"), targets = table.column(named: "target")
            let exact = CellFormatter(forPeople: false)
            for row in 0..<table.rowCount {
                guard let labels, let rates, let label = exact.text(labels, row), let rate = rates.realValue(at: row) else { continue }
                charts.execution.append(ExecutionBar(label: label, rate: rate, target: targets?.realValue(at: row)))
            }
            charts.executionTitle = zh ? "各项目执行率：对照目标与时间进度" : "Execution rate by project, against target and the year gone"
            charts.executionQuery = source.title
            if let month { charts.yearShare = Double(month.month) / 12 }
        }
        if let month {
            let query = "payments | where year == \(month.year) and month <= \(String(format: "%04d-%02d", month.year, month.month)) | summarize paid = sum(amount) by month | sort by month"
            if let statement = try? QuerySession.parse(query).first, case .result(let result)? = try? workspace.session.execute(statement),
               let months = result.table.column(named: "month"), let paid = result.table.column(named: "paid"),
               case .integers(let monthValues, let monthNulls) = months.data, case .integers(let fen, let paidNulls) = paid.data {
                // Every month of the year so far, a month without payments as 0.
                var byMonth: [Int64: Int64] = [:]
                for (i, (m, f)) in zip(monthValues, fen).enumerated() where !monthNulls.isNull(i) { byMonth[m] = paidNulls.isNull(i) ? 0 : f }
                for m in 1...month.month {
                    let key = Int64(month.year * 100 + m)
                    charts.monthly.append(MonthTotal(month: String(format: "%04d-%02d", month.year, m), fen: byMonth[key] ?? 0))
                }
                charts.monthlyTitle = zh ? "\(month.year)年各月支付（至\(month.month)月）" : "Payments by month, \(month.year) (to month \(month.month))"
                charts.monthlyQuery = query
            }
        }
        return charts.execution.isEmpty && charts.monthly.isEmpty ? nil : charts
    }
}

extension Column {
    /// The value at `row` as a Double in natural units (a ratio as its fraction), nil for null.
    func realValue(at row: Int) -> Double? {
        switch value(at: row) {
        case .real(let v): return v
        case .integer(let v):
            switch type {
            case .decimal: return Double(v) / Double(ExactDecimal.unit)
            case .money: return Double(v) / 100
            default: return Double(v)
            }
        default: return nil
        }
    }
}

extension Workspace {
    /// Writes the results kept while `collectsResults` as one document (`-c … --format html|xlsx`);
    /// false after an error, already reported.
    public func writeCollectedDocument(title: String, parameters: [(String, String)]) -> Bool {
        let results = takeCollected()
        return ReportDocumentWriter(workspace: self, file: "query").write(results, format: renderer.format, context: reportContext(title: title, parameters: parameters),
                                                                          parameters: parameters, out: nil)
    }
}
