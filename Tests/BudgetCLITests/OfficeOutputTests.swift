import Foundation
import Testing

/// Files made to hand on (issue 14): valid JSON and CSV for a whole run, a workbook read back by
/// openpyxl, an HTML memo rendered in headless Chromium.
@Suite(.serialized) struct OfficeOutputTests {
    static let monthly = ["run", "queries/monthly-summary.bq", "--param", "month=2024-06"]

    @Test func runAsJSONIsOneDocument() throws {
        let result = try BudgetqProcess.run(Self.monthly + ["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        let sections = try #require(parsed)
        #expect(sections.count == 4)
        #expect(sections.map { $0["title"] as? String } == ["Disbursements in the month, by project",
                                                             "Cumulative execution against each project's 预算执行率 target",
                                                             "Projects behind or overdue on their 时效 deadlines", "Totals by project type"])
        let execution = sections[1]
        let columns = try #require(execution["columns"] as? [String])
        #expect(columns == ["project", "budget", "paid_to_date", "rate", "target", "status"])
        let rows = try #require(execution["rows"] as? [[Any]])
        #expect(rows.count == 9)
        // Exact numbers, not display text: the fraction, not 35.61%.
        #expect((rows[0][3] as? Double).map { abs($0 - 0.356095238095238) < 1e-15 } == true)
    }

    @Test func severalResultsNeverMakeOneBrokenCSV() throws {
        let refused = try BudgetqProcess.run(Self.monthly + ["--format", "csv"])
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("4 results") && refused.stderr.contains("--out DIR/") && refused.stderr.contains("xlsx"))
        let folder = NSTemporaryDirectory() + "budgetq-csv-\(UUID().uuidString)/"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let written = try BudgetqProcess.run(Self.monthly + ["--format", "csv", "--out", folder])
        #expect(written.status == 0, "\(written.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files.count == 4)
        #expect(files.first == "01-Disbursements in the month, by project.csv")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + files[1]))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "a UTF-8 BOM for Excel and WPS")
        #expect(String(decoding: bytes.dropFirst(3), as: UTF8.self).hasPrefix("project,budget,paid_to_date,rate,target,status\r\n机关事业单位派遣人员经费,105000.00,37390.00,0.356095238095238,0.9,on_track"))
        // One result: one CSV, to standard output without a BOM, to a file with one unless --no-bom.
        let one = try BudgetqProcess.run(["run", "queries/budget-by-type.bq", "--param", "year=2024", "--format", "csv"])
        #expect(one.status == 0 && one.stdout.hasPrefix("type,total,projects,share\r\n"), "\(one.stdout)")
        let file = folder + "one.csv"
        _ = try BudgetqProcess.run(["run", "queries/budget-by-type.bq", "--param", "year=2024", "--out", file, "--no-bom"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)).first == UInt8(ascii: "t"))
    }

    @Test func exportWritesABOMAndARealWorkbook() throws {
        let folder = NSTemporaryDirectory() + "budgetq-export-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try BudgetqProcess.run(["export", "projects", "--out", folder + "p.csv"])
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "p.csv")).prefix(3)) == [0xEF, 0xBB, 0xBF])
        let stdout = try BudgetqProcess.run(["export", "projects"])
        #expect(stdout.stdout.hasPrefix("id,"), "standard output has no BOM")
        let xlsx = try BudgetqProcess.run(["export", "execution", "--out", folder + "e.xlsx"])
        #expect(xlsx.status == 0, "\(xlsx.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: folder + "e.xlsx"))
        #expect(Array(bytes.prefix(2)) == [0x50, 0x4B], "a zip (PK), not CSV text")
    }

    @Test func workbookReadBackByOpenpyxl() throws {
        let result = try ScriptedTests.python("Tests/office/check_xlsx.py", ["--binary", BudgetqProcess.binary])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("numeric cells equal to the CSV"), "\(result.stdout)")
    }

    /// Payment and actuals ledgers rewritten by openpyxl as finance-system workbooks load equal to the CSV files.
    @Test func excelLedgersLoadEqualToTheirCSV() throws {
        let result = try ScriptedTests.python("Tests/office/xlsx_ledgers.py", ["--binary", BudgetqProcess.binary])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("load equal to the CSV files"), "\(result.stdout)")
        #expect(result.stdout.contains("also when reopened from the cache; ok"), "\(result.stdout)")
    }

    @Test func htmlMemoInHeadlessChromium() throws {
        let result = try ScriptedTests.python("Tests/office/check_html.py", ["--binary", BudgetqProcess.binary])
        if result.status == 77 {
            print("htmlMemoInHeadlessChromium skipped: \(result.stdout)")
            return
        }
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("numbers equal to the query's"), "\(result.stdout)")
    }
}
