import BudgetStore

extension Executor {
    /// `where`: evaluates the condition and narrows the selection vector; no column is copied.
    func filter(_ frame: Frame, _ predicate: Expr) throws -> Frame {
        var b = binder(frame)
        let bound = try b.bind(predicate)
        guard bound.type == .bool || bound.type == nil else {
            throw QueryError("`where` needs a true/false condition, not \(describe(bound.type))", at: predicate.span,
                             hint: "compare it, e.g. year == 2024")
        }
        let values = try Evaluator(frame: frame).boolValues(Evaluator(frame: frame).evaluate(bound))
        var selection: [Int32] = []
        selection.reserveCapacity(values.count / 4)
        if let old = frame.selection {
            for i in 0..<values.count where values[i] == 1 { selection.append(old[i]) }
        } else {
            for i in 0..<values.count where values[i] == 1 { selection.append(Int32(i)) }
        }
        var out = frame
        out.selection = selection
        return out
    }

    /// `take N`: the first N rows of the current order.
    func take(_ frame: Frame, _ n: Int) -> Frame {
        var out = frame
        if let selection = frame.selection {
            out.selection = Array(selection.prefix(n))
        } else if n < frame.baseCount {
            out.selection = (0..<Int32(n)).map { $0 }
        }
        return out
    }
}
