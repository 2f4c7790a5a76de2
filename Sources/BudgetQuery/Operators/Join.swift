import BudgetCore
import BudgetStore

extension Executor {
    /// `join T on key` (or `on left == right`): inner join on equal keys; the right table's other
    /// columns are added, prefixed with `T_` where a name is taken.
    ///
    /// The output is two vectors of row numbers, one per side; columns are read through them
    /// only when a later operator needs them (`join … | count` reads none). How many rows a join
    /// may produce follows memory, not a fixed cap: the rows are counted first, and a join whose
    /// row numbers (8 bytes a row, more when the left side is already a selection) would not
    /// fit in the memory available is refused, naming the estimate and the limit.
    func join(_ frame: Frame, table: String, tableSpan: SourceSpan, left: String, right: String, keySpan: SourceSpan) throws -> Frame {
        var joined = try source(table, span: tableSpan)
        // Completion asks only which columns a pipeline makes: a sample of the other table will do.
        if let sampleRows { joined = try joined.prefix(sampleRows) }
        let other = try joined.materialized()
        guard let leftIndex = frame.index(of: left) else {
            throw QueryError("no column `\(left)` in \(frame.origin)", at: keySpan, hint: didYouMean(left, among: frame.columns.map(\.name)))
        }
        guard let rightIndex = other.index(of: right) else {
            throw QueryError("no column `\(right)` in \(table)", at: keySpan, hint: didYouMean(right, among: other.columns.map(\.name)))
        }
        let leftKey = try frame.dense(leftIndex), rightKey = other.columns[rightIndex]
        let stringy: Set<ColumnType> = [.string, .text]
        let compatible = (stringy.contains(leftKey.type) && stringy.contains(rightKey.type)) || (leftKey.type.isInteger && rightKey.type.isInteger && leftKey.type == rightKey.type)
        guard compatible else {
            throw QueryError("cannot join \(describe(leftKey.type)) `\(left)` with \(describe(rightKey.type)) `\(right)`", at: keySpan)
        }
        // Hash the right side by key text (strings) or value (integers).
        var index: [JoinKey: [Int32]] = [:]
        for row in 0..<other.rowCount {
            try Interrupt.check(row: row)
            guard let key = JoinKey(rightKey, row) else { continue }
            index[key, default: []].append(Int32(row))
        }
        // Each left row's matches, looked up once: the count decides whether the join fits.
        var matchesOf: [[Int32]?] = []
        matchesOf.reserveCapacity(frame.rowCount)
        var total = 0
        for row in 0..<frame.rowCount {
            try Interrupt.check(row: row)
            let matches = JoinKey(leftKey, row).flatMap { index[$0] }
            matchesOf.append(matches)
            total += matches?.count ?? 0
        }
        // Two row numbers a row, and one more for each left selection composed with them.
        let bytesPerRow = 8 + 4 * frame.composedSelectionCount
        try MemoryBudget.check(rows: total, bytesPerRow: bytesPerRow, what: "the join", at: keySpan,
                                       hint: "join on a key that is unique in \(table), or filter both sides first")
        // Filled without zeroing first: the pages are touched (and faulted in) by the loop,
        // which looks at Ctrl-C as it goes.
        var k = 0
        var stopped = false
        var rightRows: [Int32] = []
        var leftRows = [Int32](unsafeUninitializedCapacity: total) { left, leftCount in
            rightRows = [Int32](unsafeUninitializedCapacity: total) { right, rightCount in
                rows: for row in 0..<frame.rowCount {
                    guard let matches = matchesOf[row] else { continue }
                    for m in matches {
                        if Interrupt.stops(at: k) { stopped = true; break rows }
                        left[k] = Int32(row)
                        right[k] = m
                        k += 1
                    }
                }
                rightCount = k
            }
            leftCount = k
        }
        matchesOf = []
        // What a stopped join leaves (a GB of row numbers at 80M rows) is freed in the background.
        func releasingRows(_ error: Interrupted) -> Interrupted {
            Interrupt.releaseInBackground(&leftRows, leaving: [])
            Interrupt.releaseInBackground(&rightRows, leaving: [])
            return error
        }
        if stopped { throw releasingRows(Interrupted()) }
        let taken = Set(frame.columns.map(\.name))
        let rightNames: [String?] = other.columns.enumerated().map { i, column in
            i == rightIndex ? nil : (taken.contains(column.name) ? "\(table)_\(column.name)" : column.name)
        }
        var out: Frame
        do { out = try Frame.joined(frame, rows: leftRows, other, rows: rightRows, rightNames: rightNames) } catch { throw releasingRows(error) }
        out.notes = frame.notes
        return out
    }
}

/// A join key: string text or integer value.
enum JoinKey: Hashable {
    case text(String)
    case integer(Int64)

    init?(_ column: Column, _ row: Int) {
        switch column.value(at: row) {
        case .string(let s): self = .text(s)
        case .integer(let v): self = .integer(v)
        default: return nil
        }
    }
}
