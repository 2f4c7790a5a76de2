import BudgetStore

extension Executor {
    /// `where`: narrows the selection vector; no base column is copied.
    ///
    /// A conjunction is applied one side at a time, so the right side only looks at rows the left
    /// side kept. A comparison of a column with a constant runs directly over the column's buffer
    /// through the selection (DuckDB's filter does the same); anything else is evaluated a column
    /// at a time and the rows whose condition is true are kept.
    func filter(_ frame: Frame, _ predicate: Expr) throws -> Frame {
        var b = binder(frame)
        let bound = try b.bind(predicate)
        guard bound.type == .bool || bound.type == nil else {
            throw QueryError("`where` needs a true/false condition, not \(describe(bound.type))", at: predicate.span,
                             hint: "compare it, e.g. year == 2024")
        }
        var current = frame
        for conjunct in conjuncts(bound) {
            let positions = try keptPositions(current, conjunct)
            current = current.selecting(positions)
        }
        return current
    }

    private func conjuncts(_ bound: Bound) -> [Bound] {
        if case .logic("and", let l, let r) = bound { return conjuncts(l) + conjuncts(r) }
        return [bound]
    }

    /// Positions (among the current rows) where `condition` is true.
    private func keptPositions(_ frame: Frame, _ condition: Bound) throws -> [Int32] {
        if let fast = try constantComparison(frame, condition) { return fast }
        let evaluator = Evaluator(frame: frame)
        let values = try evaluator.boolValues(evaluator.evaluate(condition))
        var kept: [Int32] = []
        kept.reserveCapacity(values.count / 4)
        for i in 0..<values.count where values[i] == 1 { kept.append(Int32(i)) }
        return kept
    }

    /// `column op constant` over the column's own buffer, or nil when the shape does not fit.
    private func constantComparison(_ frame: Frame, _ condition: Bound) throws -> [Int32]? {
        guard case .compare(let op, .column(let index, let type), .constant(let constant)) = condition else { return nil }
        let (column, rows) = frame.raw(index)
        switch (column.data, constant.value) {
        case (.integers(let values), .integer(let raw)):
            guard let constantType = constant.type, let columnScale = numericScale(type) ?? (type == constantType ? 0 : nil),
                  let constantScale = numericScale(constantType) ?? (type == constantType ? 0 : nil), columnScale >= constantScale else { return nil }
            let (c, overflow) = raw.multipliedReportingOverflow(by: powerOfTen(columnScale - constantScale))
            if overflow { return nil }
            return Self.select(values, rows: rows, count: frame.rowCount) { v in v != nullInteger && Evaluator.test(op, v, c) }
        case (.strings(let codes, let dictionary), .string(let text)):
            let lower = Int32(dictionary.lowerBound(text))
            let exact = Int(lower) < dictionary.count && dictionary[Int(lower)] == text
            let test: (Int32) -> Bool
            switch op {
            case "==": test = exact ? { $0 == lower } : { _ in false }
            case "!=": test = exact ? { $0 != nullCode && $0 != lower } : { $0 != nullCode }
            case "<": test = { $0 != nullCode && $0 < lower }
            case "<=": test = exact ? { $0 != nullCode && $0 <= lower } : { $0 != nullCode && $0 < lower }
            case ">": test = exact ? { $0 > lower } : { $0 >= lower }
            default: test = { $0 >= lower }
            }
            return Self.select(codes, rows: rows, count: frame.rowCount, test)
        default:
            return nil
        }
    }

    /// Positions whose value passes `test`, reading `values` through `rows` when given.
    static func select<T>(_ values: [T], rows: [Int32]?, count: Int, _ test: (T) -> Bool) -> [Int32] {
        var kept: [Int32] = []
        kept.reserveCapacity(count / 4)
        values.withUnsafeBufferPointer { v in
            if let rows {
                rows.withUnsafeBufferPointer { r in
                    for k in 0..<count where test(v[Int(r[k])]) { kept.append(Int32(k)) }
                }
            } else {
                for k in 0..<count where test(v[k]) { kept.append(Int32(k)) }
            }
        }
        return kept
    }

    /// `take N`: the first N rows of the current order.
    func take(_ frame: Frame, _ n: Int) -> Frame {
        frame.prefix(n)
    }
}
