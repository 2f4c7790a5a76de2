import BudgetApp
import BudgetDocuments
import BudgetQuery
import BudgetStore
import Foundation
import Testing

/// Issue 12, item 7: Int64.min is a number in every operator (a null is a mask bit, not a value),
/// and over-budget warnings and overflow refusals cross every ledger even when the data cache
/// re-reads only part of a folder.
struct NullMaskQueryTests {
    /// -2^62 twice: the sum is exactly Int64.min.
    static let twoHalves = "projects | take 2 | derive x = -4294967296 * 1073741824"

    @Test func aSumEqualToInt64MinIsANumber() throws {
        #expect(try Fixture.csvRows(Self.twoHalves + " | summarize s = sum(x), n = count()") == ["s,n", "-9223372036854775808,2"])
        #expect(try Fixture.csvRows(Self.twoHalves + " | summarize s = sum(x) | where isnull(s) | count") == ["count", "0"])
        #expect(try Fixture.csvRows(Self.twoHalves + " | summarize s = sum(x) | where s < 0 | count") == ["count", "1"])
        #expect(try Fixture.csvRows("projects | take 1 | derive x = -4294967296 * 2147483648 | select x, isnull(x)") == ["x,isnull_x", "-9223372036854775808,false"])
        // Grouping and sorting keep Int64.min apart from null.
        let grouped = try Fixture.csvRows("projects | take 3 | derive x = iff(id == 1, -4294967296 * 2147483648, iff(id == 2, null, 0)) | summarize n = count() by x | sort by x")
        #expect(grouped == ["x,n", ",1", "-9223372036854775808,1", "0,1"], "\(grouped)")
        // Negating or taking abs of Int64.min has no exact answer: an error, never wrapped.
        #expect(Fixture.error("projects | take 1 | derive y = abs(-4294967296 * 2147483648)")?.contains("arithmetic overflow") == true)
        #expect(Fixture.error("projects | take 1 | derive y = -(-4294967296 * 2147483648)")?.contains("arithmetic overflow") == true)
    }

    @Test func filtersOnAColumnWithNullsKeepInt64MinAndDropNull() throws {
        let rows = try Fixture.csvRows("projects | take 3 | derive x = iff(id == 1, -4294967296 * 2147483648, iff(id == 2, null, 5)) | where x <= 5 | select id, x")
        #expect(rows == ["id,x", "1,-9223372036854775808", "3,5"], "\(rows)")
        let unequal = try Fixture.csvRows("projects | take 3 | derive x = iff(id == 1, -4294967296 * 2147483648, iff(id == 2, null, 5)) | where x != 5 | select id")
        #expect(unequal == ["id", "1"], "\(unequal)")
    }

    static func folder(_ ledgers: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-ledger-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixture.root + "/datasets/2024-dongguan-economic-cooperation-office.txt", toPath: dir.appendingPathComponent("seed.txt").path)
        try write(ledgers, to: dir.path)
        return dir.path
    }

    static func write(_ ledgers: [String: String], to dir: String) throws {
        for (file, rows) in ledgers {
            try ("date,department,project,amount,note\n" + rows).write(toFile: dir + "/" + file, atomically: true, encoding: .utf8)
        }
    }

    /// 对口支援巫山县专项资金 has a budget of 2,900,000.00. The first load caches both ledgers; then
    /// b.csv changes so that only the two together pass the budget.
    @Test func overBudgetCountsEveryLedgerWhenTheCacheRereadsOne() throws {
        let dir = try Self.folder(["a.csv": "2024-03-01,,对口支援巫山县专项资金,1500000.00,first\n",
                                   "b.csv": "2024-04-01,,对口支援巫山县专项资金,1000000.00,second\n"])
        let cacheFolder = dir + "-cache"
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: cacheFolder) }
        let cache = DataCache(folder: cacheFolder)
        let first = cache.load(paths: [dir], limits: LoadLimits())
        #expect(!first.summary.diagnostics.contains { $0.message.contains("more than its budget") })
        try Self.write(["b.csv": "2024-04-01,,对口支援巫山县专项资金,1500000.00,second\n"], to: dir)
        let second = cache.load(paths: [dir], limits: LoadLimits())
        #expect(second.summary.diagnostics.contains { $0.file.hasSuffix("b.csv") && $0.message.contains("reach 3,000,000.00, more than its budget of 2,900,000.00 (counting every ledger)") },
                "\(second.summary.diagnostics)")
        // And the next run, from the cache untouched, still reports it.
        let third = cache.load(paths: [dir], limits: LoadLimits())
        #expect(third.summary.diagnostics.contains { $0.message.contains("more than its budget") })
    }

    @Test func aRowPastInt64IsRefusedWhenTheCacheRereadsOneLedger() throws {
        let dir = try Self.folder(["a.csv": "2024-03-01,,对口支援巫山县专项资金,50000000000000000,a\n",
                                   "b.csv": "2024-04-01,,对口支援巫山县专项资金,1,b\n"])
        let cacheFolder = dir + "-cache"
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: cacheFolder) }
        let cache = DataCache(folder: cacheFolder)
        _ = cache.load(paths: [dir], limits: LoadLimits())
        try Self.write(["b.csv": "2024-04-01,,对口支援巫山县专项资金,50000000000000000,b\n"], to: dir)
        let second = cache.load(paths: [dir], limits: LoadLimits())
        #expect(second.summary.diagnostics.contains { $0.file.hasSuffix("b.csv") && $0.line == 2 && $0.message.contains("add up beyond what budgetq can hold exactly") },
                "\(second.summary.diagnostics)")
        let session = QuerySession(store: second.store)
        guard case .result(let result)? = try session.run("payments | summarize s = sum(amount), n = count()").last else { Issue.record("no result"); return }
        #expect(result.table.columns.map { $0.value(at: 0) } == [.integer(5_000_000_000_000_000_000), .integer(1)])
        guard case .result(let execution)? = try session.run("execution | where month == 2024-12 and project == \"对口支援巫山县专项资金\" | select paid_to_date").last else { Issue.record("no result"); return }
        #expect(execution.table.columns[0].value(at: 0) == .integer(5_000_000_000_000_000_000))
    }
}
