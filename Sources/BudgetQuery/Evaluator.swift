import BudgetCore
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
///
/// Every pass over the rows goes 64K rows at a time (`eachChunk`, `perRow`, `rowsOf`) and stops
/// with `.interrupted` between chunks when Ctrl-C asks (`Interrupt`), so that a `where` or a
/// `derive` over 80M rows stops within a fraction of a second.
struct Evaluator {
    let frame: Frame
    /// Columns computed outside the frame (aggregate results), referenced by `.extra`.
    var extras: [Operand] = []

    var rowCount: Int { frame.rowCount }

    func evaluate(_ bound: Bound) throws(EvaluationFailure) -> Operand {
        switch bound {
        case .column(let i, _): return .column(try Self.interruptible { () throws(Interrupted) in try frame.dense(i) })
        case .extra(let i, _): return extras[i]
        case .constant(let s): return .scalar(s)
        case .compare(let op, let l, let r): return try combining(l, r) { (a, b) throws(EvaluationFailure) in try compare(op, a, b) }
        case .arithmetic(let op, let l, let r, let type): return try combining(l, r) { (a, b) throws(EvaluationFailure) in try arithmetic(op, a, b, type) }
        case .logic(let op, let l, let r): return try combining(l, r) { (a, b) throws(EvaluationFailure) in try logic(op, a, b) }
        case .not(let inner):
            let v = try boolValues(evaluate(inner))
            return try boolColumn(mapped(v) { $0 == unknownTruth ? unknownTruth : 1 - $0 })
        case .negate(let inner, let type):
            let operand = try evaluate(inner)
            if type == .real {
                return realColumn(try mapped(reals(operand)) { -$0 }, type: .real)
            }
            var v = try ints(operand, scale: numericScale(type) ?? 0)
            try eachChunk { (rows) throws(EvaluationFailure) in
                for i in rows where !v.nulls.isNull(i) {
                    let (negated, overflow) = Int64(0).subtractingReportingOverflow(v.values[i])
                    if overflow { throw EvaluationFailure(message: "arithmetic overflow: the result does not fit exactly") }
                    v.values[i] = negated
                }
            }
            return intColumn(v, type: type)
        case .textMatch(let op, let l, let r): return try combining(l, r) { (a, b) throws(EvaluationFailure) in try textMatch(op, a, b) }
        case .listHas(let l, let r): return try combining(l, r) { (a, b) throws(EvaluationFailure) in try listHas(a, b) }
        case .inSet(let operand, let values, let negated):
            let value = try evaluate(operand)
            var any = try rowsOf(Int64(0))
            var sawNull: [Bool]
            if case .scalar(let s) = value, s.value == .null {
                sawNull = try rowsOf(true)
            } else {
                sawNull = try rowsOf(false)
                if case .column(let c) = value { try eachChunk { rows in for i in rows where c.isNull(i) { sawNull[i] = true } } }
            }
            // SQL's rule: no match and a null in the list gives null, not false.
            let listHasNull = values.contains { $0.value == .null }
            for item in values where item.value != .null {
                let eq = try boolValues(compare(.equal, value, .scalar(item)))
                try eachChunk { rows in for i in rows where eq[i] == 1 { any[i] = 1 } }
            }
            return try boolColumn(perRow { out, rows in
                for i in rows {
                    out[i] = sawNull[i] || (any[i] == 0 && listHasNull) ? unknownTruth : negated ? 1 - any[i] : any[i]
                }
            })
        case .call(let function, let args, let type):
            var operands: [Operand] = []
            for a in args { operands.append(try evaluate(a)) }
            return try call(function, operands, type)
        }
    }

    // MARK: helpers

    /// A bool column from three-valued truth.
    func boolColumn(_ v: [Int64]) throws(EvaluationFailure) -> Operand {
        var nulls = NullMask()
        var values = v
        try eachChunk(v.count) { rows in
            for i in rows where v[i] == unknownTruth { nulls.setNull(i); values[i] = 0 }
        }
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
            guard case .integer(let v) = s.value else { return try allNull() }
            let (scaled, overflow) = v.multipliedReportingOverflow(by: factor)
            if overflow { throw EvaluationFailure(message: "a number is too large to compare or compute exactly") }
            return IntValues(values: try rowsOf(scaled), nulls: NullMask())
        case .column(let c):
            guard case .integers(let values, let nulls) = c.data else { return try allNull() }
            if factor == 1 { return IntValues(values: values, nulls: nulls) }
            var overflow = false
            let out: [Int64] = try perRow(values.count) { out, rows in
                for i in rows {
                    let (scaled, o) = values[i].multipliedReportingOverflow(by: factor)
                    overflow = overflow || (o && !nulls.isNull(i))
                    out[i] = scaled
                }
            }
            if overflow { throw EvaluationFailure(message: "a number is too large to compute exactly") }
            return IntValues(values: out, nulls: nulls)
        }
    }

    /// One Double per row in natural units (yuan for money), NaN for null.
    func reals(_ operand: Operand) throws(EvaluationFailure) -> [Double] {
        let type = operand.type ?? .int
        let divisor = Double(powerOfTen(numericScale(type) ?? 0))
        switch operand {
        case .scalar(let s):
            switch s.value {
            case .integer(let v): return try rowsOf(Double(v) / divisor)
            case .real(let v): return try rowsOf(v)
            default: return try rowsOf(Double.nan)
            }
        case .column(let c):
            switch c.data {
            case .integers(let values, let nulls):
                guard nulls.hasNulls else { return try mapped(values) { Double($0) / divisor } }
                return try perRow(values.count) { out, rows in
                    for i in rows { out[i] = nulls.isNull(i) ? .nan : Double(values[i]) / divisor }
                }
            case .reals(let values): return values
            default: return try rowsOf(Double.nan)
            }
        }
    }

    func boolValues(_ operand: Operand) throws(EvaluationFailure) -> [Int64] {
        switch operand {
        case .scalar(let s):
            if case .integer(let v) = s.value { return try rowsOf(v) }
            return try rowsOf(unknownTruth)
        case .column(let c):
            guard case .integers(let v, let nulls) = c.data else { return try rowsOf(unknownTruth) }
            guard nulls.hasNulls else { return v }
            var out = v
            try eachChunk(out.count) { rows in for i in rows where nulls.isNull(i) { out[i] = unknownTruth } }
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
        guard type.isNumeric, let from = operand.type, from.isNumeric, from != type else { return try materialize(operand, type: type) }
        if type == .real { return Column(name: "", type: .real, data: .reals(try reals(operand))) }
        let v = try ints(operand, scale: numericScale(type) ?? 0)
        return Column(name: "", type: type, data: .integers(v.values, nulls: v.nulls))
    }

    /// A dense column for an operand (scalars broadcast).
    func materialize(_ operand: Operand, type: ColumnType) throws(EvaluationFailure) -> Column {
        switch operand {
        case .column(let c): return c
        case .scalar(let s): return try Self.interruptible { () throws(Interrupted) in try Column.repeating(s, count: rowCount, type: type) }
        }
    }
}

// Passes over the rows, 64K rows at a time, that Ctrl-C stops (`Interrupt`).
extension Evaluator {
    /// `combine` of `l` and `r`, evaluated in turn. When Ctrl-C stops it, the operands (columns
    /// of 650 MB at 80M rows) are freed in the background, not before the prompt.
    func combining(_ l: Bound, _ r: Bound, _ combine: (Operand, Operand) throws(EvaluationFailure) -> Operand) throws(EvaluationFailure) -> Operand {
        var left: Operand? = try evaluate(l)
        var right: Operand?
        do throws(EvaluationFailure) {
            right = try evaluate(r)
            guard let left, let right else { throw EvaluationFailure(message: "internal: an operand went missing") }
            return try combine(left, right)
        } catch {
            if Interrupt.isRequested {
                Interrupt.releaseInBackground(&left, leaving: nil)
                Interrupt.releaseInBackground(&right, leaving: nil)
            }
            throw error
        }
    }

    /// `work`, with Ctrl-C reported as the evaluator reports it.
    static func interruptible<T>(_ work: () throws(Interrupted) -> T) throws(EvaluationFailure) -> T {
        do { return try work() } catch { throw .interrupted }
    }

    /// Runs `body` on consecutive ranges covering `0..<count` (all rows unless told), 64K rows each.
    func eachChunk(_ count: Int? = nil, _ body: (Range<Int>) throws(EvaluationFailure) -> Void) throws(EvaluationFailure) {
        let count = count ?? rowCount
        var start = 0
        while start < count {
            if Interrupt.isRequested { throw .interrupted }
            let end = min(count, start + Interrupt.chunkRows)
            try body(start..<end)
            start = end
        }
    }

    /// One value per row (or `count` values), written by `fill` 64K at a time (`Interrupt.makeArray`).
    func perRow<T>(_ count: Int? = nil, _ fill: (UnsafeMutableBufferPointer<T>, Range<Int>) -> Void) throws(EvaluationFailure) -> [T] {
        try Self.interruptible { () throws(Interrupted) in try Interrupt.makeArray(count: count ?? rowCount, fill) }
    }

    /// `value` for every row (or `count` times).
    func rowsOf<T>(_ value: T, count: Int? = nil) throws(EvaluationFailure) -> [T] {
        try Self.interruptible { () throws(Interrupted) in try Interrupt.repeating(value, count: count ?? rowCount) }
    }

    /// `values.map(transform)`, 64K at a time.
    func mapped<T, U>(_ values: [T], _ transform: (T) -> U) throws(EvaluationFailure) -> [U] {
        try Self.interruptible { () throws(Interrupted) in try Interrupt.map(values, transform) }
    }

    /// Null for every row.
    func allNull() throws(EvaluationFailure) -> IntValues {
        IntValues(values: try rowsOf(Int64(0)), nulls: NullMask(allNull: rowCount))
    }
}
