import BudgetCore
import BudgetStore

/// Per-row values ready for ordering: nulls first, strings by UTF-8 bytes.
struct SortKeyValues {
    enum Storage {
        /// Integers without nulls (the fast paths of `sort` and `top` take these).
        case ints([Int64])
        case nullableInts([Int64], NullMask)
        case reals([Double])
        case codes([Int32])
        case strings([String?])
    }
    let storage: Storage


    init(_ column: Column) throws(Interrupted) {
        switch column.data {
        case .integers(let v, let nulls): storage = nulls.hasNulls ? .nullableInts(v, nulls) : .ints(v)
        case .reals(let v): storage = .reals(v)
        case .strings(let codes, _): storage = .codes(codes)
        case .texts(let v): storage = .strings(v)
        case .lists: storage = .strings(try Interrupt.makeArray(count: column.count) { out, rows in
            for i in rows {
                // Lists sort by the text they show.
                if case .list(let items) = column.value(at: i) { out.initializeElement(at: i, to: ValueText.list(items)) } else { out.initializeElement(at: i, to: nil) }
            }
        })
        }
    }

    /// Strict "a before b" in ascending order, nulls first.
    func less(_ a: Int, _ b: Int) -> Bool {
        switch storage {
        case .ints(let v): return v[a] < v[b]
        case .nullableInts(let v, let nulls):
            if nulls.isNull(b) { return false }
            if nulls.isNull(a) { return true }
            return v[a] < v[b]
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
