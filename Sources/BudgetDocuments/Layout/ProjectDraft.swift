import BudgetCore

/// What a table has said about one project so far; turned into a `ProjectRecord` when the table ends.
struct ProjectDraft {
    /// An amount cell whose unit may only be known once the whole table is read (a caption can follow it).
    struct AmountCell {
        var amount: CellValues.Amount
        var labelMultiplier: Int64?
        var text: String
        var position: SourcePosition
    }

    var position: SourcePosition
    var name: String?
    var namePosition: SourcePosition?
    var type: String?
    var level: String?
    var department: String?
    var departmentCode: String?
    var unit: String?
    var unitCode: String?
    var startYear: Int?
    var endYear: Int?
    var periodPosition: SourcePosition?
    var goalPeriod: String?
    var goalYear: String?
    var goalResult: String?
    var labelYear: Int?
    /// 填报日期 as (year, month), when published.
    var filed: (year: Int, month: Int?)?
    /// A 预算年度 field or column.
    var declaredYear: Int?
    var extra: [String] = []

    var budget: AmountCell?
    var budgetTotal: AmountCell?
    var budgetInitial: AmountCell?
    var budgetAdjusted: AmountCell?
    var spent: AmountCell?
    var fiscal: AmountCell?
    var fiscalYear: AmountCell?
    var other: [AmountCell] = []
    var otherYear: AmountCell?
    var spentRate: ExactDecimal?
    var moneyWeight: ExactDecimal?
    var moneyScore: ExactDecimal?
    /// A self-evaluation's 总分 row (分值 and 得分 totals) and 自评等级, as published.
    var publishedTotalWeight: ExactDecimal?
    var publishedTotalScore: ExactDecimal?
    var publishedGrade: String?
    var actualsAsOfMonth: Int?

    var indicators: [PendingIndicator] = []
    var coverage: [CoverageRecord] = []
    /// `coverage`'s index by (一级, 二级): a linear search per row was quadratic in distinct categories.
    private var coverageIndex: [Int: Int] = [:]
    var endsEarly = false
    /// Amounts that could not be read (already reported), so a missing budget is not reported twice.
    var amountErrors = 0
    /// A columnar money block's total row has been read.
    var moneyTotalRowRead = false
    /// The column of the annual amount's value, where its 财政拨款 and 其他资金 stand too.
    var budgetValueColumn: Int?
    /// Labels budgetq does not know that hold an amount (a budget may hide behind one).
    var unknownAmountLabels: [String] = []

    init(position: SourcePosition) { self.position = position }

    /// An indicator row read, whose target is read once the budget year is known.
    struct PendingIndicator {
        var record: IndicatorRecord
        var targetText: String
        var actualText: String?
        var position: SourcePosition
    }

    mutating func noteCoverage(level1: String, level2: String, filled: Bool, line: Int, texts: CellLabels) {
        // Keyed by the document's numbers for the two texts: hashing the pair of non-ASCII strings
        // (with Unicode normalisation) per indicator row was ~3 % of loading (issue 13).
        let key = texts.textNumber(level1) << 32 | texts.textNumber(level2)
        if let i = coverageIndex[key], i < coverage.count {
            if filled { coverage[i].indicatorCount += 1 }
            return
        }
        coverageIndex[key] = coverage.count
        coverage.append(CoverageRecord(level1: level1, level2: level2, indicatorCount: filled ? 1 : 0, line: line))
    }

    mutating func setText(_ field: LabelField, _ value: String, reader: inout TableReader.Context, at position: SourcePosition) {
        func assign(_ slot: inout String?, _ label: String) {
            if let old = slot, old != value {
                reader.warning(position, "\(label) appears twice (`\(old)`, then `\(value)`); the first is kept, the second goes to projects.extra")
                extra.append("\(label): \(value)")
                return
            }
            slot = value
        }
        switch field {
        case .projectName: assign(&name, "项目名称"); if namePosition == nil { namePosition = position }
        case .type:
            // `(31)部门预算项目`: the code is kept apart from the type.
            let (code, rest) = CellValues.splitCode(value)
            if type == nil, let code { extra.append("项目类型编码: \(code)") }
            if let old = type, old != rest { extra.append("项目类型: \(value)") } else { type = rest }
        case .level: assign(&level, "项目等级")
        case .department:
            let (code, rest) = CellValues.splitCode(value)
            if department == nil { department = rest; departmentCode = code } else if department != rest { extra.append("主管部门: \(value)") }
        case .unit:
            let (code, rest) = CellValues.splitCode(value)
            if unit == nil { unit = rest; unitCode = code } else if unit != rest { extra.append("实施单位: \(value)") }
        case .goalPeriod: Self.join(&goalPeriod, value)
        case .goalYear, .goalBlock: Self.join(&goalYear, value)
        case .goalResult: Self.join(&goalResult, value)
        default: break
        }
    }

    /// Appends in place: building a new string per goal row was quadratic in the goal's length.
    private static func join(_ slot: inout String?, _ text: String) {
        if slot?.isEmpty ?? true { slot = text; return }
        slot?.append("\n")
        slot?.append(text)
    }
}
