import Foundation
import Testing
@testable import BudgetDocuments

/// Where the shared sample documents are: `../shared` beside the repository, as on every developer's
/// machine and in CI.
enum OfficeSamples {
    static let shared = URL(fileURLWithPath: TestPaths.root).deletingLastPathComponent().appendingPathComponent("shared").path
    static let realDocuments = shared + "/real-documents"
    static let office = realDocuments + "/office"

    /// The bytes of a shared file; records an issue (the test fails) when the shared folder is missing.
    static func bytes(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("missing \(path): the shared sample folder must sit at ../shared beside the repository", sourceLocation: sourceLocation)
            return nil
        }
        return [UInt8](data)
    }

    /// The text file an office sample was made from.
    static func textNamesake(of officeFile: String) -> String {
        let stem = (officeFile as NSString).deletingPathExtension
        if stem.hasPrefix("000_") { return shared + "/seeds/" + stem + ".txt" }
        return realDocuments + "/" + stem + ".txt"
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
