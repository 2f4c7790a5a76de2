import Foundation
import Testing

/// The command line an auditor expects (issue 15, items 8 and 9): sqlite3/DuckDB flags, `-f` and
/// `-bail`, `help run`/`help export` listing every option, and `run` checking its parameters first.
@Suite(.serialized) struct ShellConventionTests {
    static let seed = ["--data", "datasets/2024-dongguan-economic-cooperation-office.txt"]

    @Test func formatFlagsAsInSqlite3() throws {
        let csv = try BudgetqProcess.run(Self.seed + ["-csv", "-c", "projects | summarize n = count()"])
        #expect(csv.stdout == "n\r\n9\r\n")
        let json = try BudgetqProcess.run(Self.seed + ["-json", "-c", "projects | summarize n = count()"])
        #expect(json.stdout.contains("\"n\": 9"))
        let markdown = try BudgetqProcess.run(Self.seed + ["-markdown", "-c", "projects | summarize n = count()"])
        #expect(markdown.stdout.hasPrefix("|"))
        let box = try BudgetqProcess.run(Self.seed + ["-box", "-c", "projects | summarize n = count()"])
        #expect(box.stdout.contains("(1 row)"))
        let both = try BudgetqProcess.run(Self.seed + ["-csv", "-json", "-c", "projects | count"])
        #expect(both.status != 0)
        #expect(both.stderr.contains("choose one output format, not -csv and -json"))
        // actuals_month is null in a 目标表 without reported actuals: -nullvalue prints it as NULL.
        let bare = try BudgetqProcess.run(Self.seed + ["-csv", "-noheader", "-nullvalue", "NULL", "-c", "projects | where id == 1 | select id, actuals_month, start_year"])
        #expect(bare.stdout == "1,NULL,2021\r\n", "\(bare.stdout)")
    }

    @Test func dashFRunsAFileAndBailStopsAtTheFirstError() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-f-\(UUID().uuidString).bq").path
        try "projects | count\nprojects | where nope == 1\nprojects | summarize n = count()\n".write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let all = try BudgetqProcess.run(Self.seed + ["-csv", "-f", script])
        #expect(all.status == 1)
        #expect(all.stdout == "count\r\n9\r\nn\r\n9\r\n")
        #expect(all.stderr.contains("\(script):2:"))
        let bail = try BudgetqProcess.run(Self.seed + ["-csv", "-bail", "-f", script])
        #expect(bail.status == 1)
        #expect(bail.stdout == "count\r\n9\r\n")
        let stdin = try BudgetqProcess.run(Self.seed + ["-csv", "-bail"], stdin: "projects | count\nprojects | where nope == 1\nprojects | count\n")
        #expect(stdin.stdout == "count\r\n9\r\n")
    }

    @Test func helpRunAndHelpExportListEveryOption() throws {
        for command in ["run", "export"] {
            let help = try BudgetqProcess.run(["help", command])
            for option in ["--data", "--format", "--unit", "--param", "--max-rows", "--max-line-kb", "--lang", "--max-width"] {
                #expect(help.stdout.contains(option), "budgetq help \(command) does not list \(option):\n\(help.stdout)")
            }
        }
    }

    @Test func runChecksItsParametersBeforeAnyOutput() throws {
        let typo = try BudgetqProcess.run(["run", "queries/monthly-summary.bq", "--param", "mnth=2024-06", "--format", "markdown"])
        #expect(typo.status == 1)
        #expect(typo.stdout.isEmpty, "half a report was written:\n\(typo.stdout)")
        #expect(typo.stderr.contains("queries/monthly-summary.bq: error: unknown parameter mnth; this script takes month (did you mean month?)"), "\(typo.stderr)")
        let missing = try BudgetqProcess.run(["run", "queries/monthly-summary.bq"])
        #expect(missing.status == 1)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr.contains("error: parameter month is not given; pass --param month=…"), "\(missing.stderr)")
        let other = try BudgetqProcess.run(["run", "queries/budget-by-type.bq", "--param", "month=2024-06"])
        #expect(other.status == 1)
        #expect(other.stdout.isEmpty)
        #expect(other.stderr.contains("unknown parameter month; this script takes year"), "\(other.stderr)")
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-noparam-\(UUID().uuidString).bq").path
        try "# no parameters\nprojects | count\n".write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let none = try BudgetqProcess.run(["run", script, "--param", "month=2024-06"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("unknown parameter month; this script takes no parameters"), "\(none.stderr)")
        let outside = try BudgetqProcess.run(["run", "queries/monthly-summary.bq", "--param", "month=2031-06", "--format", "table"])
        #expect(outside.status == 0)
        #expect(outside.stderr.contains("warning: --param month=2031-06 is outside the loaded data (budget years 2021–2025)"), "\(outside.stderr)")
    }
}
