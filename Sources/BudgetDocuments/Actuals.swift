import BudgetCore

/// One reported 完成值 of an indicator: a row of a 自评表 or 监控表 that evaluates a project loaded
/// from its 目标表, or a row of an actuals ledger.
public struct ActualRecord: Sendable {
    /// Where the value was reported.
    public enum Kind: String, Sendable {
        /// A year-end 绩效自评表.
        case selfEvaluation = "自评"
        /// A mid-year 绩效监控表 (双监控).
        case monitoring = "监控"
        /// An actuals ledger (`date,department,project,indicator,actual,note`).
        case ledger
    }

    /// Index into the loaded projects.
    public var projectIndex: Int
    public var kind: Kind
    /// The day the value stands at: 31 December for a 自评表, the end of its months for a 监控表
    /// (`1-7月完成值` → 31 July), the ledger's date.
    public var date: CalendarDate
    public var level1: String
    public var level2: String
    /// The indicator as the report names it (without ★ marks and template hints).
    public var indicator: String
    /// The 年度指标值 the report restates (empty in a ledger).
    public var target: String
    public var actual: String
    public var direction: String?
    public var weight: ExactDecimal?
    public var score: ExactDecimal?
    public var note: String?
    public var source: String
    public var line: Int
    public var position: String?
    public var origin: Origin

    public init(projectIndex: Int, kind: Kind, date: CalendarDate, level1: String = "", level2: String = "", indicator: String, target: String = "",
                actual: String, direction: String? = nil, weight: ExactDecimal? = nil, score: ExactDecimal? = nil, note: String? = nil,
                source: String, line: Int, position: String? = nil, origin: Origin) {
        self.projectIndex = projectIndex
        self.kind = kind
        self.date = date
        self.level1 = level1
        self.level2 = level2
        self.indicator = indicator
        self.target = target
        self.actual = actual
        self.direction = direction
        self.weight = weight
        self.score = score
        self.note = note
        self.source = source
        self.line = line
        self.position = position
        self.origin = origin
    }
}

/// Attaches each 自评表 and 监控表 to the project its 目标表 loaded, so a portfolio that holds both
/// counts every project and its budget once.
///
/// A report attaches when exactly one other table of the same budget year has the same 项目名称 and
/// department (or unit); its amounts fill what the 目标表 left blank (执行数, 调整后预算, scores), and
/// its indicator rows become `ActualRecord`s. A report without such a project stays a project of
/// its own, as it is read.
public enum ReportLink {
    public static func attach(_ all: [ProjectRecord]) -> (projects: [ProjectRecord], actuals: [ActualRecord], attached: [String: Int]) {
        let isReport: (ProjectRecord) -> Bool = { $0.documentKind == "自评" || $0.documentKind == "监控" }
        var targetsByKey: [String: [Int]] = [:]
        func key(_ p: ProjectRecord) -> String { "\(p.year)\u{1}\(p.name)" }
        for (i, p) in all.enumerated() where !isReport(p) { targetsByKey[key(p), default: []].append(i) }
        var keep = [Bool](repeating: true, count: all.count)
        var merged = all
        var pending: [(target: Int, report: ProjectRecord)] = []
        var attached: [String: Int] = [:]
        for (i, report) in all.enumerated() where isReport(report) {
            let sameName = targetsByKey[key(report)] ?? []
            let candidates = sameName.filter { t in
                let target = all[t]
                guard let department = report.department ?? report.unit else { return true }
                return [target.department, target.unit].contains(department) || target.department == nil
            }
            guard candidates.count == 1, let target = candidates.first else { continue }
            keep[i] = false
            attached[report.source, default: 0] += 1
            var project = merged[target]
            project.funds.spent = project.funds.spent ?? report.funds.spent
            project.funds.spentRate = project.funds.spentRate ?? report.funds.spentRate
            project.funds.adjusted = project.funds.adjusted ?? report.funds.adjusted
            project.funds.initial = project.funds.initial ?? report.funds.initial
            if report.documentKind == "自评" {
                project.funds.weight = report.funds.weight ?? project.funds.weight
                project.funds.score = report.funds.score ?? project.funds.score
                project.published = report.published
                project.goalResult = project.goalResult ?? report.goalResult
            }
            merged[target] = project
            pending.append((target, report))
        }
        // Indices shift once reports are removed.
        var newIndex = [Int](repeating: -1, count: all.count)
        var projects: [ProjectRecord] = []
        projects.reserveCapacity(all.count)
        for i in all.indices where keep[i] {
            newIndex[i] = projects.count
            projects.append(merged[i])
        }
        var actuals: [ActualRecord] = []
        for (target, report) in pending {
            let month = report.documentKind == "自评" ? 12 : (report.actualsAsOfMonth ?? 12)
            guard let date = CalendarDate.endOfMonth(year: report.year, month: month) else { continue }
            for indicator in report.indicators {
                // A 自评表's rows count even without a 完成值: their 分值 weigh in the total.
                let actual = indicator.actual ?? ""
                guard !actual.isEmpty || report.documentKind == "自评" else { continue }
                actuals.append(ActualRecord(projectIndex: newIndex[target], kind: report.documentKind == "自评" ? .selfEvaluation : .monitoring, date: date,
                                            level1: indicator.level1, level2: indicator.level2, indicator: indicator.shortName,
                                            target: indicator.annualTarget, actual: actual, direction: indicator.direction,
                                            weight: indicator.weight, score: indicator.score, note: indicator.note,
                                            source: report.source, line: indicator.line, position: indicator.position, origin: report.origin))
            }
        }
        return (projects, actuals, attached)
    }
}
