/// Renders a number as an Excel number format shows it (`#,##0.00` → `3,309,840.00`, `0%`, `yyyy-mm-dd`),
/// from the decimal text the sheet stores, so that money keeps every digit the sheet shows.
///
/// Covers sections (positive;negative;zero), conditions, literals, `0 # ?` placeholders, thousands
/// separators and scaling commas, percent, scientific, `General` inside a format, and dates and times
/// (y m d h s, AM/PM and 上午/下午, elapsed [h], Chinese weekdays aaa/aaaa). Fractions (`# ?/?`) and
/// locale digit sets (`[DBNum1]`) are shown as General.
struct ExcelNumberFormat {
    enum Token: Equatable {
        case literal(String)
        case digit(Character)  // 0 # ?
        case point
        case comma
        case percent
        case exponent(showPlus: Bool)
        case general
        case slash
        case date(String)  // y…, m…, d…, h…, s…, e, aaa, aaaa, AM/PM, A/P, 上午/下午
        case elapsed(Character, Int)  // [h] [mm] [ss]
        case subsecond(Int)  // .0, .00 after seconds
    }

    struct Section {
        var tokens: [Token] = []
        var condition: (String, Double)?
        var isDate: Bool { tokens.contains { if case .date = $0 { return true }; if case .elapsed = $0 { return true }; return false } }
        var unsupported = false
    }

    let sections: [Section]
    let isGeneral: Bool

    /// Built-in formats 0–58 (ECMA-376 §18.8.30; 27–36 and 50–58 as in zh-CN Excel). 14 and 22 are the
    /// locale's short date: shown as ISO dates.
    static let builtIn: [Int: String] = [
        0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
        5: "\"¥\"#,##0;\"¥\"-#,##0", 6: "\"¥\"#,##0;[Red]\"¥\"-#,##0", 7: "\"¥\"#,##0.00;\"¥\"-#,##0.00", 8: "\"¥\"#,##0.00;[Red]\"¥\"-#,##0.00",
        9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
        14: "yyyy-mm-dd", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
        20: "h:mm", 21: "h:mm:ss", 22: "yyyy-mm-dd h:mm",
        27: "yyyy\"年\"m\"月\"", 28: "m\"月\"d\"日\"", 29: "m\"月\"d\"日\"", 30: "m-d-yy", 31: "yyyy\"年\"m\"月\"d\"日\"",
        32: "h\"时\"mm\"分\"", 33: "h\"时\"mm\"分\"ss\"秒\"", 34: "上午/下午h\"时\"mm\"分\"", 35: "上午/下午h\"时\"mm\"分\"ss\"秒\"", 36: "yyyy\"年\"m\"月\"",
        37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)",
        41: "_(* #,##0_);_(* \\(#,##0\\);_(* \"-\"_);_(@_)", 42: "_(\"¥\"* #,##0_);_(\"¥\"* \\(#,##0\\);_(\"¥\"* \"-\"_);_(@_)",
        43: "_(* #,##0.00_);_(* \\(#,##0.00\\);_(* \"-\"??_);_(@_)", 44: "_(\"¥\"* #,##0.00_);_(\"¥\"* \\(#,##0.00\\);_(\"¥\"* \"-\"??_);_(@_)",
        45: "mm:ss", 46: "[h]:mm:ss", 47: "mm:ss.0", 48: "##0.0E+0", 49: "@",
        50: "yyyy\"年\"m\"月\"", 51: "m\"月\"d\"日\"", 52: "yyyy\"年\"m\"月\"", 53: "m\"月\"d\"日\"", 54: "m\"月\"d\"日\"",
        55: "上午/下午h\"时\"mm\"分\"", 56: "上午/下午h\"时\"mm\"分\"ss\"秒\"", 57: "yyyy\"年\"m\"月\"", 58: "m\"月\"d\"日\"",
    ]

    static let general = ExcelNumberFormat(code: "General")

    init(code: String) {
        let trimmed = code.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed.lowercased() == "general" || trimmed == "@" {
            sections = []
            isGeneral = true
            return
        }
        sections = Self.splitSections(code).prefix(4).map(Self.parseSection)
        isGeneral = false
    }

    /// The text a cell with this format shows for `value`; `date1904` for workbooks on the 1904 date system.
    func format(_ value: DecimalDigits, date1904: Bool = false) -> String {
        if isGeneral || sections.isEmpty { return value.generalText }
        let value = value.roundedSignificant(15)
        let (section, showSign) = choose(value)
        if section.unsupported { return value.generalText }
        if section.isDate {
            return formatDate(value, section, date1904: date1904) ?? value.generalText
        }
        return formatNumber(showSign ? value : value.magnitude, section)
    }

    /// The section for `value`, and whether a minus sign is added (not for the negative section, which
    /// shows its own signs or parentheses).
    private func choose(_ value: DecimalDigits) -> (Section, Bool) {
        let numberSections = sections.count > 3 ? Array(sections.prefix(3)) : sections
        if numberSections.contains(where: { $0.condition != nil }) {
            let x = value.approximateDouble
            for (i, section) in numberSections.enumerated() {
                guard let (op, bound) = section.condition else { return (section, i == 0 || !value.negative) }
                let matches: Bool
                switch op {
                case "<": matches = x < bound
                case "<=": matches = x <= bound
                case ">": matches = x > bound
                case ">=": matches = x >= bound
                case "<>": matches = x != bound
                default: matches = x == bound
                }
                if matches { return (section, true) }
            }
            return (numberSections[numberSections.count - 1], true)
        }
        switch numberSections.count {
        case 1: return (numberSections[0], true)
        case 2: return value.negative ? (numberSections[1], false) : (numberSections[0], true)
        default:
            if value.isZero { return (numberSections[2], true) }
            return value.negative ? (numberSections[1], false) : (numberSections[0], true)
        }
    }

    private static func splitSections(_ code: String) -> [String] {
        var sections: [String] = []
        var current = ""
        var inQuote = false
        var escape = false
        for ch in code {
            if escape { current.append(ch); escape = false; continue }
            if ch == "\\" && !inQuote { current.append(ch); escape = true; continue }
            if ch == "\"" { inQuote.toggle() }
            if ch == ";" && !inQuote { sections.append(current); current = ""; continue }
            current.append(ch)
        }
        sections.append(current)
        return sections
    }

    private static func parseSection(_ code: String) -> Section {
        var section = Section()
        let chars = Array(code)
        var i = 0
        var sawSeconds = false
        func literal(_ text: String) {
            if case .literal(let previous)? = section.tokens.last {
                section.tokens[section.tokens.count - 1] = .literal(previous + text)
            } else {
                section.tokens.append(.literal(text))
            }
        }
        while i < chars.count {
            let ch = chars[i]
            let lower = Character(ch.lowercased())
            switch ch {
            case "\"":
                var j = i + 1
                var text = ""
                while j < chars.count && chars[j] != "\"" { text.append(chars[j]); j += 1 }
                literal(text)
                i = j + 1
                continue
            case "\\":
                if i + 1 < chars.count { literal(String(chars[i + 1])) }
                i += 2
                continue
            case "_":
                // Padding as wide as the next character: layout, not text (a leading space would read
                // as indentation, which some templates use for their indicator tree).
                i += 2
                continue
            case "*":
                i += 2  // fill to the column's width: nothing in text
                continue
            case "[":
                var j = i + 1
                var inside = ""
                while j < chars.count && chars[j] != "]" { inside.append(chars[j]); j += 1 }
                i = j + 1
                let low = inside.lowercased()
                if inside.hasPrefix("$") {
                    let currency = inside.dropFirst().split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                    literal(String(currency))
                } else if let first = low.first, "hms".contains(first), low.allSatisfy({ $0 == first }) {
                    section.tokens.append(.elapsed(first, low.count))
                } else if let op = ["<=", ">=", "<>", "<", ">", "="].first(where: { inside.hasPrefix($0) }) {
                    section.condition = (op, Double(inside.dropFirst(op.count).trimmingCharacters(in: .whitespaces)) ?? 0)
                } else if low.hasPrefix("dbnum") || low.hasPrefix("natnum") {
                    section.unsupported = true
                }
                continue  // colors and locales show nothing
            case "0", "#", "?":
                if ch == "0" && sawSeconds, case .point? = section.tokens.last {
                    section.tokens.removeLast()
                    var n = 0
                    while i < chars.count && chars[i] == "0" { n += 1; i += 1 }
                    section.tokens.append(.subsecond(n))
                    continue
                }
                section.tokens.append(.digit(ch))
            case ".": section.tokens.append(.point)
            case ",": section.tokens.append(.comma)
            case "%": section.tokens.append(.percent)
            case "/": section.tokens.append(.slash)
            case "@": break
            default:
                if (ch == "E" || ch == "e") && i + 1 < chars.count && (chars[i + 1] == "+" || chars[i + 1] == "-") {
                    section.tokens.append(.exponent(showPlus: chars[i + 1] == "+"))
                    i += 2
                    continue
                }
                if code.count - i >= 7 && String(chars[i..<i + 7]).lowercased() == "general" {
                    section.tokens.append(.general)
                    i += 7
                    continue
                }
                if lower == "a" {
                    let rest = String(chars[i...]).lowercased()
                    if rest.hasPrefix("am/pm") { section.tokens.append(.date("AM/PM")); i += 5; continue }
                    if rest.hasPrefix("a/p") { section.tokens.append(.date("A/P")); i += 3; continue }
                    if rest.hasPrefix("aaaa") { section.tokens.append(.date("aaaa")); i += 4; continue }
                    if rest.hasPrefix("aaa") { section.tokens.append(.date("aaa")); i += 3; continue }
                }
                if ch == "上" && String(chars[i...]).hasPrefix("上午/下午") {
                    section.tokens.append(.date("上午/下午"))
                    i += 5
                    continue
                }
                if "ymdhse".contains(lower) {
                    var j = i
                    while j < chars.count && Character(chars[j].lowercased()) == lower { j += 1 }
                    section.tokens.append(.date(String(repeating: lower, count: j - i)))
                    if lower == "s" { sawSeconds = true }
                    i = j
                    continue
                }
                if lower == "b" || lower == "g" { i += 1; continue }  // Buddhist/era years: not used in budget files
                literal(String(ch))
            }
            i += 1
        }
        let hasDate = section.tokens.contains { if case .date = $0 { return true }; if case .elapsed = $0 { return true }; return false }
        if !hasDate {
            // A slash between placeholders is a fraction (# ?/?): shown as General.
            if section.tokens.contains(.slash) { section.unsupported = true }
        } else {
            section.tokens = section.tokens.map { token in
                switch token {
                case .slash: return .literal("/")
                case .point: return .literal(".")
                case .comma: return .literal(",")
                case .percent: return .literal("%")
                case .digit(let d): return .literal(String(d))
                default: return token
                }
            }
        }
        return section
    }

    // MARK: Numbers

    private func formatNumber(_ input: DecimalDigits, _ section: Section) -> String {
        let tokens = section.tokens
        let exponentIndex = tokens.firstIndex { if case .exponent = $0 { return true }; return false }
        let mantissaEnd = exponentIndex ?? tokens.count
        let pointIndex = tokens[..<mantissaEnd].firstIndex(of: .point)
        let integerEnd = pointIndex ?? mantissaEnd
        var integerPlaceholders: [Int] = []
        var fractionPlaceholders: [Int] = []
        var exponentPlaceholders: [Int] = []
        for (i, token) in tokens.enumerated() {
            guard case .digit = token else { continue }
            if i < integerEnd { integerPlaceholders.append(i) } else if i < mantissaEnd { fractionPlaceholders.append(i) } else { exponentPlaceholders.append(i) }
        }
        if integerPlaceholders.isEmpty && fractionPlaceholders.isEmpty && !tokens.contains(.general) {
            // Only literals (e.g. the zero section "-"): the literals are the text.
            let text = tokens.compactMap { if case .literal(let l) = $0 { return l }; return nil }.joined()
            return (input.negative ? "-" : "") + text
        }
        var value = input
        var grouping = false
        var scaleCommas = 0
        for (i, token) in tokens[..<mantissaEnd].enumerated() where token == .comma {
            if i < integerEnd && integerPlaceholders.contains(where: { $0 < i }) && integerPlaceholders.contains(where: { $0 > i }) {
                grouping = true
                continue
            }
            // A comma after the last placeholder ("#,##0," or "0.0,,") scales by 1000.
            var j = i - 1
            while j >= 0 && tokens[j] == .comma { j -= 1 }
            if j >= 0, case .digit = tokens[j] { scaleCommas += 1 }
        }
        value = value.shifted(-3 * scaleCommas)
        let percents = tokens.filter { $0 == .percent }.count
        value = value.shifted(2 * percents)

        var exponentValue = 0
        if exponentIndex != nil && !value.isZero {
            let n = max(1, integerPlaceholders.count)
            let firstIsHash = integerPlaceholders.first.map { tokens[$0] == .digit("#") } ?? false
            func scientificExponent(_ v: DecimalDigits) -> Int {
                let e = v.exponent - 1
                if n > 1 && firstIsHash {
                    return Int((Double(e) / Double(n)).rounded(.down)) * n
                }
                return e - (n - 1)
            }
            exponentValue = scientificExponent(value)
            var mantissa = value.shifted(-exponentValue).rounded(places: fractionPlaceholders.count)
            if mantissa.exponent > n {
                // 9.99 rounded to 10.0: one more power (or one more group of n for engineering formats).
                exponentValue += n > 1 && firstIsHash ? n : 1
                mantissa = value.shifted(-exponentValue).rounded(places: fractionPlaceholders.count)
            }
            value = mantissa
        } else {
            value = value.rounded(places: fractionPlaceholders.count)
        }

        // Integer placeholders, filled from the right; extra digits go in front of the first one.
        var digits = Array(value.integerDigits)
        var integerText: [Int: String] = [:]
        if grouping {
            let minimum = integerPlaceholders.reversed().prefix { tokens[$0] != .digit("#") }.count
            let zeros = integerPlaceholders.filter { tokens[$0] == .digit("0") }.count
            while digits.count < max(minimum, zeros) { digits.insert("0", at: 0) }
            var grouped = ""
            for (k, d) in digits.enumerated() {
                if k > 0 && (digits.count - k) % 3 == 0 { grouped.append(",") }
                grouped.append(d)
            }
            if let first = integerPlaceholders.first { integerText[first] = grouped }
            for p in integerPlaceholders.dropFirst() { integerText[p] = "" }
        } else {
            var remaining = digits
            for (k, p) in integerPlaceholders.enumerated().reversed() {
                if k == 0 {
                    let head = String(remaining)
                    integerText[p] = head.isEmpty ? (tokens[p] == .digit("0") ? "0" : tokens[p] == .digit("?") ? " " : "") : head
                } else if let d = remaining.popLast() {
                    integerText[p] = String(d)
                } else {
                    integerText[p] = tokens[p] == .digit("0") ? "0" : tokens[p] == .digit("?") ? " " : ""
                }
            }
        }

        var fractionText: [Int: String] = [:]
        let fraction = value.fractionDigits(fractionPlaceholders.count)
        var trimming = true
        for (k, p) in fractionPlaceholders.enumerated().reversed() {
            let d = fraction[k]
            if trimming && d == 0 && tokens[p] != .digit("0") {
                fractionText[p] = tokens[p] == .digit("?") ? " " : ""
            } else {
                trimming = false
                fractionText[p] = String(d)
            }
        }

        var exponentText: [Int: String] = [:]
        if !exponentPlaceholders.isEmpty {
            var digitsOfExponent = Array(String(abs(exponentValue)))
            let minimum = exponentPlaceholders.filter { tokens[$0] == .digit("0") }.count
            while digitsOfExponent.count < minimum { digitsOfExponent.insert("0", at: 0) }
            exponentText[exponentPlaceholders[0]] = String(digitsOfExponent)
            for p in exponentPlaceholders.dropFirst() { exponentText[p] = "" }
        }

        var out = ""
        for (i, token) in tokens.enumerated() {
            switch token {
            case .literal(let text): out += text
            case .digit:
                out += integerText[i] ?? fractionText[i] ?? exponentText[i] ?? ""
            case .point: out += "."
            case .comma: break
            case .percent: out += "%"
            case .exponent(let showPlus): out += "E" + (exponentValue < 0 ? "-" : showPlus ? "+" : "")
            case .general: out += value.magnitude.generalText
            case .slash: out += "/"
            case .date, .elapsed, .subsecond: break
            }
        }
        let shownZero = value.isZero
        return (input.negative && !shownZero ? "-" : "") + out
    }

    // MARK: Dates

    private func formatDate(_ value: DecimalDigits, _ section: Section, date1904: Bool) -> String? {
        guard !value.negative, let wholeDays = value.integerValue, wholeDays < 2_958_466 else { return nil }
        let subsecondPlaces = section.tokens.compactMap { if case .subsecond(let n) = $0 { return n }; return nil }.max() ?? 0
        let scale = pow10(subsecondPlaces)
        var ticks = (value.fractionValue * 86_400 * Double(scale)).rounded()  // units of 10^-places seconds
        var days = wholeDays
        if ticks >= 86_400 * Double(scale) { ticks -= 86_400 * Double(scale); days += 1 }
        let totalTicks = Int(ticks)
        let secondsOfDay = totalTicks / scale
        let subsecond = totalTicks % scale
        let (year, month, day) = Self.civilDate(serial: days, date1904: date1904)
        let hour = secondsOfDay / 3600, minute = secondsOfDay / 60 % 60, second = secondsOfDay % 60
        let twelveHour = section.tokens.contains { if case .date(let d) = $0 { return d == "AM/PM" || d == "A/P" || d == "上午/下午" }; return false }
        let weekday = Self.weekday(serial: days, date1904: date1904)

        var out = ""
        let tokens = section.tokens
        for (i, token) in tokens.enumerated() {
            switch token {
            case .literal(let text): out += text
            case .date(let d):
                switch d {
                case "AM/PM": out += hour < 12 ? "AM" : "PM"
                case "A/P": out += hour < 12 ? "A" : "P"
                case "上午/下午": out += hour < 12 ? "上午" : "下午"
                case "aaa": out += ["日", "一", "二", "三", "四", "五", "六"][weekday]
                case "aaaa": out += "星期" + ["日", "一", "二", "三", "四", "五", "六"][weekday]
                default:
                    let n = d.count
                    switch d.first {
                    case "y", "e": out += n <= 2 && d.first == "y" ? pad(year % 100, 2) : String(year)
                    case "d":
                        if n == 1 { out += String(day) } else if n == 2 { out += pad(day, 2) } else {
                            let names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
                            out += n == 3 ? String(names[weekday].prefix(3)) : names[weekday]
                        }
                    case "h":
                        let h = twelveHour ? (hour % 12 == 0 ? 12 : hour % 12) : hour
                        out += n >= 2 ? pad(h, 2) : String(h)
                    case "s": out += n >= 2 ? pad(second, 2) : String(second)
                    case "m":
                        if isMinute(at: i, tokens) {
                            out += n >= 2 ? pad(minute, 2) : String(minute)
                        } else {
                            let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
                            let name = names[max(0, min(11, month - 1))]
                            switch n {
                            case 1: out += String(month)
                            case 2: out += pad(month, 2)
                            case 3: out += String(name.prefix(3))
                            case 4: out += name
                            default: out += String(name.prefix(1))
                            }
                        }
                    default: break
                    }
                }
            case .elapsed(let unit, let n):
                let totalSeconds = days * 86_400 + secondsOfDay
                let amount = unit == "h" ? totalSeconds / 3600 : unit == "m" ? totalSeconds / 60 : totalSeconds
                out += pad(amount, n)
            case .subsecond(let n):
                out += "." + pad(subsecond / pow10(subsecondPlaces - n), n)
            default: break
            }
        }
        return out
    }

    /// An `m` is minutes after an hour or before a second (literals between them skipped).
    private func isMinute(at index: Int, _ tokens: [Token]) -> Bool {
        var i = index - 1
        while i >= 0 {
            if case .date(let d) = tokens[i] { if d.hasPrefix("h") { return true }; if !d.hasPrefix("A") && d != "上午/下午" { break } }
            if case .elapsed(let unit, _) = tokens[i], unit == "h" { return true }
            i -= 1
        }
        i = index + 1
        while i < tokens.count {
            if case .date(let d) = tokens[i] { return d.hasPrefix("s") }
            if case .elapsed(let unit, _) = tokens[i] { return unit == "s" }
            i += 1
        }
        return false
    }

    private func pad(_ n: Int, _ width: Int) -> String {
        let text = String(n)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private func pow10(_ n: Int) -> Int {
        var result = 1
        for _ in 0..<max(0, min(n, 9)) { result *= 10 }
        return result
    }

    /// The calendar date of a serial day number; the 1900 system keeps Lotus's 1900-02-29 (serial 60) and
    /// shows serial 0 as 1900-01-00, as Excel does.
    static func civilDate(serial: Int, date1904: Bool) -> (Int, Int, Int) {
        if !date1904 {
            if serial == 0 { return (1900, 1, 0) }
            if serial == 60 { return (1900, 2, 29) }
        }
        // Days since 1970-01-01 of the serial, then the proleptic Gregorian date (Hinnant's algorithm).
        let epochOffset = date1904 ? 24_107 : (serial < 60 ? 25_568 : 25_569)
        let z = serial - epochOffset + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d)
    }

    /// 0 = Sunday. Excel counts serial 1 (1900-01-01) as a Sunday; from 1900-03-01 on it agrees with the calendar.
    static func weekday(serial: Int, date1904: Bool) -> Int {
        let days = date1904 ? serial + 1462 : serial
        return ((days - 1) % 7 + 7) % 7
    }
}
