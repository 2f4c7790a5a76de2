import BudgetStore

// Arithmetic (exact for integers, money and decimals, with overflow reported) and three-valued logic.
extension Evaluator {
    func arithmetic(_ op: ArithmeticOperator, _ l: Operand, _ r: Operand, _ type: ColumnType) throws(EvaluationFailure) -> Operand {
        let n = rowCount
        if type == .real {
            let a = reals(l), b = reals(r)
            var out = [Double](repeating: .nan, count: n)
            for i in 0..<n where !a[i].isNaN && !b[i].isNaN {
                switch op {
                case .add: out[i] = a[i] + b[i]
                case .subtract: out[i] = a[i] - b[i]
                case .multiply: out[i] = a[i] * b[i]
                case .remainder: out[i] = b[i] == 0 ? .nan : a[i].truncatingRemainder(dividingBy: b[i])
                case .divide: out[i] = b[i] == 0 ? .nan : a[i] / b[i]
                }
            }
            return realColumn(out, type: .real)
        }
        let scale = numericScale(type) ?? 0
        let a: IntValues, b: IntValues
        if op == .multiply {
            // One side is a whole number: keep the other side's scale.
            let ls = numericScale(l.type ?? .int) ?? 0
            a = try ints(l, scale: ls)
            b = try ints(r, scale: numericScale(r.type ?? .int) ?? 0)
        } else {
            a = try ints(l, scale: scale)
            b = try ints(r, scale: scale)
        }
        var nulls = a.nulls.union(b.nulls)
        var out = [Int64](repeating: 0, count: n)
        let x = a.values, y = b.values
        for i in 0..<n where !nulls.isNull(i) {
            let result: (Int64, Bool)
            switch op {
            case .add: result = x[i].addingReportingOverflow(y[i])
            case .subtract: result = x[i].subtractingReportingOverflow(y[i])
            case .multiply: result = x[i].multipliedReportingOverflow(by: y[i])
            case .remainder:
                // x % 0 is null.
                if y[i] == 0 { nulls.setNull(i); continue }
                result = x[i].remainderReportingOverflow(dividingBy: y[i])
            case .divide:
                // The binder types every division as real; an exact one cannot reach here.
                throw EvaluationFailure(message: "internal: exact division was planned")
            }
            if result.1 { throw EvaluationFailure(message: "arithmetic overflow: the result does not fit exactly") }
            out[i] = result.0
        }
        return intColumn(IntValues(values: out, nulls: nulls), type: type)
    }

    func logic(_ op: LogicOperator, _ l: Operand, _ r: Operand) -> Operand {
        let a = (try? boolValues(l)) ?? [], b = (try? boolValues(r)) ?? []
        var out = [Int64](repeating: unknownTruth, count: rowCount)
        for i in 0..<rowCount {
            let x = a[i], y = b[i]
            if op == .and {
                if x == 0 || y == 0 { out[i] = 0 } else if x == unknownTruth || y == unknownTruth { out[i] = unknownTruth } else { out[i] = 1 }
            } else {
                if x == 1 || y == 1 { out[i] = 1 } else if x == unknownTruth || y == unknownTruth { out[i] = unknownTruth } else { out[i] = 0 }
            }
        }
        return boolColumn(out)
    }
}
