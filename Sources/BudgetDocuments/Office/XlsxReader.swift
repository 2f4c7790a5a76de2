import Foundation

/// Reads the sheets of a .xlsx in workbook order: each sheet's non-empty rows, cells as the sheet shows
/// them (shared and inline strings, numbers through their number format, booleans, errors), merged
/// ranges with their value in the top-left cell and the covered cells empty.
///
/// Rows are kept sparse (only filled cells) until the sheet's `mergeCells`, which follow `sheetData`,
/// are known; an empty `<row>` costs nothing, and a cell at XFD1048576 costs one row of 16384 cells,
/// counted against `OfficeLimits.maxCells`. The sheet's `dimension` is not used: writers get it wrong.
/// Hidden sheets (lists behind drop-downs) and chart sheets are left out.
enum XlsxReader {
    static func rows(package: OfficePackage, budget: inout CellBudget) throws(OfficeReadError) -> [GridRow] {
        var workbookPart = "xl/workbook.xml"
        for relationship in try package.relationships(of: "") where relationship.type.hasSuffix("/officeDocument") {
            if package.has(relationship.target) { workbookPart = relationship.target; break }
        }
        let workbook = WorkbookSink()
        try OfficeXML.parse(package.read(workbookPart), part: workbookPart, file: package.file, into: workbook)
        let relationships = try package.relationships(of: workbookPart)
        let directory = workbookPart.split(separator: "/").dropLast().joined(separator: "/")
        func related(_ suffix: String, fallback: String) -> String? {
            if let r = relationships.first(where: { $0.type.hasSuffix(suffix) }), package.has(r.target) { return r.target }
            let guess = (directory.isEmpty ? "" : directory + "/") + fallback
            return package.has(guess) ? guess : nil
        }

        var sharedStrings: [String] = []
        if let part = related("/sharedStrings", fallback: "sharedStrings.xml") {
            let sink = SharedStringsSink()
            try OfficeXML.parse(package.read(part), part: part, file: package.file, into: sink)
            sharedStrings = sink.strings
        }
        var styles = Styles()
        if let part = related("/styles", fallback: "styles.xml") {
            let sink = StylesSink()
            try OfficeXML.parse(package.read(part), part: part, file: package.file, into: sink)
            styles = sink.styles
        }

        var rows: [GridRow] = []
        for (index, sheet) in workbook.sheets.enumerated() where sheet.state == nil || sheet.state == "visible" {
            let target = relationships.first { $0.id == sheet.relationshipID }?.target
            let part: String
            if let target, package.has(target) {
                part = target
            } else if package.has("xl/worksheets/sheet\(index + 1).xml") {
                part = "xl/worksheets/sheet\(index + 1).xml"
            } else {
                throw OfficeReadError(.corruptDocument, file: package.file, part: workbookPart, "sheet “\(sheet.name)” points to \(target ?? "no part"), which the zip does not hold; expected its worksheet XML")
            }
            if let r = relationships.first(where: { $0.id == sheet.relationshipID }), r.type.hasSuffix("/chartsheet") { continue }
            let sink = SheetSink(sheet: sheet.name, part: part, sharedStrings: sharedStrings, styles: styles, date1904: workbook.date1904, file: package.file)
            try OfficeXML.parse(package.read(part), part: part, file: package.file, into: sink)
            try rows.append(contentsOf: sink.finish(budget: &budget))
        }
        return rows
    }

    // MARK: workbook.xml

    struct SheetEntry {
        let name: String
        let relationshipID: String
        let state: String?
    }

    final class WorkbookSink: XMLEventSink {
        var sheets: [SheetEntry] = []
        var date1904 = false
        func start(_ name: String, _ attributes: XMLAttributes) throws(OfficeReadError) {
            switch name {
            case "sheet":
                sheets.append(SheetEntry(name: attributes["name"] ?? "Sheet\(sheets.count + 1)", relationshipID: attributes["id"] ?? "", state: attributes["state"]))
            case "workbookPr":
                let value = attributes["date1904"]
                date1904 = value == "1" || value == "true"
            default: break
            }
        }
        func end(_ name: String) throws(OfficeReadError) {}
        func text(_ text: String) {}
    }

    // MARK: sharedStrings.xml

    /// Each `si`: its `t` texts (plain or rich-text runs) concatenated; phonetic guides (`rPh`) left out.
    final class SharedStringsSink: XMLEventSink {
        var strings: [String] = []
        var current = ""
        var inText = false
        var phoneticDepth = 0
        func start(_ name: String, _ attributes: XMLAttributes) throws(OfficeReadError) {
            switch name {
            case "si": current = ""
            case "t": inText = phoneticDepth == 0
            case "rPh": phoneticDepth += 1
            default: break
            }
        }
        func end(_ name: String) throws(OfficeReadError) {
            switch name {
            case "si": strings.append(unescapeOOXML(current))
            case "t": inText = false
            case "rPh": phoneticDepth = max(0, phoneticDepth - 1)
            default: break
            }
        }
        func text(_ text: String) { if inText { current += text } }
    }

    // MARK: styles.xml

    /// The number format of each cell style (`cellXfs` index → format).
    struct Styles {
        var formats: [ExcelNumberFormat] = []
        func format(style: Int?) -> ExcelNumberFormat {
            guard let style, style >= 0, style < formats.count else { return formats.first ?? .general }
            return formats[style]
        }
    }

    final class StylesSink: XMLEventSink {
        var custom: [Int: String] = [:]
        var formatIDs: [Int] = []
        var inCellXfs = false
        var xfDepth = 0
        func start(_ name: String, _ attributes: XMLAttributes) throws(OfficeReadError) {
            switch name {
            case "numFmt":
                if let id = attributes["numFmtId"].flatMap({ Int($0) }), let code = attributes["formatCode"] { custom[id] = code }
            case "cellXfs": inCellXfs = true
            case "xf" where inCellXfs:
                formatIDs.append(attributes["numFmtId"].flatMap { Int($0) } ?? 0)
            default: break
            }
        }
        func end(_ name: String) throws(OfficeReadError) {
            if name == "cellXfs" { inCellXfs = false }
        }
        func text(_ text: String) {}

        var styles: Styles {
            var cache: [Int: ExcelNumberFormat] = [:]
            return Styles(formats: formatIDs.map { id in
                if let known = cache[id] { return known }
                let format = ExcelNumberFormat(code: custom[id] ?? ExcelNumberFormat.builtIn[id] ?? "General")
                cache[id] = format
                return format
            })
        }
    }

    // MARK: worksheets

    /// One sheet's filled cells by row, then its merged ranges.
    final class SheetSink: XMLEventSink {
        let sheet: String
        let part: String
        let sharedStrings: [String]
        let styles: Styles
        let date1904: Bool
        let file: String

        /// Filled rows in sheet order: row number and (column, text) pairs.
        var filled: [(row: Int, cells: [(Int, String)])] = []
        var merges: [(top: Int, left: Int, bottom: Int, right: Int)] = []

        var rowNumber = 0
        var rowCells: [(Int, String)] = []
        var column = -1
        var cellType: String?
        var cellStyle: Int?
        var value = ""
        var inlineText = ""
        var inValue = false
        var inInline = false
        var inInlineText = false
        var phoneticDepth = 0

        init(sheet: String, part: String, sharedStrings: [String], styles: Styles, date1904: Bool, file: String) {
            self.sheet = sheet
            self.part = part
            self.sharedStrings = sharedStrings
            self.styles = styles
            self.date1904 = date1904
            self.file = file
        }

        func start(_ name: String, _ attributes: XMLAttributes) throws(OfficeReadError) {
            switch name {
            case "row":
                if let r = attributes["r"] {
                    guard let n = Int(r), n >= 1, n <= 100_000_000 else { throw bad("row number “\(r)”, expected 1…1048576") }
                    rowNumber = n
                } else {
                    rowNumber += 1
                }
                rowCells = []
                column = -1
            case "c":
                if let ref = attributes["r"] {
                    guard let (col, _) = CellReference.parse(ref) else { throw bad("cell reference “\(ref)”, expected a column and row like C7") }
                    column = col
                } else {
                    column += 1
                }
                cellType = attributes["t"]
                cellStyle = attributes["s"].flatMap { Int($0) }
                value = ""
                inlineText = ""
            case "v": inValue = true
            case "is": inInline = true
            case "t" where inInline: inInlineText = phoneticDepth == 0
            case "rPh": phoneticDepth += 1
            case "mergeCell":
                if let ref = attributes["ref"] {
                    let ends = ref.split(separator: ":")
                    if let first = ends.first.flatMap({ CellReference.parse(String($0)) }) {
                        let last = ends.count > 1 ? CellReference.parse(String(ends[1])) ?? first : first
                        merges.append((min(first.1, last.1), min(first.0, last.0), max(first.1, last.1), max(first.0, last.0)))
                    }
                }
            default: break
            }
        }

        func end(_ name: String) throws(OfficeReadError) {
            switch name {
            case "v": inValue = false
            case "is": inInline = false
            case "t": inInlineText = false
            case "rPh": phoneticDepth = max(0, phoneticDepth - 1)
            case "c":
                let text = try shownText()
                if !text.isEmpty { rowCells.append((column, text)) }
            case "row":
                if !rowCells.isEmpty { filled.append((rowNumber, rowCells)) }
                rowCells = []
            default: break
            }
        }

        func text(_ text: String) {
            if inValue { value += text } else if inInlineText { inlineText += text }
        }

        private func bad(_ what: String) -> OfficeReadError {
            OfficeReadError(.corruptDocument, file: file, part: part, "a \(what)")
        }

        /// The cell's text as the sheet shows it.
        private func shownText() throws(OfficeReadError) -> String {
            switch cellType {
            case "s":
                guard let index = Int(value.trimmingCharacters(in: .whitespaces)), index >= 0, index < sharedStrings.count else {
                    if value.isEmpty { return "" }
                    throw bad("shared string index “\(value)” at \(sheet)!\(SourcePosition.columnLetters(column))\(rowNumber), but the workbook has \(sharedStrings.count) shared strings")
                }
                return flattenCellText(sharedStrings[index])
            case "inlineStr":
                return flattenCellText(unescapeOOXML(inlineText.isEmpty ? value : inlineText))
            case "str", "e":
                return flattenCellText(unescapeOOXML(value))
            case "b":
                let v = value.trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? "" : (v == "1" || v.lowercased() == "true") ? "TRUE" : "FALSE"
            case "d":
                return value
            default:
                let trimmed = value.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { return "" }
                guard let number = DecimalDigits(parsing: trimmed) else { return flattenCellText(trimmed) }
                return styles.format(style: cellStyle).format(number, date1904: date1904)
            }
        }

        /// The sheet's rows, merges applied, as grid rows.
        func finish(budget: inout CellBudget) throws(OfficeReadError) -> [GridRow] {
            if !merges.isEmpty { try clearCoveredCells() }
            // Rows normally come in order; a writer that did not gets them sorted (stable for repeats).
            if zip(filled, filled.dropFirst()).contains(where: { $0.row > $1.row }) {
                filled = filled.enumerated().sorted { ($0.element.row, $0.offset) < ($1.element.row, $1.offset) }.map(\.element)
            }
            var rows: [GridRow] = []
            for (row, cells) in filled where !cells.isEmpty {
                let sorted = zip(cells, cells.dropFirst()).contains(where: { $0.0 >= $1.0 }) ? cells.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element) : cells
                guard let last = sorted.last?.0 else { continue }
                try budget.spend(last + 1, part: part)
                var dense = [String](repeating: "", count: last + 1)
                for (col, text) in sorted { dense[col] = text }
                if dense.contains(where: hasVisibleText) {
                    rows.append(GridRow(cells: dense, position: .cell(sheet: sheet, row: row, column: 0)))
                }
            }
            return rows
        }

        /// Empties every cell a merged range covers but its top-left one (Excel shows only that value).
        private func clearCoveredCells() throws(OfficeReadError) {
            merges.sort { $0.top < $1.top }
            var work = 0
            var start = 0
            for index in filled.indices {
                let row = filled[index].row
                while start < merges.count && merges[start].bottom < row && merges[start].top < row { start += 1 }
                var i = start
                while i < merges.count && merges[i].top <= row {
                    let m = merges[i]
                    i += 1
                    work += 1
                    if work > 50_000_000 {
                        throw OfficeReadError(.limitExceeded, file: file, part: part, "too many merged ranges over too many rows (more than 50,000,000 checks); expected a budget table's few hundred merges")
                    }
                    guard m.bottom >= row else { continue }
                    filled[index].cells.removeAll { cell in
                        cell.0 >= m.left && cell.0 <= m.right && !(row == m.top && cell.0 == m.left)
                    }
                }
            }
        }
    }
}

/// A1-style references: `C7` → (column 2, row 7); `$C$7` too. Columns up to XFD (16383).
enum CellReference {
    static func parse(_ ref: String) -> (Int, Int)? {
        var column = 0
        var row = 0
        var letters = 0
        var digits = 0
        for byte in ref.utf8 {
            switch byte {
            case 0x24: continue  // $
            case 0x41...0x5A, 0x61...0x7A:
                guard digits == 0 else { return nil }
                column = column * 26 + Int((byte | 0x20) - 0x61) + 1
                letters += 1
                if letters > 3 { return nil }
            case 0x30...0x39:
                row = row * 10 + Int(byte - 0x30)
                digits += 1
                if digits > 9 { return nil }
            default: return nil
            }
        }
        guard letters > 0, column <= 16384 else { return nil }
        // A reference without a row (a whole-column merge "A:A") keeps row 0 and is harmless.
        return (column - 1, row)
    }
}

/// Undoes OOXML's `_xHHHH_` escapes (`_x000D_` for a carriage return, `_x005F_` for an underscore).
func unescapeOOXML(_ text: String) -> String {
    guard text.contains("_x") else { return text }
    var out = ""
    var scalars = Array(text.unicodeScalars)[...]
    while let first = scalars.first {
        if first == "_", scalars.count >= 7 {
            let candidate = scalars.prefix(7)
            let hex = String(String.UnicodeScalarView(candidate.dropFirst(2).prefix(4)))
            if candidate[candidate.startIndex + 1] == "x", candidate.last == "_", hex.count == 4, let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                out.unicodeScalars.append(scalar)
                scalars = scalars.dropFirst(7)
                continue
            }
        }
        out.unicodeScalars.append(first)
        scalars = scalars.dropFirst()
    }
    return out
}
