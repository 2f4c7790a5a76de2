import BudgetCore
@testable import BudgetDocuments
import Foundation
import Testing

/// Ledgers as finance systems export them: Chinese headers and their variants, any column order,
/// extra columns ignored with a note, and Excel sheets (issue 15, item 4).
struct LedgerHeaderTests {
    static let projects = DocumentLoader.load(paths: [TestPaths.seed]).projects

    /// The first rows of the bundled 2024 ledger (English header), comment line dropped.
    static func englishRows(_ count: Int) throws -> [[String]] {
        let text = try String(contentsOfFile: TestPaths.datasets + "/payments-2024.csv", encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
        #expect(lines[0] == "date,department,project,amount,note")
        return lines.dropFirst().prefix(count).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    static func csv(_ header: [String], _ rows: [[String]]) -> [UInt8] {
        Array(([header.joined(separator: ",")] + rows.map { $0.joined(separator: ",") }).joined(separator: "\n").utf8)
    }

    /// What a payment is, apart from the file it came from.
    static func key(_ p: PaymentRecord) -> String {
        "\(p.date)|\(p.department)|\(p.project)|\(p.projectIndex)|\(p.amountFen)|\(p.note)|\(p.line)"
    }

    /// A name spelled with other bytes but equal as a `String` (a decomposed accent) pays the same
    /// project, and two projects whose names are such spellings of one name are one name: a row
    /// without a department is ambiguous between them, whichever spelling it uses.
    @Test func canonicallyEqualSpellingsOfANameMatchAsOneName() throws {
        var projects = Array(Self.projects.prefix(2))
        let composed = "Caf\u{E9}帮扶资金", decomposed = "Cafe\u{301}帮扶资金"
        #expect(composed == decomposed && Array(composed.utf8) != Array(decomposed.utf8))
        projects[0].name = composed
        let year = projects[0].year
        let one = LedgerReader.read(bytes: Self.csv(["date", "department", "project", "amount", "note"], [["\(year)-03-01", "", decomposed, "100.00", ""]]),
                                    file: "one.csv", projects: projects)
        #expect(one.payments.map(\.projectIndex) == [0], "\(one.diagnostics)")
        projects[1].name = decomposed
        projects[1].year = year
        for spelling in [composed, decomposed] {
            let both = LedgerReader.read(bytes: Self.csv(["date", "department", "project", "amount", "note"], [["\(year)-03-01", "", spelling, "100.00", ""]]),
                                         file: "both.csv", projects: projects)
            #expect(both.payments.isEmpty)
            #expect(both.diagnostics.contains { $0.message.contains("ambiguous project") }, "\(both.diagnostics)")
        }
    }

    @Test func aChineseHeaderShuffledLedgerLoadsEqualToTheEnglishOne() throws {
        let rows = try Self.englishRows(40)
        let english = LedgerReader.read(bytes: Self.csv(["date", "department", "project", "amount", "note"], rows), file: "en.csv", projects: Self.projects)
        // 金额, 摘要, 项目名称, 凭证号 (not read), 支付日期, 预算单位: every column moved, one added.
        let shuffled = rows.enumerated().map { i, r in [r[3], r[4], r[2], "记-\(i)", r[0], r[1]] }
        let chinese = LedgerReader.read(bytes: Self.csv(["金额", "摘要", "项目名称", "凭证号", "支付日期", "预算单位"], shuffled), file: "zh.csv", projects: Self.projects)
        #expect(english.payments.count == 40)
        #expect(english.diagnostics.filter { $0.severity == .error }.isEmpty, "\(english.diagnostics)")
        #expect(chinese.payments.map(Self.key) == english.payments.map(Self.key))
        #expect(chinese.diagnostics.filter { $0.severity == .error }.isEmpty, "\(chinese.diagnostics)")
        let note = try #require(chinese.diagnostics.first { $0.severity == .warning && $0.line == 1 })
        #expect(note.message == "column `凭证号` not read; a ledger's columns are date, department, project, amount and note")
    }

    @Test func theUsualVariantsAreRead() {
        for (header, field) in [("日期", LedgerField.date), ("记账日期", .date), ("部门", .department), ("预算单位", .department),
                                ("项目", .project), ("项目名称", .project), ("金额", .amount), ("支付金额", .amount), ("金额（元）", .amount),
                                ("备注", .note), ("摘要", .note), ("Date", .date), (" amount ", .amount)] {
            #expect(LabelBook.builtIn.ledgerField(header.trimmingCharacters(in: .whitespaces)) == field, "\(header)")
        }
        #expect(LabelBook.builtIn.ledgerField("凭证号") == nil)
        let header = LedgerHeader.read(["日期", "部门", "项目名称", "金额", "备注"])
        #expect(header?.columns == [.date: 0, .department: 1, .project: 2, .amount: 3, .note: 4])
    }

    @Test func aFolderLabelsFileWithoutSomeLedgerLinesKeepsTheBuiltInNamesOfThoseFields() {
        var diagnostics: [Diagnostic] = []
        // An older labels.tsv: payment fields only, one of them renamed.
        let book = LabelBook.parse("ledger.amount\t付款额\n", file: "labels.tsv", diagnostics: &diagnostics)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(book.ledgerField("付款额") == .amount)
        #expect(book.ledgerField("金额") == nil, "the folder's ledger.amount line replaces the built-in names of amount")
        #expect(book.ledgerField("指标名称") == .indicator && book.ledgerField("完成值") == .actual && book.ledgerField("日期") == .date)
    }

    @Test func anAmountHeaderIn万元IsReadIn万元() throws {
        let rows = try Self.englishRows(1)
        let result = LedgerReader.read(bytes: Self.csv(["日期", "项目名称", "支付金额(万元)"], [[rows[0][0], rows[0][2], "1.5"]]), file: "w.csv", projects: Self.projects)
        #expect(result.payments.map(\.amountFen) == [1_500_000])
    }

    @Test func aHeaderWithoutAnAmountColumnIsAnErrorNamingTheHeader() {
        let result = LedgerReader.read(bytes: Array("日期,项目名称,备注\n2024-03-03,x,y\n".utf8), file: "bad.csv", projects: Self.projects)
        #expect(result.payments.isEmpty)
        #expect(result.diagnostics.map(\.description) == [
            "bad.csv:1: error: expected the header date,department,project,amount,note (or 日期,部门,项目名称,金额,备注; see ledger.* in labels.tsv), found `日期,项目名称,备注`; file skipped"])
    }
}

/// Ledgers kept as Excel workbooks (issue 15 item 4, issue 16 item 2): found by their header,
/// read once every project is loaded, each problem named by sheet and cell.
struct SheetLedgerTests {
    /// A sheet's rows as inline-string cells (`nil` leaves a cell out).
    static func sheet(_ rows: [[String?]]) -> String {
        var xml = "<sheetData>"
        for (r, row) in rows.enumerated() {
            xml += "<row r=\"\(r + 1)\">"
            for (c, value) in row.enumerated() {
                guard let value else { continue }
                xml += "<c r=\"\(SourcePosition.columnLetters(c))\(r + 1)\" t=\"inlineStr\"><is><t>\(value)</t></is></c>"
            }
            xml += "</row>"
        }
        return xml + "</sheetData>"
    }

    static func rows(_ sheets: [(String, [[String?]])]) throws -> [GridRow] {
        let bytes = OfficeTestDocuments.xlsx(sheets: sheets.map { ($0.0, sheet($0.1), nil) })
        return try OfficeReader.rows(of: bytes, file: "l.xlsx")
    }

    static let project = LedgerHeaderTests.projects[0]

    @Test func aTitleRowThenAHeaderMakesALedgerAndADocumentStaysADocument() throws {
        let ledger = try Self.rows([("明细", [["2024年支付明细（单位：元）"], ["支付日期", "项目名称", "支付金额"], ["2024-03-01", Self.project.name, "1,000.00"]])])
        let found = try #require(SheetLedger.find(in: ledger, file: "l.xlsx"))
        #expect(found.kind == .payments && found.sheets.count == 1 && found.sheets[0].rows.count == 1)
        // A 目标表 sheet names 项目名称 and 金额 in its rows, never a ledger's header row.
        let document = try Self.rows([("目标表", [["项目名称", "对口帮扶", "主管部门", "东莞"], ["年度资金总额", "100", "其中：财政拨款", "100"]])])
        #expect(SheetLedger.find(in: document, file: "d.xlsx") == nil)
        // 实际完成值 and 三级指标 in a 自评表 header, without a date or project column, are no actuals ledger either.
        let ziping = try Self.rows([("自评", [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]])])
        #expect(SheetLedger.find(in: ziping, file: "z.xlsx") == nil)
        let actuals = try Self.rows([("完成值", [["日期", "项目名称", "指标名称", "完成值"], ["2024-07-31", Self.project.name, "x", "1"]])])
        #expect(SheetLedger.find(in: actuals, file: "a.xlsx")?.kind == .actuals)
    }

    @Test func rowsAreMatchedAndProblemsNameTheCell() throws {
        let name = Self.project.name
        let rows = try Self.rows([("支付", [["支付金额", "项目名称", "支付日期"],
                                            ["1,000.00", name, "2024-03-01"],
                                            ["5,00", name, "2024-03-02"],
                                            ["10", "没有这个项目", "2024-03-03"],
                                            ["20", name, "2024/13/01"],
                                            ["1,000.00", "合计"]]),
                                   ("说明", [["本表由财务系统导出"]])])
        let ledger = try #require(SheetLedger.find(in: rows, file: "l.xlsx"))
        let read = LedgerReader.read(sheets: ledger, file: "l.xlsx", projects: LedgerHeaderTests.projects, labels: .builtIn)
        #expect(read.payments.map(\.amountFen) == [100_000])
        #expect(read.payments.first?.line == 2)
        let messages = (ledger.diagnostics + read.diagnostics).map(\.description)
        #expect(messages.contains("l.xlsx:说明!A1: warning: sheet `说明` not read: no ledger header in its first rows, as the workbook's other sheets have"))
        #expect(messages.contains { $0.hasPrefix("l.xlsx:支付!A3: error: amount `5,00` is not a number") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("l.xlsx:支付!B4: error: unknown project `没有这个项目`") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("l.xlsx:支付!C5: error: bad date `2024/13/01`") }, "\(messages)")
        // The 合计 row adds up the amounts read above it (1,000.00 and 10; not 5,00, nor the row with a bad date).
        #expect(messages.contains("l.xlsx:支付!A6: warning: the 合计 row says 1,000.00 but the rows above it add up to 1,010.00"), "\(messages)")
    }

    @Test func aWorkbookOfPaymentsAndActualsSheetsIsRefusedSheetBySheet() throws {
        let rows = try Self.rows([("支付", [["日期", "项目", "金额"]]), ("完成值", [["日期", "项目", "指标", "完成值"]])])
        let ledger = try #require(SheetLedger.find(in: rows, file: "m.xlsx"))
        #expect(ledger.sheets.map(\.name) == ["支付"])
        #expect(ledger.diagnostics.map(\.description) == ["m.xlsx:完成值!A1: error: sheet `完成值` is an actuals ledger in a workbook of payments; keep each kind in its own workbook; sheet not read"])
    }
}
