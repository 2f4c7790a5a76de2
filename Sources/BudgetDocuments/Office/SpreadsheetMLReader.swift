import Foundation

/// Reads Excel 2003 XML ("XML Spreadsheet", what many 导出Excel buttons save as .xls): each `Worksheet` in
/// order, each non-empty `Row` as a row.
///
/// `ss:Index` places a cell (or row) at a 1-based column (row); `ss:MergeAcross` makes the next columns
/// covered and empty; `ss:MergeDown` covers the cells below, which later rows leave out: a cell without
/// an index skips the covered columns. Numbers are shown through the style's `NumberFormat`.
enum SpreadsheetMLReader {
    static let part = "Workbook"

    static func rows(bytes: [UInt8], file: String, budget: inout CellBudget) throws(OfficeReadError) -> [GridRow] {
        let sink = Sink(file: file, budget: budget)
        try OfficeXML.parse(Data(bytes), part: part, file: file, into: sink)
        budget = sink.budget
        return sink.rows
    }

    /// Excel 2003's named formats, as format codes.
    static let namedFormats: [String: String] = [
        "general": "General", "general number": "General", "fixed": "0.00", "standard": "#,##0.00",
        "percent": "0.00%", "scientific": "0.00E+00", "short date": "yyyy-mm-dd", "medium date": "dd-mmm-yy",
        "long date": "yyyy\"年\"m\"月\"d\"日\"", "short time": "h:mm", "medium time": "h:mm AM/PM", "long time": "h:mm:ss",
        "currency": "\"¥\"#,##0.00", "euro currency": "\"€\"#,##0.00", "general date": "yyyy-mm-dd h:mm",
        "@": "General",
    ]

    private final class Sink: XMLEventSink {
        let file: String
        var budget: CellBudget
        var rows: [GridRow] = []

        var formats: [String: ExcelNumberFormat] = [:]
        var styleID: String?
        var sheet = "Sheet1"
        var sheetCount = 0
        var rowNumber = 0
        var cells: [(Int, String)] = []
        var column = 0
        /// Column → last row it is covered to by a MergeDown above.
        var coveredTo: [Int: Int] = [:]
        var coverMarks = 0

        var cellColumn = 0
        var cellStyle: String?
        var dataType: String?
        var dataText = ""
        var inData = 0
        var inTable = false
        /// Depth inside a cell's Comment, whose Data is the comment, not the cell.
        var commentDepth = 0

        init(file: String, budget: CellBudget) {
            self.file = file
            self.budget = budget
        }

        func start(_ name: String, _ attributes: XMLAttributes) throws(OfficeReadError) {
            if commentDepth > 0 { commentDepth += 1; return }
            if inData > 0 { inData += 1; return }  // rich text inside Data (<B>, <Font>): its text only
            switch name {
            case "Comment": commentDepth = 1
            case "Style": styleID = attributes["ID"]
            case "NumberFormat":
                if let id = styleID {
                    let code = attributes["Format"] ?? "General"
                    formats[id] = ExcelNumberFormat(code: SpreadsheetMLReader.namedFormats[code.lowercased()] ?? code)
                }
            case "Worksheet":
                sheetCount += 1
                sheet = attributes["Name"] ?? "Sheet\(sheetCount)"
                rowNumber = 0
                coveredTo = [:]
            case "Table": inTable = true
            case "Row" where inTable:
                rowNumber = try index(attributes["Index"], after: rowNumber, what: "row")
                cells = []
                column = 0
            case "Cell" where inTable:
                if let explicit = attributes["Index"] {
                    cellColumn = try index(explicit, after: 0, what: "column")
                } else {
                    cellColumn = column + 1
                    while let end = coveredTo[cellColumn], end >= rowNumber { cellColumn += 1 }
                }
                guard cellColumn <= 16384 else { throw bad("cell at column \(cellColumn) in row \(rowNumber), past Excel's 16384 columns") }
                let across = min(try span(attributes["MergeAcross"]), 16384 - cellColumn)
                let down = try span(attributes["MergeDown"])
                if down > 0 {
                    coverMarks += across + 1
                    if coverMarks > budget.limit { throw bad("merged ranges covering more than \(budget.limit) cells") }
                    for c in cellColumn...(cellColumn + across) { coveredTo[c] = rowNumber + down }
                }
                column = cellColumn + across
                cellStyle = attributes["StyleID"]
                dataType = nil
                dataText = ""
            case "Data":
                dataType = attributes["Type"]
                inData = 1
            default: break
            }
        }

        func end(_ name: String) throws(OfficeReadError) {
            if commentDepth > 0 { commentDepth -= 1; return }
            if inData > 1 { inData -= 1; return }
            switch name {
            case "Style": styleID = nil
            case "Table": inTable = false
            case "Data": inData = 0
            case "Cell" where inTable:
                let text = shownText()
                if !text.isEmpty { cells.append((cellColumn - 1, text)) }
            case "Row" where inTable:
                guard let last = cells.map(\.0).max() else { return }
                var dense = [String](repeating: "", count: last + 1)
                for (c, text) in cells { dense[c] = text }
                if dense.contains(where: hasVisibleText) {
                    try budget.spend(dense.count, part: nil)
                    rows.append(GridRow(cells: dense, position: .cell(sheet: sheet, row: rowNumber, column: 0)))
                }
                cells = []
            default: break
            }
        }

        func text(_ text: String) {
            if inData > 0 { dataText += text }
        }

        private func shownText() -> String {
            switch dataType {
            case "Number":
                guard let number = DecimalDigits(parsing: dataText) else { return flattenCellText(dataText) }
                let format = cellStyle.flatMap { formats[$0] } ?? formats["Default"] ?? .general
                return format.format(number)
            case "Boolean":
                let v = dataText.trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? "" : v == "1" || v.lowercased() == "true" ? "TRUE" : "FALSE"
            case "DateTime":
                // 2021-12-31T00:00:00.000: the date, and the time when there is one.
                let parts = dataText.split(separator: "T", maxSplits: 1)
                guard let day = parts.first else { return "" }
                if parts.count > 1, let time = parts[1].split(separator: ".").first, time != "00:00:00" { return "\(day) \(time)" }
                return String(day)
            default:
                return flattenCellText(dataText)
            }
        }

        private func bad(_ what: String) -> OfficeReadError {
            OfficeReadError(.corruptDocument, file: file, part: "Worksheet “\(sheet)”", "a \(what); expected an Excel XML spreadsheet's table")
        }

        private func index(_ value: String?, after previous: Int, what: String) throws(OfficeReadError) -> Int {
            guard let value else { return previous + 1 }
            guard let n = Int(value.trimmingCharacters(in: .whitespaces)), n >= 1, n <= 100_000_000 else {
                throw bad("\(what) index “\(value)”, expected a number from 1")
            }
            return n
        }

        private func span(_ value: String?) throws(OfficeReadError) -> Int {
            guard let value else { return 0 }
            guard let n = Int(value.trimmingCharacters(in: .whitespaces)), n >= 0, n <= 100_000_000 else {
                throw bad("merge size “\(value)”, expected a number of cells")
            }
            return n
        }
    }
}
