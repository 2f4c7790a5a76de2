import BudgetCore
import BudgetDocuments

/// Synthetic disbursements for one project-year, with realistic monthly patterns.
public enum PaymentPlan {
    /// How a project's money goes out over its year.
    public enum Behaviour: CaseIterable, Sendable {
        /// Paid in full, in installments before its deadline.
        case onTime
        /// Mostly before the deadline, the rest one to three months late.
        case late
        /// Only 40–85% of the budget paid by year end.
        case underExecuted
        /// Nothing paid.
        case idle
    }

    /// Picks a behaviour: most projects on time, some late, some under-executed, a few idle.
    public static func behaviour(_ rng: inout SeededRandom) -> Behaviour {
        let roll = rng.unit()
        if roll < 0.68 { return .onTime }
        if roll < 0.84 { return .late }
        if roll < 0.97 { return .underExecuted }
        return .idle
    }

    /// Dated amounts (fen) summing to the planned total, within the budget year.
    public static func payments(budgetFen: Int64, year: Int, deadline: CalendarDate?, behaviour: Behaviour,
                                rng: inout SeededRandom) -> [(date: CalendarDate, fen: Int64, note: String)] {
        guard budgetFen > 0, behaviour != .idle else { return [] }
        let lastMonth = deadline.map { $0.year == year ? max(1, min(12, $0.month)) : 12 } ?? 12
        let share: Double
        switch behaviour {
        case .onTime: share = 1
        case .late: share = 1
        case .underExecuted: share = 0.40 + 0.45 * rng.unit()
        case .idle: share = 0
        }
        let total = Int64((Double(budgetFen) * share / 100).rounded()) * 100
        let installments = min(8, max(1, Int(total / 1_000_000) + rng.int(1...3)))
        var weights = (0..<installments).map { _ in 0.5 + rng.unit() }
        let sum = weights.reduce(0, +)
        weights = weights.map { $0 / sum }
        var amounts = weights.map { Int64((Double(total) * $0 / 100).rounded(.down)) * 100 }
        amounts[amounts.count - 1] += total - amounts.reduce(0, +)
        var result: [(CalendarDate, Int64, String)] = []
        for (i, amount) in amounts.enumerated() where amount > 0 {
            let month: Int
            switch behaviour {
            case .late where i >= installments - max(1, installments / 3):
                month = min(12, lastMonth + rng.int(1...3))
            default:
                let first = max(1, min(lastMonth, 1 + (lastMonth - 1) * i / installments))
                month = rng.int(first...max(first, min(lastMonth, first + 2)))
            }
            let day = rng.int(1...CalendarDate.daysIn(month: month, year: year))
            guard let date = CalendarDate(year: year, month: month, day: day) else { continue }
            let note = i == amounts.count - 1 && amounts.count > 1 ? "尾款" : (i == 0 ? "首笔拨付" : "第\(i + 1)笔拨付")
            result.append((date, amount, note))
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// One CSV line of a ledger.
    public static func csvLine(date: CalendarDate, department: String, project: String, fen: Int64, note: String) -> String {
        func quote(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
        return "\(date),\(quote(department)),\(quote(project)),\(Money.yuanText(fen: fen)),\(quote(note))\n"
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Substring(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
