import Foundation
import Testing
@testable import BudgetDocuments

/// The sample documents, copied into the repository (Tests/fixtures/real-documents, with the seed
/// beside them) so that a clean clone tests them wherever it is.
enum OfficeSamples {
    static let realDocuments = TestPaths.root + "/Tests/fixtures/real-documents"
    static let office = realDocuments + "/office"

    /// The bytes of a sample; records an issue (the test fails) when it is missing.
    static func bytes(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("missing \(path): the samples are in Tests/fixtures/real-documents", sourceLocation: sourceLocation)
            return nil
        }
        return [UInt8](data)
    }

    /// The text file an office sample was made from (the seed's text sits beside the others).
    static func textNamesake(of officeFile: String) -> String {
        realDocuments + "/" + (officeFile as NSString).deletingPathExtension + ".txt"
    }
}

/// Rows as the comparison sees them: cells trimmed, trailing empty cells and empty rows dropped.
func comparable(_ rows: [[String]]) -> [[String]] {
    rows.compactMap { row in
        var cells = row.map { $0.trimmingCharacters(in: .whitespaces) }
        while cells.last?.isEmpty == true { cells.removeLast() }
        return cells.isEmpty ? nil : cells
    }
}

func comparableText(_ text: String) -> [[String]] {
    comparable(text.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false).map { line in
        line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    })
}

/// The first difference between two row lists, for a readable failure.
func firstDifference(_ got: [[String]], _ expected: [[String]]) -> String? {
    for i in 0..<max(got.count, expected.count) {
        let g = i < got.count ? got[i] : nil
        let e = i < expected.count ? expected[i] : nil
        if g != e {
            return "row \(i + 1): read \(g.map { $0.joined(separator: " | ") } ?? "nothing")\n      text \(e.map { $0.joined(separator: " | ") } ?? "nothing")"
        }
    }
    return nil
}

struct OfficeReaderSampleTests {
    static let samples: [String] = [
        "000_a55f44c6a187ce33.docx", "000_a55f44c6a187ce33.xlsx",
        "01-qingshen-fgj-2023-ziping.docx", "01-qingshen-fgj-2023-ziping.xlsx",
        "02-xiangtan-huanwei-2023-shenbao.docx", "02-xiangtan-huanwei-2023-shenbao.xls", "02-xiangtan-huanwei-2023-shenbao.xlsx",
        "04-wuhan-qingshan-jiaoyu-2020.docx", "04-wuhan-qingshan-jiaoyu-2020.xlsx",
        "10-jinzhai-kaifaqu-2021-wuye-shenbao.docx", "10-jinzhai-kaifaqu-2021-wuye-shenbao.xls", "10-jinzhai-kaifaqu-2021-wuye-shenbao.xlsx",
        "15-wuhai-gongxiaoshe-2021-mubiao-partial.docx", "15-wuhai-gongxiaoshe-2021-mubiao-partial.xlsx",
    ]

    @Test func everyOfficeSampleIsListed() throws {
        let listed = try FileManager.default.contentsOfDirectory(atPath: OfficeSamples.office).filter { !$0.hasPrefix(".") }.sorted()
        #expect(listed == Self.samples.sorted(), "the office folder changed: add the new samples to OfficeReaderSampleTests.samples")
    }

    @Test(arguments: samples)
    func sampleReadsLikeItsTextFile(_ name: String) throws {
        guard let bytes = OfficeSamples.bytes(OfficeSamples.office + "/" + name),
              let text = OfficeSamples.bytes(OfficeSamples.textNamesake(of: name)) else { return }
        let rows = try OfficeReader.rows(of: bytes, file: name)
        let got = comparable(rows.map(\.cells))
        let expected = comparableText(String(decoding: text, as: UTF8.self))
        let difference = firstDifference(got, expected)
        #expect(difference == nil, "\(name): \(difference ?? "")")
    }
}

struct OfficeReaderPositionTests {
    @Test func docxPositionsCountTablesRowsAndParagraphs() throws {
        guard let bytes = OfficeSamples.bytes(OfficeSamples.office + "/01-qingshen-fgj-2023-ziping.docx") else { return }
        let rows = try OfficeReader.rows(of: bytes, file: "01.docx")
        #expect(OfficeReader.detect(bytes) == .docx)
        #expect(rows[0].position == .paragraph(1))
        #expect(rows[0].cells == ["报表编号:510000_0013zp"])
        #expect(rows[2].position == .tableRow(table: 1, row: 1, column: 0))
        // 项目名称 then a gridSpan of 10: the text and nine empty cells.
        #expect(rows[2].cells == ["项目名称", "51000021R000000019951-工资性支出"] + Array(repeating: "", count: 9))
    }

    @Test func xlsxPositionsNameTheSheet() throws {
        guard let bytes = OfficeSamples.bytes(OfficeSamples.office + "/02-xiangtan-huanwei-2023-shenbao.xlsx") else { return }
        let rows = try OfficeReader.rows(of: bytes, file: "02.xlsx")
        #expect(OfficeReader.detect(bytes) == .xlsx)
        #expect(rows[0].position == .cell(sheet: "Sheet1", row: 1, column: 0))
        #expect(rows[0].position.description == "Sheet1!A1")
    }

    @Test func exportsAreDetectedByContent() throws {
        guard let xml = OfficeSamples.bytes(OfficeSamples.office + "/02-xiangtan-huanwei-2023-shenbao.xls"),
              let html = OfficeSamples.bytes(OfficeSamples.office + "/10-jinzhai-kaifaqu-2021-wuye-shenbao.xls") else { return }
        #expect(OfficeReader.detect(xml) == .spreadsheetML)
        #expect(OfficeReader.detect(html) == .htmlTable)
        let xmlRows = try OfficeReader.rows(of: xml, file: "02.xls")
        #expect(xmlRows[0].position == .cell(sheet: "Sheet1", row: 1, column: 0))
        let htmlRows = try OfficeReader.rows(of: html, file: "10.xls")
        #expect(htmlRows[0].position == .paragraph(1))
        #expect(htmlRows[2].position == .tableRow(table: 1, row: 1, column: 0))
        #expect(OfficeReader.detect(Array("项目名称\t\t某项目\n".utf8)) == nil)
        #expect(OfficeReader.detect(Array("<p>说明</p>".utf8)) == nil)
    }
}

struct DocxReaderTests {
    func rows(_ body: String) throws -> [GridRow] {
        try OfficeReader.rows(of: OfficeTestDocuments.docx(body: body), file: "t.docx")
    }

    func p(_ text: String) -> String { "<w:p><w:r><w:t xml:space=\"preserve\">\(text)</w:t></w:r></w:p>" }

    func tc(_ inner: String, _ properties: String = "") -> String { "<w:tc><w:tcPr>\(properties)</w:tcPr>\(inner)</w:tc>" }

    @Test func mergesBreaksAndParagraphOrder() throws {
        let table = "<w:tbl><w:tblGrid/>"
            + "<w:tr>" + tc(p("一级指标"), "<w:vMerge w:val=\"restart\"/>") + tc(p("产出"), "<w:gridSpan w:val=\"2\"/>") + tc(p("x")) + "</w:tr>"
            + "<w:tr>" + tc("<w:p/>", "<w:vMerge/>") + tc(p("数量")) + tc(p("a") + p("b")) + tc("<w:p><w:r><w:t>行1</w:t><w:br/><w:t>行2</w:t><w:tab/><w:t>end</w:t></w:r></w:p>") + "</w:tr>"
            + "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>" + tc(p("   缩进")) + "</w:tr>"
            + "<w:tr>" + tc("<w:p/>") + "</w:tr>"
            + "</w:tbl>"
        let got = try rows(p("标题") + "<w:p/>" + table + p("单位:万元") + table)
        #expect(got.map(\.cells) == [
            ["标题"],
            ["一级指标", "产出", "", "x"], ["", "数量", "a b", "行1 行2 end"], ["", "   缩进"],
            ["单位:万元"],
            ["一级指标", "产出", "", "x"], ["", "数量", "a b", "行1 行2 end"], ["", "   缩进"],
        ])
        #expect(got.map(\.position) == [
            .paragraph(1),
            .tableRow(table: 1, row: 1, column: 0), .tableRow(table: 1, row: 2, column: 0), .tableRow(table: 1, row: 3, column: 0),
            .paragraph(3),
            .tableRow(table: 2, row: 1, column: 0), .tableRow(table: 2, row: 2, column: 0), .tableRow(table: 2, row: 3, column: 0),
        ])
    }

    @Test func deletedTextFieldCodesAndFallbacksAreNotShown() throws {
        let body = "<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del>"
            + "<w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t>1</w:t></w:r>"
            + "<mc:AlternateContent><mc:Choice><w:r><w:t>甲</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>乙</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>"
            + "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr><w:r><w:t>无多余空格</w:t></w:r></w:p>"
        #expect(try rows(body).map(\.cells) == [["保留1甲"], ["无多余空格"]])
    }

    @Test func nestedTableIsTextOfItsCell() throws {
        let inner = "<w:tbl><w:tr>" + tc(p("内1")) + tc(p("内2")) + "</w:tr></w:tbl>"
        let body = "<w:tbl><w:tr>" + tc(p("外") ) + tc(p("前") + inner + "<w:p/>") + "</w:tr></w:tbl>"
        #expect(try rows(body).map(\.cells) == [["外", "前 内1 内2"]])
    }

    @Test func hugeGridSpanIsCapped() throws {
        let body = "<w:tbl><w:tr>" + tc(p("x"), "<w:gridSpan w:val=\"999999999\"/>") + tc(p("y")) + "</w:tr></w:tbl>"
        let got = try rows(body)
        #expect(got[0].cells.count == 1001)
        #expect(got[0].cells.last == "y")
    }
}

struct XlsxReaderTests {
    static let styles = ##"<numFmts count="3"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/><numFmt numFmtId="177" formatCode="#,##0.00_ "/><numFmt numFmtId="178" formatCode="0.00&quot;万元&quot;"/></numFmts>"##
        + ##"<cellXfs count="10"><xf numFmtId="0"/><xf numFmtId="4"/><xf numFmtId="3"/><xf numFmtId="9"/><xf numFmtId="10"/><xf numFmtId="14"/><xf numFmtId="176"/><xf numFmtId="177"/><xf numFmtId="178"/><xf numFmtId="2"/></cellXfs>"##

    func read(_ sheetXML: String, sharedStrings: [String]? = nil, date1904: Bool = false) throws -> [[String]] {
        let bytes = OfficeTestDocuments.xlsx(sheets: [("预算", sheetXML, nil)], styles: Self.styles, sharedStrings: sharedStrings, date1904: date1904)
        return try OfficeReader.rows(of: bytes, file: "t.xlsx").map(\.cells)
    }

    func cell(_ ref: String, _ value: String, style: Int? = nil, type: String? = nil) -> String {
        "<c r=\"\(ref)\"\(style.map { " s=\"\($0)\"" } ?? "")\(type.map { " t=\"\($0)\"" } ?? "")><v>\(value)</v></c>"
    }

    @Test func numbersAsTheSheetShowsThem() throws {
        let row = "<sheetData><row r=\"1\">"
            + cell("A1", "238.93000000000001") + cell("B1", "3309840", style: 1) + cell("C1", "44561", style: 2)
            + cell("D1", "0.95", style: 3) + cell("E1", "1", style: 4) + cell("F1", "44561", style: 5)
            + cell("G1", "44561.75", style: 6) + cell("H1", "8827620.5299999993", style: 7) + cell("I1", "65", style: 8)
            + cell("J1", "-1234.5", style: 1) + cell("K1", "0.30000000000000004") + cell("L1", "2.5", style: 9)
            + cell("M1", "1.0000000000000001E-3") + cell("N1", "1E+20") + cell("O1", "-0.0001", style: 9)
            + "</row></sheetData>"
        let got = try read(row)
        #expect(got == [["238.93", "3,309,840.00", "44,561", "95%", "100.00%", "2021-12-31", "2021年12月31日", "8,827,620.53", "65.00万元",
                                   "-1,234.50", "0.3", "2.50", "0.001", "1E+20", "0.00"]])
    }

    @Test func stringsBooleansErrorsAndEscapes() throws {
        let strings = ["<si><t>项目名称</t></si>", "<si><r><t>指标</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\"> 1</t></r><rPh><t>しひょう</t></rPh></si>", "<si><t>第一行\n第二行_x000D_</t></si>"]
        let row = "<sheetData><row r=\"2\">" + cell("A2", "0", type: "s") + cell("B2", "1", type: "s") + cell("C2", "2", type: "s")
            + cell("D2", "1", type: "b") + cell("E2", "#DIV/0!", type: "e") + "<c r=\"F2\" t=\"inlineStr\"><is><t xml:space=\"preserve\">  缩进</t></is></c>"
            + "<c r=\"G2\" t=\"str\"><f>A1</f><v>公式</v></c></row></sheetData>"
        #expect(try read(row, sharedStrings: strings) == [["项目名称", "指标 1", "第一行 第二行 ", "TRUE", "#DIV/0!", "  缩进", "公式"]])
    }

    @Test func mergedRangesKeepTheTopLeftAndDoNotShiftColumns() throws {
        let xml = "<dimension ref=\"A1:B2\"/><sheetData>"
            + "<row r=\"3\">" + cell("A3", "1") + cell("B3", "9") + cell("C3", "3") + "</row>"
            + "<row r=\"1\">" + cell("A1", "1") + cell("D1", "4") + "</row>"
            + "<row r=\"2\"><c r=\"A2\"/><c><v>2</v></c><c><v>7</v></c></row>"
            + "<row r=\"5\"/><row r=\"6\"><c r=\"A6\" s=\"1\"/></row>"
            + "</sheetData><mergeCells count=\"2\"><mergeCell ref=\"A1:C1\"/><mergeCell ref=\"B2:B3\"/></mergeCells>"
        #expect(try read(xml) == [["1", "", "", "4"], ["", "2", "7"], ["1", "", "3"]])
    }

    @Test func sheetsInOrderWithTheirNamesHiddenOnesLeftOut() throws {
        let bytes = OfficeTestDocuments.xlsx(sheets: [
            ("封面", "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>目录</t></is></c></row></sheetData>", nil),
            ("下拉", "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>选项</t></is></c></row></sheetData>", "hidden"),
            ("绩效目标表", "<sheetData><row r=\"4\"><c r=\"B4\"><v>1</v></c></row></sheetData>", nil),
        ])
        let rows = try OfficeReader.rows(of: bytes, file: "t.xlsx")
        #expect(rows.map(\.position) == [.cell(sheet: "封面", row: 1, column: 0), .cell(sheet: "绩效目标表", row: 4, column: 0)])
        #expect(rows.map(\.cells) == [["目录"], ["", "1"]])
    }

    @Test func date1904Workbooks() throws {
        #expect(try read("<sheetData><row>" + cell("A1", "43099", style: 5) + "</row></sheetData>", date1904: true) == [["2021-12-31"]])
    }
}

struct ExcelNumberFormatTests {
    static let cases: [(String, String, String)] = [
        ("General", "238.93000000000001", "238.93"), ("General", "-0.1", "-0.1"), ("General", "123456789012345678", "1.23456789012346E+17"),
        ("0", "2.5", "3"), ("0", "-2.5", "-3"), ("0.00", "1.005", "1.01"), ("#,##0", "44561", "44,561"), ("#,##0.00", "3309840", "3,309,840.00"),
        ("#,##0.00", "0.5", "0.50"), ("#,##0", "999999.5", "1,000,000"), ("0%", "0.955", "96%"), ("0.00%", "1", "100.00%"),
        ("#,##0.00;[Red]-#,##0.00", "-5", "-5.00"), ("#,##0.00;(#,##0.00)", "-5", "(5.00)"), ("0.00;-0.00;\"-\"", "0", "-"),
        ("#,##0,", "1234567", "1,235"), ("0.0,,\"百万\"", "2500000", "2.5百万"), ("0.00E+00", "12345", "1.23E+04"), ("##0.0E+0", "12345", "12.3E+3"),
        ("#.##", "5", "5."), ("000-0000", "1234567", "123-4567"), ("\"¥\"#,##0.00", "1125", "¥1,125.00"), ("[$¥-804]#,##0.00", "1125", "¥1,125.00"),
        ("_(* #,##0.00_);_(* \\(#,##0.00\\);_(* \"-\"??_);_(@_)", "1125", "1,125.00"),
        ("yyyy-mm-dd", "44561", "2021-12-31"), ("yyyy/m/d", "45000", "2023/3/15"), ("yyyy\"年\"m\"月\"", "45000", "2023年3月"),
        ("m\"月\"d\"日\"", "45000", "3月15日"), ("yyyy-mm-dd hh:mm:ss", "45000.5", "2023-03-15 12:00:00"), ("h:mm AM/PM", "0.75", "6:00 PM"),
        ("上午/下午h\"时\"mm\"分\"", "0.25", "上午6时00分"), ("[h]:mm", "1.5", "36:00"), ("mm:ss.0", "0.0000115740740740741", "00:01.0"),
        ("yyyy-mm-dd", "60", "1900-02-29"), ("yyyy-mm-dd", "61", "1900-03-01"), ("yyyy-mm-dd", "1", "1900-01-01"),
        ("dddd", "44561", "Friday"), ("aaaa", "44561", "星期五"), ("mmm d, yyyy", "44561", "Dec 31, 2021"),
        ("[>=100]\"大\";\"小\"", "150", "大"), ("[>=100]\"大\";\"小\"", "5", "小"), ("# ?/?", "0.5", "0.5"),
    ]

    @Test(arguments: cases)
    func formats(_ code: String, _ stored: String, _ shown: String) throws {
        let value = try #require(DecimalDigits(parsing: stored))
        #expect(ExcelNumberFormat(code: code).format(value) == shown, "\(code) of \(stored)")
    }

    @Test func decimalDigitsParseOnlyNumbers() {
        #expect(DecimalDigits(parsing: "12a") == nil)
        #expect(DecimalDigits(parsing: "1e999") == nil)
        #expect(DecimalDigits(parsing: ".") == nil)
        #expect(DecimalDigits(parsing: "-0")?.isZero == true)
        #expect(DecimalDigits(parsing: "1.5E-3")?.generalText == "0.0015")
    }
}

struct SpreadsheetMLAndHTMLTests {
    @Test func spreadsheetMLIndexMergesAndFormats() throws {
        let xml = #"""
        <?xml version="1.0"?>
        <Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
         <Styles><Style ss:ID="m"><NumberFormat ss:Format="Standard"/></Style><Style ss:ID="p"><NumberFormat ss:Format="0%"/></Style></Styles>
         <Worksheet ss:Name="目标表"><Table>
          <Row><Cell ss:MergeAcross="1" ss:MergeDown="1"><Data ss:Type="String">合并</Data></Cell><Cell><Data ss:Type="Number">238.93000000000001</Data></Cell></Row>
          <Row><Cell><Data ss:Type="Number" >3309840</Data><Comment><ss:Data>批注</ss:Data></Comment></Cell><Cell ss:StyleID="m"><Data ss:Type="Number">3309840</Data></Cell></Row>
          <Row ss:Index="5"><Cell ss:Index="2" ss:StyleID="p"><Data ss:Type="Number">0.9</Data></Cell><Cell><ss:Data ss:Type="String" xmlns="http://www.w3.org/TR/REC-html40"><B>加</B>粗&#10;换行</ss:Data></Cell></Row>
         </Table></Worksheet>
         <Worksheet ss:Name="第二页"><Table><Row><Cell><Data ss:Type="Boolean">1</Data></Cell><Cell><Data ss:Type="DateTime">2021-12-31T00:00:00.000</Data></Cell></Row></Table></Worksheet>
        </Workbook>
        """#
        let rows = try OfficeReader.rows(of: Array(xml.utf8), file: "t.xls")
        #expect(rows.map(\.cells) == [["合并", "", "238.93"], ["", "", "3309840", "3,309,840.00"], ["", "90%", "加粗 换行"], ["TRUE", "2021-12-31"]])
        #expect(rows.map(\.position) == [.cell(sheet: "目标表", row: 1, column: 0), .cell(sheet: "目标表", row: 2, column: 0),
                                         .cell(sheet: "目标表", row: 5, column: 0), .cell(sheet: "第二页", row: 1, column: 0)])
    }

    @Test func htmlSpansEntitiesAndLooseMarkup() throws {
        let html = """
        <html><head><meta charset="utf-8"><title>不是正文</title><style>td { color: red }</style></head><body>
        <p>标题&nbsp;一</p><div>单位:万元<br>注</div>
        <table><tr><th rowspan=2>绩效指标<td colspan="2">产出&amp;效益<td>x
        <tr><td>数量<br/>指标</td><td>&nbsp;&nbsp;缩进&#x4E00;</td></tr>
        <tr><td><table><tr><td>内</td><td>层</td></tr></table></td><td>
             多个   空格 </td></table>
        <!-- <table><tr><td>注释</td></tr></table> -->
        """
        let rows = try OfficeReader.rows(of: Array(html.utf8), file: "t.xls")
        #expect(rows.map(\.cells) == [["标题 一"], ["单位:万元"], ["注"], ["绩效指标", "产出&效益", "", "x"], ["", "数量 指标", "  缩进一"], ["内 层", "多个 空格"]])
    }

    @Test func gbkHTMLIsDecoded() throws {
        var gbk: [UInt8] = Array("<html><body><table><tr><td>".utf8) + [0xCF, 0xEE, 0xC4, 0xBF] + Array("</td></tr></table></body></html>".utf8)  // 项目
        gbk += []
        #expect(try OfficeReader.rows(of: gbk, file: "t.xls").map(\.cells) == [["项目"]])
    }
}

/// Builds zip archives in memory for the Office reader's tests, so that no hostile file is committed:
/// stored entries, and deflated entries of the form prefix + pattern × count + suffix, encoded with
/// fixed-Huffman back-references so that a gigabyte takes a few megabytes.
enum OfficeTestZip {
    enum Content {
        case stored([UInt8])
        case repeated(prefix: [UInt8], pattern: [UInt8], count: Int, suffix: [UInt8])
    }

    struct Entry {
        var name: String
        var content: Content
        /// A size to declare instead of the true one (a lying zip bomb).
        var declaredSize: UInt32?
        /// Skip the checksum (for entries too large to checksum quickly; the reader must stop before it matters).
        var skipCRC = false
    }

    static func stored(_ name: String, _ text: String) -> Entry {
        Entry(name: name, content: .stored(Array(text.utf8)))
    }

    static func make(_ entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let (method, data, size, crc): (UInt16, [UInt8], Int, UInt32)
            switch entry.content {
            case .stored(let bytes):
                (method, data, size, crc) = (0, bytes, bytes.count, checksum(bytes))
            case .repeated(let prefix, let pattern, let count, let suffix):
                let total = prefix.count + pattern.count * count + suffix.count
                let sum: UInt32 = entry.skipCRC ? 0 : {
                    var c = CRC32()
                    c.update(prefix)
                    for _ in 0..<count { c.update(pattern) }
                    c.update(suffix)
                    return c.value
                }()
                (method, data, size, crc) = (8, deflateRepeated(prefix: prefix, pattern: pattern, count: count, suffix: suffix), total, sum)
            }
            let declared = entry.declaredSize ?? UInt32(truncatingIfNeeded: size)
            let name = Array(entry.name.utf8)
            let offset = UInt32(out.count)
            var local: [UInt8] = []
            local.le32(0x0403_4B50); local.le16(20); local.le16(0x0800); local.le16(method); local.le16(0); local.le16(0x21)
            local.le32(crc); local.le32(UInt32(data.count)); local.le32(declared); local.le16(UInt16(name.count)); local.le16(0)
            out += local + name + data
            central.le32(0x0201_4B50); central.le16(20); central.le16(20); central.le16(0x0800); central.le16(method)
            central.le16(0); central.le16(0x21); central.le32(crc); central.le32(UInt32(data.count)); central.le32(declared)
            central.le16(UInt16(name.count)); central.le16(0); central.le16(0); central.le16(0); central.le16(0); central.le32(0)
            central.le32(offset)
            central += name
        }
        let centralOffset = UInt32(out.count)
        out += central
        out.le32(0x0605_4B50); out.le16(0); out.le16(0); out.le16(UInt16(entries.count)); out.le16(UInt16(entries.count))
        out.le32(UInt32(central.count)); out.le32(centralOffset); out.le16(0)
        return out
    }

    struct CRC32 {
        static let table: [UInt32] = (0..<256).map { n in
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            return c
        }
        var state: UInt32 = 0xFFFF_FFFF
        mutating func update(_ bytes: [UInt8]) {
            for b in bytes { state = Self.table[Int((state ^ UInt32(b)) & 0xFF)] ^ (state >> 8) }
        }
        var value: UInt32 { state ^ 0xFFFF_FFFF }
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }

    private struct Bits {
        var bytes: [UInt8] = []
        var current: UInt32 = 0
        var count = 0
        mutating func write(_ value: UInt32, _ n: Int) {  // LSB first
            for i in 0..<n {
                current |= ((value >> UInt32(i)) & 1) << UInt32(count)
                count += 1
                if count == 8 { bytes.append(UInt8(current)); current = 0; count = 0 }
            }
        }
        mutating func huffman(_ code: UInt32, _ n: Int) {  // Huffman codes go MSB first
            for i in (0..<n).reversed() { write((code >> UInt32(i)) & 1, 1) }
        }
        mutating func literal(_ byte: UInt8) {
            if byte < 144 { huffman(0x30 + UInt32(byte), 8) } else { huffman(0x190 + UInt32(byte) - 144, 9) }
        }
        mutating func finish() -> [UInt8] {
            if count > 0 { bytes.append(UInt8(current)) }
            return bytes
        }
    }

    /// One fixed-Huffman block: the prefix and the pattern as literals, then copies of 258 bytes at the
    /// pattern's distance, the tail and the suffix as literals.
    static func deflateRepeated(prefix: [UInt8], pattern: [UInt8], count: Int, suffix: [UInt8]) -> [UInt8] {
        var bits = Bits()
        bits.write(1, 1)  // BFINAL
        bits.write(1, 2)  // fixed Huffman
        for b in prefix { bits.literal(b) }
        if count > 0 && !pattern.isEmpty {
            for b in pattern { bits.literal(b) }
            var remaining = pattern.count * (count - 1)
            let distance = pattern.count
            var code = 0, extra = 0, base = 1
            if distance <= 4 { code = distance - 1 } else {
                code = 4
                while true {
                    extra = (code - 2) / 2
                    base = (1 << (extra + 1)) + 1 + ((code & 1) << extra)
                    if distance < base + (1 << extra) { break }
                    code += 1
                }
            }
            var position = pattern.count
            while remaining >= 258 {
                bits.huffman(0xC5, 8)  // length 258 (symbol 285)
                bits.huffman(UInt32(code), 5)
                if distance > 4 { bits.write(UInt32(distance - base), extra) }
                remaining -= 258
                position += 258
            }
            for _ in 0..<remaining { bits.literal(pattern[position % pattern.count]); position += 1 }
        }
        for b in suffix { bits.literal(b) }
        bits.huffman(0, 7)  // end of block
        return bits.finish()
    }
}

extension Array where Element == UInt8 {
    mutating func le16(_ v: UInt16) { append(UInt8(v & 0xFF)); append(UInt8(v >> 8)) }
    mutating func le32(_ v: UInt32) { for i in 0..<4 { append(UInt8((v >> UInt32(8 * i)) & 0xFF)) } }
}

/// Minimal .docx and .xlsx packages around given XML, for the reader's tests.
enum OfficeTestDocuments {
    static let rels = #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%@"/></Relationships>"#

    static func docx(body: String) -> [UInt8] {
        let document = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>"# + body + "<w:sectPr/></w:body></w:document>"
        return OfficeTestZip.make([
            OfficeTestZip.stored("[Content_Types].xml", "<Types/>"),
            OfficeTestZip.stored("_rels/.rels", rels.replacingOccurrences(of: "%@", with: "word/document.xml")),
            OfficeTestZip.stored("word/document.xml", document),
        ])
    }

    /// A workbook of the given sheets (name, sheetData and after-sheetData XML, state), styles and shared strings.
    static func xlsx(sheets: [(name: String, xml: String, state: String?)], styles: String? = nil, sharedStrings: [String]? = nil, date1904: Bool = false, extra: [OfficeTestZip.Entry] = []) -> [UInt8] {
        var workbook = #"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        workbook += date1904 ? #"<workbookPr date1904="1"/>"# : "<workbookPr/>"
        workbook += "<sheets>"
        var workbookRels = #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        var entries: [OfficeTestZip.Entry] = [
            OfficeTestZip.stored("[Content_Types].xml", "<Types/>"),
            OfficeTestZip.stored("_rels/.rels", rels.replacingOccurrences(of: "%@", with: "xl/workbook.xml")),
        ]
        for (i, sheet) in sheets.enumerated() {
            workbook += #"<sheet name="\#(sheet.name)" sheetId="\#(i + 1)" r:id="rId\#(i + 1)"\#(sheet.state.map { " state=\"\($0)\"" } ?? "")/>"#
            workbookRels += #"<Relationship Id="rId\#(i + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#(i + 1).xml"/>"#
            entries.append(OfficeTestZip.stored("xl/worksheets/sheet\(i + 1).xml", worksheet(sheet.xml)))
        }
        workbook += "</sheets></workbook>"
        if let styles {
            workbookRels += #"<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
            entries.append(OfficeTestZip.stored("xl/styles.xml", #"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"# + styles + "</styleSheet>"))
        }
        if let sharedStrings {
            workbookRels += #"<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
            entries.append(OfficeTestZip.stored("xl/sharedStrings.xml", #"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"# + sharedStrings.joined() + "</sst>"))
        }
        workbookRels += "</Relationships>"
        entries.append(OfficeTestZip.stored("xl/workbook.xml", workbook))
        entries.append(OfficeTestZip.stored("xl/_rels/workbook.xml.rels", workbookRels))
        return OfficeTestZip.make(entries + extra)
    }

    static let worksheetOpen = #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#

    static func worksheet(_ inner: String) -> String {
        worksheetOpen + inner + "</worksheet>"
    }
}

/// Hostile and broken files end in one clear error, with bounded memory and time, never a crash or hang.
struct OfficeHostileFileTests {
    func error(_ bytes: [UInt8], file: String = "bad.xlsx", limits: OfficeLimits = OfficeLimits()) -> OfficeReadError? {
        do {
            _ = try OfficeReader.rows(of: bytes, file: file, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    func sheet(_ xml: OfficeTestZip.Entry) -> [UInt8] {
        OfficeTestZip.make(xlsxSkeleton + [xml])
    }

    /// A workbook of one sheet whose part is given.
    var xlsxSkeleton: [OfficeTestZip.Entry] {
        [
            OfficeTestZip.stored("_rels/.rels", OfficeTestDocuments.rels.replacingOccurrences(of: "%@", with: "xl/workbook.xml")),
            OfficeTestZip.stored("xl/workbook.xml", #"<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            OfficeTestZip.stored("xl/_rels/workbook.xml.rels", #"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ]
    }

    @Test func binaryOfficeFilesAreRefusedWithTheConversion() throws {
        var ole = FormatSniffer.ole2Magic + [UInt8](repeating: 0, count: 504)
        ole += Array("Workbook".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let xls = try #require(error(ole, file: "报表.xls"))
        #expect(xls.kind == .unsupportedFormat)
        #expect(xls.description == "报表.xls: a binary Excel/WPS workbook (.xls/.et, OLE2), which budgetq does not read; convert it with `soffice --headless --convert-to xlsx 报表.xls` and load the converted file")
        let doc = FormatSniffer.ole2Magic + Array("WordDocument".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(OfficeReader.refusal(of: doc, file: "a.doc")?.message.contains("--convert-to docx a.doc") == true)
        #expect(OfficeReader.refusal(of: Array("%PDF-1.7\n".utf8), file: "a.pdf")?.message.hasPrefix("a PDF file") == true)
        #expect(OfficeReader.refusal(of: Array("{\\rtf1\\ansi".utf8), file: "a.doc")?.kind == .unsupportedFormat)
        #expect(OfficeReader.refusal(of: Array("项目名称\t\tx\n".utf8), file: "a.txt") == nil)
        #expect(OfficeReader.detect(ole) == nil)
    }

    @Test func notAZipAndTruncatedZip() throws {
        let garbage = try #require(error([0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0x41, count: 300), file: "a.docx"))
        #expect(garbage.kind == .corruptDocument)
        guard let sample = OfficeSamples.bytes(OfficeSamples.office + "/01-qingshen-fgj-2023-ziping.docx") else { return }
        let truncated = try #require(error(Array(sample.prefix(sample.count / 2)), file: "01.docx"))
        #expect(truncated.kind == .corruptDocument)
        #expect(truncated.description.hasPrefix("01.docx: not a readable zip archive"))
        let notOffice = OfficeTestZip.make([OfficeTestZip.stored("readme.txt", "hi")])
        #expect(error(notOffice, file: "a.docx")?.message.contains("without word/document.xml or xl/workbook.xml") == true)
        // A flipped byte inside a part: the checksum catches it and the part is named.
        var flipped = OfficeTestDocuments.docx(body: "<w:p><w:r><w:t>文字文字文字</w:t></w:r></w:p>")
        let at = try #require(HTMLTableReader.Tokenizer.find(Array("文字".utf8), in: flipped, from: 0))
        flipped[at] ^= 0x01
        let checksum = try #require(error(flipped, file: "a.docx"))
        #expect(checksum.part == "word/document.xml" && checksum.kind == .corruptDocument)
    }

    @Test func zipBombDeclaredTooLargeIsRefusedBeforeInflating() throws {
        let bomb = OfficeTestZip.Entry(name: "xl/worksheets/sheet1.xml", content: .repeated(prefix: [], pattern: Array("<row/>".utf8), count: 1_000, suffix: []), declaredSize: 300_000_000, skipCRC: true)
        let found = try #require(error(sheet(bomb)))
        #expect(found.kind == .limitExceeded)
        #expect(found.description == "bad.xlsx: xl/worksheets/sheet1.xml: the part declares 300000000 bytes uncompressed, more than the 268435456 allowed per part (OfficeLimits.maxPartBytes); refused as a zip bomb")
    }

    @Test func zipBombLyingAboutItsSizeIsStoppedWhileInflating() throws {
        let bomb = OfficeTestZip.Entry(name: "xl/worksheets/sheet1.xml", content: .repeated(prefix: [], pattern: Array("<row/>".utf8), count: 4_000_000, suffix: []), declaredSize: 1000, skipCRC: true)
        let found = try #require(error(sheet(bomb), limits: OfficeLimits(maxPartBytes: 4 << 20)))
        #expect(found.kind == .limitExceeded)
        #expect(found.message.contains("inflates past 4194304 bytes (OfficeLimits.maxPartBytes) though it declares 1000"))
        // All parts together: each under the per-part limit, the document over the total.
        let parts = (1...4).map { OfficeTestZip.Entry(name: "xl/worksheets/sheet\($0).xml", content: .repeated(prefix: Array("<worksheet><sheetData>".utf8), pattern: Array("<row/>".utf8), count: 500_000, suffix: Array("</sheetData></worksheet>".utf8))) }
        let workbook = #"<workbook xmlns:r="r"><sheets>"# + (1...4).map { #"<sheet name="S\#($0)" r:id="rId\#($0)"/>"# }.joined() + "</sheets></workbook>"
        let rels = "<Relationships>" + (1...4).map { #"<Relationship Id="rId\#($0)" Type="x/worksheet" Target="worksheets/sheet\#($0).xml"/>"# }.joined() + "</Relationships>"
        let many = OfficeTestZip.make([xlsxSkeleton[0], OfficeTestZip.stored("xl/workbook.xml", workbook), OfficeTestZip.stored("xl/_rels/workbook.xml.rels", rels)] + parts)
        let total = try #require(error(many, limits: OfficeLimits(maxPartBytes: 4 << 20, maxTotalBytes: 8 << 20)))
        #expect(total.kind == .limitExceeded && total.message.contains("OfficeLimits.maxTotalBytes"), "\(total)")
    }

    @Test func aMillionEmptyRowsStreamCheaply() throws {
        let open = Array((OfficeTestDocuments.worksheetOpen + "<dimension ref=\"A1\"/><sheetData>").utf8)
        let close = Array("<row><c r=\"B1000002\" t=\"inlineStr\"><is><t>末行</t></is></c></row></sheetData></worksheet>".utf8)
        let rows = OfficeTestZip.Entry(name: "xl/worksheets/sheet1.xml", content: .repeated(prefix: open, pattern: Array("<row/>".utf8), count: 1_000_000, suffix: close))
        let start = Date()
        let read = try OfficeReader.rows(of: sheet(rows), file: "rows.xlsx")
        #expect(read.map(\.cells) == [["", "末行"]])
        #expect(read.first?.position == .cell(sheet: "S", row: 1_000_001, column: 0))
        #expect(Date().timeIntervalSince(start) < 60)
    }

    @Test func farCellsDoNotAllocateADenseGrid() throws {
        let one = OfficeTestZip.stored("xl/worksheets/sheet1.xml", OfficeTestDocuments.worksheet("<sheetData><row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData><mergeCells><mergeCell ref=\"A1:XFD1048576\"/></mergeCells>"))
        let read = try OfficeReader.rows(of: sheet(one), file: "far.xlsx")
        #expect(read.count == 0)  // the merge's top-left is A1, so XFD1048576 is covered and empty
        let unmerged = OfficeTestZip.stored("xl/worksheets/sheet1.xml", OfficeTestDocuments.worksheet("<sheetData><row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>"))
        let far = try OfficeReader.rows(of: sheet(unmerged), file: "far.xlsx")
        #expect(far.first?.cells.count == 16384 && far.first?.cells.last == "1")
        let everyRow = OfficeTestZip.Entry(name: "xl/worksheets/sheet1.xml", content: .repeated(prefix: Array((OfficeTestDocuments.worksheetOpen + "<sheetData>").utf8), pattern: Array("<row><c r=\"XFD1\"><v>1</v></c></row>".utf8), count: 2_000, suffix: Array("</sheetData></worksheet>".utf8)))
        let found = try #require(error(sheet(everyRow), limits: OfficeLimits(maxCells: 1_000_000)))
        #expect(found.kind == .limitExceeded && found.message.contains("more than 1000000 cells"))
        #expect(error(sheet(OfficeTestZip.stored("xl/worksheets/sheet1.xml", OfficeTestDocuments.worksheet("<sheetData><row><c r=\"XFE1\"><v>1</v></c></row></sheetData>"))))?.message.contains("cell reference “XFE1”") == true)
    }

    static let billionLaughs = #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>"#

    @Test func entityExpansionIsRefused() throws {
        let xml = Self.billionLaughs + #"<worksheet><sheetData><row><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"#
        let found = try #require(error(sheet(OfficeTestZip.stored("xl/worksheets/sheet1.xml", xml))))
        #expect(found.kind == .malformedXML)
        #expect(found.description.hasPrefix("bad.xlsx: xl/worksheets/sheet1.xml: the XML declares a DOCTYPE or entities"))
        let spreadsheetML = Self.billionLaughs.replacingOccurrences(of: "lolz", with: "Workbook") + #"<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row><Cell><Data ss:Type="String">&lol9;</Data></Cell></Row></Table></Worksheet></Workbook>"#
        #expect(OfficeReader.detect(Array(spreadsheetML.utf8)) == .spreadsheetML)
        #expect(error(Array(spreadsheetML.utf8), file: "a.xls")?.kind == .malformedXML)
        // UTF-16 cannot hide the DOCTYPE.
        let utf16: [UInt8] = [0xFF, 0xFE] + xml.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(error(sheet(OfficeTestZip.Entry(name: "xl/worksheets/sheet1.xml", content: .stored(utf16))))?.kind == .malformedXML)
    }

    @Test func malformedXMLNamesThePartAndLine() throws {
        let xml = OfficeTestDocuments.worksheetOpen + "\n<sheetData>\n<row><c r=\"A1\"><v>1</v></row>\n</sheetData></worksheet>"
        let found = try #require(error(sheet(OfficeTestZip.stored("xl/worksheets/sheet1.xml", xml))))
        #expect(found.kind == .malformedXML)
        #expect(found.description.hasPrefix("bad.xlsx: xl/worksheets/sheet1.xml: XML error at line 3"), "\(found)")
        let deep = OfficeTestDocuments.worksheet(String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000))
        _ = error(sheet(OfficeTestZip.stored("xl/worksheets/sheet1.xml", deep)))  // an error or nothing, but no crash
        let missing = OfficeTestZip.make(xlsxSkeleton)
        #expect(error(missing)?.message.contains("sheet “S” points to xl/worksheets/sheet1.xml, which the zip does not hold") == true)
        let entries = try #require(error(OfficeTestDocuments.docx(body: "<w:p/>"), file: "a.docx", limits: OfficeLimits(maxEntries: 2)))
        #expect(entries.kind == .limitExceeded)
    }

    @Test func hugeSpansInExportsAreBounded() throws {
        let xml = #"<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table>"#
            + #"<Row><Cell ss:MergeAcross="99999999" ss:MergeDown="99999999"><Data ss:Type="String">大</Data></Cell></Row><Row><Cell><Data ss:Type="String">下</Data></Cell></Row>"#
            + #"<Row ss:Index="99999999"><Cell ss:Index="16384"><Data ss:Type="String">远</Data></Cell></Row></Table></Worksheet></Workbook>"#
        // The merge covers every column of the next row, so 下 would sit past column 16384.
        #expect(error(Array(xml.utf8), file: "a.xls")?.description == "a.xls: Worksheet “S”: a cell at column 16385 in row 2, past Excel's 16384 columns; expected an Excel XML spreadsheet's table")
        let far = xml.replacingOccurrences(of: #"<Row><Cell><Data ss:Type="String">下</Data></Cell></Row>"#, with: "")
        let rows = try OfficeReader.rows(of: Array(far.utf8), file: "a.xls")
        #expect(rows.map { $0.cells.filter { !$0.isEmpty } } == [["大"], ["远"]])
        let html = "<table><tr><td colspan=999999999 rowspan=999999999>大</td><td>右</td></tr><tr><td>下</td></tr></table>"
        let htmlRows = try OfficeReader.rows(of: Array(html.utf8), file: "a.xls")
        #expect(htmlRows.map(\.cells.count) == [1001, 1001])
    }
}

/// Inputs the fuzzer found (FuzzOffice); each once trapped.
struct OfficeFuzzRegressionTests {
    @Test func invalidUTF8InAnAttributeNameIsAnErrorNotATrap() throws {
        // FoundationXML traps on a name that is not UTF-8 (ss:F\xD8ormat): such bytes never reach it.
        let xml: [UInt8] = Array(#"<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Styles><Style ss:ID="a"><NumberFormat ss:F"#.utf8) + [0xD8] + Array(#"ormat="0"/></Style></Styles></Workbook>"#.utf8)
        #expect(throws: OfficeReadError.self) { try OfficeReader.rows(of: xml, file: "a.xls") }
        do { _ = try OfficeReader.rows(of: xml, file: "a.xls") } catch {
            #expect(error.description.hasPrefix("a.xls: Workbook: bytes that are not UTF-8 near byte"))
        }
    }

    @Test func offsetsPastTheEndAreAnErrorNotATrap() throws {
        // ZIPFoundation's in-memory archive trapped on a local-header offset past the end of the data.
        var zip = OfficeTestDocuments.docx(body: "<w:p><w:r><w:t>x</w:t></w:r></w:p>")
        let central = try #require(HTMLTableReader.Tokenizer.find([0x50, 0x4B, 0x01, 0x02], in: zip, from: 0))
        for k in 0..<4 { zip[central + 42 + k] = 0x7F }  // relative offset of the first local header
        #expect(OfficeReader.detect(zip) == .docx || OfficeReader.detect(zip) == nil)
        #expect(throws: OfficeReadError.self) { try OfficeReader.rows(of: zip, format: .docx, file: "a.docx") }
    }

    @Test func processingInstructionWithoutDataIsNotACrash() throws {
        // FoundationXML dereferences a NULL data pointer for <?x?>: processing instructions are removed first.
        let xml = #"<?xml version="1.0" eion="1.0"?><?x?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table><Row><Cell><Data>是</Data></Cell></Row></Table></Worksheet></Workbook>"#
        #expect(try OfficeReader.rows(of: Array(xml.utf8), format: .spreadsheetML, file: "a.xls").map(\.cells) == [["是"]])
    }

    @Test func legacyAndUTF16EncodingsAreConverted() throws {
        let body = #"<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="表"><Table><Row><Cell><Data ss:Type="String">项目</Data></Cell></Row></Table></Worksheet></Workbook>"#
        let gbk = try #require(TextDecoding.iconvConvert(Array((#"<?xml version="1.0" encoding="GB2312"?>"# + body).utf8), from: "UTF-8", to: "GB18030"))
        #expect(try OfficeReader.rows(of: gbk, file: "a.xls").map(\.cells) == [["项目"]])
        let utf16: [UInt8] = [0xFF, 0xFE] + (#"<?xml version="1.0" encoding="UTF-16"?>"# + body).utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(OfficeReader.detect(utf16) == .spreadsheetML)
        #expect(try OfficeReader.rows(of: utf16, file: "a.xls").map(\.cells) == [["项目"]])
    }
}
