import BudgetCore
/// One project of one budget year, as read from a 项目绩效目标表.
public struct ProjectRecord: Sendable {
    public var year: Int
    public var name: String
    public var type: String?
    public var level: String?
    public var department: String?
    public var unit: String?
    public var startYear: Int?
    public var endYear: Int?
    /// 预算金额 in fen (1/100 yuan), exact.
    public var budgetFen: Int64
    public var goalPeriod: String?
    public var goalYear: String?
    public var regions: [String]
    public var source: String
    public var line: Int
    public var origin: Origin
    public var indicators: [IndicatorRecord]
    /// Every (一级, 二级) category the table lists, filled or left blank.
    public var coverage: [CoverageRecord]
}

/// One filled 三级 indicator.
public struct IndicatorRecord: Sendable {
    public var level1: String
    public var level2: String
    public var name: String
    public var periodTarget: String
    public var annualTarget: String
    public var reading: TargetReading
    public var line: Int
}

/// A category present in a table, with how many indicators fill it (0 for a blank placeholder row).
public struct CoverageRecord: Sendable, Equatable {
    public var level1: String
    public var level2: String
    public var indicatorCount: Int
    public var line: Int
}
