import BudgetCore
import BudgetStore

extension Executor {
    /// `explode list [as name]`: one row per element; a row with an empty list stays, with null.
    func explode(_ frame: Frame, _ expr: Expr, as alias: String?) throws -> Frame {
        var b = binder(frame)
        let bound = try b.bind(expr)
        guard case .column(let index, let type) = bound, type == .list else {
            throw QueryError("explode needs a list column such as regions, not \(describe(bound.type))", at: expr.span)
        }
        return try explodeColumn(frame, columnIndex: index, as: alias ?? frame.columns[index].name)
    }

    /// Ctrl-C (`Interrupt`) is looked at every 64K rows of both passes.
    func explodeColumn(_ frame: Frame, columnIndex: Int, as name: String) throws(Interrupted) -> Frame {
        // Read the list through the selection rather than gathering it.
        let (list, through) = frame.raw(columnIndex)
        guard case .lists(let offsets, let codes, let dictionary) = list.data else { return frame }
        assert(nullCode == -1, "the element loop below writes -1 for an empty list")
        // One position per element (a row with an empty list keeps one position, with null).
        // Counted first, then written into arrays of that size: no `append` per element. Both
        // loops are branch-free for lists of none or one element (most projects name one region
        // or none, in no order a branch predictor can learn: mispredictions were most of the time).
        let n = frame.rowCount
        var total = 0, multiple = 0, empty = 0
        try Interrupt.forEachChunk(n) { rows in
            offsets.withUnsafeBufferPointer { o in
                // Lengths are never negative: the sign bit of length - 1 says "empty", of 1 - length "several".
                @inline(__always) func count(_ base: Int) {
                    let length = Int(o[base &+ 1] &- o[base])
                    let isEmpty = Int(bitPattern: UInt(bitPattern: length &- 1) >> 63)
                    empty &+= isEmpty
                    multiple &+= Int(bitPattern: UInt(bitPattern: 1 &- length) >> 63)
                    total &+= length &+ isEmpty
                }
                if let through {
                    through.withUnsafeBufferPointer { r in for row in rows { count(Int(r[row])) } }
                } else {
                    for row in rows { count(row) }
                }
            }
        }
        var elementCodes: [Int32] = []
        var stopped = false
        var positions = [Int32](unsafeUninitializedCapacity: total) { positions, written in
            elementCodes = [Int32](unsafeUninitializedCapacity: total) { elements, initialized in
                offsets.withUnsafeBufferPointer { o in
                    codes.withUnsafeBufferPointer { c in
                        // Read at a valid index even for an empty list; the value is then not used.
                        let last = max(c.count - 1, 0)
                        var k = 0
                        // Written 64K rows at a time; when Ctrl-C stops it, only what was written counts.
                        func eachChunk(_ body: (Range<Int>) -> Void) {
                            var start = 0
                            while start < n {
                                if Interrupt.isRequested { stopped = true; return }
                                let end = min(n, start + Interrupt.chunkRows)
                                body(start..<end)
                                start = end
                            }
                        }
                        @inline(__always) func write(_ row: Int, _ base: Int) {
                            let start = Int(o[base]), end = Int(o[base &+ 1])
                            let code = c[min(start, last)]
                            // All ones when the list has an element, else zero: the code or the null
                            // code (-1) without a branch (a conditional load became one).
                            let has = Int32(truncatingIfNeeded: (start &- end) >> 63)
                            positions[k] = Int32(truncatingIfNeeded: row)
                            elements[k] = code & has | ~has
                            k &+= 1
                            var e = start &+ 1
                            while e < end {
                                positions[k] = Int32(truncatingIfNeeded: row)
                                elements[k] = c[e]
                                k &+= 1
                                e &+= 1
                            }
                        }
                        if c.isEmpty {
                            // Every list is empty: one null per row.
                            eachChunk { rows in
                                for row in rows {
                                    positions[row] = Int32(truncatingIfNeeded: row)
                                    elements[row] = nullCode
                                }
                                k = rows.upperBound
                            }
                        } else if let through {
                            through.withUnsafeBufferPointer { r in eachChunk { rows in for row in rows { write(row, Int(r[row])) } } }
                        } else {
                            eachChunk { rows in for row in rows { write(row, row) } }
                        }
                        initialized = stopped ? k : total
                    }
                }
            }
            written = elementCodes.count
        }
        if stopped {
            Interrupt.releaseInBackground(&positions, leaving: [])
            Interrupt.releaseInBackground(&elementCodes, leaving: [])
            throw Interrupted()
        }
        var out = try frame.selecting(positions)
        out.setDense(Column(name: name, aliases: name == list.name ? list.aliases : [], type: .string,
                            data: .strings(codes: elementCodes, dictionary: dictionary)), at: columnIndex)
        let things = frame.origin == "projects" ? "projects" : "rows"
        if multiple > 0 {
            out.notes.append("\(multiple) of \(frame.rowCount) \(things) have several \(list.name) and appear once under each; totals across \(name) count them more than once")
        }
        if empty > 0 {
            out.notes.append("\(empty) \(things) have no \(list.name) and appear once with an empty \(name)")
        }
        return out
    }
}
