import Foundation
import Testing
@testable import BudgetDocuments

/// The seed loads exactly, in every encoding and line-ending budgetq accepts.
struct SeedLoadingTests {
    static let seedBytes: [UInt8] = Array((try? Data(contentsOf: URL(fileURLWithPath: TestPaths.seed))) ?? Data())

    func load(_ bytes: [UInt8], file: String = "seed.txt") -> (DocumentParser.Output, TextDecoding.Encoding?) {
        DocumentLoader.parse(bytes: bytes, file: file)
    }

    @Test func seedProjectsIndicatorsAndTotals() throws {
        let (output, encoding) = load(Self.seedBytes)
        #expect(encoding == .utf8)
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
        #expect(output.projects.count == 9)
        #expect(output.projects.allSatisfy { $0.year == 2024 && $0.origin == .published })
        #expect(output.projects.reduce(0) { $0 + $1.indicators.count } == 60)
        #expect(output.projects.reduce(Int64(0)) { $0 + ($1.budgetFen ?? 0) } == 161_803_500_000)
        var byType: [String: Int64] = [:]
        for p in output.projects { byType[p.type ?? "", default: 0] += p.budgetFen ?? 0 }
        #expect(byType == ["其他特定目标类（部门职能类）": 167_000_000, "其他运转类（综合类）": 10_500_000, "其他事业发展性支出": 161_626_000_000])
    }

    @Test func headerFieldsGoalsAndPeriod() throws {
        let (output, _) = load(Self.seedBytes)
        let first = try #require(output.projects.first)
        #expect(first.name == "对口帮扶工作及专项业务费")
        #expect(first.level == "二级项目")
        #expect(first.department == "东莞市人民政府经济协作办公室")
        #expect(first.unit == "东莞市人民政府经济协作办公室")
        #expect(first.startYear == 2021 && first.endYear == 2024)
        #expect(first.goalPeriod?.hasPrefix("2021年至2025年") == true)
        #expect(first.goalYear?.hasSuffix("农业强。") == true)
        #expect(first.line == 3)
        let wushan = try #require(output.projects.first { $0.name == "对口支援巫山县专项资金" })
        #expect(wushan.budgetFen == 290_000_000)
        #expect(wushan.line == 173)
    }

    @Test func fillDownAndPlaceholders() throws {
        let (output, _) = load(Self.seedBytes)
        let fund = try #require(output.projects.first { $0.name.hasPrefix("珠三角") })
        // Line 141 leaves 二级指标 empty: it belongs to 时效指标 above it.
        let timely = fund.indicators.filter { $0.level2 == "时效指标" }.map(\.name)
        #expect(timely == ["项目按计划支付率", "工作任务完成及时性"])
        #expect(fund.indicators.allSatisfy { !$0.level1.isEmpty })
        // 成本指标 is a blank placeholder row: kept as coverage with no indicator.
        #expect(fund.coverage.contains(CoverageRecord(level1: "产出指标", level2: "成本指标", indicatorCount: 0, line: 142)))
        #expect(fund.coverage.first { $0.level2 == "时效指标" }?.indicatorCount == 2)
        let first = try #require(output.projects.first)
        #expect(first.coverage.first { $0.level1 == "满意度指标" }?.indicatorCount == 0)
        #expect(first.coverage.count == 9)
    }

    @Test func regionsFromNamesGoalsAndIndicators() {
        let (output, _) = load(Self.seedBytes)
        var counts: [String: Int] = [:]
        for p in output.projects { for r in p.regions { counts[r, default: 0] += 1 } }
        #expect(counts == ["铜仁": 2, "韶关": 2, "揭阳": 2, "巫山": 1])
        // 莞韶 and 莞揭 are aliases: the 珠三角… fund names neither city in full.
        #expect(output.projects.first { $0.name.hasPrefix("珠三角") }?.regions == ["韶关", "揭阳"])
    }

    static func withCRLF(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for b in bytes { if b == 0x0A { out.append(0x0D) }; out.append(b) }
        return out
    }

    @Test func utf8BOMAndCRLF() {
        let (bom, encoding) = load([0xEF, 0xBB, 0xBF] + Self.seedBytes)
        #expect(encoding == .utf8WithBOM)
        #expect(bom.projects.count == 9 && bom.diagnostics.isEmpty)
        let (crlf, _) = load(Self.withCRLF(Self.seedBytes))
        #expect(crlf.projects.count == 9 && crlf.diagnostics.isEmpty)
        #expect(crlf.projects.map(\.budgetFen) == bom.projects.map(\.budgetFen))
        #expect(crlf.projects.first?.goalYear == bom.projects.first?.goalYear)
    }

    @Test func gb18030AndGBK() throws {
        let gb = try #require(TextDecoding.iconvConvert(Self.withCRLF(Self.seedBytes), from: "UTF-8", to: "GB18030"))
        #expect(!TextDecoding.isValidUTF8(gb))
        let (output, encoding) = load(gb)
        #expect(encoding == .gb18030)
        #expect(output.projects.count == 9 && output.diagnostics.isEmpty)
        #expect(output.projects.reduce(0) { $0 + $1.indicators.count } == 60)
        #expect(output.projects.last?.name == "粤财农〔2023〕192号2024年中央财政衔接推进乡村振兴补助资金")
        // GBK lacks ≥ in a few code pages, but GB18030 decodes it back exactly.
        #expect(output.projects.first?.indicators.first { $0.name == "预算执行率" }?.annualTarget == "≥90%")
        let gbk = try #require(TextDecoding.iconvConvert(Array("项目绩效目标表\n项目名称\t\t测试项目\n2024年预算金额（元）\t\t1.00\n绩效指标\t一级指标\t二级指标\t三级指标\t实施周期指标值\t当年度指标值\n".utf8), from: "UTF-8", to: "GBK"))
        let (small, smallEncoding) = load(gbk)
        #expect(smallEncoding == .gb18030)
        #expect(small.projects.first?.name == "测试项目")
    }

    @Test func utf16WithBOM() throws {
        let utf16 = try #require(TextDecoding.iconvConvert(Self.seedBytes, from: "UTF-8", to: "UTF-16"))
        let (output, encoding) = load(utf16)
        #expect(encoding == .utf16)
        #expect(output.projects.count == 9)
    }

    @Test func trailingWhitespaceBlankLinesAndComments() {
        var text = "# synthetic: generated by budgetq generate --seed 1\n# second comment\n\n\n"
        for line in String(decoding: Self.seedBytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            // Strip trailing tabs as editors do, add trailing spaces, and double every blank line.
            var l = String(line)
            while l.hasSuffix("\t") { l.removeLast() }
            text += l + "  \n"
            if l.isEmpty { text += "\n" }
        }
        let (output, _) = load(Array(text.utf8))
        #expect(output.diagnostics.isEmpty, "\(output.diagnostics)")
        #expect(output.projects.count == 9)
        #expect(output.projects.reduce(0) { $0 + $1.indicators.count } == 60)
        #expect(output.projects.allSatisfy { $0.origin == .synthetic })
        #expect(output.projects.reduce(0) { $0 + $1.coverage.count } == 81)
    }

    @Test func tenThousandYuanLabel() throws {
        let text = String(decoding: Self.seedBytes, as: UTF8.self)
            .replacingOccurrences(of: "2024年预算金额（元）\t\t500,000.00", with: "2024年预算金额（万元）\t\t50.5")
        let (output, _) = load(Array(text.utf8))
        #expect(output.projects.first?.budgetFen == 50_500_000)
    }

    @Test func budgetYearComesFromTheLabel() {
        let text = String(decoding: Self.seedBytes, as: UTF8.self)
            .replacingOccurrences(of: "2024年预算金额(元)\t\t2,900,000.00", with: "2023年预算金额(元)\t\t2,900,000.00")
        let (output, _) = load(Array(text.utf8))
        #expect(output.projects.map(\.year).filter { $0 == 2023 }.count == 1)
        #expect(output.projects.first { $0.year == 2023 }?.name == "对口支援巫山县专项资金")
    }
}
