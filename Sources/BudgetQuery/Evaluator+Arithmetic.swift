import BudgetStore

// Arithmetic (exact for integers, money and decimals, with overflow reported) and three-valued logic.
extension Evaluator {
    func arithmetic(_ op: ArithmeticOperator, _ l: Operand, _ r: Operand, _ type: ColumnType) throws(EvaluationFailure) -> Operand {
        // A constant side is one value, not a column of copies (`x * 2` over 80M rows would
        // allocate and fill 650 MB for the 2).
        if type == .real {
            let ac = constantReal(l), bc = constantReal(r)
            let a = ac == nil ? try reals(l) : [], b = bc == nil ? try reals(r) : []
            let out: [Double] = try perRow { out, rows in
                for i in rows {
                    let x = ac ?? a[i], y = bc ?? b[i]
                    guard !x.isNaN && !y.isNaN else { out[i] = .nan; continue }
                    switch op {
                    case .add: out[i] = x + y
                    case .subtract: out[i] = x - y
                    case .multiply: out[i] = x * y
                    case .remainder: out[i] = y == 0 ? .nan : x.truncatingRemainder(dividingBy: y)
                    case .divide: out[i] = y == 0 ? .nan : x / y
                    }
                }
            }
            return realColumn(out, type: .real)
        }
        let scale = numericScale(type) ?? 0
        // One side is a whole number in a multiplication: keep the other side's scale.
        let leftScale = op == .multiply ? numericScale(l.type ?? .int) ?? 0 : scale
        let rightScale = op == .multiply ? numericScale(r.type ?? .int) ?? 0 : scale
        let xc = try constantInt(l, scale: leftScale), yc = try constantInt(r, scale: rightScale)
        let a = xc == nil ? try ints(l, scale: leftScale) : IntValues(values: [], nulls: NullMask())
        let b = yc == nil ? try ints(r, scale: rightScale) : IntValues(values: [], nulls: NullMask())
        // The binder types every division as real; an exact one cannot reach here.
        if op == .divide { throw EvaluationFailure(message: "internal: exact division was planned") }
        var nulls = a.nulls.union(b.nulls)
        let x = a.values, y = b.values
        var overflow = false
        let out: [Int64] = try perRow { out, rows in
            for i in rows {
                guard !nulls.isNull(i) else { out[i] = 0; continue }
                let xi = xc ?? x[i], yi = yc ?? y[i]
                let result: (Int64, Bool)
                switch op {
                case .add: result = xi.addingReportingOverflow(yi)
                case .subtract: result = xi.subtractingReportingOverflow(yi)
                case .multiply: result = xi.multipliedReportingOverflow(by: yi)
                case .remainder, .divide:
                    // x % 0 is null.
                    if yi == 0 { nulls.setNull(i); out[i] = 0; continue }
                    result = xi.remainderReportingOverflow(dividingBy: yi)
                }
                overflow = overflow || result.1
                out[i] = result.0
            }
        }
        if overflow { throw EvaluationFailure(message: "arithmetic overflow: the result does not fit exactly") }
        return intColumn(IntValues(values: out, nulls: nulls), type: type)
    }

    /// A non-null integer constant at `scale`, or nil (a column, or null: those take the column path).
    func constantInt(_ operand: Operand, scale: Int) throws(EvaluationFailure) -> Int64? {
        guard case .scalar(let s) = operand, case .integer(let v) = s.value else { return nil }
        let (scaled, overflow) = v.multipliedReportingOverflow(by: powerOfTen(scale - (numericScale(operand.type ?? .int) ?? 0)))
        if overflow { throw EvaluationFailure(message: "a number is too large to compare or compute exactly") }
        return scaled
    }

    /// A non-null constant in natural units (`reals`' rule), or nil.
    func constantReal(_ operand: Operand) -> Double? {
        guard case .scalar(let s) = operand else { return nil }
        switch s.value {
        case .integer(let v): return Double(v) / Double(powerOfTen(numericScale(operand.type ?? .int) ?? 0))
        case .real(let v): return v
        default: return nil
        }
    }

    func logic(_ op: LogicOperator, _ l: Operand, _ r: Operand) throws(EvaluationFailure) -> Operand {
        let a = try boolValues(l), b = try boolValues(r)
        return try boolColumn(perRow { out, rows in
            for i in rows {
                let x = a[i], y = b[i]
                if op == .and {
                    if x == 0 || y == 0 { out[i] = 0 } else if x == unknownTruth || y == unknownTruth { out[i] = unknownTruth } else { out[i] = 1 }
                } else {
                    if x == 1 || y == 1 { out[i] = 1 } else if x == unknownTruth || y == unknownTruth { out[i] = unknownTruth } else { out[i] = 0 }
                }
            }
        })
    }
}
