import BudgetDocuments
import Foundation
import BudgetRender
import Testing
@testable import BudgetStore

/// Column layouts: sorted dictionaries, list offsets, nulls, and the tables built from the seed.
struct StoreTests {
    @Test func dictionaryColumnsAreSortedByUTF8Bytes() throws {
        var builder = StringColumnBuilder()
        for value in ["韶关", "铜仁", nil, "b", "a", "铜仁"] { builder.append(value) }
        guard case .strings(let codes, let dictionary) = builder.finish() else { Issue.record("not a string column"); return }
        #expect(dictionary == ["a", "b", "铜仁", "韶关"])
        #expect(codes == [3, 2, nullCode, 1, 0, 2])
    }

    @Test func listColumnsShareOneDictionary() throws {
        var builder = ListColumnBuilder()
        builder.append(["铜仁", "韶关", "揭阳"])
        builder.append([])
        builder.append(["巫山"])
        let column = Column(name: "regions", type: .list, data: builder.finish())
        #expect(column.count == 3)
        #expect(column.value(at: 0) == .list(["铜仁", "韶关", "揭阳"]))
        #expect(column.value(at: 1) == .list([]))
        #expect(column.value(at: 2) == .list(["巫山"]))
    }

    @Test func seedTablesHaveTheDesignColumns() throws {
        var url = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        url = "/" + url + "/datasets/"
        let store = StoreBuilder.build(from: DocumentLoader.load(paths: [url + "2024-dongguan-economic-cooperation-office.txt", url + "regions.tsv"]))
        let projects = try #require(store.table(named: "projects"))
        #expect(projects.columns.map(\.name) == ["id", "year", "name", "type", "level", "department", "unit", "start_year", "end_year",
                                                 "budget", "goal_period", "goal_year", "regions", "doc_kind", "amount_unit", "department_code",
                                                 "unit_code", "budget_total", "budget_initial", "budget_adjusted", "spent", "spent_rate",
                                                 "funds_fiscal", "funds_other", "goal_result", "spent_weight", "spent_score", "total_weight",
                                                 "total_score", "grade", "actuals_month", "extra", "partial", "source", "line", "position", "origin",
                                                 "execution_target", "execution_deadline", "execution_deadline_text"])
        #expect(projects.rowCount == 9)
        #expect(projects.column(named: "预算金额")?.type == .money)
        #expect(projects.column(named: "区域")?.type == .list)
        #expect(projects.column(named: "goal_period")?.type == .text)
        #expect(store.table(named: "indicators")?.rowCount == 60)
        #expect(store.table(named: "coverage")?.rowCount == 81)
        #expect(store.table(named: "regions")?.rowCount == 4)
        #expect(store.table(named: "项目")?.name == "projects")
        guard case .integers(let fen, _)? = projects.column(named: "budget")?.data else { Issue.record("budget is not integer fen"); return }
        #expect(fen.reduce(0, +) == 161_803_500_000)
        let indicators = try #require(store.table(named: "indicators"))
        let value = try #require(indicators.column(named: "value"))
        let annual = try #require(indicators.column(named: "annual_target"))
        let row = try #require((0..<indicators.rowCount).first { annual.value(at: $0) == .string("4.2亿元") })
        #expect(value.value(at: row) == .integer(420_000_000 * 10_000))
        #expect(store.sources.first?.origin == .published)
        #expect(store.sources.first?.years == [2024])
    }

    @Test func cellFormatting() {
        let money = Column(name: "budget", type: .money, data: .optionalIntegers([161_803_500_000, nil, -5]))
        let files = CellFormatter(forPeople: false)
        #expect(files.text(money, 0) == "1618035000.00")
        #expect(files.text(money, 1) == nil)
        #expect(files.text(money, 2) == "-0.05")
        #expect(CellFormatter(forPeople: true).text(money, 0) == "1,618,035,000.00")
        #expect(CellFormatter(forPeople: true, moneyUnit: .tenThousand).text(money, 0) == "161,803.50")
        // 亿元 keeps six decimals (to the 100 元), so a small amount is not 0.00.
        #expect(CellFormatter(forPeople: true, moneyUnit: .hundredMillion).text(money, 0) == "16.180350")
        let small = Column(name: "budget", type: .money, data: .integers([10_500_000]))
        #expect(CellFormatter(forPeople: true, moneyUnit: .hundredMillion).text(small, 0) == "0.001050")
        // Ratios and percentage points as percentages with two decimals; files keep the number.
        let rate = Column(name: "rate", aliases: ["执行率"], type: .real, data: .reals([0.356095238095238, 1, .nan]))
        #expect(CellFormatter(forPeople: true).text(rate, 0) == "35.61%")
        #expect(CellFormatter(forPeople: true).text(rate, 1) == "100.00%")
        #expect(CellFormatter(forPeople: true).text(rate, 2) == nil)
        #expect(files.text(rate, 0) == "0.356095238095238")
        let pct = Column(name: "pct", type: .real, data: .reals([-2.00620, 11.94029]))
        #expect(CellFormatter(forPeople: true).text(pct, 0) == "-2.01%")
        #expect(CellFormatter(forPeople: true).text(pct, 1) == "11.94%")
        let renamed = Column(name: "r", aliases: ["rate", "执行率"], type: .real, data: .reals([0.5]))
        #expect(CellFormatter(forPeople: true).text(renamed, 0) == "50.00%")
        let plain = Column(name: "avg_budget_per_project", type: .real, data: .reals([0.5]))
        #expect(CellFormatter(forPeople: true).text(plain, 0) == "0.5")
        let date = Column(name: "deadline", type: .date, data: .integers([20240331]))
        #expect(files.text(date, 0) == "2024-03-31")
        let reals = Column(name: "r", type: .real, data: .reals([0.0000648935282611315577, 1.0 / 3.0, .nan]))
        #expect(files.text(reals, 0) == "0.0000648935282611316")
        #expect(CellFormatter(forPeople: true).text(reals, 1) == "0.3333")
        #expect(files.text(reals, 2) == nil)
    }
}

/// Snapshots whose table of contents lies (a checksum recomputed over it) are refused, not trusted.
struct SnapshotTamperingTests {
    func tamper(_ edit: (inout [String: Any]) -> Void) throws -> String {
        var url = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        url = "/" + url + "/datasets/"
        let store = StoreBuilder.build(from: DocumentLoader.load(paths: [url + "2024-dongguan-economic-cooperation-office.txt"]))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tamper-\(UUID().uuidString).snap").path
        try Snapshot.write(store, to: path)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let tocOffset = Int(data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self) })
        var toc = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: tocOffset..<data.count)) as? [String: Any])
        edit(&toc)
        let newToc = try JSONSerialization.data(withJSONObject: toc)
        data = data.prefix(tocOffset) + newToc
        let length = UInt64(newToc.count), sum = newToc.withUnsafeBytes { Snapshot.checksum($0) }
        withUnsafeBytes(of: length.littleEndian) { data.replaceSubrange(24..<32, with: $0) }
        withUnsafeBytes(of: sum.littleEndian) { data.replaceSubrange(32..<40, with: $0) }
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func column(_ toc: inout [String: Any], _ table: Int, _ column: Int, _ edit: (inout [String: Any]) -> Void) {
        guard var tables = toc["tables"] as? [[String: Any]], var columns = tables[table]["columns"] as? [[String: Any]] else { return }
        edit(&columns[column])
        tables[table]["columns"] = columns
        toc["tables"] = tables
    }

    @Test func raggedColumnCountsAndHugeOffsetsAreRefused() throws {
        let ragged = try tamper { column(&$0, 0, 9) { $0["count"] = 5 } }
        #expect(throws: Snapshot.Failure.self) { _ = try Snapshot.read(ragged) }
        let huge = try tamper { column(&$0, 0, 0) { c in
            var sections = c["sections"] as? [[String: Any]] ?? []
            sections[0]["offset"] = UInt64.max - 8
            c["sections"] = sections
        } }
        #expect(throws: Snapshot.Failure.self) { _ = try Snapshot.read(huge) }
        let enormous = try tamper { toc in
            guard var tables = toc["tables"] as? [[String: Any]] else { return }
            tables[0]["rowCount"] = 1 << 62
            if var columns = tables[0]["columns"] as? [[String: Any]] {
                for i in columns.indices { columns[i]["count"] = 1 << 62 }
                tables[0]["columns"] = columns
            }
            toc["tables"] = tables
        }
        let store = try Snapshot.read(enormous)
        #expect(throws: (any Error).self) { _ = try store.loadTable(named: "projects") }
    }

    /// Issue 12, item 6: a table of contents (checksum recomputed) that claims 2^63−1 rows for a
    /// table is refused with a message: every size is computed with checked arithmetic, never trapped on.
    @Test func aTableOfContentsClaimingInt64MaxRowsIsRefused() throws {
        for table in 0..<6 {
            let path = try tamper { toc in
                guard var tables = toc["tables"] as? [[String: Any]], table < tables.count else { return }
                tables[table]["rowCount"] = Int.max
                if var columns = tables[table]["columns"] as? [[String: Any]] {
                    for i in columns.indices { columns[i]["count"] = Int.max }
                    tables[table]["columns"] = columns
                }
                toc["tables"] = tables
            }
            defer { try? FileManager.default.removeItem(atPath: path) }
            let store = try Snapshot.read(path)
            for name in store.tableNames {
                do {
                    _ = try store.loadTable(named: name)
                } catch {
                    #expect("\(error)".contains("corrupt snapshot") && "\(error)".contains("is too short"), "\(name): \(error)")
                }
            }
            // The damaged table itself is refused, not opened.
            let damaged = try #require(store.tableNames.first { name in (try? store.loadTable(named: name)) == nil })
            #expect(!damaged.isEmpty)
        }
    }

    /// `Source.kind` is an enum in memory but keeps format 2's strings on disk; an unknown kind is refused.
    @Test func sourceKindsKeepTheirFormat2Strings() throws {
        var written: [String] = []
        let path = try tamper { toc in written = (toc["sources"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String } }
        #expect(written == ["documents"])
        #expect(try Snapshot.read(path).sources.map(\.kind) == [.documents])
        let unknown = try tamper { toc in
            guard var sources = toc["sources"] as? [[String: Any]], !sources.isEmpty else { return }
            sources[0]["kind"] = "spreadsheets"
            toc["sources"] = sources
        }
        #expect(throws: Snapshot.Failure.self) { _ = try Snapshot.read(unknown) }
    }
}
