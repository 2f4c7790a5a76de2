import BudgetCore
import BudgetStore

/// Rows assigned to groups: `ids[row]` in 0..<count, and the first row of each group.
struct Grouping {
    var ids: [Int32]
    var count: Int
    var representatives: [Int]

    /// Everything in one group (summarize without `by`): one group even for no rows.
    static func single(rows: Int) -> Grouping {
        Grouping(ids: [Int32](repeating: 0, count: rows), count: 1, representatives: [0])
    }

    /// Groups rows by the values of dense key columns, in order of first appearance.
    ///
    /// Each key is first reduced to small ids (dictionary codes directly, integers by direct
    /// indexing when their range is small, hashing otherwise); several keys combine their ids
    /// arithmetically, so no per-row tuple is ever allocated.
    ///
    /// With `through`, key values are read at those base rows (the frame's selection), so the
    /// key columns need not be gathered first.
    ///
    /// Ctrl-C: each pass stops early when `Interrupt` is requested (looked at every 64K rows), and
    /// the half-built grouping is never returned.
    static func build(keys: [Column], rows: Int, through: [Int32]? = nil) throws(Interrupted) -> Grouping {
        guard let first = keys.first else { return single(rows: rows) }
        var combined = singleKey(first, rows: rows, through: through)
        try Interrupt.check()
        for key in keys.dropFirst() {
            let next = singleKey(key, rows: rows, through: through)
            try Interrupt.check()
            let (width, overflow) = Int64(combined.count).multipliedReportingOverflow(by: Int64(next.count))
            var identities = [Int64](repeating: 0, count: rows)
            if !overflow && width < Int64(Int32.max) {
                for i in 0..<rows {
                    try Interrupt.check(row: i)
                    identities[i] = Int64(combined.ids[i]) * Int64(next.count) + Int64(next.ids[i])
                }
            } else {
                for i in 0..<rows {
                    try Interrupt.check(row: i)
                    identities[i] = Int64(combined.ids[i]) << 32 | Int64(next.ids[i])
                }
            }
            combined = fromIdentities(identities)
            try Interrupt.check()
        }
        return combined
    }

    /// One key's grouping; when interrupted, an unfinished one (`build` checks and throws).
    private static func singleKey(_ column: Column, rows: Int, through: [Int32]?) -> Grouping {
        if let through, !column.isIntegerOrCodes {
            return singleKey(column.gathered(through), rows: rows, through: nil)
        }
        switch column.data {
        case .strings(let codes, let dictionary):
            // Codes index an array directly; slot 0 is null.
            var slot = [Int32](repeating: -1, count: dictionary.count + 1)
            var ids = [Int32](repeating: 0, count: rows)
            var representatives: [Int] = []
            codes.withUnsafeBufferPointer { codes in
                ids.withUnsafeMutableBufferPointer { ids in
                    slot.withUnsafeMutableBufferPointer { slot in
                        func assign(_ i: Int, _ code: Int32) {
                            let s = Int(code) + 1
                            if slot[s] < 0 {
                                slot[s] = Int32(representatives.count)
                                representatives.append(i)
                            }
                            ids[i] = slot[s]
                        }
                        if let through {
                            through.withUnsafeBufferPointer { r in
                                for i in 0..<rows {
                                    if Interrupt.stops(at: i) { break }
                                    assign(i, codes[Int(r[i])])
                                }
                            }
                        } else {
                            for i in 0..<rows {
                                if Interrupt.stops(at: i) { break }
                                assign(i, codes[i])
                            }
                        }
                    }
                }
            }
            return Grouping(ids: ids, count: representatives.count, representatives: representatives)
        case .integers(let values, let nulls):
            return fromIdentities(values, nulls: nulls, through: through)
        case .reals(let values):
            return fromIdentities(values.map { $0.isNaN ? 0 : Int64(bitPattern: ($0 == 0 ? 0 : $0).bitPattern) },
                                  nulls: NullMask(count: values.count) { values[$0].isNaN })
        case .texts(let values):
            var intern: [String: Int64] = [:]
            return fromIdentities(values.map { v in
                guard let v else { return -1 }
                if let id = intern[v] { return id }
                let id = Int64(intern.count)
                intern[v] = id
                return id
            })
        case .lists(let offsets, let codes, let dictionary):
            var intern: [String: Int64] = [:]
            return fromIdentities((0..<rows).map { i in
                // A list groups with the lists that show the same text.
                let text = ValueText.list(codes[Int(offsets[i])..<Int(offsets[i + 1])].lazy.map { dictionary[Int($0)] })
                if let id = intern[text] { return id }
                let id = Int64(intern.count)
                intern[text] = id
                return id
            })
        }
    }

    /// Groups by identities (all distinct values distinct groups); rows null in `nulls` form one
    /// group of their own, whatever their slot holds.
    private static func fromIdentities(_ all: [Int64], nulls allNulls: NullMask = NullMask(), through: [Int32]? = nil) -> Grouping {
        // Read through the selection once into a dense key (cheaper than two indirect passes).
        let values = through.map { rows in all.withUnsafeBufferPointer { v in rows.map { v[Int($0)] } } } ?? all
        let nulls = through.map { allNulls.gathered($0) } ?? allNulls
        let rows = values.count
        var ids = [Int32](repeating: 0, count: rows)
        var representatives: [Int] = []
        var low = Int64.max, high = Int64.min
        values.withUnsafeBufferPointer { values in
            for (i, v) in values.enumerated() where !nulls.isNull(i) {
                if v < low { low = v }
                if v > high { high = v }
            }
        }
        let (span, overflow) = high.subtractingReportingOverflow(low)
        if rows > 0, low <= high, !overflow, span < 4_000_000, span < Int64(rows) * 4 + 1024 {
            // Small range: direct indexing; the last slot is null.
            var slot = [Int32](repeating: -1, count: Int(span) + 2)
            let nullSlot = Int(span) + 1
            values.withUnsafeBufferPointer { values in
                ids.withUnsafeMutableBufferPointer { ids in
                    slot.withUnsafeMutableBufferPointer { slot in
                        for i in 0..<rows {
                            if Interrupt.stops(at: i) { break }
                            let v = values[i]
                            let s = nulls.isNull(i) ? nullSlot : Int(v &- low)
                            var id = slot[s]
                            if id < 0 {
                                id = Int32(representatives.count)
                                slot[s] = id
                                representatives.append(i)
                            }
                            ids[i] = id
                        }
                    }
                }
            }
            return Grouping(ids: ids, count: representatives.count, representatives: representatives)
        }
        var table: [Int64: Int32] = [:]
        var nullId: Int32?
        for i in 0..<rows {
            if Interrupt.stops(at: i) { break }
            if nulls.isNull(i) {
                if nullId == nil {
                    nullId = Int32(representatives.count)
                    representatives.append(i)
                }
                ids[i] = nullId ?? 0
            } else if let id = table[values[i]] {
                ids[i] = id
            } else {
                let id = Int32(representatives.count)
                table[values[i]] = id
                representatives.append(i)
                ids[i] = id
            }
        }
        return Grouping(ids: ids, count: representatives.count, representatives: representatives)
    }
}

extension Column {
    /// Integer and dictionary-code columns can be read through a selection without gathering.
    var isIntegerOrCodes: Bool {
        switch data {
        case .integers, .strings: return true
        default: return false
        }
    }
}
