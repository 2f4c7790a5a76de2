import BudgetQuery
import BudgetStore

/// Renders results for people (aligned table, markdown) and for programs (csv, tsv, json).
public struct ResultRenderer: Sendable {
    public var format: OutputFormat
    public var moneyUnit: MoneyUnit
    /// Longest cell in table mode, in terminal cells; longer text is cut with `…`.
    public var maxCellWidth: Int
    /// Most rows printed in table mode; the rest are counted, not shown.
    public var maxRows: Int
    /// The terminal's width in cells, which table mode fits (see `table`); nil when the output
    /// is a file or a pipe.
    public var terminalWidth: Int?
    /// `.maxwidth N`: the width table mode fits, terminal or not; 0 for no limit; nil to follow
    /// the terminal.
    public var maxWidth: Int?

    /// Reports (markdown, HTML, xlsx): Chinese headers and status labels, or the English names.
    public var language: ReportLanguage
    /// Chinese names of the loaded tables' columns, for report headers (`Presentation.glossary`).
    public var glossary: [String: String]
    /// `.nullvalue TEXT`: what a missing value prints as in table, line, csv and tsv output.
    public var nullText = ""
    /// What an absent value reads as in a report.
    public static let absent = "—"

    public init(format: OutputFormat = .table, moneyUnit: MoneyUnit = .yuan, maxCellWidth: Int = 40, maxRows: Int = 1000, terminalWidth: Int? = nil, maxWidth: Int? = nil,
                language: ReportLanguage = .zh, glossary: [String: String] = [:]) {
        self.language = language
        self.glossary = glossary
        self.terminalWidth = terminalWidth
        self.maxWidth = maxWidth
        self.format = format
        self.moneyUnit = moneyUnit
        self.maxCellWidth = maxCellWidth
        self.maxRows = maxRows
    }

    /// The whole text for one result, ending in a newline.
    public func render(_ result: QueryResult) -> String {
        switch format {
        case .csv: return DelimitedWriter.csv(result.table, null: nullText)
        case .tsv: return DelimitedWriter.tsv(result.table, null: nullText)
        case .json: return DelimitedWriter.json(result.table)
        case .markdown: return markdown(result)
        case .table: return table(result)
        case .line: return lines(result)
        case .html:
            return HTMLReport(renderer: self).page([TitledResult(title: result.table.name, result: result)], context: ReportContext(title: result.table.name))
        case .xlsx:
            // A workbook is bytes written once for a whole run (`XlsxWriter`), never text per result;
            // callers collect results for it. Should one get here, the reader still gets the rows.
            return markdown(result)
        }
    }

    /// A column's header at the terminal: its name, as queries spell it.
    private func header(_ column: Column) -> String {
        column.type == .money && moneyUnit != .yuan ? "\(column.name) (\(moneyUnit.rawValue))" : column.name
    }

    /// A column's header in a report: Chinese by default (`Presentation.chineseHeader`).
    public func reportHeader(_ column: Column) -> String {
        let name = language == .zh ? Presentation.chineseHeader(column, glossary: glossary) : column.name
        return column.type == .money && moneyUnit != .yuan ? "\(name) (\(moneyUnit.rawValue))" : name
    }

    /// Cell text for a report: percentages, money to two decimals, statuses in the report's
    /// language, `—` for an absent value.
    public func reportCells(_ table: Table) -> [[String]] {
        let formatter = CellFormatter(forPeople: true, moneyUnit: moneyUnit, chineseStatus: language == .zh)
        let roles = table.columns.map(Presentation.role)
        let statuses = table.columns.map { language == .zh && Presentation.isStatus($0) }
        return (0..<table.rowCount).map { row in
            table.columns.indices.map { i in formatter.text(table.columns[i], row, role: roles[i], isStatus: statuses[i]) ?? Self.absent }
        }
    }

    private func isRightAligned(_ column: Column) -> Bool { column.type.isNumeric }

    /// The width table mode fits: `.maxwidth` when set (0: no limit), else the terminal's.
    var widthLimit: Int? {
        if let maxWidth { return maxWidth > 0 ? maxWidth : nil }
        return terminalWidth
    }

    /// Columns a bare table may leave out on a narrow terminal: bookkeeping, not the answer.
    static let bookkeeping: Set<String> = [
        "source", "line", "position", "origin", "unit", "department", "level", "start_year", "end_year", "project_id",
        "doc_kind", "amount_unit", "department_code", "unit_code", "level1_raw", "level2_raw", "extra", "partial",
        "goal_period", "goal_year", "goal_result", "explanation", "standard", "note", "short_name",
        "budget_total", "budget_initial", "budget_adjusted", "funds_fiscal", "funds_other", "execution_deadline",
    ]

    /// Whether table mode may shorten a column's cells with `…` to fit: text may, numbers,
    /// dates and months stay whole.
    private func isShortenable(_ column: Column) -> Bool {
        column.type == .string || column.type == .text || column.type == .list
    }

    /// The aligned table. Every selected column is shown: when the rows are wider than the
    /// terminal (or `.maxwidth`), the widest text columns are narrowed first, their cells cut
    /// with `…` (as DuckDB's box renderer does); numbers stay whole. A bare table (no column
    /// named in the query) may leave out bookkeeping columns, and says so. When even the
    /// narrowest layout does not fit, the rows are printed as records (`.mode line`).
    func table(_ result: QueryResult) -> String {
        let all = result.table
        let formatter = cellFormatter
        let shown = min(all.rowCount, maxRows)
        var allCells: [[String]] = []
        allCells.reserveCapacity(shown)
        for row in 0..<shown {
            allCells.append(all.columns.map { column in
                let text = oneLine(formatter.text(column, row) ?? nullText)
                return isShortenable(column) ? cut(text, to: column.type == .text ? maxCellWidth : maxCellWidth * 3 / 2) : text
            })
        }
        let allHeaders = all.columns.map { oneLine(header($0)) }
        var natural = allHeaders.map(displayWidth)
        for row in allCells { for (i, cell) in row.enumerated() { natural[i] = max(natural[i], displayWidth(cell)) } }
        var kept = Array(all.columns.indices)
        var widths = natural
        func total() -> Int { kept.reduce(0) { $0 + widths[$1] + 3 } - 1 }
        var tooWide = false
        if let limit = widthLimit, total() > limit {
            // 1. A bare table leaves out bookkeeping columns, from the right, while too wide.
            if !result.selectsColumns {
                for i in all.columns.indices.reversed() where total() > limit && kept.count > 1 && Self.bookkeeping.contains(all.columns[i].name) {
                    kept.removeAll { $0 == i }
                }
            }
            // 2. Narrow the widest text column one cell at a time, down to `floor` cells.
            func narrow(toAtLeast floor: Int) {
                let shortenable = kept.filter { isShortenable(all.columns[$0]) }
                let minimum = shortenable.map { min(natural[$0], floor) }
                while total() > limit {
                    var widest: Int?
                    for (k, i) in shortenable.enumerated() where widths[i] > minimum[k] {
                        if widest == nil || widths[i] > widths[widest!] { widest = i }
                    }
                    guard let i = widest else { break }
                    widths[i] -= 1
                }
            }
            if result.selectsColumns {
                narrow(toAtLeast: 8)
            } else {
                // 3. A bare table keeps its names readable and leaves out columns from the right.
                narrow(toAtLeast: 20)
                while total() > limit && kept.count > 1 {
                    kept.removeLast()
                    widths = natural
                    narrow(toAtLeast: 20)
                }
            }
            tooWide = total() > limit
        }
        if tooWide {
            let hint = "note: \(kept.count) columns do not fit \(widthLimit ?? 0) cells even with text shortened: shown as records (.mode line; .maxwidth 0 for one wide table)\n"
            return lines(result) + hint
        }
        let hidden = all.columns.indices.filter { !kept.contains($0) }.map { all.columns[$0].name }
        let headers = kept.map { cut(allHeaders[$0], to: widths[$0]) }
        let cells = allCells.map { row in kept.map { cut(row[$0], to: widths[$0]) } }
        let keptWidths = kept.map { widths[$0] }
        let rightAligned = kept.map { isRightAligned(all.columns[$0]) }
        func line(_ values: [String]) -> String {
            values.enumerated().map { i, v in
                let padding = String(repeating: " ", count: max(0, keptWidths[i] - displayWidth(v)))
                return rightAligned[i] ? padding + v : v + padding
            }.joined(separator: " | ")
        }
        var out = ""
        if !kept.isEmpty {
            out += " " + line(headers).trimmingTrailingSpaces() + "\n"
            out += "-" + keptWidths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "-\n"
            for (r, row) in cells.enumerated() {
                // A rule above the 合计 row.
                if r == result.totalRow { out += "-" + keptWidths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "-\n" }
                out += " " + line(row).trimmingTrailingSpaces() + "\n"
            }
        }
        if all.rowCount > shown {
            out += "… \(all.rowCount - shown) more rows not shown (limit \(maxRows) in table mode; use take, .last, or .mode csv for all)\n"
        }
        out += "(\(all.rowCount) row\(all.rowCount == 1 ? "" : "s"))\n"
        if !hidden.isEmpty {
            out += "note: \(hidden.count) column\(hidden.count == 1 ? "" : "s") of this table left out to fit \(widthLimit ?? 0) cells: \(hidden.joined(separator: ", ")) (select them, or use .mode line or .maxwidth 0)\n"
        }
        for note in result.notes { out += "note: \(note)\n" }
        return out
    }

    /// One record per block, one `column = value` a line, names right-aligned (DuckDB's and
    /// sqlite3's line mode); every value whole.
    func lines(_ result: QueryResult) -> String {
        let t = result.table
        let formatter = cellFormatter
        let names = t.columns.map { header($0) }
        let width = names.map(displayWidth).max() ?? 0
        let shown = min(t.rowCount, maxRows)
        var out = ""
        for row in 0..<shown {
            if row > 0 { out += "\n" }
            for (i, column) in t.columns.enumerated() {
                let pad = String(repeating: " ", count: width - displayWidth(names[i]))
                out += pad + names[i] + " = " + oneLine(formatter.text(column, row) ?? nullText) + "\n"
            }
        }
        if t.rowCount > shown {
            out += "… \(t.rowCount - shown) more rows not shown (limit \(maxRows); use take, .last, or .mode csv for all)\n"
        }
        out += "(\(t.rowCount) row\(t.rowCount == 1 ? "" : "s"))\n"
        for note in result.notes { out += "note: \(note)\n" }
        return out
    }

    func markdown(_ result: QueryResult) -> String {
        let t = result.table
        func escape(_ s: String) -> String {
            s.replacingAll("|", with: "\\|").replacingAll("\n", with: "<br>")
        }
        var out = "| " + t.columns.map { escape(reportHeader($0)) }.joined(separator: " | ") + " |\n"
        out += "|" + t.columns.map { isRightAligned($0) ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for (r, row) in reportCells(t).enumerated() {
            // The 合计 row in bold.
            let cells = row.map(escape).map { r == result.totalRow && $0 != Self.absent && !$0.isEmpty ? "**\($0)**" : $0 }
            out += "| " + cells.joined(separator: " | ") + " |\n"
        }
        out += language == .zh ? "\n*共 \(t.rowCount) 行*\n" : "\n*\(t.rowCount) row\(t.rowCount == 1 ? "" : "s")*\n"
        for note in result.notes { out += "\n> \(language == .zh ? "注" : "Note"): \(note)\n" }
        return out
    }

    var cellFormatter: CellFormatter { CellFormatter(forPeople: true, moneyUnit: moneyUnit) }

    private func oneLine(_ s: String) -> String {
        s.contains("\n") || s.contains("\t") ? s.replacingAll("\n", with: " ").replacingAll("\t", with: " ") : s
    }

    /// `s` in at most `maxCellWidth` cells, ending in `…` when shortened.
    private func cut(_ s: String, to maxCellWidth: Int) -> String {
        guard displayWidth(s) > maxCellWidth else { return s }
        var out = ""
        var width = 0
        for ch in s {
            let w = displayWidth(String(ch))
            if width + w > maxCellWidth - 1 { break }
            out.append(ch)
            width += w
        }
        return out + "…"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
