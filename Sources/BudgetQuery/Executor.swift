import BudgetCore
import BudgetStore

/// Runs one pipeline: each operator is planned (bound) against the rows it receives, then executed.
///
/// Planning per operator rather than for the whole pipeline up front lets `pivot` produce
/// columns that only the data names; every name is still resolved before any row is touched
/// by the operator that uses it.
struct Executor {
    let store: Store
    let context: BindingContext
    /// Run over the first N rows only (completion asks what columns a pipeline makes, not its answer).
    var sampleRows: Int?

    func run(_ pipeline: Pipeline) throws(QueryError) -> Frame {
        var frame = try source(pipeline.source, span: pipeline.sourceSpan)
        if let sampleRows {
            do { frame = try frame.prefix(sampleRows) } catch { throw .interrupted(at: pipeline.sourceSpan) }
        }
        for (op, span) in pipeline.operators {
            // Ctrl-C (`Interrupt`) is looked at between operators and inside their long loops.
            if Interrupt.isRequested { throw .interrupted(at: span) }
            do {
                let totalRow = frame.totalRow
                frame = try apply(op, to: frame, span: span)
                // select and derive keep the rows in place, so the 合计 row stays marked.
                switch op {
                case .select, .derive: frame.totalRow = frame.totalRow ?? totalRow
                case .total, .summarize: break
                default: frame.totalRow = nil
                }
            } catch _ where Interrupt.isRequested {
                // The rows so far (a join's row numbers: a GB or more at 80M rows) are freed in
                // the background, not while the prompt waits.
                Interrupt.releaseInBackground(&frame, leaving: Frame(columns: [], origin: frame.origin))
                throw .interrupted(at: span)
            } catch let failure as EvaluationFailure {
                throw QueryError(failure.message, at: span)
            } catch let error as QueryError {
                throw error
            } catch {
                throw QueryError("\(error)", at: span)
            }
        }
        return frame
    }

    func source(_ name: String, span: SourceSpan) throws(QueryError) -> Frame {
        if let frame = context.lets[name] { return frame }
        let found: Table?
        do {
            found = try store.loadTable(named: name)
        } catch {
            throw QueryError("\(error)", at: span)
        }
        if let table = found {
            return Frame(columns: table.columns, origin: table.name, rowCount: table.rowCount)
        }
        let known = store.tableNames + store.tableAliases + context.lets.keys.sorted()
        throw QueryError("no table `\(name)`", at: span,
                         hint: didYouMean(name, among: known) ?? "tables: \(store.tableNames.joined(separator: ", "))")
    }

    private func apply(_ op: PipeOperator, to frame: Frame, span: SourceSpan) throws -> Frame {
        switch op {
        case .filter(let predicate): return try filter(frame, predicate)
        case .select(let items): return try select(frame, items)
        case .derive(let items): return try derive(frame, items)
        case .summarize(let aggregates, let by, let withTotal):
            if withTotal { return try summarizeWithTotal(frame, aggregates: aggregates, by: by, span: span) }
            return try summarize(frame, aggregates: aggregates, by: by, span: span)
        case .total: return try total(frame)
        case .sort(let keys): return try sort(frame, keys, defaultDescending: false)
        case .take(let n): return try take(frame, n)
        case .top(let n, let keys, let per):
            if per.isEmpty { return try take(try sort(frame, keys, defaultDescending: true, limit: n), n) }
            return try topPerGroup(frame, n, keys, per: per)
        case .distinct(let items): return try distinct(frame, items)
        case .count:
            var counted = Frame(columns: [Column(name: "count", type: .int, data: .integers([Int64(frame.rowCount)]))], origin: frame.origin)
            counted.notes = frame.notes
            return counted
        case .explode(let column, let alias): return try explode(frame, column, as: alias)
        case .join(let table, let tableSpan, let left, let right, let keySpan):
            return try join(frame, table: table, tableSpan: tableSpan, left: left, right: right, keySpan: keySpan)
        case .compare(let column, let a, let b, let aggregate, let by):
            return try compare(frame, column: column, a: a, b: b, aggregate: aggregate, by: by, span: span)
        case .pivot(let column, let aggregate, let by):
            return try pivot(frame, column: column, aggregate: aggregate, by: by, span: span)
        }
    }

    func binder(_ frame: Frame, aggregates: Bool = false) -> Binder {
        let schema = Schema(frame)
        return Binder(schema: schema, aggregateInput: aggregates ? schema : nil, context: context)
    }

    /// The result column name for `name = expr`, a bare column, or an expression (`column1`…).
    func outputName(_ item: NamedExpr, position: Int, frame: Frame? = nil) -> String {
        if let name = item.name { return name }
        if let implied = item.expr.impliedName { return implied }
        if case .call(let f, let args, _) = item.expr {
            if let arg = args.first?.impliedName { return "\(f)_\(arg)" }
            return f
        }
        return "column\(position + 1)"
    }
}
