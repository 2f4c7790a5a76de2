import BudgetCore
import BudgetStore

// Scalar functions (the list is ScalarFunction's).
extension Evaluator {
    func call(_ function: ScalarFunction, _ args: [Operand], _ type: ColumnType) throws(EvaluationFailure) -> Operand {
        let n = rowCount
        switch function {
        case .round:
            let digits: Int
            if args.count > 1, case .scalar(let s) = args[1], case .integer(let d) = s.value { digits = Int(max(0, min(10, d))) } else { digits = 0 }
            if let source = args[0].type, let scale = numericScale(source), type != .real {
                // Exact: on the scaled integers, half away from zero, so 1.005 → 1.01 (a Double would give 1.00).
                let values = try ints(args[0], scale: scale)
                let drop = powerOfTen(max(0, scale - digits))
                let outScale = numericScale(type) ?? 0
                return intColumn(try mapValues(values) { v in
                    let magnitude = v.magnitude, step = UInt64(drop)
                    let (up, overflow) = (magnitude / step + (magnitude % step * 2 >= step ? 1 : 0)).multipliedReportingOverflow(by: step)
                    // -2^63 is the one negative whose magnitude has no positive Int64.
                    guard !overflow, let signed = v < 0 ? (up == 1 << 63 ? Int64.min : Int64(exactly: up).map { -$0 }) : Int64(exactly: up) else { return nil }
                    // Back to the result's scale (a decimal rounded to 0 digits is an int).
                    if outScale >= scale {
                        let (scaled, overflow) = signed.multipliedReportingOverflow(by: powerOfTen(outScale - scale))
                        return overflow ? nil : scaled
                    }
                    return signed / powerOfTen(scale - outScale)
                }, type: type)
            }
            let factor = Double(powerOfTen(digits))
            return realColumn(try mapped(reals(args[0])) { $0.isNaN ? .nan : ($0 * factor).rounded(.toNearestOrAwayFromZero) / factor }, type: .real)
        case .getyear, .getmonth, .quarter:
            let source = args[0].type
            let values = try ints(args[0], scale: 0)
            let yearMonths = IntValues(values: try mapped(values.values) { source == .date ? $0 / 100 : $0 }, nulls: values.nulls)
            switch function {
            case .getyear: return intColumn(IntValues(values: try mapped(yearMonths.values) { $0 / 100 }, nulls: yearMonths.nulls), type: .int)
            case .getmonth: return intColumn(IntValues(values: try mapped(yearMonths.values) { $0 % 100 }, nulls: yearMonths.nulls), type: .int)
            default:
                var builder = StringColumnBuilder(capacity: n)
                let ym = yearMonths.values
                try eachChunk(ym.count) { rows in
                    for i in rows { builder.append(yearMonths.nulls.isNull(i) ? nil : Quarter.text(year: ym[i] / 100, month: ym[i] % 100)) }
                }
                return .column(Column(name: "", type: .string, data: builder.finish()))
            }
        case .strcat:
            // KQL's rule: a null argument counts as empty text; numbers and dates as their exact text.
            let parts = args.map { textOfEachRow($0) }
            var builder = StringColumnBuilder(capacity: n)
            try eachChunk { rows in for i in rows { builder.append(parts.map { $0(i) ?? "" }.joined()) } }
            return .column(Column(name: "", type: .string, data: builder.finish()))
        case .bar:
            let values = try reals(args[0])
            let maxima = args.count > 1 ? try reals(args[1]) : try rowsOf(1.0)
            let widths = args.count > 2 ? try reals(args[2]) : try rowsOf(20.0)
            var builder = StringColumnBuilder(capacity: n)
            try eachChunk { rows in for i in rows { builder.append(InlineBar.text(values[i], max: maxima[i], width: widths[i])) } }
            return .column(Column(name: "", type: .string, data: builder.finish()))
        case .tofen:
            let values = try ints(args[0], scale: 2)
            return intColumn(values, type: .int)
        case .isnull, .isnotnull, .isempty:
            // 1 where the test holds (for isnotnull: where it does not).
            let yes: Int64 = function == .isnotnull ? 0 : 1
            let out: [Int64]
            switch args[0] {
            case .scalar(let s):
                var empty = s.value == .null
                if function == .isempty, case .string(let text) = s.value { empty = text.isEmpty }
                if function == .isempty, case .list(let items) = s.value { empty = items.isEmpty }
                out = try rowsOf(empty ? yes : 1 - yes)
            case .column(let c):
                if function == .isempty, case .lists(let offsets, _, _) = c.data {
                    out = try perRow { out, rows in for i in rows { out[i] = offsets[i] == offsets[i + 1] ? yes : 1 - yes } }
                } else if function == .isempty, c.type == .string || c.type == .text {
                    let text = strings(args[0])
                    out = try perRow { out, rows in for i in rows { out[i] = (text(i) ?? "").isEmpty ? yes : 1 - yes } }
                } else {
                    out = try perRow { out, rows in for i in rows { out[i] = c.isNull(i) ? yes : 1 - yes } }
                }
            }
            return try boolColumn(out)
        case .abs:
            if type == .real { return realColumn(try mapped(reals(args[0])) { Swift.abs($0) }, type: .real) }
            return intColumn(try mapValues(ints(args[0], scale: numericScale(type) ?? 0)) { $0 == .min ? nil : Swift.abs($0) }, type: type)
        case .year, .month:
            let source = args[0].type
            let values = try ints(args[0], scale: 0)
            return intColumn(IntValues(values: try mapped(values.values) { v in
                let yearMonth = source == .date ? v / 100 : v
                if function == .year { return yearMonth / 100 }
                return source == .date ? yearMonth : yearMonth % 100
            }, nulls: values.nulls), type: type)
        case .len:
            if case .column(let c) = args[0], case .lists(let offsets, _, _) = c.data {
                return intColumn(try perRow { out, rows in for i in rows { out[i] = Int64(offsets[i + 1] - offsets[i]) } }, type: .int)
            }
            let s = strings(args[0])
            var lengths = IntegerColumnBuilder(capacity: n)
            try eachChunk { rows in for i in rows { lengths.append(s(i).map { Int64($0.count) }) } }
            return .column(Column(name: "", type: .int, data: lengths.finish()))
        case .coalesce, .iff:
            let condition = function == .iff ? try boolValues(args[0]) : []
            let (a, b) = function == .iff ? (args[1], args[2]) : (args[0], args[1])
            let first = try converted(a, to: type), second = try converted(b, to: type)
            let picks: [Int32] = try perRow { picks, rows in
                for i in rows {
                    let useFirst = function == .iff ? condition[i] == 1 : !first.isNull(i)
                    picks[i] = useFirst ? 0 : 1
                }
            }
            return .column(try Self.interruptible { () throws(Interrupted) in try Column.choosing(picks, first, second, type: type) })
        }
    }
}

extension Evaluator {
    /// Each row's exact text (ValueText's rules), nil for null: what strcat joins.
    func textOfEachRow(_ operand: Operand) -> (Int) -> String? {
        switch operand {
        case .scalar(let s):
            let text = ValueText.exact(s.value, type: s.type ?? .string)
            return { _ in text }
        case .column(let c):
            if c.type == .string || c.type == .text { return strings(operand) }
            return { ValueText.exact(c.value(at: $0), type: c.type) }
        }
    }
}

/// Quarters as text, `2024-Q2`: the form quarter() returns and quarter literals bind to, so that
/// comparing, grouping and sorting them as strings orders them in time.
enum Quarter {
    static func text(year: Int64, month: Int64) -> String { "\(year)-Q\((month - 1) / 3 + 1)" }
}

/// bar(): DuckDB's inline bar, drawn with block characters.
enum InlineBar {
    /// A bar of `width` cells, full at `max`, in eighth-cell steps (█ ▉ ▊ ▋ ▌ ▍ ▎ ▏); a value above
    /// `max` is a full bar ending in ▶, zero or less is empty; nil for null.
    static func text(_ value: Double, max: Double, width: Double) -> String? {
        guard !value.isNaN, !max.isNaN, max > 0, !width.isNaN else { return nil }
        let cells = Int(Swift.max(1, Swift.min(200, width)))
        let over = value > max
        let eighths = Int((Swift.min(value, max) / max * Double(cells * 8)).rounded(.toNearestOrAwayFromZero))
        guard eighths > 0 else { return "" }
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var out = String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
        if over { out.removeLast(); out += "▶" }
        return out
    }
}

extension Evaluator {
    /// `transform` applied to every value but null; nil from it is an overflow (an error, never wrapped).
    func mapValues(_ v: IntValues, _ transform: (Int64) -> Int64?) throws(EvaluationFailure) -> IntValues {
        var overflow = false
        let out: [Int64] = try perRow(v.values.count) { out, rows in
            for i in rows {
                if v.nulls.isNull(i) { out[i] = v.values[i]; continue }
                guard let result = transform(v.values[i]) else { overflow = true; out[i] = 0; continue }
                out[i] = result
            }
        }
        if overflow { throw EvaluationFailure(message: "arithmetic overflow: the result does not fit exactly") }
        return IntValues(values: out, nulls: v.nulls)
    }
}
