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
        let a: [Int64], b: [Int64]
        if op == .multiply {
            // One side is a whole number: keep the other side's scale.
            let ls = numericScale(l.type ?? .int) ?? 0
            a = try ints(l, scale: ls)
            b = try ints(r, scale: numericScale(r.type ?? .int) ?? 0)
        } else {
            a = try ints(l, scale: scale)
            b = try ints(r, scale: scale)
        }
        var out = [Int64](repeating: nullInteger, count: n)
        for i in 0..<n where a[i] != nullInteger && b[i] != nullInteger {
            let result: (Int64, Bool)
            switch op {
            case .add: result = a[i].addingReportingOverflow(b[i])
            case .subtract: result = a[i].subtractingReportingOverflow(b[i])
            case .multiply: result = a[i].multipliedReportingOverflow(by: b[i])
            case .remainder:
                if b[i] == 0 { continue }
                result = a[i].remainderReportingOverflow(dividingBy: b[i])
            case .divide:
                // The binder types every division as real; an exact one cannot reach here.
                throw EvaluationFailure(message: "internal: exact division was planned")
            }
            if result.1 { throw EvaluationFailure(message: "arithmetic overflow: the result does not fit exactly") }
            out[i] = result.0
        }
        return intColumn(out, type: type)
    }

    func logic(_ op: LogicOperator, _ l: Operand, _ r: Operand) -> Operand {
        let a = (try? boolValues(l)) ?? [], b = (try? boolValues(r)) ?? []
        var out = [Int64](repeating: nullInteger, count: rowCount)
        for i in 0..<rowCount {
            let x = a[i], y = b[i]
            if op == .and {
                if x == 0 || y == 0 { out[i] = 0 } else if x == nullInteger || y == nullInteger { out[i] = nullInteger } else { out[i] = 1 }
            } else {
                if x == 1 || y == 1 { out[i] = 1 } else if x == nullInteger || y == nullInteger { out[i] = nullInteger } else { out[i] = 0 }
            }
        }
        return boolColumn(out)
    }
}
