import BudgetCore
import BudgetStore

extension Executor {
    /// What the total row's label column says.
    static let totalLabel = "合计"

    /// `summarize … by … with total`: the groups, then one 合计 row of the same aggregates over all
    /// the rows (so avg, min, max and dcount are the whole's, and a project under several regions
    /// counts once in the total).
    func summarizeWithTotal(_ frame: Frame, aggregates: [NamedExpr], by: [NamedExpr], span: SourceSpan) throws -> Frame {
        let groups = try summarize(frame, aggregates: aggregates, by: by, span: span).materialized()
        guard !by.isEmpty else { return groups }
        let grand = try summarize(frame, aggregates: aggregates, by: [], span: span).materialized()
        var row = [Value](repeating: .null, count: groups.columns.count)
        for (i, column) in grand.columns.enumerated() where by.count + i < row.count && column.count > 0 {
            row[by.count + i] = column.value(at: 0)
        }
        return try appendingTotal(groups, row: row)
    }

    /// `| total`: one more row, 合计, with each numeric column's exact sum. Ratios and percentage
    /// points (`ValueRole`), years and ids are not summed: their total is absent.
    func total(_ input: Frame) throws -> Frame {
        let frame = try input.materialized()
        var row: [Value] = []
        for column in frame.columns {
            guard column.type.isNumeric, column.valueRole == .plain, !Self.identifying.contains(column.name) else {
                row.append(.null)
                continue
            }
            switch column.data {
            case .integers(let values, let nulls):
                var sum: Int64 = 0
                var any = false, overflow = false
                try Interrupt.forEachChunk(values.count) { rows in
                    for i in rows where !nulls.isNull(i) {
                        let (s, o) = sum.addingReportingOverflow(values[i])
                        overflow = overflow || o
                        sum = s
                        any = true
                    }
                }
                if overflow { throw EvaluationFailure(message: "the total of `\(column.name)` does not fit in 64 bits") }
                row.append(any ? .integer(sum) : .null)
            case .reals(let values):
                var sum = 0.0, any = false
                try Interrupt.forEachChunk(values.count) { rows in
                    for i in rows where !values[i].isNaN {
                        sum += values[i]
                        any = true
                    }
                }
                row.append(any ? .real(sum) : .null)
            default:
                row.append(.null)
            }
        }
        return try appendingTotal(frame, row: row)
    }

    /// Whole numbers that name rather than count: never summed.
    static let identifying: Set<String> = ["year", "id", "project_id", "line", "start_year", "end_year", "month"]

    /// `frame` with `row` appended and labelled 合计 in its first text column (a first whole-number
    /// column such as a year becomes text to hold the label); `totalRow` marks it.
    func appendingTotal(_ frame: Frame, row: [Value]) throws(Interrupted) -> Frame {
        var labelIndex = frame.columns.firstIndex { $0.type == .string || $0.type == .text }
        if labelIndex == nil, let first = frame.columns.first, first.type == .int || first.type == .month || first.type == .date { labelIndex = 0 }
        var columns: [Column] = []
        for (i, column) in frame.columns.enumerated() {
            let asText = i == labelIndex && column.type != .string && column.type != .text
            var builder = ValueColumnBuilder(type: asText ? .string : column.type)
            try Interrupt.forEachChunk(column.count) { rows in
                for r in rows {
                    let value = column.value(at: r)
                    builder.append(asText ? (ValueText.exact(value, type: column.type).map { .string($0) } ?? .null) : value)
                }
            }
            builder.append(i == labelIndex ? .string(Self.totalLabel) : row[i])
            let built = builder.finish(name: column.name)
            columns.append(Column(name: column.name, aliases: column.aliases, type: built.type, data: built.data))
        }
        var out = Frame(columns: columns, origin: frame.origin)
        out.notes = frame.notes
        out.totalRow = frame.rowCount
        return out
    }
}
