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

    public init(forPeople: Bool, moneyUnit: MoneyUnit = .yuan) {
        self.forPeople = forPeople
        self.moneyUnit = moneyUnit
    }

    /// The text of row `row` of `column`; nil for null. Exact text comes from `ValueText`; this
    /// adds what people read better: thousands separators, 万元/亿元 and reals cut to 4 decimals.
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

    /// Money in 万元 or 亿元, rounded half away from zero to the unit's display precision.
    private func unitMoneyText(_ fen: Int64) -> String {
        // Keep 2 decimals of the unit (0.01 万元 = 100 元): round fen to that step.
        let step = moneyUnit.fen / 100
        let rounded = (fen >= 0 ? fen + step / 2 : fen - step / 2) / step
        return formatScaled(rounded, scale: 2, minimumFractionDigits: 2, groupThousands: true)
    }

    /// Reals: 4 decimals for people (grouped from 10,000); exact text for files.
    func realText(_ v: Double) -> String {
        forPeople ? ValueText.real(v, maximumFractionDigits: 4, groupThousands: Swift.abs(v) >= 10_000) : ValueText.real(v)
    }
}
