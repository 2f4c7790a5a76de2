import BudgetCore
import BudgetStore

extension Executor {
    /// `select a, b = expr`: bare columns keep their buffers (and the selection); expressions are computed.
    func select(_ frame: Frame, _ items: [NamedExpr]) throws -> Frame {
        var b = binder(frame)
        var bound: [Bound] = []
        for item in items { bound.append(try b.bind(item.expr)) }
        let names = items.enumerated().map { outputName($1, position: $0) }
        try checkUnique(names, items)
        let allColumns = bound.allSatisfy { if case .column = $0 { return true } else { return false } }
        if allColumns {
            let indices = bound.compactMap { item -> Int? in
                if case .column(let index, _) = item { return index }
                return nil
            }
            return frame.projecting(indices, names: names)
        }
        // Only the columns the expressions read are gathered (the evaluator reads each dense).
        let evaluator = Evaluator(frame: frame)
        var columns: [Column] = []
        for (i, item) in bound.enumerated() {
            let operand = try evaluator.evaluate(item)
            columns.append(try evaluator.materialize(operand, type: item.type ?? .string).named(names[i]))
        }
        var out = Frame(columns: columns, origin: frame.origin, rowCount: frame.rowCount)
        out.notes = frame.notes
        return out
    }

    /// `derive name = expr`: adds (or replaces) computed columns. Aggregates here run over the whole
    /// result (`x / sum(x)` gives shares); `running_sum(x)` accumulates in the current order.
    func derive(_ frame: Frame, _ items: [NamedExpr]) throws -> Frame {
        var out = frame
        for (position, item) in items.enumerated() {
            let name = outputName(item, position: position)
            var b = binder(out, aggregates: true)
            let bound = try b.bind(item.expr)
            var evaluator = Evaluator(frame: out)
            // One group of all the rows, built only when an aggregate needs it.
            let all = b.aggregates.contains { $0.function != .runningSum } ? try Grouping.single(rows: out.rowCount) : Grouping(ids: [], count: 1, representatives: [0])
            for spec in b.aggregates {
                let argument = try spec.argument.map { try evaluator.evaluate($0) }
                if spec.function == .runningSum {
                    evaluator.extras.append(.column(try runningSum(argument, type: spec.resultType, evaluator: evaluator)))
                } else {
                    let column = try Aggregation.compute(spec, argument: argument, grouping: all, evaluator: evaluator)
                    evaluator.extras.append(.scalar(Scalar(value: column.count > 0 ? column.value(at: 0) : .null, type: column.type)))
                }
            }
            let column = try evaluator.materialize(try evaluator.evaluate(bound), type: bound.type ?? .string).named(name)
            out.setDense(column, at: out.columns.firstIndex { $0.name == name })
        }
        return out
    }

    private func runningSum(_ argument: Operand?, type: ColumnType, evaluator: Evaluator) throws -> Column {
        guard let argument else { throw EvaluationFailure(message: "running_sum needs an argument") }
        if type == .real {
            var total = 0.0
            return Column(name: "", type: .real, data: .reals(try evaluator.mapped(evaluator.reals(argument)) { v in
                if !v.isNaN { total += v }
                return total
            }))
        }
        var total: Int64 = 0
        var overflow = false
        let values = try evaluator.ints(argument, scale: numericScale(type) ?? 0)
        let out: [Int64] = try evaluator.perRow(values.values.count) { out, rows in
            for i in rows {
                if !values.nulls.isNull(i) {
                    let (s, o) = total.addingReportingOverflow(values.values[i])
                    overflow = overflow || o
                    total = s
                }
                out[i] = total
            }
        }
        if overflow { throw EvaluationFailure(message: "running_sum does not fit in 64 bits") }
        return Column(name: "", type: type, data: .integers(out))
    }

    func checkUnique(_ names: [String], _ items: [NamedExpr]) throws {
        var seen = Set<String>()
        for (i, name) in names.enumerated() where !seen.insert(name).inserted {
            throw QueryError("the result has two columns named `\(name)`", at: items[i].expr.span, hint: "name one: other = \(name)")
        }
    }
}

extension Column {
    /// The column under a new name; the old name and aliases still find it.
    func named(_ newName: String) -> Column {
        if newName == name { return self }
        return renamed(newName, aliases: name.isEmpty ? aliases : [name] + aliases)
    }
}
