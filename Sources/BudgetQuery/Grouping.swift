import BudgetCore
import BudgetStore

/// Rows assigned to groups: `ids[row]` in 0..<count, and the first row of each group.
struct Grouping {
    var ids: [Int32]
    var count: Int
    var representatives: [Int]

    /// Everything in one group (summarize without `by`): one group even for no rows.
    static func single(rows: Int) throws(Interrupted) -> Grouping {
        Grouping(ids: try Interrupt.repeating(0, count: rows), count: 1, representatives: [0])
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
    /// Ctrl-C: every pass (the arrays' allocation included) goes 64K rows at a time and throws
    /// between them when `Interrupt` is requested.
    static func build(keys: [Column], rows: Int, through: [Int32]? = nil) throws(Interrupted) -> Grouping {
        guard let first = keys.first else { return try single(rows: rows) }
        var combined = try singleKey(first, rows: rows, through: through)
        for key in keys.dropFirst() {
            var next = Grouping(ids: [], count: 0, representatives: [])
            var identities: [Int64] = []
            do {
                next = try singleKey(key, rows: rows, through: through)
                let (width, overflow) = Int64(combined.count).multipliedReportingOverflow(by: Int64(next.count))
                let packed = !overflow && width < Int64(Int32.max)
                let count = Int64(next.count)
                identities = try Interrupt.makeArray(count: rows) { identities, range in
                    combined.ids.withUnsafeBufferPointer { a in
                        next.ids.withUnsafeBufferPointer { b in
                            if packed {
                                for i in range { identities[i] = Int64(a[i]) * count + Int64(b[i]) }
                            } else {
                                for i in range { identities[i] = Int64(a[i]) << 32 | Int64(b[i]) }
                            }
                        }
                    }
                }
                combined = try fromIdentities(identities)
            } catch {
                // Hundreds of MB at 80M rows: freed in the background, not before the prompt.
                Interrupt.releaseInBackground(&combined.ids, leaving: [])
                Interrupt.releaseInBackground(&next.ids, leaving: [])
                Interrupt.releaseInBackground(&identities, leaving: [])
                throw error
            }
        }
        return combined
    }

    /// One key's grouping.
    private static func singleKey(_ column: Column, rows: Int, through: [Int32]?) throws(Interrupted) -> Grouping {
        if let through, !column.isIntegerOrCodes {
            return try singleKey(column.gathered(through), rows: rows, through: nil)
        }
        switch column.data {
        case .strings(let codes, let dictionary):
            // Codes index an array directly; slot 0 is null.
            var slot = [Int32](repeating: -1, count: dictionary.count + 1)
            var representatives: [Int] = []
            let ids: [Int32] = try Interrupt.makeArray(count: rows) { ids, range in
                codes.withUnsafeBufferPointer { codes in
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
                                for i in range { assign(i, codes[Int(r[i])]) }
                            }
                        } else {
                            for i in range { assign(i, codes[i]) }
                        }
                    }
                }
            }
            return Grouping(ids: ids, count: representatives.count, representatives: representatives)
        case .integers(let values, let nulls):
            return try fromIdentities(values, nulls: nulls, through: through)
        case .reals(let values):
            let identities = try Interrupt.map(values) { $0.isNaN ? 0 : Int64(bitPattern: ($0 == 0 ? 0 : $0).bitPattern) }
            var nulls = NullMask()
            try Interrupt.forEachChunk(values.count) { range in
                for i in range where values[i].isNaN { nulls.setNull(i) }
            }
            return try fromIdentities(identities, nulls: nulls)
        case .texts(let values):
            var intern: [String: Int64] = [:]
            return try fromIdentities(Interrupt.map(values) { v in
                guard let v else { return -1 }
                if let id = intern[v] { return id }
                let id = Int64(intern.count)
                intern[v] = id
                return id
            })
        case .lists(let offsets, let codes, let dictionary):
            var intern: [String: Int64] = [:]
            return try fromIdentities(Interrupt.makeArray(count: rows) { out, range in
                for i in range {
                    // A list groups with the lists that show the same text.
                    let text = ValueText.list(codes[Int(offsets[i])..<Int(offsets[i + 1])].lazy.map { dictionary[Int($0)] })
                    if let id = intern[text] {
                        out[i] = id
                    } else {
                        let id = Int64(intern.count)
                        intern[text] = id
                        out[i] = id
                    }
                }
            })
        }
    }

    /// Groups by identities (all distinct values distinct groups); rows null in `nulls` form one
    /// group of their own, whatever their slot holds.
    private static func fromIdentities(_ all: [Int64], nulls allNulls: NullMask = NullMask(), through: [Int32]? = nil) throws(Interrupted) -> Grouping {
        // Read through the selection once into a dense key (cheaper than two indirect passes).
        var values = try through.map { rows throws(Interrupted) in try Interrupt.gather(all, rows) } ?? all
        do {
            let nulls = try through.map { rows throws(Interrupted) in try allNulls.gathered(rows) } ?? allNulls
            return try grouped(values, nulls: nulls)
        } catch {
            Interrupt.releaseInBackground(&values, leaving: [])
            throw error
        }
    }

    private static func grouped(_ values: [Int64], nulls: NullMask) throws(Interrupted) -> Grouping {
        let rows = values.count
        var representatives: [Int] = []
        var low = Int64.max, high = Int64.min
        try Interrupt.forEachChunk(rows) { range in
            values.withUnsafeBufferPointer { values in
                if nulls.hasNulls {
                    for i in range where !nulls.isNull(i) {
                        if values[i] < low { low = values[i] }
                        if values[i] > high { high = values[i] }
                    }
                } else {
                    for i in range {
                        low = min(low, values[i])
                        high = max(high, values[i])
                    }
                }
            }
        }
        let (span, overflow) = high.subtractingReportingOverflow(low)
        if rows > 0, low <= high, !overflow, span < 4_000_000, span < Int64(rows) * 4 + 1024 {
            // Small range: direct indexing; the last slot is null.
            var slot = [Int32](repeating: -1, count: Int(span) + 2)
            let nullSlot = Int(span) + 1
            let ids: [Int32] = try Interrupt.makeArray(count: rows) { ids, range in
                values.withUnsafeBufferPointer { values in
                    slot.withUnsafeMutableBufferPointer { slot in
                        for i in range {
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
        let ids: [Int32] = try Interrupt.makeArray(count: rows) { ids, range in
            for i in range {
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
