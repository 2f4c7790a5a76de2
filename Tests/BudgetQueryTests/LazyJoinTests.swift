import BudgetDocuments
import BudgetQuery
import BudgetStore
import Foundation
import Testing

// Ctrl-C is tested on child processes (QueryMemoryTests, Tests/repl/interrupt_test.py) and, inside
// each operator, with a request scoped to one test's task (InterruptTests): the process-wide flag
// would stop the queries of tests running alongside.

/// A join reads each side's columns through its own row numbers, only when an operator needs
/// them (issue 12, item 8: an 80M-row `join … | count` was OOM-killed gathering every column).
struct LazyJoinTests {
    /// A snapshot decodes a column when it is first read: a join that is only counted reads its keys alone.
    @Test func aCountedJoinReadsOnlyTheKeys() throws {
        let path = try SnapshotColumnTests.savedSnapshot()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try Snapshot.read(path)
        let session = QuerySession(store: store)
        guard case .result(let result)? = try session.run("indicators | join projects on project_id == id | count").last else {
            Issue.record("no result")
            return
        }
        let fresh = QuerySession(store: StoreBuilder.build(from: DocumentLoader.load(paths: [Fixture.root + "/datasets"])))
        guard case .result(let expected)? = try fresh.run("indicators | join projects on project_id == id | count").last else {
            Issue.record("no result from the freshly loaded store")
            return
        }
        #expect(result.table.columns[0].value(at: 0) == expected.table.columns[0].value(at: 0))
        #expect(try SnapshotColumnTests.decoded(store, "indicators") == ["project_id"])
        #expect(try SnapshotColumnTests.decoded(store, "projects") == ["id"])
        // A summarize by one column of each side reads those two more.
        _ = try session.run("indicators | join projects on project_id == id | summarize n = count() by level1, type")
        #expect(try SnapshotColumnTests.decoded(store, "indicators") == ["project_id", "level1"])
        #expect(try SnapshotColumnTests.decoded(store, "projects") == ["id", "type"])
    }
}
