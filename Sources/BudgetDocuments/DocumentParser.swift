import BudgetCore
/// Reads the 项目绩效目标表 tables of one decoded document in a single pass over its lines.
///
/// The layout is the published one: a title line `项目绩效目标表`, label rows (`项目名称`, `项目类型`, …,
/// `2024年预算金额（元）`), goals on the line after their label, then the `绩效指标` header and
/// indicator rows whose empty 一级/二级 cells repeat the row above. A table that cannot be read
/// whole is reported and skipped; the rest of the document still loads.
public struct DocumentParser {
    /// What one document yielded.
    public struct Output: Sendable {
        public var projects: [ProjectRecord] = []
        public var diagnostics: [Diagnostic] = []
        public var tablesSeen = 0
        public var tablesSkipped = 0
        public var origin: Origin = .published
    }

    public let file: String
    public let gazetteer: Gazetteer
    public let maxLineBytes: Int

    public init(file: String, gazetteer: Gazetteer, maxLineBytes: Int = 1 << 20) {
        self.file = file
        self.gazetteer = gazetteer
        self.maxLineBytes = maxLineBytes
    }

    /// Parses UTF-8 text (no BOM).
    public func parse(_ utf8: [UInt8]) -> Output {
        var state = State(parser: self)
        var lineNumber = 0
        var start = 0
        let count = utf8.count
        utf8.withUnsafeBufferPointer { buffer in
            while start < count {
                lineNumber += 1
                var end = start
                while end < count, buffer[end] != 0x0A { end += 1 }
                let endsWithNewline = end < count
                if end - start > maxLineBytes {
                    state.oversizeLine(lineNumber, bytes: end - start)
                } else {
                    var stop = end
                    if stop > start, buffer[stop - 1] == 0x0D { stop -= 1 }
                    let cells = splitCells(UnsafeBufferPointer(rebasing: buffer[start..<stop]))
                    state.consume(cells, line: lineNumber, isLastUnterminated: !endsWithNewline)
                }
                start = end + 1
            }
        }
        state.finishTable(atEOF: true)
        return state.output
    }

    /// Tab-separated cells with surrounding whitespace removed.
    private func splitCells(_ line: UnsafeBufferPointer<UInt8>) -> [String] {
        var cells: [String] = []
        var cellStart = 0
        for i in 0...line.count where i == line.count || line[i] == 0x09 {
            let raw = String(decoding: UnsafeBufferPointer(rebasing: line[cellStart..<i]), as: UTF8.self)
            cells.append(Substring(raw).trimmingCharacters())
            cellStart = i + 1
        }
        while cells.last?.isEmpty == true { cells.removeLast() }
        return cells
    }
}

/// Labels of the header rows that hold one value each.
private enum HeaderLabel: String, CaseIterable {
    case name = "项目名称", type = "项目类型", level = "项目等级", department = "主管部门", unit = "用款单位"
}

/// The table being read and the document-wide state around it.
private struct State {
    let parser: DocumentParser
    var output = DocumentParser.Output()

    var table: TableDraft?
    var sawTable = false
    var strayBlockStart: Int?

    init(parser: DocumentParser) { self.parser = parser }

    var file: String { parser.file }

    mutating func error(_ line: Int, _ message: String) { output.diagnostics.append(.error(file, line, message)) }
    mutating func warning(_ line: Int, _ message: String) { output.diagnostics.append(.warning(file, line, message)) }

    mutating func oversizeLine(_ line: Int, bytes: Int) {
        error(line, "line is \(bytes) bytes long; the longest line read is \(parser.maxLineBytes) bytes (is this a budget document?)")
        if table != nil { table?.broken = true }
    }

    mutating func consume(_ cells: [String], line: Int, isLastUnterminated: Bool) {
        guard let first = cells.firstIndex(where: { !$0.isEmpty }) else { return }
        let lead = cells[first]
        if lead == "项目绩效目标表" {
            finishTable(atEOF: false)
            table = TableDraft(line: line)
            sawTable = true
            output.tablesSeen += 1
            strayBlockStart = nil
            return
        }
        guard table != nil else {
            if !sawTable, lead.hasPrefix("#") {
                let comment = lead.lowercased()
                if comment.contains("synthetic") || comment.contains("合成") || comment.contains("模拟") || comment.contains("生成") {
                    output.origin = .synthetic
                }
                return
            }
            if strayBlockStart == nil {
                strayBlockStart = line
                error(line, "expected a 项目绩效目标表 title line before table rows; these rows belong to no table and are skipped")
            }
            return
        }
        // Move the draft out while it reports into `self`, so the two never alias.
        guard var draft = table else { return }
        table = nil
        draft.consume(cells, first: first, line: line, lastUnterminated: isLastUnterminated, state: &self)
        table = draft
    }

    mutating func finishTable(atEOF: Bool) {
        guard let draft = table else { return }
        table = nil
        if let project = draft.finish(state: &self, atEOF: atEOF) {
            output.projects.append(project)
        } else {
            output.tablesSkipped += 1
        }
    }
}

/// A table being read, row by row.
private struct TableDraft {
    enum Section { case header, indicators }
    enum PendingGoal { case period, year }

    let line: Int
    var section = Section.header
    var broken = false
    var fields: [HeaderLabel: String] = [:]
    var startYear: Int?
    var endYear: Int?
    var budgetYear: Int?
    var budgetFen: Int64?
    var budgetLine: Int?
    var goalPeriod: String?
    var goalYear: String?
    var pendingGoal: PendingGoal?
    var columns = IndicatorColumns()
    var level1 = ""
    var level2 = ""
    var indicators: [IndicatorRecord] = []
    var coverage: [CoverageRecord] = []
    var rawTargets: [(name: String, target: String, line: Int, level: (String, String), period: String)] = []

    init(line: Int) { self.line = line }

    struct IndicatorColumns {
        var level1 = 1, level2 = 2, name = 3, period = 4, annual = 5
    }

    mutating func consume(_ cells: [String], first: Int, line: Int, lastUnterminated: Bool, state: inout State) {
        if broken { return }
        let lead = cells[first]
        if section == .indicators {
            consumeIndicatorRow(cells, first: first, line: line, lastUnterminated: lastUnterminated, state: &state)
            return
        }
        if first == 0, let label = HeaderLabel(rawValue: lead) {
            pendingGoal = nil
            guard let value = cells.dropFirst().first(where: { !$0.isEmpty }) else {
                state.warning(line, "\(label.rawValue) has no value")
                return
            }
            if fields[label] != nil { state.warning(line, "\(label.rawValue) appears twice in one table; the later value is used") }
            fields[label] = value
            return
        }
        if first == 0, lead == "实施周期" {
            pendingGoal = nil
            readPeriod(cells, line: line, state: &state)
            return
        }
        if first == 0, let (year, multiplier) = budgetLabel(lead) {
            pendingGoal = nil
            budgetLine = line
            budgetYear = year
            guard let text = cells.dropFirst().first(where: { !$0.isEmpty }) else {
                state.error(line, "\(lead) has no amount; expected a number such as 500,000.00")
                broken = true
                return
            }
            guard let fen = Money.parseFen(Substring(text), yuanMultiplier: multiplier) else {
                state.error(line, "budget amount `\(text)` is not a number; expected digits such as 500,000.00 (at most fen precision)")
                broken = true
                return
            }
            budgetFen = fen
            return
        }
        if first == 0, lead == "总体绩效目标" || lead == "绩效目标" {
            pendingGoal = nil
            readGoalLabels(cells.dropFirst(), line: line)
            return
        }
        if first == 0, lead == "绩效指标" {
            pendingGoal = nil
            mapIndicatorColumns(cells, line: line, state: &state)
            section = .indicators
            return
        }
        if first == 0, lead.hasSuffix("预算金额") || lead.contains("预算金额") {
            state.error(line, "budget label `\(lead)` is not of the form NNNN年预算金额（元） or NNNN年预算金额（万元）")
            broken = true
            return
        }
        if first > 0 {
            // Goal rows: a label cell (实施周期总目标, 2024年度目标) or the goal text under it.
            if isGoalLabel(lead) {
                readGoalLabels(cells[first...], line: line)
                return
            }
            if let pending = pendingGoal {
                let text = cells[first...].filter { !$0.isEmpty }.joined(separator: " ")
                switch pending {
                case .period: goalPeriod = join(goalPeriod, text)
                case .year: goalYear = join(goalYear, text)
                }
                return
            }
        }
        state.warning(line, "unexpected row `\(lead)` in the table header; expected 项目名称, 项目类型, 项目等级, 主管部门, 用款单位, 实施周期, NNNN年预算金额（元）, 总体绩效目标 or 绩效指标; row ignored")
    }

    private func join(_ existing: String?, _ text: String) -> String {
        guard let existing, !existing.isEmpty else { return text }
        return existing + "\n" + text
    }

    private func isGoalLabel(_ cell: String) -> Bool {
        cell == "实施周期总目标" || cell.hasSuffix("年度目标") || cell == "年度目标"
    }

    /// `实施周期总目标` or `2024年度目标`, with the goal text either later on the same row or on the next line.
    private mutating func readGoalLabels(_ cells: ArraySlice<String>, line: Int) {
        var index = cells.startIndex
        while index < cells.endIndex {
            let cell = cells[index]
            if isGoalLabel(cell) {
                let goal: PendingGoal = cell == "实施周期总目标" ? .period : .year
                pendingGoal = goal
                let after = cells[(index + 1)...].prefix { !isGoalLabel($0) }.filter { !$0.isEmpty }
                if !after.isEmpty {
                    let text = after.joined(separator: " ")
                    if goal == .period { goalPeriod = join(goalPeriod, text) } else { goalYear = join(goalYear, text) }
                    pendingGoal = nil
                }
            }
            index += 1
        }
    }

    private mutating func readPeriod(_ cells: [String], line: Int, state: inout State) {
        func value(after label: String) -> String? {
            guard let i = cells.firstIndex(of: label) else { return nil }
            return cells[(i + 1)...].first { !$0.isEmpty }
        }
        for (label, assign) in [("起始年度", 0), ("到期年度", 1)] {
            guard let text = value(after: label) else {
                state.warning(line, "实施周期 has no \(label); expected \(label) followed by a year such as 2024")
                continue
            }
            let digits = text.hasSuffix("年") ? String(text.dropLast()) : text
            guard digits.count == 4, let year = Int(digits), (1900...2200).contains(year) else {
                state.warning(line, "\(label) `\(text)` is not a four-digit year")
                continue
            }
            if assign == 0 { startYear = year } else { endYear = year }
        }
        if let s = startYear, let e = endYear, s > e {
            state.warning(line, "实施周期 starts (\(s)) after it ends (\(e))")
        }
    }

    /// `2024年预算金额（元）` → (2024, 1); `2024年预算金额(万元)` → (2024, 10000).
    private func budgetLabel(_ cell: String) -> (Int, Int64)? {
        let chars = Array(cell)
        guard chars.count >= 10, chars[0..<4].allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(String(chars[0..<4])),
              (1900...2200).contains(year), chars[4] == "年" else { return nil }
        let rest = String(chars[5...])
        let units: [(String, Int64)] = [("预算金额（元）", 1), ("预算金额(元)", 1), ("预算金额（万元）", 10_000), ("预算金额(万元)", 10_000)]
        for (label, multiplier) in units where rest == label { return (year, multiplier) }
        return nil
    }

    private mutating func mapIndicatorColumns(_ cells: [String], line: Int, state: inout State) {
        let wanted: [(String, WritableKeyPath<IndicatorColumns, Int>)] = [
            ("一级指标", \.level1), ("二级指标", \.level2), ("三级指标", \.name), ("实施周期指标值", \.period), ("当年度指标值", \.annual),
        ]
        for (label, path) in wanted {
            if let i = cells.firstIndex(of: label) {
                columns[keyPath: path] = i
            } else {
                state.warning(line, "绩效指标 header has no \(label) column; assuming column \(columns[keyPath: path] + 1)")
            }
        }
    }

    private mutating func consumeIndicatorRow(_ cells: [String], first: Int, line: Int, lastUnterminated: Bool, state: inout State) {
        func cell(_ i: Int) -> String { i < cells.count ? cells[i] : "" }
        if first == 0 {
            state.warning(line, "unexpected row `\(cells[0])` among the indicators; expected indicator rows whose first cell is empty; row ignored")
            return
        }
        let l1 = cell(columns.level1), l2 = cell(columns.level2), name = cell(columns.name)
        let period = cell(columns.period), annual = cell(columns.annual)
        if !l1.isEmpty { level1 = l1; level2 = "" }
        if !l2.isEmpty { level2 = l2 }
        if name.isEmpty {
            if !period.isEmpty || !annual.isEmpty {
                state.warning(line, "targets `\(annual.isEmpty ? period : annual)` have no 三级指标 name; row ignored")
            } else if !l2.isEmpty || !l1.isEmpty {
                noteCoverage(line: line, filled: false)
            }
            return
        }
        if level1.isEmpty || level2.isEmpty {
            state.warning(line, "indicator `\(name)` has no \(level1.isEmpty ? "一级" : "二级")指标 above it")
        }
        if annual.isEmpty {
            if lastUnterminated {
                state.error(line, "the file ends in the middle of indicator `\(name)` (truncated?); expected its 当年度指标值")
                broken = true
                return
            }
            state.warning(line, "indicator `\(name)` has no 当年度指标值")
        }
        noteCoverage(line: line, filled: true)
        rawTargets.append((name, annual, line, (level1, level2), period))
    }

    private mutating func noteCoverage(line: Int, filled: Bool) {
        if let last = coverage.indices.last, coverage[last].level1 == level1, coverage[last].level2 == level2 {
            if filled { coverage[last].indicatorCount += 1 }
            return
        }
        coverage.append(CoverageRecord(level1: level1, level2: level2, indicatorCount: filled ? 1 : 0, line: line))
    }

    func finish(state: inout State, atEOF: Bool) -> ProjectRecord? {
        if broken {
            state.error(line, "table skipped because of the error(s) above")
            return nil
        }
        guard let name = fields[.name] else {
            state.error(line, "table has no 项目名称 row; expected `项目名称<TAB><TAB>name`; table skipped")
            return nil
        }
        guard let year = budgetYear, let fen = budgetFen else {
            state.error(line, "table `\(name)` has no NNNN年预算金额（元） row\(atEOF ? " (the file may be truncated)" : ""); table skipped")
            return nil
        }
        if section != .indicators {
            state.error(line, "table `\(name)` has no 绩效指标 section\(atEOF ? "; the file looks truncated" : ""); table skipped")
            return nil
        }
        if fields[.type] == nil { state.warning(line, "table `\(name)` has no 项目类型") }
        // `s <= e` first: a reversed 实施周期 (already warned about) must not form a range.
        if let s = startYear, let e = endYear, s <= e, !(s...e).contains(year) {
            state.warning(budgetLine ?? line, "budget year \(year) lies outside the 实施周期 \(s)–\(e)")
        }
        let indicators = rawTargets.map { raw in
            IndicatorRecord(level1: raw.level.0, level2: raw.level.1, name: raw.name, periodTarget: raw.period,
                            annualTarget: raw.target, reading: TargetReader.read(raw.target, year: year, indicatorName: raw.name), line: raw.line)
        }
        var texts = [name, goalPeriod ?? "", goalYear ?? ""]
        for indicator in indicators { texts += [indicator.name, indicator.periodTarget, indicator.annualTarget] }
        return ProjectRecord(
            year: year, name: name, type: fields[.type], level: fields[.level], department: fields[.department],
            unit: fields[.unit], startYear: startYear, endYear: endYear, budgetFen: fen, goalPeriod: goalPeriod,
            goalYear: goalYear, regions: state.parser.gazetteer.regions(mentionedIn: texts), source: state.file, line: line,
            origin: state.output.origin, indicators: indicators, coverage: coverage)
    }
}
