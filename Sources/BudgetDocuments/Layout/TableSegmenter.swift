import BudgetCore

/// Cuts a document's rows into the tables of the family, by content.
///
/// A table starts at a title of the family (`…绩效目标表`, `…申报表`, `…批复表`, `…审批表`, `…自评表`,
/// `…监控表`) or, without a title, at a 项目名称-like row once the table before already has its own.
/// Rows before the first table (a covering notice, prose, another kind of table) belong to none.
struct TableSegmenter {
    /// One table's rows, title first when it has one.
    struct Segment {
        var rows: [TableRow] = []
        var titleKind: String?
        var hasName = false
        var hasIndicatorHeader = false
    }

    let labels: LabelBook
    let cellLabels: CellLabels

    init(labels: LabelBook, cellLabels: CellLabels? = nil) {
        self.labels = labels
        self.cellLabels = cellLabels ?? CellLabels(labels: labels)
    }

    /// The rows before the first table, and the tables. The rows come prepared by `cellLabels`;
    /// each row kept says whether it is an indicator header (`TableRow.isIndicatorHeader`).
    func split(_ rows: [TableRow]) -> (preamble: [TableRow], segments: [Segment]) {
        var preamble: [TableRow] = []
        var segments: [Segment] = []
        var current: Segment?
        for var row in rows {
            if row.isOversize {
                // Reported already; it belongs to the table it sits in, which cannot be read whole.
                if current != nil { current?.rows.append(row) } else { preamble.append(row) }
                continue
            }
            guard let first = row.firstFilled else { continue }
            // A header names at least two of 一级/二级/三级 in cells of their own.
            row.isIndicatorHeader = row.filledCount >= 2 && isIndicatorHeader(row)
            if row.filledCount == 1, let kind = titleKind(row.cells[first]) {
                var next = Segment(titleKind: kind)
                // A `报表编号` or `附件2` line just above the title belongs to it.
                var carried: [TableRow] = []
                if var open = current {
                    while let last = open.rows.last, isCarriedCaption(last) { carried.insert(open.rows.removeLast(), at: 0) }
                    segments.append(open)
                } else {
                    while let last = preamble.last, isCarriedCaption(last) { carried.insert(preamble.removeLast(), at: 0) }
                }
                next.rows = carried + [row]
                current = next
                continue
            }
            let isName = first == 0 && cellLabels.field(row, 0, in: [.project]) == .projectName
            let isHeader = row.isIndicatorHeader
            if isName {
                if var open = current {
                    if open.hasName || open.hasIndicatorHeader {
                        segments.append(open)
                        current = Segment(rows: [row], hasName: true)
                    } else {
                        open.rows.append(row)
                        open.hasName = true
                        current = open
                    }
                } else {
                    var carried: [TableRow] = []
                    while let last = preamble.last, isCaption(last) { carried.insert(preamble.removeLast(), at: 0) }
                    current = Segment(rows: carried + [row], hasName: true)
                }
                continue
            }
            if current == nil, isHeader, row.cells.indices.contains(where: { cellLabels.field(row, $0, in: [.project]) == .projectName }) {
                // A flat sheet without a title: the header row itself starts the table.
                var carried: [TableRow] = []
                while let last = preamble.last, isCaption(last) { carried.insert(preamble.removeLast(), at: 0) }
                current = Segment(rows: carried + [row], hasName: true, hasIndicatorHeader: true)
                continue
            }
            if current != nil {
                current?.rows.append(row)
                if isHeader { current?.hasIndicatorHeader = true }
            } else {
                preamble.append(row)
            }
        }
        if let open = current { segments.append(open) }
        return (preamble, segments)
    }

    /// The document kind when `text` is a title; list items (`2.…目标表`) and `附件:` lines are not titles.
    func titleKind(_ text: String) -> String? {
        // Every title names a 表; most one-cell rows (goal texts) do not.
        guard text.utf8.count <= 400, text.hasBytes("表") else { return nil }
        // The same title heads every table of a document: worked out once per distinct text.
        return cellLabels.titleKind(text) { text in
            let squashed = LabelText.squash(text)
            if squashed.hasPrefixBytes("关于") { return nil }
            // A list item of a notice (`2.2022年…绩效目标表`, `附件:1.…`) names a table; it is not one.
            if let c = squashed.first, c.isASCII, c.isNumber, squashed.dropFirst().first.map({ $0 == "." || $0 == "、" }) == true { return nil }
            let core = LabelText.titleCore(squashed)
            if core.contains(":") || core.hasPrefixBytes("附件") { return nil }
            return labels.titleKind(text)
        }
    }

    /// A row of the 一级/二级/三级 indicator header, in any columns.
    func isIndicatorHeader(_ cells: [String]) -> Bool {
        var level1 = false, level2 = false, level3 = false
        for cell in cells where !cell.isEmpty {
            switch cellLabels.field(cell, in: [.indicator]) {
            case .level1: level1 = true
            case .level2: level2 = true
            case .level3: level3 = true
            default: break
            }
        }
        return level3 && (level1 || level2) || level1 && level2
    }

    /// `isIndicatorHeader` of a prepared row (its cells as they are now, blanked ones empty).
    func isIndicatorHeader(_ row: TableRow) -> Bool {
        var level1 = false, level2 = false, level3 = false
        for i in row.cells.indices where !row.cells[i].isEmpty {
            switch cellLabels.field(row, i, in: [.indicator]) {
            case .level1: level1 = true
            case .level2: level2 = true
            case .level3: level3 = true
            default: break
            }
        }
        return level3 && (level1 || level2) || level1 && level2
    }

    /// `报表编号:…` and `附件2` lines, which precede the title they belong to.
    private func isCarriedCaption(_ row: TableRow) -> Bool {
        guard row.filledCount == 1, let first = row.firstFilled else { return false }
        let text = LabelText.squash(row.cells[first])
        if text.hasPrefixBytes("报表编号") { return true }
        if text.hasPrefixBytes("附件"), text.count <= 4 { return true }
        return false
    }

    /// Caption lines that may precede a table without a title: the carried ones, unit and year lines.
    private func isCaption(_ row: TableRow) -> Bool {
        if isCarriedCaption(row) { return true }
        guard row.filledCount == 1, let first = row.firstFilled else { return false }
        return CellValues.captionUnit(row.cells[first]) != nil || CellValues.yearLine(row.cells[first]) != nil
    }
}
