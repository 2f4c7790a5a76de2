import BudgetCore
import BudgetStore

extension Executor {
    /// `pivot COL of AGG by keys`: one row per key, one column per value of COL (missing cells null).
    func pivot(_ frame: Frame, column: Expr, aggregate: NamedExpr, by: [NamedExpr], span: SourceSpan) throws -> Frame {
        try refuseList(frame, column, "pivot")
        let (summary, _) = try spread(frame, column: column, aggregate: aggregate, by: by, span: span)
        let keyCount = by.count
        let columnKeys = try valuesInOrder(summary.dense(keyCount))
        return try widen(summary, keyCount: keyCount, columnValues: columnKeys, missingAsZero: false, span: span)
    }

    /// `compare COL A vs B of AGG by keys`: columns A, B, delta = B − A and pct = delta / A × 100.
    /// A group missing in one year is null there, and so are its delta and pct.
    func compare(_ frame: Frame, column: Expr, a: Expr, b: Expr, aggregate: NamedExpr, by: [NamedExpr], span: SourceSpan) throws -> Frame {
        try refuseList(frame, column, "compare")
        var columnBinder = binder(frame)
        let columnBound = try columnBinder.bind(column)
        let first = try constant(a, comparableWith: columnBound, binder: &columnBinder)
        let second = try constant(b, comparableWith: columnBound, binder: &columnBinder)
        if first == second {
            throw QueryError("compare needs two different values", at: a.span.through(b.span), hint: "compare year 2023 vs 2024 of sum(budget) by type")
        }
        // Only rows whose COL is A or B take part.
        let inBoth = Expr.inList(column, [a, b], negated: false, column.span)
        let narrowed = try filter(frame, inBoth)
        let (summary, _) = try spread(narrowed, column: column, aggregate: aggregate, by: by, span: span)
        // A group with no rows in one year is absent there (null: — in reports), not 0 and −100%.
        var wide = try widen(summary, keyCount: by.count, columnValues: [first.value, second.value], missingAsZero: false, fixedColumns: true, span: span)
        let evaluator = Evaluator(frame: wide)
        let aColumn = wide.columns[by.count], bColumn = wide.columns[by.count + 1]
        let valueType = aColumn.type
        let deltaBound = Bound.arithmetic(.subtract, .extra(1, valueType), .extra(0, valueType), valueType == .real ? .real : valueType)
        var withExtras = evaluator
        withExtras.extras = [.column(aColumn), .column(bColumn)]
        let delta = try withExtras.materialize(try withExtras.evaluate(deltaBound), type: valueType).named("delta")
        let aReals = try evaluator.reals(.column(aColumn)), deltaReals = try evaluator.reals(.column(delta))
        let pct = zip(aReals, deltaReals).map { a, d in a.isNaN || d.isNaN || a == 0 ? Double.nan : d / a * 100 }
        wide.setDense(delta)
        wide.setDense(Column(name: "pct", type: .real, data: .reals(pct)))
        return wide
    }

    /// pivot and compare spread one value per row; a list must be exploded first.
    private func refuseList(_ frame: Frame, _ column: Expr, _ what: String) throws {
        var b = binder(frame)
        if try b.bind(column).type == .list {
            throw QueryError("\(what) needs a column with one value per row; `\(column.impliedName ?? "this")` is a list", at: column.span,
                             hint: "explode it first: explode regions as region | \(what) region …")
        }
    }

    private func constant(_ expr: Expr, comparableWith column: Bound, binder: inout Binder) throws -> Scalar {
        guard case .constant(let s) = try binder.bind(expr) else {
            throw QueryError("compare needs literal values, such as 2023 vs 2024", at: expr.span)
        }
        if case .string(let text) = s.value, column.type == .month { return try Literals.month(text, span: expr.span) }
        if case .string(let text) = s.value, column.type == .date { return try Literals.date(text, span: expr.span) }
        // A number compared with money or decimals: to the column's scale (500000 → 500000.00 元).
        if case .integer(let raw) = s.value, let columnType = column.type, let from = s.type,
           let columnScale = numericScale(columnType), let scale = numericScale(from), columnType != from {
            guard columnScale >= scale else {
                throw QueryError("the value has more decimals than \(describe(columnType)) holds", at: expr.span)
            }
            let (scaled, overflow) = raw.multipliedReportingOverflow(by: powerOfTen(columnScale - scale))
            if overflow { throw QueryError("the value is too large", at: expr.span) }
            return Scalar(value: .integer(scaled), type: columnType)
        }
        return s
    }

    /// summarize AGG by keys + COL, returning the aggregate function for fill rules.
    private func spread(_ frame: Frame, column: Expr, aggregate: NamedExpr, by: [NamedExpr], span: SourceSpan) throws -> (Frame, AggregateFunction?) {
        let columnItem = NamedExpr(name: "__pivot_column", expr: column)
        let valueItem = NamedExpr(name: "__pivot_value", expr: aggregate.expr)
        let summary = try summarize(frame, aggregates: [valueItem], by: by + [columnItem], span: span).materialized()
        var function: AggregateFunction?
        if case .call(let name, _, _) = aggregate.expr { function = AggregateFunction(rawValue: name) }
        return (summary, function)
    }

    private func valuesInOrder(_ column: Column) throws(Interrupted) -> [Value] {
        // The first row of each value, in order of appearance.
        var firstRow: [Value: Int] = [:]
        var values: [Value] = []
        try Interrupt.forEachChunk(column.count) { rows in
            for row in rows {
                let value = column.value(at: row)
                if firstRow[value] == nil {
                    firstRow[value] = row
                    values.append(value)
                }
            }
        }
        let order = try SortKeyValues(column)
        return values.sorted { order.less(firstRow[$0] ?? 0, firstRow[$1] ?? 0) }
    }

    /// Turns (keys…, col, value) rows into one row per keys with a column per col value.
    private func widen(_ summary: Frame, keyCount: Int, columnValues: [Value], missingAsZero: Bool, fixedColumns: Bool = false, span: SourceSpan) throws -> Frame {
        let columnColumn = summary.columns[keyCount]
        let valueColumn = summary.columns[keyCount + 1]
        let keyColumns = Array(summary.columns.prefix(keyCount))
        // No rows and no keys: pivot has no values to spread (no row); compare's two fixed columns
        // still make one row, as summarize without `by` does.
        if keyCount == 0 && summary.rowCount == 0 && !fixedColumns { return Frame(columns: [], origin: summary.origin, rowCount: 0) }
        let grouping = keyCount == 0 ? try Grouping.single(rows: summary.rowCount) : try Grouping.build(keys: keyColumns, rows: summary.rowCount)
        let slot = Dictionary(columnValues.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        // nil: the group has no rows for this value; .null: it has rows whose aggregate is null.
        var cells = [[Value?]](repeating: [Value?](repeating: nil, count: grouping.count), count: columnValues.count)
        try Interrupt.forEachChunk(summary.rowCount) { rows in
            for row in rows {
                guard let s = slot[columnColumn.value(at: row)] else { continue }
                cells[s][Int(grouping.ids[row])] = valueColumn.value(at: row)
            }
        }
        let representatives = try Interrupt.map(grouping.representatives) { Int32($0) }
        var columns: [Column] = []
        for key in keyColumns { columns.append(try key.gathered(representatives)) }
        var names = Set(columns.map(\.name))
        for (s, value) in columnValues.enumerated() {
            let name = label(value, type: columnColumn.type)
            guard names.insert(name).inserted else {
                throw QueryError("the result would have two columns named `\(name)`", at: span,
                                 hint: "rename the key column, or filter out the value `\(name)`")
            }
            var builder = ValueColumnBuilder(type: valueColumn.type)
            for cell in cells[s] {
                if let cell { builder.append(cell) } else if missingAsZero { builder.append(valueColumn.type == .real ? .real(0) : .integer(0)) } else { builder.append(.null) }
            }
            columns.append(builder.finish(name: name))
        }
        return Frame(columns: columns, origin: summary.origin, rowCount: grouping.count)
    }

    /// A column name for a pivoted value: its exact text (`2024`, `2024-06`, `铜仁`), or `null`.
    func label(_ value: Value, type: ColumnType) -> String {
        ValueText.exact(value, type: type) ?? "null"
    }
}
