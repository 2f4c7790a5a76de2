import BudgetCore

/// `findings`: what the 绩效目标 guidance asks of a table and the table lacks (docs/evaluation.md,
/// "Target quality"), one row per finding, each naming its file and line (or sheet and cell).
struct QualityFindings {
    /// The rules, in the order findings are listed.
    enum Rule: String, CaseIterable {
        case missingCategory = "missing_category"
        case qualitativeOnly = "qualitative_only"
        case noUnit = "no_unit"
        case costWithoutAmount = "cost_without_amount"
        case periodEqualsYear = "period_equals_year"
        case lowSatisfaction = "low_satisfaction"
    }

    /// 一级 categories every table should fill, and the 二级 each needs.
    static let requiredLevel1 = ["产出指标", "效益指标", "满意度指标"]
    static let requiredLevel2 = ["产出指标": ["数量指标", "质量指标", "时效指标"]]
    /// 二级 categories whose targets should be measurable.
    static let measurable = ["数量指标", "质量指标", "成本指标"]
    static let moneyUnits: Set<String> = ["元", "万元", "亿元", "千元", "百万元"]
    /// The lowest satisfaction target the guidance accepts, in percent.
    static let satisfactionFloor = ExactDecimal(integer: 80)

    let inputs: EvaluationInputs

    init(_ store: Store) throws { inputs = try EvaluationInputs(store) }

    struct Finding {
        var project: Int
        var rule: Rule
        var category: String?
        var indicator: String?
        var text: String
        var line: Int64?
        var position: String?
    }

    func findings() -> [Finding] {
        let projects = inputs.projects, indicators = inputs.indicators, coverage = inputs.coverage
        let byProject = inputs.rowsByProject(indicators), coverageByProject = inputs.rowsByProject(coverage)
        let projectLine = ColumnView(projects, "line"), projectPosition = ColumnView(projects, "position")
        let startYear = ColumnView(projects, "start_year"), endYear = ColumnView(projects, "end_year")
        let level1 = ColumnView(indicators, "level1"), level2 = ColumnView(indicators, "level2"), name = ColumnView(indicators, "short_name")
        let fullName = ColumnView(indicators, "name"), kind = ColumnView(indicators, "kind"), unit = ColumnView(indicators, "unit")
        let value = ColumnView(indicators, "value"), annual = ColumnView(indicators, "annual_target"), period = ColumnView(indicators, "period_target")
        let cmp = ColumnView(indicators, "cmp"), line = ColumnView(indicators, "line"), position = ColumnView(indicators, "position")
        let coverageLevel1 = ColumnView(coverage, "level1"), coverageLevel2 = ColumnView(coverage, "level2"), coverageCount = ColumnView(coverage, "indicators")
        var found: [Finding] = []
        for p in 0..<projects.rowCount {
            let rows = byProject[p]
            var projectFindings: [Finding] = []
            func add(_ rule: Rule, _ category: String?, _ indicator: String?, _ text: String, row: Int?) {
                projectFindings.append(Finding(project: p, rule: rule, category: category, indicator: indicator, text: text,
                                               line: row.flatMap { line.integer($0) } ?? projectLine.integer(p),
                                               position: row.flatMap { position.string($0) } ?? projectPosition.string(p)))
            }
            // Categories: filled ones from the indicators, listed-but-blank ones from coverage.
            var filled = Set<String>(), filled2 = Set<String>(), listed = Set<String>()
            for r in rows {
                filled.insert(level1.string(r) ?? "")
                filled2.insert((level1.string(r) ?? "") + "/" + (level2.string(r) ?? ""))
            }
            for r in coverageByProject[p] where (coverageCount.integer(r) ?? 0) == 0 {
                listed.insert((coverageLevel1.string(r) ?? "") + "/" + (coverageLevel2.string(r) ?? ""))
                listed.insert(coverageLevel1.string(r) ?? "")
            }
            if rows.isEmpty {
                add(.missingCategory, nil, nil, "no filled indicator at all: the guidance asks for 产出, 效益 and 满意度 indicators", row: nil)
            } else {
                for category in Self.requiredLevel1 where !filled.contains(category) {
                    let blank = listed.contains(category) ? "listed but left blank" : "not in the table"
                    add(.missingCategory, category, nil, "no \(category) indicator (\(blank)): the guidance asks for 产出, 效益 and 满意度 indicators", row: nil)
                }
                for (parent, children) in Self.requiredLevel2.sorted(by: { $0.key < $1.key }) where filled.contains(parent) {
                    for child in children where !filled2.contains(parent + "/" + child) {
                        let blank = listed.contains(parent + "/" + child) ? "listed but left blank" : "not in the table"
                        add(.missingCategory, parent + "/" + child, nil, "no \(child) under \(parent) (\(blank))", row: nil)
                    }
                }
            }
            for r in rows {
                let l1 = level1.string(r) ?? "", l2 = level2.string(r) ?? ""
                let indicator = name.string(r) ?? fullName.string(r) ?? ""
                let target = annual.string(r) ?? ""
                let readKind = kind.string(r) ?? ""
                let isCost = l2.contains("成本") || l1.contains("成本")
                let category = l2.isEmpty ? l1 : l2
                if Self.measurable.contains(l2) || isCost, readKind == "qualitative", !target.isEmpty {
                    add(.qualitativeOnly, category, indicator, "\(category) `\(indicator)` has only a qualitative target `\(target)`; the guidance asks for a measurable value", row: r)
                }
                if readKind == "numeric", value.integer(r) != nil, (unit.string(r) ?? "").isEmpty {
                    add(.noUnit, category, indicator, "`\(indicator)` has the quantity `\(target)` without a unit (人, 个, 万元, …)", row: r)
                }
                if isCost {
                    let u = unit.string(r) ?? ""
                    let isMoney = Self.moneyUnits.contains(u) || Self.moneyUnits.contains(where: { u.hasPrefix($0 + "/") })
                    if target.isEmpty {
                        add(.costWithoutAmount, category, indicator, "成本指标 `\(indicator)` has no target", row: r)
                    } else if readKind != "qualitative", !isMoney {
                        add(.costWithoutAmount, category, indicator, "成本指标 `\(indicator)` states no amount in 元 (`\(target)`)", row: r)
                    }
                }
                if l1 == "满意度指标", readKind == "percent", let v = value.decimal(r), v < Self.satisfactionFloor,
                   ["≥", ">", nil].contains(cmp.string(r)) {
                    add(.lowSatisfaction, l2, indicator, "satisfaction target `\(target)` is below \(Self.satisfactionFloor)%", row: r)
                }
            }
            // A multi-year project whose 实施周期 targets merely repeat the annual ones.
            if let start = startYear.integer(p), let end = endYear.integer(p), end > start {
                let paired = rows.filter { !(annual.string($0) ?? "").isEmpty && !(period.string($0) ?? "").isEmpty }
                if !paired.isEmpty, paired.allSatisfy({ annual.string($0) == period.string($0) }) {
                    add(.periodEqualsYear, nil, nil, "a \(end - start + 1)-year project (\(start)–\(end)) whose 实施周期 targets are the annual ones, all \(paired.count)", row: nil)
                }
            }
            let order = Dictionary(uniqueKeysWithValues: Rule.allCases.enumerated().map { ($1, $0) })
            found += projectFindings.enumerated().sorted { (order[$0.element.rule] ?? 0, $0.offset) < (order[$1.element.rule] ?? 0, $1.offset) }.map(\.element)
        }
        return found
    }

    func table() -> Table {
        let projects = inputs.projects
        let years = ColumnView(projects, "year"), names = ColumnView(projects, "name"), departments = ColumnView(projects, "department")
        let sources = ColumnView(projects, "source")
        var c = [
            ColumnAppender("project_id", ["项目编号"], .int), ColumnAppender("year", ["年度"], .int), ColumnAppender("project", ["项目名称", "项目"], .string),
            ColumnAppender("department", ["主管部门"], .string), ColumnAppender("rule", ["规则"], .string), ColumnAppender("category", ["指标类别"], .string),
            ColumnAppender("indicator", ["三级指标", "指标名称"], .string), ColumnAppender("finding", ["问题", "发现"], .text),
            ColumnAppender("source", ["来源文件"], .string), ColumnAppender("line", ["行号"], .int), ColumnAppender("position", ["位置"], .string),
        ]
        for f in findings() {
            c[0].append(integer: Int64(f.project + 1)); c[1].append(integer: years.integer(f.project)); c[2].append(string: names.string(f.project))
            c[3].append(string: departments.string(f.project)); c[4].append(string: f.rule.rawValue); c[5].append(string: f.category)
            c[6].append(string: f.indicator); c[7].append(string: f.text); c[8].append(string: sources.string(f.project))
            c[9].append(integer: f.line); c[10].append(string: f.position)
        }
        return Table(name: "findings", aliases: ["目标质量", "审核发现"], columns: c.indices.map { c[$0].finish() })
    }
}
