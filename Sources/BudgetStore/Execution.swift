import BudgetCore
import BudgetDocuments

/// How far a project's money has gone out by the end of a month, against its targets.
public enum ExecutionStatus: String, Sendable, CaseIterable {
    case onTrack = "on_track", behind, overdue, done

    /// The word a Chinese budget office uses in reports: 正常, 滞后, 逾期, 已完成.
    public var chineseLabel: String {
        switch self {
        case .onTrack: return "正常"
        case .behind: return "滞后"
        case .overdue: return "逾期"
        case .done: return "已完成"
        }
    }
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
        let stated = project.indicators.first { $0.reading.kind == .percent && $0.name.containsText("执行率") }
        guard let value = stated?.reading.value else { return nil }
        return Double(value.scaled) / Double(ExactDecimal.unit) / 100
    }

    /// The project's 时效 deadline: 时效指标 deadlines first, then any deadline indicator.
    public static func deadline(of project: ProjectRecord) -> CalendarDate? { deadlineIndicator(of: project)?.reading.deadline }

    /// The indicator the deadline comes from (its 指标值 wording is `deadline_text`): the earliest
    /// 时效指标 deadline, else the earliest of any deadline indicator; the first such in the table on a tie.
    public static func deadlineIndicator(of project: ProjectRecord) -> IndicatorRecord? {
        // By index, no filtered copies of the records: the first earliest of each kind.
        var earliestTimely: (index: Int, deadline: CalendarDate)?, earliestAny: (index: Int, deadline: CalendarDate)?
        for i in project.indicators.indices {
            guard let deadline = project.indicators[i].reading.deadline else { continue }
            if earliestAny.map({ deadline < $0.deadline }) ?? true { earliestAny = (i, deadline) }
            if earliestTimely.map({ deadline < $0.deadline }) ?? true, project.indicators[i].level2.containsText("时效") { earliestTimely = (i, deadline) }
        }
        return (earliestTimely ?? earliestAny).map { project.indicators[$0.index] }
    }
}

extension StoreBuilder {
    static func paymentsTable(_ payments: [PaymentRecord]) -> Table {
        var department = StringColumnBuilder(), project = StringColumnBuilder(), source = StringColumnBuilder()
        var dates: [Int64] = [], years: [Int64] = [], months: [Int64] = [], ids: [Int64] = [], amounts: [Int64] = [], lines: [Int64] = []
        // Notes repeat (首笔拨付, 尾款): a dictionary column, not free text.
        var notes = StringColumnBuilder()
        for p in payments {
            // Every payment has all its numbers: these columns have no nulls.
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
            Column(name: "note", aliases: ["备注"], type: .string, data: notes.finish()),
            Column(name: "source", aliases: ["来源文件"], type: .string, data: source.finish()),
            Column(name: "line", aliases: ["行号"], type: .int, data: .integers(lines)),
        ])
    }

    /// One row per project per month of its budget year, derived from the projects and payments
    /// tables (so a store opened from a snapshot derives it the same way). Targets and deadlines
    /// are the projects' `execution_target` and `execution_deadline` columns, which
    /// `ExecutionRules` fills once when the store is built. Sums are exact: a month or a running
    /// total past Int64 is an error (the loader refuses such ledger rows, but payments of either
    /// sign can still overflow in month order, and a snapshot can hold anything).
    static func executionTable(projects: Table, payments: Table) throws -> Table {
        let n = projects.rowCount
        let (budgetsOf, budgetNulls) = projects.integerColumn("budget"), yearsOf = projects.integers("year")
        let target = projects.reals("execution_target"), (stated, statedNulls) = projects.integerColumn("execution_deadline")
        let names = ColumnView(projects, "name")
        func overflow(_ p: Int, by month: Int) -> ExecutionFailure {
            ExecutionFailure(message: "execution: payments to `\(names.string(p) ?? "project \(p + 1)")` up to \(yearsOf[p])-\(month < 10 ? "0" : "")\(month) add up beyond what budgetq can hold exactly (more than 92,233,720,368,547,758.07)")
        }
        var paidByMonth = [Int64](repeating: 0, count: n * 12)
        let (payer, payerNulls) = payments.integerColumn("project_id"), (dates, dateNulls) = payments.integerColumn("date")
        let (amounts, amountNulls) = payments.integerColumn("amount")
        for row in 0..<payments.rowCount where !payerNulls.isNull(row) && !dateNulls.isNull(row) && !amountNulls.isNull(row) {
            let p = Int(payer[row]) - 1
            guard p >= 0, p < n, dates[row] / 10_000 == yearsOf[p] else { continue }
            let month = Int(dates[row] / 100 % 100)
            guard (1...12).contains(month) else { continue }
            let slot = p * 12 + month - 1
            let (sum, overflowed) = paidByMonth[slot].addingReportingOverflow(amounts[row])
            if overflowed { throw overflow(p, by: month) }
            paidByMonth[slot] = sum
        }
        var ids: [Int64] = [], years: [Int64] = [], months: [Int64] = [], budgets = IntegerColumnBuilder(capacity: n * 12), paid: [Int64] = [], toDate: [Int64] = []
        var rates: [Double] = [], targets: [Double] = [], deadlineColumn = IntegerColumnBuilder(capacity: n * 12), statusCodes: [Int32] = []
        ids.reserveCapacity(n * 12)
        let statusNames = ExecutionStatus.allCases.map(\.rawValue)
        let (sortedStatus, statusRemap) = sortedDictionary(statusNames)
        var projectRows: [Int32] = []
        projectRows.reserveCapacity(n * 12)
        for p in 0..<n {
            let year = Int(yearsOf[p])
            let deadline: Int64? = stated.isEmpty || statedNulls.isNull(p) ? nil : stated[p]
            let effective: CalendarDate? = if let deadline { CalendarDate(packed: deadline) } else { CalendarDate(year: year, month: 12, day: 31) }
            let budget: Int64? = budgetsOf.isEmpty || budgetNulls.isNull(p) ? nil : budgetsOf[p]
            var cumulative: Int64 = 0
            for month in 1...12 {
                let inMonth = paidByMonth[p * 12 + month - 1]
                let (next, overflowed) = cumulative.addingReportingOverflow(inMonth)
                if overflowed { throw overflow(p, by: month) }
                cumulative = next
                let rate = (budget ?? 0) > 0 ? Double(cumulative) / Double(budget ?? 1) : (cumulative > 0 ? Double.infinity : 0)
                projectRows.append(Int32(p))
                ids.append(Int64(p + 1))
                years.append(Int64(year))
                months.append(Int64(year * 100 + month))
                budgets.append(budget)
                paid.append(inMonth)
                toDate.append(cumulative)
                rates.append(rate)
                targets.append(target.isEmpty ? .nan : target[p])
                deadlineColumn.append(deadline)
                if let monthEnd = CalendarDate.endOfMonth(year: year, month: month), let effective {
                    let status = ExecutionRules.status(rate: rate, target: target.isEmpty || target[p].isNaN ? 1 : target[p], deadline: effective, monthEnd: monthEnd)
                    statusCodes.append(statusRemap[ExecutionStatus.allCases.firstIndex(of: status) ?? 0])
                } else {
                    statusCodes.append(nullCode)
                }
            }
        }
        func gather(_ name: String) throws -> ColumnData {
            // A snapshot from before a column existed: nulls, one a row, so the table stays square.
            guard let column = projects.column(named: name) else { return .nulls(of: .string, count: projectRows.count) }
            return try column.gathered(projectRows).data
        }
        let project = try gather("name"), department = try gather("department"), type = try gather("type"), deadlineText = try gather("execution_deadline_text")
        let status = ColumnData.strings(codes: statusCodes, dictionary: sortedStatus)
        return Table(name: "execution", aliases: ["执行", "预算执行"], columns: [
            Column(name: "project_id", aliases: ["项目编号"], type: .int, data: .integers(ids)),
            Column(name: "year", aliases: ["年度"], type: .int, data: .integers(years)),
            Column(name: "month", aliases: ["月份"], type: .month, data: .integers(months)),
            Column(name: "project", aliases: ["项目名称", "项目"], type: .string, data: project),
            Column(name: "department", aliases: ["主管部门"], type: .string, data: department),
            Column(name: "type", aliases: ["项目类型"], type: .string, data: type),
            Column(name: "budget", aliases: ["预算金额"], type: .money, data: budgets.finish()),
            Column(name: "paid", aliases: ["本月支付"], type: .money, data: .integers(paid)),
            Column(name: "paid_to_date", aliases: ["累计支付"], type: .money, data: .integers(toDate)),
            Column(name: "rate", aliases: ["执行率"], type: .real, data: .reals(rates)),
            Column(name: "target", aliases: ["目标执行率"], type: .real, data: .reals(targets)),
            Column(name: "deadline", aliases: ["期限"], type: .date, data: deadlineColumn.finish()),
            // The wording the deadline was read from, so a reader can question the reading.
            Column(name: "deadline_text", aliases: ["期限原文"], type: .string, data: deadlineText),
            Column(name: "status", aliases: ["状态"], type: .string, data: status),
        ])
    }
}

/// Why `execution` cannot be built: a total that budgetq cannot hold exactly.
public struct ExecutionFailure: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension Table {
    /// The Int64 buffer of an integer-backed column that has no nulls (empty when absent).
    func integers(_ name: String) -> [Int64] {
        if case .integers(let values, _)? = column(named: name)?.data { return values }
        return []
    }

    /// The Int64 buffer and null mask of an integer-backed column (empty when absent).
    func integerColumn(_ name: String) -> ([Int64], NullMask) {
        if case .integers(let values, let nulls)? = column(named: name)?.data { return (values, nulls) }
        return ([], NullMask())
    }

    /// The Double buffer of a real column (empty when absent).
    func reals(_ name: String) -> [Double] {
        if case .reals(let values)? = column(named: name)?.data { return values }
        return []
    }

    /// Codes and dictionary of a string column (empty when absent).
    func strings(_ name: String) -> ([Int32], [String]) {
        if case .strings(let codes, let dictionary)? = column(named: name)?.data { return (codes, dictionary) }
        return ([], [])
    }
}
