import BudgetCore
import BudgetStore

extension Executor {
    /// `summarize aggs by keys`: one row per distinct key combination, ordered by the keys.
    ///
    /// Grouping by a list column (regions) counts each row under every element; the result
    /// then carries a note saying how many rows were counted more than once.
    ///
    /// Ctrl-C stops it within 64K rows of any pass; what it made on the way is then freed in the
    /// background (`Leftovers`), so that the prompt does not wait for gigabytes to be unmapped.
    func summarize(_ input: Frame, aggregates: [NamedExpr], by: [NamedExpr], span: SourceSpan) throws -> Frame {
        let leftovers = Leftovers()
        do {
            return try summarize(input, aggregates: aggregates, by: by, span: span, leftovers: leftovers)
        } catch {
            leftovers.releaseInBackground()
            throw error
        }
    }

    private func summarize(_ input: Frame, aggregates: [NamedExpr], by: [NamedExpr], span: SourceSpan, leftovers: Leftovers) throws -> Frame {
        var frame = input
        var keyBinder = binder(frame)
        var keyBounds: [Bound] = []
        for key in by { keyBounds.append(try keyBinder.bind(key.expr)) }
        // A list key is exploded first, with a note about rows counted under several values.
        if let listIndex = keyBounds.firstIndex(where: { $0.type == .list }) {
            guard case .column(let columnIndex, _) = keyBounds[listIndex] else {
                throw QueryError("group by a list column, not a list expression", at: by[listIndex].expr.span)
            }
            frame = leftovers.keep(try explodeColumn(frame, columnIndex: columnIndex, as: frame.columns[columnIndex].name))
            keyBinder = binder(frame)
            keyBounds = []
            for key in by { keyBounds.append(try keyBinder.bind(key.expr)) }
        }
        let keyNames = by.enumerated().map { outputName($1, position: $0) }
        let inputEvaluator = Evaluator(frame: frame)
        var grouping: Grouping?
        var groupKeys: [Column]
        var groupCount: Int
        var summary: (outputs: [Bound], specs: [AggregateSpec])
        var aggregateColumns: [Column]?
        // Plain key columns that share one selection are grouped through it, without gathering.
        let plainKeys = keyBounds.compactMap { bound -> (Column, [Int32]?, Int)? in
            guard case .column(let i, _) = bound else { return nil }
            let raw = frame.raw(i)
            return raw.column.isIntegerOrCodes ? (raw.column, raw.rows, frame.readKey(i)) : nil
        }
        // Keys read through different selections (the two sides of a join) are gathered instead.
        if plainKeys.count == keyBounds.count, Set(plainKeys.map(\.2)).count <= 1 {
            // The output's names and types are known before any row is grouped.
            summary = try bindSummary(aggregates, over: frame, keys: plainKeys.enumerated().map { $1.0.named(keyNames[$0]) })
            let through = plainKeys.first?.1
            if let direct = try DirectAggregation.run(keys: plainKeys.map { ($0.0, $0.1) }, specs: summary.specs, frame: frame) {
                aggregateColumns = leftovers.keep(direct.columns)
                groupCount = direct.groupCount
                groupKeys = direct.keys.enumerated().map { $1.named(keyNames[$0]) }
            } else {
                let built = leftovers.keep(by.isEmpty ? try Grouping.single(rows: frame.rowCount) : try Grouping.build(keys: plainKeys.map(\.0), rows: frame.rowCount, through: through))
                grouping = built
                groupCount = built.count
                let baseRows = try Interrupt.map(built.representatives) { position in through.map { $0[position] } ?? Int32(position) }
                var keys: [Column] = []
                for (i, key) in plainKeys.enumerated() { keys.append(try key.0.gathered(baseRows).named(keyNames[i])) }
                groupKeys = keys
            }
        } else {
            var keyColumns: [Column] = []
            for (i, bound) in keyBounds.enumerated() {
                keyColumns.append(leftovers.keep(try inputEvaluator.materialize(try inputEvaluator.evaluate(bound), type: bound.type ?? .string).named(keyNames[i])))
            }
            let built = leftovers.keep(try Grouping.build(keys: keyColumns, rows: frame.rowCount))
            grouping = built
            groupCount = built.count
            let representatives = try Interrupt.map(built.representatives) { Int32($0) }
            var keys: [Column] = []
            for key in keyColumns { keys.append(try key.gathered(representatives)) }
            groupKeys = keys
            summary = try bindSummary(aggregates, over: frame, keys: groupKeys)
        }

        // Aggregate expressions see the keys by name and aggregates over the input rows.
        let post = Frame(columns: groupKeys, origin: frame.origin, rowCount: groupCount)
        var postEvaluator = Evaluator(frame: post)
        if let aggregateColumns {
            postEvaluator.extras = aggregateColumns.map { .column($0) }
        } else if let grouping {
            for spec in summary.specs {
                if let fused = try Aggregation.sumThroughSelection(spec, frame: frame, grouping: grouping) {
                    postEvaluator.extras.append(.column(leftovers.keep(fused)))
                    continue
                }
                // The argument (a gathered column) lives only while its aggregate is computed.
                var argument = try spec.argument.map { try inputEvaluator.evaluate($0) }
                do {
                    postEvaluator.extras.append(.column(leftovers.keep(try Aggregation.compute(spec, argument: argument, grouping: grouping, evaluator: inputEvaluator))))
                } catch {
                    Interrupt.releaseInBackground(&argument, leaving: nil)
                    throw error
                }
            }
        }
        let outputs = summary.outputs
        var columns = groupKeys
        let names = keyNames + aggregates.enumerated().map { outputName($1, position: $0 + keyNames.count) }
        try checkUnique(names, by + aggregates)
        for (i, bound) in outputs.enumerated() {
            columns.append(try postEvaluator.materialize(try postEvaluator.evaluate(bound), type: bound.type ?? .int).named(names[keyNames.count + i]))
        }
        var out = Frame(columns: columns, origin: frame.origin, rowCount: groupCount)
        out.notes = frame.notes
        guard !by.isEmpty else { return out }
        // Groups come out ordered by their keys.
        var orders: [SortKeyValues] = []
        for key in groupKeys { orders.append(try SortKeyValues(key)) }
        var comparisons = 0
        var permutation: [Int32] = try Interrupt.makeArray(count: groupCount) { order, rows in
            for i in rows { order[i] = Int32(i) }
        }
        try permutation.sort { x, y in
            comparisons &+= 1
            try Interrupt.check(comparison: comparisons)
            let a = Int(x), b = Int(y)
            for order in orders {
                if order.less(a, b) { return true }
                if order.less(b, a) { return false }
            }
            return a < b
        }
        return try out.selecting(permutation)
    }

    /// Binds `summarize`'s aggregate expressions: each sees the keys (`keys`: their names, types
    /// and aliases) and aggregates over `frame`'s rows. Returns the expressions and the aggregates
    /// they use (`.extra(i)` is the i-th).
    private func bindSummary(_ aggregates: [NamedExpr], over frame: Frame, keys: [Column]) throws -> (outputs: [Bound], specs: [AggregateSpec]) {
        let keySchema = Schema(Frame(columns: keys, origin: frame.origin, rowCount: 0))
        var aggregateBinder = Binder(schema: keySchema, aggregateInput: Schema(frame), context: context)
        aggregateBinder.aggregateRefusal = "summarize computes aggregates of the rows; this one cannot be used here"
        var outputs: [Bound] = []
        for item in aggregates {
            guard item.expr.mentionsAggregate else {
                throw QueryError("summarize needs an aggregate here, such as sum(budget) or count()", at: item.expr.span,
                                 hint: "to group by it, put it after `by`")
            }
            let bound = try aggregateBinder.bind(item.expr)
            if !containsAggregate(bound) {
                throw QueryError("summarize needs an aggregate here, such as sum(budget) or count()", at: item.expr.span,
                                 hint: "to group by it, put it after `by`")
            }
            outputs.append(bound)
        }
        if let running = aggregateBinder.aggregates.first(where: { $0.function == .runningSum }) {
            throw QueryError("running_sum belongs in derive, after sort", at: running.span)
        }
        return (outputs, aggregateBinder.aggregates)
    }

    func containsAggregate(_ bound: Bound) -> Bool {
        switch bound {
        case .extra: return true
        case .column, .constant: return false
        case .compare(_, let l, let r), .arithmetic(_, let l, let r, _), .logic(_, let l, let r), .textMatch(_, let l, let r), .listHas(let l, let r):
            return containsAggregate(l) || containsAggregate(r)
        case .not(let x), .negate(let x, _), .inSet(let x, _, _): return containsAggregate(x)
        case .call(_, let args, _): return args.contains(where: containsAggregate)
        }
    }
}
