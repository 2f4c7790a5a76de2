import Foundation
import Testing

/// The saved scripts in queries/, run on the bundled datasets, against golden outputs.
/// Set BUDGETQ_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
@Suite(.serialized) struct SavedScriptTests {
    static let cases: [(script: String, parameters: [String], format: String, golden: String)] = [
        ("monthly-summary.bq", ["month=2024-06"], "markdown", "monthly-summary-2024-06.md"),
        ("monthly-summary.bq", ["month=2024-06"], "json", "monthly-summary-2024-06.json"),
        ("monthly-summary.bq", ["month=2023-11"], "table", "monthly-summary-2023-11.txt"),
        ("budget-by-type.bq", ["year=2024"], "table", "budget-by-type-2024.txt"),
        ("budget-by-region.bq", ["year=2024"], "table", "budget-by-region-2024.txt"),
        ("year-over-year.bq", ["from=2023", "to=2024"], "table", "year-over-year-2023-2024.txt"),
        ("indicator-coverage.bq", ["year=2024"], "markdown", "indicator-coverage-2024.md"),
    ]

    @Test(arguments: 0..<cases.count)
    func savedScriptMatchesGolden(_ index: Int) throws {
        let c = Self.cases[index]
        var arguments = ["run", "queries/\(c.script)", "--format", c.format]
        for p in c.parameters { arguments += ["--param", p] }
        let result = try BudgetqProcess.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let path = BudgetqProcess.root + "/Tests/BudgetCLITests/golden/" + c.golden
        if ProcessInfo.processInfo.environment["BUDGETQ_UPDATE_GOLDEN"] == "1" {
            try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        #expect(result.stdout == golden)
    }

    /// The report's June disbursements equal the ledger summed here, independently of budgetq.
    @Test func monthlyTotalsAgreeWithTheLedger() throws {
        let ledger = try String(contentsOfFile: BudgetqProcess.root + "/datasets/payments-2024.csv", encoding: .utf8)
        var expected: [String: Int64] = [:]
        for line in ledger.split(separator: "\n") where line.hasPrefix("2024-06-") {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let fen = Int64(fields[3].replacingOccurrences(of: ".", with: "")) ?? -1
            expected[String(fields[2]), default: 0] += fen
        }
        #expect(!expected.isEmpty)
        // The run as one JSON document; its amounts are exact decimal text (a Double would round),
        // one row a line, so each section's rows are read from the text itself.
        let result = try BudgetqProcess.run(["run", "queries/monthly-summary.bq", "--param", "month=2024-06", "--format", "json"])
        let sections = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        try #require(sections.count == 4)
        let texts = result.stdout.components(separatedBy: "{\"title\": ").dropFirst().map { $0.split(separator: "\n").filter { $0.hasPrefix("    [") } }
        func fields(_ line: Substring) -> [String] {
            line.trimmingCharacters(in: CharacterSet(charactersIn: " [],")).components(separatedBy: ", ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        func fen(_ text: String) -> Int64 { Int64(text.replacingOccurrences(of: ".", with: "")) ?? -1 }
        var reported: [String: Int64] = [:]
        for line in texts[0] { let f = fields(line); reported[f[0]] = fen(f[1]) }
        #expect(reported == expected)
        let paidInMonth = texts[3].reduce(Int64(0)) { $0 + fen(fields($1)[2]) }
        #expect(paidInMonth == expected.values.reduce(0, +))
    }

    @Test func runStopsAtTheFirstErrorNamingFileAndLine() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).bq").path
        defer { try? FileManager.default.removeItem(atPath: script) }
        try "# first\nprojects | count\n\n# second\nprojects | summarize sum(budgett)\n\n# third\nprojects | count\n".write(toFile: script, atomically: true, encoding: .utf8)
        let result = try BudgetqProcess.run(["run", script])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(script):5:26: error: no column `budgett` in projects"))
        #expect(result.stdout.contains("== first =="))
        #expect(result.stdout.contains("== second =="))
        #expect(!result.stdout.contains("== third =="))
        let missing = try BudgetqProcess.run(["run", "queries/monthly-summary.bq"])
        #expect(missing.status == 1)
        // Checked before any output (issue 15, item 9): the script's parameters are named.
        #expect(missing.stderr.contains("queries/monthly-summary.bq: error: parameter month is not given; pass --param month=… (this script takes month)"))
        #expect(missing.stdout.isEmpty)
    }

    @Test func compareGivesDeltasForEveryType() throws {
        let result = try BudgetqProcess.run(["-c", "projects | compare year 2023 vs 2024 of sum(budget) by type", "--format", "csv"])
        let rows = result.stdout.split(separator: "\r\n").dropFirst()
        #expect(rows.count == 3)
        for row in rows { #expect(!row.split(separator: ",", omittingEmptySubsequences: false)[3].isEmpty) }
    }
}
