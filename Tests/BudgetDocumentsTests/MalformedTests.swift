import BudgetCore
import Foundation
import Testing
@testable import BudgetDocuments

/// Each malformed input gives one clear FILE:LINE diagnostic; the rest still loads; nothing crashes.
struct MalformedTests {
    static let seed = String(decoding: SeedLoadingTests.seedBytes, as: UTF8.self)

    func load(_ text: String, file: String = "bad.txt") -> DocumentParser.Output {
        DocumentLoader.parse(bytes: Array(text.utf8), file: file).0
    }

    func errors(_ output: DocumentParser.Output) -> [String] {
        output.diagnostics.filter { $0.severity == .error }.map(\.description)
    }

    @Test func nonNumericAmountLeavesOnlyThatBudgetNull() {
        let output = load(Self.seed.replacingOccurrences(of: "720,000.00", with: "五十万"))
        #expect(output.projects.count == 9)
        #expect(output.projects[1].budgetFen == nil)
        #expect(output.projects[1].indicators.count == 6)
        #expect(errors(output) == ["bad.txt:36: error: amount `五十万` under `2024年预算金额（元）` is not a number; expected digits such as 500,000.00, 250 or 250万"])
    }

    @Test func tableWithoutProjectName() {
        let output = load(Self.seed.replacingOccurrences(of: "项目名称\t\t对口帮扶工作宣传费\t\t\t\n", with: ""))
        #expect(output.projects.count == 8)
        #expect(errors(output) == ["bad.txt:52: error: table has no 项目名称: expected a label such as 项目名称, 项目支出名称 or 专项名称 followed by the name; table skipped"])
    }

    @Test func truncatedFile() throws {
        // Cut in the middle of the last table's header: no budget row, no indicators.
        let cut = Self.seed.range(of: "项目等级\t\t二级项目", options: .backwards)!.lowerBound
        let output = load(String(Self.seed[..<cut]))
        // What the cut table holds loads: its name and 2024 (the other tables' year), no budget, no indicators.
        #expect(output.projects.count == 9)
        let last = try #require(output.projects.last)
        #expect(last.name == "粤财农〔2023〕192号2024年中央财政衔接推进乡村振兴补助资金")
        #expect(last.year == 2024 && last.budgetFen == nil && last.endsEarly)
        #expect(errors(output).isEmpty)
    }

    @Test func truncatedMidIndicatorRow() {
        let cut = Self.seed.range(of: "受益群众满意度(%)\t90\t90")!.upperBound
        let text = String(Self.seed[..<cut]).replacingOccurrences(of: "受益群众满意度(%)\t90\t90", with: "受益群众满意度(%)\t90")
        let output = load(text)
        // What the table holds loads, with a warning that it ends early.
        #expect(output.projects.count == 9)
        #expect(output.projects.last?.endsEarly == true)
        #expect(errors(output).isEmpty)
        #expect(output.diagnostics.map(\.description) == ["bad.txt:219: warning: the table ends early: the file stops in the middle of indicator `受益群众满意度(%)`"])
    }

    @Test func truncatedBeforeIndicators() {
        let cut = Self.seed.range(of: "绩效指标\t一级指标", options: .backwards)!.lowerBound
        let output = load(String(Self.seed[..<cut]))
        #expect(output.projects.count == 9)
        #expect(output.projects.last?.indicators.isEmpty == true)
        #expect(output.projects.last?.endsEarly == true)
        #expect(output.diagnostics.map(\.description).last?.hasSuffix("warning: the table ends early: the document stops before its 绩效指标 block (a cut-off copy?); the project is loaded without indicators") == true)
    }

    @Test func emptyAndWhitespaceFiles() {
        for text in ["", "\n\n  \r\n\t"] {
            #expect(errors(load(text)) == ["bad.txt:1: error: the file is empty; expected 项目绩效目标表 tables"])
        }
    }

    @Test func binaryFile() {
        var bytes: [UInt8] = Array("项目绩效目标表\n".utf8)
        bytes += [0x00, 0x01, 0xFF, 0xD8, 0x00]
        let (output, _) = DocumentLoader.parse(bytes: bytes, file: "image.txt")
        #expect(output.projects.isEmpty)
        #expect(output.diagnostics.map(\.description) == ["image.txt:1: error: binary data at byte 22 (a NUL or control byte); expected a text file of 项目绩效目标表 tables"])
    }

    @Test func undecodableBytes() {
        let bytes: [UInt8] = [0x81, 0x20, 0x81, 0x20, 0xFF, 0xFF]
        let (output, _) = DocumentLoader.parse(bytes: bytes, file: "x.txt")
        #expect(output.diagnostics.map(\.description) == ["x.txt:1: error: the bytes are neither UTF-8 nor GB18030/GBK text"])
    }

    @Test func lineOfManyMegabytesIsReportedAndSkipsItsTable() {
        let huge = String(repeating: "很长", count: 1_500_000)
        let text = Self.seed.replacingOccurrences(of: "通过做好对口帮扶工作宣传，", with: huge)
        let output = load(text)
        #expect(output.projects.count == 8)
        let length = text.split(separator: "\n", omittingEmptySubsequences: false)[61].utf8.count
        #expect(length > 9_000_000)
        #expect(errors(output).first == "bad.txt:62: error: line is \(length) bytes long; the longest line read is 1048576 bytes (is this a budget document?)")
    }

    @Test func rowsBeforeAnyTitle() {
        // Without a title, a 项目名称 row starts a table of its own.
        let output = load("项目名称\t\t孤立的行\n2024年预算金额（元）\t\t1.00\n" + Self.seed)
        #expect(output.projects.count == 10)
        #expect(output.projects.first?.name == "孤立的行")
        #expect(output.projects.first?.budgetFen == 100)
        #expect(errors(output).isEmpty)
        #expect(output.diagnostics.map(\.description) == ["bad.txt:1: warning: the table has no 绩效指标 block (no 一级指标/二级指标/三级指标 header); the project is loaded without indicators"])
    }

    @Test func malformedBudgetLabelAndFinerThanFen() {
        // No year in the label: the document's other tables all say 2024, so this one shares it, and says so.
        let noYear = load(Self.seed.replacingOccurrences(of: "2024年预算金额（元）\t\t500,000.00", with: "预算金额\t\t500,000.00"))
        #expect(noYear.projects.count == 9)
        #expect(noYear.projects.first?.year == 2024 && noYear.projects.first?.budgetFen == 50_000_000)
        #expect(errors(noYear).isEmpty)
        #expect(noYear.diagnostics.map(\.description).contains("bad.txt:3: warning: table `对口帮扶工作及专项业务费` names no budget year; 2024, the year of the document's other tables, is used"))
        let fine = load(Self.seed.replacingOccurrences(of: "500,000.00", with: "500,000.005"))
        #expect(fine.projects.count == 9)
        #expect(fine.projects[0].budgetFen == nil)
        #expect(errors(fine) == ["bad.txt:11: error: amount `500,000.005` cannot be held exactly in fen (more than two decimals of 元, or too large); the amount is left null"])
    }

    @Test func warningsKeepTheTable() {
        let text = Self.seed
            .replacingOccurrences(of: "起始年度\t2021\t到期年度\t2024\n2024年预算金额（元）\t\t500,000.00", with: "起始年度\t二〇二一\t到期年度\t2024\n2024年预算金额（元）\t\t500,000.00")
            .replacingOccurrences(of: "项目等级\t\t二级项目\t\t\t\n主管部门\t\t东莞市人民政府经济协作办公室\t\t\t\n用款单位\t\t东莞市人民政府经济协作办公室\t\t\t\n实施周期\t\t起始年度\t2022\t到期年度\t2024\n2024年预算金额（元）\t\t720,000.00",
                                  with: "项目等级\t\t二级项目\t\t\t\n备注\t\t无\n主管部门\t\t东莞市人民政府经济协作办公室\t\t\t\n用款单位\t\t东莞市人民政府经济协作办公室\t\t\t\n实施周期\t\t起始年度\t2022\t到期年度\t2024\n2024年预算金额（元）\t\t720,000.00")
        let output = load(text)
        #expect(output.projects.count == 9)
        #expect(errors(output).isEmpty)
        let warnings = output.diagnostics.map(\.description)
        #expect(warnings.contains("bad.txt:10: warning: 起始年度 `二〇二一` is not a four-digit year"))
        #expect(warnings.contains("bad.txt:33: warning: label `备注` is not one budgetq knows; its value `无` is kept in projects.extra (add the label to labels.tsv to read it as a field)"))
        #expect(output.projects[1].extra == ["备注: 无"])
        #expect(output.projects.first?.startYear == nil)
    }

    @Test func indicatorWithoutAnnualTargetIsAWarning() {
        let output = load(Self.seed.replacingOccurrences(of: "帮扶乡镇数量\t50个\t50个", with: "帮扶乡镇数量\t50个"))
        #expect(output.projects.count == 9)
        #expect(output.diagnostics.map(\.description) == ["bad.txt:114: warning: indicator `帮扶乡镇数量` has no target (指标值)"])
    }
}

/// Folders: recursion, ledgers and gazetteers set aside, unreadable files reported.
struct FolderLoadingTests {
    @Test func folderWithGoodAndBadFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-folder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("nested/deeper"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(SeedLoadingTests.seedBytes).write(to: dir.appendingPathComponent("nested/deeper/a.txt"))
        try Data().write(to: dir.appendingPathComponent("empty.txt"))
        try Data([0, 1, 2, 3]).write(to: dir.appendingPathComponent("blob.tsv"))
        try Data("notes".utf8).write(to: dir.appendingPathComponent("README.md"))
        try Data("x".utf8).write(to: dir.appendingPathComponent("photo.jpg"))
        try Data("region\taliases\tparent\tprovince\tkind\n南山\t深圳南山\t深圳市\t广东\t测试\n".utf8).write(to: dir.appendingPathComponent("regions.tsv"))
        let loaded = DocumentLoader.load(paths: [dir.path])
        #expect(loaded.projects.count == 9)
        #expect(loaded.files.count == 3)
        #expect(loaded.errorCount == 2)
        #expect(loaded.warningCount == 1)
        #expect(loaded.gazetteer.entries.map(\.region) == ["南山"])
        #expect(loaded.projects.allSatisfy { $0.regions.isEmpty })
        let messages = loaded.diagnostics.map(\.description)
        #expect(messages.contains("\(dir.path)/empty.txt:1: error: the file is empty; expected 项目绩效目标表 tables"))
        #expect(messages.contains { $0.hasPrefix("\(dir.path)/photo.jpg:0: warning: not read") })
    }

    @Test func missingPath() {
        let loaded = DocumentLoader.load(paths: ["/nonexistent/budget"])
        #expect(loaded.diagnostics.map(\.description) == ["/nonexistent/budget:0: error: no such file or folder"])
    }

    @Test func moneyIsExact() {
        #expect(Money.parseFen("1,618,035,000.00") == 161_803_500_000)
        #expect(Money.parseFen("0.1") == 10)
        #expect(Money.parseFen("12.3456", yuanMultiplier: 10_000) == 12_345_600)
        #expect(Money.parseFen("１２３") == 12_300)
        #expect(Money.parseFen("1.001") == nil)
        #expect(Money.parseFen("-5") == nil)
        #expect(Money.parseFen("五十万") == nil)
        #expect(Money.parseFen("99999999999999999999") == nil)
        #expect(Money.parseFen("0.00000000000000000000") == nil)
        #expect(Money.yuanText(fen: 161_803_500_000) == "1618035000.00")
        #expect(Money.yuanText(fen: -5) == "-0.05")
    }
}

/// Inputs found by fuzzing (FUZZING.md); each crashed budgetq once.
struct FuzzRegressionTests {
    @Test func reversedImplementationPeriodDoesNotTrap() {
        // 起始年度 after 到期年度 used to build an invalid range while checking the budget year.
        let text = MalformedTests.seed.replacingOccurrences(of: "起始年度\t2021\t到期年度\t2024\n2024年预算金额（元）\t\t500,000.00",
                                                            with: "起始年度\t2029\t到期年度\t2024\n2024年预算金额（元）\t\t500,000.00")
        let output = DocumentLoader.parse(bytes: Array(text.utf8), file: "r.txt").0
        #expect(output.projects.count == 9)
        #expect(output.diagnostics.map(\.description).contains("r.txt:10: warning: the period (实施周期) starts (2029) after it ends (2024)"))
    }
}

/// Ledger totals beyond 64 bits of fen are an error on the row, not a trap.
struct LedgerOverflowTests {
    @Test func hugeAmountsAreRejectedRowByRow() {
        let table = "项目绩效目标表\n项目名称\t\t甲\n2024年预算金额（元）\t\t1.00\n绩效指标\t一级指标\t二级指标\t三级指标\t实施周期指标值\t当年度指标值\n"
        let projects = DocumentLoader.parse(bytes: Array(table.utf8), file: "a.txt").0.projects
        let ledger = "date,department,project,amount,note\n2024-03-03,,甲,50000000000000000,a\n2024-03-04,,甲,50000000000000000,b\n"
        let (payments, diagnostics) = LedgerReader.read(bytes: Array(ledger.utf8), file: "p.csv", projects: projects)
        #expect(payments.count == 1)
        #expect(diagnostics.map(\.description).contains("p.csv:3: error: payments to `甲` add up beyond what budgetq can hold exactly; row skipped (is the amount in 元?)"))
    }
}
