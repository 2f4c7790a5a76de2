import BudgetDocuments

/// Turns loaded documents into the columnar tables `projects`, `indicators`, `coverage` and `regions`.
public enum StoreBuilder {
    public static func build(from loaded: LoadedDocuments) -> Store {
        let projects = loaded.projects
        var sources: [Store.Source] = []
        for file in loaded.files {
            let years = Set(projects.lazy.filter { $0.source == file.path }.map(\.year)).sorted()
            sources.append(.init(path: file.path, kind: "documents", origin: file.origin.rawValue,
                                 encoding: file.encoding?.rawValue ?? "unreadable", rows: file.projects, years: years))
        }
        for ledger in loaded.ledgerFiles {
            let years = Set(loaded.payments.lazy.filter { $0.source == ledger.path }.map(\.date.year)).sorted()
            sources.append(.init(path: ledger.path, kind: "payments", origin: ledger.origin.rawValue,
                                 encoding: ledger.encoding?.rawValue ?? "unreadable", rows: ledger.projects, years: years))
        }
        return Store(tables: [projectsTable(projects), indicatorsTable(projects), coverageTable(projects), regionsTable(loaded.gazetteer),
                              paymentsTable(loaded.payments)],
                     deferred: derivedTables, sources: sources)
    }

    /// Tables computed from the others on first use.
    public static let derivedTables: [Store.Deferred] = [
        .init(name: "execution", aliases: ["执行", "预算执行"], stored: false) { store in
            let empty = Table(name: "", columns: [])
            return executionTable(projects: try store.loadTable(named: "projects") ?? empty,
                                  payments: try store.loadTable(named: "payments") ?? empty)
        },
    ]

    static func projectsTable(_ projects: [ProjectRecord]) -> Table {
        var name = StringColumnBuilder(), type = StringColumnBuilder(), level = StringColumnBuilder()
        var department = StringColumnBuilder(), unit = StringColumnBuilder(), source = StringColumnBuilder()
        var origin = StringColumnBuilder(), regions = ListColumnBuilder()
        var ids: [Int64] = [], years: [Int64] = [], starts: [Int64] = [], ends: [Int64] = [], budgets: [Int64] = [], lines: [Int64] = []
        var goalPeriod: [String?] = [], goalYear: [String?] = []
        var executionTargets: [Double] = [], executionDeadlines: [Int64] = []
        for (index, p) in projects.enumerated() {
            ids.append(Int64(index + 1))
            years.append(Int64(p.year))
            name.append(p.name)
            type.append(p.type)
            level.append(p.level)
            department.append(p.department)
            unit.append(p.unit)
            starts.append(p.startYear.map(Int64.init) ?? nullInteger)
            ends.append(p.endYear.map(Int64.init) ?? nullInteger)
            budgets.append(p.budgetFen)
            goalPeriod.append(p.goalPeriod)
            goalYear.append(p.goalYear)
            regions.append(p.regions)
            source.append(p.source)
            lines.append(Int64(p.line))
            origin.append(p.origin.rawValue)
            executionTargets.append(ExecutionRules.target(of: p) ?? .nan)
            executionDeadlines.append(ExecutionRules.deadline(of: p)?.packed ?? nullInteger)
        }
        return Table(name: "projects", aliases: ["项目"], columns: [
            Column(name: "id", aliases: ["项目编号", "编号"], type: .int, data: .integers(ids)),
            Column(name: "year", aliases: ["年度", "预算年度"], type: .int, data: .integers(years)),
            Column(name: "name", aliases: ["项目名称"], type: .string, data: name.finish()),
            Column(name: "type", aliases: ["项目类型"], type: .string, data: type.finish()),
            Column(name: "level", aliases: ["项目等级"], type: .string, data: level.finish()),
            Column(name: "department", aliases: ["主管部门"], type: .string, data: department.finish()),
            Column(name: "unit", aliases: ["用款单位"], type: .string, data: unit.finish()),
            Column(name: "start_year", aliases: ["起始年度"], type: .int, data: .integers(starts)),
            Column(name: "end_year", aliases: ["到期年度"], type: .int, data: .integers(ends)),
            Column(name: "budget", aliases: ["预算金额"], type: .money, data: .integers(budgets)),
            Column(name: "goal_period", aliases: ["实施周期总目标"], type: .text, data: .texts(goalPeriod)),
            Column(name: "goal_year", aliases: ["年度目标"], type: .text, data: .texts(goalYear)),
            Column(name: "regions", aliases: ["区域", "地区"], type: .list, data: regions.finish()),
            Column(name: "source", aliases: ["来源文件"], type: .string, data: source.finish()),
            Column(name: "line", aliases: ["行号"], type: .int, data: .integers(lines)),
            Column(name: "origin", aliases: ["数据性质"], type: .string, data: origin.finish()),
            // Computed here once, from the indicators, by the rules of docs/execution.md; `execution` reads them.
            Column(name: "execution_target", aliases: ["预算执行率目标"], type: .real, data: .reals(executionTargets)),
            Column(name: "execution_deadline", aliases: ["时效期限"], type: .date, data: .integers(executionDeadlines)),
        ])
    }

    static func indicatorsTable(_ projects: [ProjectRecord]) -> Table {
        var project = StringColumnBuilder(), level1 = StringColumnBuilder(), level2 = StringColumnBuilder()
        var name = StringColumnBuilder(), period = StringColumnBuilder(), annual = StringColumnBuilder()
        var cmp = StringColumnBuilder(), unit = StringColumnBuilder(), kind = StringColumnBuilder()
        var ids: [Int64] = [], years: [Int64] = [], values: [Int64] = [], deadlines: [Int64] = [], lines: [Int64] = []
        for (index, p) in projects.enumerated() {
            for i in p.indicators {
                ids.append(Int64(index + 1))
                years.append(Int64(p.year))
                project.append(p.name)
                level1.append(i.level1)
                level2.append(i.level2)
                name.append(i.name)
                period.append(i.periodTarget)
                annual.append(i.annualTarget)
                cmp.append(i.reading.comparison?.rawValue)
                values.append(i.reading.value?.scaled ?? nullInteger)
                unit.append(i.reading.unit)
                deadlines.append(i.reading.deadline?.packed ?? nullInteger)
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
            Column(name: "value", aliases: ["数值"], type: .decimal, data: .integers(values)),
            Column(name: "unit", aliases: ["单位", "计量单位"], type: .string, data: unit.finish()),
            Column(name: "deadline", aliases: ["期限", "截止日期"], type: .date, data: .integers(deadlines)),
            Column(name: "kind", aliases: ["类别", "指标类别"], type: .string, data: kind.finish()),
            Column(name: "line", aliases: ["行号"], type: .int, data: .integers(lines)),
        ])
    }

    static func coverageTable(_ projects: [ProjectRecord]) -> Table {
        var project = StringColumnBuilder(), level1 = StringColumnBuilder(), level2 = StringColumnBuilder()
        var ids: [Int64] = [], years: [Int64] = [], counts: [Int64] = []
        for (index, p) in projects.enumerated() {
            for c in p.coverage {
                ids.append(Int64(index + 1))
                years.append(Int64(p.year))
                project.append(p.name)
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
