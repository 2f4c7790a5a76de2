import BudgetCore
import BudgetStore

/// A row test over one column's values, as a type so that scans specialize (no closure call per row).
///
/// `verdict` decides a whole block of rows from its lowest and highest value (`BlockRanges`):
/// integer values, so `low...high` holds every value the block may have and no other.
protocol RowPredicate: Sendable {
    associatedtype Value: FixedWidthInteger & Sendable
    func callAsFunction(_ value: Value) -> Bool
    func verdict(low: Value, high: Value) -> BlockVerdict
}

/// What a block's value range says of a row test.
enum BlockVerdict {
    /// No row can pass: the block is skipped.
    case none
    /// Every row passes: the block is kept whole.
    case all
    /// Test each row.
    case some
}

extension BlockVerdict {
    init(all: Bool, none: Bool) {
        self = none ? .none : all ? .all : .some
    }
}

struct Equal<Value: FixedWidthInteger & Sendable>: RowPredicate {
    let c: Value
    @inline(__always) func callAsFunction(_ value: Value) -> Bool { value == c }
    func verdict(low: Value, high: Value) -> BlockVerdict { BlockVerdict(all: low == c && high == c, none: c < low || c > high) }
}

/// Not equal, and not the null code (dictionary columns).
struct NotEqual<Value: FixedWidthInteger & Sendable>: RowPredicate {
    let c: Value
    let null: Value
    @inline(__always) func callAsFunction(_ value: Value) -> Bool { value != c && value != null }
    func verdict(low: Value, high: Value) -> BlockVerdict {
        BlockVerdict(all: (c < low || c > high) && (null < low || null > high), none: low == high && (low == c || low == null))
    }
}

/// Below `c`, and not the null code (-1, which sorts lowest).
struct Below<Value: FixedWidthInteger & Sendable>: RowPredicate {
    let c: Value
    let null: Value
    @inline(__always) func callAsFunction(_ value: Value) -> Bool { value < c && value != null }
    func verdict(low: Value, high: Value) -> BlockVerdict {
        BlockVerdict(all: high < c && (null < low || null > high), none: low >= c || (low == high && low == null))
    }
}

/// At least `c` (a dictionary column's null code sorts lowest, so it never passes).
struct AtLeast<Value: FixedWidthInteger & Sendable>: RowPredicate {
    let c: Value
    @inline(__always) func callAsFunction(_ value: Value) -> Bool { value >= c }
    func verdict(low: Value, high: Value) -> BlockVerdict { BlockVerdict(all: low >= c, none: high < c) }
}

/// Not equal (integers: their nulls are a mask, applied after the scan).
struct Unequal<Value: FixedWidthInteger & Sendable>: RowPredicate {
    let c: Value
    @inline(__always) func callAsFunction(_ value: Value) -> Bool { value != c }
    func verdict(low: Value, high: Value) -> BlockVerdict { BlockVerdict(all: c < low || c > high, none: low == c && high == c) }
}

/// Below `c`.
struct Under<Value: FixedWidthInteger & Sendable>: RowPredicate {
    let c: Value
    @inline(__always) func callAsFunction(_ value: Value) -> Bool { value < c }
    func verdict(low: Value, high: Value) -> BlockVerdict { BlockVerdict(all: high < c, none: low >= c) }
}

/// At most `c`.
struct AtMost<Value: FixedWidthInteger & Sendable>: RowPredicate {
    let c: Value
    @inline(__always) func callAsFunction(_ value: Value) -> Bool { value <= c }
    func verdict(low: Value, high: Value) -> BlockVerdict { BlockVerdict(all: high <= c, none: low > c) }
}

/// Above `c`.
struct Over<Value: FixedWidthInteger & Sendable>: RowPredicate {
    let c: Value
    @inline(__always) func callAsFunction(_ value: Value) -> Bool { value > c }
    func verdict(low: Value, high: Value) -> BlockVerdict { BlockVerdict(all: low > c, none: high <= c) }
}

/// Equal to one of two values.
struct EitherOf<Value: FixedWidthInteger & Sendable>: RowPredicate {
    let a: Value
    let b: Value
    @inline(__always) func callAsFunction(_ value: Value) -> Bool { value == a || value == b }
    func verdict(low: Value, high: Value) -> BlockVerdict {
        // Integers: a block of one or two adjacent values passes whole when both are wanted.
        let within = { (v: Value) in v == a || v == b }
        let (span, overflow) = high.subtractingReportingOverflow(low)
        return BlockVerdict(all: !overflow && span <= 1 && within(low) && within(high),
                            none: (a < low || a > high) && (b < low || b > high))
    }
}

/// In a set of values.
struct OneOf<Value: FixedWidthInteger & Hashable & Sendable>: RowPredicate {
    let values: Set<Value>
    @inline(__always) func callAsFunction(_ value: Value) -> Bool { values.contains(value) }
    func verdict(low: Value, high: Value) -> BlockVerdict {
        if !values.contains(where: { low <= $0 && $0 <= high }) { return .none }
        // A narrow block passes whole when every integer in it is wanted.
        let (span, overflow) = high.subtractingReportingOverflow(low)
        guard !overflow, span < Value(values.count) else { return .some }
        var v = low
        while true {
            if !values.contains(v) { return .some }
            if v == high { return .all }
            v += 1
        }
    }
}

/// Buffers a parallel scan reads; they outlive the scan, which `scan` waits for.
struct ScanInput<Value>: @unchecked Sendable {
    let values: UnsafeBufferPointer<Value>
    let rows: UnsafeBufferPointer<Int32>?
    /// Where the parts write the positions they keep, each from its own offset.
    let out: UnsafeMutableBufferPointer<Int32>
}

extension Executor {
    /// `where`: narrows the selection vector; no base column is copied.
    ///
    /// A conjunction is applied one side at a time, so the right side only looks at rows the left
    /// side kept. A comparison of a column with a constant runs directly over the column's buffer
    /// through the selection (DuckDB's filter does the same); anything else is evaluated a column
    /// at a time and the rows whose condition is true are kept.
    func filter(_ frame: Frame, _ predicate: Expr) throws -> Frame {
        var b = binder(frame)
        let bound = try b.bind(predicate)
        guard bound.type == .bool || bound.type == nil else {
            throw QueryError("`where` needs a true/false condition, not \(describe(bound.type))", at: predicate.span,
                             hint: "compare it, e.g. year == 2024")
        }
        var current = frame
        for conjunct in conjuncts(bound) {
            let positions = try keptPositions(current, conjunct)
            current = try current.selecting(positions)
        }
        current.notes += unmatchedValueNotes(frame, bound)
        return current
    }

    /// `type == "其他运转类(综合类)"` where no row has that value but one is close (half-width
    /// parentheses, a typo): a note naming the value meant, rather than a silent empty answer.
    func unmatchedValueNotes(_ frame: Frame, _ bound: Bound) -> [String] {
        var notes: [String] = []
        func check(_ index: Int, _ text: String) {
            let column = frame.columns[index]
            let dictionary: [String]
            switch column.data {
            case .strings(_, let d), .lists(_, _, let d): dictionary = d
            default: return
            }
            // Dictionaries are sorted by UTF-8 bytes (the comparisons rely on it): a binary search.
            let at = dictionary.lowerBound(text)
            guard !(at < dictionary.count && dictionary[at] == text), let close = Self.closestValue(text, among: dictionary) else { return }
            notes.append("no \(column.name) is \"\(text)\"; did you mean \"\(close)\"?")
        }
        func walk(_ b: Bound) {
            switch b {
            case .compare(let op, .column(let i, _), .constant(let s)) where op == .equal || op == .notEqual:
                if case .string(let t) = s.value { check(i, t) }
            case .compare(let op, .constant(let s), .column(let i, _)) where op == .equal || op == .notEqual:
                if case .string(let t) = s.value { check(i, t) }
            case .listHas(.column(let i, _), .constant(let s)):
                if case .string(let t) = s.value { check(i, t) }
            case .inSet(.column(let i, _), let items, _):
                for item in items { if case .string(let t) = item.value { check(i, t) } }
            case .logic(_, let l, let r): walk(l); walk(r)
            case .not(let inner): walk(inner)
            default: break
            }
        }
        walk(bound)
        return notes
    }

    /// The dictionary value `text` most likely means: equal once full- and half-width forms and
    /// spaces are ignored, else within a small edit distance; nil when none is close.
    static func closestValue(_ text: String, among values: [String]) -> String? {
        func folded(_ s: String) -> String {
            let map: [Character: Character] = ["（": "(", "）": ")", "，": ",", "：": ":", "；": ";", "　": " ", "－": "-", "、": ","]
            return String(s.compactMap { c -> Character? in
                if c == " " || c == "　" { return nil }
                if let m = map[c] { return m }
                if let v = c.unicodeScalars.first?.value, c.unicodeScalars.count == 1, (0xFF01...0xFF5E).contains(v) {
                    return Character(Unicode.Scalar(v - 0xFEE0)!)
                }
                return c
            })
        }
        let key = folded(text)
        if let same = values.first(where: { folded($0) == key }) { return same }
        guard values.count <= 5_000 else { return nil }
        return suggestions(for: text, among: values).first
    }

    private func conjuncts(_ bound: Bound) -> [Bound] {
        if case .logic(.and, let l, let r) = bound { return conjuncts(l) + conjuncts(r) }
        return [bound]
    }

    /// Positions (among the current rows) where `condition` is true.
    private func keptPositions(_ frame: Frame, _ condition: Bound) throws -> [Int32] {
        if let fast = try constantComparison(frame, condition) { return fast }
        let evaluator = Evaluator(frame: frame)
        let values = try evaluator.boolValues(evaluator.evaluate(condition))
        var kept: [Int32] = []
        kept.reserveCapacity(values.count / 4)
        try Interrupt.forEachChunk(values.count) { rows in
            for i in rows where values[i] == 1 { kept.append(Int32(i)) }
        }
        return kept
    }

    /// `column in (constants)` over the column's own buffer, or nil when the shape does not fit.
    private func constantMembership(_ frame: Frame, _ condition: Bound) throws(Interrupted) -> [Int32]? {
        guard case .inSet(.column(let index, let type), let items, negated: false) = condition,
              items.allSatisfy({ $0.value != .null }) else { return nil }
        let (column, rows) = frame.raw(index)
        switch column.data {
        case .integers(let values, let nulls):
            var wanted = Set<Int64>()
            for item in items {
                guard case .integer(let raw) = item.value, let itemType = item.type,
                      let columnScale = numericScale(type) ?? (type == itemType ? 0 : nil),
                      let itemScale = numericScale(itemType) ?? (type == itemType ? 0 : nil), columnScale >= itemScale else { return nil }
                let (c, overflow) = raw.multipliedReportingOverflow(by: powerOfTen(columnScale - itemScale))
                if overflow { return nil }
                wanted.insert(c)
            }
            let sorted = wanted.sorted()
            if sorted.count == 1 { return try Self.dropNulls(Self.scan(values, of: column, rows: rows, count: frame.rowCount, Equal(c: sorted[0])), nulls, rows) }
            if sorted.count == 2 { return try Self.dropNulls(Self.scan(values, of: column, rows: rows, count: frame.rowCount, EitherOf(a: sorted[0], b: sorted[1])), nulls, rows) }
            return try Self.dropNulls(Self.scan(values, of: column, rows: rows, count: frame.rowCount, OneOf(values: wanted)), nulls, rows)
        case .strings(let codes, let dictionary):
            var wanted = Set<Int32>()
            for item in items {
                guard case .string(let text) = item.value else { return nil }
                let lower = dictionary.lowerBound(text)
                if lower < dictionary.count, dictionary[lower] == text { wanted.insert(Int32(lower)) }
            }
            return try Self.scan(codes, of: column, rows: rows, count: frame.rowCount, OneOf(values: wanted))
        default:
            return nil
        }
    }

    /// `column op constant` over the column's own buffer, or nil when the shape does not fit.
    private func constantComparison(_ frame: Frame, _ condition: Bound) throws -> [Int32]? {
        if let members = try constantMembership(frame, condition) { return members }
        guard case .compare(let op, .column(let index, let type), .constant(let constant)) = condition else { return nil }
        let (column, rows) = frame.raw(index)
        switch (column.data, constant.value) {
        case (.integers(let values, let nulls), .integer(let raw)):
            guard let constantType = constant.type, let columnScale = numericScale(type) ?? (type == constantType ? 0 : nil),
                  let constantScale = numericScale(constantType) ?? (type == constantType ? 0 : nil), columnScale >= constantScale else { return nil }
            let (c, overflow) = raw.multipliedReportingOverflow(by: powerOfTen(columnScale - constantScale))
            if overflow { return nil }
            let n = frame.rowCount
            // One loop per operator: the comparison is decided once, not per row; null rows
            // (a mask, so a column without nulls pays nothing) are dropped after.
            let kept: [Int32]
            switch op {
            case .equal: kept = try Self.scan(values, of: column, rows: rows, count: n, Equal(c: c))
            case .notEqual: kept = try Self.scan(values, of: column, rows: rows, count: n, Unequal(c: c))
            case .less: kept = try Self.scan(values, of: column, rows: rows, count: n, Under(c: c))
            case .lessOrEqual: kept = try Self.scan(values, of: column, rows: rows, count: n, AtMost(c: c))
            case .greater: kept = try Self.scan(values, of: column, rows: rows, count: n, Over(c: c))
            case .greaterOrEqual: kept = try Self.scan(values, of: column, rows: rows, count: n, AtLeast(c: c))
            }
            return try Self.dropNulls(kept, nulls, rows)
        case (.strings(let codes, let dictionary), .string(let text)):
            // The dictionary is sorted, so comparing codes compares strings.
            let lower = Int32(dictionary.lowerBound(text))
            let exact = Int(lower) < dictionary.count && dictionary[Int(lower)] == text
            let n = frame.rowCount
            switch (op, exact) {
            case (.equal, true): return try Self.scan(codes, of: column, rows: rows, count: n, Equal(c: lower))
            case (.equal, false): return []
            case (.notEqual, true): return try Self.scan(codes, of: column, rows: rows, count: n, NotEqual(c: lower, null: nullCode))
            case (.notEqual, false): return try Self.scan(codes, of: column, rows: rows, count: n, NotEqual(c: nullCode, null: nullCode))
            case (.less, _): return try Self.scan(codes, of: column, rows: rows, count: n, Below(c: lower, null: nullCode))
            case (.lessOrEqual, true): return try Self.scan(codes, of: column, rows: rows, count: n, Below(c: lower + 1, null: nullCode))
            case (.lessOrEqual, false): return try Self.scan(codes, of: column, rows: rows, count: n, Below(c: lower, null: nullCode))
            case (.greater, true): return try Self.scan(codes, of: column, rows: rows, count: n, AtLeast(c: lower + 1))
            case (.greater, false), (.greaterOrEqual, _): return try Self.scan(codes, of: column, rows: rows, count: n, AtLeast(c: lower))
            }
        default:
            return nil
        }
    }

    /// `kept` positions (among the current rows, read through `rows`) less those null in `nulls`.
    ///
    /// Written as the scans are, branch-free into a buffer of `kept`'s size: `filter` with its
    /// closure and `append` per position was 15 % of Q6 at 1M. 64K positions at a time, stopping
    /// when Ctrl-C asks.
    static func dropNulls(_ kept: [Int32], _ nulls: NullMask, _ rows: [Int32]?) throws(Interrupted) -> [Int32] {
        guard nulls.hasNulls else { return kept }
        var stopped = false
        var out = [Int32](unsafeUninitializedCapacity: kept.count) { out, n in
            n = 0
            kept.withUnsafeBufferPointer { positions in
                for chunk in stride(from: 0, to: positions.count, by: Interrupt.chunkRows) {
                    if Interrupt.isRequested { stopped = true; return }
                    let part = positions[chunk ..< min(positions.count, chunk + Interrupt.chunkRows)]
                    if let rows {
                        rows.withUnsafeBufferPointer { r in
                            for p in part {
                                out[n] = p
                                n &+= nulls.isNull(Int(r[Int(p)])) ? 0 : 1
                            }
                        }
                    } else {
                        for p in part {
                            out[n] = p
                            n &+= nulls.isNull(Int(p)) ? 0 : 1
                        }
                    }
                }
            }
        }
        if stopped {
            Interrupt.releaseInBackground(&out, leaving: [])
            throw Interrupted()
        }
        return out
    }

    /// Positions whose value passes `test`: a predicate type (not a closure), so each scan is
    /// specialized and inlined; scans of a million rows or more use both cores, half each.
    ///
    /// Over the base rows of `column` (no selection), blocks are first decided by their value
    /// range (`Column.blockRanges`, computed on the first such scan of a column and kept): a
    /// block no row of which can pass is skipped, one every row of which passes is kept whole.
    ///
    /// Each part looks at Ctrl-C every 64K rows and stops early; the scan then throws (the
    /// calling thread looks once more, for a request only its task sees).
    static func scan<P: RowPredicate>(_ values: [P.Value], of column: Column, rows: [Int32]?, count: Int, _ test: P) throws(Interrupted) -> [Int32] {
        let parts = count >= 1 << 20 ? 2 : 1
        let empty: [Int32] = []
        let blockSize = BlockRanges.blockSize
        // Small columns are scanned row by row: deciding blocks would not repay its pass.
        let ranges = rows == nil && count >= 1 << 16 && count == values.count ? column.blockRanges : nil
        let verdicts = ranges.map { ranges in
            (0..<ranges.blockCount).map { b -> BlockVerdict in
                // low > high: no value (a block of null integers, which no test keeps).
                ranges.low[b] > ranges.high[b] ? .none
                    : test.verdict(low: P.Value(truncatingIfNeeded: ranges.low[b]), high: P.Value(truncatingIfNeeded: ranges.high[b]))
            }
        }
        // Each part's rows, and the most positions it can keep (rows of blocks not skipped).
        let bounds = (0..<parts).map { part -> Range<Int> in count * part / parts ..< count * (part + 1) / parts }
        let room = bounds.map { range -> Int in
            guard let verdicts else { return range.count }
            var rows = 0, i = range.lowerBound
            while i < range.upperBound {
                let blockEnd = min(range.upperBound, (i / blockSize + 1) * blockSize)
                if verdicts[i / blockSize] != .none { rows += blockEnd - i }
                i = blockEnd
            }
            return rows
        }
        let offsets = room.indices.map { room[..<$0].reduce(0, +) }
        var kept = [Int32](unsafeUninitializedCapacity: room.reduce(0, +)) { out, initialized in
            values.withUnsafeBufferPointer { v in
                (rows ?? empty).withUnsafeBufferPointer { r in
                    let input = ScanInput(values: v, rows: rows == nil ? nil : r, out: out)
                    // Positions are written unconditionally and kept by advancing the count
                    // (no branch per row, no `append` and its uniqueness check).
                    let work: @Sendable (Int) -> Int = { part in
                        let out = input.out
                        var n = offsets[part]
                        for chunk in stride(from: bounds[part].lowerBound, to: bounds[part].upperBound, by: Interrupt.chunkRows) {
                            if Interrupt.isRequestedByProcess { break }
                            let range = chunk ..< min(bounds[part].upperBound, chunk + Interrupt.chunkRows)
                            if let r = input.rows {
                                for i in range {
                                    out[n] = Int32(i)
                                    n &+= test(input.values[Int(r[i])]) ? 1 : 0
                                }
                            } else if let verdicts {
                                var i = range.lowerBound
                                while i < range.upperBound {
                                    let blockEnd = min(range.upperBound, (i / blockSize + 1) * blockSize)
                                    switch verdicts[i / blockSize] {
                                    case .none: break
                                    case .all:
                                        for k in i..<blockEnd { out[n &+ k &- i] = Int32(k) }
                                        n &+= blockEnd - i
                                    case .some:
                                        for k in i..<blockEnd {
                                            out[n] = Int32(k)
                                            n &+= test(input.values[k]) ? 1 : 0
                                        }
                                    }
                                    i = blockEnd
                                }
                            } else {
                                for i in range {
                                    out[n] = Int32(i)
                                    n &+= test(input.values[i]) ? 1 : 0
                                }
                            }
                        }
                        return n - offsets[part]
                    }
                    let counts = parts == 1 ? [work(0)] : concurrentMap(parts, work)
                    // Close the gaps between the parts' positions.
                    var total = counts[0]
                    for part in 1..<parts {
                        // Forward, to a lower offset: safe although the two may overlap.
                        if offsets[part] != total {
                            for k in 0..<counts[part] { out[total + k] = out[offsets[part] + k] }
                        }
                        total += counts[part]
                    }
                    initialized = total
                }
            }
        }
        // A part that stopped early left its positions unfinished: never return them.
        if Interrupt.isRequested {
            Interrupt.releaseInBackground(&kept, leaving: [])
            throw Interrupted()
        }
        // A selection much smaller than the room it was given keeps only what it needs.
        if kept.capacity > 1 << 16, kept.count < kept.capacity / 4 { kept = Array(kept[...]) }
        return kept
    }

    /// `take N`: the first N rows of the current order.
    func take(_ frame: Frame, _ n: Int) throws(Interrupted) -> Frame {
        try frame.prefix(n)
    }
}
