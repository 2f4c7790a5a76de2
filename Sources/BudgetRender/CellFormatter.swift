import BudgetCore
import Foundation
import BudgetStore

/// The unit money is shown in.
public enum MoneyUnit: String, Sendable, CaseIterable {
    case yuan = "元", tenThousand = "万元", hundredMillion = "亿元"

    /// Fen per display unit.
    var fen: Int64 {
        switch self {
        case .yuan: return 100
        case .tenThousand: return 1_000_000
        case .hundredMillion: return 10_000_000_000
        }
    }
}

/// Turns column values into text, exactly (for files) or for people (for the terminal).
public struct CellFormatter: Sendable {
    /// Group thousands and shorten reals: for table and markdown output.
    public var forPeople: Bool
    public var moneyUnit: MoneyUnit

    public init(forPeople: Bool, moneyUnit: MoneyUnit = .yuan) {
        self.forPeople = forPeople
        self.moneyUnit = moneyUnit
    }

    /// The text of row `row` of `column`; nil for null.
    public func text(_ column: Column, _ row: Int) -> String? {
        switch column.data {
        case .integers(let values):
            let v = values[row]
            if v == nullInteger { return nil }
            return integerText(v, type: column.type)
        case .reals(let values):
            let v = values[row]
            if v.isNaN { return nil }
            return realText(v)
        case .strings(let codes, let dictionary):
            return codes[row] == nullCode ? nil : dictionary[Int(codes[row])]
        case .texts(let values):
            return values[row]
        case .lists(let offsets, let codes, let dictionary):
            return codes[Int(offsets[row])..<Int(offsets[row + 1])].map { dictionary[Int($0)] }.joined(separator: ";")
        }
    }

    func integerText(_ v: Int64, type: ColumnType) -> String {
        switch type {
        case .money:
            if moneyUnit == .yuan || !forPeople { return Money.yuanText(fen: v, groupThousands: forPeople) }
            return unitMoneyText(v)
        case .decimal: return formatScaled(v, scale: 4, minimumFractionDigits: 0, groupThousands: forPeople)
        case .date: return CalendarDate(packed: v)?.description ?? String(v)
        case .month:
            let month = v % 100
            return "\(v / 100)-\(month < 10 ? "0" : "")\(month)"
        case .bool: return v != 0 ? "true" : "false"
        default:
            // Years, ids and line numbers read better ungrouped; counts of 10,000 and more are grouped.
            return forPeople && Swift.abs(v) >= 10_000 ? formatScaled(v, scale: 0, minimumFractionDigits: 0, groupThousands: true) : String(v)
        }
    }

    /// Money in 万元 or 亿元, rounded half away from zero to the unit's display precision.
    private func unitMoneyText(_ fen: Int64) -> String {
        // Keep 2 decimals of the unit (0.01 万元 = 100 元): round fen to that step.
        let step = moneyUnit.fen / 100
        let rounded = (fen >= 0 ? fen + step / 2 : fen - step / 2) / step
        return formatScaled(rounded, scale: 2, minimumFractionDigits: 2, groupThousands: true)
    }

    /// Reals: 4 decimals for people; 15 significant digits (as SQLite prints them) for files, never in exponent form.
    func realText(_ v: Double) -> String {
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        if v == 0 { return "0" }
        let magnitude = Int((Swift.abs(v)).log10Floor) + 1
        let decimals = forPeople ? 4 : Swift.max(0, Swift.min(20, 15 - magnitude))
        var text = String(format: "%.\(decimals)f", v)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        if text == "-0" { text = "0" }
        guard forPeople, Swift.abs(v) >= 10_000 else { return text }
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
}

extension Double {
    /// floor(log10(self)) for positive finite values.
    var log10Floor: Double { Foundation.log10(self).rounded(.down) }
}
