import Foundation
import BudgetCore

/// Readers for the values in label cells: amounts with their units, periods, codes, percentages.
enum CellValues {
    /// An amount cell: `500,000.00`, `250万`, `10000万元`, `¥3,309,840.00`, `65`.
    struct Amount: Equatable {
        /// The digits with grouping removed (`3309840.00`).
        var digits: Substring
        /// The unit written in the cell itself (`万` → 10000), if any.
        var cellMultiplier: Int64?
    }

    /// Reads the number and any unit suffix; nil when the cell is not an amount.
    static func amount(_ raw: String) -> Amount? {
        // Most cells asked are names and labels: squashed, an amount starts with a digit, `.`, `-`,
        // `¥` or `￥`, and a cell whose first kept scalar is none of those is none (issue 13).
        mayStartAmount(raw) ? readAmount(raw) : nil
    }

    /// `amount` without its first-scalar filter (for the test that it changes nothing).
    static func readAmount(_ raw: String) -> Amount? {
        // Most amount cells are plain ASCII (`15,000.00`): squashing and the unit suffixes change
        // nothing there but spaces, so they are read over the bytes (issue 13). Anything with a
        // parenthesis, a currency sign or non-ASCII text goes the general way below.
        if let plain = plainAmount(raw) { return plain }
        var text = LabelText.squash(raw).replacingFullWidthDigits()
        // `5万元(其中财政拨款5万元)`: the note after the amount is kept by the caller, not read here.
        if let open = text.firstIndex(of: "("), open > text.startIndex, text.hasSuffix(")") { text = String(text[..<open]) }
        if text.hasPrefix("¥") || text.hasPrefix("￥") { text.removeFirst() }
        var multiplier: Int64?
        for (suffix, factor) in [("万元", Int64(10_000)), ("亿元", 100_000_000), ("千元", 1_000), ("元", 1), ("万", 10_000), ("亿", 100_000_000)]
        where text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
            multiplier = factor
            break
        }
        guard !text.isEmpty else { return nil }
        var sawDigit = false, sawPoint = false
        for (i, c) in text.enumerated() {
            if c.isASCII && c.isNumber { sawDigit = true; continue }
            if c == "." && !sawPoint { sawPoint = true; continue }
            if c == "," && sawDigit && !sawPoint { continue }
            if c == "-" && i == 0 { continue }
            return nil
        }
        guard sawDigit else { return nil }
        return Amount(digits: Substring(text.filter { $0 != "," }), cellMultiplier: multiplier)
    }

    /// False when `amount` cannot read `raw`: its first scalar that squashing keeps (or makes ASCII)
    /// is not a digit, `.`, `-`, `¥` or `￥`; an empty cell is none either. No other first scalar
    /// starts a `Character` that `amount` accepts first (or strips before the digits).
    static func mayStartAmount(_ raw: String) -> Bool {
        for scalar in raw.unicodeScalars {
            switch scalar.value {
            case 0x3000, 0x20, 0x09, 0xA0, 0x0A, 0x0D, 0x2002, 0x2003, 0x2009, 0x200B: continue  // squashed away
            case 0x30...0x39, 0x2E, 0x2D, 0xA5, 0xFFE5: return true
            case 0xFF10...0xFF19, 0xFF0E, 0xFF0D: return true  // full-width forms of those
            default: return false
            }
        }
        return false
    }

    /// `amount` for a cell of ASCII digits, `,`, `.`, a leading `-` and spaces (which squashing
    /// removes); nil when the cell is anything else, for `amount` to read.
    private static func plainAmount(_ raw: String) -> Amount?? {
        raw.withUTF8Bytes { bytes -> Amount?? in
            var kept: [UInt8] = []
            kept.reserveCapacity(bytes.count)
            var sawDigit = false, sawPoint = false, index = 0
            for byte in bytes {
                switch byte {
                case 0x20, 0x09, 0x0A, 0x0D: continue
                case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true; kept.append(byte)
                case UInt8(ascii: ".") where !sawPoint: sawPoint = true; kept.append(byte)
                case UInt8(ascii: ","): if !(sawDigit && !sawPoint) { return .some(nil) }
                case UInt8(ascii: "-") where index == 0: kept.append(byte)
                default:
                    // A second point, a `-` later on, a letter or a space taken as a digit: not an amount.
                    if byte < 0x80 && byte != UInt8(ascii: "(") { return .some(nil) }
                    return nil
                }
                index += 1
            }
            guard index > 0 else { return nil }
            guard sawDigit else { return .some(nil) }
            return .some(Amount(digits: Substring(String(decoding: kept, as: UTF8.self)), cellMultiplier: nil))
        }
    }

    /// A percentage or ratio cell (`100.00%`, `95%`, `0.95`) as a ratio (1 = 100%).
    static func ratio(_ raw: String) -> ExactDecimal? {
        var text = LabelText.squash(raw).replacingFullWidthDigits()
        var percent = false
        if text.hasSuffix("%") { text.removeLast(); percent = true }
        guard let value = ExactDecimal(parsing: Substring(text)) else { return nil }
        if !percent { return value }
        // value / 100, exact at the decimal's scale when the percent has at most two decimals.
        guard value.scaled % 100 == 0 else { return nil }
        return ExactDecimal(scaled: value.scaled / 100)
    }

    /// A score or weight: `10`, `10分`, `5.5`.
    static func points(_ raw: String) -> ExactDecimal? {
        var text = LabelText.squash(raw).replacingFullWidthDigits()
        if text.hasSuffix("分") { text.removeLast() }
        return ExactDecimal(parsing: Substring(text))
    }

    /// The first and last year a period names: `2023.07-2024.01`, `202001-202012`, `2023年4月-2024年2月`,
    /// `(2019年--2021年)`, `2021年至2025年`, `2024`.
    static func years(in raw: String) -> (Int, Int)? {
        let text = Array(LabelText.squash(raw).replacingFullWidthDigits())
        var found: [Int] = []
        var i = 0
        while i < text.count {
            guard text[i].isASCII, text[i].isNumber else { i += 1; continue }
            var j = i
            while j < text.count, text[j].isASCII, text[j].isNumber { j += 1 }
            let run = String(text[i..<j])
            // yyyy, yyyymm, yyyymmdd.
            if [4, 6, 8].contains(run.count), let y = Int(run.prefix(4)), (1990...2100).contains(y) { found.append(y) }
            i = j
        }
        guard let first = found.first, let last = found.last else { return nil }
        return (first, last)
    }

    /// `2024`, `2024年`, `2024年度` → 2024.
    static func year(_ raw: String) -> Int? {
        var text = LabelText.squash(raw).replacingFullWidthDigits()
        for suffix in ["年度", "年"] where text.hasSuffix(suffix) { text.removeLast(suffix.count); break }
        guard text.count == 4, let y = Int(text), (1990...2100).contains(y) else { return nil }
        return y
    }

    /// A line that only names the year of the table: `(2021年度)`, `2020年度)`, `(   2023年度)`, `(2021年)`.
    static func yearLine(_ raw: String) -> Int? {
        guard raw.utf8.count <= 40 else { return nil }
        var text = LabelText.squash(raw)
        if text.hasPrefix("(") { text.removeFirst() }
        if text.hasSuffix(")") { text.removeLast() }
        guard text.hasSuffix("年") || text.hasSuffix("年度") else { return nil }
        return year(text)
    }

    /// `[015001]武汉市青山区教育局`, `(433)乌海市供销合作社联合社(部门)`, `820001-井研县马踏镇人民政府`
    /// → (code, name). Names without a code come back unchanged.
    static func splitCode(_ raw: String) -> (code: String?, name: String) {
        let text = raw.trimmed
        // A code starts with a bracket or an ASCII digit; no other first scalar starts a
        // `Character` the rules below take for one (most names: no `Character` array to build).
        switch text.unicodeScalars.first?.value ?? 0 {
        case 0x5B, 0x28, 0xFF08, 0x3010, 0x3014, 0x30...0x39: break  // [ ( （ 【 〔 0-9
        default: return (nil, text)
        }
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

    /// The amount unit a caption names: `单位:万元`, `金额单位:元`, `填报单位:(盖章) 单位:万元`.
    static func captionUnit(_ raw: String) -> (multiplier: Int64, name: String)? {
        guard raw.hasBytes("单位") else { return nil }
        // Searched in the squashed text's bytes (Foundation's `range(of:)` compared character
        // clusters, ~1.5 % of loading for the 用款单位/实施单位 labels every table has; issue 13).
        // A text of plain scalars only (`isPlainScalar`) reads the same by bytes.
        let text = LabelText.squash(raw)
        let units: [(word: String, factor: Int64)] = [("万元", 10_000), ("亿元", 100_000_000), ("千元", 1_000), ("元", 1)]
        guard text.isPlainText else {
            // A scalar a byte search could read otherwise: by `Character`s, as before.
            var search = text[...]
            while let range = search.range(of: "单位:") {
                let after = search[range.upperBound...]
                for unit in units where after.hasPrefix(unit.word) { return (unit.factor, unit.word) }
                search = after
            }
            return nil
        }
        return text.withUTF8Bytes { bytes -> (multiplier: Int64, name: String)? in
            "单位:".withUTF8Bytes { needle -> (multiplier: Int64, name: String)? in
                var offset = 0
                while offset + needle.count <= bytes.count {
                    let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
                    guard let at = firstOffset(of: needle, in: rest) else { return nil }
                    let after = UnsafeRawBufferPointer(rebasing: rest[(at + needle.count)...])
                    for unit in units where unit.word.withUTF8Bytes({ word in after.starts(with: word) }) {
                        return (unit.factor, unit.word)
                    }
                    offset += at + needle.count
                }
                return nil
            }
        }
    }

    /// Where `needle`'s bytes first occur in `haystack`.
    private static func firstOffset(of needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Int? {
        guard needle.count > 0, haystack.count >= needle.count else { return needle.count == 0 ? 0 : nil }
        let first = needle[0]
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == first, haystack[(i + 1)..<(i + needle.count)].elementsEqual(needle[1...]) { return i }
            i += 1
        }
        return nil
    }

    /// Text a unit left from the template instead of filling it in (`…(100字以内)`).
    static func isTemplateHint(_ raw: String) -> Bool {
        let text = LabelText.squash(raw)
        return text.hasBytes("字以内)") || text.hasPrefix("对照年度目标,说明") || text.hasPrefix("结合自评情况")
    }

    static func unitName(_ multiplier: Int64) -> String {
        switch multiplier {
        case 1: return "元"
        case 1_000: return "千元"
        case 10_000: return "万元"
        case 100_000_000: return "亿元"
        default: return "×\(multiplier)元"
        }
    }
}

extension CalendarDate {
    /// A spreadsheet date serial in the 1900 date system (days since 1899-12-30; serials after the
    /// fictitious 1900-02-29 only, which is all a budget year needs).
    init?(serial: Int) {
        guard serial > 60 else { return nil }
        // Days from 1970-01-01, then the civil date (Howard Hinnant's days_from_civil, inverted).
        let days = serial - 25569
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: m <= 2 ? y + 1 : y, month: m, day: d)
    }
}
