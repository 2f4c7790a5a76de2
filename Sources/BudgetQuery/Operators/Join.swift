import BudgetStore

extension Executor {
    /// Most rows a join may produce (about 2 GiB of row indices).
    static let maxJoinRows = 100_000_000

    /// `join T on key` (or `on left == right`): inner join on equal keys; the right table's other
    /// columns are added, prefixed with `T_` where a name is taken.
    func join(_ frame: Frame, table: String, tableSpan: SourceSpan, left: String, right: String, keySpan: SourceSpan) throws -> Frame {
        let other = try source(table, span: tableSpan).materialized()
        guard let leftIndex = frame.index(of: left) else {
            throw QueryError("no column `\(left)` in \(frame.origin)", at: keySpan, hint: didYouMean(left, among: frame.columns.map(\.name)))
        }
        guard let rightIndex = other.index(of: right) else {
            throw QueryError("no column `\(right)` in \(table)", at: keySpan, hint: didYouMean(right, among: other.columns.map(\.name)))
        }
        let leftKey = frame.dense(leftIndex), rightKey = other.columns[rightIndex]
        let stringy: Set<ColumnType> = [.string, .text]
        let compatible = (stringy.contains(leftKey.type) && stringy.contains(rightKey.type)) || (leftKey.type.isInteger && rightKey.type.isInteger && leftKey.type == rightKey.type)
        guard compatible else {
            throw QueryError("cannot join \(describe(leftKey.type)) `\(left)` with \(describe(rightKey.type)) `\(right)`", at: keySpan)
        }
        // Hash the right side by key text (strings) or value (integers).
        var index: [JoinKey: [Int32]] = [:]
        for row in 0..<other.rowCount {
            guard let key = JoinKey(rightKey, row) else { continue }
            index[key, default: []].append(Int32(row))
        }
        var leftRows: [Int32] = [], rightRows: [Int32] = []
        // Count first: a join on a repeated key can multiply rows beyond what memory holds.
        var total = 0
        for row in 0..<frame.rowCount {
            if let key = JoinKey(leftKey, row), let matches = index[key] { total += matches.count }
        }
        if total > Self.maxJoinRows {
            throw QueryError("the join would produce \(total) rows, more than the limit of \(Self.maxJoinRows)", at: keySpan,
                             hint: "join on a key that is unique in \(table), or filter both sides first")
        }
        leftRows.reserveCapacity(total)
        rightRows.reserveCapacity(total)
        for row in 0..<frame.rowCount {
            guard let key = JoinKey(leftKey, row), let matches = index[key] else { continue }
            for m in matches {
                leftRows.append(Int32(row))
                rightRows.append(m)
            }
        }
        let dense = frame.materialized()
        var columns = dense.columns.map { $0.gathered(leftRows) }
        let taken = Set(columns.map(\.name))
        for (i, column) in other.columns.enumerated() where i != rightIndex {
            let name = taken.contains(column.name) ? "\(table)_\(column.name)" : column.name
            columns.append(column.gathered(rightRows).named(name))
        }
        var out = Frame(columns: columns, origin: frame.origin, rowCount: leftRows.count)
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
