import BudgetCore
import BudgetStore

/// Computes one aggregate per group.
enum Aggregation {
    /// `sum(col)` or `count()` of a plain integer column, read through the frame's selection
    /// instead of gathering it first; nil when the aggregate has another shape.
    static func sumThroughSelection(_ spec: AggregateSpec, frame: Frame, grouping: Grouping) throws(Interrupted) -> Column? {
        let g = grouping.count
        let n = frame.rowCount
        if spec.function == .count, case .none = spec.argument {
            var counts = [Int64](repeating: 0, count: g)
            try Interrupt.forEachChunk(n) { range in
                grouping.ids.withUnsafeBufferPointer { ids in
                    for k in range { counts[Int(ids[k])] += 1 }
                }
            }
            return Column(name: "", type: .int, data: .integers(counts))
        }
        guard spec.function == .sum, case .column(let index, let type)? = spec.argument, type != .real, type.isNumeric else { return nil }
        let (column, rows) = frame.raw(index)
        guard case .integers(let values, let nulls) = column.data else { return nil }
        var sums = [Int64](repeating: 0, count: g), seen = [Bool](repeating: false, count: g)
        var overflow = false
        let empty: [Int32] = []
        try Interrupt.forEachChunk(n) { range in
            values.withUnsafeBufferPointer { v in
                grouping.ids.withUnsafeBufferPointer { ids in
                    (rows ?? empty).withUnsafeBufferPointer { r in
                        let indirect = rows != nil
                        for k in range {
                            let row = indirect ? Int(r[k]) : k
                            if nulls.isNull(row) { continue }
                            let value = v[row]
                            let group = Int(ids[k])
                            let (total, o) = sums[group].addingReportingOverflow(value)
                            sums[group] = total
                            overflow = overflow || o
                            seen[group] = true
                        }
                    }
                }
            }
        }
        if overflow { return nil }
        return Column(name: "", type: type, data: .integers(sums, nulls: NullMask(count: g) { !seen[$0] }))
    }

    static func compute(_ spec: AggregateSpec, argument: Operand?, grouping: Grouping, evaluator: Evaluator) throws(EvaluationFailure) -> Column {
        let g = grouping.count
        let ids = grouping.ids
        let rows = ids.count
        switch spec.function {
        case .count:
            var counts = [Int64](repeating: 0, count: g)
            if let argument, case .column(let c) = argument {
                try evaluator.eachChunk(rows) { range in for i in range where !c.isNull(i) { counts[Int(ids[i])] += 1 } }
            } else if let argument, case .scalar(let s) = argument, s.value == .null {
                // count(null) is 0.
            } else {
                try evaluator.eachChunk(rows) { range in for i in range { counts[Int(ids[i])] += 1 } }
            }
            return Column(name: "", type: .int, data: .integers(counts))
        case .dcount:
            guard let argument else { return Column(name: "", type: .int, data: .integers([Int64](repeating: 0, count: g))) }
            let column = try evaluator.materialize(argument, type: argument.type ?? .int)
            let values = try Evaluator.interruptible { () throws(Interrupted) in try Grouping.build(keys: [column], rows: rows) }
            var seen = Set<Int64>()
            var counts = [Int64](repeating: 0, count: g)
            try evaluator.eachChunk(rows) { range in
                for i in range where !column.isNull(i) {
                    if seen.insert(Int64(ids[i]) << 32 | Int64(values.ids[i])).inserted { counts[Int(ids[i])] += 1 }
                }
            }
            return Column(name: "", type: .int, data: .integers(counts))
        case .sum, .runningSum, .avg:
            guard let argument else { throw EvaluationFailure(message: "\(spec.function.rawValue) needs an argument") }
            let type = argument.type ?? .int
            if type == .real || spec.function == .avg && type == .real {
                let values = try evaluator.reals(argument)
                var sums = [Double](repeating: 0, count: g), counts = [Int](repeating: 0, count: g)
                try evaluator.eachChunk(rows) { range in
                    for i in range where !values[i].isNaN {
                        sums[Int(ids[i])] += values[i]
                        counts[Int(ids[i])] += 1
                    }
                }
                let out = (0..<g).map { counts[$0] == 0 ? Double.nan : (spec.function == .avg ? sums[$0] / Double(counts[$0]) : sums[$0]) }
                return Column(name: "", type: .real, data: .reals(out))
            }
            let values = try evaluator.ints(argument, scale: numericScale(type) ?? 0)
            var sums = [Int64](repeating: 0, count: g), counts = [Int](repeating: 0, count: g)
            var overflow = false
            let nulls = values.nulls
            try evaluator.eachChunk(rows) { range in
                values.values.withUnsafeBufferPointer { values in
                    ids.withUnsafeBufferPointer { ids in
                        for i in range where !nulls.isNull(i) {
                            let k = Int(ids[i])
                            let (s, o) = sums[k].addingReportingOverflow(values[i])
                            sums[k] = s
                            overflow = overflow || o
                            counts[k] += 1
                        }
                    }
                }
            }
            if overflow { throw EvaluationFailure(message: "the sum does not fit in 64 bits of fen") }
            if spec.function == .avg {
                let divisor = Double(powerOfTen(numericScale(type) ?? 0))
                let out = (0..<g).map { counts[$0] == 0 ? Double.nan : Double(sums[$0]) / divisor / Double(counts[$0]) }
                return Column(name: "", type: .real, data: .reals(out))
            }
            return Column(name: "", type: type, data: .integers(sums, nulls: NullMask(count: g) { counts[$0] == 0 }))
        case .min, .max:
            guard let argument else { throw EvaluationFailure(message: "\(spec.function.rawValue) needs an argument") }
            let column = try evaluator.materialize(argument, type: argument.type ?? .int)
            let isMax = spec.function == .max
            var best = [Int](repeating: -1, count: g)
            let order = try Evaluator.interruptible { () throws(Interrupted) in try SortKeyValues(column) }
            try evaluator.eachChunk(rows) { range in
                for i in range where !column.isNull(i) {
                    let k = Int(ids[i])
                    if best[k] < 0 || (isMax ? order.less(best[k], i) : order.less(i, best[k])) { best[k] = i }
                }
            }
            var builder = ValueColumnBuilder(type: column.type)
            for k in 0..<g { builder.append(best[k] < 0 ? .null : column.value(at: best[k])) }
            return builder.finish(name: "")
        }
    }
}
