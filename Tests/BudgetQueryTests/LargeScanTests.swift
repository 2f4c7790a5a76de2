import BudgetQuery
import BudgetStore
import Testing

/// Issue 13 item 4: scans that decide whole blocks by their value range (`BlockRanges`) answer
/// exactly as the row-by-row path does, on a table large enough (more than 2^20 rows: two
/// halves, blocks kept whole, skipped and tested), with nulls in runs and scattered.
struct LargeScanTests {
    static let rows = 1_200_000
    /// A whole block of null years (block 292), besides scattered ones.
    static let nullYears = 292 * BlockRanges.blockSize ..< 293 * BlockRanges.blockSize

    static func year(_ i: Int) -> Int64? {
        if nullYears.contains(i) || i % 7919 == 0 { return nil }
        return 2020 + Int64(i / 300_000)
    }
    static func kind(_ i: Int) -> String? { i % 10007 == 0 ? nil : ["a", "b", "c"][(i / 5000) % 3] }
    static func amount(_ i: Int) -> Int64? { i % 13 == 0 ? nil : Int64(i % 1000) * 100 - 30_000 }
    static func month(_ i: Int) -> Int64? { year(i).map { $0 * 100 + Int64((i / 25_000) % 12) + 1 } }

    static let store: Store = {
        let years = (0..<rows).map { year($0) }, amounts = (0..<rows).map { amount($0) }, months = (0..<rows).map { month($0) }
        let codes = (0..<rows).map { i in kind(i).map { Int32(["a", "b", "c"].firstIndex(of: $0)!) } ?? nullCode }
        let table = Table(name: "t", columns: [
            Column(name: "year", type: .int, data: .integers(years.map { $0 ?? 0 }, nulls: NullMask(count: rows) { years[$0] == nil })),
            Column(name: "kind", type: .string, data: .strings(codes: codes, dictionary: ["a", "b", "c"])),
            Column(name: "amount", type: .money, data: .integers(amounts.map { $0 ?? 0 }, nulls: NullMask(count: rows) { amounts[$0] == nil })),
            Column(name: "month", type: .month, data: .integers(months.map { $0 ?? 0 }, nulls: NullMask(count: rows) { months[$0] == nil })),
        ])
        return Store(tables: [table])
    }()

    static func values(_ query: String) throws -> [[Value]] {
        guard case .result(let result)? = try QuerySession(store: store).run(query).last else { return [] }
        let table = result.table
        return (0..<table.rowCount).map { row in table.columns.map { $0.value(at: row) } }
    }

    static func count(_ query: String) throws -> Int64? {
        guard case .integer(let n)? = try values(query + " | count").first?.first else { return nil }
        return n
    }

    @Test func yearComparisonsMatchRowByRow() throws {
        let tests: [(String, (Int64) -> Bool)] = [
            ("== 2021", { $0 == 2021 }), ("!= 2021", { $0 != 2021 }), ("< 2021", { $0 < 2021 }), ("<= 2021", { $0 <= 2021 }),
            ("> 2021", { $0 > 2021 }), (">= 2021", { $0 >= 2021 }), ("== 1999", { $0 == 1999 }), (">= 2020", { $0 >= 2020 }),
        ]
        for (condition, test) in tests {
            let expected = (0..<Self.rows).filter { Self.year($0).map(test) ?? false }.count
            #expect(try Self.count("t | where year \(condition)") == Int64(expected), "year \(condition)")
            // The same condition as an expression goes the general way, row by row.
            #expect(try Self.count("t | where year + 0 \(condition)") == Int64(expected), "year + 0 \(condition)")
        }
        let sets: [[Int64]] = [[2021, 2022], [2020, 2021, 2023], [2022], [1999, 2023], [2020, 2021, 2022, 2023]]
        for set in sets {
            let expected = (0..<Self.rows).filter { Self.year($0).map(set.contains) ?? false }.count
            let list = set.map(String.init).joined(separator: ", ")
            #expect(try Self.count("t | where year in (\(list))") == Int64(expected), "year in (\(list))")
        }
    }

    @Test func kindComparisonsMatchRowByRow() throws {
        let tests: [(String, (String) -> Bool)] = [
            ("== \"b\"", { $0 == "b" }), ("!= \"b\"", { $0 != "b" }), ("< \"b\"", { $0 < "b" }), ("<= \"b\"", { $0 <= "b" }),
            ("> \"b\"", { $0 > "b" }), (">= \"b\"", { $0 >= "b" }), ("== \"zz\"", { $0 == "zz" }), ("!= \"zz\"", { $0 != "zz" }),
            ("in (\"a\", \"c\")", { $0 == "a" || $0 == "c" }),
        ]
        for (condition, test) in tests {
            let expected = (0..<Self.rows).filter { Self.kind($0).map(test) ?? false }.count
            #expect(try Self.count("t | where kind \(condition)") == Int64(expected), "kind \(condition)")
        }
        // The second condition runs over the first one's rows.
        let both = (0..<Self.rows).filter { Self.year($0) == 2022 && Self.kind($0) == "c" }.count
        #expect(try Self.count("t | where year == 2022 and kind == \"c\"") == Int64(both))
    }
}
