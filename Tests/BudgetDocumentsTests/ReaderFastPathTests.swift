import BudgetCore
import Foundation
import Testing
@testable import BudgetDocuments

/// The reader's shortcuts (issue 13) answer what the slow ways they stand in for answer: the
/// label filter never rules out a cell that names a field or a category, the byte comparisons
/// agree with `Character` ones, squashing over bytes is the scalar mapping, and the amount filter
/// only drops cells `amount` would refuse. Checked over every cell of the bundled documents and
/// fixtures, and over variants of them spelled to trip byte-level shortcuts (combining marks, CJK
/// compatibility ideographs, full-width forms, notes, numbering, stars, unclosed brackets).
struct ReaderFastPathTests {
    static let cells: [String] = {
        var files: [String] = []
        for folder in [TestPaths.datasets, TestPaths.root + "/Tests/fixtures"] {
            let walker = FileManager.default.enumerator(atPath: folder)
            while let path = walker?.nextObject() as? String {
                if path.hasSuffix(".txt") || path.hasSuffix(".tsv") { files.append(folder + "/" + path) }
            }
        }
        var seen = Set<[UInt8]>()
        var cells: [String] = []
        func add(_ cell: String) {
            if seen.insert(Array(cell.utf8)).inserted { cells.append(cell) }
        }
        for file in files.sorted() {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                for cell in line.split(separator: "\t") { add(String(cell).trimmed) }
            }
        }
        let compatibility: [Character: Character] = ["金": "\u{F90A}", "年": "\u{F98E}", "度": "\u{FA01}", "益": "\u{FA17}", "量": "\u{F97E}", "行": "\u{FA08}"]
        for cell in cells where cell.utf8.count <= 40 {
            add("1." + cell); add("一、" + cell); add("其中:" + cell); add("2024年" + cell); add("1-7月" + cell)
            add(cell + ":"); add(cell + "："); add(cell + "(万元)"); add(cell + "10分"); add("(注)" + cell); add("★" + cell)
            add("【" + cell); add(cell + ")"); add(" " + cell + "\u{3000}")
            add(cell + "\u{301}"); add("\u{301}" + cell); add(cell.replacingOccurrences(of: "指", with: "指\u{338}"))
            add(String(cell.map { compatibility[$0] ?? $0 }))
            add(LabelText.squash(cell).replacingOccurrences(of: "1", with: "１"))
        }
        return cells
    }()

    @Test func everyFieldsZoneIsTheOneItsNameGives() {
        // The zone is the part of the raw value before the dot (`money.budget` → money).
        let byName: [Substring: LabelZone] = ["project": .project, "money": .money, "goal": .goal, "indicator": .indicator, "row": .row]
        for field in LabelField.allCases {
            #expect(field.zone == byName[field.rawValue.prefix(while: { $0 != "." })], "\(field.rawValue)")
        }
    }

    @Test func cellsTheFilterRulesOutNameNoFieldAndNoCategory() {
        let book = LabelBook.builtIn
        var asked = 0, ruledOut = 0
        for cell in Self.cells where cell.utf8.count <= LabelText.longestLabelBytes {
            asked += 1
            guard !cell.withUTF8Bytes({ book.mayName($0) }) else { continue }
            ruledOut += 1
            let label = LabelText.parse(cell)
            #expect(book.fields(of: label).isEmpty, "`\(cell)` names \(book.fields(of: label)) but was ruled out")
            #expect(book.level1Category(cell) == nil, "`\(cell)` is a 一级 category but was ruled out")
            #expect(book.level2Category(cell) == nil, "`\(cell)` is a 二级 category but was ruled out")
        }
        // It is a filter: most of these cells (names, targets, variants) are ruled out.
        #expect(ruledOut * 2 > asked, "\(ruledOut) of \(asked) ruled out")
    }

    @Test func everySynonymMayName() {
        let book = LabelBook.builtIn
        for line in DefaultLabels.text.split(separator: "\n") where !line.hasPrefix("#") {
            for synonym in line.split(separator: "\t").dropFirst() {
                for spelling in [String(synonym), "1." + synonym, "2024年" + synonym + "（元）", synonym + "：", "（单位）" + synonym] {
                    let label = LabelText.parse(spelling)
                    if !book.fields(of: label).isEmpty || book.level1Category(spelling) != nil || book.level2Category(spelling) != nil {
                        #expect(spelling.withUTF8Bytes { book.mayName($0) }, "`\(spelling)` was ruled out")
                    }
                }
            }
        }
    }

    @Test func byteComparisonsAgreeWithCharacters() {
        let words = ["表", "关于", "附件", "注:", "说明:", "备注:", ":", "：", "报表编号", "正向", "指标", ")", "）", "分", "单位", "金额单位", "(单位", "", "表\u{301}",
                     "执行率", "时效", "\u{8C48}"]
        let tricky = ["预算执\u{301}行率", "\u{F900}时效", "表\u{301}", "附\u{301}件2", "\u{F90A}额单位:万元", "金\u{301}额单位", "注:\u{338}", "e\u{301}", "\r\n", "说明\r", "指标\u{200D}☆", "分\u{FE0F}", "\u{0600}分", "：\u{3099}"]
        var texts = Array(Self.cells.prefix(3000)) + tricky
        for word in words { texts += [word, word + "\u{301}", "\u{301}" + word, "x" + word, word + "x"] }
        for text in texts {
            for word in words {
                #expect(text.hasPrefixBytes(word) == text.hasPrefix(word), "`\(text)` hasPrefix `\(word)`")
                #expect(text.hasSuffixBytes(word) == text.hasSuffix(word), "`\(text)` hasSuffix `\(word)`")
                #expect(text.containsText(word) == text.contains(word), "`\(text)` contains `\(word)`")
            }
            #expect(text.hasColonBytes || !text.contains(where: { $0 == ":" || $0 == "：" }), "`\(text)` holds a colon")
            #expect(text.needsTrimming == (Substring(text).trimmingCharacters() != text), "`\(text)` trimming")
        }
    }

    @Test func squashOverBytesIsTheScalarMapping() {
        func scalarSquash(_ raw: String) -> String {
            var out = String.UnicodeScalarView()
            for scalar in raw.unicodeScalars {
                switch scalar.value {
                case 0xFF01...0xFF5E: out.append(Unicode.Scalar(UInt8(scalar.value - 0xFEE0)))
                case 0x3000, 0x20, 0x09, 0xA0, 0x0A, 0x0D, 0x2002, 0x2003, 0x2009, 0x200B: continue
                case 0x2236: out.append(":")
                default: out.append(scalar)
                }
            }
            return String(out)
        }
        for cell in Self.cells + ["\u{2236}\u{200B}ｘ\u{A0}é\u{1F600}\r\n"] {
            #expect(Array(LabelText.squash(cell).utf8) == Array(scalarSquash(cell).utf8), "`\(cell)`")
        }
    }

    @Test func theAmountFilterDropsOnlyWhatAmountRefuses() {
        for cell in Self.cells + ["¥3,309,840.00", "￥5", "－5", "．5", "１２万元", "万元", "元", " 5", "\u{3000}12"] where !CellValues.mayStartAmount(cell) {
            #expect(CellValues.readAmount(cell) == nil, "`\(cell)` is an amount")
        }
    }

    @Test func blankCellsAreWhiteSpaceCells() {
        for cell in Self.cells + ["", " ", "\u{3000}", " \u{301}", "\t", "\u{A0}x", "a "] {
            #expect(cell.isBlank == cell.allSatisfy(\.isWhitespace), "`\(cell)`")
        }
    }

    @Test func codesAreSplitAsByCharacters() {
        // `CellValues.splitCode` before its first-scalar shortcut.
        func characterSplit(_ raw: String) -> (code: String?, name: String) {
            let text = raw.trimmed
            let chars = Array(text)
            guard let first = chars.first else { return (nil, text) }
            let closers: [Character: Character] = ["[": "]", "(": ")", "（": "）", "【": "】", "〔": "〕"]
            if let closer = closers[first], let end = chars.firstIndex(of: closer), end > 1 {
                let code = String(chars[1..<end])
                let rest = String(chars[(end + 1)...]).trimmed
                if code.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter) }), !rest.isEmpty { return (code, rest) }
            }
            var i = 0
            while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
            if i >= 2, i < chars.count - 1, chars[i] == "-" || chars[i] == "－" || chars[i] == "_" {
                return (String(chars[0..<i]), String(chars[(i + 1)...]).trimmed)
            }
            return (nil, text)
        }
        for cell in Self.cells + ["[015001]武汉市青山区教育局", "(433)乌海市供销合作社联合社(部门)", "820001-井研县马踏镇人民政府", "1\u{301}2-x", "（1）甲", "〔7〕乙"] {
            let split = CellValues.splitCode(cell), expected = characterSplit(cell)
            #expect(split.code == expected.code && split.name == expected.name, "`\(cell)`")
        }
    }

    @Test func regionsAreFoundTextByTextAsInTheJoinedTexts() {
        let gazetteer = Gazetteer.builtIn
        let memo = RegionMemo(gazetteer: gazetteer)
        var generator = SystemRandomNumberGenerator()
        let pool = Array(Self.cells.prefix(2000)) + gazetteer.entries.flatMap { [$0.region] + $0.aliases }
        for _ in 0..<2000 {
            let texts = (0..<Int.random(in: 1...6, using: &generator)).map { _ in pool.randomElement(using: &generator)! }
            #expect(memo.regions(mentionedIn: texts) == gazetteer.regions(mentionedIn: texts), "\(texts)")
        }
    }

    @Test func aRepeatedHeaderWithoutNamesIsReportedForEveryTable() {
        let table = ["项目绩效目标表", "项目名称\t甲", "2024年预算金额（元）\t100", "一级指标\t二级指标\t指标值", "产出指标\t数量指标\t5"]
        let text = (table + [""] + table).joined(separator: "\n") + "\n"
        let output = DocumentLoader.parse(bytes: Array(text.utf8), file: "t.txt").0
        let warnings = output.diagnostics.filter { $0.message.contains("has no 三级指标 column") }.map(\.line)
        #expect(warnings == [4, 10])
    }

    @Test func textNumbersFollowStringEquality() {
        let labels = CellLabels(labels: .builtIn)
        let texts = ["产出指标", "效益指标", "e\u{301}", "\u{E9}", "\u{F90A}", "金", "产出指标"]
        for a in texts {
            for b in texts {
                #expect((labels.textNumber(a) == labels.textNumber(b)) == (a == b), "`\(a)` vs `\(b)`")
            }
        }
    }
}
