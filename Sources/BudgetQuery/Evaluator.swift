import BudgetStore

/// An evaluated expression: a dense column (one value per row) or one value for all rows.
enum Operand: Sendable {
    case column(Column)
    case scalar(Scalar)

    var type: ColumnType? {
        switch self {
        case .column(let c): return c.type
        case .scalar(let s): return s.type
        }
    }
}

/// Integers of an operand at one scale, with the rows that are null (their slots mean nothing).
struct IntValues {
    var values: [Int64]
    var nulls: NullMask

    static func allNull(_ count: Int) -> IntValues { IntValues(values: [Int64](repeating: 0, count: count), nulls: NullMask(allNull: count)) }
}

/// Three-valued truth, one per row: 1 true, 0 false, `unknownTruth` null. Only the evaluator's
/// scratch form: a bool column holds 0 and 1 with a `NullMask` (see `boolColumn`).
let unknownTruth: Int64 = -1

/// A failure while computing (overflow); the operator adds the position.
struct EvaluationFailure: Error {
    var message: String

    /// Ctrl-C stopped the computation (the executor reports it as an interruption).
    static let interrupted = EvaluationFailure(message: "interrupted")
}

/// Evaluates bound expressions over a frame, a column at a time.
struct Evaluator {
    let frame: Frame
    /// Columns computed outside the frame (aggregate results), referenced by `.extra`.
    var extras: [Operand] = []

    var rowCount: Int { frame.rowCount }

    func evaluate(_ bound: Bound) throws(EvaluationFailure) -> Operand {
        switch bound {
        case .column(let i, _): return .column(frame.dense(i))
        case .extra(let i, _): return extras[i]
        case .constant(let s): return .scalar(s)
        case .compare(let op, let l, let r): return try compare(op, evaluate(l), evaluate(r))
        case .arithmetic(let op, let l, let r, let type): return try arithmetic(op, evaluate(l), evaluate(r), type)
        case .logic(let op, let l, let r): return logic(op, try evaluate(l), try evaluate(r))
        case .not(let inner):
            let v = try boolValues(evaluate(inner))
            return boolColumn(v.map { $0 == unknownTruth ? unknownTruth : 1 - $0 })
        case .negate(let inner, let type):
            let operand = try evaluate(inner)
            if type == .real {
                return realColumn(reals(operand).map { -$0 }, type: .real)
            }
            var v = try ints(operand, scale: numericScale(type) ?? 0)
            for i in v.values.indices where !v.nulls.isNull(i) {
                let (negated, overflow) = Int64(0).subtractingReportingOverflow(v.values[i])
                if overflow { throw EvaluationFailure(message: "arithmetic overflow: the result does not fit exactly") }
                v.values[i] = negated
            }
            return intColumn(v, type: type)
        case .textMatch(let op, let l, let r): return try textMatch(op, evaluate(l), evaluate(r))
        case .listHas(let l, let r): return try listHas(evaluate(l), evaluate(r))
        case .inSet(let operand, let values, let negated):
            let value = try evaluate(operand)
            var any = [Int64](repeating: 0, count: rowCount)
            var sawNull = [Bool](repeating: false, count: rowCount)
            if case .column(let c) = value { for i in 0..<rowCount where c.isNull(i) { sawNull[i] = true } }
            if case .scalar(let s) = value, s.value == .null { sawNull = [Bool](repeating: true, count: rowCount) }
            // SQL's rule: no match and a null in the list gives null, not false.
            let listHasNull = values.contains { $0.value == .null }
            for item in values where item.value != .null {
                let eq = try boolValues(compare(.equal, value, .scalar(item)))
                for i in 0..<rowCount where eq[i] == 1 { any[i] = 1 }
            }
            return boolColumn((0..<rowCount).map { i in
                if sawNull[i] || (any[i] == 0 && listHasNull) { return unknownTruth }
                return negated ? 1 - any[i] : any[i]
            })
        case .call(let function, let args, let type):
            var operands: [Operand] = []
            for a in args { operands.append(try evaluate(a)) }
            return try call(function, operands, type)
        }
    }

    // MARK: helpers

    /// A bool column from three-valued truth.
    func boolColumn(_ v: [Int64]) -> Operand {
        var nulls = NullMask()
        var values = v
        for i in v.indices where v[i] == unknownTruth { nulls.setNull(i); values[i] = 0 }
        return .column(Column(name: "", type: .bool, data: .integers(values, nulls: nulls)))
    }
    func intColumn(_ v: IntValues, type: ColumnType) -> Operand { .column(Column(name: "", type: type, data: .integers(v.values, nulls: v.nulls))) }
    func intColumn(_ v: [Int64], type: ColumnType) -> Operand { .column(Column(name: "", type: type, data: .integers(v))) }
    func realColumn(_ v: [Double], type: ColumnType) -> Operand { .column(Column(name: "", type: type, data: .reals(v))) }

    /// One Int64 per row at decimal `scale`, with the null rows.
    func ints(_ operand: Operand, scale: Int) throws(EvaluationFailure) -> IntValues {
        let from = numericScale(operand.type ?? .int) ?? 0
        let factor = powerOfTen(scale - from)
        switch operand {
        case .scalar(let s):
            guard case .integer(let v) = s.value else { return .allNull(rowCount) }
            let (scaled, overflow) = v.multipliedReportingOverflow(by: factor)
            if overflow { throw EvaluationFailure(message: "a number is too large to compare or compute exactly") }
            return IntValues(values: [Int64](repeating: scaled, count: rowCount), nulls: NullMask())
        case .column(let c):
            guard case .integers(let values, let nulls) = c.data else { return .allNull(rowCount) }
            if factor == 1 { return IntValues(values: values, nulls: nulls) }
            var out = values
            for i in out.indices where !nulls.isNull(i) {
                let (scaled, overflow) = out[i].multipliedReportingOverflow(by: factor)
                if overflow { throw EvaluationFailure(message: "a number is too large to compute exactly") }
                out[i] = scaled
            }
            return IntValues(values: out, nulls: nulls)
        }
    }

    /// One Double per row in natural units (yuan for money), NaN for null.
    func reals(_ operand: Operand) -> [Double] {
        let type = operand.type ?? .int
        let divisor = Double(powerOfTen(numericScale(type) ?? 0))
        switch operand {
        case .scalar(let s):
            switch s.value {
            case .integer(let v): return [Double](repeating: Double(v) / divisor, count: rowCount)
            case .real(let v): return [Double](repeating: v, count: rowCount)
            default: return [Double](repeating: .nan, count: rowCount)
            }
        case .column(let c):
            switch c.data {
            case .integers(let values, let nulls):
                guard nulls.hasNulls else { return values.map { Double($0) / divisor } }
                return values.indices.map { nulls.isNull($0) ? .nan : Double(values[$0]) / divisor }
            case .reals(let values): return values
            default: return [Double](repeating: .nan, count: rowCount)
            }
        }
    }

    func boolValues(_ operand: Operand) throws(EvaluationFailure) -> [Int64] {
        switch operand {
        case .scalar(let s):
            if case .integer(let v) = s.value { return [Int64](repeating: v, count: rowCount) }
            return [Int64](repeating: unknownTruth, count: rowCount)
        case .column(let c):
            guard case .integers(let v, let nulls) = c.data else { return [Int64](repeating: unknownTruth, count: rowCount) }
            guard nulls.hasNulls else { return v }
            var out = v
            for i in out.indices where nulls.isNull(i) { out[i] = unknownTruth }
            return out
        }
    }

    /// A string accessor per row (nil for null).
    func strings(_ operand: Operand) -> (Int) -> String? {
        switch operand {
        case .scalar(let s):
            if case .string(let text) = s.value { return { _ in text } }
            return { _ in nil }
        case .column(let c):
            switch c.data {
            case .strings(let codes, let dictionary): return { codes[$0] == nullCode ? nil : dictionary[Int(codes[$0])] }
            case .texts(let values): return { values[$0] }
            default: return { _ in nil }
            }
        }
    }

    /// A dense column of `type`, rescaling numbers (an int 5 becomes money 5.00, not 0.05).
    func converted(_ operand: Operand, to type: ColumnType) throws(EvaluationFailure) -> Column {
        guard type.isNumeric, let from = operand.type, from.isNumeric, from != type else { return materialize(operand, type: type) }
        if type == .real { return Column(name: "", type: .real, data: .reals(reals(operand))) }
        let v = try ints(operand, scale: numericScale(type) ?? 0)
        return Column(name: "", type: type, data: .integers(v.values, nulls: v.nulls))
    }

    /// A dense column for an operand (scalars broadcast).
    func materialize(_ operand: Operand, type: ColumnType) -> Column {
        switch operand {
        case .column(let c): return c
        case .scalar(let s): return Column.repeating(s, count: rowCount, type: type)
        }
    }
}
