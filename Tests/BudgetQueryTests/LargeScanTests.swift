import BudgetQuery
import BudgetStore
import Testing

/// Issue 13 item 4: scans that decide whole blocks by their value range (`BlockRanges`) and
/// `summarize` that adds into slots (`DirectAggregation`) answer exactly as the row-by-row and
/// general paths do, on a table large enough for both (more than 2^20 rows: two halves, blocks
/// kept whole, skipped and tested), with nulls in runs and scattered.
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
    /// None, one, two or three of x, y, z, in no run.
    static func tags(_ i: Int) -> [String] { Array(["x", "y", "z"].prefix((i * 7 + i / 3) % 4)) }

    static let store: Store = {
        let years = (0..<rows).map { year($0) }, amounts = (0..<rows).map { amount($0) }, months = (0..<rows).map { month($0) }
        let codes = (0..<rows).map { i in kind(i).map { Int32(["a", "b", "c"].firstIndex(of: $0)!) } ?? nullCode }
        var tagOffsets: [Int32] = [0], tagCodes: [Int32] = []
        for i in 0..<rows {
            tagCodes += (0..<Int32(tags(i).count)).map { $0 }
            tagOffsets.append(Int32(tagCodes.count))
        }
        let table = Table(name: "t", columns: [
            Column(name: "year", type: .int, data: .integers(years.map { $0 ?? 0 }, nulls: NullMask(count: rows) { years[$0] == nil })),
            Column(name: "kind", type: .string, data: .strings(codes: codes, dictionary: ["a", "b", "c"])),
            Column(name: "amount", type: .money, data: .integers(amounts.map { $0 ?? 0 }, nulls: NullMask(count: rows) { amounts[$0] == nil })),
            Column(name: "month", type: .month, data: .integers(months.map { $0 ?? 0 }, nulls: NullMask(count: rows) { months[$0] == nil })),
            Column(name: "tags", type: .list, data: .lists(offsets: tagOffsets, codes: tagCodes, dictionary: ["x", "y", "z"])),
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
        // And the other way: the null years are dropped among the rows the first condition kept.
        let after = (0..<Self.rows).filter { Self.kind($0) == "b" && (Self.year($0).map { $0 >= 2021 } ?? false) }.count
        #expect(try Self.count("t | where kind == \"b\" and year >= 2021") == Int64(after))
    }

    @Test func summariesByFewValuesMatchTheGeneralPath() throws {
        // sum(amount + 0) is an expression: grouped by `Grouping` and summed the general way.
        let pairs = [
            ("t | where year >= 2021 | summarize s = sum(amount), n = count() by kind, year",
             "t | where year >= 2021 | summarize s = sum(amount + 0), n = count() by kind, year"),
            ("t | summarize s = sum(amount), n = count() by month", "t | summarize s = sum(amount + 0), n = count() by month"),
            ("t | where kind != \"a\" | summarize s = sum(amount) by year, kind", "t | where kind != \"a\" | summarize s = sum(amount + 0) by year, kind"),
            ("t | summarize s = sum(amount), n = count()", "t | summarize s = sum(amount + 0), n = count()"),
            ("t | where year == 2022 | summarize total = sum(amount) / count() by kind", "t | where year == 2022 | summarize total = sum(amount + 0) / count() by kind"),
        ]
        for (direct, general) in pairs {
            let a = try Self.values(direct), b = try Self.values(general)
            #expect(!a.isEmpty && a == b, "\(direct)")
        }
        // Against the rows themselves: totals per kind of 2023.
        var sums: [String?: Int64] = [:], counts: [String?: Int64] = [:]
        for i in 0..<Self.rows where Self.year(i) == 2023 {
            counts[Self.kind(i), default: 0] += 1
            if let a = Self.amount(i) { sums[Self.kind(i), default: 0] += a }
        }
        let rows = try Self.values("t | where year == 2023 | summarize s = sum(amount), n = count() by kind")
        #expect(rows.count == counts.count)
        for row in rows {
            let kind: String? = if case .string(let k) = row[0] { k } else { nil }
            #expect(row[1] == .integer(sums[kind] ?? 0) && row[2] == .integer(counts[kind] ?? 0), "\(row)")
        }
    }

    @Test func noRowsGiveOneRowWithoutKeysAndNoneWithKeys() throws {
        #expect(try Self.values("t | where year == 1999 | summarize s = sum(amount), n = count()") == [[.null, .integer(0)]])
        #expect(try Self.values("t | where year == 1999 | summarize n = count() by kind").isEmpty)
        // A group whose amounts are all null sums to null.
        let nullOnly = try Self.values("t | where isnull(amount) | summarize s = sum(amount), n = count() by year | take 1")
        #expect(nullOnly.first?[1] == .null)
    }

    /// Four lanes of one total may overflow where adding in row order does not: the general way decides.
    @Test func aLaneThatOverflowsIsDecidedTheGeneralWay() throws {
        let big = Int64.max / 2 + 1
        let table = Table(name: "u", columns: [Column(name: "x", type: .int, data: .integers([big, -big, 0, 0, big, -big, 0, 0]))])
        let session = QuerySession(store: Store(tables: [table]))
        guard case .result(let result)? = try session.run("u | summarize s = sum(x)").last else { Issue.record("no result"); return }
        #expect(result.table.columns[0].value(at: 0) == .integer(0))
        // A total that does not fit is still an error.
        let over = Table(name: "v", columns: [Column(name: "x", type: .int, data: .integers([big, big]))])
        #expect(throws: QueryError.self) { try QuerySession(store: Store(tables: [over])).run("v | summarize s = sum(x)") }
    }

    /// explode writes one row per element, and one null row per empty list, through a selection or not.
    @Test func explodeMatchesTheLists() throws {
        let all = (0..<Self.rows).reduce(0) { $0 + max(Self.tags($1).count, 1) }
        #expect(try Self.count("t | explode tags as tag") == Int64(all))
        var counts: [String?: Int64] = [:]
        for i in 0..<Self.rows where Self.year(i) == 2022 {
            let tags = Self.tags(i)
            if tags.isEmpty { counts[nil, default: 0] += 1 }
            for tag in tags { counts[tag, default: 0] += 1 }
        }
        let rows = try Self.values("t | where year == 2022 | explode tags as tag | summarize n = count() by tag")
        #expect(rows.count == counts.count)
        for row in rows {
            let tag: String? = if case .string(let t) = row[0] { t } else { nil }
            #expect(row[1] == .integer(counts[tag] ?? -1), "\(row)")
        }
        // Every row's year stays with each of its elements.
        let years = try Self.values("t | where kind == \"b\" | explode tags as tag | where tag == \"z\" | summarize n = count() by year")
        var expected: [Int64?: Int64] = [:]
        for i in 0..<Self.rows where Self.kind(i) == "b" && Self.tags(i).contains("z") { expected[Self.year(i), default: 0] += 1 }
        #expect(years.count == expected.count)
        for row in years {
            let year: Int64? = if case .integer(let y) = row[0] { y } else { nil }
            #expect(row[1] == .integer(expected[year] ?? -1), "\(row)")
        }
        // No list has an element: one null per row.
        let bare = Table(name: "w", columns: [Column(name: "tags", type: .list, data: .lists(offsets: [0, 0, 0], codes: [], dictionary: []))])
        guard case .result(let result)? = try QuerySession(store: Store(tables: [bare])).run("w | explode tags as tag").last else { Issue.record("no result"); return }
        #expect(result.table.rowCount == 2 && result.table.columns[0].value(at: 1) == .null)
    }
}
