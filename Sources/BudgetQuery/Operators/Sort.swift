import BudgetStore

extension Executor {
    /// `sort by k [asc|desc], …` (and `top`): reorders the selection vector; nulls sort first
    /// ascending and last descending, as in SQLite.
    func sort(_ frame: Frame, _ keys: [SortKey], defaultDescending: Bool) throws -> Frame {
        var b = binder(frame)
        let evaluator = Evaluator(frame: frame)
        var orders: [(SortKeyValues, Bool)] = []
        for key in keys {
            let bound = try b.bind(key.expr)
            if bound.type == .list { throw QueryError("cannot sort by a list", at: key.expr.span, hint: "explode it first") }
            let column = evaluator.materialize(try evaluator.evaluate(bound), type: bound.type ?? .int)
            orders.append((SortKeyValues(column), key.descending ?? defaultDescending))
        }
        let permutation = (0..<frame.rowCount).sorted { a, b in
            for (order, descending) in orders {
                if order.less(a, b) { return !descending }
                if order.less(b, a) { return descending }
            }
            return a < b
        }
        return frame.selecting(permutation.map { Int32($0) })
    }

    /// `distinct [cols]`: the first row of each distinct combination, in order of appearance.
    func distinct(_ frame: Frame, _ items: [NamedExpr]) throws -> Frame {
        let projected = items.isEmpty ? frame : try select(frame, items)
        let columns = projected.columns.indices.map(projected.dense)
        let grouping = Grouping.build(keys: columns, rows: projected.rowCount)
        var out = Frame(columns: columns, origin: frame.origin, rowCount: projected.rowCount)
        out.notes = frame.notes
        return out.selecting(grouping.representatives.map { Int32($0) })
    }
}
