import BudgetStore

extension Executor {
    /// `explode list [as name]`: one row per element; a row with an empty list stays, with null.
    func explode(_ frame: Frame, _ expr: Expr, as alias: String?) throws -> Frame {
        var b = binder(frame)
        let bound = try b.bind(expr)
        guard case .column(let index, let type) = bound, type == .list else {
            throw QueryError("explode needs a list column such as regions, not \(describe(bound.type))", at: expr.span)
        }
        return explodeColumn(frame, columnIndex: index, as: alias ?? frame.columns[index].name)
    }

    func explodeColumn(_ frame: Frame, columnIndex: Int, as name: String) -> Frame {
        // Read the list through the selection rather than gathering it.
        let (list, through) = frame.raw(columnIndex)
        guard case .lists(let offsets, let codes, let dictionary) = list.data else { return frame }
        // One position per element (a row with an empty list keeps one position, with null).
        var positions: [Int32] = []
        var elementCodes: [Int32] = []
        positions.reserveCapacity(frame.rowCount)
        var multiple = 0, empty = 0
        for row in 0..<frame.rowCount {
            let base = through.map { Int($0[row]) } ?? row
            let start = Int(offsets[base]), end = Int(offsets[base + 1])
            if start == end {
                empty += 1
                positions.append(Int32(row))
                elementCodes.append(nullCode)
            }
            if end - start > 1 { multiple += 1 }
            for k in start..<end {
                positions.append(Int32(row))
                elementCodes.append(codes[k])
            }
        }
        var out = frame.selecting(positions)
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
