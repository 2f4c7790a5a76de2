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
    static func build(keys: [Column], rows: Int, through: [Int32]? = nil) -> Grouping {
        guard var combined = keys.first.map({ singleKey($0, rows: rows, through: through) }) else { return single(rows: rows) }
        for key in keys.dropFirst() {
            let next = singleKey(key, rows: rows, through: through)
            let (width, overflow) = Int64(combined.count).multipliedReportingOverflow(by: Int64(next.count))
            var identities = [Int64](repeating: 0, count: rows)
            if !overflow && width < Int64(Int32.max) {
                for i in 0..<rows { identities[i] = Int64(combined.ids[i]) * Int64(next.count) + Int64(next.ids[i]) }
            } else {
                for i in 0..<rows { identities[i] = Int64(combined.ids[i]) << 32 | Int64(next.ids[i]) }
            }
            combined = fromIdentities(identities)
        }
        return combined
    }

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
                            through.withUnsafeBufferPointer { r in for i in 0..<rows { assign(i, codes[Int(r[i])]) } }
                        } else {
                            for i in 0..<rows { assign(i, codes[i]) }
                        }
                    }
                }
            }
            return Grouping(ids: ids, count: representatives.count, representatives: representatives)
        case .integers(let values):
            return fromIdentities(values, through: through)
        case .reals(let values):
            return fromIdentities(values.map { $0.isNaN ? Int64.min : Int64(bitPattern: ($0 == 0 ? 0 : $0).bitPattern) })
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
                let text = codes[Int(offsets[i])..<Int(offsets[i + 1])].map { dictionary[Int($0)] }.joined(separator: ";")
                if let id = intern[text] { return id }
                let id = Int64(intern.count)
                intern[text] = id
                return id
            })
        }
    }

    private static func fromIdentities(_ all: [Int64], through: [Int32]? = nil) -> Grouping {
        // Read through the selection once into a dense key (cheaper than two indirect passes).
        let values = through.map { rows in all.withUnsafeBufferPointer { v in rows.map { v[Int($0)] } } } ?? all
        let rows = values.count
        var ids = [Int32](repeating: 0, count: rows)
        var representatives: [Int] = []
        var low = Int64.max, high = Int64.min
        values.withUnsafeBufferPointer { values in
            for v in values where v != Int64.min {
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
                            let v = values[i]
                            let s = v == Int64.min ? nullSlot : Int(v &- low)
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
        for i in 0..<rows {
            if let id = table[values[i]] {
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

/// Computes one aggregate per group.
enum Aggregation {
    /// `sum(col)` or `count()` of a plain integer column, read through the frame's selection
    /// instead of gathering it first; nil when the aggregate has another shape.
    static func sumThroughSelection(_ spec: AggregateSpec, frame: Frame, grouping: Grouping) -> Column? {
        let g = grouping.count
        let n = frame.rowCount
        if spec.function == .count, case .none = spec.argument {
            var counts = [Int64](repeating: 0, count: g)
            grouping.ids.withUnsafeBufferPointer { ids in for k in 0..<n { counts[Int(ids[k])] += 1 } }
            return Column(name: "", type: .int, data: .integers(counts))
        }
        guard spec.function == .sum, case .column(let index, let type)? = spec.argument, type != .real, type.isNumeric else { return nil }
        let (column, rows) = frame.raw(index)
        guard case .integers(let values) = column.data else { return nil }
        var sums = [Int64](repeating: 0, count: g), seen = [Bool](repeating: false, count: g)
        var overflow = false
        let empty: [Int32] = []
        values.withUnsafeBufferPointer { v in
            grouping.ids.withUnsafeBufferPointer { ids in
                (rows ?? empty).withUnsafeBufferPointer { r in
                    let indirect = rows != nil
                    for k in 0..<n {
                        let value = v[indirect ? Int(r[k]) : k]
                        if value == nullInteger { continue }
                        let group = Int(ids[k])
                        let (total, o) = sums[group].addingReportingOverflow(value)
                        sums[group] = total
                        overflow = overflow || o
                        seen[group] = true
                    }
                }
            }
        }
        if overflow { return nil }
        return Column(name: "", type: type, data: .integers((0..<g).map { seen[$0] ? sums[$0] : nullInteger }))
    }

    static func compute(_ spec: AggregateSpec, argument: Operand?, grouping: Grouping, evaluator: Evaluator) throws(EvaluationFailure) -> Column {
        let g = grouping.count
        let ids = grouping.ids
        let rows = ids.count
        switch spec.function {
        case .count:
            var counts = [Int64](repeating: 0, count: g)
            if let argument, case .column(let c) = argument {
                for i in 0..<rows where !c.isNull(i) { counts[Int(ids[i])] += 1 }
            } else if let argument, case .scalar(let s) = argument, s.value == .null {
                // count(null) is 0.
            } else {
                for i in 0..<rows { counts[Int(ids[i])] += 1 }
            }
            return Column(name: "", type: .int, data: .integers(counts))
        case .dcount:
            guard let argument else { return Column(name: "", type: .int, data: .integers([Int64](repeating: 0, count: g))) }
            let column = evaluator.materialize(argument, type: argument.type ?? .int)
            let values = Grouping.build(keys: [column], rows: rows)
            var seen = Set<Int64>()
            var counts = [Int64](repeating: 0, count: g)
            for i in 0..<rows where !column.isNull(i) {
                if seen.insert(Int64(ids[i]) << 32 | Int64(values.ids[i])).inserted { counts[Int(ids[i])] += 1 }
            }
            return Column(name: "", type: .int, data: .integers(counts))
        case .sum, .runningSum, .avg:
            guard let argument else { throw EvaluationFailure(message: "\(spec.function.rawValue) needs an argument") }
            let type = argument.type ?? .int
            if type == .real || spec.function == .avg && type == .real {
                let values = evaluator.reals(argument)
                var sums = [Double](repeating: 0, count: g), counts = [Int](repeating: 0, count: g)
                for i in 0..<rows where !values[i].isNaN { sums[Int(ids[i])] += values[i]; counts[Int(ids[i])] += 1 }
                let out = (0..<g).map { counts[$0] == 0 ? Double.nan : (spec.function == .avg ? sums[$0] / Double(counts[$0]) : sums[$0]) }
                return Column(name: "", type: .real, data: .reals(out))
            }
            let values = try evaluator.ints(argument, scale: numericScale(type) ?? 0)
            var sums = [Int64](repeating: 0, count: g), counts = [Int](repeating: 0, count: g)
            var overflow = false
            values.withUnsafeBufferPointer { values in
                ids.withUnsafeBufferPointer { ids in
                    for i in 0..<rows where values[i] != nullInteger {
                        let k = Int(ids[i])
                        let (s, o) = sums[k].addingReportingOverflow(values[i])
                        sums[k] = s
                        overflow = overflow || o
                        counts[k] += 1
                    }
                }
            }
            if overflow { throw EvaluationFailure(message: "the sum does not fit in 64 bits of fen") }
            if spec.function == .avg {
                let divisor = Double(powerOfTen(numericScale(type) ?? 0))
                let out = (0..<g).map { counts[$0] == 0 ? Double.nan : Double(sums[$0]) / divisor / Double(counts[$0]) }
                return Column(name: "", type: .real, data: .reals(out))
            }
            return Column(name: "", type: type, data: .integers((0..<g).map { counts[$0] == 0 ? nullInteger : sums[$0] }))
        case .min, .max:
            guard let argument else { throw EvaluationFailure(message: "\(spec.function.rawValue) needs an argument") }
            let column = evaluator.materialize(argument, type: argument.type ?? .int)
            let isMax = spec.function == .max
            var best = [Int](repeating: -1, count: g)
            let order = SortKeyValues(column)
            for i in 0..<rows where !column.isNull(i) {
                let k = Int(ids[i])
                if best[k] < 0 || (isMax ? order.less(best[k], i) : order.less(i, best[k])) { best[k] = i }
            }
            var builder = ValueColumnBuilder(type: column.type)
            for k in 0..<g { builder.append(best[k] < 0 ? .null : column.value(at: best[k])) }
            return builder.finish(name: "")
        }
    }
}

/// Per-row values ready for ordering: nulls first, strings by UTF-8 bytes.
struct SortKeyValues {
    enum Storage {
        case ints([Int64])
        case reals([Double])
        case codes([Int32])
        case strings([String?])
    }
    let storage: Storage


    init(_ column: Column) {
        switch column.data {
        case .integers(let v): storage = .ints(v)
        case .reals(let v): storage = .reals(v)
        case .strings(let codes, _): storage = .codes(codes)
        case .texts(let v): storage = .strings(v)
        case .lists: storage = .strings((0..<column.count).map { i in
            if case .list(let items) = column.value(at: i) { return items.joined(separator: ";") }
            return nil
        })
        }
    }

    /// Strict "a before b" in ascending order, nulls first.
    func less(_ a: Int, _ b: Int) -> Bool {
        switch storage {
        case .ints(let v): return v[a] < v[b]
        case .codes(let v): return v[a] < v[b]
        case .reals(let v):
            let (x, y) = (v[a], v[b])
            if x.isNaN { return !y.isNaN }
            if y.isNaN { return false }
            return x < y
        case .strings(let v):
            guard let y = v[b] else { return false }
            guard let x = v[a] else { return true }
            return x.utf8.lexicographicallyPrecedes(y.utf8)
        }
    }
}
