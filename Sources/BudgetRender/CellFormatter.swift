import BudgetCore
import Foundation
import BudgetStore

/// The unit money is shown in.
public enum MoneyUnit: String, Sendable, CaseIterable {
    case fen = "分", yuan = "元", tenThousand = "万元", hundredMillion = "亿元"

    /// Fen per display unit.
    var fen: Int64 {
        switch self {
        case .fen: return 1
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
    /// Statuses as a Chinese report words them (正常, 滞后, 逾期, 已完成).
    public var chineseStatus: Bool

    public init(forPeople: Bool, moneyUnit: MoneyUnit = .yuan, chineseStatus: Bool = false) {
        self.forPeople = forPeople
        self.moneyUnit = moneyUnit
        self.chineseStatus = chineseStatus
    }

    /// The text of row `row` of `column`; nil for null. Exact text comes from `ValueText`; this
    /// adds what people read better: thousands separators, 万元/亿元, reals cut to 4 decimals,
    /// ratios as percentages with two decimals (`Presentation.role`).
    public func text(_ column: Column, _ row: Int) -> String? {
        text(column, row, role: forPeople ? Presentation.role(of: column) : .plain, isStatus: chineseStatus && Presentation.isStatus(column))
    }

    /// `text(_:_:)` with the column's role worked out once by the caller.
    func text(_ column: Column, _ row: Int, role: ValueRole, isStatus: Bool = false) -> String? {
        switch column.data {
        case .integers(let values, let nulls):
            if nulls.isNull(row) { return nil }
            let v = values[row]
            if role != .plain, column.type == .decimal { return percentText(Double(v) / Double(ExactDecimal.unit), role) }
            return integerText(v, type: column.type)
        case .reals(let values):
            let v = values[row]
            if v.isNaN { return nil }
            return role == .plain ? realText(v) : percentText(v, role)
        case .strings(let codes, let dictionary):
            guard codes[row] != nullCode else { return nil }
            let value = dictionary[Int(codes[row])]
            return isStatus ? Presentation.statusLabel(value) : value
        case .texts(let values):
            return values[row]
        case .lists(let offsets, let codes, let dictionary):
            return ValueText.list(codes[Int(offsets[row])..<Int(offsets[row + 1])].lazy.map { dictionary[Int($0)] })
        }
    }

    func integerText(_ v: Int64, type: ColumnType) -> String {
        switch type {
        case .money where forPeople && moneyUnit == .fen: return ValueText.integer(v, type: .int, groupThousands: true)
        case .money where forPeople && moneyUnit != .yuan: return unitMoneyText(v)
        case .money, .decimal, .date, .month, .bool: return ValueText.integer(v, type: type, groupThousands: forPeople)
        default:
            // Years, ids and line numbers read better ungrouped; counts of 10,000 and more are grouped.
            return ValueText.integer(v, type: type, groupThousands: forPeople && Swift.abs(v) >= 10_000)
        }
    }

    /// Money in 万元 or 亿元, rounded half away from zero to 100 元 in either unit: two decimals
    /// of 万元, six of 亿元 (so 105,000 元 reads 0.001050 亿元, not 0.00).
    private func unitMoneyText(_ fen: Int64) -> String {
        let decimals = moneyUnit == .hundredMillion ? 6 : 2
        let step: Int64 = 10_000  // 100 元 in fen
        let rounded = (fen >= 0 ? fen + step / 2 : fen - step / 2) / step
        return formatScaled(rounded, scale: decimals, minimumFractionDigits: decimals, groupThousands: true)
    }

    /// A ratio (0.3561) or percentage points (35.61) as `35.61%`: two decimals, half away from zero.
    func percentText(_ v: Double, _ role: ValueRole) -> String {
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        let points = role == .ratio ? v * 100 : v
        let hundredths = (points * 100).rounded(.toNearestOrAwayFromZero)
        let text = ValueText.real(hundredths / 100, maximumFractionDigits: 2, groupThousands: Swift.abs(points) >= 10_000)
        // Fixed decimals: 90% reads 90.00%, so a column lines up.
        let fraction = text.split(separator: ".", maxSplits: 1).dropFirst().first?.count ?? 0
        let padded = fraction == 0 ? text + ".00" : text + String(repeating: "0", count: 2 - fraction)
        return (padded == "-0.00" ? "0.00" : padded) + "%"
    }

    /// Reals: 4 decimals for people (grouped from 10,000); exact text for files.
    func realText(_ v: Double) -> String {
        forPeople ? ValueText.real(v, maximumFractionDigits: 4, groupThousands: Swift.abs(v) >= 10_000) : ValueText.real(v)
    }
}
