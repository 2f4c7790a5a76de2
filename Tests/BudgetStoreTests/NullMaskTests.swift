import BudgetCore
@testable import BudgetDocuments
@testable import BudgetStore
import Foundation
import Testing

/// Issue 12, item 7: a null is a mask bit, never a reserved value, so Int64.min is a number; and
/// `execution` totals past Int64 are an error, never capped at 92,233,720,368,547,758.07.
struct NullMaskTests {
    static let seedPath: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path + "/datasets/2024-dongguan-economic-cooperation-office.txt"
    }()

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-\(name)-\(UUID().uuidString).snap").path
    }

    @Test func int64MinIsAValueAndNullIsTheMask() throws {
        let column = Column(name: "x", type: .money, data: .optionalIntegers([Int64.min, nil, Int64.max, 0]))
        #expect(column.value(at: 0) == .integer(Int64.min))
        #expect(column.value(at: 1) == .null)
        #expect(column.value(at: 2) == .integer(Int64.max))
        #expect(column.value(at: 3) == .integer(0))
        let gathered = try column.gathered([1, 0, 1, 3])
        #expect((0..<4).map { gathered.value(at: $0) } == [.null, .integer(Int64.min), .null, .integer(0)])
        let sliced = column.slice(1..<3)
        #expect((0..<2).map { sliced.value(at: $0) } == [.null, .integer(Int64.max)])
        // Past 64 rows the mask spans words; concatenation keeps each part's nulls in place.
        let long = Column(name: "x", type: .int, data: .optionalIntegers((0..<130).map { $0 % 7 == 0 ? nil : Int64($0) }))
        let joined = try #require(Column.concatenated([column, long, column]))
        let nullRows: [Int] = (0..<joined.count).filter { joined.value(at: $0) == .null }
        let longNulls: [Int] = (0..<130).filter { $0 % 7 == 0 }.map { $0 + 4 }
        #expect(nullRows == [1] + longNulls + [135])
    }

    @Test func snapshotsKeepNullsAndInt64Min() throws {
        let table = Table(name: "t", columns: [
            Column(name: "x", type: .money, data: .optionalIntegers([Int64.min, nil, 5] + (0..<100).map { $0 == 70 ? nil : Int64($0) })),
        ])
        let path = Self.temporary("null-mask")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Snapshot.write(Store(tables: [table]), to: path)
        let read = try #require(try Snapshot.read(path).loadTable(named: "t")).columns[0]
        #expect(read.count == 103)
        #expect(read.value(at: 0) == .integer(Int64.min))
        #expect(read.value(at: 1) == .null)
        #expect(read.value(at: 2) == .integer(5))
        #expect((0..<103).filter { read.value(at: $0) == .null } == [1, 73])
    }

    /// Format 2 wrote null as Int64.min in the values; it is still read, as null.
    @Test func format2SnapshotsAreReadWithTheirSentinelAsNull() throws {
        let table = Table(name: "t", columns: [Column(name: "x", type: .int, data: .integers([Int64.min, 7, Int64.min]))])
        let path = Self.temporary("format2")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Snapshot.write(Store(tables: [table]), to: path)
        // Rewrite as format 2: no mask section, version 2 in the header.
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let tocOffset = Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self) })
        var toc = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: tocOffset..<data.count)) as? [String: Any])
        var tables = try #require(toc["tables"] as? [[String: Any]])
        var columns = try #require(tables[0]["columns"] as? [[String: Any]])
        columns[0]["sections"] = Array(try #require(columns[0]["sections"] as? [Any]).prefix(1))
        tables[0]["columns"] = columns
        toc["tables"] = tables
        toc["formatVersion"] = 2
        let newToc = try JSONSerialization.data(withJSONObject: toc)
        data = data.prefix(tocOffset) + newToc
        withUnsafeBytes(of: UInt32(2).littleEndian) { data.replaceSubrange(8..<12, with: $0) }
        withUnsafeBytes(of: UInt64(newToc.count).littleEndian) { data.replaceSubrange(24..<32, with: $0) }
        withUnsafeBytes(of: newToc.withUnsafeBytes { Snapshot.checksum($0) }.littleEndian) { data.replaceSubrange(32..<40, with: $0) }
        try data.write(to: URL(fileURLWithPath: path))
        let read = try #require(try Snapshot.read(path).loadTable(named: "t")).columns[0]
        #expect((0..<3).map { read.value(at: $0) } == [.null, .integer(7), .null])
        // Format 1 is refused by name.
        withUnsafeBytes(of: UInt32(1).littleEndian) { data.replaceSubrange(8..<12, with: $0) }
        try data.write(to: URL(fileURLWithPath: path))
        #expect { _ = try Snapshot.read(path) } throws: { "\($0)".contains("snapshot format 1 was written by an older budgetq") }
    }

    /// The loader refuses a ledger row whose running total would pass Int64, but `execution`
    /// is also derived from snapshots and spliced caches: there too a sum past Int64 is an error.
    @Test func executionPastInt64IsAnErrorNotCapped() throws {
        let loaded = DocumentLoader.load(paths: [Self.seedPath])
        let index = try #require(loaded.projects.firstIndex { $0.name == "对口支援巫山县专项资金" })
        let date = try #require(CalendarDate(year: 2024, month: 3, day: 1))
        let huge = PaymentRecord(date: date, department: "", project: "对口支援巫山县专项资金", projectIndex: index,
                                 amountFen: 5_000_000_000_000_000_000, note: "", source: "a.csv", line: 2)
        var two = huge
        two.line = 3
        let tables = StoreBuilder.documentTables(loaded.projects) + [StoreBuilder.payments([huge, two])]
        let store = StoreBuilder.store(tables: tables, sources: [])
        #expect { _ = try store.loadTable(named: "execution") } throws: { error in
            "\(error)".contains("payments to `对口支援巫山县专项资金` up to 2024-03 add up beyond what budgetq can hold exactly")
        }
        // One of them alone is exact.
        let one = StoreBuilder.store(tables: StoreBuilder.documentTables(loaded.projects) + [StoreBuilder.payments([huge])], sources: [])
        let execution = try #require(try one.loadTable(named: "execution"))
        let paid = try #require(execution.column(named: "paid_to_date"))
        #expect((0..<execution.rowCount).map { paid.value(at: $0) }.contains(.integer(5_000_000_000_000_000_000)))
    }
}
