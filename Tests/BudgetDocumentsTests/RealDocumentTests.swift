import Foundation
import Testing
import BudgetCore
@testable import BudgetDocuments

/// Each real published table reads as a person read it (`Tests/fixtures/real-documents/expected.json`).
struct RealDocumentTests {
    static let folder = TestPaths.root + "/Tests/fixtures/real-documents"

    struct ExpectedTarget: Decodable { var name: String; var annual_target: String; var cells: [String]? }
    struct ExpectedProject: Decodable {
        var name: String; var year: Int; var budget: String; var start_year: Int?; var end_year: Int?
        var indicators: Int; var targets: [ExpectedTarget]
    }
    struct ExpectedFile: Decodable { var partial: Bool; var projects: [ExpectedProject] }
    struct Expected: Decodable { var files: [String: ExpectedFile] }

    static let expected: Expected = {
        guard let data = FileManager.default.contents(atPath: folder + "/expected.json"),
              let decoded = try? JSONDecoder().decode(Expected.self, from: data) else { return Expected(files: [:]) }
        return decoded
    }()

    static var textFiles: [String] { expected.files.keys.sorted() }

    /// Office versions with a text namesake in expected.json.
    static var officeFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/office")) ?? []
        return names.filter { expected.files[($0 as NSString).deletingPathExtension + ".txt"] != nil }.sorted()
    }

    @Test func corpusIsPresent() {
        #expect(Self.expected.files.count == 10, "expected.json missing or unreadable under \(Self.folder)")
    }

    @Test(arguments: textFiles)
    func readsAsPublished(_ name: String) throws {
        try check(path: Self.folder + "/" + name, expected: try #require(Self.expected.files[name]))
    }

    static let variantsFolder = TestPaths.root + "/Tests/fixtures/family-variants"
    static let variants: Expected = {
        guard let data = FileManager.default.contents(atPath: variantsFolder + "/expected.json"),
              let decoded = try? JSONDecoder().decode(Expected.self, from: data) else { return Expected(files: [:]) }
        return decoded
    }()

    /// Invented tables in templates the real documents do not cover (Tests/fixtures/family-variants).
    @Test(arguments: variants.files.keys.sorted())
    func inventedVariantReadsAsWritten(_ name: String) throws {
        try check(path: Self.variantsFolder + "/" + name, expected: try #require(Self.variants.files[name]))
    }

    @Test func variantsArePresent() {
        #expect(Self.variants.files.count == 62, "expected.json missing or unreadable under \(Self.variantsFolder)")
        #expect(Self.variantOfficeFiles.count == 17)
    }

    static var variantOfficeFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: variantsFolder + "/office")) ?? []
        return names.filter { variants.files[($0 as NSString).deletingPathExtension + ".txt"] != nil }.sorted()
    }

    /// The Word, Excel and HTML-.xls versions of some variants read as their text.
    @Test(arguments: variantOfficeFiles)
    func inventedOfficeVariantReadsAsWritten(_ name: String) throws {
        let text = (name as NSString).deletingPathExtension + ".txt"
        try check(path: Self.variantsFolder + "/office/" + name, expected: try #require(Self.variants.files[text]))
    }

    @Test(arguments: officeFiles)
    func officeVersionReadsAsItsText(_ name: String) throws {
        let text = (name as NSString).deletingPathExtension + ".txt"
        try check(path: Self.folder + "/office/" + name, expected: try #require(Self.expected.files[text]))
    }

    @Test func officeVersionsAreThere() {
        // 5 Word, 5 Excel and 2 导出Excel .xls files have a text namesake (the seed's are checked on their own).
        #expect(Self.officeFiles.count == 12)
    }

    func check(path: String, expected: ExpectedFile) throws {
        let loaded = DocumentLoader.load(paths: [path])
        let errors = loaded.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors)")
        #expect(Set(loaded.projects.map(\.name)) == Set(expected.projects.map(\.name)))
        #expect(loaded.projects.count == expected.projects.count)
        for want in expected.projects {
            let got = try #require(loaded.projects.first { $0.name == want.name }, "\(want.name) not read")
            #expect(got.year == want.year, "\(want.name)")
            let fen = try #require(Money.parseFen(Substring(want.budget)))
            #expect(got.budgetFen == fen, "\(want.name): budget \(got.budgetFen.map { Money.yuanText(fen: $0) } ?? "null"), expected \(want.budget)")
            if want.start_year != nil || want.end_year != nil {
                #expect(got.startYear == want.start_year && got.endYear == want.end_year, "\(want.name): period \(String(describing: got.startYear))–\(String(describing: got.endYear))")
            }
            #expect(got.indicators.count == want.indicators, "\(want.name)")
            for target in want.targets {
                let indicator = try #require(got.indicators.first { $0.name == target.name }, "\(want.name): indicator \(target.name) not read")
                let squashed = indicator.annualTarget.filter { !$0.isWhitespace }
                let accepted = [target.annual_target, (target.cells ?? []).joined()].map { $0.filter { !$0.isWhitespace } }
                #expect(accepted.contains(squashed), "\(target.name): \(indicator.annualTarget)")
            }
            // A cut-off copy says so.
            if !expected.partial { #expect(!got.endsEarly, "\(want.name) is complete but read as ending early") }
        }
        if expected.partial {
            #expect(loaded.projects.contains { $0.endsEarly }, "a partial copy must be reported as ending early")
            #expect(loaded.diagnostics.contains { $0.message.contains("ends early") })
        }
    }

    @Test(arguments: ["000_a55f44c6a187ce33.txt", "office/000_a55f44c6a187ce33.docx", "office/000_a55f44c6a187ce33.xlsx"])
    func seedStillLoadsExactly(_ name: String) throws {
        let loaded = DocumentLoader.load(paths: [Self.folder + "/" + name])
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
        #expect(loaded.projects.count == 9)
        #expect(loaded.projects.reduce(0) { $0 + $1.indicators.count } == 60)
        #expect(loaded.projects.reduce(Int64(0)) { $0 + ($1.budgetFen ?? 0) } == 161_803_500_000)
    }

    @Test func aFolderOfAllOfThemLoadsInOneGo() {
        let loaded = DocumentLoader.load(paths: [Self.folder])
        // Each text file, its Office versions, and the seed three times (text, Word, Excel).
        var expectedCount = Self.expected.files.values.reduce(0) { $0 + $1.projects.count } + 3 * 9
        for name in Self.officeFiles {
            expectedCount += Self.expected.files[(name as NSString).deletingPathExtension + ".txt"]?.projects.count ?? 0
        }
        #expect(loaded.projects.count == expectedCount)
        #expect(loaded.diagnostics.filter { $0.severity == .error }.isEmpty, "\(loaded.diagnostics.filter { $0.severity == .error })")
    }

    @Test func selfEvaluationColumns() throws {
        let loaded = DocumentLoader.load(paths: [Self.folder + "/13-suixi-minzheng-2019-ziping-partial.txt"])
        let p = try #require(loaded.projects.first)
        #expect(p.documentKind == "自评")
        #expect(p.amountUnit == "万元")
        #expect(p.departmentCode == "155" && p.department == "濉溪县民政局")
        #expect(p.funds.adjusted == 30_000_000 && p.funds.spent == 30_000_000)
        #expect(p.funds.spentRate == ExactDecimal(integer: 1))
        let poor = try #require(p.indicators.first { $0.name.contains("特困人员救助供养人数") })
        #expect(poor.level1 == "产出指标" && poor.level1Raw == "产出指标(50分)")
        #expect(poor.weight == ExactDecimal(integer: 5) && poor.score == ExactDecimal(integer: 5))
        #expect(poor.actual == "4604人")
        #expect(poor.actualReading?.value == ExactDecimal(integer: 4604))
        #expect(poor.reading.comparison == .atLeast && poor.reading.value == ExactDecimal(integer: 4754) && poor.reading.unit == "人")
        #expect(poor.note == "特困人员实行动态管理")
        #expect(poor.shortName == "特困人员救助供养人数(按月平均)")
    }

    @Test func splitTargetsDirectionsAndExcelSerials() throws {
        let loaded = DocumentLoader.load(paths: [Self.folder + "/15-wuhai-gongxiaoshe-2021-mubiao-partial.txt"])
        let p = try #require(loaded.projects.first)
        #expect(p.type == "部门预算项目")
        #expect(p.departmentCode == "433" && p.unitCode == "433001")
        #expect(p.funds.initial == 3_000_000)
        let time = try #require(p.indicators.first { $0.name == "项目财政资金到位时间" })
        #expect(time.reading.kind == .deadline && time.reading.deadline == CalendarDate(year: 2021, month: 12, day: 31))
        let cost = try #require(p.indicators.first { $0.name == "出差单位成本" })
        #expect(cost.direction == "反向")
        #expect(cost.annualTarget == "=0万元/人")
        #expect(p.extra.contains("项目类型编码: 31"))
    }

    @Test func perRecipientTargetsAreKept() throws {
        let loaded = DocumentLoader.load(paths: [Self.folder + "/20-anxi-shuili-2022-zhuanxiang-partial.txt"])
        let indicator = try #require(loaded.projects.first?.indicators.first)
        #expect(indicator.extra.count == 7)
        #expect(indicator.extra.first == "西坪镇尧山村: 1")
        #expect(indicator.explanation == "反映小型水利工程建设项目开展情况")
        #expect(indicator.level1 == "产出指标")
    }

    @Test func treeAndFlatLayouts() throws {
        let tree = DocumentLoader.load(paths: [Self.folder + "/06-shizuishan-jikong-2020-pifu.txt"]).projects
        #expect(tree.first?.department == "石嘴山市疾病预防控制中心")
        #expect(tree.first?.documentKind == "批复")
        #expect(Set(tree.first?.indicators.map(\.level1) ?? []) == ["产出指标", "满意度指标", "效益指标"])
        #expect(tree.first?.indicators.first?.level2Raw == "成本指标(必填硬性指标)")
        #expect(tree.first?.indicators.first?.level2 == "成本指标")
        let flat = DocumentLoader.load(paths: [Self.folder + "/07-jingyan-mata-2023-partial.txt"])
        #expect(flat.projects.map(\.department) == ["马踏镇部门", "马踏镇部门"])
        #expect(flat.projects.map(\.unit) == ["井研县马踏镇人民政府", "井研县马踏镇人民政府"])
        #expect(flat.projects.first?.indicators.first?.direction == "正向")
        #expect(flat.diagnostics.contains { $0.message.contains("totals 8,827,620.53 yuan") })
    }
}
