/// Expressions as written, with their positions.
indirect enum Expr: Sendable {
    case name(String, SourceSpan)
    case number(text: String, multiplier: Int64, SourceSpan)
    case string(String, SourceSpan)
    case date(String, SourceSpan)
    case month(String, SourceSpan)
    case boolean(Bool, SourceSpan)
    case null(SourceSpan)
    case parameter(String, SourceSpan)
    case unary(UnaryOperator, Expr, SourceSpan)
    case binary(BinaryOperator, Expr, Expr, SourceSpan)
    case call(String, [Expr], SourceSpan)
    case inList(Expr, [Expr], negated: Bool, SourceSpan)

    var span: SourceSpan {
        switch self {
        case .name(_, let s), .number(_, _, let s), .string(_, let s), .date(_, let s), .month(_, let s),
             .boolean(_, let s), .null(let s), .parameter(_, let s), .unary(_, _, let s), .binary(_, _, _, let s),
             .call(_, _, let s), .inList(_, _, _, let s):
            return s
        }
    }

    /// True when an aggregate function (or an unknown one, left for the binder to report) is called inside.
    var mentionsAggregate: Bool {
        switch self {
        case .call(let name, let args, _):
            return AggregateFunction(rawValue: name) != nil || ScalarFunction(rawValue: name) == nil || args.contains { $0.mentionsAggregate }
        case .unary(_, let e, _): return e.mentionsAggregate
        case .binary(_, let l, let r, _): return l.mentionsAggregate || r.mentionsAggregate
        case .inList(let e, let items, _, _): return e.mentionsAggregate || items.contains { $0.mentionsAggregate }
        default: return false
        }
    }

    /// The name a bare column reference gives its result column.
    var impliedName: String? {
        if case .name(let n, _) = self { return n }
        return nil
    }
}

/// `name = expr` or a bare `expr`.
struct NamedExpr: Sendable {
    var name: String?
    var expr: Expr
}

/// One `by` key of a sort.
struct SortKey: Sendable {
    var expr: Expr
    var descending: Bool?
}

/// One pipeline operator.
enum PipeOperator: Sendable {
    case filter(Expr)
    case select([NamedExpr])
    case derive([NamedExpr])
    /// `summarize … [by …] [with total]`.
    case summarize(aggregates: [NamedExpr], by: [NamedExpr], withTotal: Bool)
    /// `total`: a 合计 row of the numeric columns' sums.
    case total
    case sort([SortKey])
    case take(Int)
    /// `top N by … [per KEY, …]`: the N first of each group when `per` is given.
    case top(Int, [SortKey], per: [NamedExpr])
    case distinct([NamedExpr])
    case count
    case explode(Expr, as: String?)
    case join(table: String, tableSpan: SourceSpan, left: String, right: String, keySpan: SourceSpan)
    case compare(column: Expr, a: Expr, b: Expr, aggregate: NamedExpr, by: [NamedExpr])
    case pivot(column: Expr, aggregate: NamedExpr, by: [NamedExpr])
}

/// `table | op | op …`
struct Pipeline: Sendable {
    var source: String
    var sourceSpan: SourceSpan
    var operators: [(PipeOperator, SourceSpan)]
}

/// One statement of a script.
enum Statement: Sendable {
    case query(Pipeline)
    case assign(name: String, Pipeline, SourceSpan)
    case set(name: String, Expr, SourceSpan)

    var span: SourceSpan {
        switch self {
        case .query(let p): return p.sourceSpan
        case .assign(_, _, let s), .set(_, _, let s): return s
        }
    }
}

// MARK: parameters a statement uses

extension Expr {
    /// The `$names` this expression reads.
    func collectParameters(into names: inout Set<String>) {
        switch self {
        case .parameter(let name, _): names.insert(name)
        case .unary(_, let e, _): e.collectParameters(into: &names)
        case .binary(_, let l, let r, _):
            l.collectParameters(into: &names)
            r.collectParameters(into: &names)
        case .call(_, let args, _): for a in args { a.collectParameters(into: &names) }
        case .inList(let e, let items, _, _):
            e.collectParameters(into: &names)
            for i in items { i.collectParameters(into: &names) }
        default: break
        }
    }
}

extension Pipeline {
    /// The `$names` the operators read.
    var parameters: Set<String> {
        var names = Set<String>()
        func add(_ e: Expr) { e.collectParameters(into: &names) }
        func add(_ list: [NamedExpr]) { for item in list { add(item.expr) } }
        for (op, _) in operators {
            switch op {
            case .filter(let e): add(e)
            case .select(let l), .derive(let l), .distinct(let l): add(l)
            case .summarize(let a, let by, _): add(a); add(by)
            case .sort(let keys): for k in keys { add(k.expr) }
            case .top(_, let keys, let per): for k in keys { add(k.expr) }; add(per)
            case .explode(let e, _): add(e)
            case .compare(let c, let a, let b, let agg, let by): add(c); add(a); add(b); add([agg]); add(by)
            case .pivot(let c, let agg, let by): add(c); add([agg]); add(by)
            case .take, .count, .join, .total: break
            }
        }
        return names
    }
}

extension Statement {
    /// The `$names` the statement reads.
    var parameters: Set<String> {
        switch self {
        case .query(let p), .assign(_, let p, _): return p.parameters
        case .set(_, let e, _):
            var names = Set<String>()
            e.collectParameters(into: &names)
            return names
        }
    }
}
