import BudgetCore
import BudgetDocuments

/// The derived tables of self-evaluation and monitoring (docs/evaluation.md): `evaluation`,
/// `evaluation_summary`, `monitoring`, `monitoring_indicators` and `findings`. Each is built from
/// the stored tables on first use, so a snapshot derives them the same way.
public enum EvaluationTables {
    static let derived: [Store.Deferred] = [
        .init(name: "evaluation", aliases: ["绩效自评", "自评"], stored: false) { store in try Evaluation(store).indicatorTable() },
        .init(name: "evaluation_summary", aliases: ["自评汇总"], stored: false) { store in try Evaluation(store).summaryTable() },
        .init(name: "monitoring", aliases: ["双监控", "绩效监控"], stored: false) { store in try Monitoring(store).projectTable() },
        .init(name: "monitoring_indicators", aliases: ["监控指标"], stored: false) { store in try Monitoring(store).indicatorTable() },
        .init(name: "findings", aliases: ["目标质量", "审核发现"], stored: false) { store in try QualityFindings(store).table() },
    ]
}

/// The stored tables the derived ones read, with null-aware views of their columns.
struct EvaluationInputs {
    let projects: Table
    let indicators: Table
    let payments: Table
    let actuals: Table
    let coverage: Table
    let settings: ScoringSettings

    init(_ store: Store) throws {
        let empty = Table(name: "", columns: [])
        projects = try store.loadTable(named: "projects") ?? empty
        indicators = try store.loadTable(named: "indicators") ?? empty
        payments = try store.loadTable(named: "payments") ?? empty
        actuals = try store.loadTable(named: "actuals") ?? empty
        coverage = try store.loadTable(named: "coverage") ?? empty
        settings = store.scoring
    }

    /// Row indices of `table` per project (its `project_id` - 1).
    func rowsByProject(_ table: Table) -> [[Int]] {
        var rows = [[Int]](repeating: [], count: projects.rowCount)
        let ids = ColumnView(table, "project_id")
        for row in 0..<table.rowCount {
            guard let id = ids.integer(row), id >= 1, Int(id) <= rows.count else { continue }
            rows[Int(id) - 1].append(row)
        }
        return rows
    }

    /// Payments in each project's budget year, summed (nil when a project has none); overflow is nil too,
    /// with the project in `overflowed`.
    func paidInYear() -> (paid: [Int64?], overflowed: Set<Int>) {
        var paid = [Int64?](repeating: nil, count: projects.rowCount)
        var overflowed = Set<Int>()
        let ids = ColumnView(payments, "project_id"), dates = ColumnView(payments, "date"), amounts = ColumnView(payments, "amount")
        let years = ColumnView(projects, "year")
        for row in 0..<payments.rowCount {
            guard let id = ids.integer(row), id >= 1, Int(id) <= paid.count, let amount = amounts.integer(row), let date = dates.integer(row) else { continue }
            let p = Int(id) - 1
            guard date / 10_000 == years.integer(p) ?? -1 else { continue }
            let (sum, overflow) = (paid[p] ?? 0).addingReportingOverflow(amount)
            if overflow { overflowed.insert(p) } else { paid[p] = sum }
        }
        for p in overflowed { paid[p] = nil }
        return (paid, overflowed)
    }
}

/// One row to score: an indicator with its target, weight and the actual found for it.
struct ScorableRow {
    var level1: String
    var level1Raw: String
    var level2: String
    var indicator: String
    var target: String
    var reading: TargetReading
    var direction: String?
    var publishedWeight: ExactDecimal?
    var actual: String?
    /// Where the actual came from: `document`, `自评`, `监控` or `ledger`.
    var actualFrom: String?
    var publishedScore: ExactDecimal?
    var source: String?
    var line: Int64?
    var position: String?
}

/// `evaluation` and `evaluation_summary`.
struct Evaluation {
    let inputs: EvaluationInputs

    init(_ store: Store) throws { inputs = try EvaluationInputs(store) }

    /// A project's rows: its attached 自评表's rows when it has one, else its own indicators with
    /// their published 完成值 or the latest reported one of the year.
    func scorableRows(project p: Int, indicatorRows: [Int], actualRows: [Int]) -> [ScorableRow] {
        let a = inputs.actuals, i = inputs.indicators, projects = inputs.projects
        let year = Int(ColumnView(projects, "year").integer(p) ?? 0)
        let kindOf = ColumnView(a, "kind")
        let selfEvaluation = actualRows.filter { kindOf.string($0) == ActualRecord.Kind.selfEvaluation.rawValue }
        if !selfEvaluation.isEmpty {
            let level1 = ColumnView(a, "level1"), level2 = ColumnView(a, "level2"), name = ColumnView(a, "indicator"), target = ColumnView(a, "target")
            let actual = ColumnView(a, "actual"), direction = ColumnView(a, "direction"), weight = ColumnView(a, "weight"), score = ColumnView(a, "score")
            let source = ColumnView(a, "source"), line = ColumnView(a, "line"), position = ColumnView(a, "position")
            // The latest 自评表 of the project, when several were loaded.
            let latestSource = source.string(selfEvaluation.last ?? 0)
            return selfEvaluation.filter { source.string($0) == latestSource }.map { r in
                let targetText = target.string(r) ?? ""
                return ScorableRow(level1: level1.string(r) ?? "", level1Raw: level1.string(r) ?? "", level2: level2.string(r) ?? "",
                                   indicator: name.string(r) ?? "", target: targetText,
                                   reading: TargetReader.read(targetText, year: year, indicatorName: name.string(r) ?? "", level2: level2.string(r) ?? ""),
                                   direction: direction.string(r), publishedWeight: weight.decimal(r), actual: actual.string(r),
                                   actualFrom: "自评", publishedScore: score.decimal(r), source: source.string(r), line: line.integer(r), position: position.string(r))
            }
        }
        let level1 = ColumnView(i, "level1"), level1Raw = ColumnView(i, "level1_raw"), level2 = ColumnView(i, "level2")
        let shortName = ColumnView(i, "short_name"), name = ColumnView(i, "name"), annual = ColumnView(i, "annual_target")
        let direction = ColumnView(i, "direction"), weight = ColumnView(i, "weight"), actual = ColumnView(i, "actual"), score = ColumnView(i, "score")
        let line = ColumnView(i, "line"), position = ColumnView(i, "position")
        let source = ColumnView(projects, "source").string(p)
        let reported = latestActuals(actualRows, by: CalendarDate(year: year, month: 12, day: 31))
        return indicatorRows.map { r in
            let indicator = shortName.string(r) ?? name.string(r) ?? ""
            var row = ScorableRow(level1: level1.string(r) ?? "", level1Raw: level1Raw.string(r) ?? level1.string(r) ?? "", level2: level2.string(r) ?? "",
                                  indicator: indicator, target: annual.string(r) ?? "", reading: reading(i, r),
                                  direction: direction.string(r), publishedWeight: weight.decimal(r), actual: actual.string(r),
                                  actualFrom: actual.string(r) == nil ? nil : "document", publishedScore: score.decimal(r),
                                  source: source, line: line.integer(r), position: position.string(r))
            if row.actual == nil, let found = reported[indicator] ?? reported[name.string(r) ?? ""] {
                row.actual = found.actual
                row.actualFrom = found.kind
                row.source = found.source
                row.line = found.line
                row.position = found.position
            }
            return row
        }
    }

    /// The latest reported actual of each indicator name dated on or before `date`.
    func latestActuals(_ rows: [Int], by date: CalendarDate?) -> [String: (actual: String, kind: String, source: String?, line: Int64?, position: String?, date: Int64)] {
        let a = inputs.actuals
        let name = ColumnView(a, "indicator"), actual = ColumnView(a, "actual"), kind = ColumnView(a, "kind"), dates = ColumnView(a, "date")
        let source = ColumnView(a, "source"), line = ColumnView(a, "line"), position = ColumnView(a, "position")
        var latest: [String: (actual: String, kind: String, source: String?, line: Int64?, position: String?, date: Int64)] = [:]
        let limit = date?.packed ?? Int64.max
        for r in rows {
            guard let indicator = name.string(r), let value = actual.string(r), let day = dates.integer(r), day <= limit else { continue }
            if let seen = latest[indicator], seen.date > day { continue }
            latest[indicator] = (value, kind.string(r) ?? "", source.string(r), line.integer(r), position.string(r), day)
        }
        return latest
    }

    /// The target reading stored with an indicator row.
    func reading(_ i: Table, _ r: Int) -> TargetReading {
        let kind = TargetReading.Kind(rawValue: ColumnView(i, "kind").string(r) ?? "") ?? .qualitative
        let comparison = ColumnView(i, "cmp").string(r).flatMap(TargetReading.Comparison.init(rawValue:))
        let deadline = ColumnView(i, "deadline").integer(r).flatMap(CalendarDate.init(packed:))
        return TargetReading(kind: kind, comparison: comparison, value: ColumnView(i, "value").decimal(r), unit: ColumnView(i, "unit").string(r), deadline: deadline)
    }

    /// Weights for a project's rows: the published 分值 when the table publishes any, else each 一级's
    /// weight (published in its label, `产出指标(50分)`, or the default) split evenly, to the cent.
    func weights(_ rows: [ScorableRow]) -> [(weight: ExactDecimal?, from: String, missing: String?)] {
        if rows.contains(where: { $0.publishedWeight != nil }) {
            return rows.map { ($0.publishedWeight, "published", $0.publishedWeight == nil ? "no 分值: the table publishes weights for other indicators but not this one" : nil) }
        }
        var result = [(weight: ExactDecimal?, from: String, missing: String?)](repeating: (nil, "default", nil), count: rows.count)
        var groups: [String: [Int]] = [:]
        var order: [String] = []
        for (index, row) in rows.enumerated() {
            if groups[row.level1] == nil { order.append(row.level1) }
            groups[row.level1, default: []].append(index)
        }
        for level1 in order {
            let members = groups[level1] ?? []
            let labelled = members.lazy.compactMap { Self.pointsInLabel(rows[$0].level1Raw) }.first
            guard let total = labelled ?? inputs.settings.categoryWeights[level1] else {
                for m in members {
                    result[m] = (nil, "default", "no weight for \(level1.isEmpty ? "an indicator without a 一级 category" : level1): the table publishes no 分值 and scoring has no default for it (weight.\(level1) in scoring.tsv)")
                }
                continue
            }
            // Cumulative rounding: the shares add up to the category's weight exactly.
            let n = Int128(members.count)
            var previous: Int128 = 0
            for (k, m) in members.enumerated() {
                let upTo = ScoringRules.roundedDivision(Int128(total.scaled) * Int128(k + 1), n, step: 100)
                result[m] = (ExactDecimal(scaled: Int64(upTo - previous)), labelled != nil ? "category" : "default", nil)
                previous = upTo
            }
        }
        return result
    }

    /// `产出指标(50分)` → 50.
    static func pointsInLabel(_ label: String) -> ExactDecimal? {
        guard let open = label.firstIndex(where: { $0 == "(" || $0 == "（" }) else { return nil }
        var inner = label[label.index(after: open)...].prefix { $0 != ")" && $0 != "）" }
        guard inner.hasSuffix("分") else { return nil }
        inner.removeLast()
        return ExactDecimal(parsing: inner)
    }

    /// One scored row of `evaluation`.
    struct Scored {
        var project: Int
        var row: ScorableRow
        var rule: ScoreRule
        var weight: ExactDecimal?
        var weightFrom: String
        var score: ExactDecimal?
        var allowed: ClosedRange<ExactDecimal>?
        var reason: String
        /// 预算执行率 (the 预算执行 row only).
        var rate: ExactDecimal? = nil
    }

    /// Every project's scored rows, the 预算执行 row first.
    func scoreAll() -> [[Scored]] {
        let projects = inputs.projects, settings = inputs.settings
        let indicatorRows = inputs.rowsByProject(inputs.indicators), actualRows = inputs.rowsByProject(inputs.actuals)
        let (paid, overflowed) = inputs.paidInYear()
        let years = ColumnView(projects, "year"), budget = ColumnView(projects, "budget"), adjusted = ColumnView(projects, "budget_adjusted")
        let spent = ColumnView(projects, "spent"), rate = ColumnView(projects, "spent_rate"), spentWeight = ColumnView(projects, "spent_weight")
        let spentScore = ColumnView(projects, "spent_score"), source = ColumnView(projects, "source"), line = ColumnView(projects, "line")
        let position = ColumnView(projects, "position")
        var all: [[Scored]] = []
        all.reserveCapacity(projects.rowCount)
        for p in 0..<projects.rowCount {
            let year = Int(years.integer(p) ?? 0)
            var scored: [Scored] = []
            // 预算执行: the table's 执行数, else the payments ledger's total for the year.
            let weight = spentWeight.decimal(p) ?? settings.executionWeight
            let executed = spent.integer(p) ?? paid[p]
            let planned = adjusted.integer(p) ?? budget.integer(p)
            var execution = ScoringRules.execution(spent: executed, budget: planned, rate: spent.integer(p) == nil && paid[p] == nil ? rate.decimal(p) : nil, weight: weight)
            if overflowed.contains(p) { execution = (nil, nil, "payments add up beyond what budgetq can hold exactly") }
            let executionFrom = spent.integer(p) != nil ? "document" : (paid[p] != nil ? "payments" : (rate.decimal(p) != nil ? "document" : nil))
            let rateText = execution.rate.map { ScoringRules.percent($0) }
            scored.append(Scored(project: p, row: ScorableRow(level1: "预算执行", level1Raw: "预算执行", level2: "", indicator: "预算执行率", target: "100%",
                                                               reading: TargetReading(kind: .percent, comparison: .atLeast, value: ExactDecimal(integer: 100), unit: "%"),
                                                               direction: nil, publishedWeight: spentWeight.decimal(p), actual: rateText, actualFrom: executionFrom,
                                                               publishedScore: spentScore.decimal(p), source: source.string(p), line: line.integer(p), position: position.string(p)),
                                 rule: .execution, weight: weight, weightFrom: spentWeight.decimal(p) != nil ? "published" : "default",
                                 score: execution.score, allowed: nil, reason: execution.reason, rate: execution.rate))
            let rows = scorableRows(project: p, indicatorRows: indicatorRows[p], actualRows: actualRows[p])
            for (row, w) in zip(rows, weights(rows)) {
                let result: IndicatorScore
                if let missing = w.missing {
                    result = IndicatorScore(rule: ScoringRules.rule(for: row.reading, text: row.target, direction: row.direction, level1: row.level1, level2: row.level2), score: nil, reason: missing)
                } else {
                    result = ScoringRules.score(target: row.reading, targetText: row.target, actual: row.actual, direction: row.direction,
                                                level1: row.level1, level2: row.level2, weight: w.weight, year: year, settings: settings)
                }
                scored.append(Scored(project: p, row: row, rule: result.rule, weight: w.weight, weightFrom: w.from, score: result.score,
                                     allowed: result.allowed, reason: result.reason))
            }
            all.append(scored)
        }
        return all
    }

    /// published − computed, and whether they agree (within the tolerance, or inside a grade's range).
    func compare(published: ExactDecimal?, computed: ExactDecimal?, allowed: ClosedRange<ExactDecimal>?) -> (ExactDecimal?, Bool?) {
        guard let published, let computed else { return (nil, nil) }
        let difference = ExactDecimal(scaled: published.scaled - computed.scaled)
        if let allowed, allowed.contains(published) { return (difference, true) }
        return (difference, abs(difference.scaled) <= inputs.settings.tolerance.scaled)
    }

    func indicatorTable() -> Table {
        let projects = inputs.projects
        let years = ColumnView(projects, "year"), names = ColumnView(projects, "name"), departments = ColumnView(projects, "department")
        var c = [
            ColumnAppender("project_id", ["项目编号"], .int), ColumnAppender("year", ["年度"], .int), ColumnAppender("project", ["项目名称", "项目"], .string),
            ColumnAppender("department", ["主管部门"], .string), ColumnAppender("level1", ["一级指标"], .string), ColumnAppender("level2", ["二级指标"], .string),
            ColumnAppender("indicator", ["三级指标", "指标名称"], .string), ColumnAppender("target", ["年度指标值", "指标值"], .string),
            ColumnAppender("actual", ["完成值", "实际完成值"], .string), ColumnAppender("actual_from", ["完成值来源"], .string),
            ColumnAppender("rule", ["评分规则", "指标方向"], .string), ColumnAppender("weight", ["分值", "权重"], .decimal),
            ColumnAppender("weight_from", ["分值来源"], .string), ColumnAppender("score", ["计算得分", "复核得分"], .decimal),
            ColumnAppender("published_score", ["自评得分", "得分"], .decimal), ColumnAppender("difference", ["差异"], .decimal),
            ColumnAppender("agrees", ["一致"], .bool), ColumnAppender("reason", ["扣分原因", "原因"], .text),
            ColumnAppender("source", ["来源文件"], .string), ColumnAppender("line", ["行号"], .int), ColumnAppender("position", ["位置"], .string),
        ]
        for scored in scoreAll() {
            for s in scored {
                let p = s.project
                let (difference, agrees) = compare(published: s.row.publishedScore, computed: s.score, allowed: s.allowed)
                c[0].append(integer: Int64(p + 1)); c[1].append(integer: years.integer(p)); c[2].append(string: names.string(p))
                c[3].append(string: departments.string(p)); c[4].append(string: s.row.level1.isEmpty ? nil : s.row.level1)
                c[5].append(string: s.row.level2.isEmpty ? nil : s.row.level2); c[6].append(string: s.row.indicator)
                c[7].append(string: s.row.target.isEmpty ? nil : s.row.target); c[8].append(string: s.row.actual)
                c[9].append(string: s.row.actualFrom); c[10].append(string: s.rule.rawValue); c[11].append(decimal: s.weight)
                c[12].append(string: s.weightFrom); c[13].append(decimal: s.score); c[14].append(decimal: s.row.publishedScore)
                c[15].append(decimal: difference); c[16].append(bool: agrees); c[17].append(string: s.reason.isEmpty ? nil : s.reason)
                c[18].append(string: s.row.source); c[19].append(integer: s.row.line); c[20].append(string: s.row.position)
            }
        }
        return Table(name: "evaluation", aliases: ["绩效自评", "自评"], columns: c.indices.map { c[$0].finish() })
    }

    func summaryTable() -> Table {
        let projects = inputs.projects, settings = inputs.settings
        let years = ColumnView(projects, "year"), names = ColumnView(projects, "name"), departments = ColumnView(projects, "department")
        let kinds = ColumnView(projects, "doc_kind"), totals = ColumnView(projects, "total_score"), grades = ColumnView(projects, "grade")
        let sources = ColumnView(projects, "source")
        var c = [
            ColumnAppender("project_id", ["项目编号"], .int), ColumnAppender("year", ["年度"], .int), ColumnAppender("project", ["项目名称", "项目"], .string),
            ColumnAppender("department", ["主管部门"], .string), ColumnAppender("doc_kind", ["表类型"], .string),
            ColumnAppender("execution_rate", ["预算执行率", "执行率"], .decimal), ColumnAppender("execution_score", ["预算执行得分"], .decimal),
            ColumnAppender("output_score", ["产出指标得分", "产出"], .decimal), ColumnAppender("benefit_score", ["效益指标得分", "效益"], .decimal),
            ColumnAppender("satisfaction_score", ["满意度指标得分", "满意度"], .decimal), ColumnAppender("other_score", ["其他指标得分"], .decimal),
            ColumnAppender("total", ["复核总分", "总分"], .decimal), ColumnAppender("weight_total", ["总分值"], .decimal),
            ColumnAppender("indicators", ["指标数"], .int), ColumnAppender("with_actual", ["有完成值"], .int), ColumnAppender("unscored", ["未评分"], .int),
            ColumnAppender("grade", ["复核等级", "等级"], .string), ColumnAppender("published_total", ["自评总分"], .decimal),
            ColumnAppender("difference", ["差异"], .decimal), ColumnAppender("published_grade", ["自评等级"], .string),
            ColumnAppender("agrees", ["一致"], .bool), ColumnAppender("source", ["来源文件"], .string),
        ]
        for scored in scoreAll() {
            guard let p = scored.first?.project else { continue }
            func subtotal(_ keep: (String) -> Bool) -> ExactDecimal? {
                let members = scored.dropFirst().filter { keep($0.row.level1) }
                guard !members.isEmpty else { return nil }
                return ExactDecimal(scaled: members.reduce(0) { $0 + ($1.score?.scaled ?? 0) })
            }
            let named = ["产出指标", "效益指标", "满意度指标"]
            let output = subtotal { $0 == "产出指标" }, benefit = subtotal { $0 == "效益指标" }, satisfaction = subtotal { $0 == "满意度指标" }
            let other = subtotal { !named.contains($0) }
            // Every row counts: a subtotal of rows without a score is a lower bound, so the total is one too.
            let total = ExactDecimal(scaled: scored.reduce(0) { $0 + ($1.score?.scaled ?? 0) })
            let weightTotal = ExactDecimal(scaled: scored.reduce(0) { $0 + ($1.weight?.scaled ?? 0) })
            let unscored = scored.filter { $0.score == nil }.count
            let grade = unscored == 0 ? settings.grade(of: total) : nil
            let (difference, agrees) = compare(published: totals.decimal(p), computed: unscored == 0 ? total : nil, allowed: nil)
            let execution = scored[0]
            c[0].append(integer: Int64(p + 1)); c[1].append(integer: years.integer(p)); c[2].append(string: names.string(p))
            c[3].append(string: departments.string(p)); c[4].append(string: kinds.string(p))
            c[5].append(decimal: execution.rate); c[6].append(decimal: execution.score)
            c[7].append(decimal: output); c[8].append(decimal: benefit); c[9].append(decimal: satisfaction); c[10].append(decimal: other)
            c[11].append(decimal: total); c[12].append(decimal: weightTotal); c[13].append(integer: Int64(scored.count - 1))
            c[14].append(integer: Int64(scored.dropFirst().filter { $0.row.actual != nil }.count)); c[15].append(integer: Int64(unscored))
            c[16].append(string: grade); c[17].append(decimal: totals.decimal(p)); c[18].append(decimal: difference)
            c[19].append(string: grades.string(p)); c[20].append(bool: agrees); c[21].append(string: sources.string(p))
        }
        return Table(name: "evaluation_summary", aliases: ["自评汇总"], columns: c.indices.map { c[$0].finish() })
    }

}
