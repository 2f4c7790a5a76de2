import BudgetCore

/// One project of one budget year, as read from a table of the 项目绩效目标表 family.
public struct ProjectRecord: Sendable {
    public var year: Int
    public var name: String
    public var type: String?
    public var level: String?
    public var department: String?
    /// A code published with the department, such as `015001` in `[015001]武汉市青山区教育局`.
    public var departmentCode: String?
    public var unit: String?
    public var unitCode: String?
    public var startYear: Int?
    public var endYear: Int?
    /// The annual budget in fen (1/100 yuan), exact; nil when the table publishes no amount.
    public var budgetFen: Int64?
    public var goalPeriod: String?
    public var goalYear: String?
    public var regions: [String]
    public var source: String
    public var line: Int
    public var origin: Origin
    public var indicators: [IndicatorRecord]
    /// Every (一级, 二级) category the table lists, filled or left blank.
    public var coverage: [CoverageRecord]
    /// Which template of the family: 申报, 目标, 批复, 审批, 自评 or 监控.
    public var documentKind: String = "目标"
    /// The amount unit as published (元 or 万元); amounts are converted to fen whatever it is.
    public var amountUnit: String?
    /// The other published amounts, in fen.
    public var funds = Funds()
    /// What a self-evaluation says of the whole year (年度总体目标完成情况).
    public var goalResult: String?
    /// The month a monitoring table's 完成值 stand at (`1-7月完成值` → 7); nil for a year-end table.
    public var actualsAsOfMonth: Int?
    /// A self-evaluation's published 总分 and 自评等级.
    public var published = PublishedScores()
    /// Published fields budgetq has no column for, as `label: value`.
    public var extra: [String] = []
    /// True when the document ends before the table does (a cut-off copy).
    public var endsEarly = false
    /// Where the row sits, for diagnostics (`Sheet1!B3` in a workbook).
    public var position: String?

    public init(year: Int, name: String, type: String? = nil, level: String? = nil, department: String? = nil,
                unit: String? = nil, startYear: Int? = nil, endYear: Int? = nil, budgetFen: Int64?, goalPeriod: String? = nil,
                goalYear: String? = nil, regions: [String] = [], source: String, line: Int, origin: Origin,
                indicators: [IndicatorRecord] = [], coverage: [CoverageRecord] = []) {
        self.year = year
        self.name = name
        self.type = type
        self.level = level
        self.department = department
        self.unit = unit
        self.startYear = startYear
        self.endYear = endYear
        self.budgetFen = budgetFen
        self.goalPeriod = goalPeriod
        self.goalYear = goalYear
        self.regions = regions
        self.source = source
        self.line = line
        self.origin = origin
        self.indicators = indicators
        self.coverage = coverage
    }
}

/// Amounts a table publishes besides the budget, each in fen; nil where not published.
public struct Funds: Sendable, Equatable {
    /// The whole (or mid-term) amount when the table gives one beside the annual budget.
    public var total: Int64?
    /// 年初预算 of a self-evaluation or monitoring table.
    public var initial: Int64?
    /// 调整后预算 / 全年预算数.
    public var adjusted: Int64?
    /// 预算执行数 / 全年执行数.
    public var spent: Int64?
    /// 预算执行率 as published (1 = 100%), in units of 10^-4.
    public var spentRate: ExactDecimal?
    /// 财政拨款 and 其他资金 of the annual amount.
    public var fiscal: Int64?
    public var other: Int64?
    /// The 分值 and 得分 of the 预算执行 row of a self-evaluation.
    public var weight: ExactDecimal?
    public var score: ExactDecimal?

    public init() {}
}

/// One filled 三级 indicator.
public struct IndicatorRecord: Sendable {
    /// The category name budgetq uses (`产出指标`); `level1Raw` keeps the published label (`产出指标(50分)`).
    public var level1: String
    public var level2: String
    public var name: String
    public var periodTarget: String
    public var annualTarget: String
    public var reading: TargetReading
    public var line: Int
    public var level1Raw: String = ""
    public var level2Raw: String = ""
    /// The name without ★ marks, `指标1:` prefixes and template hints such as `(≥**%)`.
    public var shortName: String = ""
    /// 正向 or 反向 where published.
    public var direction: String?
    /// 分值 / 权重 and 得分.
    public var weight: ExactDecimal?
    public var score: ExactDecimal?
    /// 完成值 / 实际完成值 as published, and how it reads.
    public var actual: String?
    public var actualReading: TargetReading?
    public var standard: String?
    public var note: String?
    public var explanation: String?
    /// Published cells budgetq has no column for, as `header: value` (per-recipient targets, for example).
    public var extra: [String] = []
    /// Where the row sits, for diagnostics.
    public var position: String?

    public init(level1: String, level2: String, name: String, periodTarget: String, annualTarget: String,
                reading: TargetReading, line: Int) {
        self.level1 = level1
        self.level2 = level2
        self.name = name
        self.periodTarget = periodTarget
        self.annualTarget = annualTarget
        self.reading = reading
        self.line = line
        self.shortName = name
        self.level1Raw = level1
        self.level2Raw = level2
    }
}

/// A category present in a table, with how many indicators fill it (0 for a blank placeholder row).
public struct CoverageRecord: Sendable, Equatable {
    public var level1: String
    public var level2: String
    public var indicatorCount: Int
    public var line: Int

    public init(level1: String, level2: String, indicatorCount: Int, line: Int) {
        self.level1 = level1
        self.level2 = level2
        self.indicatorCount = indicatorCount
        self.line = line
    }
}

/// What a self-evaluation publishes of its whole score: the 总分 row (分值 and 得分) and the grade.
public struct PublishedScores: Sendable, Equatable {
    public var totalWeight: ExactDecimal?
    public var totalScore: ExactDecimal?
    /// 优, 良, 中 or 差.
    public var grade: String?

    public init(totalWeight: ExactDecimal? = nil, totalScore: ExactDecimal? = nil, grade: String? = nil) {
        self.totalWeight = totalWeight
        self.totalScore = totalScore
        self.grade = grade
    }
}
