import BudgetCore
import Foundation
import Testing
@testable import BudgetDocuments

/// Templates of the family beyond the real documents: each a small table in the text form
/// (cells at TAB), read through the same loader. Written from the national and provincial templates.
struct FamilyVariantTests {
    func read(_ lines: [String], file: String = "v.txt") -> DocumentParser.Output {
        DocumentLoader.parse(bytes: Array((lines.joined(separator: "\n") + "\n").utf8), file: file).0
    }

    func errors(_ output: DocumentParser.Output) -> [String] {
        output.diagnostics.filter { $0.severity == .error }.map(\.description)
    }

    @Test func national2018DeclarationWithAnnualAndPeriodAmounts() throws {
        let output = read([
            "附表1:项目支出绩效目标申报表(单位:万元)",
            "(2024年度)",
            "项目名称\t城市绿化养护",
            "主管部门及代码\t[101]市城市管理局\t实施单位\t市园林绿化中心",
            "项目资金\t年度资金总额:\t120\t实施期资金总额:\t360",
            "\t其中:财政拨款\t100\t其中:财政拨款\t300",
            "\t其他资金\t20\t其他资金\t60",
            "总体目标\t年度目标\t实施期目标",
            "\t完成全市绿地养护\t三年内绿地养护全覆盖",
            "绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实施期指标值",
            "\t产出指标\t数量指标\t养护面积\t≥500万平方米\t≥1500万平方米",
            "\t效益指标\t生态效益指标\t绿化覆盖率\t≥45%\t≥46%",
            "\t满意度指标\t服务对象满意度指标\t市民满意度\t≥90%\t≥90%",
        ])
        #expect(errors(output).isEmpty, "\(output.diagnostics)")
        let p = try #require(output.projects.first)
        #expect(p.name == "城市绿化养护" && p.year == 2024 && p.documentKind == "申报")
        #expect(p.budgetFen == 120_000_000, "annual, not the period total")
        #expect(p.funds.total == 360_000_000)
        #expect(p.funds.fiscal == 100_000_000 && p.funds.other == 20_000_000)
        #expect(p.department == "市城市管理局" && p.departmentCode == "101")
        #expect(p.goalYear == "完成全市绿地养护" && p.goalPeriod == "三年内绿地养护全覆盖")
        #expect(p.indicators.map(\.annualTarget) == ["≥500万平方米", "≥45%", "≥90%"])
        #expect(p.indicators.first?.periodTarget == "≥1500万平方米")
        #expect(p.amountUnit == "万元")
    }

    @Test func columnarMoneyBlockOfTheDeclaration() throws {
        let output = read([
            "2023年度项目支出绩效目标表",
            "项目名称\t道路维修",
            "项目资金(万元)\t\t年度资金总额\t实施期资金总额",
            "\t资金总额\t80\t200",
            "\t其中:财政拨款\t80\t200",
            "绩效指标\t一级指标\t二级指标\t三级指标\t指标值",
            "\t产出指标\t数量指标\t维修里程\t≥12公里",
            "\t效益指标\t社会效益指标\t通行条件\t明显改善",
            "\t满意度指标\t服务对象满意度指标\t群众满意度\t≥85%",
        ])
        let p = try #require(output.projects.first)
        #expect(p.budgetFen == 80_000_000 && p.funds.total == 200_000_000 && p.funds.fiscal == 80_000_000)
        #expect(p.documentKind == "目标")
    }

    @Test func selfEvaluation2020Template() throws {
        let output = read([
            "项目支出绩效自评表",
            "(2023年度)",
            "项目名称\t农村饮水安全维修养护",
            "主管部门\t县水利局\t实施单位\t县农村供水站",
            "项目资金(万元)\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分",
            "\t年度资金总额\t50\t60\t57\t10\t95%\t9.5",
            "\t其中:当年财政拨款\t50\t60\t57\t-\t-\t-",
            "\t上年结转资金\t0\t0\t0",
            "\t其他资金",
            "年度总体目标\t预期目标\t实际完成情况",
            "\t完成12处工程维修\t完成12处工程维修",
            "绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施",
            "\t产出指标\t数量指标\t维修工程数量\t≥12处\t12处\t20\t20",
            "\t\t质量指标\t工程验收合格率\t100%\t95%\t20\t19\t一处返工",
            "\t效益指标\t社会效益指标\t受益人口\t≥5000人\t5200人\t30\t30",
            "\t满意度指标\t服务对象满意度指标\t群众满意度\t≥90%\t93%\t10\t10",
            "总分\t\t\t\t\t\t100\t98.5",
        ])
        #expect(errors(output).isEmpty, "\(output.diagnostics)")
        let p = try #require(output.projects.first)
        #expect(p.documentKind == "自评")
        #expect(p.budgetFen == 50_000_000, "年初预算数")
        #expect(p.funds.adjusted == 60_000_000 && p.funds.spent == 57_000_000)
        #expect(p.funds.spentRate == ExactDecimal(scaled: 9_500))
        #expect(p.funds.weight == ExactDecimal(integer: 10) && p.funds.score == ExactDecimal(scaled: 95_000))
        #expect(p.funds.fiscal == 50_000_000)
        #expect(p.extra.contains("上年结转资金: 0 / 0 / 0"))
        #expect(p.goalYear == "完成12处工程维修" && p.goalResult == "完成12处工程维修")
        #expect(p.indicators.count == 4)
        let quality = try #require(p.indicators.first { $0.name == "工程验收合格率" })
        #expect(quality.actual == "95%" && quality.score == ExactDecimal(integer: 19) && quality.note == "一处返工")
        #expect(quality.level1 == "产出指标")
        #expect(!p.endsEarly)
    }

    @Test func midYearMonitoringTable() throws {
        let output = read([
            "2024年项目绩效运行监控表",
            "项目名称\t社区养老服务补助",
            "项目资金(万元)\t\t年初预算数\t1-7月执行数\t1-7月执行率\t全年预计执行数",
            "\t年度资金总额\t200\t90\t45%\t200",
            "绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t1-7月实际完成值\t全年预计完成值\t偏差原因分析",
            "\t产出指标\t数量指标\t服务老人人数\t≥3000人\t1500人\t3000人",
            "\t效益指标\t社会效益指标\t养老服务覆盖率\t≥80%\t60%\t80%",
            "\t满意度指标\t服务对象满意度指标\t老人满意度\t≥90%\t92%\t92%",
        ])
        #expect(errors(output).isEmpty, "\(output.diagnostics)")
        let p = try #require(output.projects.first)
        #expect(p.documentKind == "监控")
        #expect(p.budgetFen == 200_000_000 && p.funds.spent == 90_000_000)
        #expect(p.funds.spentRate == ExactDecimal(scaled: 4_500))
        #expect(p.extra.contains("年度资金总额全年预计执行数: 200"))
        let served = try #require(p.indicators.first)
        #expect(served.actual == "1500人")
        #expect(served.extra == ["全年预计完成值: 3000人"])
    }

    @Test func flatSheetRepeatingTheProjectOnEachRow() throws {
        let output = read([
            "2024年部门项目绩效目标表",
            "金额单位:万元",
            "序号\t部门名称\t项目名称\t项目类型\t预算金额\t一级指标\t二级指标\t三级指标\t指标性质\t指标值\t计量单位",
            "1\t市教育局\t校舍维修\t基本建设类\t300\t产出指标\t数量指标\t维修校舍\t≥\t20\t所",
            "1\t市教育局\t校舍维修\t基本建设类\t300\t效益指标\t社会效益指标\t安全隐患消除率\t=\t100\t%",
            "2\t市教育局\t教师培训\t专项业务类\t50.5\t产出指标\t数量指标\t培训人次\t≥\t800\t人次",
            "小计\t\t\t\t350.5",
            "3\t市卫健委\t疫苗采购\t专项业务类\t120\t满意度指标\t服务对象满意度指标\t接种者满意度\t≥\t95\t%",
        ])
        #expect(errors(output).isEmpty, "\(output.diagnostics)")
        #expect(output.projects.map(\.name) == ["校舍维修", "教师培训", "疫苗采购"])
        #expect(output.projects.map(\.budgetFen) == [3_000_000_00, 505_000_00, 1_200_000_00])
        #expect(output.projects.map(\.indicators.count) == [2, 1, 1])
        #expect(output.projects.map(\.department) == ["市教育局", "市教育局", "市卫健委"])
        #expect(output.projects.first?.type == "基本建设类")
        #expect(output.projects.first?.indicators.last?.annualTarget == "=100%")
    }

    @Test func labelAndValueInOneCell() throws {
        let output = read([
            "项目绩效目标申报表",
            "项目名称:老旧小区改造\t主管部门:区住建局",
            "年度：2023年",
            "2023年预算金额(万元)\t150",
            "绩效指标\t一级指标\t二级指标\t三级指标\t指标值",
            "\t产出指标\t数量指标\t改造小区数\t5个",
            "\t效益指标\t社会效益指标\t居住条件\t改善",
            "\t满意度指标\t服务对象满意度指标\t居民满意度\t≥85%",
        ])
        let p = try #require(output.projects.first)
        #expect(p.name == "老旧小区改造" && p.department == "区住建局")
        #expect(p.year == 2023 && p.budgetFen == 150_000_000)
    }

    @Test func amountWithANoteAndAMultiPartCell() throws {
        let note = read([
            "2024年项目支出绩效目标表",
            "项目名称\t河道保洁",
            "年度预算金额\t5万元(其中财政拨款5万元)",
            "绩效指标\t一级指标\t二级指标\t三级指标\t指标值",
            "\t产出指标\t数量指标\t保洁河道\t3条",
            "\t效益指标\t生态效益指标\t水质\t改善",
            "\t满意度指标\t服务对象满意度指标\t群众满意度\t≥90%",
        ])
        #expect(note.projects.first?.budgetFen == 5_000_000)
        let multi = read([
            "2024年项目支出绩效目标表",
            "项目名称\t垃圾分类宣传",
            "项目资金(万元)\t资金总额: 250 一、预算资金:250 二、其他资金:0",
            "绩效指标\t一级指标\t二级指标\t三级指标\t指标值",
            "\t产出指标\t数量指标\t宣传场次\t≥20场",
            "\t效益指标\t社会效益指标\t分类知晓率\t≥80%",
            "\t满意度指标\t服务对象满意度指标\t居民满意度\t≥90%",
        ])
        let p = try #require(multi.projects.first)
        #expect(p.budgetFen == 250_000_000)
        #expect(p.funds.fiscal == 250_000_000 && p.funds.other == 0)
    }

    @Test func officePositionsInDiagnostics() {
        let rows = [
            GridRow(cells: ["2024年项目支出绩效目标表"], position: .cell(sheet: "绩效目标", row: 1, column: 0)),
            GridRow(cells: ["项目名称", "甲"], position: .cell(sheet: "绩效目标", row: 2, column: 0)),
            GridRow(cells: ["年度预算金额", "五十万"], position: .cell(sheet: "绩效目标", row: 3, column: 0)),
        ]
        let output = DocumentParser(file: "t.xlsx", gazetteer: .builtIn).parse(rows: rows)
        #expect(errors(output).first == "t.xlsx:绩效目标!B3: error: amount `五十万` under `年度预算金额` is not a number; expected digits such as 500,000.00, 250 or 250万")
        #expect(output.projects.first?.position == "绩效目标!A1")
    }

    @Test func titlesAndNotTitles() {
        let segmenter = TableSegmenter(labels: .builtIn)
        #expect(segmenter.titleKind("附表2：2024年项目支出绩效目标表（单位：万元）") == "目标")
        #expect(segmenter.titleKind("项目支出绩效目标表3") == "目标")
        #expect(segmenter.titleKind("部门预算项目支出绩效自评表(2023年度)") == "自评")
        #expect(segmenter.titleKind("石嘴山市疾病预防控制中心2020年项目绩效目标批复表") == "批复")
        #expect(segmenter.titleKind("2.2022年省级第七批水利专项资金绩效目标表") == nil)
        #expect(segmenter.titleKind("附件:1.2022年省级第七批水利专项资金安排表") == nil)
        #expect(segmenter.titleKind("2022年省级第七批水利专项资金安排表") == nil)
        #expect(segmenter.titleKind("关于2020年项目支出预算绩效目标公开情况的说明") == nil)
    }

    @Test func labelsAreTakenApart() {
        #expect(LabelText.parse("2024年预算金额（元）").key == "预算金额")
        #expect(LabelText.parse("2024年预算金额（元）").year == 2024)
        #expect(LabelText.parse("2024年预算金额（万元）").unitMultiplier == 10_000)
        #expect(LabelText.parse("实施单位 (盖章)").key == "实施单位")
        #expect(LabelText.parse("当年资金总额:").key == "当年资金总额")
        #expect(LabelText.parse("其中: 财政拨款数").key == "财政拨款数")
        #expect(LabelText.parse("项目资金 预算执行 10分").key == "项目资金预算执行")
        #expect(LabelText.parse("1-7月执行数").key == "执行数")
        #expect(LabelText.parse("产出指标(50分)").key == "产出指标")
        #expect(LabelText.parse("成本指标(0-20)分").key == "成本指标")
        #expect(LabelText.parse("二级指标(长期)").tags == ["长期"])
        #expect(LabelBook.builtIn.level2Category("数量指标(必填硬性指标)") == "数量指标")
        #expect(LabelBook.builtIn.level1Category("产出 指标") == "产出指标")
        #expect(IndicatorBlock.shortName("指标1:小区居民满意度(≥**%)") == "小区居民满意度")
        #expect(IndicatorBlock.shortName("★★★受益建档立卡贫困人口数≥**人") == "受益建档立卡贫困人口数")
    }

    @Test func aDataFoldersLabelsFileTeachesANewLabel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-labels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = "2024年项目支出绩效目标表\n工程名称\t小型水库加固\n年度预算金额(万元)\t30\n绩效指标\t一级指标\t二级指标\t三级指标\t指标值\n\t产出指标\t数量指标\t加固水库\t2座\n"
        try table.write(to: dir.appendingPathComponent("t.txt"), atomically: true, encoding: .utf8)
        let without = DocumentLoader.load(paths: [dir.path])
        #expect(without.projects.isEmpty)
        let labels = DefaultLabels.text + "\nproject.name\t工程名称\nproject.nonsense\tX\n"
        try labels.write(to: dir.appendingPathComponent("labels.tsv"), atomically: true, encoding: .utf8)
        let with = DocumentLoader.load(paths: [dir.path])
        #expect(with.projects.first?.name == "小型水库加固")
        let lineCount = DefaultLabels.text.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(with.diagnostics.contains { $0.file.hasSuffix("labels.tsv") && $0.line == lineCount + 2 && $0.message.hasPrefix("unknown field `project.nonsense`") })
    }

    @Test func theBuiltInLabelsAreTheDatasetsFile() throws {
        let file = try String(contentsOfFile: TestPaths.datasets + "/labels.tsv", encoding: .utf8)
        #expect(DefaultLabels.text + "\n" == file, "datasets/labels.tsv changed: run `make labels`")
        var diagnostics: [Diagnostic] = []
        _ = LabelBook.parse(file, file: "labels.tsv", diagnostics: &diagnostics)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
    }

    @Test func binaryFormatsAreRefusedWithHowToConvert() {
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 504)
        let (output, _) = DocumentLoader.parse(bytes: ole, file: "old.xls")
        #expect(output.diagnostics.first?.message.contains("soffice --headless --convert-to xlsx") == true)
        let (pdf, _) = DocumentLoader.parse(bytes: Array("%PDF-1.4\n".utf8), file: "a.pdf")
        #expect(pdf.diagnostics.first?.severity == .error)
    }

    @Test func aHeaderRepeatedAfterAPageBreakIsNotAnIndicator() throws {
        let output = read([
            "2024年项目支出绩效目标表",
            "项目名称\t乡村道路养护",
            "年度预算金额(万元)\t40",
            "绩效指标\t一级指标\t二级指标\t三级指标\t指标值",
            "\t产出指标\t数量指标\t养护里程\t≥60公里",
            "(续表)",
            "绩效指标\t一级指标\t二级指标\t三级指标\t指标值",
            "\t效益指标\t社会效益指标\t通行条件\t改善",
            "\t满意度指标\t服务对象满意度指标\t群众满意度\t≥90%",
        ])
        #expect(errors(output).isEmpty, "\(output.diagnostics)")
        let p = try #require(output.projects.first)
        #expect(p.indicators.map(\.name) == ["养护里程", "通行条件", "群众满意度"])
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
    }

    @Test func fundsUnderTheAnnualAmountCount() throws {
        let output = read([
            "2024年部门预算项目支出绩效目标表",
            "单位：万元",
            "项目名称\t地震监测台网运行维护",
            "资金情况\t中期资金总额：\t3,703.7034\t年度资金总额：\t1,234.5678",
            "\t其中：财政拨款\t3,703.7034\t其中：财政拨款\t1,234.5678",
            "\t其他资金\t0\t其他资金\t0",
            "绩效指标\t一级指标\t二级指标\t三级指标\t中期指标值\t年度指标值",
            "\t产出指标\t数量指标\t运行维护台站数量\t≥3600个\t≥1200个",
        ])
        let p = try #require(output.projects.first)
        #expect(p.budgetFen == 1_234_567_800 && p.funds.total == 3_703_703_400)
        #expect(p.funds.fiscal == 1_234_567_800 && p.funds.other == 0)
        #expect(p.indicators.first?.annualTarget == "≥1200个" && p.indicators.first?.periodTarget == "≥3600个")
    }
}
