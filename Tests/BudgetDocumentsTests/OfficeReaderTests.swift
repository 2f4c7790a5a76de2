import Foundation
import Testing
@testable import BudgetDocuments

/// Where the shared sample documents are: `../shared` beside the repository, as on every developer's
/// machine and in CI.
enum OfficeSamples {
    static let shared = URL(fileURLWithPath: TestPaths.root).deletingLastPathComponent().appendingPathComponent("shared").path
    static let realDocuments = shared + "/real-documents"
    static let office = realDocuments + "/office"

    /// The bytes of a shared file; records an issue (the test fails) when the shared folder is missing.
    static func bytes(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("missing \(path): the shared sample folder must sit at ../shared beside the repository", sourceLocation: sourceLocation)
            return nil
        }
        return [UInt8](data)
    }

    /// The text file an office sample was made from.
    static func textNamesake(of officeFile: String) -> String {
        let stem = (officeFile as NSString).deletingPathExtension
        if stem.hasPrefix("000_") { return shared + "/seeds/" + stem + ".txt" }
        return realDocuments + "/" + stem + ".txt"
    }
}

/// Rows as the comparison sees them: cells trimmed, trailing empty cells and empty rows dropped.
func comparable(_ rows: [[String]]) -> [[String]] {
    rows.compactMap { row in
        var cells = row.map { $0.trimmingCharacters(in: .whitespaces) }
        while cells.last?.isEmpty == true { cells.removeLast() }
        return cells.isEmpty ? nil : cells
    }
}

func comparableText(_ text: String) -> [[String]] {
    comparable(text.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false).map { line in
        line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    })
}

/// The first difference between two row lists, for a readable failure.
func firstDifference(_ got: [[String]], _ expected: [[String]]) -> String? {
    for i in 0..<max(got.count, expected.count) {
        let g = i < got.count ? got[i] : nil
        let e = i < expected.count ? expected[i] : nil
        if g != e {
            return "row \(i + 1): read \(g.map { $0.joined(separator: " | ") } ?? "nothing")\n      text \(e.map { $0.joined(separator: " | ") } ?? "nothing")"
        }
    }
    return nil
}

struct OfficeReaderSampleTests {
    static let samples: [String] = [
        "000_a55f44c6a187ce33.docx", "000_a55f44c6a187ce33.xlsx",
        "01-qingshen-fgj-2023-ziping.docx", "01-qingshen-fgj-2023-ziping.xlsx",
        "02-xiangtan-huanwei-2023-shenbao.docx", "02-xiangtan-huanwei-2023-shenbao.xls", "02-xiangtan-huanwei-2023-shenbao.xlsx",
        "04-wuhan-qingshan-jiaoyu-2020.docx", "04-wuhan-qingshan-jiaoyu-2020.xlsx",
        "10-jinzhai-kaifaqu-2021-wuye-shenbao.docx", "10-jinzhai-kaifaqu-2021-wuye-shenbao.xls", "10-jinzhai-kaifaqu-2021-wuye-shenbao.xlsx",
        "15-wuhai-gongxiaoshe-2021-mubiao-partial.docx", "15-wuhai-gongxiaoshe-2021-mubiao-partial.xlsx",
    ]

    @Test func everyOfficeSampleIsListed() throws {
        let listed = try FileManager.default.contentsOfDirectory(atPath: OfficeSamples.office).filter { !$0.hasPrefix(".") }.sorted()
        #expect(listed == Self.samples.sorted(), "the office folder changed: add the new samples to OfficeReaderSampleTests.samples")
    }

    @Test(arguments: samples)
    func sampleReadsLikeItsTextFile(_ name: String) throws {
        guard let bytes = OfficeSamples.bytes(OfficeSamples.office + "/" + name),
              let text = OfficeSamples.bytes(OfficeSamples.textNamesake(of: name)) else { return }
        let rows = try OfficeReader.rows(of: bytes, file: name)
        let got = comparable(rows.map(\.cells))
        let expected = comparableText(String(decoding: text, as: UTF8.self))
        let difference = firstDifference(got, expected)
        #expect(difference == nil, "\(name): \(difference ?? "")")
    }
}
