import BudgetCore
import Testing
@testable import BudgetDocuments

/// Every distinct 当年度指标值 of the seed, and the design's examples, with the expected reading.
struct TargetReaderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let text: String
        let name: String
        let expected: TargetReading
        var testDescription: String { text }
    }

    static func num(_ cmp: TargetReading.Comparison, _ value: String, _ unit: String?) -> TargetReading {
        TargetReading(kind: unit == "%" ? .percent : .numeric, comparison: cmp, value: ExactDecimal(parsing: Substring(value)), unit: unit)
    }

    static func due(_ y: Int, _ m: Int, _ d: Int) -> TargetReading {
        TargetReading(kind: .deadline, deadline: CalendarDate(year: y, month: m, day: d))
    }

    static let seedTargets: [Case] = [
        Case(text: "1", name: "市主要或分管领导到铜仁次数", expected: num(.equal, "1", nil)),
        Case(text: "2", name: "市主要或分管领导到广东韶关、揭阳次数", expected: num(.equal, "2", nil)),
        Case(text: "100%", name: "组建帮扶团队标准达标率", expected: num(.equal, "100", "%")),
        Case(text: "当年内", name: "考察对接时间", expected: due(2024, 12, 31)),
        Case(text: "≥90%", name: "预算执行率", expected: num(.atLeast, "90", "%")),
        Case(text: "落实资金、人才、劳务等协作内容", name: "研究、制定、落实莞铜东西部协作协议内容", expected: .qualitative),
        Case(text: "镇村公共基础设施水平有提升", name: "镇村同治同美", expected: .qualitative),
        Case(text: "100人或以上", name: "培训人数", expected: num(.atLeast, "100", "人")),
        Case(text: "80%以上", name: "参加培训人员出勤率", expected: num(.atLeast, "80", "%")),
        Case(text: "≥80%", name: "预算执行率", expected: num(.atLeast, "80", "%")),
        Case(text: "有提高", name: "培训对象业务水平提高", expected: .qualitative),
        Case(text: "≥3期（篇、条、专辑等）", name: "发布宣传稿件数量", expected: num(.atLeast, "3", "期")),
        Case(text: "市级以上媒体登载对口帮扶新闻", name: "在市级以上媒体宣传对口帮扶工作", expected: .qualitative),
        Case(text: "5家或以上", name: "社会各界参与帮扶工作", expected: num(.atLeast, "5", "家")),
        Case(text: "有效改善和提高", name: "对社会发展影响", expected: .qualitative),
        Case(text: "良好", name: "人员满足岗位要求", expected: .qualitative),
        Case(text: "年度在岗", name: "支出时效", expected: .qualitative),
        Case(text: ">90%", name: "预算执行率", expected: num(.greater, "90", "%")),
        Case(text: "50个", name: "帮扶乡镇数量", expected: num(.equal, "50", "个")),
        Case(text: "有增加", name: "建设乡村振兴车间数", expected: .qualitative),
        Case(text: "有效提升", name: "被帮扶乡镇公共基础设施水平提升程度", expected: .qualitative),
        Case(text: "4.2亿元", name: "帮扶资金", expected: num(.equal, "420000000", "元")),
        Case(text: "按文件和要求规范使用资金", name: "预算资金使用情况", expected: .qualitative),
        Case(text: "按文件要求拨付,加强对口帮扶协作", name: "按照政策要求支持被帮扶地区经济发展", expected: .qualitative),
        Case(text: "10个", name: "帮扶县区数量", expected: num(.equal, "10", "个")),
        Case(text: "第二季度前", name: "拨付资金时间", expected: due(2024, 3, 31)),
        Case(text: "较去年有所增长", name: "引进企业累计投资额", expected: .qualitative),
        Case(text: "60人以上", name: "协助脱贫人口巩固脱贫攻坚成果与乡村振兴建设", expected: num(.atLeast, "60", "人")),
        Case(text: "有效改善", name: "帮扶县区生态环境改善程度", expected: .qualitative),
        Case(text: "至少10家", name: "协助结对帮扶县（区）引进企业", expected: num(.atLeast, "10", "家")),
        Case(text: "290万元", name: "提供市财政援助资金数量", expected: num(.equal, "2900000", "元")),
        Case(text: "第三季度前", name: "拨付资金时间", expected: due(2024, 6, 30)),
        Case(text: "有所改善", name: "社会和群众生活情况", expected: .qualitative),
        Case(text: "乡村振兴配套设施建设不断完善", name: "可持续发展", expected: .qualitative),
        Case(text: "4072", name: "吸纳外省脱贫人口就业务工人员人数", expected: num(.equal, "4072", nil)),
        Case(text: "提高", name: "劳务机构转移外省脱贫人口劳动力来粤务工的积极性", expected: .qualitative),
        Case(text: "2024年10月前", name: "资金支出", expected: due(2024, 9, 30)),
        Case(text: "90", name: "受益群众满意度(%)", expected: num(.equal, "90", "%")),
    ]

    @Test("every annual target of the seed", arguments: seedTargets)
    func seedTarget(_ c: Case) {
        #expect(TargetReader.read(c.text, year: 2024, indicatorName: c.name) == c.expected)
    }

    @Test func seedTargetListIsComplete() throws {
        // Guards the list above: every distinct annual target in the bundled seed has a case.
        let loaded = DocumentLoader.load(paths: [TestPaths.seed])
        let distinct = Set(loaded.projects.flatMap { $0.indicators.map(\.annualTarget) })
        let covered = Set(Self.seedTargets.map(\.text))
        #expect(distinct.subtracting(covered).isEmpty, "untested: \(distinct.subtracting(covered))")
    }

    static let designTargets: [Case] = [
        Case(text: "10月底前", name: "", expected: due(2024, 10, 31)),
        Case(text: "第四季度末前", name: "", expected: due(2024, 12, 31)),
        Case(text: "第二季度内", name: "", expected: due(2024, 6, 30)),
        Case(text: "季度末前", name: "", expected: TargetReading(kind: .deadline)),
        Case(text: "1月前", name: "", expected: due(2024, 1, 31)),  // not 2023-12-31: no deadline precedes the budget year
        Case(text: "2025年6月30日前", name: "", expected: due(2025, 6, 29)),
        Case(text: "2024年底前", name: "", expected: due(2024, 12, 31)),
        Case(text: "不少于4,072人", name: "", expected: num(.atLeast, "4072", "人")),
        Case(text: "不超过5%", name: "", expected: num(.atMost, "5", "%")),
        Case(text: "≤ 5 ％", name: "", expected: num(.atMost, "5", "%")),
        Case(text: ">=95%", name: "", expected: num(.atLeast, "95", "%")),
        Case(text: "１００％", name: "", expected: num(.equal, "100", "%")),
        Case(text: "1.5万人次", name: "", expected: num(.equal, "15000", "人次")),
        Case(text: "3天以内", name: "", expected: num(.atMost, "3", "天")),
        Case(text: "低于3%", name: "", expected: num(.less, "3", "%")),
        Case(text: "12", name: "培训场次（场）", expected: num(.equal, "12", "场")),
        Case(text: "2023年4亿元,每年增加5%", name: "", expected: .qualitative),
        Case(text: "≥90%以下", name: "", expected: .qualitative),
        Case(text: "", name: "", expected: .qualitative),
        Case(text: "99999999999999999999", name: "", expected: .qualitative),
    ]

    @Test("design examples and edge cases", arguments: designTargets)
    func designTarget(_ c: Case) {
        #expect(TargetReader.read(c.text, year: 2024, indicatorName: c.name) == c.expected)
    }
}

/// Targets as the real documents of other units write them (issue 11): each read, or honestly qualitative.
struct RealDocumentTargetTests {
    static func num(_ cmp: TargetReading.Comparison, _ value: String, _ unit: String?) -> TargetReading {
        TargetReaderTests.num(cmp, value, unit)
    }

    static let cases: [(String, String, TargetReading)] = [
        ("≥1人/年", "", num(.atLeast, "1", "人/年")),
        (">=101人/次", "", num(.atLeast, "101", "人/次")),
        (">=530元/人*月", "", num(.atLeast, "530", "元/人*月")),
        ("<=5300元/户", "", num(.atMost, "5300", "元/户")),
        ("±3%以内", "", num(.within, "3", "%")),
        ("≥100百分比", "", num(.atLeast, "100", "%")),
        ("250万", "", num(.equal, "2500000", nil)),
        ("≤1125万元", "", num(.atMost, "11250000", "元")),
        ("≥80M", "", num(.atLeast, "80", "M")),
        ("=24人/次", "", num(.equal, "24", "人/次")),
        ("12月底前100%到位", "", TargetReaderTests.due(2021, 12, 31)),
        ("2023.07-2024.01", "", TargetReaderTests.due(2024, 1, 31)),
        ("2023年4月-2024年2月", "", TargetReaderTests.due(2024, 2, 29)),
        ("2021年全年", "", TargetReaderTests.due(2021, 12, 31)),
        ("显著改善", "", .qualitative),
        ("参照政府采购成本控制", "", .qualitative),
    ]

    @Test func eachFormReads() {
        for (text, name, expected) in Self.cases {
            #expect(TargetReader.read(text, year: 2021, indicatorName: name) == expected, "\(text)")
        }
    }

    @Test func excelDateSerialsInTimelinessRows() {
        let deadline = TargetReader.read("=44,561", year: 2021, level2: "时效指标")
        #expect(deadline == TargetReaderTests.due(2021, 12, 31))
        // Outside a 时效 row the same digits are a number.
        #expect(TargetReader.read("=44,561", year: 2021, level2: "数量指标") == Self.num(.equal, "44561", nil))
    }
}

/// A bare 前 is a documented setting, and no deadline falls before its budget year (issue 15, item 6).
struct BareBeforeTests {
    func due(_ text: String, _ setting: TargetReader.BareBefore = .periodStart) -> String? {
        TargetReader.read(text, year: 2024, bareBefore: setting).deadline?.description
    }

    @Test func aPeriodThatStartsTheYearIsReadByItsEnd() {
        #expect(due("第一季度前") == "2024-03-31")
        #expect(due("1月前") == "2024-01-31")
        #expect(due("上半年前") == "2024-06-30")
        #expect(due("第二季度前") == "2024-03-31")
        #expect(due("6月前") == "2024-05-31")
    }

    @Test func periodEndReadsEveryBare前ByTheEndOfItsPeriod() {
        #expect(due("第二季度前", .periodEnd) == "2024-06-30")
        #expect(due("6月前", .periodEnd) == "2024-06-30")
        #expect(due("第一季度前", .periodEnd) == "2024-03-31")
        #expect(due("10月底前", .periodEnd) == "2024-10-31")
    }

    @Test func theSettingIsReadFromLabelsTSV() {
        var diagnostics: [Diagnostic] = []
        let book = LabelBook.parse("reading.bare_before\tperiod_end\n", file: "labels.tsv", diagnostics: &diagnostics)
        #expect(book.bareBefore == .periodEnd)
        #expect(LabelBook.builtIn.bareBefore == .periodStart)
        _ = LabelBook.parse("reading.bare_before\tsoon\n", file: "labels.tsv", diagnostics: &diagnostics)
        #expect(diagnostics.map(\.description) == ["labels.tsv:1: error: reading.bare_before takes period_start or period_end, not `soon`"])
    }
}
