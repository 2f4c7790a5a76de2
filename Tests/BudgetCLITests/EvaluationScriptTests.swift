import Foundation
import Testing

/// queries/self-evaluation.bq and queries/mid-year-monitoring.bq (issue 16) on the bundled data:
/// runnable in every output format, and the self-evaluation memo's totals add up to the cent.
@Suite(.serialized) struct EvaluationScriptTests {
    static let scripts: [(script: String, parameters: [String])] = [
        ("self-evaluation.bq", ["--param", "year=2023"]),
        ("mid-year-monitoring.bq", []),
    ]

    @Test(arguments: 0..<scripts.count, ["table", "markdown", "json", "html", "xlsx", "csv"])
    func runsInEveryFormat(_ index: Int, _ format: String) throws {
        let (script, parameters) = Self.scripts[index]
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-eval-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // xlsx is a file; several CSV results are one file each in a folder.
        var arguments = ["run", "queries/\(script)", "--format", format] + parameters
        if format == "xlsx" { arguments += ["--out", folder + "/memo.xlsx"] }
        if format == "csv" { arguments += ["--out", folder + "/"] }
        let result = try BudgetqProcess.run(arguments, environment: ["XDG_CACHE_HOME": folder + "/cache"])
        #expect(result.status == 0, "\(script) --format \(format): \(result.stderr)")
        if format == "xlsx" || format == "csv" {
            let written = (try? FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != "cache" }) ?? []
            #expect(!written.isEmpty, "\(script) --format \(format) wrote nothing")
        } else {
            #expect(!result.stdout.isEmpty)
        }
        if format == "json" {
            #expect((try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) is [Any], "one JSON document")
        }
        if format == "markdown" || format == "html" {
            #expect(result.stdout.contains("synthetic"), "the memo says what is synthetic")
        }
    }

    /// Every project's 预算执行 and category scores add up to its total, to the cent, in the memo itself.
    @Test func selfEvaluationTotalsAddUp() throws {
        let cache = NSTemporaryDirectory() + "budgetq-eval-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let result = try BudgetqProcess.run(["run", "queries/self-evaluation.bq", "--param", "year=2023", "--format", "json"],
                                            environment: ["XDG_CACHE_HOME": cache])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let summary = try #require(document.first)
        let columns = try #require(summary["columns"] as? [Any]).map { ($0 as? [String: Any])?["name"] as? String ?? ($0 as? String ?? "") }
        let rows = try #require(summary["rows"] as? [[Any]])
        #expect(rows.count == 8)
        func cents(_ value: Any?) -> Int64 {
            guard let value, !(value is NSNull) else { return 0 }
            let text = "\(value)"
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let whole = Int64(parts[0]) ?? 0
            let fraction = parts.count > 1 ? String((parts[1] + "00").prefix(2)) : "00"
            return whole * 100 + (Int64(fraction) ?? 0)
        }
        for row in rows {
            func field(_ name: String) -> Any? { columns.firstIndex(of: name).map { row[$0] } }
            let parts = ["execution_score", "output_score", "benefit_score", "satisfaction_score", "other_score"].map { cents(field($0)) }.reduce(0, +)
            #expect(parts == cents(field("total")), "\(field("project") ?? "?"): parts \(parts) against total \(cents(field("total")))")
        }
    }
}
