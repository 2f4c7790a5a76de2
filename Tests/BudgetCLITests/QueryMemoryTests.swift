import Foundation
import Testing

/// Memory-bounded joins and Ctrl-C (issue 12, item 8), through the real binary.
///
/// The big rows come from cross joins of the bundled tables on a constant key: `a` has 213 rows
/// (one per indicator), `p` the 31 projects; `a | join a on k | join p on k` is 1,406,439 rows
/// of the projects' 40 columns, about 300 MB once every column is gathered.
@Suite(.serialized) struct QueryMemoryTests {
    static let data = BudgetqProcess.root + "/datasets"
    static let lets = """
        let a = indicators | select k = 1
        let p = projects | derive k = 1

        """
    static let crossJoin = "a | join a on k | join p on k"

    static func run(_ query: String, memoryLimit: String) throws -> BudgetqProcess.Result {
        try BudgetqProcess.run(["--data", data, "-c", lets + query], environment: ["BUDGETQ_MEMORY_LIMIT": memoryLimit])
    }

    /// `join … | count` gathers no column: under a limit far below the joined columns' size it
    /// answers, and the join's own row numbers are what it needs.
    @Test func aCountedJoinNeedsOnlyItsRowNumbers() throws {
        let result = try Self.run(Self.crossJoin + " | count", memoryLimit: "100M")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1,406,439"), "\(result.stdout)")
    }

    /// Showing every column of those rows would need about 300 MB: refused before allocating,
    /// naming the estimate and the limit (not OOM-killed).
    @Test func aResultThatWouldNotFitIsRefusedNamingEstimateAndLimit() throws {
        let result = try Self.run(Self.crossJoin, memoryLimit: "100M")
        #expect(result.status == 1)
        #expect(result.stderr.contains("the result would produce 1,406,439 rows needing about"), "\(result.stderr)")
        #expect(result.stderr.contains("more than the 100 MB of memory available (BUDGETQ_MEMORY_LIMIT)"), "\(result.stderr)")
        // Fewer columns fit.
        let narrow = try Self.run(Self.crossJoin + " | select id, budget | summarize n = count(), total = sum(budget) by id | count", memoryLimit: "100M")
        #expect(narrow.status == 0, "\(narrow.stderr)")
        #expect(narrow.stdout.contains("31"), "\(narrow.stdout)")
    }

    /// The join's limit follows memory, not a fixed row cap: its row numbers (12 bytes a row here:
    /// two, and one more for the left side's own selection) against the memory available.
    @Test func aJoinThatWouldNotFitIsRefusedBeforeItIsBuilt() throws {
        let result = try Self.run(Self.crossJoin + " | count", memoryLimit: "10M")
        #expect(result.status == 1)
        #expect(result.stderr.contains("the join would produce 1,406,439 rows needing about 16.1 MB (12 bytes a row), more than the 10.0 MB of memory available (BUDGETQ_MEMORY_LIMIT)"), "\(result.stderr)")
        #expect(result.stderr.contains("hint: join on a key that is unique in p"), "\(result.stderr)")
    }

    // MARK: Ctrl-C

    /// Output read while the process runs.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ more: Data) { lock.withLock { data.append(more) } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }

    struct Interrupted {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Seconds from SIGINT to the process's exit.
        var latency: Double
    }

    /// Starts budgetq, waits until `ready` is on its standard output (the long statement then
    /// runs), waits `delay` more, sends SIGINT and waits for the exit.
    static func interrupt(arguments: [String], stdin: String?, ready: String, delay: Double = 0.5) throws -> Interrupted {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BudgetqProcess.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: BudgetqProcess.root)
        process.environment = BudgetqProcess.environment
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        let stdout = Collected(), stderr = Collected()
        out.fileHandleForReading.readabilityHandler = { stdout.append($0.availableData) }
        err.fileHandleForReading.readabilityHandler = { stderr.append($0.availableData) }
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let readyBy = Date().addingTimeInterval(120)
        while !stdout.text.contains(ready), process.isRunning, Date() < readyBy { usleep(20_000) }
        usleep(UInt32(delay * 1e6))
        let sent = Date()
        process.interrupt()
        // A stopped query ends at once; one that ignored Ctrl-C would run for minutes.
        let giveUp = sent.addingTimeInterval(30)
        while process.isRunning, Date() < giveUp { usleep(5_000) }
        let latency = Date().timeIntervalSince(sent)
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        out.fileHandleForReading.readabilityHandler = nil
        err.fileHandleForReading.readabilityHandler = nil
        stdout.append(out.fileHandleForReading.readDataToEndOfFile())
        stderr.append(err.fileHandleForReading.readDataToEndOfFile())
        return Interrupted(status: process.terminationStatus, stdout: stdout.text, stderr: stderr.text, latency: latency)
    }

    /// A sort of 1.4M joined rows by a name and a decimal takes far longer than the test waits.
    static let longSort = crossJoin + " | sort by name desc, budget, id"

    /// `-c`: SIGINT during a long sort prints one line "interrupted" and exits 130; the statement
    /// after it never runs.
    @Test func ctrlCStopsALongSortInCommandMode() throws {
        let query = "projects | summarize started = count()\n" + Self.lets + Self.longSort + "\nprojects | summarize after = count()"
        let result = try Self.interrupt(arguments: ["--data", Self.data, "-c", query], stdin: nil, ready: "started")
        #expect(result.status == 130, "stderr: \(result.stderr)")
        #expect(result.stderr == "interrupted\n", "\(result.stderr)")
        #expect(!result.stdout.contains("after"), "a statement after the interrupted one ran: \(result.stdout)")
        #expect(!result.stdout.contains("budget"), "the sort ran to the end: \(result.stdout.prefix(300))")
        #expect(result.latency < 20, "SIGINT took \(result.latency) s to stop the sort")
        print("-c sort interrupted \(String(format: "%.3f", result.latency)) s after SIGINT")
    }

    /// A script on standard input: the same, for a summarize over the joined rows.
    @Test func ctrlCStopsALongSummarizeFromStandardInput() throws {
        let script = "projects | summarize started = count()\n" + Self.lets
            + Self.crossJoin + " | summarize names = dcount(name), total = max(budget) by id, name\n"
            + "projects | summarize after = count()\n"
        let result = try Self.interrupt(arguments: ["--data", Self.data], stdin: script, ready: "started", delay: 0.2)
        #expect(result.status == 130, "stderr: \(result.stderr)")
        #expect(result.stderr == "interrupted\n", "\(result.stderr)")
        #expect(!result.stdout.contains("after"), "a statement after the interrupted one ran: \(result.stdout)")
        #expect(!result.stdout.contains("total"), "the summarize ran to the end: \(result.stdout.prefix(300))")
        print("stdin summarize interrupted \(String(format: "%.3f", result.latency)) s after SIGINT")
    }
}
