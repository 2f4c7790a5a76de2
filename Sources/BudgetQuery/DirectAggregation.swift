import BudgetCore
import BudgetStore

/// `summarize sum(…), count() by keys` when the keys have few possible values (dictionary codes,
/// integers in a narrow range such as years and months): each row's slot is computed from its
/// key values directly, and each aggregate adds into an array indexed by slot — no group number
/// per row, no hashing, one pass per aggregate over chunks small enough to stay in cache, the
/// rows in halves on both cores, merged at the end (DuckDB's perfect hash aggregate does the
/// same). Keys and arguments are read through the frame's selections, never gathered.
///
/// Hand-written for speed (BENCHMARKS.md, issue 13 item 4): at 1M projects `Grouping` plus a
/// second pass for the sum took ~60 % of Q5. Any other shape (min, max, avg, dcount, reals,
/// expressions, wide key ranges, a sum that overflows) returns nil and goes the general way,
/// which also gives the overflow its error.
///
/// Groups come out in the order of their slots (of their key values), not of first appearance:
/// `summarize` sorts them by key after, and a slot's key values follow from the slot itself, so
/// no row needs remembering (tracking each slot's first row was a mispredicted branch per row
/// when months come in no order).
struct DirectAggregation {
    /// One column per key, as the source column (name, aliases, type), one value per group.
    var keys: [Column]
    /// One column per aggregate, in the order of the specs, one value per group.
    var columns: [Column]
    var groupCount: Int

    /// The most slots (combinations of key values, nulls included) tried.
    static let maxSlots = 1 << 16
    /// Rows per chunk: a chunk's slots stay in the first-level cache while each aggregate reads them.
    static let chunkRows = 2048

    /// One key: how to turn a row's value into its slot within the key's own `width`.
    private struct Key: Sendable {
        enum Values: Sendable {
            /// Slot = code + 1 (the null code -1 → 0).
            case codes([Int32])
            /// Slot = value - low; null → width - 1.
            case integers([Int64], NullMask, low: Int64)
        }
        let values: Values
        /// Base rows of the current rows; nil: the current rows are the base rows.
        let rows: [Int32]?
        let width: Int
        /// The column read, for the name, aliases, type and dictionary of the group keys.
        let column: Column

        /// The key column of the groups whose slot within this key is `components`.
        func groupColumn(_ components: [Int]) -> Column {
            let data: ColumnData
            switch (values, column.data) {
            case (.codes, .strings(_, let dictionary)):
                data = .strings(codes: components.map { Int32($0) - 1 }, dictionary: dictionary)
            case (.integers(_, _, let low), _):
                data = .integers(components.map { $0 == width - 1 ? 0 : low + Int64($0) }, nulls: NullMask(count: components.count) { components[$0] == width - 1 })
            default:
                preconditionFailure("a key reads codes from a dictionary column")
            }
            return Column(name: column.name, aliases: column.aliases, type: column.type, data: data)
        }
    }

    private enum Accumulator: Sendable {
        case count
        case sum([Int64], NullMask, rows: [Int32]?, type: ColumnType)
    }

    /// Per-part totals, indexed by slot.
    private struct Totals: Sendable {
        /// Per accumulator: counts (count) or sums (sum). The first counts the rows of each slot.
        var totals: [[Int64]]
        /// Per accumulator: whether a non-null value was added (sums over a column with nulls only).
        var seen: [[Bool]?]
        var overflow = false
    }

    /// The aggregates of `specs` grouped by `keys` (each a column as stored and the base rows of
    /// the current rows), or nil when this shape is not one it handles.
    static func run(keys: [(column: Column, rows: [Int32]?)], specs: [AggregateSpec], frame: Frame) throws(Interrupted) -> DirectAggregation? {
        let rowCount = frame.rowCount
        guard rowCount < Int(Int32.max) else { return nil }
        // The rows of each slot first (which slots are groups), then one per aggregate.
        var accumulators: [Accumulator] = [.count]
        for spec in specs {
            switch (spec.function, spec.argument) {
            case (.count, nil):
                accumulators.append(.count)
            case (.sum, .column(let index, let type)?) where type != .real && type.isNumeric:
                let (column, rows) = frame.raw(index)
                guard case .integers(let values, let nulls) = column.data else { return nil }
                accumulators.append(.sum(values, nulls, rows: rows, type: type))
            default:
                return nil
            }
        }
        var readers: [Key] = []
        var slotCount = 1
        for (column, rows) in keys {
            let key: Key
            switch column.data {
            case .strings(let codes, let dictionary):
                key = Key(values: .codes(codes), rows: rows, width: dictionary.count + 1, column: column)
            case .integers(let values, let nulls):
                // The whole column's range (kept with its block ranges), which holds the selected rows'.
                guard let ranges = column.blockRanges else { return nil }
                let low = ranges.lowest <= ranges.highest ? ranges.lowest : 0
                let high = ranges.lowest <= ranges.highest ? ranges.highest : -1
                let (span, overflow) = high.subtractingReportingOverflow(low)
                guard !overflow, span < Int64(maxSlots) else { return nil }
                key = Key(values: .integers(values, nulls, low: low), rows: rows, width: Int(span) + 2, column: column)
            default:
                return nil
            }
            slotCount *= key.width
            // Zeroing the slots must not cost more than the rows it groups.
            guard slotCount <= maxSlots, slotCount <= max(4096, rowCount) else { return nil }
            readers.append(key)
        }
        let keyReaders = readers, readings = accumulators
        let slots = slotCount
        let parts = rowCount >= 1 << 18 ? 2 : 1
        let partTotals = concurrentMap(parts) { part in
            totals(keys: keyReaders, accumulators: readings, slots: slots, rows: rowCount * part / parts ..< rowCount * (part + 1) / parts)
        }
        try Interrupt.check()
        var merged = partTotals[0]
        for other in partTotals.dropFirst() {
            merged.overflow = merged.overflow || other.overflow
            for a in accumulators.indices {
                for slot in 0..<slots {
                    let (total, overflow) = merged.totals[a][slot].addingReportingOverflow(other.totals[a][slot])
                    merged.totals[a][slot] = total
                    merged.overflow = merged.overflow || overflow
                }
                if let seen = other.seen[a] { for slot in 0..<slots where seen[slot] { merged.seen[a]?[slot] = true } }
            }
        }
        if merged.overflow { return nil }
        // Groups: the slots that have rows; without keys, one group even for no rows.
        let rowsIn = merged.totals[0]
        let groupSlots = keys.isEmpty ? [0] : (0..<slots).filter { rowsIn[$0] > 0 }
        // Each key's part of a slot: slot = (…(k0 × w1 + k1) × w2 + k2)….
        var divisor = slots
        let keyColumns = readers.map { key -> Column in
            divisor /= key.width
            return key.groupColumn(groupSlots.map { ($0 / divisor) % key.width })
        }
        let columns = accumulators.enumerated().dropFirst().map { a, accumulator -> Column in
            let values = groupSlots.map { merged.totals[a][$0] }
            switch accumulator {
            case .count:
                return Column(name: "", type: .int, data: .integers(values))
            case .sum(_, _, _, let type):
                // A group none of whose values is non-null sums to null.
                let seen = merged.seen[a]
                let nulls = NullMask(count: groupSlots.count) { g in seen.map { !$0[groupSlots[g]] } ?? (rowsIn[groupSlots[g]] == 0) }
                return Column(name: "", type: type, data: .integers(values, nulls: nulls))
            }
        }
        return DirectAggregation(keys: keyColumns, columns: columns, groupCount: groupSlots.count)
    }

    /// The totals of the current rows `range`, a chunk at a time.
    ///
    /// With few slots each total is kept in four lanes (row j adds into lane j % 4): a run of
    /// rows in one group (the rows of one month) would otherwise wait, row after row, on the
    /// store of the previous row's sum into the same cell. The lanes are added up at the end;
    /// an overflow in any lane sends the whole aggregation the general way, which decides it.
    private static func totals(keys: [Key], accumulators: [Accumulator], slots: Int, rows range: Range<Int>) -> Totals {
        let lanes = slots <= 4096 ? 4 : 1, laneMask = lanes - 1
        var cells = accumulators.map { _ in [Int64](repeating: 0, count: slots * lanes) }
        var seen = accumulators.map { accumulator -> [Bool]? in
            if case .sum(_, let nulls, _, _) = accumulator, nulls.hasNulls { return [Bool](repeating: false, count: slots) }
            return nil
        }
        var overflow = false
        var slotOf = [Int32](repeating: 0, count: chunkRows)
        var start = range.lowerBound
        while start < range.upperBound {
            // The process-wide flag: a request scoped to a task (tests) is looked at by the
            // calling thread once the parts end (`run`), so that the looks are counted alike.
            if Interrupt.isRequestedByProcess { break }
            let n = min(chunkRows, range.upperBound - start)
            for (k, key) in keys.enumerated() { fill(&slotOf, key: key, start: start, count: n, combine: k > 0) }
            slotOf.withUnsafeBufferPointer { s in
                for a in accumulators.indices {
                    switch accumulators[a] {
                    case .count:
                        cells[a].withUnsafeMutableBufferPointer { counts in
                            for j in 0..<n { counts[Int(s[j]) &* lanes &+ (j & laneMask)] &+= 1 }
                        }
                    case .sum(let values, let nulls, let rows, _):
                        // Moved out (not copied) so that the loops write local arrays only.
                        var sums = cells[a], met = seen[a] ?? []
                        cells[a] = []
                        seen[a] = nil
                        var wrapped = false
                        sums.withUnsafeMutableBufferPointer { sums in
                            met.withUnsafeMutableBufferPointer { met in
                                values.withUnsafeBufferPointer { v in
                                    @inline(__always) func add(_ j: Int, _ row: Int) {
                                        let cell = Int(s[j]) &* lanes &+ (j & laneMask)
                                        let (total, o) = sums[cell].addingReportingOverflow(v[row])
                                        sums[cell] = total
                                        wrapped = wrapped || o
                                    }
                                    switch (rows, nulls.hasNulls) {
                                    case (nil, false):
                                        for j in 0..<n { add(j, start + j) }
                                    case (let rows?, false):
                                        rows.withUnsafeBufferPointer { r in for j in 0..<n { add(j, Int(r[start + j])) } }
                                    case (nil, true):
                                        for j in 0..<n where !nulls.isNull(start + j) {
                                            add(j, start + j)
                                            met[Int(s[j])] = true
                                        }
                                    case (let rows?, true):
                                        rows.withUnsafeBufferPointer { r in
                                            for j in 0..<n where !nulls.isNull(Int(r[start + j])) {
                                                add(j, Int(r[start + j]))
                                                met[Int(s[j])] = true
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        cells[a] = sums
                        if nulls.hasNulls { seen[a] = met }
                        overflow = overflow || wrapped
                    }
                }
            }
            start += n
        }
        // The lanes of each slot added up.
        let totals = cells.map { cells in
            (0..<slots).map { slot in
                var total: Int64 = 0
                for lane in 0..<lanes {
                    let (sum, o) = total.addingReportingOverflow(cells[slot * lanes + lane])
                    total = sum
                    overflow = overflow || o
                }
                return total
            }
        }
        return Totals(totals: totals, seen: seen, overflow: overflow)
    }

    /// Sets (or, with `combine`, extends: slot × width + this key's slot) the slots of rows
    /// `start ..< start + count`.
    private static func fill(_ slotOf: inout [Int32], key: Key, start: Int, count n: Int, combine: Bool) {
        let width = Int32(key.width)
        slotOf.withUnsafeMutableBufferPointer { s in
            @inline(__always) func put(_ j: Int, _ slot: Int32) {
                s[j] = combine ? s[j] &* width &+ slot : slot
            }
            switch key.values {
            case .codes(let codes):
                codes.withUnsafeBufferPointer { c in
                    if let rows = key.rows {
                        rows.withUnsafeBufferPointer { r in for j in 0..<n { put(j, c[Int(r[start + j])] &+ 1) } }
                    } else {
                        for j in 0..<n { put(j, c[start + j] &+ 1) }
                    }
                }
            case .integers(let values, let nulls, let low):
                let nullSlot = width - 1
                values.withUnsafeBufferPointer { v in
                    @inline(__always) func slot(_ row: Int) -> Int32 { Int32(truncatingIfNeeded: v[row] &- low) }
                    switch (key.rows, nulls.hasNulls) {
                    case (nil, false):
                        for j in 0..<n { put(j, slot(start + j)) }
                    case (let rows?, false):
                        rows.withUnsafeBufferPointer { r in for j in 0..<n { put(j, slot(Int(r[start + j]))) } }
                    case (nil, true):
                        for j in 0..<n { put(j, nulls.isNull(start + j) ? nullSlot : slot(start + j)) }
                    case (let rows?, true):
                        rows.withUnsafeBufferPointer { r in
                            for j in 0..<n {
                                let row = Int(r[start + j])
                                put(j, nulls.isNull(row) ? nullSlot : slot(row))
                            }
                        }
                    }
                }
            }
        }
    }
}
