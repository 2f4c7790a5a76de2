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
    /// The terminal's width in cells: in table mode, columns that do not fit are left out (long
    /// text first, then from the right) and named in a note. Nil: print every column.
    public var terminalWidth: Int?

    public init(format: OutputFormat = .table, moneyUnit: MoneyUnit = .yuan, maxCellWidth: Int = 40, maxRows: Int = 1000, terminalWidth: Int? = nil) {
        self.terminalWidth = terminalWidth
        self.format = format
        self.moneyUnit = moneyUnit
        self.maxCellWidth = maxCellWidth
        self.maxRows = maxRows
    }

    /// The whole text for one result, ending in a newline.
    public func render(_ result: QueryResult) -> String {
        switch format {
        case .csv: return DelimitedWriter.csv(result.table)
        case .tsv: return DelimitedWriter.tsv(result.table)
        case .json: return DelimitedWriter.json(result.table)
        case .markdown: return markdown(result)
        case .table: return table(result)
        }
    }

    private func header(_ column: Column) -> String {
        column.type == .money && moneyUnit != .yuan ? "\(column.name) (\(moneyUnit.rawValue))" : column.name
    }

    private func isRightAligned(_ column: Column) -> Bool { column.type.isNumeric }

    func table(_ result: QueryResult) -> String {
        let all = result.table
        let formatter = CellFormatter(forPeople: true, moneyUnit: moneyUnit)
        let shown = min(all.rowCount, maxRows)
        var allCells: [[String]] = []
        allCells.reserveCapacity(shown)
        for row in 0..<shown {
            allCells.append(all.columns.map { cut(oneLine(formatter.text($0, row) ?? ""), to: $0.type == .text ? maxCellWidth : maxCellWidth * 3 / 2) })
        }
        let allHeaders = all.columns.map { cut(header($0), to: maxCellWidth * 3 / 2) }
        var allWidths = allHeaders.map(displayWidth)
        for row in allCells { for (i, cell) in row.enumerated() { allWidths[i] = max(allWidths[i], displayWidth(cell)) } }
        // Leave out what does not fit the terminal: long text first, then columns from the right.
        var kept = Array(all.columns.indices)
        func width() -> Int { kept.reduce(0) { $0 + allWidths[$1] + 3 } + 1 }
        if let terminalWidth {
            // Long text first, then bookkeeping columns, then from the right.
            let bookkeeping = ["source", "line", "origin", "unit", "department", "level", "start_year", "end_year", "project_id"]
            let candidates = all.columns.indices.reversed().filter { all.columns[$0].type == .text }
                + bookkeeping.compactMap { name in all.columns.firstIndex { $0.name == name } }
            for i in candidates where width() > terminalWidth && kept.count > 1 { kept.removeAll { $0 == i } }
            while width() > terminalWidth && kept.count > 1 { kept.removeLast() }
        }
        let hidden = all.columns.indices.filter { !kept.contains($0) }.map { all.columns[$0].name }
        let t = Table(name: all.name, columns: kept.map { all.columns[$0] })
        let headers = kept.map { allHeaders[$0] }
        let widths = kept.map { allWidths[$0] }
        let cells = allCells.map { row in kept.map { row[$0] } }
        func line(_ values: [String]) -> String {
            values.enumerated().map { i, v in
                let padding = String(repeating: " ", count: widths[i] - displayWidth(v))
                return isRightAligned(t.columns[i]) ? padding + v : v + padding
            }.joined(separator: " | ")
        }
        var out = ""
        if !t.columns.isEmpty {
            out += " " + line(headers).trimmingTrailingSpaces() + "\n"
            out += "-" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "-\n"
            for row in cells { out += " " + line(row).trimmingTrailingSpaces() + "\n" }
        }
        if t.rowCount > shown {
            out += "… \(t.rowCount - shown) more rows not shown (limit \(maxRows) in table mode; use take, or .mode csv for all)\n"
        }
        out += "(\(t.rowCount) row\(t.rowCount == 1 ? "" : "s"))\n"
        if !hidden.isEmpty {
            out += "note: \(hidden.count) column\(hidden.count == 1 ? "" : "s") left out to fit the terminal: \(hidden.joined(separator: ", ")) (select them, or use .mode csv)\n"
        }
        for note in result.notes { out += "note: \(note)\n" }
        return out
    }

    func markdown(_ result: QueryResult) -> String {
        let t = result.table
        let formatter = CellFormatter(forPeople: true, moneyUnit: moneyUnit)
        func escape(_ s: String) -> String {
            s.replacingAll("|", with: "\\|").replacingAll("\n", with: "<br>")
        }
        var out = "| " + t.columns.map { escape(header($0)) }.joined(separator: " | ") + " |\n"
        out += "|" + t.columns.map { isRightAligned($0) ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for row in 0..<t.rowCount {
            out += "| " + t.columns.map { escape(formatter.text($0, row) ?? "") }.joined(separator: " | ") + " |\n"
        }
        out += "\n*\(t.rowCount) row\(t.rowCount == 1 ? "" : "s")*\n"
        for note in result.notes { out += "\n> Note: \(note)\n" }
        return out
    }

    private func oneLine(_ s: String) -> String {
        s.contains("\n") || s.contains("\t") ? s.replacingAll("\n", with: " ").replacingAll("\t", with: " ") : s
    }

    /// Long text (goals) is cut at `maxCellWidth`; names and other strings get half as much again.
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
