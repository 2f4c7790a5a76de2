import BudgetCore

/// The indicator block of a table: its header's columns, and the rows under it.
///
/// Columns are found by their header names (synonyms in `labels.tsv`), wherever they are. A target may
/// be one cell (`≥90%`) or split over 指标性质/符号, 指标值 and 计量单位 cells (`=` `100` `%`), read as one.
/// Two groups side by side (`二级指标(长期) … 指标值(年度)`): the annual group gives the indicators, the
/// other its period targets. Columns with no known header and no 指标值 column at all (one target per
/// recipient) give the target when they agree and are kept in `extra` either way.
struct IndicatorBlock {
    var context: TableReader.Context
    let labels: LabelBook
    let header: [String]
    private(set) var position: SourcePosition

    var level1Column: Int?
    var level2Column: Int?
    var nameColumn: Int?
    var annualColumn: Int?
    var periodColumn: Int?
    var operatorColumn: Int?
    var natureColumns: [Int] = []
    var measureColumn: Int?
    var weightColumn: Int?
    var actualColumn: Int?
    var scoreColumn: Int?
    var standardColumn: Int?
    var noteColumn: Int?
    var explanationColumn: Int?
    /// Columns with a header budgetq does not know (per-recipient targets, for example).
    var otherColumns: [Int] = []
    /// A flat sheet's project columns.
    var projectColumn: Int?
    var unitColumn: Int?
    var departmentColumn: Int?
    var typeColumn: Int?
    var periodYearsColumn: Int?
    var yearColumn: Int?
    var startYearColumn: Int?
    var endYearColumn: Int?
    var budgetColumn: Int?
    var budgetHeader = ""
    var fiscalColumn: Int?
    private var budgetRank = Int.max
    /// A flat sheet's other amount columns (项目总金额 beside 本年预算): kept in projects.extra.
    var otherProjectColumns: [(Int, String)] = []
    /// A flat sheet's project columns budgetq has no field for (项目编码): kept in projects.extra.
    var projectExtraColumns: [(Int, String)] = []
    /// `服务老年人数：≥800人` in the 三级 cell, when there is no 指标值 column.
    var namesHoldTargets: Bool { annualColumn == nil && otherColumns.isEmpty }
    var goalColumn: Int?
    /// The month a monitoring table's actuals stand at (`1-7月完成值` → 7).
    var actualsAsOfMonth: Int?

    var level1 = "", level1Raw = "", level2 = "", level2Raw = ""
    var level1Seen: Set<String> = []

    var hasProjectColumn: Bool { projectColumn != nil }
    /// The leftmost indicator column; a filled cell left of it is not an indicator row. Worked
    /// out once, when the header is read (the columns do not change after).
    private(set) var firstColumn = 0
    /// `LabelText.squash` of each header cell, compared with the rows' first cells.
    private var squashedHeader: [String] = []

    /// The block for this header, as `init` reads it; read once per distinct header of a document
    /// (the same template repeats its header on every table: reading its columns was ~4 % of
    /// loading, issue 13) and copied for the next table with the same header bytes.
    static func reading(header: [String], position: SourcePosition, labels: LabelBook, context: TableReader.Context) -> IndicatorBlock {
        if let template = context.cellLabels.indicatorHeader(header) {
            var block = template
            block.position = position
            block.context = context
            if block.nameColumn == nil { block.warnNoNameColumn() }
            return block
        }
        let block = IndicatorBlock(header: header, position: position, labels: labels, context: context)
        var template = block
        template.context.diagnostics.removeAll()
        context.cellLabels.remember(indicatorHeader: header, template)
        return block
    }

    private mutating func warnNoNameColumn() {
        context.warning(position, "the indicator header has no 三级指标 column; indicator names cannot be read")
    }

    init(header: [String], position: SourcePosition, labels: LabelBook, context: TableReader.Context) {
        self.header = header
        self.position = position
        self.labels = labels
        self.context = context
        var annualGroup: [LabelField: Int] = [:], periodGroup: [LabelField: Int] = [:], plain: [LabelField: Int] = [:]
        for (i, cell) in header.enumerated() where !cell.isEmpty {
            let label = context.cellLabels.label(cell)
            if let f = labels.field(label, in: [.project]), [.projectName, .unit, .department, .type, .ignore, .period, .year, .startYear, .endYear].contains(f) {
                switch f {
                case .year: yearColumn = yearColumn ?? i
                case .startYear: startYearColumn = startYearColumn ?? i
                case .endYear: endYearColumn = endYearColumn ?? i
                case .projectName: projectColumn = i
                case .unit: unitColumn = unitColumn ?? i
                case .department: departmentColumn = departmentColumn ?? i
                case .type: typeColumn = typeColumn ?? i
                case .period: periodYearsColumn = periodYearsColumn ?? i
                default: break
                }
                continue
            }
            if let f = labels.field(label, in: [.goal]), f == .goalYear || f == .goalPeriod || f == .goalBlock {
                goalColumn = i
                continue
            }
            if labels.field(label, in: [.project]) == .extra {
                projectExtraColumns.append((i, cell))
                continue
            }
            guard let field = labels.field(label, in: [.indicator]) else {
                // The annual amount before an initial one before the row header (年度预算数) before the whole.
                if let f = labels.field(label, in: [.money]), let rank = IndicatorBlock.budgetRanks[f] {
                    if rank < budgetRank {
                        if let old = budgetColumn { otherProjectColumns.append((old, budgetHeader)) }
                        budgetColumn = i
                        budgetHeader = cell
                        budgetRank = rank
                    } else {
                        otherProjectColumns.append((i, cell))
                    }
                    continue
                }
                if let f = labels.field(label, in: [.money]), f == .fundsFiscal || f == .fundsFiscalYear {
                    fiscalColumn = i
                    continue
                }
                otherColumns.append(i)
                continue
            }
            // Over bytes where that reads the same (plain scalars, `isPlainScalar`): Foundation's
            // `contains` compared character clusters, ~1.8 % of loading (issue 13).
            let tags = label.tags.joined()
            let plainTags = tags.isPlainText
            let isPeriod = ["长期", "中期", "实施期", "实施周期"].contains { plainTags ? tags.hasBytes($0) : tags.contains($0) }
            let isAnnual = ["年度", "当年", "本年"].contains { plainTags ? tags.hasBytes($0) : tags.contains($0) }
            switch field {
            case .nature: natureColumns.append(i)
            case .indicatorBlock, .treeItem: break
            default:
                if isPeriod { periodGroup[field] = periodGroup[field] ?? i } else if isAnnual { annualGroup[field] = annualGroup[field] ?? i } else if plain[field] == nil { plain[field] = i }
            }
        }
        func column(_ field: LabelField) -> Int? { annualGroup[field] ?? plain[field] ?? (annualGroup.isEmpty ? periodGroup[field] : nil) }
        level1Column = column(.level1)
        level2Column = column(.level2)
        nameColumn = column(.level3)
        annualColumn = column(.annualTarget)
        periodColumn = plain[.periodTarget] ?? periodGroup[.annualTarget] ?? periodGroup[.periodTarget] ?? annualGroup[.periodTarget]
        operatorColumn = column(.operatorColumn)
        measureColumn = column(.measure)
        weightColumn = column(.weight)
        actualColumn = column(.actual)
        // `1-7月完成值`: a monitoring table's actuals are as of the end of July.
        if let actual = actualColumn, let span = context.cellLabels.label(header[actual]).tags.first(where: { $0.contains("月") }) {
            let digits = span.reversed().drop { !$0.isNumber }.prefix { $0.isASCII && $0.isNumber }
            if let month = Int(String(digits.reversed())), (1...12).contains(month) { actualsAsOfMonth = month }
        }
        scoreColumn = column(.score)
        standardColumn = column(.standard)
        noteColumn = column(.note)
        explanationColumn = column(.explanation)
        // The period group's other columns (二级指标(长期), 三级指标(长期)) are not recipients.
        let periodColumns = Set(periodGroup.values)
        otherColumns.removeAll { periodColumns.contains($0) }
        if nameColumn == nil, let explanation = explanationColumn {
            // `指标内容` heads the names when there is no 三级指标 column.
            nameColumn = explanation
            explanationColumn = nil
        }
        if nameColumn == nil { warnNoNameColumn() }
        firstColumn = [level1Column, level2Column, nameColumn].compactMap { $0 }.min() ?? 0
        squashedHeader = header.map(LabelText.squash)
    }

    /// The annual amount before an initial one before the row header (年度预算数) before the whole.
    private static let budgetRanks: [LabelField: Int] = [.budget: 0, .budgetInitial: 1, .moneyRowHeader: 2, .budgetTotal: 3]

    /// A header whose groups sit on the row above (`中期绩效指标 | | | 年度绩效指标` over `二级 | 三级 | 指标值 | 二级 …`):
    /// each column takes its group as a note (`二级指标(中期)`), and an empty cell takes the text above it.
    static func mergingGroupRow(_ above: [String], into header: [String], labels: LabelBook) -> [String] {
        let groupWords = ["中期", "长期", "实施期", "实施周期", "年度", "当年", "本年"]
        var groups: [(column: Int, tag: String)] = []
        for (i, cell) in above.enumerated() where !cell.isEmpty {
            let key = LabelText.parse(cell).key
            if key.hasBytes("指标") || key.hasBytes("目标"), let word = groupWords.first(where: { key.hasPrefix($0) }) { groups.append((i, word)) }
        }
        guard !groups.isEmpty else { return header }
        var merged = header
        // `groups` is in column order: a cursor finds the group at or left of `i` (a search per column was quadratic).
        var g = -1
        for i in 0..<max(header.count, above.count) {
            if i >= merged.count { merged.append("") }
            while g + 1 < groups.count, groups[g + 1].column <= i { g += 1 }
            let isGroupColumn = g >= 0 && groups[g].column == i
            if merged[i].isEmpty, i < above.count, !isGroupColumn { merged[i] = above[i]; continue }
            guard g >= 0, !merged[i].isEmpty else { continue }
            let group = groups[g]
            if let f = labels.field(LabelText.parse(merged[i]), in: [.indicator]), [.level2, .level3, .annualTarget].contains(f) {
                merged[i] += "(\(group.tag))"
            }
        }
        return merged
    }

    /// A row that ends the block: 合计, 评价结论, notes, signatures, or any row with a cell left of the indicator columns.
    func endsBlock(_ row: TableRow, first: Int) -> Bool {
        let cellLabels = context.cellLabels
        if cellLabels.field(row, first, in: [.row, .project]).map({ $0 == .rowEnd || $0 == .ignore }) == true { return true }
        // `项目负责人签字：`, `填报日期：2023年10月`: the signature lines under a table.
        // Only a cell that reads as a label (a trailing colon) or asks for a signature: an indicator may
        // well be named 项目负责人到岗率.
        let raw = row.cells[first]
        if raw.hasSuffixBytes(":") || raw.hasSuffixBytes("：") || raw.hasBytes("签字") || raw.hasBytes("签章") {
            let lead = cellLabels.label(row, first)
            for word in ["负责人", "签字", "签章", "填表人", "填报人", "填报日期", "联系电话", "审核人"] where lead.key.utf8.count <= 36 && lead.key.hasBytes(word) {
                return true
            }
        }
        let squashed = cellLabels.squashed(row, first)
        for prefix in ["注:", "说明:", "备注:", "附件"] where squashed.hasPrefixBytes(prefix) { return true }
        if first < firstColumn, hasProjectColumn == false {
            // A merged 绩效指标 cell repeated on each row is not a new row label.
            if first < header.count, squashedHeader[first] == squashed { return false }
            return true
        }
        return false
    }

    /// The last cell of a row the document stops in: a category that is no category (`服务对象满`) with
    /// nothing after it, or an indicator without its target. Nil when the row looks whole.
    func cutOffCell(_ cells: [String]) -> String? {
        func cell(_ i: Int?) -> String { i.map { $0 < cells.count ? cells[$0] : "" } ?? "" }
        let l1 = cell(level1Column), l2 = cell(level2Column)
        var name = cell(nameColumn)
        // `名称：目标` in one cell: only the name part says whether the row was cut off.
        if namesHoldTargets, let colon = name.firstIndex(where: { $0 == ":" || $0 == "：" }), colon != name.startIndex {
            name = String(name[..<colon]).trimmed
        }
        if name.isEmpty, !l2.isEmpty, labels.level2Category(l2) == nil { return l2 }
        if name.isEmpty, l2.isEmpty, !l1.isEmpty, labels.level1Category(l1) == nil { return l1 }
        if !name.isEmpty, targetText(cells).isEmpty, annualColumn != nil { return name }
        return nil
    }

    func hasIndicatorCells(_ cells: [String]) -> Bool {
        [level1Column, level2Column, nameColumn, annualColumn].contains { i in i.map { $0 < cells.count && !cells[$0].isEmpty } ?? false }
    }

    /// `一级指标：产出指标` on a row of its own: the category of the rows below (a header without a 一级 column).
    mutating func readSectionRow(_ row: TableRow) -> Bool {
        guard row.filledCount == 1, let first = row.firstFilled else { return false }
        return readSectionRow(text: row.cells[first])
    }

    /// `readSectionRow` of a row whose one filled cell is `text`.
    mutating func readSectionRow(text: String) -> Bool {
        guard text.hasColonBytes, let colon = text.firstIndex(where: { $0 == ":" || $0 == "：" }) else { return false }
        let label = context.cellLabels.field(String(text[..<colon]), in: [.indicator])
        let value = String(text[text.index(after: colon)...]).trimmed
        guard !value.isEmpty else { return false }
        if label == .level1 {
            level1 = labels.level1Category(value) ?? LabelText.parse(value).key
            level1Raw = value
            level2 = ""; level2Raw = ""
            level1Seen.insert(level1)
            return true
        }
        if label == .level2 {
            level2 = labels.level2Category(value) ?? LabelText.parse(value).key
            level2Raw = value
            return true
        }
        return false
    }

    mutating func readRow(_ row: TableRow, position: SourcePosition, into draft: inout ProjectDraft) {
        if readSectionRow(row) { return }
        let cells = row.cells
        func cell(_ i: Int?) -> String { i.map { $0 < cells.count ? cells[$0] : "" } ?? "" }
        let l1 = cell(level1Column), l2 = cell(level2Column)
        var name = cell(nameColumn)
        var inlineTarget: String?
        if namesHoldTargets, let colon = name.firstIndex(where: { $0 == ":" || $0 == "：" }), colon != name.startIndex {
            inlineTarget = String(name[name.index(after: colon)...]).trimmed
            name = String(name[..<colon]).trimmed
        }
        if !l1.isEmpty, let column = level1Column {
            // The cell's categories, looked up when the row was prepared.
            let category = context.cellLabels.category(row, column)
            let canonical = category.level1 ?? category.key
            if category.level1 == nil, category.level2 == nil {
                context.warning(position.at(column: level1Column ?? 0), "一级指标 `\(l1)` is not one of 产出指标, 效益指标, 满意度指标, 成本指标; kept as published")
            }
            let same = canonical == level1
            if !same { level2 = ""; level2Raw = "" }
            // Seen already when it is the current one (`level1` is only ever set with an insert).
            if !same || canonical.isEmpty { level1Seen.insert(canonical) }
            level1 = canonical
            level1Raw = l1
        }
        if !l2.isEmpty, let column = level2Column {
            let category = context.cellLabels.category(row, column)
            level2 = category.level2 ?? category.key
            level2Raw = l2
        }
        let target = inlineTarget ?? targetText(cells)
        if name.isEmpty {
            if !target.isEmpty {
                context.warning(position, "target `\(target)` has no 三级指标 name; row not read")
            } else if !l1.isEmpty || !l2.isEmpty {
                draft.noteCoverage(level1: level1, level2: level2, filled: false, line: position.lineNumber, texts: context.cellLabels)
            }
            return
        }
        if level1.isEmpty || level2.isEmpty {
            context.warning(position, "indicator `\(name)` has no \(level1.isEmpty ? "一级" : "二级")指标 above it")
        }
        var record = IndicatorRecord(level1: level1, level2: level2, name: name, periodTarget: cell(periodColumn),
                                     annualTarget: target, reading: .qualitative, line: position.lineNumber)
        record.level1Raw = level1Raw
        record.level2Raw = level2Raw
        record.shortName = IndicatorBlock.shortName(name)
        if case .line = position {} else { record.position = position.description }
        for i in natureColumns.prefix(while: { $0 < cells.count }) where !cell(i).isEmpty {
            let text = LabelText.squash(cell(i))
            if text.hasPrefixBytes("正向") { record.direction = "正向" } else if text.hasPrefixBytes("反向") { record.direction = "反向" } else if !IndicatorBlock.isOperator(text), i < header.count {
                // `定量` / `定性` and other natures: kept.
                record.extra.append("\(squashedHeader[i]): \(cell(i))")
            }
        }
        let weight = cell(weightColumn), score = cell(scoreColumn)
        if !weight.isEmpty {
            record.weight = CellValues.points(weight)
            if record.weight == nil { context.warning(position.at(column: weightColumn ?? 0), "分值 `\(weight)` of `\(name)` is not a number") }
        }
        if !score.isEmpty {
            record.score = CellValues.points(score)
            if record.score == nil { context.warning(position.at(column: scoreColumn ?? 0), "得分 `\(score)` of `\(name)` is not a number") }
        }
        let actual = cell(actualColumn)
        record.actual = actual.isEmpty ? nil : actual
        record.standard = nonEmpty(cell(standardColumn))
        record.note = nonEmpty(cell(noteColumn))
        record.explanation = nonEmpty(cell(explanationColumn))
        for i in otherColumns.prefix(while: { $0 < cells.count }) where !cell(i).isEmpty && i < header.count {
            record.extra.append("\(squashedHeader[i]): \(cell(i))")
        }
        if target.isEmpty { context.warning(position, "indicator `\(name)` has no target (指标值)") }
        draft.noteCoverage(level1: level1, level2: level2, filled: true, line: position.lineNumber, texts: context.cellLabels)
        draft.indicators.append(.init(record: record, targetText: target, actualText: record.actual, position: position))
    }

    private func nonEmpty(_ s: String) -> String? { s.isEmpty ? nil : s }

    /// The annual target as one text: the 指标值 cell, with an operator and a unit from their own columns.
    func targetText(_ cells: [String]) -> String {
        func cell(_ i: Int?) -> String { i.map { $0 < cells.count ? cells[$0] : "" } ?? "" }
        var value = cell(annualColumn)
        if annualColumn == nil {
            // Only the columns the row reaches: a wide header times many rows was quadratic.
            let reached = otherColumns.prefix(while: { $0 < cells.count })
            let values = reached.map { cell($0) }.filter { !$0.isEmpty }
            if let first = values.first, values.allSatisfy({ $0 == first }) { value = first } else if !values.isEmpty {
                value = reached.compactMap { i in cell(i).isEmpty || i >= header.count ? nil : "\(LabelText.squash(header[i])) \(cell(i))" }.joined(separator: "; ")
            }
        }
        if value.isEmpty { return "" }
        var op = cell(operatorColumn)
        if op.isEmpty {
            for i in natureColumns.prefix(while: { $0 < cells.count }) where IndicatorBlock.isOperator(cell(i)) { op = cell(i); break }
        }
        if !op.isEmpty, !IndicatorBlock.isOperator(op) { op = "" }
        // The first `Character` is only looked at when the first scalar is one of the operators: no
        // other first scalar starts a `Character` equal to one of them.
        let startsWithOperator = value.unicodeScalars.first.map { "=≥≤<>≠≈±".unicodeScalars.contains($0) } == true
            && value.first.map { "=≥≤<>≠≈±".contains($0) } == true
        var text = startsWithOperator || op == "定性" ? value : op + value
        let unit = cell(measureColumn)
        if !unit.isEmpty, unit != value, !value.hasSuffix(unit) { text += unit }
        return text
    }

    static func isOperator(_ text: String) -> Bool {
        ["=", "≥", "≤", ">", "<", ">=", "<=", "≠", "≈", "±", "＝", "＞", "＜", "≧", "≦"].contains(LabelText.squash(text))
    }

    /// The name without ★ marks, `指标1:` prefixes and template hints such as `(≥**%)` or `≥**人`.
    static func shortName(_ name: String) -> String {
        // Most names carry none of these; the work below is for those that do. Asked of the bytes:
        // `*` (2A), ★ (E2 98 85), ☆ (E2 98 86).
        guard name.hasPrefixBytes("指标") || name.hasBytes("*") || name.hasBytes("★") || name.hasBytes("☆") else { return name.trimmed }
        var text = String(name.unicodeScalars.filter { $0 != "★" && $0 != "☆" })
        text = text.trimmed
        // `指标1:` / `指标1：`
        if text.hasPrefix("指标") {
            let rest = text.dropFirst(2)
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            let after = rest.dropFirst(digits.count)
            if !digits.isEmpty, let c = after.first, c == ":" || c == "：" { text = String(after.dropFirst()).trimmed }
        }
        // Parentheticals holding `**` (template hints), and a trailing `≥**人`.
        var out = ""
        var group = ""
        var depth = 0
        for c in text {
            if c == "(" || c == "（" {
                depth += 1
                group.append(c)
            } else if (c == ")" || c == "）") && depth > 0 {
                group.append(c)
                depth -= 1
                if depth == 0 {
                    if !group.hasBytes("**") { out += group }
                    group = ""
                }
            } else if depth > 0 {
                group.append(c)
            } else {
                out.append(c)
            }
        }
        out += group
        if let star = out.range(of: "**") {
            var cut = star.lowerBound
            while cut > out.startIndex, "≥≤<>=".contains(out[out.index(before: cut)]) { cut = out.index(before: cut) }
            let tail = out[star.upperBound...]
            if tail.count <= 6 { out = String(out[..<cut]) }
        }
        while out.hasSuffix("。") || out.hasSuffix(".") { out.removeLast() }
        return out.trimmed.isEmpty ? name : out.trimmed
    }
}
