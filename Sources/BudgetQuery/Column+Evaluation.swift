import BudgetCore
import BudgetStore

extension Column {
    func isNull(_ row: Int) -> Bool {
        switch data {
        case .integers(_, let nulls): return nulls.isNull(row)
        case .reals(let v): return v[row].isNaN
        case .strings(let codes, _): return codes[row] == nullCode
        case .texts(let v): return v[row] == nil
        case .lists: return false
        }
    }

    /// `count` copies of one scalar, written 64K rows at a time (Ctrl-C stops it: `Interrupt`).
    static func repeating(_ s: Scalar, count: Int, type: ColumnType) throws(Interrupted) -> Column {
        let data: ColumnData
        switch s.value {
        case .null:
            switch type {
            case .real: data = .reals(try Interrupt.repeating(.nan, count: count))
            case .string: data = .strings(codes: try Interrupt.repeating(nullCode, count: count), dictionary: [])
            case .text: data = .texts(try Interrupt.repeating(nil, count: count))
            case .list: data = .lists(offsets: try Interrupt.repeating(0, count: count + 1), codes: [], dictionary: [])
            default: data = .integers(try Interrupt.repeating(0, count: count), nulls: NullMask(allNull: count))
            }
        case .integer(let v): data = .integers(try Interrupt.repeating(v, count: count))
        case .real(let v): data = .reals(try Interrupt.repeating(v, count: count))
        case .string(let text):
            data = type == .text ? .texts(try Interrupt.repeating(text, count: count)) : .strings(codes: try Interrupt.repeating(0, count: count), dictionary: [text])
        case .list(let items):
            let (sorted, remap) = sortedDictionary(items)
            let codes = remap
            var offsets: [Int32] = [0]
            var all: [Int32] = []
            try Interrupt.forEachChunk(count) { rows in
                for _ in rows { all += codes; offsets.append(Int32(all.count)) }
            }
            data = .lists(offsets: offsets, codes: all, dictionary: sorted)
        }
        return Column(name: "", type: s.type ?? type, data: data)
    }

    /// Row i from `first` when picks[i] == 0, else from `second` (same logical type).
    static func choosing(_ picks: [Int32], _ first: Column, _ second: Column, type: ColumnType) throws(Interrupted) -> Column {
        var builder = ValueColumnBuilder(type: type)
        try Interrupt.forEachChunk(picks.count) { rows in
            for i in rows { builder.append((picks[i] == 0 ? first : second).value(at: i)) }
        }
        return builder.finish(name: "")
    }
}
