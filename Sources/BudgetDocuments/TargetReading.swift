import BudgetCore
/// How an indicator's target text was read. The raw text always travels next to it.
public struct TargetReading: Sendable, Equatable, CustomStringConvertible {
    /// What sort of target the text states.
    public enum Kind: String, Sendable { case numeric, percent, deadline, qualitative }
    /// The comparison a numeric target asks for.
    public enum Comparison: String, Sendable { case equal = "=", atLeast = "≥", greater = ">", atMost = "≤", less = "<", within = "±" }

    public var kind: Kind
    public var comparison: Comparison?
    public var value: ExactDecimal?
    public var unit: String?
    public var deadline: CalendarDate?

    public init(kind: Kind, comparison: Comparison? = nil, value: ExactDecimal? = nil, unit: String? = nil, deadline: CalendarDate? = nil) {
        self.kind = kind
        self.comparison = comparison
        self.value = value
        self.unit = unit
        self.deadline = deadline
    }

    public static let qualitative = TargetReading(kind: .qualitative)

    public var description: String {
        switch kind {
        case .qualitative: return "qualitative"
        case .deadline: return "deadline \(deadline.map { $0.description } ?? "recurring")"
        case .numeric, .percent:
            return "\(comparison?.rawValue ?? "") \(value?.description ?? "") \(unit ?? "")".trimmingSpaces()
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s).replacingDoubleSpaces()
    }
    private func replacingDoubleSpaces() -> String {
        var out = ""
        var lastSpace = false
        for c in self {
            if c == " " { if !lastSpace { out.append(c) }; lastSpace = true } else { out.append(c); lastSpace = false }
        }
        return out
    }
}

/// Reads 当年度指标值 texts (`≥90%`, `100人或以上`, `4.2亿元`, `第二季度前`, `有提高`) into a `TargetReading`.
///
/// The grammar follows the design: 以上/以下 include the number itself (民法典 art. 1259); a bare 前 means
/// before the named period starts (a setting, `BareBefore`; a period that starts the budget year is
/// read by its end, so no deadline precedes the year), while 底前, 末前 and 内 mean by its end. Anything else is qualitative:
/// targets are read, never guessed.
public enum TargetReader {
    /// How a bare 前 after a period (`第二季度前`, `6月前`) is read: a setting of the data folder's
    /// `labels.tsv` (`reading.bare_before	period_start|period_end`).
    public enum BareBefore: String, Sendable, CaseIterable {
        /// Before the named period starts: `第二季度前` → 03-31 (the default, the literal reading).
        case periodStart = "period_start"
        /// By the named period's end, as 底前 says: `第二季度前` → 06-30.
        case periodEnd = "period_end"
    }

    /// Reads `text` for a project whose budget year is `year`. `indicatorName` may carry a unit hint
    /// such as `受益群众满意度(%)`, applied to bare numbers only.
    /// `level2` (the 二级 category) tells a 时效指标, where a bare five-digit number is an Excel date serial.
    public static func read(_ text: String, year: Int, indicatorName: String = "", level2: String = "", bareBefore: BareBefore = .periodStart) -> TargetReading {
        var scalars = normalize(text)
        stripTrailingNote(&scalars)
        if scalars.isEmpty { return .qualitative }
        if let deadline = readDeadline(scalars, year: year, bareBefore: bareBefore) { return deadline }
        if let range = readDateRange(scalars) { return range }
        if level2.contains("时效") || level2.contains("进度"), let serial = readExcelSerial(scalars) { return serial }
        if let number = readNumber(scalars, unitHint: unitHint(in: indicatorName)) { return number }
        return .qualitative
    }

    /// `44561` or `=44,561` in a 时效 row: a spreadsheet date serial (days since 1899-12-30), 2000–2099 only.
    static func readExcelSerial(_ s: [Character]) -> TargetReading? {
        var chars = s
        if chars.first == "=" { chars.removeFirst() }
        let digits = chars.filter { $0 != "," }
        guard digits.count == 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let serial = Int(String(digits)),
              (36526...73050).contains(serial), let date = CalendarDate(serial: serial) else { return nil }
        return .init(kind: .deadline, deadline: date)
    }

    /// `2023.07-2024.01`, `2023年4月-2024年2月`, `2021.1.1至2021.12.31`: due at the range's end.
    static func readDateRange(_ s: [Character]) -> TargetReading? {
        guard s.contains(where: { "-至~—–".contains($0) }), s.first?.isNumber == true else { return nil }
        let text = String(s)
        var parts: [Substring] = []
        for separator in ["--", "-", "至", "~", "—", "–"] where text.contains(separator) {
            parts = text.components(separatedBy: separator).map { Substring($0) }.filter { !$0.isEmpty }
            break
        }
        guard parts.count == 2, let start = readDate(parts[0], end: false), let end = readDate(parts[1], end: true), start <= end else { return nil }
        return .init(kind: .deadline, deadline: end)
    }

    /// `2024.01`, `2024.1.31`, `2024年2月`, `2024年2月28日`, `2024-06-30`; a month means its last day when `end`.
    static func readDate(_ text: Substring, end: Bool) -> CalendarDate? {
        var numbers: [Int] = []
        var current = ""
        for c in text {
            if c.isASCII && c.isNumber { current.append(c); continue }
            guard ".年月日/".contains(c) else { return nil }
            if let n = Int(current) { numbers.append(n) }
            current = ""
        }
        if let n = Int(current) { numbers.append(n) }
        guard numbers.count >= 2, numbers.count <= 3, (1990...2100).contains(numbers[0]), (1...12).contains(numbers[1]) else { return nil }
        if numbers.count == 3 { return CalendarDate(year: numbers[0], month: numbers[1], day: numbers[2]) }
        return end ? CalendarDate.endOfMonth(year: numbers[0], month: numbers[1]) : CalendarDate(year: numbers[0], month: numbers[1], day: 1)
    }

    // MARK: normalization

    /// Full-width forms to ASCII, spaces dropped, two-character comparisons to their symbols.
    static func normalize(_ text: String) -> [Character] {
        var out: [Character] = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: out.append(Character(Unicode.Scalar(UInt8(scalar.value - 0xFEE0))))
            case 0x3000, 0x20, 0x09, 0xA0: continue
            case 0x2267: out.append("≥")  // ≧
            case 0x2266: out.append("≤")  // ≦
            default: out.append(Character(scalar))
            }
        }
        var merged: [Character] = []
        var i = 0
        while i < out.count {
            if i + 1 < out.count, out[i + 1] == "=", out[i] == ">" || out[i] == "<" {
                merged.append(out[i] == ">" ? "≥" : "≤")
                i += 2
            } else {
                merged.append(out[i])
                i += 1
            }
        }
        return merged
    }

    /// `≥3期（篇、条、专辑等）` → `≥3期`: a trailing parenthetical is a note, kept only in the raw text.
    static func stripTrailingNote(_ s: inout [Character]) {
        guard s.last == ")", let open = s.lastIndex(of: "("), open > 0 else { return }
        s.removeSubrange(open...)
    }

    /// `受益群众满意度(%)` → `%`.
    static func unitHint(in name: String) -> String? {
        var s = normalize(name)
        guard s.last == ")", let open = s.lastIndex(of: "(") else { return nil }
        let inner = String(s[(open + 1)..<(s.count - 1)])
        s.removeAll()
        return isPlausibleUnit(inner) ? inner : nil
    }

    // MARK: deadlines

    private static let wholeYearPhrases: Set<String> = [
        "当年内", "年内", "当年", "本年内", "本年度内", "年度内", "当年度内", "本年度", "当年度",
        "年底前", "年底", "年末前", "年末", "当年底前", "本年底前", "年底之前", "当年年底前", "全年", "本年", "当年全年",
    ]
    private static let recurringPhrases: Set<String> = ["季度末前", "季度内", "每季度末前", "每季度内", "季度末", "每季度"]

    private enum PeriodEdge { case before, byEnd, exact }

    static func readDeadline(_ s: [Character], year: Int, bareBefore: BareBefore = .periodStart) -> TargetReading? {
        let text = String(s)
        if wholeYearPhrases.contains(text) {
            return .init(kind: .deadline, deadline: CalendarDate(year: year, month: 12, day: 31))
        }
        if recurringPhrases.contains(text) { return .init(kind: .deadline) }

        var cursor = Scanner(s)
        var targetYear = year
        var namesYear = false
        if let y = cursor.integer(maxDigits: 4, minDigits: 4) {
            guard cursor.consume("年") else { return nil }
            targetYear = y
            namesYear = true
        }
        // What period is named, as (first month, last month) or an exact day.
        var firstDay: CalendarDate?
        var lastDay: CalendarDate?
        if cursor.consume("第"), let q = cursor.quarterNumber(), cursor.consume("季度") {
            firstDay = CalendarDate(year: targetYear, month: (q - 1) * 3 + 1, day: 1)
            lastDay = CalendarDate.endOfMonth(year: targetYear, month: q * 3)
        } else if cursor.consume("上半年") {
            firstDay = CalendarDate(year: targetYear, month: 1, day: 1)
            lastDay = CalendarDate(year: targetYear, month: 6, day: 30)
        } else if cursor.consume("下半年") {
            firstDay = CalendarDate(year: targetYear, month: 7, day: 1)
            lastDay = CalendarDate(year: targetYear, month: 12, day: 31)
        } else if let m = cursor.integer(maxDigits: 2, minDigits: 1), cursor.consume("月") {
            if let d = cursor.integer(maxDigits: 2, minDigits: 1) {
                guard cursor.consume("日") || cursor.consume("号") else { return nil }
                firstDay = CalendarDate(year: targetYear, month: m, day: d)
                lastDay = firstDay
            } else {
                firstDay = CalendarDate(year: targetYear, month: m, day: 1)
                lastDay = CalendarDate.endOfMonth(year: targetYear, month: m)
            }
        } else if namesYear {
            // `2024年底前`, `2024年内`: the named year itself.
            firstDay = CalendarDate(year: targetYear, month: 1, day: 1)
            lastDay = CalendarDate(year: targetYear, month: 12, day: 31)
        }
        guard let start = firstDay, let end = lastDay else { return nil }
        let rest = String(cursor.rest)
        var edge: PeriodEdge
        switch rest {
        case "前", "之前", "以前", "前完成": edge = .before
        case "底前", "末前", "内", "底", "末", "底之前", "末之前", "结束前", "以内", "底前完成", "内完成", "全年": edge = .byEnd
        case "", "完成": edge = .exact
        default:
            // `12月底前100%到位`: a deadline word, then what is due by then.
            let byEnd = ["底之前", "末之前", "底前", "末前", "结束前"], before = ["之前", "以前", "前"]
            if let word = byEnd.first(where: { rest.hasPrefix($0) }), rest.count > word.count {
                edge = .byEnd
            } else if let word = before.first(where: { rest.hasPrefix($0) }), rest.count > word.count {
                edge = .before
            } else {
                return nil
            }
        }
        let deadline: CalendarDate?
        switch edge {
        case .before:
            // No deadline falls before its budget year begins: `第一季度前` in a 2024 table is not
            // 2023-12-31 (which would make the project overdue from January) but the end of Q1.
            let yearStart = CalendarDate(year: year, month: 1, day: 1)
            if bareBefore == .periodEnd || (yearStart.map { start <= $0 } ?? false) { deadline = end } else { deadline = start.previousDay }
        case .byEnd: deadline = end
        case .exact: deadline = start == end ? start : end
        }
        guard let date = deadline else { return nil }
        return .init(kind: .deadline, deadline: date)
    }

    // MARK: numbers

    private static let prefixWords: [(String, TargetReading.Comparison)] = [
        ("不少于", .atLeast), ("不低于", .atLeast), ("不小于", .atLeast), ("至少", .atLeast), ("达到", .atLeast),
        ("大于等于", .atLeast), ("不超过", .atMost), ("不高于", .atMost), ("不大于", .atMost), ("最多", .atMost),
        ("至多", .atMost), ("小于等于", .atMost), ("超过", .greater), ("高于", .greater), ("大于", .greater),
        ("多于", .greater), ("低于", .less), ("少于", .less), ("小于", .less),
        ("≥", .atLeast), ("≤", .atMost), (">", .greater), ("<", .less), ("=", .equal),
    ]
    private static let suffixWords: [(String, TargetReading.Comparison)] = [
        ("或以上", .atLeast), ("及以上", .atLeast), ("以上", .atLeast),
        ("或以下", .atMost), ("及以下", .atMost), ("以下", .atMost), ("以内", .atMost),
    ]
    private static let multipliers: [(String, Int64)] = [
        ("万亿", 1_000_000_000_000), ("千万", 10_000_000), ("百万", 1_000_000), ("亿", 100_000_000), ("万", 10_000), ("千", 1_000),
    ]

    static func readNumber(_ s: [Character], unitHint: String?) -> TargetReading? {
        var cursor = Scanner(s)
        var comparison: TargetReading.Comparison?
        if cursor.consume("±") || cursor.consume("+-") || cursor.consume("+/-") {
            // `±3%以内`: a tolerance either side.
            guard let numberText = cursor.decimalText(), let value = ExactDecimal(parsing: Substring(numberText)) else { return nil }
            var rest = String(cursor.rest)
            for word in ["以内", "之内", "内"] where rest.hasSuffix(word) { rest.removeLast(word.count); break }
            guard rest.isEmpty || isPlausibleUnit(rest) else { return nil }
            let unit = rest.isEmpty ? unitHint : rest
            return .init(kind: unit == "%" ? .percent : .numeric, comparison: .within, value: value, unit: unit)
        }
        for (word, cmp) in prefixWords where cursor.consume(word) {
            comparison = cmp
            break
        }
        guard let numberText = cursor.decimalText(), var value = ExactDecimal(parsing: Substring(numberText)) else { return nil }
        for (word, factor) in multipliers where cursor.consume(word) {
            guard let scaled = value.multiplied(by: factor) else { return nil }
            value = scaled
            break
        }
        var rest = String(cursor.rest)
        for (word, cmp) in suffixWords where rest.hasSuffix(word) {
            if let existing = comparison, existing != cmp { return nil }
            comparison = cmp
            rest.removeLast(word.count)
            break
        }
        if rest.hasPrefix("万元"), let scaled = value.multiplied(by: 10_000) {
            value = scaled
            rest = "元" + rest.dropFirst(2)
        } else if rest.hasPrefix("亿元"), let scaled = value.multiplied(by: 100_000_000) {
            value = scaled
            rest = "元" + rest.dropFirst(2)
        }
        if rest == "百分比" || rest == "百分点以上" { rest = "%" }
        guard rest.isEmpty || isPlausibleUnit(rest) else { return nil }
        let unit = rest.isEmpty ? unitHint : rest
        return .init(kind: unit == "%" ? .percent : .numeric, comparison: comparison ?? .equal, value: value, unit: unit)
    }

    /// A unit is a short word with no digits or punctuation: `%`, `人`, `家`, `人次`, `个百分点`.
    static func isPlausibleUnit(_ text: String) -> Bool {
        if text == "%" || text == "‰" { return true }
        guard (1...8).contains(text.count), text.first?.isLetter == true else { return false }
        // `人/年`, `元/人*月`, `元/人·月`, `m²`.
        return text.allSatisfy { $0.isLetter || "/·*²³".contains($0) }
    }
}

/// A tiny forward scanner over characters.
struct Scanner {
    private let chars: [Character]
    private var index = 0

    init(_ chars: [Character]) { self.chars = chars }

    var rest: ArraySlice<Character> { chars[index...] }

    mutating func consume(_ word: String) -> Bool {
        let w = Array(word)
        guard chars.count - index >= w.count, Array(chars[index..<(index + w.count)]) == w else { return false }
        index += w.count
        return true
    }

    mutating func integer(maxDigits: Int, minDigits: Int) -> Int? {
        var end = index
        while end < chars.count, end - index < maxDigits, let d = chars[end].wholeNumberValue, chars[end].isASCII, d >= 0 { end += 1 }
        guard end - index >= minDigits, let value = Int(String(chars[index..<end])) else { return nil }
        if end < chars.count, chars[end].isASCII, chars[end].isNumber { return nil }
        index = end
        return value
    }

    mutating func quarterNumber() -> Int? {
        guard index < chars.count else { return nil }
        let map: [Character: Int] = ["一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4]
        guard let q = map[chars[index]] else { return nil }
        index += 1
        return q
    }

    /// `1,234.5`-style text at the cursor, or nil.
    mutating func decimalText() -> String? {
        var end = index
        while end < chars.count, chars[end].isASCII, chars[end].isNumber || chars[end] == "." || chars[end] == "," { end += 1 }
        guard end > index, chars[index].isNumber else { return nil }
        let text = String(chars[index..<end])
        index = end
        return text
    }
}
