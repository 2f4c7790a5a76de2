import BudgetDocuments

/// How far a project's money has gone out by the end of a month, against its targets.
public enum ExecutionStatus: String, Sendable, CaseIterable {
    case onTrack = "on_track", behind, overdue, done
}

/// The rules behind `execution.status` (documented in docs/execution.md).
///
/// - `target` is the project's 预算执行率 target (≥90% → 0.9); without one, the whole budget (1.0).
/// - `deadline` is its 时效 deadline (the earliest deadline among its deadline indicators, 时效指标
///   first); without one, 31 December of the budget year.
/// - done: paid_to_date / budget ≥ target.
/// - overdue: not done, and the month ends on or after the deadline.
/// - behind: not done, not overdue, and the rate trails the straight-line schedule (target spread
///   evenly over the months up to the deadline's month) by more than 10 percentage points.
/// - on_track: otherwise.
public enum ExecutionRules {
    /// Percentage points of slack before a project counts as behind.
    public static let tolerance = 0.10

    public static func status(rate: Double, target: Double, deadline: CalendarDate, monthEnd: CalendarDate) -> ExecutionStatus {
        if rate >= target - 1e-12 { return .done }
        if monthEnd >= deadline { return .overdue }
        let monthsToDeadline = Double(max(1, (deadline.year - monthEnd.year) * 12 + deadline.month))
        let elapsed = Double(monthEnd.month)
        let expected = target * min(1, elapsed / monthsToDeadline)
        return rate + tolerance < expected ? .behind : .onTrack
    }

    /// The 预算执行率 target of a project as a fraction, if it states one.
    public static func target(of project: ProjectRecord) -> Double? {
        let stated = project.indicators.first { $0.name.contains("执行率") && $0.reading.kind == .percent }
        guard let value = stated?.reading.value else { return nil }
        return Double(value.scaled) / Double(ExactDecimal.unit) / 100
    }

    /// The project's 时效 deadline: 时效指标 deadlines first, then any deadline indicator.
    public static func deadline(of project: ProjectRecord) -> CalendarDate? {
        let deadlines = project.indicators.filter { $0.reading.deadline != nil }
        let timely = deadlines.filter { $0.level2.contains("时效") }.compactMap(\.reading.deadline)
        if let earliest = timely.min() { return earliest }
        return deadlines.compactMap(\.reading.deadline).min()
    }
}

extension StoreBuilder {
    static func paymentsTable(_ payments: [PaymentRecord]) -> Table {
        var department = StringColumnBuilder(), project = StringColumnBuilder(), source = StringColumnBuilder()
        var dates: [Int64] = [], years: [Int64] = [], months: [Int64] = [], ids: [Int64] = [], amounts: [Int64] = [], lines: [Int64] = []
        var notes: [String?] = []
        for p in payments {
            dates.append(p.date.packed)
            years.append(Int64(p.date.year))
            months.append(Int64(p.date.year * 100 + p.date.month))
            department.append(p.department)
            project.append(p.project)
            ids.append(Int64(p.projectIndex + 1))
            amounts.append(p.amountFen)
            notes.append(p.note.isEmpty ? nil : p.note)
            source.append(p.source)
            lines.append(Int64(p.line))
        }
        return Table(name: "payments", aliases: ["支付", "支付台账"], columns: [
            Column(name: "date", aliases: ["日期", "支付日期"], type: .date, data: .integers(dates)),
            Column(name: "year", aliases: ["年度"], type: .int, data: .integers(years)),
            Column(name: "month", aliases: ["月份"], type: .month, data: .integers(months)),
            Column(name: "department", aliases: ["部门", "主管部门"], type: .string, data: department.finish()),
            Column(name: "project", aliases: ["项目名称", "项目"], type: .string, data: project.finish()),
            Column(name: "project_id", aliases: ["项目编号"], type: .int, data: .integers(ids)),
            Column(name: "amount", aliases: ["金额", "支付金额"], type: .money, data: .integers(amounts)),
            Column(name: "note", aliases: ["备注"], type: .text, data: .texts(notes)),
            Column(name: "source", aliases: ["来源文件"], type: .string, data: source.finish()),
            Column(name: "line", aliases: ["行号"], type: .int, data: .integers(lines)),
        ])
    }

    /// One row per project per month of its budget year.
    static func executionTable(_ projects: [ProjectRecord], _ payments: [PaymentRecord]) -> Table {
        var paidByMonth = [Int64](repeating: 0, count: projects.count * 12)
        for p in payments where p.date.year == projects[p.projectIndex].year {
            paidByMonth[p.projectIndex * 12 + p.date.month - 1] += p.amountFen
        }
        var project = StringColumnBuilder(), department = StringColumnBuilder(), type = StringColumnBuilder(), status = StringColumnBuilder()
        var ids: [Int64] = [], years: [Int64] = [], months: [Int64] = [], budgets: [Int64] = [], paid: [Int64] = [], toDate: [Int64] = []
        var rates: [Double] = [], targets: [Double] = [], deadlines: [Int64] = []
        let capacity = projects.count * 12
        ids.reserveCapacity(capacity)
        for (index, p) in projects.enumerated() {
            let target = ExecutionRules.target(of: p)
            let deadline = ExecutionRules.deadline(of: p)
            let effectiveDeadline = deadline ?? CalendarDate(year: p.year, month: 12, day: 31)
            var cumulative: Int64 = 0
            for month in 1...12 {
                let inMonth = paidByMonth[index * 12 + month - 1]
                cumulative += inMonth
                let rate = p.budgetFen > 0 ? Double(cumulative) / Double(p.budgetFen) : (cumulative > 0 ? Double.infinity : 0)
                ids.append(Int64(index + 1))
                years.append(Int64(p.year))
                months.append(Int64(p.year * 100 + month))
                project.append(p.name)
                department.append(p.department)
                type.append(p.type)
                budgets.append(p.budgetFen)
                paid.append(inMonth)
                toDate.append(cumulative)
                rates.append(rate)
                targets.append(target ?? .nan)
                deadlines.append(deadline?.packed ?? nullInteger)
                if let monthEnd = CalendarDate.endOfMonth(year: p.year, month: month), let deadline = effectiveDeadline {
                    status.append(ExecutionRules.status(rate: rate, target: target ?? 1, deadline: deadline, monthEnd: monthEnd).rawValue)
                } else {
                    status.append(nil)
                }
            }
        }
        return Table(name: "execution", aliases: ["执行", "预算执行"], columns: [
            Column(name: "project_id", aliases: ["项目编号"], type: .int, data: .integers(ids)),
            Column(name: "year", aliases: ["年度"], type: .int, data: .integers(years)),
            Column(name: "month", aliases: ["月份"], type: .month, data: .integers(months)),
            Column(name: "project", aliases: ["项目名称", "项目"], type: .string, data: project.finish()),
            Column(name: "department", aliases: ["主管部门"], type: .string, data: department.finish()),
            Column(name: "type", aliases: ["项目类型"], type: .string, data: type.finish()),
            Column(name: "budget", aliases: ["预算金额"], type: .money, data: .integers(budgets)),
            Column(name: "paid", aliases: ["本月支付"], type: .money, data: .integers(paid)),
            Column(name: "paid_to_date", aliases: ["累计支付"], type: .money, data: .integers(toDate)),
            Column(name: "rate", aliases: ["执行率"], type: .real, data: .reals(rates)),
            Column(name: "target", aliases: ["目标执行率"], type: .real, data: .reals(targets)),
            Column(name: "deadline", aliases: ["期限"], type: .date, data: .integers(deadlines)),
            Column(name: "status", aliases: ["状态"], type: .string, data: status.finish()),
        ])
    }
}
