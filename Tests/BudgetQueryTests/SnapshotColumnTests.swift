import BudgetDocuments
import BudgetQuery
import BudgetStore
import Foundation
import Testing

/// A snapshot opens by mapping it and decodes only the columns a query reads (issue 13, item 3).
struct SnapshotColumnTests {
    /// The bundled datasets saved as a snapshot in a temporary file.
    static func savedSnapshot() throws -> String {
        let store = StoreBuilder.build(from: DocumentLoader.load(paths: [Fixture.root + "/datasets"]))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("columns-\(UUID().uuidString).snap").path
        try Snapshot.write(store, to: path)
        return path
    }

    static func decoded(_ store: Store, _ table: String) throws -> [String] {
        try #require(store.table(named: table)).columns.filter(\.isDecoded).map(\.name)
    }

    @Test func aQueryTouchingTwoColumnsDecodesOnlyThose() throws {
        let path = try Self.savedSnapshot()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try Snapshot.read(path)
        #expect(try Self.decoded(store, "projects") == [], "opening decodes nothing")
        let session = QuerySession(store: store)
        let outcome = try session.run("projects | where year == 2024 | summarize total = sum(budget)")
        guard case .result(let result)? = outcome.last else { Issue.record("no result"); return }
        #expect(result.table.rowCount == 1)
        #expect(try Self.decoded(store, "projects") == ["year", "budget"])
        #expect(try Self.decoded(store, "indicators") == [], "a table the query does not name stays undecoded")
        // The answer is the one a store built from the documents gives.
        let fresh = QuerySession(store: StoreBuilder.build(from: DocumentLoader.load(paths: [Fixture.root + "/datasets"])))
        guard case .result(let expected)? = try fresh.run("projects | where year == 2024 | summarize total = sum(budget)").last else { return }
        #expect(result.table.columns[0].value(at: 0) == expected.table.columns[0].value(at: 0))
        // A third column read later is decoded then.
        _ = try session.run("projects | summarize n = count() by type")
        #expect(try Self.decoded(store, "projects") == ["year", "type", "budget"])
    }

    /// A damaged column is found when a query reads it: that statement fails naming the column,
    /// and nothing answers from the nulls it reads as.
    @Test func aDamagedColumnFailsTheStatementThatReadsIt() throws {
        let path = try Self.savedSnapshot()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Flip one byte of the projects.budget section (found through the table of contents).
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let tocOffset = Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self) })
        let toc = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: tocOffset..<data.count)) as? [String: Any])
        let tables = try #require(toc["tables"] as? [[String: Any]])
        let projects = try #require(tables.first { $0["name"] as? String == "projects" })
        let budget = try #require((projects["columns"] as? [[String: Any]])?.first { $0["name"] as? String == "budget" })
        let section = try #require((budget["sections"] as? [[String: Any]])?.first)
        let offset = try #require((section["offset"] as? NSNumber)?.intValue)
        data[offset] ^= 0xFF
        try data.write(to: URL(fileURLWithPath: path))

        let session = QuerySession(store: try Snapshot.read(path))
        // A query that does not read the damaged column answers.
        _ = try session.run("projects | summarize n = count() by year")
        #expect(throws: QueryError.self) { _ = try session.run("projects | summarize sum(budget)") }
        do {
            _ = try session.run("projects | summarize sum(budget)")
        } catch {
            #expect(error.message.contains("corrupt snapshot: projects.budget fails its checksum"), "\(error.message)")
        }
    }
}
