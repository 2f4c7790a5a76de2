import BudgetCore
import BudgetStore
import Testing
@testable import BudgetQuery

/// Issue 12, item 8: Ctrl-C stops a long operator inside its passes, not after them. Each test runs
/// one operator alone on a generated frame of about 200K rows (three 64K-row chunks a pass) with a
/// stop request raised at a chosen look at the flag: raised at its first look, or at any look
/// of a full run, the operator must throw the interruption instead of returning a frame. An
/// operator (or a pass of it) that never looked would return one.
///
/// The request is scoped to the test's task (`Interrupt.$scoped`): the process-wide flag would stop
/// the queries of the tests running beside these. Latency itself is measured, not tested
/// (bench/interrupt_latency.py, BENCHMARKS.md).
struct InterruptTests {
    static let rows = 3 * 65_536 + 77

    /// `rows` rows: a unique id in a scrambled order, 97 small groups, 500 names, money with nulls,
    /// a real, a free text, a list of regions and a constant join key; `side` has two rows of k = 1.
    static let store: Store = {
        let n = rows
        var names = StringColumnBuilder(capacity: n), regions = ListColumnBuilder()
        var amounts = IntegerColumnBuilder(capacity: n)
        var notes: [String?] = []
        for i in 0..<n {
            names.append("n\(i % 500)")
            regions.append(["东", "南", "西"].prefix(i % 3).map { $0 })
            amounts.append(i % 13 == 0 ? nil : Int64(i % 1000) * 100)
            notes.append(i % 7 == 0 ? nil : "note \(i % 300)")
        }
        let table = Table(name: "rows", columns: [
            Column(name: "id", type: .int, data: .integers((0..<n).map { Int64($0 * 7919 % n) })),
            Column(name: "g", type: .int, data: .integers((0..<n).map { Int64($0 % 97) })),
            Column(name: "name", type: .string, data: names.finish()),
            Column(name: "amount", type: .money, data: amounts.finish()),
            Column(name: "ratio", type: .real, data: .reals((0..<n).map { Double($0 % 10) / 4 })),
            Column(name: "note", type: .text, data: .texts(notes)),
            Column(name: "regions", type: .list, data: regions.finish()),
            Column(name: "k", type: .int, data: .integers([Int64](repeating: 1, count: n))),
        ])
        let side = Table(name: "side", columns: [
            Column(name: "k", type: .int, data: .integers([1, 1])),
            Column(name: "label", type: .string, data: .strings(codes: [0, 1], dictionary: ["a", "b"])),
        ])
        return Store(tables: [table, side])
    }()

    /// The frame `pipeline` produces (run without any request).
    static func frame(_ pipeline: String) throws -> Frame {
        let executor = Executor(store: store, context: BindingContext(parameters: [:], lets: [:]))
        return try executor.run(parse(pipeline))
    }

    static func parse(_ text: String) throws -> Pipeline {
        guard case .query(let pipeline)? = try Parser.parse(text).first else { throw QueryError("not a query", at: SourceSpan(line: 1, column: 1, length: 1)) }
        return pipeline
    }

    /// Runs `op` (one operator, as text) alone on `input`, with a request raised at look `raisedAt`
    /// (Int.max: never); the frame it returned (nil when interrupted) and how many looks it took.
    /// Look 1 is the executor's own, before the operator starts.
    static func run(_ op: String, on input: Frame, raisedAt: Int) throws -> (frame: Frame?, looks: Int) {
        let executor = Executor(store: store, context: BindingContext(parameters: [:], lets: ["input": input]))
        let pipeline = try parse("input | " + op)
        let request = ScopedRequest(after: raisedAt)
        do {
            let frame = try Interrupt.$scoped.withValue(request) { try executor.run(pipeline) }
            return (frame, request.looks)
        } catch let error as QueryError where error.isInterruption {
            return (nil, request.looks)
        }
    }

    /// `op` on the frame of `input` stops when the request is raised at its first look, at its
    /// last, and at looks spread between; run with no request, it finishes (and the answer is
    /// the same after the interruptions). `passes`: how many passes over the rows it makes at the
    /// least, each looking once a chunk; a pass that stopped looking lowers the count (a sort's
    /// comparisons, which look every 4K, make its count large whatever its other passes do).
    static func expectStops(_ op: String, on input: String, passes: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let frame = try Self.frame(input)
        // A first run fills what columns keep once asked (block ranges), which later runs skip.
        _ = try run(op, on: frame, raisedAt: .max)
        let full = try run(op, on: frame, raisedAt: .max)
        guard let answer = full.frame else {
            Issue.record("`\(op)` did not finish without a request", sourceLocation: sourceLocation)
            return
        }
        let chunks = (frame.rowCount + Interrupt.chunkRows - 1) / Interrupt.chunkRows
        #expect(full.looks - 1 >= passes * chunks, "`\(op)` looked \(full.looks - 1) times over \(chunks) chunks", sourceLocation: sourceLocation)
        let last = full.looks
        let spread = (0...4).map { 2 + (last - 2) * $0 / 4 }
        for raisedAt in Set([2, 3] + spread).sorted() where raisedAt <= last {
            let stopped = try run(op, on: frame, raisedAt: raisedAt)
            #expect(stopped.frame == nil, "`\(op)` finished though stopping was asked at look \(raisedAt) of \(last)", sourceLocation: sourceLocation)
        }
        let again = try run(op, on: frame, raisedAt: .max)
        #expect(try again.frame.map(sample) == sample(answer), "`\(op)` answers differently after being stopped", sourceLocation: sourceLocation)
    }

    /// Each column's row count and its first and last 20 values.
    static func sample(_ frame: Frame) throws -> [[Value]] {
        try frame.table().columns.map { column in
            let rows = Array(0..<min(20, column.count)) + Array(max(0, column.count - 20)..<column.count)
            return [.integer(Int64(column.count))] + rows.map(column.value(at:))
        }
    }

    // Through a selection (`where`) so that keys and results are gathered, not read in place.
    static let selected = "rows | where g != 3"

    @Test func sortByOneIntegerKeyStops() throws {
        try Self.expectStops("sort by id", on: Self.selected, passes: 4)
    }

    @Test func sortBySeveralKeysStops() throws {
        try Self.expectStops("sort by name desc, amount, id", on: Self.selected, passes: 4)
    }

    @Test func topStops() throws {
        try Self.expectStops("top 5 by id", on: Self.selected, passes: 2)
        try Self.expectStops("top 2 by amount per g", on: Self.selected, passes: 4)
    }

    @Test func summarizeByPlainKeysStops() throws {
        try Self.expectStops("summarize n = count(), s = sum(amount) by g, name", on: Self.selected, passes: 3)
    }

    @Test func summarizeByComputedKeysStops() throws {
        try Self.expectStops("summarize d = dcount(name), m = max(amount), a = avg(ratio), t = dcount(note) by x = g % 10, note", on: Self.selected, passes: 29)
    }

    @Test func summarizeOfAJoinStops() throws {
        try Self.expectStops("summarize n = count() by label, name", on: "rows | join side on k", passes: 9)
    }

    @Test func joinStops() throws {
        try Self.expectStops("join side on k", on: Self.selected, passes: 6)
        try Self.expectStops("join side on k", on: "rows | join side on k | select k, id", passes: 5)
    }

    @Test func whereStops() throws {
        // The direct scan of a column (both cores), and a condition evaluated column by column.
        try Self.expectStops("where amount > 100 and name != \"n3\"", on: "rows | join side on k", passes: 3)
        try Self.expectStops("where g * 2 > 50 or note has \"1\"", on: Self.selected, passes: 13)
    }

    @Test func deriveAndSelectStop() throws {
        try Self.expectStops("derive y = amount * 2 + 1, z = iff(g > 5, amount, 0), w = round(ratio * 3, 1)", on: Self.selected, passes: 15)
        try Self.expectStops("select id, s = strcat(name, \"-\", g), b = isnull(amount)", on: Self.selected, passes: 8)
        try Self.expectStops("derive r = running_sum(amount), share = amount / sum(amount)", on: Self.selected, passes: 11)
    }

    @Test func distinctStops() throws {
        try Self.expectStops("distinct g, name", on: Self.selected, passes: 8)
    }

    @Test func explodePivotAndCompareStop() throws {
        try Self.expectStops("explode regions as r", on: Self.selected, passes: 2)
        try Self.expectStops("pivot x of sum(amount) by name", on: Self.selected + " | derive x = g % 3", passes: 13)
        try Self.expectStops("compare x 0 vs 1 of count() by name", on: Self.selected + " | derive x = g % 3", passes: 12)
    }

    @Test func takeAndTotalStop() throws {
        try Self.expectStops("take 190000", on: Self.selected, passes: 2)
        try Self.expectStops("total", on: Self.selected + " | select id, amount", passes: 6)
    }

    /// A statement's result is gathered column by column before it is shown: that stops too, and
    /// the session answers the next statement.
    @Test func gatheringTheResultStops() throws {
        let query = "rows | join side on k | select id, name, amount, note, label"
        let session = QuerySession(store: Self.store)
        let statement = try QuerySession.parse(query)[0]
        // The looks of the operators, then those of the whole statement.
        let executor = Executor(store: Self.store, context: BindingContext(parameters: [:], lets: [:]))
        let operators = ScopedRequest(after: .max), whole = ScopedRequest(after: .max)
        _ = try Interrupt.$scoped.withValue(operators) { try executor.run(Self.parse(query)) }
        _ = try Interrupt.$scoped.withValue(whole) { try session.execute(statement) }
        let chunks = (2 * Self.rows + Interrupt.chunkRows - 1) / Interrupt.chunkRows
        #expect(whole.looks - operators.looks >= 5 * chunks, "the result's five columns were gathered with \(whole.looks - operators.looks) looks")
        let request = ScopedRequest(after: operators.looks + 2)
        #expect(throws: QueryError.interrupted(at: statement.span)) {
            try Interrupt.$scoped.withValue(request) { try session.execute(statement) }
        }
        guard case .result(let result) = try session.execute(statement) else {
            Issue.record("no result")
            return
        }
        #expect(result.table.rowCount == 2 * Self.rows)
    }

    /// The passes every operator is made of look once a chunk: raised at the third look of a
    /// pass over ten chunks, each throws instead of finishing.
    @Test func theSharedPassesLookEveryChunk() throws {
        let n = 10 * Interrupt.chunkRows
        let indices = (0..<n).map { Int32(($0 * 7919) % n) }
        let table = try #require(Self.store.table(named: "rows"))
        func stops(_ what: String, _ pass: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
            let request = ScopedRequest(after: 3)
            var threw = false
            do { try Interrupt.$scoped.withValue(request) { try pass() } } catch { threw = error is Interrupted }
            #expect(threw, "\(what) finished though stopping was asked at its third look", sourceLocation: sourceLocation)
        }
        let wide = indices.map { $0 % Int32(Self.rows) }
        for column in table.columns {
            stops("gathering \(column.type) column \(column.name)") { _ = try column.gathered(wide) }
        }
        stops("a null mask") { _ = try NullMask(allNull: n).gathered(indices) }
        stops("makeArray") { _ = try Interrupt.makeArray(count: n) { (out: UnsafeMutableBufferPointer<Int>, range) in for i in range { out[i] = i } } }
        stops("map") { _ = try Interrupt.map(indices) { $0 + 1 } }
        stops("repeating") { _ = try Interrupt.repeating(0, count: n) }
        stops("gather") { _ = try Interrupt.gather(indices, indices) }
        stops("forEachChunk") { try Interrupt.forEachChunk(n) { _ in } }
        let big = try Self.frame("rows | join side on k")
        stops("a frame's selection") { _ = try big.selecting(wide) }
        stops("a frame's columns") { _ = try big.materialized() }
        for key in ["id", "g", "name", "ratio", "note", "regions"] {
            let column = try #require(table.column(named: key))
            stops("grouping by \(key)") { _ = try Grouping.build(keys: [column.gathered(wide)], rows: n) }
        }
        stops("grouping by two keys") { _ = try Grouping.build(keys: [table.columns[1], table.columns[2]], rows: Self.rows) }
        stops("one group") { _ = try Grouping.single(rows: n) }
    }

    /// A table built on first use and stopped while building is built again by the next query:
    /// the interruption is not kept as the table's failure.
    @Test func aTableStoppedWhileBuildingIsBuiltAgain() throws {
        let store = Store(tables: [], deferred: [Store.Deferred(name: "slow", aliases: [], stored: false) { _ in
            Table(name: "slow", columns: [try Column(name: "x", type: .int, data: .integers([1, 2, 3])).gathered(Array(repeating: 0, count: 3 * Interrupt.chunkRows))])
        }])
        let request = ScopedRequest(after: 2)
        #expect(throws: Interrupted.self) { try Interrupt.$scoped.withValue(request) { try store.loadTable(named: "slow") } }
        #expect(try store.loadTable(named: "slow")?.rowCount == 3 * Interrupt.chunkRows)
    }
}
