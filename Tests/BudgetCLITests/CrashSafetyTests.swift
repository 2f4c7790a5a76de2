import Foundation
import Testing

/// Files budgetq writes survive a crash mid-write; limits end in clear messages.
@Suite(.serialized) struct CrashSafetyTests {
    @Test func killedWhileSavingASnapshotLeavesTheOldOneReadable() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let snapshot = dir.appendingPathComponent("data.snap").path
        // The old snapshot: the published 2024 tables only (9 projects).
        let first = try BudgetqProcess.run(["--data", CheckExportTests.seed, "-c", ".save \(snapshot)"])
        #expect(first.status == 0, "\(first.stderr)")
        // Start overwriting it with all the bundled data, slowed down, and kill it mid-write.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BudgetqProcess.binary)
        // --no-cache: the cache's own snapshot write would be slowed too, and this test is about .save.
        process.arguments = ["--data", "datasets", "--no-cache", "-c", ".save \(snapshot)"]
        process.currentDirectoryURL = URL(fileURLWithPath: BudgetqProcess.root)
        var environment = BudgetqProcess.environment
        environment["BUDGETQ_TEST_SLOW_SNAPSHOT_WRITE"] = "100"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the temporary file exists and has grown: the write is under way.
        let deadline = Date().addingTimeInterval(20)
        var writing = false
        while Date() < deadline, !writing {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            if let temporary = names.first(where: { $0.contains(".tmp-") }),
               let size = (try? FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent(temporary).path))?[.size] as? Int, size > 1000 {
                writing = true
            } else {
                usleep(20_000)
            }
        }
        #expect(writing, "the slowed write never started")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let reopened = try BudgetqProcess.run(["--snapshot", snapshot, "-c", "projects | count", "--format", "csv"])
        #expect(reopened.status == 0, "\(reopened.stderr)")
        #expect(reopened.stdout == "count\r\n9\r\n")
        // And a complete write replaces it.
        let second = try BudgetqProcess.run(["--data", "datasets", "-c", ".save \(snapshot)"])
        #expect(second.status == 0)
        let replaced = try BudgetqProcess.run(["--snapshot", snapshot, "-c", "projects | count", "--format", "csv"])
        #expect(replaced.stdout == "count\r\n31\r\n")
        // The killed save's temporary file is gone: the next save removed it (its writer is dead).
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["data.snap"])
    }

    @Test func corruptOrForeignSnapshotsAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-corrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.snap").path
        _ = try BudgetqProcess.run(["--data", CheckExportTests.seed, "-c", ".save \(good)"])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        var flipped = bytes
        flipped[2000] ^= 0xFF
        try flipped.write(to: dir.appendingPathComponent("flipped.snap"))
        try bytes.prefix(bytes.count / 2).write(to: dir.appendingPathComponent("truncated.snap"))
        try Data("PK\u{3}\u{4} not a snapshot".utf8).write(to: dir.appendingPathComponent("foreign.snap"))
        bytes[8] = 9
        try bytes.write(to: dir.appendingPathComponent("future.snap"))
        bytes[8] = 1
        try bytes.write(to: dir.appendingPathComponent("old.snap"))
        let expectations = [
            ("flipped.snap", "corrupt snapshot:"),
            ("truncated.snap", "the snapshot is truncated or damaged"),
            ("foreign.snap", "not a budgetq snapshot"),
            ("future.snap", "snapshot format 9, but this budgetq reads formats 2 to 3"),
            ("old.snap", "snapshot format 1 was written by an older budgetq; this budgetq reads formats 2 to 3 (projects gained execution_target and execution_deadline). Load the documents with --data and .save it again"),
        ]
        for (name, message) in expectations {
            // `projects` reads every column: a snapshot decodes a column (and checks its checksum)
            // only when a query reads it, so damage is found by the statements that read it.
            let result = try BudgetqProcess.run(["--snapshot", dir.appendingPathComponent(name).path, "-c", "projects"])
            #expect(result.status == 1)
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
        }
    }

    @Test func limitsEndInClearMessages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let seed = try String(contentsOfFile: BudgetqProcess.root + "/" + CheckExportTests.seed, encoding: .utf8)
        let longGoal = String(repeating: "帮扶", count: 600)
        try seed.replacingOccurrences(of: "\t\t通过做好对口帮扶工作宣传，", with: "\t\t" + longGoal).write(to: dir.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        let small = try BudgetqProcess.run(["check", dir.path, "--max-line-kb", "1"])
        #expect(small.status == 1)
        #expect(small.stdout.contains("a.txt:62: error: line is 3"))
        #expect(small.stdout.contains("the longest line read is 1024 bytes"))
        #expect(small.stdout.contains("tables: 9 (8 loaded, 1 skipped)"))
        // No file is refused for its size (issue 12): a 2 MB file of NULs is one line past the line limit.
        try Data(count: 2 << 20).write(to: dir.appendingPathComponent("big.txt"))
        let big = try BudgetqProcess.run(["check", dir.path])
        #expect(big.stdout.contains("big.txt:1: error: line is 2097152 bytes long; the longest line read is 1048576 bytes"), "\(big.stdout)")
        let rows = try BudgetqProcess.run(["--data", CheckExportTests.seed, "-c", "indicators | select name", "--max-rows", "5"])
        #expect(rows.stdout.contains("… 55 more rows not shown (limit 5 in table mode"))
        #expect(rows.stdout.contains("(60 rows)"))
    }
}
