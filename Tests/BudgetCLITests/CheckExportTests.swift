import Foundation
import SwiftCSV
import Testing

/// `budgetq check` and `budgetq export` end to end on the bundled datasets.
@Suite(.serialized) struct CheckExportTests {
    static let seed = "datasets/2024-dongguan-economic-cooperation-office.txt"

    @Test func checkBundledDatasets() throws {
        let result = try BudgetqProcess.run(["check", "datasets"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("projects: 31 (2021: 4, 2022: 7, 2023: 8, 2024: 9, 2025: 3)"))
        #expect(result.stdout.contains("published (real): 1 file, 9 projects (2024: 9), 60 filled indicators, budget 1,618,035,000.00 yuan"))
        #expect(result.stdout.contains("errors: 0, warnings: 0"))
        let seed = try BudgetqProcess.run(["check", Self.seed])
        #expect(seed.status == 0)
        #expect(seed.stdout.contains("projects: 9 (2024: 9)"))
        #expect(seed.stdout.contains("indicators: 60 filled"))
    }

    @Test func checkExitsOneOnErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let seed = try String(contentsOfFile: BudgetqProcess.root + "/datasets/2024-dongguan-economic-cooperation-office.txt", encoding: .utf8)
        try seed.replacingOccurrences(of: "450,000.00", with: "五十万").write(to: dir.appendingPathComponent("bad.txt"), atomically: true, encoding: .utf8)
        let result = try BudgetqProcess.run(["check", dir.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(dir.path)/bad.txt:60: error: amount `五十万` under `2024年预算金额（元）` is not a number"))
        // The table still loads, its budget null.
        #expect(result.stdout.contains("tables: 9 (9 loaded, 0 skipped)"))
    }

    @Test func exportProjectsCSV() throws {
        let result = try BudgetqProcess.run(["export", "projects", "--format", "csv", "--data", Self.seed])
        #expect(result.status == 0)
        let csv = try CSV<Named>(string: result.stdout, delimiter: .comma)
        #expect(csv.header.prefix(4) == ["id", "year", "name", "type"])
        let budgets = csv.rows.compactMap { $0["budget"] }
        #expect(budgets.allSatisfy { $0.split(separator: ".").last?.count == 2 })
        let totalFen = budgets.reduce(Int64(0)) { $0 + Int64($1.replacingOccurrences(of: ".", with: ""))! }
        #expect(totalFen == 161_803_500_000)
        var byType: [String: Int64] = [:]
        for row in csv.rows { byType[row["type"] ?? "", default: 0] += Int64((row["budget"] ?? "").replacingOccurrences(of: ".", with: "")) ?? -1 }
        #expect(byType.values.sorted() == [10_500_000, 167_000_000, 161_626_000_000])
        var regions: [String: Int] = [:]
        for row in csv.rows { for r in (row["regions"] ?? "").split(separator: ";") { regions[String(r), default: 0] += 1 } }
        #expect(regions == ["铜仁": 2, "韶关": 2, "揭阳": 2, "巫山": 1])
        #expect(csv.rows.allSatisfy { $0["origin"] == "published" })
    }

    @Test func exportIndicatorsTSVAndJSONToFile() throws {
        let tsv = try BudgetqProcess.run(["export", "indicators", "--format", "tsv", "--data", Self.seed])
        let lines = tsv.stdout.split(separator: "\r\n")
        #expect(lines.count == 61)
        #expect(lines.first?.hasPrefix("project_id\tyear\tproject\tlevel1\tlevel2\tname\tperiod_target\tannual_target\tcmp\tvalue\tunit\tdeadline\tkind\tlevel1_raw\tlevel2_raw\tshort_name\tdirection\tweight\tactual\tactual_value\tscore\tstandard\tnote\texplanation\textra\tline") == true)
        #expect(lines.contains { $0.contains("\t帮扶资金\t2023年4亿元,每年增加5%\t4.2亿元\t=\t420000000\t元\t\tnumeric\t") })
        #expect(lines.contains { $0.contains("\t第二季度前\t\t\t\t2024-03-31\tdeadline\t") })
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-regions-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let json = try BudgetqProcess.run(["export", "regions", "--format", "json", "--out", out])
        #expect(json.status == 0 && json.stdout.isEmpty)
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        let parsed = try JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        #expect(parsed?.count == 4)
        #expect((parsed?.first { $0["region"] as? String == "铜仁" }?["aliases"] as? [String])?.contains("莞铜") == true)
    }

    @Test func exportUnknownTable() throws {
        let result = try BudgetqProcess.run(["export", "projcts"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no table `projcts`"))
    }
}
