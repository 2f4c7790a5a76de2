import Foundation
import Testing

/// Tests that drive the real binary from outside: the REPL in a pseudo-terminal, scripts on stdin.
@Suite(.serialized) struct ScriptedTests {
    static func python(_ script: String, _ arguments: [String]) throws -> BudgetqProcess.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", BudgetqProcess.root + "/" + script] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: BudgetqProcess.root)
        process.environment = BudgetqProcess.environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return .init(status: process.terminationStatus, stdout: String(decoding: data, as: UTF8.self), stderr: "")
    }

    @Test func replInAPseudoTerminal() throws {
        let result = try Self.python("Tests/repl/repl_test.py", ["--binary", BudgetqProcess.binary])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("repl: 16 steps passed"), "\(result.stdout)")
    }

    /// Two REPLs on one history file both keep their entries; trimming keeps the newest.
    @Test func twoREPLsShareOneHistoryFile() throws {
        let result = try Self.python("Tests/repl/history_test.py", ["--binary", BudgetqProcess.binary])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("history: 4 steps passed"), "\(result.stdout)")
    }

    /// Ctrl-C at the REPL stops a running join, sort and summarize; "interrupted" once; the session goes on.
    @Test func ctrlCStopsARunningQueryAtTheREPL() throws {
        let result = try Self.python("Tests/repl/interrupt_test.py", ["--binary", BudgetqProcess.binary])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("interrupt: 4 steps passed"), "\(result.stdout)")
        print(result.stdout)
    }

    @Test func scriptOnStandardInputNamesTheFailingLine() throws {
        let script = """
        # totals by type
        projects | summarize total = sum(budget) by type | sort by total desc

        projects | where budgt > 1
        .mode csv
        projects | count
        indicators |
          wher kind == "percent"
        """
        let result = try BudgetqProcess.run(["--data", CheckExportTests.seed], stdin: script)
        #expect(result.status == 1)
        #expect(result.stderr.contains("stdin:4:18: error: no column `budgt` in projects"))
        #expect(result.stderr.contains("stdin:8:3: error: unknown operator `wher`"))
        #expect(result.stderr.contains("budgetq: 2 statement(s) failed, at line 4, 8"))
        #expect(result.stdout.contains("1,616,260,000.00"))
        #expect(result.stdout.contains("count\r\n9\r\n"))
    }

    @Test func continuedStatementOnStandardInput() throws {
        // The same rule as the REPL's: an operator at the end of a line, or a next line starting with |.
        let seed = "datasets/2024-dongguan-economic-cooperation-office.txt"
        let trailing = try BudgetqProcess.run(["--data", seed, "--format", "csv"], stdin: "projects | where\nyear == 2024 | count\n")
        #expect(trailing.status == 0, "\(trailing.stderr)")
        #expect(trailing.stdout == "count\r\n9\r\n")
        let leading = try BudgetqProcess.run(["--data", seed, "--format", "csv"], stdin: "projects\n| where year == 2024\n| count\n")
        #expect(leading.status == 0, "\(leading.stderr)")
        #expect(leading.stdout == "count\r\n9\r\n")
    }

    /// Neither budgetq (used with -c, run, scripts) nor the benchmark links libedit: the REPL loads it.
    @Test func libeditIsNotLinked() throws {
        let bench = (BudgetqProcess.binary as NSString).deletingLastPathComponent + "/budgetq-bench"
        for binary in [BudgetqProcess.binary, bench] where FileManager.default.isExecutableFile(atPath: binary) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["ldd", binary]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { continue }
            #expect(text.contains("libc.so"), "ldd \(binary): \(text)")
            #expect(!text.contains("libedit"), "ldd \(binary): \(text)")
        }
    }

    @Test func scriptWithoutErrorsExitsZero() throws {
        let result = try BudgetqProcess.run(["--data", CheckExportTests.seed], stdin: "set y = 2024\nprojects | where year == $y | count\n.unit 亿元\nprojects | summarize sum(budget)\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("sum_budget (亿元)"))
        #expect(result.stdout.contains("16.18"))
    }

    @Test func commandLineQueryWithParameters() throws {
        let result = try BudgetqProcess.run(["-c", "projects | where year == $y and regions has $r | select name", "--param", "y=2024", "--param", "r=巫山", "--format", "csv"])
        #expect(result.status == 0)
        #expect(result.stdout == "name\r\n对口支援巫山县专项资金\r\n")
        let bad = try BudgetqProcess.run(["-c", "projects | summarize sum() by type"])
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("query:1:22: error: \"sum\" needs one argument"))
    }
}

/// Generated queries through budgetq and through SQLite over `budgetq export` output must agree.
@Suite(.serialized) struct DifferentialTests {
    @Test func agreesWithSQLite() throws {
        let count = ProcessInfo.processInfo.environment["BUDGETQ_DIFFERENTIAL_COUNT"] ?? "1000"
        let result = try ScriptedTests.python("Tests/differential/differential.py",
                                              ["--binary", BudgetqProcess.binary, "--count", count, "--seed", "1", "--max-report", "5"])
        #expect(result.status == 0, "\(result.stdout.suffix(6000))")
        #expect(result.stdout.contains("differential: "), "\(result.stdout.suffix(2000))")
    }
}
