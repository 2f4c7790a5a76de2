import BudgetCore

/// Reads the tables of the 项目绩效目标表 family from one document, whatever its template.
///
/// The document arrives as rows of cells (a text file's lines, a Word table's rows, a sheet's rows).
/// Tables are found by content (`TableSegmenter`), each is read by `TableReader`, and the drafts are
/// finished here: the budget year, the budget amount in fen, target readings and regions. A table that
/// cannot be read is reported and skipped; the rest of the document still loads.
public struct DocumentParser {
    /// What one document yielded.
    public struct Output: Sendable {
        public var projects: [ProjectRecord] = []
        public var diagnostics: [Diagnostic] = []
        public var tablesSeen = 0
        public var tablesSkipped = 0
        public var origin: Origin = .published
        /// For a workbook that is a ledger, not a document: its sheets, read once projects are loaded.
        public var ledger: SheetLedger?
        public init() {}
    }

    public let file: String
    public let gazetteer: Gazetteer
    public let labels: LabelBook
    public let maxLineBytes: Int

    public init(file: String, gazetteer: Gazetteer, labels: LabelBook = .builtIn, maxLineBytes: Int = 1 << 20) {
        self.file = file
        self.gazetteer = gazetteer
        self.labels = labels
        self.maxLineBytes = maxLineBytes
    }

    /// Parses UTF-8 text (no BOM): one row a line, cells at TAB. `overlongLines` (line → bytes) are
    /// the lines the reader dropped for passing `maxLineBytes`; each is an error and an oversize row.
    public func parse(_ utf8: [UInt8], overlongLines: [Int: Int] = [:]) -> Output {
        var diagnostics: [Diagnostic] = []
        let rows = TextGrid.rows(utf8: utf8, file: file, maxLineBytes: maxLineBytes, overlongLines: overlongLines, diagnostics: &diagnostics)
        var output = parse(rows: rows)
        output.diagnostics = diagnostics + output.diagnostics
        return output
    }

    /// Parses rows from any format.
    public func parse(rows allRows: [GridRow]) -> Output {
        var output = Output()
        // `# synthetic …` comment lines before the first table mark generated data.
        var firstData = allRows.endIndex
        for (index, row) in allRows.enumerated() {
            let lead = row.cells.first(where: { !$0.trimmed.isEmpty })?.trimmed ?? ""
            guard lead.hasPrefix("#") else { firstData = index; break }
            let comment = lead.lowercased()
            if comment.contains("synthetic") || comment.contains("合成") || comment.contains("模拟") || comment.contains("生成") {
                output.origin = .synthetic
            }
        }
        // A slice, not a copy of the rows (a copy retained every row's cells once more).
        let rows = allRows[firstData...]
        let cellLabels = CellLabels(labels: labels)
        defer { cellLabels.forgetIndicatorHeaders() }
        // Each row's cells trimmed and looked up once, for the segmenter and the readers.
        let (preamble, segments) = TableSegmenter(labels: labels, cellLabels: cellLabels).split(rows.map(cellLabels.prepare))
        if segments.isEmpty {
            if let first = rows.first {
                output.diagnostics.append(.at(file, first.position, .error,
                    "no table of the 项目绩效目标表 family found: expected a title such as 项目绩效目标表, …绩效目标申报表, …批复表, …审批表, …自评表 or …监控表, or a 项目名称 row"))
            }
            return output
        }
        if let first = preamble.first, let last = preamble.last {
            let span = first.position == last.position ? "\(first.position)" : "\(first.position)–\(last.position)"
            output.diagnostics.append(.at(file, first.position, .warning,
                "\(preamble.count) row(s) before the first table (\(span)) are not part of a 绩效目标表 (a notice, prose or another table); not read"))
        }
        var context = TableReader.Context(file: file, labels: labels, cellLabels: cellLabels)
        let readings = TargetMemo(bareBefore: labels.bareBefore)
        let mentions = RegionMemo(gazetteer: gazetteer)
        var previousFacts: TableReader.TableFacts?
        // Read every table first, then finish them: a table without a year may share the others'.
        var read: [(reader: TableReader, drafts: [ProjectDraft], diagnostics: [Diagnostic])] = []
        for (index, segment) in segments.enumerated() {
            // Each reader starts with no diagnostics of its own: handed the ones so far, its first warning
            // would copy them all, once per table (quadratic in tables).
            context.diagnostics.removeAll()
            var reader = TableReader(context: context, segment: segment, isLastSegment: index == segments.count - 1)
            reader.isOnlySegment = segments.count == 1
            // A table without a title of its own, after one with a title, shares that title's year, unit and kind.
            if segment.titleKind == nil, let previous = previousFacts, previous.title != nil {
                reader.facts.title = previous.title
                reader.facts.titleYear = previous.titleYear
                reader.facts.yearLine = previous.yearLine
                reader.facts.kind = previous.kind
                reader.facts.captionUnit = previous.captionUnit
                reader.facts.inherited = true
            }
            reader.read(segment.rows)
            previousFacts = reader.facts
            var drafts = reader.projects
            if reader.draft.name != nil || drafts.isEmpty && (reader.draft.budget != nil || !reader.draft.indicators.isEmpty) {
                drafts.append(reader.draft)
            }
            context = reader.context
            if drafts.isEmpty && reader.draft.name == nil && reader.draft.indicators.isEmpty {
                // A title with nothing of a table after it (a heading in a notice, say).
                context.warning(reader.facts.position, "`\(reader.facts.title ?? "table")` is followed by no 项目名称 or 绩效指标 rows; not read as a table")
                output.diagnostics += context.diagnostics
                continue
            }
            // Each table's diagnostics are reported with it, in document order, when it is finished below.
            let diagnostics = context.diagnostics
            reader.context.diagnostics = []
            read.append((reader, drafts, diagnostics))
        }
        context.diagnostics.removeAll()
        let tables = consume read
        let years = Set(tables.flatMap { entry in
            entry.drafts.compactMap { entry.reader.facts.yearLine ?? $0.declaredYear ?? $0.labelYear ?? entry.reader.facts.titleYear }
        })
        let documentYear = years.count == 1 ? years.first : nil
        // By index: a `for` over the tables copied every reader out of the array (its arrays and
        // strings retained and released again), a visible part of the 100k profile.
        for index in tables.indices {
            output.diagnostics += tables[index].diagnostics
            context.diagnostics.removeAll()
            defer { output.diagnostics += context.diagnostics }
            let reader = tables[index].reader
            output.tablesSeen += 1
            if reader.broken {
                context.error(reader.facts.position, "table skipped because of the error(s) above")
                output.tablesSkipped += 1
                continue
            }
            var skipped = false
            for draft in tables[index].drafts {
                if let record = finish(draft, reader: reader, context: &context, origin: output.origin, readings: readings, mentions: mentions,
                                       documentYear: documentYear) {
                    output.projects.append(record)
                } else {
                    skipped = true
                }
            }
            if skipped { output.tablesSkipped += 1 }
        }
        return output
    }

    private func finish(_ draft: ProjectDraft, reader: TableReader, context: inout TableReader.Context, origin: Origin,
                        readings: TargetMemo, mentions: RegionMemo, documentYear: Int?) -> ProjectRecord? {
        let facts = reader.facts
        var draft = draft
        // A 部门整体支出绩效目标表 is the department's own table: the department is its one "project".
        if draft.name == nil, let department = draft.department, facts.title.map({ LabelText.squash($0).contains("部门整体") }) == true {
            draft.name = department
            if draft.type == nil { draft.type = "部门整体支出" }
        }
        guard let name = draft.name, !name.isEmpty else {
            context.error(draft.position, "table has no 项目名称: expected a label such as 项目名称, 项目支出名称 or 专项名称 followed by the name; table skipped")
            return nil
        }
        let periodYear = draft.startYear.flatMap { s in draft.endYear == s ? s : nil }
        var year = facts.yearLine ?? draft.declaredYear ?? draft.labelYear ?? facts.titleYear ?? periodYear
        if year == nil, let documentYear {
            // The other tables of the document all name one year: this one, without its own, shares it.
            year = documentYear
            context.warning(draft.position, "table `\(name)` names no budget year; \(documentYear), the year of the document's other tables, is used")
        } else if year == nil, let filed = draft.filed {
            // A declaration filed from September on is for the next year's budget (the budget cycle), and
            // the period, when published, must agree.
            let guess = filed.year + ((filed.month ?? 0) >= 9 ? 1 : 0)
            if draft.startYear == nil || draft.startYear == guess {
                year = guess
                context.warning(draft.position, "table `\(name)` names no budget year; \(guess) is used, from its 填报日期 \(filed.year)年\(filed.month.map { "\($0)月" } ?? "")\(draft.startYear != nil ? " and the start of its period" : "")")
            }
        }
        guard let year else {
            let cut = reader.isLastSegment && !reader.sawIndicatorBlock ? " (the document ends early: a cut-off copy?)" : ""
            context.error(draft.position, "table `\(name)` names no budget year: expected a title with a year (2024年…), a `(2024年度)` line or a label such as 2024年预算金额（元）\(cut); table skipped")
            return nil
        }
        if let label = draft.labelYear, let line = facts.yearLine, label != line {
            context.warning(draft.budget?.position ?? draft.position, "the budget label names \(label) but the table's year line says \(line); \(line) is used")
        }
        func fen(_ cell: ProjectDraft.AmountCell?) -> Int64? {
            guard let cell else { return nil }
            guard let value = reader.resolve(cell) else {
                context.error(cell.position, "amount `\(cell.text)` cannot be held exactly in fen (more than two decimals of 元, or too large); the amount is left null")
                return nil
            }
            return value
        }
        let budgetCell = draft.budget ?? draft.budgetInitial ?? draft.budgetAdjusted ?? draft.budgetTotal
        let budget = fen(budgetCell)
        if budgetCell == nil, draft.amountErrors == 0 {
            context.warning(draft.namePosition ?? draft.position, "table `\(name)` publishes no budget amount (expected a label such as 年度资金总额, 预算金额, 资金总额 or NNNN年预算金额（元）); budget is null")
        } else if budgetCell.map({ $0.amount.cellMultiplier == nil && $0.labelMultiplier == nil }) == true, facts.captionUnit == nil {
            context.warning(budgetCell?.position ?? draft.position, "no amount unit is published (a 单位:万元 caption, a (万元) label or 万元 in the cell); `\(budgetCell?.text ?? "")` is read as 元")
        }
        if draft.budget == nil, draft.budgetInitial == nil, draft.budgetAdjusted == nil, draft.budgetTotal != nil, let unknown = draft.unknownAmountLabels.first {
            // The whole amount stands in for the annual one; an unknown label beside it may be the annual one.
            context.warning(budgetCell?.position ?? draft.position, "the budget is the whole amount `\(budgetCell?.text ?? "")` (no annual amount under a known label); `\(unknown)` also holds an amount: if it is the annual one, add it to labels.tsv as money.budget")
        }
        if let s = draft.startYear, let e = draft.endYear, s > e {
            context.warning(draft.periodPosition ?? draft.position, "the period (实施周期) starts (\(s)) after it ends (\(e))")
        } else if let s = draft.startYear, let e = draft.endYear, !(s...e).contains(year) {
            context.warning(budgetCell?.position ?? draft.position, "budget year \(year) lies outside the period \(s)–\(e)")
        }
        var funds = Funds()
        if draft.budget != nil, let total = draft.budgetTotal { funds.total = fen(total) }
        funds.initial = fen(draft.budgetInitial)
        funds.adjusted = fen(draft.budgetAdjusted)
        funds.spent = fen(draft.spent)
        funds.spentRate = draft.spentRate
        funds.fiscal = fen(draft.fiscalYear ?? draft.fiscal)
        if let otherYear = draft.otherYear { funds.other = fen(otherYear) } else if !draft.other.isEmpty {
            var sum: Int64 = 0
            var any = false
            for cell in draft.other {
                guard let value = fen(cell) else { continue }
                let (next, overflow) = sum.addingReportingOverflow(value)
                if overflow { context.error(cell.position, "其他资金 overflows when summed"); any = false; break }
                sum = next
                any = true
            }
            funds.other = any ? sum : nil
        }
        funds.weight = draft.moneyWeight
        funds.score = draft.moneyScore

        let indicators = draft.indicators.map { pending -> IndicatorRecord in
            var record = pending.record
            record.reading = readings.read(pending.targetText, year: year, indicatorName: record.name, level2: record.level2)
            if let actual = pending.actualText { record.actualReading = readings.read(actual, year: year, indicatorName: record.name, level2: record.level2) }
            return record
        }
        var texts = [name, draft.goalPeriod ?? "", draft.goalYear ?? ""]
        for indicator in indicators { texts += [indicator.name, indicator.periodTarget, indicator.annualTarget] }
        var record = ProjectRecord(
            year: year, name: name, type: draft.type, level: draft.level, department: draft.department, unit: draft.unit,
            startYear: draft.startYear, endYear: draft.endYear, budgetFen: budget, goalPeriod: draft.goalPeriod, goalYear: draft.goalYear,
            regions: mentions.regions(mentionedIn: texts), source: file, line: draft.position.lineNumber,
            origin: origin, indicators: indicators, coverage: draft.coverage)
        record.documentKind = facts.kind ?? (indicators.contains { $0.actual != nil || $0.score != nil } ? "自评" : "目标")
        record.amountUnit = budgetCell.flatMap(reader.unitName)
        record.departmentCode = draft.departmentCode
        record.unitCode = draft.unitCode
        record.funds = funds
        record.goalResult = draft.goalResult
        record.actualsAsOfMonth = draft.actualsAsOfMonth
        record.published = PublishedScores(totalWeight: draft.publishedTotalWeight, totalScore: draft.publishedTotalScore, grade: draft.publishedGrade)
        record.extra = draft.extra
        record.endsEarly = draft.endsEarly
        if case .line = draft.position {} else { record.position = draft.position.description }
        return record
    }
}

/// `Gazetteer.regions(mentionedIn:)` with each text searched once per document: indicator names
/// and targets repeat on every table, and searching every region name in every project's joined
/// texts was ~3 % of loading (issue 13).
final class RegionMemo {
    private let gazetteer: Gazetteer
    private let textByText: Bool
    private var masks = ByteTable<[UInt64]>(capacity: 256)

    init(gazetteer: Gazetteer) {
        self.gazetteer = gazetteer
        textByText = gazetteer.readsTextByText
    }

    func regions(mentionedIn texts: [String]) -> [String] {
        guard textByText, !texts.isEmpty else { return gazetteer.regions(mentionedIn: texts) }
        var union: [UInt64]?
        for text in texts {
            let mask = text.withUTF8Bytes { bytes -> [UInt64] in
                // Long texts (goals) are the project's own: searched, not remembered.
                if bytes.count > 160 || masks.count >= 100_000 && masks.find(bytes) == nil { return gazetteer.mentions(in: text) }
                let entry = masks.index(bytes) { gazetteer.mentions(in: text) }
                return masks.values[entry]
            }
            if union == nil { union = mask } else { for w in mask.indices { union![w] |= mask[w] } }
        }
        return gazetteer.regions(in: union ?? [])
    }
}

/// Target texts read once per document: the same `≥90%` or `当年内` fills hundreds of rows.
final class TargetMemo {
    /// By the target's bytes, then 0xFF (never in UTF-8), the year, whether the category is a 时效 one,
    /// and the name's unit hint: one byte key hashed in one call (a struct of `[UInt8]` fields hashed
    /// byte by byte, after an array copy of each, issue 13).
    private var readings = ByteTable<TargetReading>(capacity: 256)
    private var key: [UInt8] = []
    let bareBefore: TargetReader.BareBefore

    init(bareBefore: TargetReader.BareBefore) { self.bareBefore = bareBefore }

    func read(_ text: String, year: Int, indicatorName: String, level2: String) -> TargetReading {
        // The name matters only through a trailing unit hint such as `(%)`; the category only for 时效.
        key.removeAll(keepingCapacity: true)
        key.append(contentsOf: text.utf8)
        key.append(0xFF)
        withUnsafeBytes(of: Int64(year).littleEndian) { key.append(contentsOf: $0) }
        key.append(level2.hasBytes("时效") || level2.hasBytes("进度") ? 1 : 0)
        if indicatorName.hasSuffixBytes(")") || indicatorName.hasSuffixBytes("）") { key.append(contentsOf: indicatorName.utf8.suffix(40)) }
        let bareBefore = self.bareBefore
        let entry = key.withUnsafeBytes { bytes in
            readings.index(bytes) { TargetReader.read(text, year: year, indicatorName: indicatorName, level2: level2, bareBefore: bareBefore) }
        }
        return readings.values[entry]
    }
}
