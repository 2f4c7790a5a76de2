import BudgetCore
import BudgetDocuments

/// `monitoring` (双监控: per project and month, 执行率 against the share of the year gone and the
/// indicators' progress to date) and `monitoring_indicators` (each indicator's progress).
///
/// An indicator's progress at a month is its score (as a share of full) from the latest 完成值
/// reported by then: a 监控表's `1-7月完成值` counts from the end of July, a 自评表's from 31
/// December, an actuals ledger's from its date. Spending lags when 执行率 trails the share of the
/// year gone by more than `ExecutionRules.tolerance`; a positive or exact indicator lags likewise;
/// any other lags when it scores below full.
struct Monitoring {
    let evaluation: Evaluation
    let execution: Table

    init(_ store: Store) throws {
        evaluation = try Evaluation(store)
        execution = try store.loadTable(named: "execution") ?? Table(name: "", columns: [])
    }

    struct Progress {
        var project: Int
        var month: Int
        var indicator: String
        var target: String
        var actual: String?
        var asOf: Int64?
        var progress: ExactDecimal?
        var expected: ExactDecimal
        var lags: Bool?
        var source: String?
    }

    /// Progress of every indicator of every project at the end of each month of its year.
    func progress() -> [[Progress]] {
        let inputs = evaluation.inputs
        let projects = inputs.projects
        let indicatorRows = inputs.rowsByProject(inputs.indicators), actualRows = inputs.rowsByProject(inputs.actuals)
        let years = ColumnView(projects, "year"), kinds = ColumnView(projects, "doc_kind"), actualsMonth = ColumnView(projects, "actuals_month")
        let i = inputs.indicators
        let level1 = ColumnView(i, "level1"), level2 = ColumnView(i, "level2"), shortName = ColumnView(i, "short_name"), name = ColumnView(i, "name")
        let annual = ColumnView(i, "annual_target"), direction = ColumnView(i, "direction"), ownActual = ColumnView(i, "actual")
        let source = ColumnView(projects, "source")
        var all: [[Progress]] = []
        for p in 0..<projects.rowCount {
            let year = Int(years.integer(p) ?? 0)
            // A project read from a 监控表 or 自评表 reports its own 完成值 as of its months.
            let ownMonth: Int? = kinds.string(p) == "自评" ? 12 : (kinds.string(p) == "监控" ? Int(actualsMonth.integer(p) ?? 12) : nil)
            var rows: [Progress] = []
            // Each indicator's reading and rule once, not once a month; a score once per distinct actual.
            let readings = indicatorRows[p].map { evaluation.reading(i, $0) }
            let rules = zip(indicatorRows[p], readings).map { r, reading in
                ScoringRules.rule(for: reading, text: annual.string(r) ?? "", direction: direction.string(r), level1: level1.string(r) ?? "", level2: level2.string(r) ?? "")
            }
            var scored: [[String: ExactDecimal?]] = Array(repeating: [:], count: indicatorRows[p].count)
            for month in 1...12 {
                let monthEnd = CalendarDate.endOfMonth(year: year, month: month)
                let reported = evaluation.latestActuals(actualRows[p], by: monthEnd)
                let expected = ExactDecimal(scaled: Int64(ScoringRules.roundedDivision(Int128(month) * Int128(ExactDecimal.unit), 12, step: 1)))
                for (k, r) in indicatorRows[p].enumerated() {
                    let indicator = shortName.string(r) ?? name.string(r) ?? ""
                    let target = annual.string(r) ?? ""
                    var actual: String?, asOf: Int64?, from: String?
                    if let own = ownActual.string(r), let ownMonth, ownMonth <= month {
                        actual = own
                        asOf = CalendarDate.endOfMonth(year: year, month: ownMonth)?.packed
                        from = source.string(p)
                    }
                    if let found = reported[indicator] ?? reported[name.string(r) ?? ""], found.date >= asOf ?? 0 {
                        actual = found.actual
                        asOf = found.date
                        from = found.source
                    }
                    let rule = rules[k]
                    var progress: ExactDecimal?
                    if let actual {
                        if let known = scored[k][actual] {
                            progress = known
                        } else {
                            progress = ScoringRules.score(target: readings[k], targetText: target, actual: actual, direction: direction.string(r),
                                                          level1: level1.string(r) ?? "", level2: level2.string(r) ?? "", weight: ExactDecimal(integer: 1),
                                                          year: year, settings: evaluation.inputs.settings).score
                            scored[k][actual] = .some(progress)
                        }
                    }
                    var lags: Bool?
                    if let progress {
                        let tolerance = Int64(ExecutionRules.tolerance * Double(ExactDecimal.unit))
                        lags = (rule == .positive || rule == .exact) ? progress.scaled + tolerance < expected.scaled : progress.scaled < ExactDecimal.unit
                    }
                    rows.append(Progress(project: p, month: month, indicator: indicator, target: target, actual: actual, asOf: asOf,
                                         progress: progress, expected: expected, lags: lags, source: from))
                }
            }
            all.append(rows)
        }
        return all
    }

    func indicatorTable() -> Table {
        let projects = evaluation.inputs.projects
        let years = ColumnView(projects, "year"), names = ColumnView(projects, "name")
        var c = [
            ColumnAppender("project_id", ["项目编号"], .int), ColumnAppender("year", ["年度"], .int), ColumnAppender("month", ["月份"], .month),
            ColumnAppender("project", ["项目名称", "项目"], .string), ColumnAppender("indicator", ["三级指标", "指标名称"], .string),
            ColumnAppender("target", ["年度指标值"], .string), ColumnAppender("actual", ["完成值"], .string), ColumnAppender("as_of", ["截至日期"], .date),
            ColumnAppender("progress", ["完成进度"], .decimal), ColumnAppender("expected", ["时间进度"], .decimal), ColumnAppender("lags", ["滞后"], .bool),
            ColumnAppender("source", ["来源文件"], .string),
        ]
        for rows in progress() {
            for row in rows {
                let year = years.integer(row.project) ?? 0
                c[0].append(integer: Int64(row.project + 1)); c[1].append(integer: year); c[2].append(integer: year * 100 + Int64(row.month))
                c[3].append(string: names.string(row.project)); c[4].append(string: row.indicator); c[5].append(string: row.target.isEmpty ? nil : row.target)
                c[6].append(string: row.actual); c[7].append(integer: row.asOf); c[8].append(decimal: row.progress); c[9].append(decimal: row.expected)
                c[10].append(bool: row.lags); c[11].append(string: row.source)
            }
        }
        return Table(name: "monitoring_indicators", aliases: ["监控指标"], columns: c.indices.map { c[$0].finish() })
    }

    func projectTable() -> Table {
        let e = execution
        let ids = ColumnView(e, "project_id"), months = ColumnView(e, "month"), rates = ColumnView(e, "rate"), status = ColumnView(e, "status")
        let budget = ColumnView(e, "budget"), paid = ColumnView(e, "paid_to_date"), target = ColumnView(e, "target")
        let projects = evaluation.inputs.projects
        let years = ColumnView(projects, "year"), names = ColumnView(projects, "name"), departments = ColumnView(projects, "department")
        // Progress rows by (project, month).
        var byMonth: [Int: [Progress]] = [:]
        for rows in progress() {
            for row in rows { byMonth[row.project * 12 + row.month - 1, default: []].append(row) }
        }
        var c = [
            ColumnAppender("project_id", ["项目编号"], .int), ColumnAppender("year", ["年度"], .int), ColumnAppender("month", ["月份"], .month),
            ColumnAppender("project", ["项目名称", "项目"], .string), ColumnAppender("department", ["主管部门"], .string),
            ColumnAppender("budget", ["预算金额"], .money), ColumnAppender("paid_to_date", ["累计支付"], .money),
            ColumnAppender("rate", ["执行率", "预算执行进度"], .real), ColumnAppender("target", ["目标执行率"], .real),
            ColumnAppender("year_share", ["时间进度"], .real), ColumnAppender("spending_lags", ["执行滞后"], .bool),
            ColumnAppender("indicators", ["指标数"], .int), ColumnAppender("reported", ["已报完成值"], .int),
            ColumnAppender("lagging", ["滞后指标数"], .int), ColumnAppender("lagging_indicators", ["滞后指标"], .list),
            ColumnAppender("lags", ["滞后情况"], .string), ColumnAppender("status", ["状态"], .string),
        ]
        for row in 0..<e.rowCount {
            guard let id = ids.integer(row), let month = months.integer(row) else { continue }
            let p = Int(id) - 1
            let m = Int(month % 100)
            let share = Double(m) / 12
            let rate = rates.real(row)
            let spendingLags = rate.map { $0 + ExecutionRules.tolerance < share }
            let progress = byMonth[p * 12 + m - 1] ?? []
            let lagging = progress.filter { $0.lags == true }
            let targetsLag = !lagging.isEmpty
            let lags = spendingLags == true ? (targetsLag ? "both" : "spending") : (targetsLag ? "targets" : "none")
            c[0].append(integer: id); c[1].append(integer: years.integer(p)); c[2].append(integer: month); c[3].append(string: names.string(p))
            c[4].append(string: departments.string(p)); c[5].append(integer: budget.integer(row)); c[6].append(integer: paid.integer(row))
            c[7].append(real: rate); c[8].append(real: target.real(row)); c[9].append(real: share); c[10].append(bool: spendingLags)
            c[11].append(integer: Int64(progress.count)); c[12].append(integer: Int64(progress.filter { $0.actual != nil }.count))
            c[13].append(integer: Int64(lagging.count)); c[14].append(list: lagging.map(\.indicator)); c[15].append(string: lags)
            c[16].append(string: status.string(row))
        }
        return Table(name: "monitoring", aliases: ["双监控", "绩效监控"], columns: c.indices.map { c[$0].finish() })
    }
}

