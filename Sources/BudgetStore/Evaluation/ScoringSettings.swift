import BudgetCore
import Foundation

/// The choices behind self-evaluation scoring (docs/evaluation.md): default weights, grade bounds,
/// the qualitative grades and how a published score is compared. A data folder's `scoring.tsv`
/// replaces any of them; everything else keeps the standard value.
public struct ScoringSettings: Sendable, Equatable {
    /// One qualitative grade: the share of the weight it allows (`high`…`low`, in percent) and the
    /// words that record it in a 完成值 cell.
    public struct QualitativeGrade: Sendable, Equatable {
        public var name: String
        public var high: ExactDecimal
        public var low: ExactDecimal
        public var words: [String]
    }

    /// The 预算执行 weight (10; some regions use 20).
    public var executionWeight = ExactDecimal(integer: 10)
    /// Default 一级 weights when a table publishes no 分值 of its own.
    public var categoryWeights: [String: ExactDecimal] = [
        "产出指标": ExactDecimal(integer: 50), "效益指标": ExactDecimal(integer: 30), "满意度指标": ExactDecimal(integer: 10),
    ]
    /// Grades from the best: a total at or above `minimum` earns `name`.
    public var grades: [(name: String, minimum: ExactDecimal)] = [
        ("优", ExactDecimal(integer: 90)), ("良", ExactDecimal(integer: 80)), ("中", ExactDecimal(integer: 60)), ("差", ExactDecimal(integer: 0)),
    ]
    /// 达成 / 部分达成 / 未达成, checked in this order (so 部分达成 is not read as 达成).
    public var qualitative: [QualitativeGrade] = [
        QualitativeGrade(name: "部分达成", high: ExactDecimal(integer: 80), low: ExactDecimal(integer: 50),
                         words: ["部分达成", "基本达成", "基本完成", "部分完成", "基本实现", "部分实现", "较好", "基本满意"]),
        QualitativeGrade(name: "未达成", high: ExactDecimal(integer: 50), low: ExactDecimal(integer: 0),
                         words: ["未达成", "未完成", "未实现", "未达到", "没有完成", "未按期", "延期", "滞后", "不满意", "不达标", "不合格", "无效", "否", "差"]),
        QualitativeGrade(name: "达成", high: ExactDecimal(integer: 100), low: ExactDecimal(integer: 80),
                         words: ["达成", "已达成", "完成", "已完成", "全部完成", "按期完成", "按时完成", "如期完成", "达到", "已达到",
                                 "实现", "已实现", "是", "良好", "优", "好", "满意", "有效", "显著", "明显", "提高", "提升", "改善", "增强"]),
    ]
    /// Which end of a qualitative grade's range a computed score takes: the most the grade allows.
    public var qualitativeTakesHigh = true
    /// A published score within this of the computed one agrees (a score published to one decimal).
    public var tolerance = ExactDecimal(scaled: 500)
    /// Where these settings come from: `built-in`, or the file that changed them.
    public var source = "built-in"

    public init() {}

    /// The standard rules of docs/evaluation.md.
    public static let standard = ScoringSettings()

    /// The grade of a total.
    public func grade(of total: ExactDecimal) -> String {
        grades.first { total >= $0.minimum }?.name ?? grades.last?.name ?? ""
    }

    /// The qualitative grade a 完成值 text records, if any.
    public func qualitativeGrade(of text: String) -> QualitativeGrade? {
        let squashed = text.filter { !$0.isWhitespace && !"。.，,、;；".contains($0) }
        guard !squashed.isEmpty else { return nil }
        // A one-character word (是, 否, 优) must be the whole cell; a longer one may carry a few more (按期完成).
        for grade in qualitative where grade.words.contains(where: { squashed == $0 || ($0.count > 1 && squashed.count <= $0.count + 4 && squashed.contains($0)) }) {
            return grade
        }
        return nil
    }

    public static func == (a: ScoringSettings, b: ScoringSettings) -> Bool {
        a.executionWeight == b.executionWeight && a.categoryWeights == b.categoryWeights && a.qualitative == b.qualitative
            && a.grades.map(\.name) == b.grades.map(\.name) && a.grades.map(\.minimum) == b.grades.map(\.minimum)
            && a.qualitativeTakesHigh == b.qualitativeTakesHigh && a.tolerance == b.tolerance
    }

    /// A line of `scoring.tsv` that cannot be read.
    public struct Failure: Error, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String
        public var description: String { "\(file):\(line): error: \(message)" }
    }

    /// The file name a data folder uses to change the scoring settings.
    public static let fileName = "scoring.tsv"

    /// Reads `scoring.tsv`: `key<TAB>value…` lines, `#` comments. Keys: `execution` (weight),
    /// `weight.<一级>` (`weight.产出指标	50`), `grade.<名>` (lowest total), `qualitative.<名>` (high, low
    /// percent, then `;`-separated words), `qualitative.point` (`high` or `low`), `tolerance`.
    public static func parse(_ text: String, file: String) throws(Failure) -> ScoringSettings {
        var settings = ScoringSettings()
        settings.source = file
        var grades: [(String, ExactDecimal)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines.subtracting(.init(charactersIn: "\t")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let key = fields[0]
            func number(_ i: Int, _ what: String) throws(Failure) -> ExactDecimal {
                guard i < fields.count, let value = ExactDecimal(parsing: Substring(fields[i])) else {
                    throw Failure(file: file, line: index + 1, message: "`\(key)` needs \(what) such as 10 or 0.05 in field \(i + 1), found `\(i < fields.count ? fields[i] : "")`")
                }
                return value
            }
            if key == "execution" {
                settings.executionWeight = try number(1, "a weight")
            } else if key.hasPrefix("weight.") {
                settings.categoryWeights[String(key.dropFirst("weight.".count))] = try number(1, "a weight")
            } else if key.hasPrefix("grade.") {
                grades.append((String(key.dropFirst("grade.".count)), try number(1, "the lowest total of the grade")))
            } else if key == "qualitative.point" {
                guard fields.count > 1, ["high", "low"].contains(fields[1]) else {
                    throw Failure(file: file, line: index + 1, message: "`qualitative.point` is `high` or `low`")
                }
                settings.qualitativeTakesHigh = fields[1] == "high"
            } else if key.hasPrefix("qualitative.") {
                let name = String(key.dropFirst("qualitative.".count))
                let high = try number(1, "the highest percent of the weight"), low = try number(2, "the lowest percent of the weight")
                guard low <= high else { throw Failure(file: file, line: index + 1, message: "`\(key)`: the lowest percent \(low) is above the highest \(high)") }
                let words = fields.count > 3 ? fields[3].split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } : []
                let grade = QualitativeGrade(name: name, high: high, low: low, words: words.isEmpty ? [name] : words)
                if let i = settings.qualitative.firstIndex(where: { $0.name == name }) { settings.qualitative[i] = grade } else { settings.qualitative.append(grade) }
            } else if key == "tolerance" {
                settings.tolerance = try number(1, "a number of points")
            } else {
                throw Failure(file: file, line: index + 1, message: "unknown key `\(key)`; expected execution, weight.<一级指标>, grade.<等级>, qualitative.<等级>, qualitative.point or tolerance")
            }
        }
        if !grades.isEmpty { settings.grades = grades.sorted { $0.1 > $1.1 } }
        return settings
    }
}
