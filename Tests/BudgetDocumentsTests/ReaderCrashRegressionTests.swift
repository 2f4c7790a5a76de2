import Testing
@testable import BudgetDocuments

/// Inputs that made the rewritten reader (Layout/) take quadratic time before their fixes (measured
/// 2026-12-01; the largest ran 2–3 minutes in a debug build). No time is asserted (speed belongs to
/// the benchmark harness): the tests check what such wide and long inputs yield.
struct ReaderCrashRegressionTests {
    static let head = "2024年项目绩效目标表\n项目名称\t甲\n预算金额(元)\t100\n"
    static let header = "一级指标\t二级指标\t三级指标\t指标值\n"

    func parse(_ text: String) -> DocumentParser.Output {
        DocumentLoader.parse(bytes: Array(text.utf8), file: "q.txt").0
    }

    @Test func manyDistinctCategoriesAreLinear() {
        // ProjectDraft.noteCoverage searched the coverage list per row (138 s before the fix).
        let rows = (0..<40_000).map { "产出指标\t类\($0)\t名\($0)\t1" }.joined(separator: "\n")
        let output = parse(Self.head + Self.header + rows + "\n")
        #expect(output.projects.count == 1)
        #expect(output.projects.first?.indicators.count == 40_000)
        #expect(output.projects.first?.coverage.count == 40_000)
    }

    @Test func wideHeaderTimesManyRowsIsLinear() {
        // IndicatorBlock walked every unknown header column on every row (125 s before the fix).
        let wide = "一级指标\t二级指标\t三级指标\t" + Array(repeating: "甲乙", count: 8_000).joined(separator: "\t") + "\n"
        let output = parse(Self.head + wide + String(repeating: "产出指标\t数量指标\t名\t1\n", count: 40_000))
        #expect(output.projects.first?.indicators.count == 40_000)
        #expect(output.projects.first?.indicators.first?.annualTarget == "1")
    }

    @Test func wideGroupRowIsLinear() {
        // IndicatorBlock.mergingGroupRow searched the groups per column.
        let above = Array(repeating: "年度指标", count: 30_000).joined(separator: "\t")
        let output = parse(Self.head + above + "\n" + Self.header + "产出指标\t数量指标\t甲\t1\n")
        #expect(output.projects.first?.indicators.count == 1)
    }

    @Test func wideMoneyHeaderIsLinear() {
        // readHeaderRow asked `moneyColumns.contains` (an array) for every cell of the row.
        let money = "项目资金\t" + Array(repeating: "年初预算数", count: 30_000).joined(separator: "\t")
        let output = parse("2024年项目绩效目标表\n项目名称\t甲\n" + money + "\n" + Self.header + "产出指标\t数量指标\t甲\t1\n")
        #expect(output.projects.count == 1)
    }

    @Test func manyGoalRowsAreLinear() {
        // ProjectDraft built a new goal string per row (65 s for 40,000 rows before the fix).
        let goal = String(repeating: "完成", count: 50)
        let output = parse(Self.head + String(repeating: "年度目标\t\(goal)\n", count: 40_000) + Self.header + "产出指标\t数量指标\t甲\t1\n")
        #expect(output.projects.first?.goalYear?.utf8.count == 40_000 * (goal.utf8.count + 1) - 1)
    }

    @Test func manyDepartmentTotalsAndWarningsAreLinear() {
        // A flat sheet: each department total filtered every project, and each warning copied every
        // diagnostic so far (the reader's context was copied into the indicator block per row). 164 s before.
        let rows = (0..<16_000).map { "\t\($0)-部门\($0)\t100\n项目\($0)\t\t100\t产出指标\t数量指标\t名\t1" }.joined(separator: "\n")
        let output = parse("2024年项目绩效目标表\n项目名称\t单位名称\t预算金额\t一级指标\t二级指标\t三级指标\t指标值\n" + rows + "\n")
        #expect(output.projects.count == 16_000)
    }

    @Test func manyTablesWithWarningsAreLinear() {
        // DocumentParser handed each table reader a shared copy of all diagnostics so far.
        let text = (0..<5_000).map { "项目名称\t项目\($0)\n未知标签\t值" }.joined(separator: "\n") + "\n"
        let output = parse(text)
        #expect(output.diagnostics.count >= 5_000)
        // Every table's diagnostics are kept, in document order.
        #expect(output.diagnostics.filter { $0.message.hasPrefix("label `未知标签`") }.count == 5_000)
        let unknownLines = output.diagnostics.filter { $0.message.hasPrefix("label `未知标签`") }.map(\.line)
        #expect(unknownLines == unknownLines.sorted())
    }
}
