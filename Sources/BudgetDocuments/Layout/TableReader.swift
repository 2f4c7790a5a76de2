import BudgetCore

/// Reads one table of the family (a segment of rows) into projects.
///
/// Three layouts share the family: the usual grid (label rows, a money block, goals, then the
/// 一级/二级/三级 indicator block), the flat sheet (one row per indicator, with the project's name and
/// amount in columns of their own, several projects in one sheet) and the tree (`项目 | 指标值 | 绩效金额`,
/// the hierarchy shown by indentation only). Which one a table uses is read from its header rows.
struct TableReader {
    /// Where diagnostics go, and the document-wide settings.
    struct Context {
        let file: String
        let labels: LabelBook
        var diagnostics: [Diagnostic] = []
        /// The document's cells' label look-ups, shared by its tables.
        let cellLabels: CellLabels

        init(file: String, labels: LabelBook, cellLabels: CellLabels? = nil) {
            self.file = file
            self.labels = labels
            self.cellLabels = cellLabels ?? CellLabels(labels: labels)
        }

        mutating func warning(_ position: SourcePosition, _ message: String) {
            diagnostics.append(.at(file, position, .warning, message))
        }
        mutating func error(_ position: SourcePosition, _ message: String) {
            diagnostics.append(.at(file, position, .error, message))
        }
    }

    /// What a table said about itself outside any project: its title, year and amount unit.
    struct TableFacts {
        var title: String?
        var titleYear: Int?
        var yearLine: Int?
        var kind: String?
        var captionUnit: (multiplier: Int64, name: String)?
        var position: SourcePosition
        /// The title, year and unit came from the table before (this one has no title of its own).
        var inherited = false
    }

    var context: Context
    let isLastSegment: Bool
    /// The document holds this one table only.
    var isOnlySegment = true
    var facts: TableFacts
    var projects: [ProjectDraft] = []
    var draft: ProjectDraft
    var broken = false
    /// Whether the table reached its indicator block (a table cut off in its header did not).
    var sawIndicatorBlock = false

    private var pending: [Int: LabelField] = [:]
    /// The labels whose values wait, for their units (`预算金额(万元)`).
    private var pendingLabels: [Int: LabelText] = [:]
    /// The row above was a header of labels only, its values on the row below, column for column.
    private var pendingIsHeaderRow = false
    private var money: MoneyBlock?

    init(context: Context, segment: TableSegmenter.Segment, isLastSegment: Bool) {
        self.context = context
        self.isLastSegment = isLastSegment
        let start = segment.rows.first?.position ?? .line(1)
        facts = TableFacts(kind: segment.titleKind, position: start)
        draft = ProjectDraft(position: start)
    }

    var labels: LabelBook { context.labels }
    var cellLabels: CellLabels { context.cellLabels }

    // MARK: the header zone

    /// Reads the segment; returns the projects drafted (to be finished with the table's facts).
    mutating func read(_ rows: [TableRow]) {
        var index = 0
        while index < rows.count {
            var row = rows[index]
            if row.isOversize { broken = true; index += 1; continue }
            guard let firstFilled = row.firstFilled else { index += 1; continue }
            if row.filledCount == 1, readCaption(row.cells[firstFilled], at: row.position.at(column: firstFilled)) { index += 1; continue }
            if row.filledCount > 1 {
                // `填报单位（盖章）：… | 金额单位：万元`: a unit caption sharing its row with other cells.
                var blanked = false
                for i in row.cells.indices where !row.cells[i].isEmpty {
                    guard let unit = CellValues.captionUnit(row.cells[i]) else { continue }
                    let squashed = LabelText.squash(row.cells[i])
                    if squashed.hasPrefixBytes("单位") || squashed.hasPrefixBytes("金额单位") || squashed.hasPrefixBytes("(单位") {
                        facts.captionUnit = unit
                        row.blank(i)
                        blanked = true
                    }
                }
                if blanked { row.isIndicatorHeader = TableSegmenter(labels: labels, cellLabels: cellLabels).isIndicatorHeader(row) }
            }
            guard let first = row.firstFilled else { index += 1; continue }
            if row.isIndicatorHeader {
                sawIndicatorBlock = true
                let header = IndicatorBlock.mergingGroupRow(index > 0 ? rows[index - 1].cells : [], into: row.cells, labels: labels)
                var block = IndicatorBlock.reading(header: header, position: row.position, labels: labels, context: context)
                // `绩效指标 | 一级指标：产出指标` just above the header names the first rows' category.
                if index > 0, let last = rows[index - 1].cells.last(where: { !$0.isEmpty }) { _ = block.readSectionRow(text: last) }
                context = block.context
                block.context.diagnostics.removeAll()  // unshared: see the swaps in readIndicators/readFlat
                if let month = block.actualsAsOfMonth { draft.actualsAsOfMonth = month }
                if block.hasProjectColumn {
                    readFlat(rows[(index + 1)...], block: &block)
                } else {
                    index = readIndicators(rows, from: index + 1, block: &block)
                    continue
                }
                return
            }
            if let tree = TreeLayout(header: row, cellLabels: cellLabels) {
                sawIndicatorBlock = true
                readTree(rows[(index + 1)...], layout: tree)
                return
            }
            readHeaderRow(row, first: first, position: row.position)
            index += 1
        }
        if draft.name != nil, !sawIndicatorBlock {
            if isLastSegment {
                draft.endsEarly = true
                context.warning(rows.last?.position ?? facts.position, "the table ends early: the document stops before its 绩效指标 block (a cut-off copy?); the project is loaded without indicators")
            } else {
                context.warning(facts.position, "the table has no 绩效指标 block (no 一级指标/二级指标/三级指标 header); the project is loaded without indicators")
            }
        }
    }

    /// Title, year line, unit caption, or a one-cell `label: value` line. True when the row was one of those.
    private mutating func readCaption(_ text: String, at position: SourcePosition) -> Bool {
        if facts.title == nil || facts.inherited, let kind = TableSegmenter(labels: labels, cellLabels: cellLabels).titleKind(text) {
            facts.inherited = false
            facts.title = text
            facts.kind = kind
            facts.titleYear = firstYear(in: text)
            if let unit = CellValues.captionUnit(text) { facts.captionUnit = unit }
            return true
        }
        if let year = CellValues.yearLine(text) {
            if let old = facts.yearLine, old != year { context.warning(position, "the table names two years, \(old) and \(year); \(old) is used") } else { facts.yearLine = year }
            return true
        }
        if let unit = CellValues.captionUnit(text) {
            facts.captionUnit = unit
            // `填报单位:(盖章) 单位:万元` says nothing else worth keeping; `预算单位: X 单位:万元` would.
            // `预算单位: X 单位:万元` names a unit worth keeping; `填报单位:(盖章) 单位:万元` does not.
            var rest = text
            if let range = rest.range(of: "金额单位") ?? rest.range(of: "单位:") ?? rest.range(of: "单位：") { rest = String(rest[..<range.lowerBound]) }
            let value = rest.split(whereSeparator: { $0 == ":" || $0 == "：" }).dropFirst().joined().trimmed
            if !value.isEmpty, !["(盖章)", "（盖章）", "盖章"].contains(value) { _ = readInlinePair(rest, at: position) }
            return true
        }
        // Squashed, a text of plain scalars (`isPlainScalar`) starts with 报表编号 or 附件 only if it
        // holds 报 or 附: a goal text (most one-cell rows) need not be squashed to tell.
        if text.hasBytes("报") || text.hasBytes("附") || !text.isPlainText {
            let squashed = LabelText.squash(text)
            if squashed.hasPrefixBytes("报表编号") || squashed.hasPrefixBytes("附件") && squashed.count <= 4 { return true }
        }
        if readInlinePair(text, at: position) { return true }
        return false
    }

    /// `预算单位: 奉节县云雾土家族乡人民政府` as one cell.
    private mutating func readInlinePair(_ text: String, at position: SourcePosition) -> Bool {
        // No colon byte, no colon `Character`: most cells are no pair, and need no walk to tell.
        guard text.hasColonBytes else { return false }
        let trimmed = text.trimmed
        guard let colon = trimmed.firstIndex(where: { $0 == ":" || $0 == "：" }) else { return false }
        let label = String(trimmed[..<colon])
        let value = String(trimmed[trimmed.index(after: colon)...]).trimmed
        let parsed = cellLabels.label(label)
        guard !value.isEmpty, let field = labels.field(parsed, in: [.project, .goal, .money]) else { return false }
        assign(field, label: parsed, raw: label, value: value, at: position)
        return true
    }

    private func firstYear(in text: String) -> Int? {
        let chars = Array(LabelText.squash(text).replacingFullWidthDigits())
        var i = 0
        while i + 4 < chars.count {
            if chars[i].isASCII, chars[i].isNumber, i == 0 || !(chars[i - 1].isASCII && chars[i - 1].isNumber),
               chars[i..<(i + 4)].allSatisfy({ $0.isASCII && $0.isNumber }), chars[i + 4] == "年", let y = Int(String(chars[i..<(i + 4)])),
               (1990...2100).contains(y) {
                return y
            }
            i += 1
        }
        return nil
    }

    /// A money block: `项目资金`, `资金情况(万元)`, `预算执行情况(10分)`, `投入目标 (万元)`, with its sub-rows.
    private struct MoneyBlock {
        var multiplier: Int64?
        /// Column → field, when the block's first row is a header above columns of amounts.
        var columns: [Int: LabelField] = [:]
        var isColumnar: Bool { !columns.isEmpty }
        /// Columns with a header budgetq has no field for (`全年预计执行数`): kept in projects.extra.
        var otherColumns: [Int: String] = [:]
        /// The column whose figure is the budget (年初预算 before 全年预算数 before 资金总额).
        var basisColumn: Int?
    }

    private func isLabel(_ cell: String) -> Bool {
        !cell.isEmpty && cellLabels.field(cell, in: [.project, .money, .goal]) != nil
    }

    /// `isLabel(row.cells[i])`, from the prepared row.
    private func isLabel(_ row: TableRow, _ i: Int) -> Bool {
        !row.cells[i].isEmpty && cellLabels.field(row, i, in: [.project, .money, .goal]) != nil
    }

    private mutating func readHeaderRow(_ row: TableRow, first: Int, position: SourcePosition) {
        let cells = row.cells
        var start = first
        if first == 0, pendingIsHeaderRow, !pending.isEmpty, !isLabel(row, 0) {
            // `项目名称 | 项目类别 | 资金来源 | 预算金额` above `食品安全抽检监测 | 一般性项目 | … | 2,360,000.00`.
            for (column, field) in pending.sorted(by: { $0.key < $1.key }) where column < cells.count && !cells[column].isEmpty {
                assign(field, label: pendingLabels[column] ?? LabelText.parse(""), raw: pendingLabels[column]?.bare ?? "", value: cells[column], at: position.at(column: column))
            }
            pending.removeAll()
            pendingLabels.removeAll()
            pendingIsHeaderRow = false
            return
        }
        if first == 0, cellLabels.field(row, 0, in: [.row]) == .rowEnd {
            // A 合计 row under a small money table carries nothing new.
            pending.removeAll()
            return
        }
        if first == 0 {
            pending.removeAll()
            pendingIsHeaderRow = false
            money = nil
            let field = cellLabels.field(row, 0, in: [.money])
            // Only a money label can start a money block: the other rows need not read every cell as an amount.
            let amountsOnRow = field != nil && cells.dropFirst().contains { CellValues.amount($0) != nil }
            let moneyColumns = field == nil ? [] : cells.indices.dropFirst().filter { i in
                guard let f = cellLabels.field(row, i, in: [.money]) else { return false }
                return f != .moneyBlock && f != .moneyRowHeader
            }
            if field == .moneyBlock || field != nil && !moneyColumns.isEmpty && !amountsOnRow {
                let lead = cellLabels.label(row, 0)
                var block = MoneyBlock(multiplier: lead.unitMultiplier)
                for i in cells.indices where block.multiplier == nil { block.multiplier = cellLabels.label(row, i).unitMultiplier }
                if !amountsOnRow && !moneyColumns.isEmpty {
                    for i in moneyColumns { block.columns[i] = cellLabels.field(row, i, in: [.money]) }
                    // The column after the block's label holds the row labels (总额, 其中:财政资金), its header often empty.
                    let labelColumn = moneyColumns.contains(1) ? nil : 1
                    let moneySet = Set(moneyColumns)  // `contains` per cell on the array was quadratic on a wide row
                    for i in cells.indices.dropFirst() where !cells[i].isEmpty && !moneySet.contains(i) && i != labelColumn
                        && cellLabels.field(row, i, in: [.money]) != .moneyRowHeader {
                        block.otherColumns[i] = cells[i]
                    }
                    for wanted in [LabelField.budget, .budgetInitial, .budgetAdjusted, .budgetTotal] where block.basisColumn == nil {
                        block.basisColumn = moneyColumns.first { block.columns[$0] == wanted }
                    }
                    money = block
                    return
                }
                money = block
                start = field == .moneyBlock ? 1 : 0
                if field == .moneyBlock, let valueIndex = cells.indices.dropFirst().first(where: { !cells[$0].isEmpty }),
                   !isLabel(row, valueIndex), CellValues.amount(cells[valueIndex]) != nil || cells[valueIndex].contains(":") || cells[valueIndex].contains("：") {
                    // `项目资金 | 250` or `项目资金 | 资金总额: 250 一、财政拨款: 250 …` in one cell.
                    if !readInlineAmounts(cells[valueIndex], at: position.at(column: valueIndex)) {
                        storeAmount(.budgetTotal, label: lead, raw: cells[0], value: cells[valueIndex], at: position.at(column: valueIndex))
                    }
                    start = valueIndex + 1
                }
            } else if cellLabels.field(row, 0, in: [.goal]) == .goalBlock {
                start = 0
            }
        } else if let block = money, block.isColumnar {
            readMoneyRow(cells, block: block, position: position)
            return
        } else if !pending.isEmpty {
            // Values under the labels of the row above, column for column.
            var rest = row
            for (column, field) in pending.sorted(by: { $0.key < $1.key }) where column < cells.count && !cells[column].isEmpty && !isLabel(row, column) {
                assign(field, label: LabelText.parse(""), raw: "", value: cells[column], at: position.at(column: column))
                pending[column] = nil
                rest.blank(column)
            }
            guard let restStart = rest.firstFilled else { return }
            readPairs(rest, from: restStart, position: position)
            return
        }
        readPairs(row, from: start, position: position)
    }

    /// `label | value | label | value`; a label with no value after it waits for the row below, column for column.
    private mutating func readPairs(_ row: TableRow, from start: Int, position: SourcePosition) {
        let cells = row.cells
        var i = start
        let rowStart = row.firstFilled ?? 0
        if rowStart == 0, row.filledCount >= 2,
           cells.indices.allSatisfy({ cells[$0].isEmpty || isLabel(row, $0) || cellLabels.field(row, $0, in: [.indicator, .project]) != nil }),
           cellLabels.field(row, 0, in: [.project, .goal]).map({ $0 != .goalBlock }) == true,
           row.filledCount >= 3 || cellLabels.field(row, 0, in: [.goal]) != nil {
            // A row of labels only, starting with a project field: its values are the row below.
            pending.removeAll()
            for column in cells.indices where !cells[column].isEmpty {
                let label = cellLabels.label(row, column)
                if var field = labels.field(label, in: [.project, .money, .goal]) {
                    // 资金来源 over `一般公共预算` names the source, not an amount.
                    if field == .moneyRowHeader { field = .extra }
                    pending[column] = field
                    pendingLabels[column] = label
                }
            }
            pendingIsHeaderRow = true
            return
        }
        while i < cells.count {
            let cell = cells[i]
            if cell.isEmpty { i += 1; continue }
            let zones: LabelZone = money == nil ? [.project, .goal] : [.project, .goal, .money]
            var field = cellLabels.field(row, i, in: zones) ?? cellLabels.field(row, i, in: [.project, .goal, .money])
            // `项目资金 | 合计 | 3,456,000.00 | 财政拨款 | …`: in a money block 合计 is the whole amount.
            if field == nil, money != nil, ["合计", "总计"].contains(cellLabels.label(row, i).key) { field = .budgetTotal }
            var j = i + 1
            while j < cells.count, cells[j].isEmpty { j += 1 }
            if let field {
                if j < cells.count, !isLabel(row, j) {
                    var value = cells[j]
                    var next = j + 1
                    if field == .period {
                        // `项目起止日期 | 2024-01-01 | 至 | 2024-12-31`: the period runs on to the next label.
                        while next < cells.count, !isLabel(row, next) {
                            if !cells[next].isEmpty { value += cells[next] }
                            next += 1
                        }
                    }
                    // 中期 and 年度 amounts side by side: the 财政拨款/其他资金 under the annual amount's column count.
                    if field == .budget { draft.budgetValueColumn = j }
                    if field == .fundsFiscal, draft.fiscal != nil, j == draft.budgetValueColumn { draft.fiscal = nil }
                    if field == .fundsOther, !draft.other.isEmpty, j == draft.budgetValueColumn { draft.other.removeAll() }
                    assign(field, label: cellLabels.label(row, i), raw: cell, value: value, at: position.at(column: j))
                    i = next
                } else {
                    // A label whose value is on the row below (goals, names, years). Amounts never are:
                    // a row of money labels without values heads a sub-table (年度主要任务 | … | 预算金额).
                    if field.zone != .money { pending[i] = field }
                    i = j
                }
                continue
            }
            if readInlineAmounts(cell, at: position.at(column: i)) { i += 1; continue }
            // `项目名称：城市绿化养护` in one cell.
            if readInlinePair(cell, at: position.at(column: i)) { i += 1; continue }
            if cellLabels.field(row, i, in: [.indicator]) == .indicatorBlock {
                // The block's own label (`绩效指标`) on a row of its own: nothing to keep.
                i = j
                continue
            }
            if i == rowStart {
                // An unknown label: keep its value, and say so.
                if j < cells.count {
                    if !isLabel(row, j) {
                        context.warning(position.at(column: i), "label `\(cell)` is not one budgetq knows; its value `\(clip(cells[j]))` is kept in projects.extra (add the label to labels.tsv to read it as a field)")
                        if CellValues.amount(cells[j]) != nil { draft.unknownAmountLabels.append(cell) }
                        draft.extra.append("\(cell): \(cells[j])")
                        i = j + 1
                        continue
                    }
                } else if row.filledCount == 1 {
                    // A lone sub-heading (`绩效项目指标表`) carries nothing.
                    if !(LabelText.squash(cell).hasSuffixBytes("表") && cell.count <= 20) {
                        context.warning(position.at(column: i), "row `\(clip(cell))` is not a label budgetq knows and has no value; not read")
                    }
                    return
                }
            } else {
                context.warning(position.at(column: i), "cell `\(clip(cell))` is not under a label budgetq knows; not read")
                if j < cells.count, CellValues.amount(cells[j]) != nil, !isLabel(row, j) { draft.unknownAmountLabels.append(cell) }
            }
            i += 1
        }
    }

    private func clip(_ text: String) -> String { text.count > 40 ? String(text.prefix(40)) + "…" : text }

    /// Inline `资金总额: 250 一、预算资金:250 二、其他资金:0` pairs; true when any amount was read.
    private mutating func readInlineAmounts(_ cell: String, at position: SourcePosition) -> Bool {
        let text = LabelText.squash(cell).replacingFullWidthDigits()
        guard text.contains(":") else { return false }
        var found = false
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return false }
        // parts: label0 | value0label1 | value1label2 | … | valueN
        var label = String(parts[0])
        for k in 1..<parts.count {
            let piece = Array(parts[k])
            var cut = 0
            while cut < piece.count, piece[cut].isASCII && (piece[cut].isNumber || piece[cut] == "." || piece[cut] == ",") { cut += 1 }
            var valueEnd = cut
            for suffix in ["万元", "亿元", "元", "万"] where String(piece[cut...]).hasPrefix(suffix) { valueEnd = cut + suffix.count; break }
            let value = String(piece[0..<valueEnd])
            let parsed = LabelText.parse(label)
            if cut > 0, let field = labels.field(parsed, in: [.money]) {
                storeAmount(field, label: parsed, raw: label, value: value, at: position)
                found = true
            }
            label = String(piece[valueEnd...])
        }
        return found
    }

    private mutating func readMoneyRow(_ cells: [String], block: MoneyBlock, position: SourcePosition) {
        let found = cells.indices.first(where: { !cells[$0].isEmpty && CellValues.amount(cells[$0]) == nil && CellValues.ratio(cells[$0]) == nil })
        // A row of amounts with no label of its own (the block's label merged down over it) is the total row.
        let unlabelled = found == nil && !draft.moneyTotalRowRead
        guard let labelIndex = found ?? (unlabelled ? 0 : nil) else { return }
        let rowLabel = unlabelled ? LabelText.parse("资金总额") : LabelText.parse(cells[labelIndex])
        var rowField = labels.field(rowLabel, in: [.money])
        if rowField == nil, ["合计", "总计", "合计金额"].contains(rowLabel.key) { rowField = .budgetTotal }
        if rowField == .budget || rowField == .budgetTotal { draft.moneyTotalRowRead = true }
        var values: [String] = []
        // `项目资金 | 年初预算数 | 调整后预算数` over `| 资金总额 | 198 | 218`: the header's cells sit one to the
        // left of their amounts (the block's label spanned two columns); shift them back over the amounts.
        let firstColumn = block.columns.keys.min() ?? labelIndex + 1
        let shift = !unlabelled && labelIndex >= firstColumn ? labelIndex + 1 - firstColumn : 0
        var block = block
        if shift > 0 {
            block.columns = Dictionary(uniqueKeysWithValues: block.columns.map { ($0.key + shift, $0.value) })
            block.otherColumns = Dictionary(uniqueKeysWithValues: block.otherColumns.map { ($0.key + shift, $0.value) })
            block.basisColumn = block.basisColumn.map { $0 + shift }
        }
        for (column, field) in block.columns.sorted(by: { $0.key < $1.key }) where column < cells.count && !cells[column].isEmpty {
            let value = cells[column]
            let at = position.at(column: column)
            switch rowField {
            case .budget?, .budgetTotal?:
                storeAmount(field, label: rowLabel, raw: unlabelled ? "" : cells[labelIndex], value: value, at: at)
            case .fundsFiscal?, .fundsFiscalYear?, .fundsOther?, .fundsOtherYear?:
                if column == block.basisColumn { storeAmount(rowField ?? .fundsOther, label: rowLabel, raw: cells[labelIndex], value: value, at: at) }
            default:
                if CellValues.amount(value) != nil || CellValues.ratio(value) != nil { values.append(value) }
            }
        }
        if rowField == nil, !values.isEmpty {
            draft.extra.append("\(cells[labelIndex]): \(values.joined(separator: " / "))")
        }
        for (column, header) in block.otherColumns.sorted(by: { $0.key < $1.key }) where column < cells.count && !cells[column].isEmpty {
            draft.extra.append("\(LabelText.squash(cells[labelIndex]))\(LabelText.squash(header)): \(cells[column])")
        }
    }

    private mutating func assign(_ field: LabelField, label: LabelText, raw: String, value: String, at position: SourcePosition) {
        if let year = label.year, draft.labelYear == nil, field.zone == .money { draft.labelYear = year }
        switch field {
        case .projectName, .type, .level, .department, .unit:
            draft.setText(field, value, reader: &context, at: position)
        case .goalPeriod, .goalYear, .goalResult, .goalBlock:
            if CellValues.isTemplateHint(value) {
                context.warning(position, "`\(clip(value))` is the template's hint, not a goal; not read")
                return
            }
            draft.setText(field, value, reader: &context, at: position)
        case .period:
            if draft.periodPosition == nil { draft.periodPosition = position }
            if let (s, e) = CellValues.years(in: value) {
                if draft.startYear == nil { draft.startYear = s }
                if draft.endYear == nil { draft.endYear = e }
            } else {
                context.warning(position, "period `\(clip(value))` names no year; expected a form such as 2023.07-2024.01, 202001-202012 or 2021年至2023年")
            }
        case .startYear, .endYear:
            guard let year = CellValues.year(value) else {
                context.warning(position, "\(raw.isEmpty ? "year" : raw) `\(value)` is not a four-digit year")
                return
            }
            if field == .startYear { draft.startYear = year } else { draft.endYear = year }
            if draft.periodPosition == nil { draft.periodPosition = position }
        case .filed:
            // `2023年12月`, `2023-12-05`: the first year and the month after it.
            if let (y, _) = CellValues.years(in: value) {
                let digits = value.split { !$0.isASCII || !$0.isNumber }.compactMap { Int($0) }
                let month = digits.count >= 2 && (1...12).contains(digits[1]) ? digits[1] : nil
                draft.filed = (y, month)
            }
        case .year:
            guard let year = CellValues.year(value) ?? CellValues.yearLine(value) else {
                context.warning(position, "\(raw.isEmpty ? "预算年度" : raw) `\(value)` is not a year such as 2024")
                return
            }
            draft.declaredYear = year
        case .extra:
            draft.extra.append("\(raw.isEmpty ? "?" : LabelText.squash(raw)): \(value)")
        case .ignore, .rowEnd:
            return
        case .moneyBlock, .budget, .budgetTotal, .budgetInitial, .budgetAdjusted, .spent, .fundsFiscal, .fundsFiscalYear,
             .fundsOther, .fundsOtherYear, .spentRate, .moneyWeight, .moneyScore, .moneyRowHeader:
            storeAmount(field, label: label, raw: raw, value: value, at: position)
        default:
            context.warning(position, "`\(raw)` names an indicator column outside the indicator block; not read")
        }
    }

    private mutating func storeAmount(_ field: LabelField, label: LabelText, raw: String, value: String, at position: SourcePosition) {
        switch field {
        case .spentRate:
            guard let ratio = CellValues.ratio(value) else {
                context.warning(position, "\(raw) `\(value)` is not a percentage such as 95% or 100.00%")
                return
            }
            draft.spentRate = ratio
            return
        case .moneyWeight, .moneyScore:
            guard let points = CellValues.points(value) else {
                context.warning(position, "\(raw) `\(value)` is not a score such as 10 or 10分")
                return
            }
            if field == .moneyWeight { draft.moneyWeight = points } else { draft.moneyScore = points }
            return
        default: break
        }
        guard let amount = CellValues.amount(value) else {
            draft.amountErrors += 1
            context.error(position, "amount `\(clip(value))` under \(raw.isEmpty ? "its label" : "`\(raw)`") is not a number; expected digits such as 500,000.00, 250 or 250万")
            return
        }
        let cell = ProjectDraft.AmountCell(amount: amount, labelMultiplier: label.unitMultiplier ?? money?.multiplier, text: value, position: position)
        if let year = label.year, draft.labelYear == nil { draft.labelYear = year }
        switch field {
        case .budget, .moneyRowHeader: if draft.budget == nil { draft.budget = cell }
        case .budgetTotal, .moneyBlock: if draft.budgetTotal == nil { draft.budgetTotal = cell }
        case .budgetInitial: if draft.budgetInitial == nil { draft.budgetInitial = cell }
        case .budgetAdjusted: if draft.budgetAdjusted == nil { draft.budgetAdjusted = cell }
        case .spent: if draft.spent == nil { draft.spent = cell }
        case .fundsFiscal: if draft.fiscal == nil { draft.fiscal = cell }
        case .fundsFiscalYear: if draft.fiscalYear == nil { draft.fiscalYear = cell }
        // A columnar block's 其他资金 rows add up; in label/value pairs the first (annual) one counts.
        case .fundsOther: if draft.other.isEmpty || money?.isColumnar == true { draft.other.append(cell) }
        case .fundsOtherYear: if draft.otherYear == nil { draft.otherYear = cell }
        default: break
        }
    }

    // MARK: the indicator block (grid)

    /// Reads indicator rows until a row that ends the block; returns the index after the block.
    private mutating func readIndicators(_ rows: [TableRow], from start: Int, block: inout IndicatorBlock) -> Int {
        var index = start
        var ended = false
        var lastRow: TableRow?
        while index < rows.count {
            let row = rows[index]
            if row.isOversize { broken = true; index += 1; continue }
            guard let first = row.firstFilled else { index += 1; continue }
            // A table split over pages repeats its header (and may say 续表): not indicators.
            if row.isIndicatorHeader || row.cells[first].utf8.count <= 15 && row.cells[first].hasBytes("续表") {
                index += 1
                continue
            }
            if block.endsBlock(row, first: first) {
                ended = true
                break
            }
            // Swapped, not copied: a copy made each warning copy every diagnostic so far (quadratic).
            swap(&block.context, &context)
            block.readRow(row, position: row.position, into: &draft)
            swap(&block.context, &context)
            lastRow = row
            index += 1
        }
        if !ended, isLastSegment {
            let missing = ["产出指标", "效益指标", "满意度指标"].filter { !block.level1Seen.contains($0) }
            // A table without 满意度 rows is common enough in a file of several; alone, or without 产出/效益,
            // a table that stops at the end of the document was cut off.
            let cutOff = !missing.isEmpty && (isOnlySegment || missing != ["满意度指标"])
            if cutOff {
                draft.endsEarly = true
                context.warning(lastRow?.position ?? facts.position, "the table ends early: the document stops after this row, with no \(missing.joined(separator: "/")) rows (a cut-off copy?); the rows above are loaded")
            } else if lastRow?.isUnterminatedLastLine == true, let last = draft.indicators.last, last.targetText.isEmpty {
                draft.endsEarly = true
                // This says more than the row's own "has no target" warning.
                context.diagnostics.removeAll { $0.message == "indicator `\(last.record.name)` has no target (指标值)" && $0.line == last.position.lineNumber }
                context.warning(last.position, "the table ends early: the file stops in the middle of indicator `\(last.record.name)`")
            } else if let last = lastRow, let cut = block.cutOffCell(last.cells) {
                draft.endsEarly = true
                context.diagnostics.removeAll { $0.message == "indicator `\(cut)` has no target (指标值)" && $0.line == last.position.lineNumber }
                context.warning(last.position, "the table ends early: the document stops inside this row (`\(cut)` is cut off)")
            }
        }
        // Rows after the block (合计, 评价结论, notes, signatures) carry no indicator; a 填报日期 among
        // them may date the table, a 总分 row gives the published totals and 自评等级 the grade.
        for row in rows[min(index, rows.count)...] {
            readTotals(row, block: block)
            for cell in row.cells where cell.hasBytes("日期") {
                let trimmed = cell  // trimmed when the row was prepared
                guard let colon = trimmed.firstIndex(where: { $0 == ":" || $0 == "：" }) else { continue }
                let label = cellLabels.label(String(trimmed[..<colon]))
                if labels.field(label, in: [.project]) == .filed {
                    assign(.filed, label: label, raw: String(trimmed[..<colon]), value: String(trimmed[trimmed.index(after: colon)...]).trimmed, at: row.position)
                }
            }
        }
        return rows.count
    }

    /// `总分 | … | 100 | 97.7` (分值 and 得分 totals) or `合计 | 100`, and `自评等级 | 优`, under a
    /// self-evaluation's indicator block. One number is the 分值 total when it stands in the 分值
    /// column or equals the sum of the weights, else the 得分 total when it stands in the 得分 column.
    private mutating func readTotals(_ row: TableRow, block: IndicatorBlock) {
        let cells = row.cells
        guard let first = row.firstFilled else { return }
        let lead = cellLabels.label(row, first).key
        if ["自评等级", "评价等级", "绩效等级", "等级", "自评结果"].contains(lead) {
            if let grade = cells[(first + 1)...].first(where: { !$0.isEmpty }), ["优", "良", "中", "差"].contains(where: { grade.hasPrefix($0) }) {
                draft.publishedGrade = String(grade.prefix(1))
            }
            return
        }
        guard ["总分", "合计", "总计", "自评总分", "得分合计"].contains(lead), block.weightColumn != nil || block.scoreColumn != nil else { return }
        let numbers: [(column: Int, value: ExactDecimal)] = cells.indices.dropFirst(first + 1).compactMap { i in
            CellValues.points(cells[i]).map { (i, $0) }
        }
        guard !numbers.isEmpty, numbers.count <= 2, draft.publishedTotalScore == nil, draft.publishedTotalWeight == nil else { return }
        if numbers.count == 2 {
            draft.publishedTotalWeight = numbers[0].value
            draft.publishedTotalScore = numbers[1].value
            return
        }
        let only = numbers[0]
        let weights = draft.indicators.compactMap(\.record.weight).reduce(draft.moneyWeight?.scaled ?? 0) { $0 + $1.scaled }
        if only.column == block.weightColumn || only.value.scaled == weights {
            draft.publishedTotalWeight = only.value
        } else if only.column == block.scoreColumn {
            draft.publishedTotalScore = only.value
        }
    }

    // MARK: the flat sheet

    private mutating func readFlat(_ rows: ArraySlice<TableRow>, block: inout IndicatorBlock) {
        var currentDepartment: (code: String?, name: String)?
        var departmentTotals: [(name: String, cell: ProjectDraft.AmountCell)] = []
        var currentUnit: String?
        var started = false
        var lastPosition = facts.position
        for row in rows {
            let cells = row.cells
            guard let first = row.firstFilled else { continue }
            lastPosition = row.position
            func cell(_ i: Int?) -> String { i.map { $0 < cells.count ? cells[$0] : "" } ?? "" }
            let name = cell(block.projectColumn), unitCell = cell(block.unitColumn), amount = cell(block.budgetColumn)
            let departmentCell = cell(block.departmentColumn)
            if name.isEmpty, block.endsBlock(row, first: first) {
                // 小计/合计 rows between projects carry no project; a note (注:) ends the sheet.
                let lead = cellLabels.label(row, first).key
                if labels.field(lead, in: [.row]) == .rowEnd, !lead.hasPrefix("注") && lead != "说明" { continue }
                break
            }
            // `合计 | | 12.5` with 合计 in the 项目名称 column: a total, not a project.
            if !name.isEmpty, cellLabels.field(name, in: [.row]) == .rowEnd, !block.hasIndicatorCells(cells.enumerated().map { $0.offset == block.projectColumn ? "" : $0.element }) {
                continue
            }
            // A sheet that repeats the project on each of its indicator rows continues the same project.
            let sameProject = started && name == draft.name && (amount.isEmpty || draft.budget.map { $0.text == amount } ?? true)
            if !name.isEmpty, !sameProject {
                if started { projects.append(draft) }
                draft = ProjectDraft(position: row.position.at(column: block.projectColumn ?? 0))
                started = true
                draft.name = name
                if !unitCell.isEmpty { currentUnit = unitCell }
                if let u = currentUnit { draft.setText(.unit, u, reader: &context, at: row.position) }
                if !departmentCell.isEmpty {
                    draft.setText(.department, departmentCell, reader: &context, at: row.position.at(column: block.departmentColumn ?? 0))
                } else if let d = currentDepartment { draft.department = d.name; draft.departmentCode = d.code }
                let type = cell(block.typeColumn)
                if !type.isEmpty { draft.setText(.type, type, reader: &context, at: row.position) }
                let period = cell(block.periodYearsColumn)
                if !period.isEmpty, let (s, e) = CellValues.years(in: period) { draft.startYear = s; draft.endYear = e }
                if let y = CellValues.year(cell(block.yearColumn)) { draft.declaredYear = y }
                if let y = CellValues.year(cell(block.startYearColumn)) { draft.startYear = y }
                if let y = CellValues.year(cell(block.endYearColumn)) { draft.endYear = y }
                if !amount.isEmpty {
                    storeAmount(.budget, label: LabelText.parse(block.budgetHeader), raw: block.budgetHeader, value: amount,
                                at: row.position.at(column: block.budgetColumn ?? 0))
                }
                let goal = cell(block.goalColumn)
                if !goal.isEmpty { draft.goalYear = goal }
                let fiscal = cell(block.fiscalColumn)
                if !fiscal.isEmpty {
                    storeAmount(.fundsFiscal, label: LabelText.parse(block.budgetHeader), raw: "财政拨款", value: fiscal, at: row.position.at(column: block.fiscalColumn ?? 0))
                }
                for (column, header) in block.projectExtraColumns + block.otherProjectColumns where !cell(column).isEmpty {
                    draft.extra.append("\(LabelText.squash(header)): \(cell(column))")
                }
            } else if name.isEmpty, !(unitCell.isEmpty && departmentCell.isEmpty), !amount.isEmpty, !block.hasIndicatorCells(cells) {
                // A department total row: `820-马踏镇部门 | | 8,827,620.53`. Not a project.
                if started { projects.append(draft); started = false; draft = ProjectDraft(position: row.position) }
                let split = CellValues.splitCode(unitCell.isEmpty ? departmentCell : unitCell)
                currentDepartment = split
                if let parsed = CellValues.amount(amount) {
                    departmentTotals.append((split.name, .init(amount: parsed, labelMultiplier: nil, text: amount, position: row.position)))
                }
                continue
            }
            guard started else {
                context.warning(row.position, "row comes before the first project of the sheet; not read")
                continue
            }
            // Swapped, not copied: a copy made each warning copy every diagnostic so far (quadratic).
            swap(&block.context, &context)
            block.readRow(row, position: row.position, into: &draft)
            swap(&block.context, &context)
        }
        if started { projects.append(draft); draft = ProjectDraft(position: lastPosition) }
        // A department total larger than its projects: more projects were published than the copy holds.
        // Indexed once: filtering every project per total was quadratic.
        var byDepartment: [String: [Int]] = [:]
        for (i, p) in projects.enumerated() { if let d = p.department { byDepartment[d, default: []].append(i) } }
        for total in departmentTotals {
            let memberIndices = byDepartment[total.name] ?? []
            let members = memberIndices.map { projects[$0] }
            guard let totalFen = resolve(total.cell), !members.isEmpty else { continue }
            var sum: Int64 = 0
            var complete = true
            for m in members {
                guard let cell = m.budget, let fen = resolve(cell) else { complete = false; break }
                sum = sum.addingReportingOverflow(fen).overflow ? Int64.max : sum + fen
            }
            if complete, sum != totalFen {
                let lastIndex = memberIndices.last
                if isLastSegment, sum < totalFen, let lastIndex { projects[lastIndex].endsEarly = true }
                context.warning(isLastSegment ? lastPosition : total.cell.position,
                                "department `\(total.name)` totals \(Money.yuanText(fen: totalFen, groupThousands: true)) yuan but its \(members.count) project(s) read sum to \(Money.yuanText(fen: sum, groupThousands: true))\(isLastSegment && sum < totalFen ? "; the table ends early (a cut-off copy?)" : "")")
            }
        }
    }

    // MARK: the tree

    private mutating func readTree(_ rows: ArraySlice<TableRow>, layout: TreeLayout) {
        var started = false
        var department: String?
        var level1 = "", level1Raw = "", level2 = "", level2Raw = ""
        var level1Indent = 0
        for row in rows {
            let raw = row.grid.cells.first ?? ""
            let text = row.cells.first ?? ""
            let cells = row.cells
            func cell(_ i: Int?) -> String { i.map { $0 < cells.count ? cells[$0] : "" } ?? "" }
            let value = cell(layout.valueColumn), amount = cell(layout.amountColumn)
            if text.isEmpty && value.isEmpty && amount.isEmpty { continue }
            if !amount.isEmpty {
                if started { projects.append(draft) }
                draft = ProjectDraft(position: row.position)
                started = true
                draft.name = text
                if let department { draft.setText(.department, department, reader: &context, at: row.position) }
                storeAmount(.budget, label: LabelText.parse(layout.amountHeader), raw: layout.amountHeader, value: amount,
                            at: row.position.at(column: layout.amountColumn ?? 0))
                level1 = ""; level2 = ""
                continue
            }
            // 成本指标 is both a 一级 (newer templates) and a 二级 name: deeper than the 一级 row, it is a 二级.
            let indent = raw.prefix { $0.isWhitespace }.count
            let asLevel2 = labels.level2Category(text) != nil && !level1.isEmpty && indent > level1Indent
            if let c1 = labels.level1Category(text), value.isEmpty, !asLevel2 {
                level1 = c1; level1Raw = text; level2 = ""; level2Raw = ""
                level1Indent = indent
                continue
            }
            if let c2 = labels.level2Category(text), value.isEmpty {
                level2 = c2; level2Raw = text
                if started { draft.noteCoverage(level1: level1, level2: level2, filled: false, line: row.position.lineNumber, texts: cellLabels) }
                continue
            }
            if !started {
                if value.isEmpty { department = text } else { context.warning(row.position, "indicator `\(clip(text))` comes before any project row (one with a 绩效金额); not read") }
                continue
            }
            if value.isEmpty, level1.isEmpty {
                // A second unit or project heading without an amount.
                context.warning(row.position, "row `\(clip(text))` has neither an amount nor a 指标值; not read")
                continue
            }
            var record = IndicatorRecord(level1: level1, level2: level2, name: text, periodTarget: "", annualTarget: value,
                                         reading: .qualitative, line: row.position.lineNumber)
            record.level1Raw = level1Raw
            record.level2Raw = level2Raw
            record.shortName = IndicatorBlock.shortName(text)
            if case .line = row.position {} else { record.position = row.position.description }
            if value.isEmpty { context.warning(row.position, "indicator `\(clip(text))` has no 指标值") }
            draft.noteCoverage(level1: level1, level2: level2, filled: true, line: row.position.lineNumber, texts: cellLabels)
            draft.indicators.append(.init(record: record, targetText: value, actualText: nil, position: row.position))
        }
        if started { projects.append(draft); draft = ProjectDraft(position: facts.position) }
    }

    // MARK: finishing

    /// The amount in fen, with the unit from the cell, the label, the block or the caption.
    func resolve(_ cell: ProjectDraft.AmountCell) -> Int64? {
        let multiplier = cell.amount.cellMultiplier ?? cell.labelMultiplier ?? facts.captionUnit?.multiplier ?? 1
        return Money.parseFen(cell.amount.digits, yuanMultiplier: multiplier)
    }

    func unitName(_ cell: ProjectDraft.AmountCell) -> String? {
        if let m = cell.amount.cellMultiplier ?? cell.labelMultiplier ?? facts.captionUnit?.multiplier { return CellValues.unitName(m) }
        return nil
    }
}

/// The columns of a `项目 | 指标值 | 绩效金额` tree table.
struct TreeLayout {
    var valueColumn: Int?
    var amountColumn: Int?
    var amountHeader: String

    init?(header row: TableRow, cellLabels: CellLabels) {
        var item = false
        valueColumn = nil
        amountColumn = nil
        amountHeader = ""
        for (i, cell) in row.cells.enumerated() where !cell.isEmpty {
            let indicatorField = cellLabels.field(row, i, in: [.indicator])
            if indicatorField == .treeItem { item = true }
            if indicatorField == .annualTarget { valueColumn = i }
            if let f = cellLabels.field(row, i, in: [.money]), f == .budget || f == .budgetTotal { amountColumn = i; amountHeader = cell }
        }
        guard item, valueColumn != nil, amountColumn != nil else { return nil }
    }
}
