import BudgetCore
import BudgetDocuments

/// How an indicator is scored (docs/evaluation.md).
public enum ScoreRule: String, Sendable, CaseIterable {
    /// ≥, 以上, 至少, or a bare number: weight × actual / target, capped at the weight.
    case positive
    /// ≤, 以内, 不超过, 成本: weight × target / actual, capped at the weight.
    case reverse
    /// = (`=100%`): full only when met, otherwise proportional.
    case exact
    /// A date: full when done by it, else nothing.
    case deadline
    /// 有提高, 显著改善: the recorded grade's share of the weight.
    case qualitative
    /// 预算执行率: weight × 执行数 / 预算数, capped at the weight.
    case execution
}

/// One indicator's computed score and why it is not full.
public struct IndicatorScore: Sendable, Equatable {
    public var rule: ScoreRule
    /// Nil when it cannot be computed (no actual, no weight, units that do not compare); `reason` says why.
    public var score: ExactDecimal?
    /// The range a qualitative grade allows (a published score inside it agrees).
    public var allowed: ClosedRange<ExactDecimal>?
    /// Empty for a full score.
    public var reason: String
}

/// The scoring rules of docs/evaluation.md, on exact decimals (scores rounded half-up to 0.01).
public enum ScoringRules {
    /// The rule an indicator's target calls for. A published 指标方向 (正向/反向) wins; a 成本 indicator
    /// without a comparison is reverse; a bare number (`50个`, which reads as `=`) is positive: only a
    /// written `=` (`=100%`, the 指标性质 cell `=`) makes an exact target.
    public static func rule(for target: TargetReading, text: String, direction: String?, level1: String, level2: String) -> ScoreRule {
        if let direction {
            if direction.contains("反") || direction.contains("逆") { return .reverse }
            if direction.contains("正") { return .positive }
        }
        switch target.kind {
        case .deadline: return .deadline
        case .qualitative: return .qualitative
        case .numeric, .percent: break
        }
        switch target.comparison {
        case .atLeast?, .greater?: return .positive
        case .atMost?, .less?: return .reverse
        case .within?: return .exact
        case .equal?:
            if text.contains("=") || text.contains("＝") || text.contains("等于") { return .exact }
            return level2.contains("成本") || level1.contains("成本") ? .reverse : .positive
        case nil: return level2.contains("成本") || level1.contains("成本") ? .reverse : .positive
        }
    }

    /// Scores one indicator. `actual` is the 完成值 text; `year` dates a deadline actual.
    public static func score(target: TargetReading, targetText: String, actual: String?, direction: String?, level1: String, level2: String,
                             weight: ExactDecimal?, year: Int, settings: ScoringSettings) -> IndicatorScore {
        let rule = rule(for: target, text: targetText, direction: direction, level1: level1, level2: level2)
        guard let weight else {
            return IndicatorScore(rule: rule, score: nil, reason: "no 分值: the table publishes weights for other indicators but not this one")
        }
        let actualText = (actual ?? "").trimmingCharacters(in: .whitespaces)
        guard !actualText.isEmpty, !["—", "-", "/", "无", "--"].contains(actualText) else {
            return IndicatorScore(rule: rule, score: nil, reason: "no 完成值 (actual) published or recorded")
        }
        let actualReading = TargetReader.read(actualText, year: year, level2: level2)
        // A 完成值 published only as a word (完成, 部分完成, 未完成) is graded like a qualitative target.
        if rule == .qualitative || (actualReading.kind == .qualitative && actualReading.value == nil) {
            return qualitative(actualText, targetText: targetText, rule: rule, weight: weight, settings: settings)
        }
        if rule == .deadline {
            return deadline(target: target, targetText: targetText, actual: actualReading, actualText: actualText, weight: weight)
        }
        guard let targetValue = target.value, let actualValue = actualReading.value else {
            return IndicatorScore(rule: rule, score: nil, reason: "完成值 `\(actualText)` is not a number to compare with `\(targetText)`")
        }
        guard let (t, a) = comparable(targetValue, target.unit, actualValue, actualReading.unit) else {
            return IndicatorScore(rule: rule, score: nil, reason: "完成值 `\(actualText)` is in \(actualReading.unit ?? "no unit"), the target `\(targetText)` in \(target.unit ?? "no unit"); they do not compare")
        }
        switch rule {
        case .positive:
            if a >= t { return full(rule, weight) }
            let s = ratio(weight, a, t)
            return IndicatorScore(rule: rule, score: s, reason: "\(actualText) is short of \(targetText): \(weight) × \(plain(a))/\(plain(t)) = \(s)")
        case .reverse:
            if a <= t { return full(rule, weight) }
            let s = ratio(weight, t, a)
            return IndicatorScore(rule: rule, score: s, reason: "\(actualText) exceeds \(targetText) (a reverse indicator): \(weight) × \(plain(t))/\(plain(a)) = \(s)")
        case .exact:
            if a == t { return full(rule, weight) }
            let s = a < t ? ratio(weight, a, t) : ratio(weight, t, a)
            return IndicatorScore(rule: rule, score: s, reason: "\(actualText) misses \(targetText) (an exact target): \(weight) × \(a < t ? "\(plain(a))/\(plain(t))" : "\(plain(t))/\(plain(a))") = \(s)")
        case .deadline, .qualitative, .execution:
            return full(rule, weight)
        }
    }

    /// 预算执行率: weight × spent / budget, capped. `rate` stands in when only the rate is published.
    public static func execution(spent: Int64?, budget: Int64?, rate: ExactDecimal?, weight: ExactDecimal) -> (score: ExactDecimal?, rate: ExactDecimal?, reason: String) {
        var share: (Int128, Int128)?
        if let spent, let budget, budget > 0 { share = (Int128(spent), Int128(budget)) }
        else if let rate { share = (Int128(rate.scaled), Int128(ExactDecimal.unit)) }
        guard let (num, den) = share else {
            return (nil, nil, budget == nil ? "no 预算数 to measure execution against" : "no 执行数: neither the table nor a payments ledger gives one")
        }
        let rateValue = ExactDecimal(scaled: Int64(clamping: roundedDivision(num * Int128(ExactDecimal.unit), den, step: 1)))
        if num >= den { return (weight, rateValue, "") }
        let score = ExactDecimal(scaled: Int64(clamping: roundedDivision(Int128(weight.scaled) * num, den, step: 100)))
        return (score, rateValue, "执行率 \(percent(rateValue)): \(weight) × \(percent(rateValue)) = \(score)")
    }

    // MARK: the rules' parts

    static func qualitative(_ actual: String, targetText: String, rule: ScoreRule, weight: ExactDecimal, settings: ScoringSettings) -> IndicatorScore {
        let squash: (String) -> String = { $0.filter { !$0.isWhitespace } }
        var grade = settings.qualitativeGrade(of: actual)
        // `长期 | 长期`, `有效保障 | 有效保障`: the actual restates the target.
        if grade == nil, squash(actual) == squash(targetText) || (!targetText.isEmpty && squash(actual).contains(squash(targetText))) {
            grade = settings.qualitative.max { $0.high < $1.high }
        }
        guard let grade else {
            let names = settings.qualitative.map(\.name).joined(separator: " / ")
            return IndicatorScore(rule: .qualitative, score: nil, reason: "完成值 `\(actual)` records no grade (\(names)) to score `\(targetText)` by")
        }
        let high = percentOf(weight, grade.high), low = percentOf(weight, grade.low)
        let score = settings.qualitativeTakesHigh ? high : low
        let full = score == weight
        let range = "\(plain(grade.low))–\(plain(grade.high))%"
        let how = rule == .qualitative ? "" : " (the 完成值 is a word, not a number)"
        return IndicatorScore(rule: .qualitative, score: score, allowed: low...high,
                              reason: full ? "" : "完成值 `\(actual)` is graded \(grade.name)\(how): \(range) of \(weight), at most \(high)")
    }

    static func deadline(target: TargetReading, targetText: String, actual: TargetReading, actualText: String, weight: ExactDecimal) -> IndicatorScore {
        guard let due = target.deadline else {
            return IndicatorScore(rule: .deadline, score: nil, reason: "the target `\(targetText)` names no date")
        }
        guard let done = actual.deadline else {
            return IndicatorScore(rule: .deadline, score: nil, reason: "完成值 `\(actualText)` names no date to compare with \(due)")
        }
        if done <= due { return full(.deadline, weight) }
        return IndicatorScore(rule: .deadline, score: ExactDecimal(scaled: 0), reason: "done \(done), after the deadline \(due) (`\(targetText)`)")
    }

    static func full(_ rule: ScoreRule, _ weight: ExactDecimal) -> IndicatorScore {
        IndicatorScore(rule: rule, score: weight, reason: "")
    }

    /// weight × num / den, rounded half-up to 0.01.
    static func ratio(_ weight: ExactDecimal, _ num: Int128, _ den: Int128) -> ExactDecimal {
        guard den > 0 else { return weight }
        return ExactDecimal(scaled: Int64(clamping: roundedDivision(Int128(weight.scaled) * num, den, step: 100)))
    }

    static func percentOf(_ weight: ExactDecimal, _ percent: ExactDecimal) -> ExactDecimal {
        ExactDecimal(scaled: Int64(clamping: roundedDivision(Int128(weight.scaled) * Int128(percent.scaled), Int128(100 * ExactDecimal.unit), step: 100)))
    }

    /// `num / den` in scaled units, rounded half-up to a multiple of `step` (100 = 0.01 at scale 4).
    static func roundedDivision(_ num: Int128, _ den: Int128, step: Int128) -> Int128 {
        let unit = den * step
        let q = (num * 2 + unit) / (unit * 2)
        return q * step
    }

    /// Target and actual on one scale: equal units, or 元/万元/亿元 (and 万/亿 prefixes) converted.
    static func comparable(_ target: ExactDecimal, _ targetUnit: String?, _ actual: ExactDecimal, _ actualUnit: String?) -> (Int128, Int128)? {
        let (tu, tm) = magnitude(targetUnit ?? ""), (au, am) = magnitude(actualUnit ?? "")
        // A bare number beside `1268人`: the unit was left off one of them.
        guard tu == au || tu.isEmpty || au.isEmpty else { return nil }
        return (Int128(target.scaled) * tm, Int128(actual.scaled) * am)
    }

    static func magnitude(_ unit: String) -> (String, Int128) {
        if unit.hasPrefix("亿") { return (String(unit.dropFirst()), 100_000_000) }
        if unit.hasPrefix("万") && unit.count > 1 { return (String(unit.dropFirst()), 10_000) }
        if unit == "万" { return ("", 10_000) }
        return (unit, 1)
    }

    static func plain(_ value: Int128) -> String {
        formatScaled(Int64(clamping: value), scale: ExactDecimal.scale, minimumFractionDigits: 0)
    }

    static func plain(_ value: ExactDecimal) -> String { value.description }

    static func percent(_ rate: ExactDecimal) -> String {
        formatScaled(rate.scaled * 100, scale: ExactDecimal.scale, minimumFractionDigits: 2) + "%"
    }
}
