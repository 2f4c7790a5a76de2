import BudgetCore
import BudgetStore
import BudgetQuery
import Foundation
import ZIPFoundation

/// Writes results as a real Excel workbook (Office Open XML in a zip made by ZIPFoundation):
/// numbers as numbers with formats (money `#,##0.00`, ratios `0.00%`), dates as dates, a frozen
/// header row, one sheet per result titled by its comment, and a sheet `来源` listing the
/// sources and which are synthetic.
public struct XlsxWriter {
    public var language: ReportLanguage
    public var glossary: [String: String]

    public init(language: ReportLanguage = .zh, glossary: [String: String] = [:]) {
        self.language = language
        self.glossary = glossary
    }

    /// Name of the sheet listing the sources.
    public static let sourcesSheet = "来源"

    /// Style indexes into `cellXfs` of styles.xml.
    enum Style: Int {
        case plain = 0, header, money, percent, date, month, bold
    }

    /// The workbook's bytes.
    public func workbook(_ results: [TitledResult], context: ReportContext) throws -> Data {
        var names: [String] = []
        for item in results { names.append(Self.sheetName(item.title, taken: names + [Self.sourcesSheet])) }
        var sheets: [(name: String, xml: String)] = zip(names, results).map { ($0, sheetXML($1.result)) }
        sheets.append((Self.sourcesSheet, sourcesXML(results: results, names: names, context: context)))

        let archive = try Archive(data: Data(), accessMode: .create)
        func add(_ path: String, _ text: String) throws {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        let header = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        try add("[Content_Types].xml", header + """
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            \(sheets.indices.map { "<Override PartName=\"/xl/worksheets/sheet\($0 + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined())\
            <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
            </Types>
            """)
        try add("_rels/.rels", header + """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
            <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
            </Relationships>
            """)
        try add("docProps/core.xml", header + """
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">\
            <dc:title>\(Self.escape(context.title))</dc:title><dc:creator>budgetq</dc:creator>\
            <dc:description>\(Self.escape(context.dataSummary))</dc:description></cp:coreProperties>
            """)
        try add("xl/workbook.xml", header + """
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <bookViews><workbookView/></bookViews><sheets>\
            \(sheets.enumerated().map { "<sheet name=\"\(Self.escape($1.name))\" sheetId=\"\($0 + 1)\" r:id=\"rId\($0 + 1)\"/>" }.joined())\
            </sheets></workbook>
            """)
        try add("xl/_rels/workbook.xml.rels", header + """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            \(sheets.indices.map { "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>" }.joined())\
            <Relationship Id="rId\(sheets.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            </Relationships>
            """)
        // Built-in number formats 4 (#,##0.00) and 10 (0.00%); dates and months get their own.
        try add("xl/styles.xml", header + """
            <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/><numFmt numFmtId="165" formatCode="yyyy-mm"/></numFmts>\
            <fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>\
            <fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
            <fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>\
            <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
            <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
            <cellXfs count="7">\
            <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
            <xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>\
            <xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
            <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
            </cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
            """)
        for (i, sheet) in sheets.enumerated() { try add("xl/worksheets/sheet\(i + 1).xml", sheet.xml) }
        guard let data = archive.data else { throw XlsxError(message: "the workbook could not be assembled in memory") }
        return data
    }

    /// Why a workbook could not be written.
    public struct XlsxError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    // MARK: sheets

    /// One result: the header row (frozen), then one row per result row.
    func sheetXML(_ result: QueryResult) -> String {
        let table = result.table
        let renderer = ResultRenderer(format: .xlsx, language: language, glossary: glossary)
        var rows: [[Cell]] = [table.columns.map { .text(renderer.reportHeader($0), .header) }]
        let roles = table.columns.map(Presentation.role)
        let statuses = table.columns.map { language == .zh && Presentation.isStatus($0) }
        for row in 0..<table.rowCount {
            rows.append(table.columns.indices.map { cell(table.columns[$0], row, role: roles[$0], status: statuses[$0]) })
        }
        var extra: [[Cell]] = []
        for note in result.notes { extra.append([.text((language == .zh ? "注：" : "Note: ") + note, .plain)]) }
        if !extra.isEmpty { rows.append([]) }
        return worksheet(rows + extra, frozenHeader: true, widths: columnWidths(rows))
    }

    /// The sources sheet: the report, its parameters, the sheets, then every file and whether it
    /// is published (real) or synthetic (generated).
    func sourcesXML(results: [TitledResult], names: [String], context: ReportContext) -> String {
        let zh = language == .zh
        var rows: [[Cell]] = [[.text(zh ? "报告" : "Report", .bold), .text(context.title, .plain)]]
        if !context.parameters.isEmpty {
            rows.append([.text(zh ? "参数" : "Parameters", .bold), .text(context.parameters.map { "\($0.0) = \($0.1)" }.joined(separator: ", "), .plain)])
        }
        rows.append([.text(zh ? "数据" : "Data", .bold), .text(context.dataSummary, .plain)])
        if context.hasSynthetic {
            rows.append([.text(zh ? "注意" : "Notice", .bold), .text(zh ? "标为“合成”的文件是生成的演示数据，不是公开发布的数据。" : "Files marked synthetic are generated demo data, not published data.", .plain)])
        }
        for warning in context.warnings { rows.append([.text(zh ? "警告" : "Warning", .bold), .text(warning, .plain)]) }
        rows.append([])
        rows.append([.text(zh ? "工作表" : "Sheet", .header), .text(zh ? "内容" : "Contents", .header), .text(zh ? "行数" : "Rows", .header)])
        for (name, item) in zip(names, results) {
            rows.append([.text(name, .plain), .text(item.title, .plain), .number(String(item.result.table.rowCount), .plain)])
        }
        rows.append([])
        rows.append([zh ? "文件" : "File", zh ? "类型" : "Kind", zh ? "性质" : "Origin", zh ? "编码" : "Encoding", zh ? "年度" : "Years", zh ? "行数" : "Rows"].map { .text($0, .header) })
        for source in context.sources {
            let origin = source.origin == .published ? (zh ? "公开发布（真实）" : "published (real)") : (zh ? "合成（生成）" : "synthetic (generated)")
            let kind = source.kind == .documents ? (zh ? "绩效目标表" : "documents") : (zh ? "支付台账" : "payments")
            rows.append([.text(source.path, .plain), .text(kind, .plain), .text(origin, .plain), .text(source.encoding, .plain),
                         .text(source.years.map(String.init).joined(separator: ","), .plain), .number(String(source.rows), .plain)])
        }
        return worksheet(rows, frozenHeader: false, widths: columnWidths(rows))
    }

    /// A cell: text, or a number given as its exact decimal text, with a style.
    enum Cell {
        case text(String, Style)
        case number(String, Style)
        case bool(Bool)
        case empty
    }

    func cell(_ column: Column, _ row: Int, role: ValueRole, status: Bool) -> Cell {
        switch column.data {
        case .integers(let values, let nulls):
            guard !nulls.isNull(row) else { return .empty }
            let v = values[row]
            switch column.type {
            case .money: return .number(Money.yuanText(fen: v), .money)
            case .decimal:
                let text = ValueText.integer(v, type: .decimal)
                if role == .percentPoints { return .number(ValueText.real(Double(v) / Double(ExactDecimal.unit) / 100), .percent) }
                return .number(text, role == .ratio ? .percent : .plain)
            case .date:
                guard let date = CalendarDate(packed: v) else { return .text(String(v), .plain) }
                return .number(String(Self.serial(date)), .date)
            case .month:
                guard let date = CalendarDate(year: Int(v / 100), month: Int(v % 100), day: 1) else { return .text(String(v), .plain) }
                return .number(String(Self.serial(date)), .month)
            case .bool: return .bool(v != 0)
            default: return .number(String(v), .plain)
            }
        case .reals(let values):
            let v = values[row]
            guard !v.isNaN else { return .empty }
            guard v.isFinite else { return .text(v > 0 ? "inf" : "-inf", .plain) }
            switch role {
            case .ratio: return .number(ValueText.real(v), .percent)
            // Percentage points (-2.0062) are the fraction -0.020062 to Excel, shown -2.01%.
            case .percentPoints: return .number(ValueText.real(v / 100), .percent)
            case .plain: return .number(ValueText.real(v), .plain)
            }
        case .strings(let codes, let dictionary):
            guard codes[row] != nullCode else { return .empty }
            let value = dictionary[Int(codes[row])]
            return .text(status ? Presentation.statusLabel(value) : value, .plain)
        case .texts(let values):
            return values[row].map { .text($0, .plain) } ?? .empty
        case .lists(let offsets, let codes, let dictionary):
            return .text(ValueText.list(codes[Int(offsets[row])..<Int(offsets[row + 1])].map { dictionary[Int($0)] }), .plain)
        }
    }

    func worksheet(_ rows: [[Cell]], frozenHeader: Bool, widths: [Int]) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        out += "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
        if frozenHeader {
            out += "<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
                + "<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews>"
        } else {
            out += "<sheetViews><sheetView workbookViewId=\"0\"/></sheetViews>"
        }
        if !widths.isEmpty {
            out += "<cols>" + widths.enumerated().map { "<col min=\"\($0 + 1)\" max=\"\($0 + 1)\" width=\"\($1)\" customWidth=\"1\"/>" }.joined() + "</cols>"
        }
        out += "<sheetData>"
        for (r, cells) in rows.enumerated() {
            out += "<row r=\"\(r + 1)\">"
            for (c, cell) in cells.enumerated() {
                let ref = Self.columnLetters(c) + String(r + 1)
                switch cell {
                case .empty: continue
                case .text(let text, let style):
                    out += "<c r=\"\(ref)\" t=\"inlineStr\"\(style == .plain ? "" : " s=\"\(style.rawValue)\"")><is><t xml:space=\"preserve\">\(Self.escape(text))</t></is></c>"
                case .number(let text, let style):
                    out += "<c r=\"\(ref)\"\(style == .plain ? "" : " s=\"\(style.rawValue)\"")><v>\(text)</v></c>"
                case .bool(let value):
                    out += "<c r=\"\(ref)\" t=\"b\"><v>\(value ? 1 : 0)</v></c>"
                }
            }
            out += "</row>"
        }
        return out + "</sheetData></worksheet>"
    }

    /// Column widths in characters from the first 200 rows (wide characters count two).
    func columnWidths(_ rows: [[Cell]]) -> [Int] {
        var widths: [Int] = []
        for cells in rows.prefix(200) {
            for (i, cell) in cells.enumerated() {
                let width: Int
                switch cell {
                case .text(let t, _): width = displayWidth(t)
                case .number(_, let style): width = style == .money ? 18 : 10
                case .bool: width = 6
                case .empty: width = 0
                }
                while widths.count <= i { widths.append(8) }
                widths[i] = max(widths[i], min(60, width + 2))
            }
        }
        return widths
    }

    // MARK: helpers

    /// Days since 1899-12-30: the serial number Excel stores a date as (1900 date system).
    static func serial(_ date: CalendarDate) -> Int {
        // Days from civil (Howard Hinnant's algorithm), relative to 1970-01-01, then shifted.
        let y = date.month <= 2 ? date.year - 1 : date.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (date.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + date.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days1970 = era * 146_097 + doe - 719_468
        return days1970 + 25_569
    }

    /// A, B, …, Z, AA, AB …
    static func columnLetters(_ index: Int) -> String {
        var n = index + 1
        var letters = ""
        while n > 0 {
            let r = (n - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + r))) + letters
            n = (n - 1) / 26
        }
        return letters
    }

    /// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters, not empty, unique.
    static func sheetName(_ title: String, taken: [String]) -> String {
        var name = String(title.map { "[]:*?/\\".contains($0) ? "_" : $0 }).trimmingCharacters(in: .whitespaces)
        while name.hasPrefix("'") { name.removeFirst() }
        while name.hasSuffix("'") { name.removeLast() }
        if name.isEmpty { name = "Sheet" }
        if name.count > 31 { name = String(name.prefix(30)) + "…" }
        var candidate = name
        var n = 2
        while taken.contains(where: { $0.lowercased() == candidate.lowercased() }) {
            let suffix = " (\(n))"
            candidate = String(name.prefix(31 - suffix.count)) + suffix
            n += 1
        }
        return candidate
    }

    /// Text as XML character data: markup escaped, characters XML 1.0 forbids dropped.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
