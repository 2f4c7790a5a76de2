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

    /// `count` copies of one scalar.
    static func repeating(_ s: Scalar, count: Int, type: ColumnType) -> Column {
        let data: ColumnData
        switch s.value {
        case .null:
            switch type {
            case .real: data = .reals([Double](repeating: .nan, count: count))
            case .string: data = .strings(codes: [Int32](repeating: nullCode, count: count), dictionary: [])
            case .text: data = .texts([String?](repeating: nil, count: count))
            case .list: data = .lists(offsets: [Int32](repeating: 0, count: count + 1), codes: [], dictionary: [])
            default: data = .integers([Int64](repeating: 0, count: count), nulls: NullMask(allNull: count))
            }
        case .integer(let v): data = .integers([Int64](repeating: v, count: count))
        case .real(let v): data = .reals([Double](repeating: v, count: count))
        case .string(let text):
            data = type == .text ? .texts([String?](repeating: text, count: count)) : .strings(codes: [Int32](repeating: 0, count: count), dictionary: [text])
        case .list(let items):
            let (sorted, remap) = sortedDictionary(items)
            let codes = remap
            var offsets: [Int32] = [0]
            var all: [Int32] = []
            for _ in 0..<count { all += codes; offsets.append(Int32(all.count)) }
            data = .lists(offsets: offsets, codes: all, dictionary: sorted)
        }
        return Column(name: "", type: s.type ?? type, data: data)
    }

    /// Row i from `first` when picks[i] == 0, else from `second` (same logical type).
    static func choosing(_ picks: [Int32], _ first: Column, _ second: Column, type: ColumnType) -> Column {
        var builder = ValueColumnBuilder(type: type)
        for (i, p) in picks.enumerated() { builder.append((p == 0 ? first : second).value(at: i)) }
        return builder.finish(name: "")
    }
}
