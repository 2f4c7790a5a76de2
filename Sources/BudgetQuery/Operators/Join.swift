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
        // Keys as integers on both sides (string keys through one shared numbering of their
        // texts), then the right rows grouped by key in flat arrays: no boxed value per row, and
        // nothing per key to free when Ctrl-C stops the join half-way (a dictionary of a million
        // arrays took 0.2 s to free at 81M rows, between the keypress and the prompt).
        let keys = try JoinKeys(left: leftKey, right: rightKey)
        let index = try JoinIndex(keys.right)
        // Each left row's group of matches, looked up once: the count decides whether the join fits.
        var groupOf: [Int32] = []
        var total = 0
        do {
            groupOf = try Interrupt.makeArray(count: frame.rowCount) { out, rows in
                keys.left.withUnsafeBufferPointer { leftKeys in
                    for row in rows { out.initializeElement(at: row, to: index.group(of: leftKeys[row])) }
                }
            }
            try Interrupt.forEachChunk(frame.rowCount) { rows in
                for row in rows where groupOf[row] >= 0 { total += index.size(of: groupOf[row]) }
            }
        } catch {
            Interrupt.releaseInBackground(&groupOf, leaving: [])
            throw error
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
                    let group = groupOf[row]
                    guard group >= 0 else { continue }
                    for m in index.rows(of: group) {
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
        Interrupt.releaseInBackground(&groupOf, leaving: [])
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

/// The keys of both sides of a join as integers, nil for a null: integer columns as they are,
/// string and text columns as numbers given to the right side's distinct texts (a left text the
/// right side lacks gets a number no right row has).
struct JoinKeys {
    var left: [Int64?]
    var right: [Int64?]

    init(left: Column, right: Column) throws(Interrupted) {
        if left.type.isInteger {
            self.left = try Self.integers(left)
            self.right = try Self.integers(right)
            return
        }
        var numbers: [String: Int64] = [:]
        self.right = try Self.texts(right) { text in
            if let number = numbers[text] { return number }
            let number = Int64(numbers.count)
            numbers[text] = number
            return number
        }
        let missing = Int64(numbers.count)
        self.left = try Self.texts(left) { numbers[$0] ?? missing }
    }

    static func integers(_ column: Column) throws(Interrupted) -> [Int64?] {
        guard case .integers(let values, let nulls) = column.data else { return try Interrupt.repeating(nil, count: column.count) }
        return try Interrupt.makeArray(count: values.count) { out, rows in
            for row in rows { out.initializeElement(at: row, to: nulls.isNull(row) ? nil : values[row]) }
        }
    }

    /// Each row's text numbered by `number` (called once per distinct entry of a dictionary column).
    static func texts(_ column: Column, _ number: (String) -> Int64) throws(Interrupted) -> [Int64?] {
        switch column.data {
        case .strings(let codes, let dictionary):
            let numbered = dictionary.map(number)
            return try Interrupt.makeArray(count: codes.count) { out, rows in
                for row in rows { out.initializeElement(at: row, to: codes[row] == nullCode ? nil : numbered[Int(codes[row])]) }
            }
        case .texts(let values):
            var out: [Int64?] = []
            out.reserveCapacity(values.count)
            for (row, value) in values.enumerated() {
                try Interrupt.check(row: row)
                out.append(value.map(number))
            }
            return out
        default:
            return try Interrupt.repeating(nil, count: column.count)
        }
    }
}

/// The rows of a join's right side grouped by key, in row order within a group: groups numbered
/// in order of first appearance, their rows side by side in one array (`starts` marks where each
/// group begins), so a left row finds its matches with one lookup and frees nothing of its own.
struct JoinIndex {
    /// Key → group, for keys spread too thinly for `dense`.
    private var groups: [Int64: Int32] = [:]
    /// Group of key `low + i`, -1 for none: used when the keys fill their range well (ids).
    private var dense: [Int32] = []
    private var low: Int64 = 0
    private var starts: [Int32] = [0]
    private var rows: [Int32] = []

    init(_ keys: [Int64?]) throws(Interrupted) {
        var present = 0, least = Int64.max, most = Int64.min
        for (row, key) in keys.enumerated() {
            try Interrupt.check(row: row)
            guard let key else { continue }
            present += 1
            least = min(least, key)
            most = max(most, key)
        }
        guard present > 0 else { return }
        // A range at most four slots a row (and not past Int32) is looked up by subtraction.
        let span = most.subtractingReportingOverflow(least)
        let useDense = !span.overflow && span.partialValue < Int64(max(1024, 4 * present)) && span.partialValue < Int64(Int32.max)
        if useDense {
            low = least
            dense = try Interrupt.repeating(-1, count: Int(span.partialValue) + 1)
        }
        // Group of each row (first appearance numbers the groups), and each group's size.
        var groupOfRow = [Int32](repeating: -1, count: keys.count)
        var sizes: [Int32] = []
        for (row, key) in keys.enumerated() {
            try Interrupt.check(row: row)
            guard let key else { continue }
            var group: Int32
            if useDense {
                group = dense[Int(key - low)]
                if group < 0 { group = Int32(sizes.count); dense[Int(key - low)] = group; sizes.append(0) }
            } else if let known = groups[key] {
                group = known
            } else {
                group = Int32(sizes.count); groups[key] = group; sizes.append(0)
            }
            groupOfRow[row] = group
            sizes[Int(group)] += 1
        }
        starts.reserveCapacity(sizes.count + 1)
        for size in sizes { starts.append(starts[starts.count - 1] + size) }
        // Rows placed group by group, in row order (a counting sort).
        var next = Array(starts.dropLast())
        rows = [Int32](repeating: 0, count: present)
        for row in 0..<keys.count {
            try Interrupt.check(row: row)
            let group = Int(groupOfRow[row])
            guard group >= 0 else { continue }
            rows[Int(next[group])] = Int32(row)
            next[group] += 1
        }
    }

    /// The group of `key`'s rows, -1 when no right row has it (or it is null).
    @inline(__always) func group(of key: Int64?) -> Int32 {
        guard let key else { return -1 }
        if !dense.isEmpty {
            let (offset, overflow) = key.subtractingReportingOverflow(low)
            guard !overflow, offset >= 0, offset < Int64(dense.count) else { return -1 }
            return dense[Int(offset)]
        }
        return groups[key] ?? -1
    }

    @inline(__always) func size(of group: Int32) -> Int { Int(starts[Int(group) + 1] - starts[Int(group)]) }

    @inline(__always) func rows(of group: Int32) -> ArraySlice<Int32> { rows[Int(starts[Int(group)])..<Int(starts[Int(group) + 1])] }
}
