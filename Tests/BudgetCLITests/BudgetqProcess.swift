import Foundation

/// Runs the built `budgetq` binary as a user would, without a terminal.
struct BudgetqProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The binary next to the test bundle (`swift test` builds it first).
    static let binary: String = {
        let candidates = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].compactMap { $0 }
        for dir in candidates {
            let path = dir.appendingPathComponent("budgetq").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return root + "/.build/debug/budgetq"
    }()

    /// The environment every budgetq the tests start gets: no BUDGETQ_DATA, and the data cache in
    /// a folder of this test run (the suite never writes into the real ~/.cache).
    static let environment: [String: String] = {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "BUDGETQ_DATA")
        env["XDG_CACHE_HOME"] = testCacheHome
        return env
    }()

    /// XDG_CACHE_HOME for the budgetq processes of this test run, removed when the run exits; the
    /// folders of runs that were killed (their pid is gone) are removed by the next run.
    static let testCacheHome: String = {
        let temporary = FileManager.default.temporaryDirectory
        let prefix = "budgetq-test-cache-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix(prefix) {
            if let pid = Int32(name.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
            }
        }
        let path = temporary.appendingPathComponent(prefix + "\(ProcessInfo.processInfo.processIdentifier)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        testCacheHomeToRemove = path
        atexit { if let path = testCacheHomeToRemove { try? FileManager.default.removeItem(atPath: path) } }
        return path
    }()

    static func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], directory: String = root) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = Self.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes concurrently so a full stderr pipe cannot block the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// The test run's cache folder, for the atexit handler (a C function pointer cannot capture it).
nonisolated(unsafe) private var testCacheHomeToRemove: String?
