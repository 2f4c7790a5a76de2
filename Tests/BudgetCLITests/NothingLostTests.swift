import Foundation
import Testing

/// Issue 12: nothing lost, nothing silently wrong. Missing data is an error, loading twice does
/// not double, folder walks end, and files are never refused for their size.
@Suite(.serialized) struct NothingLostTests {
    static func temporaryFolder(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func copySeed(to dir: URL, as name: String = "seed.txt") throws {
        try FileManager.default.copyItem(atPath: BudgetqProcess.root + "/" + CheckExportTests.seed, toPath: dir.appendingPathComponent(name).path)
    }

    // MARK: 1. No silent answers from missing data

    @Test func aMissingDataFolderIsAnError() throws {
        let dir = try Self.temporaryFolder("no-datasets")
        defer { try? FileManager.default.removeItem(at: dir) }
        // As a new user does: in a folder without datasets/.
        let result = try BudgetqProcess.run(["-c", "projects | count"], directory: dir.path)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr.contains("datasets:0: error: no such file or folder"), "\(result.stderr)")
    }

    @Test func anEmptyDataFolderIsAnErrorInEveryMode() throws {
        let dir = try Self.temporaryFolder("empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        let check = try BudgetqProcess.run(["check", dir.path])
        #expect(check.status == 1, "\(check.stdout)")
        #expect(check.stdout.contains("\(dir.path):0: error: the folder holds no budget documents"), "\(check.stdout)")
        let query = try BudgetqProcess.run(["--data", dir.path, "-c", "projects | count"])
        #expect(query.status == 1)
        #expect(query.stderr.contains("the folder holds no budget documents"), "\(query.stderr)")
    }

    // MARK: 3. Loading twice does not double

    @Test func loadingTheSameFolderTwiceIsRefused() throws {
        let result = try BudgetqProcess.run(["--data", "datasets", "--format", "csv", "-c", """
            .load datasets
            projects | count
            """])
        #expect(result.status == 1)
        #expect(result.stderr.contains("query:1: error: datasets is already loaded: every file in it is loaded already; nothing added"), "\(result.stderr)")
        let later = try BudgetqProcess.run(["--data", "datasets", "--format", "csv"], stdin: ".load ./datasets/\nprojects | count\nexecution | where month == 2024-12 | summarize max(rate)\n")
        #expect(later.stdout.contains("count\r\n31\r\n"), "\(later.stdout)")
        // Payments are not dropped for ambiguity, nor doubled: no project has paid more than its budget.
        #expect(later.stdout.contains("max_rate\r\n1\r\n") || later.stdout.contains("max(rate)\r\n1\r\n"), "\(later.stdout)")
    }

    @Test func loadingACopyIsRefusedAndAFolderAddsOnlyNewFiles() throws {
        let dir = try Self.temporaryFolder("copies")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: BudgetqProcess.root + "/datasets", toPath: dir.appendingPathComponent("all").path)
        try Self.copySeed(to: dir, as: "copy-of-2024.txt")
        let copy = try BudgetqProcess.run(["--data", "datasets", "-c", ".load \(dir.path)/copy-of-2024.txt"])
        #expect(copy.status == 1)
        #expect(copy.stderr.contains("has the same content as datasets/2024-dongguan-economic-cooperation-office.txt"), "\(copy.stderr)")
        // A ledger loaded twice (a copy elsewhere) would double 执行率 to 200%.
        let ledger = try BudgetqProcess.run(["--data", "datasets", "-c", ".load \(dir.path)/all/payments-2024.csv"])
        #expect(ledger.status == 1, "\(ledger.stdout)")
        #expect(ledger.stderr.contains("same content as datasets/payments-2024.csv"), "\(ledger.stderr)")
        // One new file in a folder of known ones: only it is added.
        try Data("# synthetic test note\n".utf8).write(to: dir.appendingPathComponent("all/new-notes.md"))
        let mixed = try BudgetqProcess.run(["--data", CheckExportTests.seed, "--format", "csv", "-c", ".load \(dir.path)/all\nprojects | count"])
        #expect(mixed.stdout.contains("count\r\n31\r\n"), "\(mixed.stdout) \(mixed.stderr)")
    }

    // MARK: 4. Folder walks that end

    @Test func aSymbolicLinkLoopIsWalkedOnce() throws {
        let root = try Self.temporaryFolder("loop")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.copySeed(to: dir)
        // data/up → the folder holding data/ (a loop through the parent); data/self → data itself.
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("up").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("self").path, withDestinationPath: ".")
        let result = try BudgetqProcess.run(["--data", dir.path, "--format", "csv", "-c", "projects | count"])
        #expect(result.stdout == "count\r\n9\r\n", "\(result.stdout)")
        let check = try BudgetqProcess.run(["check", dir.path])
        #expect(check.stdout.contains("data/self:0: warning: the folder \(dir.path) again (a symbolic link back into the walk); not read twice"), "\(check.stdout)")
        #expect(check.stdout.contains("data/up/data:0: warning: the folder \(dir.path) again"), "\(check.stdout)")
    }

    @Test func aFIFOIsSkippedNeverOpened() throws {
        let dir = try Self.temporaryFolder("fifo")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySeed(to: dir)
        #expect(mkfifo(dir.appendingPathComponent("x.txt").path, 0o644) == 0)
        #expect(mkfifo(dir.appendingPathComponent("ledger.csv").path, 0o644) == 0)
        // Before the fix this never returned: opening a FIFO waits for a writer.
        let result = try BudgetqProcess.run(["check", dir.path])
        #expect(result.stdout.contains("x.txt:0: warning: a FIFO (named pipe), not a file; not read"), "\(result.stdout)")
        #expect(result.stdout.contains("ledger.csv:0: warning: a FIFO (named pipe), not a file; not read"), "\(result.stdout)")
        #expect(result.stdout.contains("projects: 9"), "\(result.stdout)")
        let device = try BudgetqProcess.run(["check", "/dev/zero"])
        #expect(device.stdout.contains("/dev/zero:0: warning: a character device, not a file; not read"), "\(device.stdout)")
    }

    // MARK: 2. Size limits that bound memory, not data

    @Test func aLedgerLargerThanTheOldFileCapLoadsEveryPayment() throws {
        let dir = try Self.temporaryFolder("big-ledger")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySeed(to: dir)
        // 40,000 payments of 0.01 yuan to one project: 1.6 MB, above a 1 MB cap (there is no cap now),
        // read in 1 MB chunks so records straddle chunk ends.
        var ledger = "# synthetic test ledger\ndate,department,project,amount,note\n"
        for i in 0..<40_000 { ledger += "2024-\(String(format: "%02d", i % 12 + 1))-15,,\"对口支援巫山县专项资金\",0.01,\"row \(i)\"\n" }
        try ledger.write(to: dir.appendingPathComponent("payments.csv"), atomically: true, encoding: .utf8)
        #expect(ledger.utf8.count > 1 << 20)
        let result = try BudgetqProcess.run(["--data", dir.path, "--format", "csv", "-c", "payments | summarize n = count(), total = sum(amount)"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "n,total\r\n40000,400.00\r\n", "\(result.stdout)")
    }

    @Test func overlongLinesAreDroppedWhileReadingAndTheRestLoads() throws {
        let dir = try Self.temporaryFolder("long-lines")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySeed(to: dir)
        // A 3 MB one-line document and a 2 MB ledger line, against a 64 KiB line limit.
        try Data(repeating: UInt8(ascii: "a"), count: 3 << 20).write(to: dir.appendingPathComponent("one-line.txt"))
        var ledger = "date,department,project,amount,note\n2024-03-01,,对口支援巫山县专项资金,1.00,first\n2024-03-02,,对口支援巫山县专项资金,2.00,"
        ledger += String(repeating: "x", count: 2 << 20) + "\n2024-03-03,,对口支援巫山县专项资金,4.00,after\n"
        try ledger.write(to: dir.appendingPathComponent("payments.csv"), atomically: true, encoding: .utf8)
        let result = try BudgetqProcess.run(["check", dir.path, "--max-line-kb", "64"])
        #expect(result.stdout.contains("one-line.txt:1: error: line is 3145728 bytes long; the longest line read is 65536 bytes"), "\(result.stdout)")
        #expect(result.stdout.contains("payments.csv:3: error: line is 2097203 bytes long; the longest line read is 65536 bytes (is this a payment ledger?); line skipped"), "\(result.stdout)")
        let paid = try BudgetqProcess.run(["--data", dir.path, "--max-line-kb", "64", "--format", "csv", "-c", "payments | summarize sum(amount), count()"])
        #expect(paid.stdout.hasSuffix("\r\n5.00,2\r\n"), "\(paid.stdout)")
    }

    /// Peak resident memory (KiB) of one budgetq run, measured by a fresh python3 (its only child).
    static func peakMemoryKiB(_ arguments: [String]) throws -> Int {
        let script = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, BudgetqProcess.binary] + arguments
        process.environment = BudgetqProcess.environment  // the data cache in the test run's folder, never ~/.cache
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Int(String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func aOneLineDocumentIsReadInBoundedMemory() throws {
        let dir = try Self.temporaryFolder("one-line-memory")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySeed(to: dir)
        let baseline = try Self.peakMemoryKiB(["--data", dir.path, "-c", "projects | count"])
        // 96 MB on one line (generated here, never committed), against a 64 KiB line limit: read
        // whole, as before, it alone would add 96 MB.
        let handle = try FileHandle(forWritingTo: { let u = dir.appendingPathComponent("one-line.txt"); FileManager.default.createFile(atPath: u.path, contents: nil); return u }())
        let block = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<96 { handle.write(block) }
        try handle.close()
        let peak = try Self.peakMemoryKiB(["--data", dir.path, "--max-line-kb", "64", "-c", "projects | count"])
        #expect(baseline > 0 && peak > 0)
        #expect(peak - baseline < 16 << 10, "peak \(peak) KiB against \(baseline) KiB without the file")
    }

    /// A 20 MB ledger line (the issue's case) is dropped while read: memory stays near an empty load.
    @Test func aTwentyMegabyteLedgerLineIsReadInBoundedMemory() throws {
        let dir = try Self.temporaryFolder("ledger-line-memory")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySeed(to: dir)
        let header = "date,department,project,amount,note\n2024-03-01,,对口支援巫山县专项资金,1.00,first\n"
        try header.write(to: dir.appendingPathComponent("payments.csv"), atomically: true, encoding: .utf8)
        let baseline = try Self.peakMemoryKiB(["--data", dir.path, "--no-cache", "-c", "payments | count"])
        let handle = try FileHandle(forWritingTo: dir.appendingPathComponent("payments.csv"))
        try handle.seekToEnd()
        handle.write(Data("2024-03-02,,对口支援巫山县专项资金,2.00,".utf8))
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<20 { handle.write(block) }
        handle.write(Data("\n2024-03-03,,对口支援巫山县专项资金,4.00,after\n".utf8))
        try handle.close()
        let peak = try Self.peakMemoryKiB(["--data", dir.path, "--no-cache", "--max-line-kb", "64", "-c", "payments | count"])
        #expect(baseline > 0 && peak > 0)
        #expect(peak - baseline < 8 << 10, "peak \(peak) KiB against \(baseline) KiB with a one-row ledger")
        let paid = try BudgetqProcess.run(["--data", dir.path, "--no-cache", "--max-line-kb", "64", "--format", "csv", "-c", "payments | summarize sum(amount), count()"])
        #expect(paid.stdout.hasSuffix("\r\n5.00,2\r\n"), "\(paid.stdout)")
        #expect(paid.stderr.contains("payments.csv:3: error: line is"), "\(paid.stderr)")
    }
}
