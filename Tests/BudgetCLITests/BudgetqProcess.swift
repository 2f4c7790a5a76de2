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

    /// XDG_CACHE_HOME for the budgetq processes of this test run.
    static let testCacheHome: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-test-cache-\(ProcessInfo.processInfo.processIdentifier)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
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
