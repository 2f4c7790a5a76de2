import BudgetCore
import Foundation

/// The one home of value-to-text rules: exact text by column type (what files, exports and pivot
/// column names show); display layers such as `CellFormatter` ask it for grouped or shortened forms.
public enum ValueText {
    /// Text of a non-null integer-backed value: money as yuan with two decimals, decimals to their
    /// 4 places with trailing zeros dropped, dates, months as yyyy-mm, true/false, plain integers.
    /// `groupThousands` adds separators to money, decimals and integers; callers decide when it helps.
    public static func integer(_ v: Int64, type: ColumnType, groupThousands: Bool = false) -> String {
        switch type {
        case .money: return Money.yuanText(fen: v, groupThousands: groupThousands)
        case .decimal: return formatScaled(v, scale: ExactDecimal.scale, minimumFractionDigits: 0, groupThousands: groupThousands)
        case .date: return CalendarDate(packed: v)?.description ?? String(v)
        case .month:
            let month = v % 100
            return "\(v / 100)-\(month < 10 ? "0" : "")\(month)"
        case .bool: return v != 0 ? "true" : "false"
        default:
            return groupThousands ? formatScaled(v, scale: 0, minimumFractionDigits: 0, groupThousands: true) : String(v)
        }
    }

    /// Text of a non-NaN real, never in exponent form, trailing zeros dropped. Exact text
    /// (`maximumFractionDigits` nil) keeps 15 significant digits, as SQLite prints reals.
    public static func real(_ v: Double, maximumFractionDigits: Int? = nil, groupThousands: Bool = false) -> String {
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        if v == 0 { return "0" }
        let magnitude = Int(Foundation.log10(Swift.abs(v)).rounded(.down)) + 1
        let decimals = maximumFractionDigits ?? Swift.max(0, Swift.min(20, 15 - magnitude))
        var text = String(format: "%.\(decimals)f", v)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        if text == "-0" { text = "0" }
        guard groupThousands else { return text }
        let parts = text.split(separator: ".", maxSplits: 1)
        let negative = text.hasPrefix("-")
        let digits = String(parts[0].drop { $0 == "-" })
        var grouped = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { grouped.append(",") }
            grouped.append(c)
        }
        return (negative ? "-" : "") + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// A list's items as one text, separated by `;` (the separator the documents use).
    public static func list<Items: Sequence<String>>(_ items: Items) -> String { items.joined(separator: ";") }

    /// Exact text of a boxed value of a column of `type`; nil for null.
    public static func exact(_ value: Value, type: ColumnType) -> String? {
        switch value {
        case .null: return nil
        case .integer(let v): return integer(v, type: type)
        case .real(let r): return real(r)
        case .string(let s): return s
        case .list(let items): return list(items)
        }
    }
}
