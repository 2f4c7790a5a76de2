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
