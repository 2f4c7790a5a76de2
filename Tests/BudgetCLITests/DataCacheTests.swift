import Foundation
import Testing

/// The automatic cache of `--data DIR` (issue 13): used when nothing changed, partly rebuilt when
/// a file changes, ignored with a warning when damaged; every answer, load error and exit status
/// the same as a run with `--no-cache`. Each test has its own data folder and XDG_CACHE_HOME.
@Suite(.serialized) struct DataCacheTests {
    /// A copy of the bundled datasets and an empty cache home, removed afterwards.
    struct Scratch {
        let data: String
        let cache: String
        let root: String

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-cache-\(UUID().uuidString)").path
            data = root + "/data"
            cache = root + "/cache"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: BudgetqProcess.root + "/datasets", toPath: data)
            // The 2023 自评表 and actuals ledger evaluate projects of other files, and a folder
            // whose files link is not cached (see linkedFolderIsNotCached); these tests cache.
            for linked in ["2023-ziping-demo-synthetic.txt", "actuals-2023.csv"] {
                try? FileManager.default.removeItem(atPath: data + "/" + linked)
            }
            try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        }

        func run(_ arguments: [String]) throws -> BudgetqProcess.Result {
            try BudgetqProcess.run(["--data", data] + arguments, environment: ["XDG_CACHE_HOME": cache])
        }

        /// The cache entry's files (manifest and snapshot).
        var entryFiles: [String] {
            let base = cache + "/budgetq"
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
            return entries.flatMap { entry in
                ((try? FileManager.default.contentsOfDirectory(atPath: base + "/" + entry)) ?? []).map { base + "/" + entry + "/" + $0 }
            }
        }

        /// Every table as CSV, its stderr and status: with the cache, then without.
        func expectSameAsFresh(_ comment: String) throws {
            for table in ["projects", "indicators", "coverage", "payments", "execution", "regions"] {
                let cached = try run(["-c", table, "--format", "csv"])
                let fresh = try run(["--no-cache", "-c", table, "--format", "csv"])
                #expect(cached.stdout == fresh.stdout, "\(comment): \(table) differs from a fresh load")
                #expect(cached.stderr == fresh.stderr, "\(comment): \(table): stderr differs: \(cached.stderr) vs \(fresh.stderr)")
                #expect(cached.status == fresh.status, "\(comment): \(table): exit status differs")
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    static let sum = "projects | summarize n = count(), total = sum(budget)"

    @Test func usedWhenNothingChanged() throws {
        let s = try Scratch()
        defer { s.remove() }
        let first = try s.run(["-c", ".sources"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stdout.contains("from the cache"), "the first run has no cache to use")
        let files = s.entryFiles
        #expect(files.contains { $0.hasSuffix("/manifest.json") }, "\(files)")
        let snapshot = try #require(files.first { $0.hasSuffix(".snapshot") })
        let written = try FileManager.default.attributesOfItem(atPath: snapshot)[.modificationDate] as? Date

        let second = try s.run(["-c", ".sources"])
        #expect(second.status == 0, "\(second.stderr)")
        let sourceLines = second.stdout.split(separator: "\n").filter { $0.contains(" rows ") }
        #expect(sourceLines.count == 10)
        #expect(sourceLines.allSatisfy { $0.hasSuffix("(from the cache)") }, "\(second.stdout)")
        #expect(second.stdout.contains("10 of 10 files from the cache"))
        // Opened, not written again.
        #expect(s.entryFiles.sorted() == files.sorted())
        #expect(try FileManager.default.attributesOfItem(atPath: snapshot)[.modificationDate] as? Date == written)
        try s.expectSameAsFresh("unchanged folder")
    }

    @Test func rebuiltWhenAFileChanges() throws {
        let s = try Scratch()
        defer { s.remove() }
        let before = try s.run(["-c", Self.sum, "--format", "csv"])
        #expect(before.status == 0, "\(before.stderr)")
        // The first budget of the 2023 file (`2023年预算金额（元）\t\t\t552,000.00`) becomes 12,345.00.
        let edited = s.data + "/2023-demo-synthetic.txt"
        var text = try String(contentsOfFile: edited, encoding: .utf8)
        let label = try #require(text.range(of: "预算金额"))
        let range = try #require(text.range(of: #"[0-9][0-9,]*\.[0-9]{2}"#, options: .regularExpression, range: label.upperBound..<text.endIndex))
        text.replaceSubrange(range, with: "12,345.00")
        try text.write(toFile: edited, atomically: false, encoding: .utf8)

        let after = try s.run(["-c", Self.sum + "\n.sources", "--format", "csv"])
        #expect(after.status == 0, "\(after.stderr)")
        let fresh = try s.run(["--no-cache", "-c", Self.sum, "--format", "csv"])
        #expect(after.stdout.hasPrefix(fresh.stdout), "\(after.stdout) vs \(fresh.stdout)")
        #expect(fresh.stdout != before.stdout, "the edit should change the total")
        // Only the edited file (and the ledgers, matched against every project) were read again.
        let lines = after.stdout.split(separator: "\n").map(String.init)
        let editedLine = try #require(lines.first { $0.hasSuffix("2023-demo-synthetic.txt") })
        #expect(!editedLine.contains("from the cache"))
        let otherDocuments = lines.filter { $0.contains(" documents ") && !$0.contains("2023-demo-synthetic.txt") }
        #expect(otherDocuments.count == 4)
        #expect(otherDocuments.allSatisfy { $0.hasSuffix("(from the cache)") }, "\(after.stdout)")
        try s.expectSameAsFresh("one file edited")

        // An added file with a load error and a removed file: same answers, errors and status.
        try "not a budget table\n".write(toFile: s.data + "/notes.txt", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: s.data + "/2025-demo-synthetic.txt")
        let withError = try s.run(["-c", Self.sum])
        #expect(withError.status == 1)
        #expect(withError.stderr.contains("notes.txt:1: error"), "\(withError.stderr)")
        try s.expectSameAsFresh("a file added, one removed")
        // Once cached, the load error is still reported, and still fails the run.
        let again = try s.run(["-c", Self.sum + "\n.sources"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("notes.txt:1: error"), "\(again.stderr)")
        #expect(again.stdout.contains("notes.txt  (from the cache)"), "\(again.stdout)")
    }

    @Test func touchedButUnchangedFileIsStillCached() throws {
        let s = try Scratch()
        defer { s.remove() }
        _ = try s.run(["-c", Self.sum])
        let path = s.data + "/2022-demo-synthetic.txt"
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: path)
        let after = try s.run(["-c", ".sources"])
        #expect(after.stdout.contains("10 of 10 files from the cache"), "the content hash shows the file unchanged: \(after.stdout)")
    }

    @Test func ignoredWhenCorrupt() throws {
        let s = try Scratch()
        defer { s.remove() }
        let fresh = try s.run(["--no-cache", "-c", Self.sum, "--format", "csv"])
        _ = try s.run(["-c", Self.sum])
        let manifest = try #require(s.entryFiles.first { $0.hasSuffix("/manifest.json") })

        // A manifest that is not JSON: a warning, a fresh answer, a rebuilt cache.
        try "{ this is not a manifest".write(toFile: manifest, atomically: false, encoding: .utf8)
        let damaged = try s.run(["-c", Self.sum, "--format", "csv"])
        #expect(damaged.status == 0)
        #expect(damaged.stdout == fresh.stdout)
        #expect(damaged.stderr.contains("ignoring the cache") && damaged.stderr.contains("rebuilding it"), "\(damaged.stderr)")
        let rebuilt = try s.run(["-c", ".sources"])
        #expect(rebuilt.stderr.isEmpty, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("10 of 10 files from the cache"))

        // A snapshot cut short: the same.
        // The snapshot the manifest names (the one it replaced may linger for a minute).
        let manifestText = try String(contentsOfFile: try #require(s.entryFiles.first { $0.hasSuffix("/manifest.json") }), encoding: .utf8)
        let current = try #require(s.entryFiles.first { $0.hasSuffix(".snapshot") && manifestText.contains(($0 as NSString).lastPathComponent) })
        let handle = try #require(FileHandle(forUpdatingAtPath: current))
        try handle.truncate(atOffset: 100)
        try handle.close()
        let truncated = try s.run(["-c", Self.sum, "--format", "csv"])
        #expect(truncated.status == 0)
        #expect(truncated.stdout == fresh.stdout)
        #expect(truncated.stderr.contains("ignoring the cache"), "\(truncated.stderr)")

        // A foreign manifest (another cache format): ignored with a warning too.
        let foreign = try #require(s.entryFiles.first { $0.hasSuffix("/manifest.json") })
        var json = try String(contentsOfFile: foreign, encoding: .utf8)
        json = json.replacingOccurrences(of: #""format":1"#, with: #""format":99"#)
        try json.write(toFile: foreign, atomically: false, encoding: .utf8)
        let other = try s.run(["-c", Self.sum, "--format", "csv"])
        #expect(other.stdout == fresh.stdout)
        #expect(other.stderr.contains("cache format 99"), "\(other.stderr)")
    }

    /// Issue 12, item 6: a manifest whose row counts are impossible (2^63−1, negative) while a file
    /// changed (so the cache would splice rows by them) is ignored with a warning, never a trap.
    @Test func impossibleRowCountsInTheManifestAreRefused() throws {
        for (field, value) in [("projects", Int.max), ("projects", -3), ("indicators", Int.max)] {
            let s = try Scratch()
            defer { s.remove() }
            _ = try s.run(["-c", Self.sum])
            let manifest = try #require(s.entryFiles.first { $0.hasSuffix("/manifest.json") })
            var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifest))) as? [String: Any])
            var documents = try #require(json["documents"] as? [[String: Any]])
            if field == "projects" {
                var summary = try #require(documents[0]["summary"] as? [String: Any])
                summary["projects"] = value
                documents[0]["summary"] = summary
            } else {
                documents[0][field] = value
            }
            json["documents"] = documents
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: manifest))
            // Another file changes, so its rows are read again and the others' spliced.
            let changed = s.data + "/2022-demo-synthetic.txt"
            try (try String(contentsOfFile: changed, encoding: .utf8) + "\n").write(toFile: changed, atomically: true, encoding: .utf8)
            let fresh = try s.run(["--no-cache", "-c", Self.sum, "--format", "csv"])
            let result = try s.run(["-c", Self.sum, "--format", "csv"])
            #expect(result.status == 0, "\(field)=\(value): \(result.stderr)")
            #expect(result.stdout == fresh.stdout, "\(field)=\(value)")
            #expect(result.stderr.contains("ignoring the cache") && result.stderr.contains("impossible row count"), "\(field)=\(value): \(result.stderr)")
        }
    }

    /// Damage inside a column of the cached snapshot shows only when a query reads that column:
    /// that statement fails, the entry is dropped, and the next run reads the documents again.
    @Test func aDamagedColumnDropsTheCache() throws {
        let s = try Scratch()
        defer { s.remove() }
        let fresh = try s.run(["--no-cache", "-c", Self.sum, "--format", "csv"])
        _ = try s.run(["-c", Self.sum])
        let manifestPath = try #require(s.entryFiles.first { $0.hasSuffix("/manifest.json") })
        let manifestText = try String(contentsOfFile: manifestPath, encoding: .utf8)
        let snapshot = try #require(s.entryFiles.first { $0.hasSuffix(".snapshot") && manifestText.contains(($0 as NSString).lastPathComponent) })
        // Flip a byte of projects.budget, found through the snapshot's table of contents.
        var data = try Data(contentsOf: URL(fileURLWithPath: snapshot))
        let tocOffset = Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self) })
        let toc = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: tocOffset..<data.count)) as? [String: Any])
        let projects = try #require((toc["tables"] as? [[String: Any]])?.first { $0["name"] as? String == "projects" })
        let budget = try #require((projects["columns"] as? [[String: Any]])?.first { $0["name"] as? String == "budget" })
        let offset = try #require(((budget["sections"] as? [[String: Any]])?.first?["offset"] as? NSNumber)?.intValue)
        data[offset] ^= 0xFF
        try data.write(to: URL(fileURLWithPath: snapshot))

        let damaged = try s.run(["-c", Self.sum, "--format", "csv"])
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains("corrupt snapshot") && damaged.stderr.contains("has been dropped"), "\(damaged.stderr)")
        #expect(!FileManager.default.fileExists(atPath: manifestPath))
        let again = try s.run(["-c", Self.sum, "--format", "csv"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == fresh.stdout)
    }

    @Test func noCacheWritesNothing() throws {
        let s = try Scratch()
        defer { s.remove() }
        let result = try s.run(["--no-cache", "-c", Self.sum])
        #expect(result.status == 0)
        #expect(s.entryFiles.isEmpty)
    }

    /// Two processes loading the same folder at once: both answer, and the cache left behind works.
    @Test func concurrentWritersAreSafe() throws {
        let s = try Scratch()
        defer { s.remove() }
        let fresh = try s.run(["--no-cache", "-c", Self.sum, "--format", "csv"])
        nonisolated(unsafe) var results: [BudgetqProcess.Result?] = []
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 3) { _ in
            let result = try? s.run(["-c", Self.sum, "--format", "csv"])
            lock.withLock { results.append(result) }
        }
        #expect(results.count == 3)
        for result in results {
            #expect(result?.stdout == fresh.stdout)
            #expect(result?.stderr == "", "\(result?.stderr ?? "")")
        }
        let after = try s.run(["-c", Self.sum + "\n.sources", "--format", "csv"])
        #expect(after.stderr.isEmpty, "\(after.stderr)")
        #expect(after.stdout.contains("10 of 10 files from the cache"))
    }

    @Test func linkedFolderIsCachedWholeAndAnswersAsFresh() throws {
        let s = try Scratch()
        defer { try? FileManager.default.removeItem(atPath: s.root) }
        for linked in ["2023-ziping-demo-synthetic.txt", "actuals-2023.csv"] {
            try FileManager.default.copyItem(atPath: BudgetqProcess.root + "/datasets/" + linked, toPath: s.data + "/" + linked)
        }
        let first = try s.run(["-c", "projects | where year == 2023 | count", "--format", "csv"])
        #expect(first.stdout == "count\r\n8\r\n", "the 自评表 attaches to the 2023 projects, not counted again")
        #expect(s.entryFiles.contains { $0.hasSuffix("/manifest.json") }, "a linked folder is cached whole")
        func same(_ comment: String) throws {
            for query in ["actuals", "evaluation_summary", "evaluation", "monitoring | where month == 2023-07", "projects", "payments"] {
                let cached = try s.run(["-c", query, "--format", "csv"])
                let fresh = try s.run(["--no-cache", "-c", query, "--format", "csv"])
                #expect(cached.stdout == fresh.stdout, "\(comment): \(query)")
                #expect(cached.status == fresh.status, "\(comment): \(query)")
            }
        }
        try same("reopened")
        let sources = try s.run(["-c", ".sources"])
        #expect(sources.stdout.contains("(from the cache)"))
        // A changed actuals ledger: the folder is read whole again, never spliced.
        let ledger = s.data + "/actuals-2023.csv"
        var text = try String(contentsOfFile: ledger, encoding: .utf8)
        text += "2023-12-31,东莞市人民政府经济协作办公室,对口帮扶工作业务培训费,培训人数,999人,年末\n"
        try text.write(toFile: ledger, atomically: true, encoding: .utf8)
        try same("after the ledger changed")
        let actuals = try s.run(["-c", "actuals | where actual == \"999人\" | count", "--format", "csv"])
        #expect(actuals.stdout == "count\r\n1\r\n")
    }
}
