import BudgetCore
import BudgetStore

extension Executor {
    /// `sort by k [asc|desc], …` (and `top`): reorders the selection vector; nulls sort first
    /// ascending and last descending, as in SQLite.
    func sort(_ frame: Frame, _ keys: [SortKey], defaultDescending: Bool, limit: Int? = nil) throws -> Frame {
        var b = binder(frame)
        let evaluator = Evaluator(frame: frame)
        var orders: [(SortKeyValues, Bool)] = []
        for key in keys {
            let bound = try b.bind(key.expr)
            if bound.type == .list { throw QueryError("cannot sort by a list", at: key.expr.span, hint: "explode it first") }
            // Gathering a key (through the selection) looks at Ctrl-C every 64K rows.
            let column = try evaluator.materialize(try evaluator.evaluate(bound), type: bound.type ?? .int)
            orders.append((try SortKeyValues(column), key.descending ?? defaultDescending))
        }
        // Ties keep the current order (the sort is stable).
        let before: (Int, Int) -> Bool = { a, b in
            for (order, descending) in orders {
                if order.less(a, b) { return !descending }
                if order.less(b, a) { return descending }
            }
            return a < b
        }
        let n = frame.rowCount
        if let limit, limit < n / 8, orders.count == 1, case .ints(let values) = orders[0].0.storage {
            // top N by one integer key: a heap of (key, position) pairs, no comparator closure.
            return try frame.selecting(try Self.topIntegers(values, limit, descending: orders[0].1))
        }
        if let limit, limit < n / 8 {
            return try frame.selecting(try Interrupt.map(try Self.smallest(limit, of: n, by: before)) { Int32($0) })
        }
        // Ctrl-C: the comparison throws (every 4K comparisons it looks), and the sort unwinds;
        // the passes before and after it (the pairs, the positions, the selection) go 64K rows
        // at a time and look between them. What it leaves (gigabytes at 80M rows) is freed in
        // the background, so that the prompt does not wait for the kernel to unmap it.
        var comparisons = 0
        var pairs: [(Int64, Int32)] = []
        var order: [Int32] = []
        do {
            if orders.count == 1, case .ints(let values) = orders[0].0.storage {
                // One integer key: sort (key, position) pairs without a closure per comparison.
                let descending = orders[0].1
                pairs = try Interrupt.makeArray(count: n) { pairs, rows in
                    values.withUnsafeBufferPointer { values in
                        for i in rows { pairs.initializeElement(at: i, to: (values[i], Int32(i))) }
                    }
                }
                try pairs.sort { x, y in
                    comparisons &+= 1
                    try Interrupt.check(comparison: comparisons)
                    return x.0 != y.0 ? (descending ? x.0 > y.0 : x.0 < y.0) : x.1 < y.1
                }
                order = try Interrupt.map(pairs) { $0.1 }
                pairs = []
            } else {
                // Positions as Int32, the selection's own type: no conversion pass after the sort.
                order = try Interrupt.makeArray(count: n) { order, rows in
                    for i in rows { order[i] = Int32(i) }
                }
                try order.sort { a, b in
                    comparisons &+= 1
                    try Interrupt.check(comparison: comparisons)
                    return before(Int(a), Int(b))
                }
            }
            return try frame.selecting(order)
        } catch {
            Interrupt.releaseInBackground(&pairs, leaving: [])
            Interrupt.releaseInBackground(&order, leaving: [])
            Interrupt.releaseInBackground(&orders, leaving: [])
            throw error
        }
    }

    /// `top N by k per g, …`: the first N rows of each group in the order of `k` (largest first
    /// unless `asc`), groups in ascending order of their keys (KQL's top-nested, SQL's
    /// row_number() over (partition by g order by k) <= N).
    func topPerGroup(_ frame: Frame, _ n: Int, _ keys: [SortKey], per: [NamedExpr]) throws -> Frame {
        let groupKeys = per.map { SortKey(expr: $0.expr, descending: false) }
        let sorted = try sort(frame, groupKeys.map { SortKey(expr: $0.expr, descending: $0.descending) } + keys.map { SortKey(expr: $0.expr, descending: $0.descending ?? true) },
                              defaultDescending: false)
        var b = binder(sorted)
        let evaluator = Evaluator(frame: sorted)
        var columns: [Column] = []
        for item in per {
            let bound = try b.bind(item.expr)
            if bound.type == .list { throw QueryError("cannot group `top … per` by a list", at: item.expr.span, hint: "explode it first") }
            columns.append(try evaluator.materialize(try evaluator.evaluate(bound), type: bound.type ?? .int))
        }
        let grouping = try Grouping.build(keys: columns, rows: sorted.rowCount)
        var taken = [Int](repeating: 0, count: grouping.count)
        var kept: [Int32] = []
        try Interrupt.forEachChunk(sorted.rowCount) { rows in
            for row in rows {
                let group = Int(grouping.ids[row])
                if taken[group] < n {
                    taken[group] += 1
                    kept.append(Int32(row))
                }
            }
        }
        return try sorted.selecting(kept)
    }

    /// Positions of the `k` largest (or smallest) keys, ties by position, in order.
    static func topIntegers(_ values: [Int64], _ k: Int, descending: Bool) throws(Interrupted) -> [Int32] {
        guard k > 0 else { return [] }
        // Order keys so that "better" is larger: descending keeps the largest values.
        @inline(__always) func rank(_ i: Int) -> (Int64, Int) { (descending ? values[i] : ~values[i], -i) }
        var heap: [(Int64, Int)] = []   // min-heap on rank: heap[0] is the worst kept
        heap.reserveCapacity(k + 1)
        for i in values.indices {
            try Interrupt.check(row: i)
            let r = rank(i)
            if heap.count < k {
                heap.append(r)
                var child = heap.count - 1
                while child > 0, heap[(child - 1) / 2] > heap[child] {
                    heap.swapAt((child - 1) / 2, child)
                    child = (child - 1) / 2
                }
            } else if r > heap[0] {
                heap[0] = r
                var parent = 0
                while true {
                    let l = 2 * parent + 1, rr = l + 1
                    var least = parent
                    if l < heap.count, heap[l] < heap[least] { least = l }
                    if rr < heap.count, heap[rr] < heap[least] { least = rr }
                    if least == parent { break }
                    heap.swapAt(parent, least)
                    parent = least
                }
            }
        }
        return heap.sorted { $0 > $1 }.map { Int32(-$0.1) }
    }

    /// The first `k` of `0..<n` in the order `before`, in order: a bounded max-heap, O(n log k).
    static func smallest(_ k: Int, of n: Int, by before: (Int, Int) -> Bool) throws(Interrupted) -> [Int] {
        guard k > 0 else { return [] }
        var heap: [Int] = []
        heap.reserveCapacity(k + 1)
        func siftUp(_ i: Int) {
            var child = i
            while child > 0 {
                let parent = (child - 1) / 2
                guard before(heap[parent], heap[child]) else { break }
                heap.swapAt(parent, child)
                child = parent
            }
        }
        func siftDown(_ i: Int) {
            var parent = i
            while true {
                let l = 2 * parent + 1, r = l + 1
                var largest = parent
                if l < heap.count, before(heap[largest], heap[l]) { largest = l }
                if r < heap.count, before(heap[largest], heap[r]) { largest = r }
                if largest == parent { return }
                heap.swapAt(parent, largest)
                parent = largest
            }
        }
        for i in 0..<n {
            try Interrupt.check(row: i)
            if heap.count < k {
                heap.append(i)
                siftUp(heap.count - 1)
            } else if before(i, heap[0]) {
                heap[0] = i
                siftDown(0)
            }
        }
        return heap.sorted(by: before)
    }

    /// `distinct [cols]`: the first row of each distinct combination, in order of appearance.
    func distinct(_ frame: Frame, _ items: [NamedExpr]) throws -> Frame {
        let projected = items.isEmpty ? frame : try select(frame, items)
        var columns: [Column] = []
        for i in projected.columns.indices { columns.append(try projected.dense(i)) }
        let grouping = try Grouping.build(keys: columns, rows: projected.rowCount)
        var out = Frame(columns: columns, origin: frame.origin, rowCount: projected.rowCount)
        out.notes = frame.notes
        return try out.selecting(Interrupt.map(grouping.representatives) { Int32($0) })
    }
}
