import BudgetDocuments
import BudgetRender
import BudgetStore
import Foundation
import Testing
@testable import BudgetApp

/// Loading file by file (`PortfolioReader`) gives the store a whole-folder build gives: every
/// table, row for row, the same sources and the same diagnostics in the same order (issue 13).
@Suite struct PortfolioReaderTests {
    /// Every table of both stores as CSV, the sources and the diagnostics.
    func expectSame(_ paths: [String], linked: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let found = DocumentLoader.discover(paths: paths)
        let read = PortfolioReader.read(found, tables: DocumentLoader.readTables(found, limits: LoadLimits()), limits: LoadLimits())
        let whole = DocumentLoader.load(paths: paths)
        let built = StoreBuilder.build(from: whole)
        #expect(read.linked == linked, sourceLocation: sourceLocation)
        #expect(read.store.tableNames == built.tableNames, sourceLocation: sourceLocation)
        for name in built.tableNames {
            let mine = try #require(try read.store.loadTable(named: name), sourceLocation: sourceLocation)
            let theirs = try #require(try built.loadTable(named: name), sourceLocation: sourceLocation)
            #expect(mine.rowCount == theirs.rowCount, "\(name)", sourceLocation: sourceLocation)
            #expect(DelimitedWriter.csv(mine) == DelimitedWriter.csv(theirs), "\(name) differs", sourceLocation: sourceLocation)
        }
        #expect(read.store.sources.map(\.path) == built.sources.map(\.path), sourceLocation: sourceLocation)
        #expect(read.store.sources.map(\.rows) == built.sources.map(\.rows), sourceLocation: sourceLocation)
        #expect(read.store.sources.map(\.years) == built.sources.map(\.years), sourceLocation: sourceLocation)
        #expect(read.summary.diagnostics.map(\.description) == whole.diagnostics.map(\.description), sourceLocation: sourceLocation)
        #expect(read.summary.projects == whole.projects.count, sourceLocation: sourceLocation)
        #expect(read.summary.indicators == whole.projects.reduce(0) { $0 + $1.indicators.count }, sourceLocation: sourceLocation)
    }

    /// The bundled folder without its 自评表 and actuals ledger: six documents and five ledgers
    /// read file by file, ids renumbered across files, payments matched against the joined table.
    @Test func fileByFileEqualsAWholeBuild() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-portfolio-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: Fixture.root + "/datasets", toPath: root)
        for linked in ["2023-ziping-demo-synthetic.txt", "actuals-2023.csv"] { try FileManager.default.removeItem(atPath: root + "/" + linked) }
        // A broken ledger row and an unknown project: their messages come in the same order.
        let ledger = root + "/payments-2024.csv"
        let text = try String(contentsOfFile: ledger, encoding: .utf8)
        try (text + "2024-05-01,东莞市人民政府对口支援办公室,没有这个项目,100.00,\n2024-05-02,东莞市人民政府对口支援办公室,x,12;3,\n")
            .write(toFile: ledger, atomically: true, encoding: .utf8)
        // A payment taking the project's running total past Int64 is left out, with an error; the next one is kept.
        let other = root + "/payments-2025.csv"
        let rows = try String(contentsOfFile: other, encoding: .utf8)
        try (rows + "2025-06-01,东莞市人民政府经济协作办公室,对口帮扶工作及专项业务费,92233720368547758.07,大额\n2025-06-02,东莞市人民政府经济协作办公室,对口帮扶工作及专项业务费,1.00,溢出\n")
            .write(toFile: other, atomically: true, encoding: .utf8)
        try expectSame([root], linked: false)
        let found = DocumentLoader.discover(paths: [root])
        let read = PortfolioReader.read(found, tables: DocumentLoader.readTables(found, limits: LoadLimits()), limits: LoadLimits())
        #expect(read.summary.diagnostics.contains { $0.message.contains("add up beyond what budgetq can hold exactly") })
        let notes = try #require(try read.store.loadTable(named: "payments")?.column(named: "note"))
        #expect(!(0..<notes.count).contains { notes.value(at: $0) == .string("大额") }, "the payment past Int64 is left out")
        #expect((0..<notes.count).contains { notes.value(at: $0) == .string("溢出") })
    }

    /// A folder whose files link is put together whole, re-reading the files let go.
    @Test func aLinkedFolderIsPutTogetherWhole() throws {
        try expectSame([Fixture.root + "/datasets"], linked: true)
    }

    /// An empty folder and a folder of one unreadable file still give every table.
    @Test func emptyFoldersGiveEmptyTables() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-portfolio-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try expectSame([root], linked: false)
        try Data([0xFF, 0xFE, 0x00]).write(to: URL(fileURLWithPath: root + "/broken.txt"))
        try expectSame([root], linked: false)
    }
}
