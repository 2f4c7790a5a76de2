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
            let n = frame.rowCount
            // One loop per operator: the comparison is decided once, not per row. Null is Int64.min.
            switch op {
            case "==": return Self.select(values, rows: rows, count: n) { $0 == c }
            case "!=": return Self.select(values, rows: rows, count: n) { $0 != c && $0 != nullInteger }
            case "<": return Self.select(values, rows: rows, count: n) { $0 < c && $0 != nullInteger }
            case "<=": return Self.select(values, rows: rows, count: n) { $0 <= c && $0 != nullInteger }
            case ">": return Self.select(values, rows: rows, count: n) { $0 > c }
            default: return Self.select(values, rows: rows, count: n) { $0 >= c }
            }
        case (.strings(let codes, let dictionary), .string(let text)):
            // The dictionary is sorted, so comparing codes compares strings.
            let lower = Int32(dictionary.lowerBound(text))
            let exact = Int(lower) < dictionary.count && dictionary[Int(lower)] == text
            let n = frame.rowCount
            switch (op, exact) {
            case ("==", true): return Self.select(codes, rows: rows, count: n) { $0 == lower }
            case ("==", false): return []
            case ("!=", true): return Self.select(codes, rows: rows, count: n) { $0 != lower && $0 != nullCode }
            case ("!=", false): return Self.select(codes, rows: rows, count: n) { $0 != nullCode }
            case ("<", _): return Self.select(codes, rows: rows, count: n) { $0 < lower && $0 != nullCode }
            case ("<=", true): return Self.select(codes, rows: rows, count: n) { $0 <= lower && $0 != nullCode }
            case ("<=", false): return Self.select(codes, rows: rows, count: n) { $0 < lower && $0 != nullCode }
            case (">", true): return Self.select(codes, rows: rows, count: n) { $0 > lower }
            default: return Self.select(codes, rows: rows, count: n) { $0 >= lower }
            }
        default:
            return nil
        }
    }

    /// Positions whose value passes `test`, reading `values` through `rows` when given.
    @inline(__always)
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
