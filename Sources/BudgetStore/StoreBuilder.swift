import BudgetCore
import BudgetDocuments

/// Turns loaded documents into the columnar tables `projects`, `indicators`, `coverage` and `regions`.
public enum StoreBuilder {
    public static func build(from loaded: LoadedDocuments) -> Store {
        let projects = loaded.projects
        // Each source's years in one pass over the rows (a filter per file was files × rows).
        var documentYears: [String: Set<Int>] = [:]
        for project in projects { documentYears[project.source, default: []].insert(project.year) }
        var paymentYears: [String: Set<Int>] = [:]
        for payment in loaded.payments { paymentYears[payment.source, default: []].insert(payment.date.year) }
        var actualYears: [String: Set<Int>] = [:]
        for actual in loaded.actuals { actualYears[actual.source, default: []].insert(actual.date.year) }
        var sources: [Store.Source] = []
        for file in loaded.files {
            sources.append(.init(path: file.path, kind: .documents, origin: file.origin,
                                 encoding: file.encoding?.rawValue ?? "unreadable", rows: file.projects, years: (documentYears[file.path] ?? []).sorted()))
        }
        for ledger in loaded.ledgerFiles {
            sources.append(.init(path: ledger.path, kind: .payments, origin: ledger.origin,
                                 encoding: ledger.encoding?.rawValue ?? "unreadable", rows: ledger.projects, years: (paymentYears[ledger.path] ?? []).sorted()))
        }
        for file in loaded.actualsFiles {
            sources.append(.init(path: file.path, kind: .actuals, origin: file.origin, encoding: file.encoding?.rawValue ?? "unreadable", rows: file.projects,
                                 years: (actualYears[file.path] ?? []).sorted()))
        }
        // The tables are independent of one another: built side by side, one per core.
        let builders: [@Sendable () -> Table] = [
            { projectsTable(projects) }, { indicatorsTable(projects) }, { coverageTable(projects) }, { regionsTable(loaded.gazetteer) },
            { paymentsTable(loaded.payments) }, { actualsTable(loaded.actuals, projects: projects) },
        ]
        return Store(tables: concurrentMap(builders.count) { builders[$0]() }, deferred: derivedTables, sources: sources)
    }

    /// The tables one set of projects gives: `projects`, `indicators` and `coverage`, ids
    /// numbered from 1 in the order given (the data cache builds them per changed file).
    public static func documentTables(_ projects: [ProjectRecord]) -> [Table] {
        [projectsTable(projects), indicatorsTable(projects), coverageTable(projects)]
    }

    /// The gazetteer as the `regions` table.
    public static func regions(_ gazetteer: Gazetteer) -> Table { regionsTable(gazetteer) }

    /// Matched payments as the `payments` table.
    public static func payments(_ payments: [PaymentRecord]) -> Table { paymentsTable(payments) }

    /// Reported 完成值 as the `actuals` table (empty for a folder without 自评表, 监控表 or actuals ledgers).
    public static func actuals(_ actuals: [ActualRecord], projects: [ProjectRecord]) -> Table { actualsTable(actuals, projects: projects) }

    /// The tables of a store built from `tables` and `sources`, with the derived ones added.
    public static func store(tables: [Table], sources: [Store.Source]) -> Store {
        Store(tables: tables, deferred: derivedTables, sources: sources)
    }

    /// Tables computed from the others on first use.
    public static let derivedTables: [Store.Deferred] = [
        .init(name: "execution", aliases: ["执行", "预算执行"], stored: false) { store in
            let empty = Table(name: "", columns: [])
            return try executionTable(projects: try store.loadTable(named: "projects") ?? empty,
                                  payments: try store.loadTable(named: "payments") ?? empty)
        },
    ] + EvaluationTables.derived

    static func projectsTable(_ projects: [ProjectRecord]) -> Table {
        var name = StringColumnBuilder(), type = StringColumnBuilder(), level = StringColumnBuilder()
        var department = StringColumnBuilder(), unit = StringColumnBuilder(), source = StringColumnBuilder()
        var origin = StringColumnBuilder(), regions = ListColumnBuilder()
        var ids: [Int64] = [], years: [Int64] = [], starts: [Int64?] = [], ends: [Int64?] = [], budgets: [Int64?] = [], lines: [Int64] = []
        var goalPeriod: [String?] = [], goalYear: [String?] = [], goalResult: [String?] = []
        var executionTargets: [Double] = [], executionDeadlines: [Int64?] = []
        var executionDeadlineTexts = StringColumnBuilder()
        var kind = StringColumnBuilder(), amountUnit = StringColumnBuilder(), departmentCode = StringColumnBuilder(), unitCode = StringColumnBuilder()
        var extra = ListColumnBuilder(), position = StringColumnBuilder()
        var grades = StringColumnBuilder()
        // By index: `enumerated()` copied every record (a retain and release of each of its fields).
        for index in projects.indices {
            let p = projects[index]
            grades.append(p.published.grade)
            kind.append(p.documentKind)
            amountUnit.append(p.amountUnit)
            departmentCode.append(p.departmentCode)
            unitCode.append(p.unitCode)
            extra.append(p.extra)
            position.append(p.position)
            goalResult.append(p.goalResult)
            ids.append(Int64(index + 1))
            years.append(Int64(p.year))
            name.append(p.name)
            type.append(p.type)
            level.append(p.level)
            department.append(p.department)
            unit.append(p.unit)
            starts.append(p.startYear.map(Int64.init))
            ends.append(p.endYear.map(Int64.init))
            budgets.append(p.budgetFen)
            goalPeriod.append(p.goalPeriod)
            goalYear.append(p.goalYear)
            regions.append(p.regions)
            source.append(p.source)
            lines.append(Int64(p.line))
            origin.append(p.origin.rawValue)
            executionTargets.append(ExecutionRules.target(of: p) ?? .nan)
            let deadlineIndicator = ExecutionRules.deadlineIndicator(of: p)
            executionDeadlines.append(deadlineIndicator?.reading.deadline?.packed)
            executionDeadlineTexts.append(deadlineIndicator?.annualTarget)
        }
        return Table(name: "projects", aliases: ["项目"], columns: [
            Column(name: "id", aliases: ["项目编号", "编号"], type: .int, data: .integers(ids)),
            Column(name: "year", aliases: ["年度", "预算年度"], type: .int, data: .integers(years)),
            Column(name: "name", aliases: ["项目名称"], type: .string, data: name.finish()),
            Column(name: "type", aliases: ["项目类型"], type: .string, data: type.finish()),
            Column(name: "level", aliases: ["项目等级"], type: .string, data: level.finish()),
            Column(name: "department", aliases: ["主管部门"], type: .string, data: department.finish()),
            Column(name: "unit", aliases: ["用款单位"], type: .string, data: unit.finish()),
            Column(name: "start_year", aliases: ["起始年度"], type: .int, data: .optionalIntegers(starts)),
            Column(name: "end_year", aliases: ["到期年度"], type: .int, data: .optionalIntegers(ends)),
            Column(name: "budget", aliases: ["预算金额"], type: .money, data: .optionalIntegers(budgets)),
            Column(name: "goal_period", aliases: ["实施周期总目标"], type: .text, data: .texts(goalPeriod)),
            Column(name: "goal_year", aliases: ["年度目标"], type: .text, data: .texts(goalYear)),
            Column(name: "regions", aliases: ["区域", "地区"], type: .list, data: regions.finish()),
            Column(name: "doc_kind", aliases: ["表类型", "文档类型"], type: .string, data: kind.finish()),
            Column(name: "amount_unit", aliases: ["金额单位"], type: .string, data: amountUnit.finish()),
            Column(name: "department_code", aliases: ["主管部门编码"], type: .string, data: departmentCode.finish()),
            Column(name: "unit_code", aliases: ["实施单位编码"], type: .string, data: unitCode.finish()),
            Column(name: "budget_total", aliases: ["资金总额"], type: .money, data: .optionalIntegers(projects.map { $0.funds.total })),
            Column(name: "budget_initial", aliases: ["年初预算"], type: .money, data: .optionalIntegers(projects.map { $0.funds.initial })),
            Column(name: "budget_adjusted", aliases: ["调整后预算", "全年预算数"], type: .money, data: .optionalIntegers(projects.map { $0.funds.adjusted })),
            Column(name: "spent", aliases: ["执行数", "全年执行数"], type: .money, data: .optionalIntegers(projects.map { $0.funds.spent })),
            Column(name: "spent_rate", aliases: ["执行率", "预算执行率"], type: .decimal, data: .optionalIntegers(projects.map { $0.funds.spentRate?.scaled })),
            Column(name: "funds_fiscal", aliases: ["财政拨款"], type: .money, data: .optionalIntegers(projects.map { $0.funds.fiscal })),
            Column(name: "funds_other", aliases: ["其他资金"], type: .money, data: .optionalIntegers(projects.map { $0.funds.other })),
            Column(name: "goal_result", aliases: ["目标完成情况"], type: .text, data: .texts(goalResult)),
            Column(name: "spent_weight", aliases: ["预算执行分值"], type: .decimal, data: .optionalIntegers(projects.map { $0.funds.weight?.scaled })),
            Column(name: "spent_score", aliases: ["预算执行得分"], type: .decimal, data: .optionalIntegers(projects.map { $0.funds.score?.scaled })),
            Column(name: "total_weight", aliases: ["总分值"], type: .decimal, data: .optionalIntegers(projects.map { $0.published.totalWeight?.scaled })),
            Column(name: "total_score", aliases: ["自评总分", "总分"], type: .decimal, data: .optionalIntegers(projects.map { $0.published.totalScore?.scaled })),
            Column(name: "grade", aliases: ["自评等级"], type: .string, data: grades.finish()),
            Column(name: "actuals_month", aliases: ["完成值月份"], type: .int, data: .optionalIntegers(projects.map { $0.actualsAsOfMonth.map(Int64.init) })),
            Column(name: "extra", aliases: ["其他信息"], type: .list, data: extra.finish()),
            Column(name: "partial", aliases: ["不完整"], type: .int, data: .integers(projects.map { $0.endsEarly ? 1 : 0 })),
            Column(name: "source", aliases: ["来源文件"], type: .string, data: source.finish()),
            Column(name: "line", aliases: ["行号"], type: .int, data: .integers(lines)),
            Column(name: "position", aliases: ["位置"], type: .string, data: position.finish()),
            Column(name: "origin", aliases: ["数据性质"], type: .string, data: origin.finish()),
            // Computed here once, from the indicators, by the rules of docs/execution.md; `execution` reads them.
            Column(name: "execution_target", aliases: ["预算执行率目标"], type: .real, data: .reals(executionTargets)),
            Column(name: "execution_deadline", aliases: ["时效期限"], type: .date, data: .optionalIntegers(executionDeadlines)),
            Column(name: "execution_deadline_text", aliases: ["时效期限原文"], type: .string, data: executionDeadlineTexts.finish()),
        ])
    }

    static func indicatorsTable(_ projects: [ProjectRecord]) -> Table {
        // Sized up front: grown by doubling, every column was copied and its pages faulted in
        // about twice (issue 13).
        let rows = projects.reduce(0) { $0 + $1.indicators.count }
        func strings() -> StringColumnBuilder { StringColumnBuilder(capacity: rows) }
        func reserved<T>() -> [T] { var array: [T] = []; array.reserveCapacity(rows); return array }
        var project = strings(), level1 = strings(), level2 = strings()
        var name = strings(), period = strings(), annual = strings()
        var cmp = strings(), unit = strings(), kind = strings()
        var ids: [Int64] = reserved(), years: [Int64] = reserved(), values: [Int64?] = reserved(), deadlines: [Int64?] = reserved()
        var lines: [Int64] = reserved(), weights: [Int64?] = reserved(), actualValues: [Int64?] = reserved(), scores: [Int64?] = reserved()
        var level1Raw = strings(), level2Raw = strings(), shortName = strings()
        var direction = strings(), actual = strings(), standard = strings()
        var note = strings(), explanation = strings(), extra = ListColumnBuilder(), position = strings()
        // By index: `enumerated()` copied every record (a retain and release of each of its fields).
        for index in projects.indices {
            let p = projects[index]
            // The project's name is looked up once, not once per indicator.
            project.append(p.name, times: p.indicators.count)
            for k in p.indicators.indices {
                let i = p.indicators[k]
                weights.append(i.weight?.scaled)
                actualValues.append(i.actualReading?.value?.scaled)
                scores.append(i.score?.scaled)
                level1Raw.append(i.level1Raw)
                level2Raw.append(i.level2Raw)
                shortName.append(i.shortName)
                direction.append(i.direction)
                actual.append(i.actual)
                standard.append(i.standard)
                note.append(i.note)
                explanation.append(i.explanation)
                extra.append(i.extra)
                position.append(i.position)
                ids.append(Int64(index + 1))
                years.append(Int64(p.year))
                level1.append(i.level1)
                level2.append(i.level2)
                name.append(i.name)
                period.append(i.periodTarget)
                annual.append(i.annualTarget)
                cmp.append(i.reading.comparison?.rawValue)
                values.append(i.reading.value?.scaled)
                unit.append(i.reading.unit)
                deadlines.append(i.reading.deadline?.packed)
                kind.append(i.reading.kind.rawValue)
                lines.append(Int64(i.line))
            }
        }
        return Table(name: "indicators", aliases: ["指标", "绩效指标"], columns: [
            Column(name: "project_id", aliases: ["项目编号"], type: .int, data: .integers(ids)),
            Column(name: "year", aliases: ["年度"], type: .int, data: .integers(years)),
            Column(name: "project", aliases: ["项目名称", "项目"], type: .string, data: project.finish()),
            Column(name: "level1", aliases: ["一级指标"], type: .string, data: level1.finish()),
            Column(name: "level2", aliases: ["二级指标"], type: .string, data: level2.finish()),
            Column(name: "name", aliases: ["三级指标", "指标名称"], type: .string, data: name.finish()),
            Column(name: "period_target", aliases: ["实施周期指标值"], type: .string, data: period.finish()),
            Column(name: "annual_target", aliases: ["当年度指标值", "指标值"], type: .string, data: annual.finish()),
            Column(name: "cmp", aliases: ["比较"], type: .string, data: cmp.finish()),
            Column(name: "value", aliases: ["数值"], type: .decimal, data: .optionalIntegers(values)),
            Column(name: "unit", aliases: ["单位", "计量单位"], type: .string, data: unit.finish()),
            Column(name: "deadline", aliases: ["期限", "截止日期"], type: .date, data: .optionalIntegers(deadlines)),
            Column(name: "kind", aliases: ["类别", "指标类别"], type: .string, data: kind.finish()),
            Column(name: "level1_raw", aliases: ["一级指标原文"], type: .string, data: level1Raw.finish()),
            Column(name: "level2_raw", aliases: ["二级指标原文"], type: .string, data: level2Raw.finish()),
            Column(name: "short_name", aliases: ["指标简称"], type: .string, data: shortName.finish()),
            Column(name: "direction", aliases: ["指标方向"], type: .string, data: direction.finish()),
            Column(name: "weight", aliases: ["分值", "权重"], type: .decimal, data: .optionalIntegers(weights)),
            Column(name: "actual", aliases: ["完成值", "实际完成值"], type: .string, data: actual.finish()),
            Column(name: "actual_value", aliases: ["完成数值"], type: .decimal, data: .optionalIntegers(actualValues)),
            Column(name: "score", aliases: ["得分"], type: .decimal, data: .optionalIntegers(scores)),
            Column(name: "standard", aliases: ["绩效标准"], type: .string, data: standard.finish()),
            Column(name: "note", aliases: ["偏差原因", "备注"], type: .string, data: note.finish()),
            Column(name: "explanation", aliases: ["指标解释"], type: .string, data: explanation.finish()),
            Column(name: "extra", aliases: ["其他信息"], type: .list, data: extra.finish()),
            Column(name: "line", aliases: ["行号"], type: .int, data: .integers(lines)),
            Column(name: "position", aliases: ["位置"], type: .string, data: position.finish()),
        ])
    }

    static func coverageTable(_ projects: [ProjectRecord]) -> Table {
        let rows = projects.reduce(0) { $0 + $1.coverage.count }
        var project = StringColumnBuilder(capacity: rows), level1 = StringColumnBuilder(capacity: rows), level2 = StringColumnBuilder(capacity: rows)
        var ids: [Int64] = [], years: [Int64] = [], counts: [Int64] = []
        ids.reserveCapacity(rows); years.reserveCapacity(rows); counts.reserveCapacity(rows)
        // By index: `enumerated()` copied every record (a retain and release of each of its fields).
        for index in projects.indices {
            let p = projects[index]
            project.append(p.name, times: p.coverage.count)
            for k in p.coverage.indices {
                let c = p.coverage[k]
                ids.append(Int64(index + 1))
                years.append(Int64(p.year))
                level1.append(c.level1)
                level2.append(c.level2)
                counts.append(Int64(c.indicatorCount))
            }
        }
        return Table(name: "coverage", aliases: ["指标覆盖"], columns: [
            Column(name: "project_id", aliases: ["项目编号"], type: .int, data: .integers(ids)),
            Column(name: "year", aliases: ["年度"], type: .int, data: .integers(years)),
            Column(name: "project", aliases: ["项目名称", "项目"], type: .string, data: project.finish()),
            Column(name: "level1", aliases: ["一级指标"], type: .string, data: level1.finish()),
            Column(name: "level2", aliases: ["二级指标"], type: .string, data: level2.finish()),
            Column(name: "indicators", aliases: ["指标数"], type: .int, data: .integers(counts)),
        ])
    }

    static func regionsTable(_ gazetteer: Gazetteer) -> Table {
        var region = StringColumnBuilder(), parent = StringColumnBuilder(), province = StringColumnBuilder(), kind = StringColumnBuilder()
        var aliases = ListColumnBuilder()
        for entry in gazetteer.entries {
            region.append(entry.region)
            aliases.append(entry.aliases)
            parent.append(entry.parent)
            province.append(entry.province)
            kind.append(entry.kind)
        }
        return Table(name: "regions", aliases: ["区域"], columns: [
            Column(name: "region", aliases: ["区域", "地区"], type: .string, data: region.finish()),
            Column(name: "aliases", aliases: ["别名"], type: .list, data: aliases.finish()),
            Column(name: "parent", aliases: ["上级城市"], type: .string, data: parent.finish()),
            Column(name: "province", aliases: ["省份"], type: .string, data: province.finish()),
            Column(name: "kind", aliases: ["协作类型"], type: .string, data: kind.finish()),
        ])
    }
}

extension StoreBuilder {
    /// `actuals`: every reported 完成值 (自评表 and 监控表 rows attached to a project, actuals ledgers).
    static func actualsTable(_ actuals: [ActualRecord], projects: [ProjectRecord]) -> Table {
        var project = StringColumnBuilder(), kind = StringColumnBuilder(), level1 = StringColumnBuilder(), level2 = StringColumnBuilder()
        var indicator = StringColumnBuilder(), target = StringColumnBuilder(), actual = StringColumnBuilder(), direction = StringColumnBuilder()
        var note = StringColumnBuilder(), source = StringColumnBuilder(), position = StringColumnBuilder(), origin = StringColumnBuilder()
        for a in actuals {
            project.append(projects[a.projectIndex].name)
            kind.append(a.kind.rawValue)
            level1.append(a.level1.isEmpty ? nil : a.level1)
            level2.append(a.level2.isEmpty ? nil : a.level2)
            indicator.append(a.indicator)
            target.append(a.target.isEmpty ? nil : a.target)
            actual.append(a.actual.isEmpty ? nil : a.actual)
            direction.append(a.direction)
            note.append(a.note)
            source.append(a.source)
            position.append(a.position)
            origin.append(a.origin.rawValue)
        }
        return Table(name: "actuals", aliases: ["完成值", "实际完成"], columns: [
            Column(name: "project_id", aliases: ["项目编号"], type: .int, data: .integers(actuals.map { Int64($0.projectIndex + 1) })),
            Column(name: "year", aliases: ["年度"], type: .int, data: .integers(actuals.map { Int64(projects[$0.projectIndex].year) })),
            Column(name: "project", aliases: ["项目名称", "项目"], type: .string, data: project.finish()),
            Column(name: "kind", aliases: ["来源类型"], type: .string, data: kind.finish()),
            Column(name: "date", aliases: ["日期", "截至日期"], type: .date, data: .integers(actuals.map { $0.date.packed })),
            Column(name: "level1", aliases: ["一级指标"], type: .string, data: level1.finish()),
            Column(name: "level2", aliases: ["二级指标"], type: .string, data: level2.finish()),
            Column(name: "indicator", aliases: ["三级指标", "指标名称"], type: .string, data: indicator.finish()),
            Column(name: "target", aliases: ["年度指标值"], type: .string, data: target.finish()),
            Column(name: "actual", aliases: ["完成值", "实际完成值"], type: .string, data: actual.finish()),
            Column(name: "direction", aliases: ["指标方向"], type: .string, data: direction.finish()),
            Column(name: "weight", aliases: ["分值", "权重"], type: .decimal, data: .optionalIntegers(actuals.map { $0.weight?.scaled })),
            Column(name: "score", aliases: ["得分"], type: .decimal, data: .optionalIntegers(actuals.map { $0.score?.scaled })),
            Column(name: "note", aliases: ["备注", "偏差原因"], type: .string, data: note.finish()),
            Column(name: "source", aliases: ["来源文件"], type: .string, data: source.finish()),
            Column(name: "line", aliases: ["行号"], type: .int, data: .integers(actuals.map { Int64($0.line) })),
            Column(name: "position", aliases: ["位置"], type: .string, data: position.finish()),
            Column(name: "origin", aliases: ["数据性质"], type: .string, data: origin.finish()),
        ])
    }
}
