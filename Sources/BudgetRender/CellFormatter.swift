import BudgetDocuments
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

    /// Reals: at most 4 significant decimals for people; 10 for files.
    func realText(_ v: Double) -> String {
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        let digits = forPeople ? 4 : 10
        var scale: Double = 1
        for _ in 0..<digits { scale *= 10 }
        let rounded = (v * scale).rounded() / scale
        if abs(rounded) >= 1e15 { return String(rounded) }
        let scaled = Int64((rounded * scale).rounded())
        return formatScaled(scaled, scale: digits, minimumFractionDigits: 0, groupThousands: forPeople)
    }
}
