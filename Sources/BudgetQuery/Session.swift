import BudgetCore
import BudgetStore

/// A parsed statement, ready to run, with where it starts in the text.
public struct ParsedStatement: Sendable {
    let statement: Statement
    /// 1-based line of the statement's first token.
    public var line: Int { statement.span.line }
    /// The first token's span.
    public var span: SourceSpan { statement.span }
    /// The `$parameters` the statement reads.
    public var parameterNames: Set<String> { statement.parameters }
    /// The parameter a `set NAME = …` statement gives a value, else nil.
    public var setsParameter: String? {
        if case .set(let name, _, _) = statement { return name }
        return nil
    }
    /// True for `let` and `set`, which produce no table.
    public var isDefinition: Bool {
        if case .query = statement { return false }
        return true
    }
}

/// What running a statement produced.
public enum QueryOutcome: Sendable {
    /// A result table and the notes that must travel with it.
    case result(QueryResult)
    /// A one-line acknowledgement (`let`, `set`).
    case message(String)
}

/// A query's result: a table and notes such as "2 projects appear under several regions".
public struct QueryResult: Sendable {
    public var table: Table
    public var notes: [String]
    /// False when the query names no columns (a bare table, perhaps filtered, sorted or cut):
    /// only then may a narrow terminal leave bookkeeping columns out.
    public var selectsColumns: Bool
    /// The row that is a 合计 total (`| total`, `summarize … with total`), if any.
    public var totalRow: Int?

    public init(table: Table, notes: [String] = [], selectsColumns: Bool = true, totalRow: Int? = nil) {
        self.table = table
        self.notes = notes
        self.selectsColumns = selectsColumns
        self.totalRow = totalRow
    }
}

/// Runs statements against a store, remembering `let` results and parameters between them.
public final class QuerySession: @unchecked Sendable {
    public private(set) var store: Store
    private var parameters: [String: Scalar] = [:]
    private var lets: [String: Frame] = [:]

    public init(store: Store) { self.store = store }

    /// Replaces the data (after `.load` or `.open`); lets and parameters stay.
    public func replaceStore(_ store: Store) {
        self.store = store
        cachedRegionAliases = nil
    }

    private var cachedRegionAliases: [String: String]?
    /// The gazetteer's aliases (the `regions` table's `aliases` column) to their region.
    var regionAliases: [String: String] {
        if let cachedRegionAliases { return cachedRegionAliases }
        var map: [String: String] = [:]
        if let table = store.table(named: "regions"), let region = table.column(named: "region"), let aliases = table.column(named: "aliases") {
            for row in 0..<table.rowCount {
                guard case .string(let name) = region.value(at: row), case .list(let items) = aliases.value(at: row) else { continue }
                for alias in items where alias != name { map[alias] = name }
            }
        }
        cachedRegionAliases = map
        return map
    }

    /// Splits text into statements; a syntax error names its line and column.
    public static func parse(_ text: String) throws(QueryError) -> [ParsedStatement] {
        try Parser.parse(normalizedLineEnds(text)).map { ParsedStatement(statement: $0) }
    }

    /// CRLF and lone CR become LF: Swift counts "\r\n" as one character, which no "\n" test matches.
    public static func normalizedLineEnds(_ text: String) -> String {
        guard text.utf8.contains(0x0D) else { return text }
        return String(decoding: text.utf8.split(separator: 0x0D, omittingEmptySubsequences: false).enumerated().flatMap { index, piece -> [UInt8] in
            index == 0 || piece.first == 0x0A ? Array(piece) : [0x0A] + Array(piece)
        }, as: UTF8.self)
    }

    /// Every statement of `text` or its syntax error, resuming after each error at the next statement.
    public static func parseRecovering(_ text: String) -> [Result<ParsedStatement, QueryError>] {
        Parser.parseRecovering(normalizedLineEnds(text)).map { $0.map { ParsedStatement(statement: $0) } }
    }

    /// Distinct values of a string or list column, sorted (for completion); empty for other types.
    public func distinctValues(of column: String, in table: String, limit: Int = 500) -> [String] {
        let found: Column?
        if let frame = lets[table], let i = frame.index(of: column) { found = frame.columns[i] } else { found = store.table(named: table)?.column(named: column) }
        switch found?.data {
        case .strings(_, let dictionary)?, .lists(_, _, let dictionary)?: return Array(dictionary.prefix(limit))
        default: return []
        }
    }

    /// Sets `$name` from text: `2024-06` is a month, `2024` a number, anything else a string.
    public func setParameter(_ name: String, text: String) {
        parameters[name] = Literals.parameter(text)
    }

    /// Removes `$name`; false when it was not set.
    @discardableResult
    public func unsetParameter(_ name: String) -> Bool { parameters.removeValue(forKey: name) != nil }

    /// Each parameter and its value as text (`.param list`, `.show`), by name.
    public var parameterTexts: [(name: String, text: String)] {
        parameters.keys.sorted().map { name in
            let s = parameters[name]!
            let text = ValueText.exact(s.value, type: s.type ?? .string) ?? "null"
            return (name, s.type == .string ? "\"\(text)\"" : text)
        }
    }

    /// The columns (names and aliases) a pipeline's result has, such as `projects | select name,
    /// budget` → name, budget: what Tab offers after its next `|`. Runs over at most 2,000 rows
    /// (a pivot's columns then come from those rows); nil when the text is not a pipeline that runs.
    public func resultColumns(of pipelineText: String) -> (names: [String], aliases: [String])? {
        guard let statements = try? Parser.parse(Self.normalizedLineEnds(pipelineText)), let last = statements.last else { return nil }
        let pipeline: Pipeline
        switch last {
        case .query(let p), .assign(_, let p, _): pipeline = p
        case .set: return nil
        }
        var executor = Executor(store: store, context: BindingContext(parameters: parameters, lets: lets, regionAliases: regionAliases))
        executor.sampleRows = 2_000
        guard let frame = try? executor.run(pipeline) else { return nil }
        return (frame.columns.map(\.name), frame.columns.flatMap(\.aliases))
    }

    /// Parameter names and `let` names, for completion.
    public var parameterNames: [String] { parameters.keys.sorted() }
    public var letNames: [String] { lets.keys.sorted() }

    /// The columns (name, aliases, type) of a table or let, for `.schema` and completion.
    public func columns(of name: String) -> [(name: String, aliases: [String], type: ColumnType)]? {
        if let frame = lets[name] { return frame.columns.map { ($0.name, $0.aliases, $0.type) } }
        return store.table(named: name)?.columns.map { ($0.name, $0.aliases, $0.type) }
    }

    public func execute(_ parsed: ParsedStatement) throws(QueryError) -> QueryOutcome {
        // Ctrl-C stops a statement through `Interrupt` (the REPL and scripts install its handler).
        let executor = Executor(store: store, context: BindingContext(parameters: parameters, lets: lets, regionAliases: regionAliases))
        switch parsed.statement {
        case .query(let pipeline):
            var frame = try executor.run(pipeline)
            try MemoryBudget.checkMaterializing(frame, at: parsed.span)
            let keepsColumns = pipeline.operators.allSatisfy { op, _ in
                switch op {
                case .filter, .sort, .take, .top: return true
                default: return false
                }
            }
            // Gathering the result's columns looks at Ctrl-C every 64K rows.
            guard let table = try? frame.table(), !Interrupt.isRequested else {
                Interrupt.releaseInBackground(&frame, leaving: Frame(columns: [], origin: frame.origin))
                throw .interrupted(at: parsed.span)
            }
            // A snapshot's columns are decoded as they are read: read the result's now, and fail
            // rather than answer if any column read was damaged.
            for column in table.columns { _ = column.data }
            if let problem = store.decodeProblem { throw QueryError(problem, at: parsed.span) }
            return .result(QueryResult(table: table, notes: frame.notes, selectsColumns: !keepsColumns, totalRow: frame.totalRow))
        case .assign(let name, let pipeline, _):
            var result = try executor.run(pipeline)
            try MemoryBudget.checkMaterializing(result, at: parsed.span)
            guard var frame = try? result.materialized(), !Interrupt.isRequested else {
                Interrupt.releaseInBackground(&result, leaving: Frame(columns: [], origin: result.origin))
                throw .interrupted(at: parsed.span)
            }
            if let problem = store.decodeProblem { throw QueryError(problem, at: parsed.span) }
            frame.origin = name
            lets[name] = frame
            let scalar = frame.rowCount == 1 && frame.columns.count == 1 ? " (usable as a value)" : ""
            return .message("let \(name): \(frame.rowCount) row\(frame.rowCount == 1 ? "" : "s"), \(frame.columns.count) column\(frame.columns.count == 1 ? "" : "s")\(scalar)")
        case .set(let name, let expr, _):
            if case .name(let word, let span) = expr {
                throw QueryError("set takes a value, not the name `\(word)`", at: span, hint: "set month = 2024-06; to name a query's result, use let")
            }
            var binder = Binder(schema: Schema(names: [], types: [], origin: "set"), context: BindingContext(parameters: parameters, lets: lets, regionAliases: regionAliases))
            guard case .constant(let value) = try binder.bind(expr) else {
                throw QueryError("set needs a value, such as 2024-06, -5 or \"铜仁\"", at: expr.span)
            }
            parameters[name] = value
            return .message("$\(name) set")
        }
    }

    /// Parses and runs every statement of `text`, returning each outcome; stops at the first error.
    public func run(_ text: String) throws(QueryError) -> [QueryOutcome] {
        var outcomes: [QueryOutcome] = []
        for statement in try Self.parse(text) { outcomes.append(try execute(statement)) }
        return outcomes
    }
}
