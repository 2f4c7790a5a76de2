import Foundation
import Testing

/// Load errors reach the user of -c, run, stdin scripts and export: after the answer, on
/// standard error, with a non-zero exit; a folder without a single table is an error.
@Suite(.serialized) struct LoadErrorTests {
    /// The published tables (9 projects) plus three documents that fail to load whole.
    static func mixedFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-load-errors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let files = ["datasets/2024-dongguan-economic-cooperation-office.txt", "Tests/fixtures/bad-input/non-numeric-amount.txt",
                     "Tests/fixtures/bad-input/truncated.txt", "Tests/fixtures/bad-input/no-project-name.txt"]
        for file in files {
            try FileManager.default.copyItem(atPath: BudgetqProcess.root + "/" + file, toPath: dir.appendingPathComponent((file as NSString).lastPathComponent).path)
        }
        return dir
    }

    static func folderWithoutTables() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-no-tables-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: BudgetqProcess.root + "/Tests/fixtures/bad-input/binary.txt", toPath: dir.appendingPathComponent("binary.txt").path)
        try Data("just a note\n".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        return dir
    }

    /// The number in a `count` result printed as CSV (-1 when there is none).
    static func count(_ csv: String) -> Int {
        let lines = csv.split(separator: "\r\n")
        guard lines.first == "count", lines.count == 2 else { return -1 }
        return Int(lines[1]) ?? -1
    }

    func expectLoadErrorReport(_ result: BudgetqProcess.Result, folder: URL) {
        #expect(result.status == 1)
        #expect(result.stderr.contains("load errors; these answers leave out what could not be read:"), "\(result.stderr)")
        // The reader's wording is its own; the file, line and severity are what the user acts on.
        #expect(result.stderr.contains("non-numeric-amount.txt:11: error: "), "\(result.stderr)")
        #expect(result.stderr.contains("run `budgetq check \(folder.path)` for all"), "\(result.stderr)")
    }

    @Test func commandLineQueryAnswersThenReportsLoadErrors() throws {
        let dir = try Self.mixedFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BudgetqProcess.run(["--data", dir.path, "-c", "projects | count", "--format", "csv"])
        #expect(Self.count(result.stdout) >= 9, "\(result.stdout)")
        expectLoadErrorReport(result, folder: dir)
    }

    @Test func stdinScriptAnswersThenReportsLoadErrors() throws {
        let dir = try Self.mixedFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BudgetqProcess.run(["--data", dir.path, "--format", "csv"], stdin: "projects | count\n")
        #expect(Self.count(result.stdout) >= 9, "\(result.stdout)")
        expectLoadErrorReport(result, folder: dir)
    }

    @Test func exportWritesTheTableThenReportsLoadErrors() throws {
        let dir = try Self.mixedFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let counted = try BudgetqProcess.run(["--data", dir.path, "-c", "projects | count", "--format", "csv"])
        let result = try BudgetqProcess.run(["export", "projects", "--data", dir.path])
        #expect(result.stdout.split(separator: "\r\n").count == Self.count(counted.stdout) + 1)
        expectLoadErrorReport(result, folder: dir)
    }

    @Test func markdownReportCarriesTheWarning() throws {
        let dir = try Self.mixedFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BudgetqProcess.run(["run", "queries/budget-by-type.bq", "--param", "year=2024", "--format", "markdown", "--data", dir.path])
        #expect(result.stdout.contains("load errors in the data: these results leave out what could not be read. Run `budgetq check \(dir.path)` for all."))
        #expect(result.stdout.contains("> **Warning:** "))
        #expect(result.stdout.contains("## Budget by project type"))
        expectLoadErrorReport(result, folder: dir)
    }

    @Test func aFolderWithoutTablesIsAnError() throws {
        let dir = try Self.folderWithoutTables()
        defer { try? FileManager.default.removeItem(at: dir) }
        for arguments in [["-c", "projects | count"], ["run", "queries/budget-by-type.bq", "--param", "year=2024"], ["export", "projects"]] {
            let result = try BudgetqProcess.run(arguments + ["--data", dir.path])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
            #expect(result.stderr.contains("budgetq: no 项目绩效目标表 table loaded from \(dir.path) (2 files read, "), "\(result.stderr)")
            #expect(result.stderr.contains("); there is nothing to answer from"), "\(result.stderr)")
            #expect(result.stderr.contains("binary.txt:1: error: "), "\(result.stderr)")
        }
        let stdin = try BudgetqProcess.run(["--data", dir.path], stdin: "projects | count\n")
        #expect(stdin.status == 1)
        #expect(stdin.stdout.isEmpty)
    }

    @Test func cleanDataExitsZero() throws {
        let result = try BudgetqProcess.run(["--data", "datasets", "-c", "projects | count", "--format", "csv"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
    }
}
