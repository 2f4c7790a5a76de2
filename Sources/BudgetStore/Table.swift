import BudgetCore
import Foundation

/// A named set of equally long columns.
public struct Table: Sendable {
    public let name: String
    public let aliases: [String]
    public let columns: [Column]
    public let rowCount: Int

    public init(name: String, aliases: [String] = [], columns: [Column]) {
        self.name = name
        self.aliases = aliases
        self.columns = columns
        self.rowCount = columns.first?.count ?? 0
    }

    /// The column called `name` (English name or Chinese alias).
    public func column(named name: String) -> Column? {
        columns.first { $0.answers(to: name) }
    }
}

/// All tables loaded in a session, plus what they were loaded from.
public struct Store: Sendable {
    /// One loaded source file.
    public struct Source: Sendable {
        /// What a source file holds. The raw values are what `.sources` shows and what a snapshot
        /// stores (format 2 wrote the same strings).
        public enum Kind: String, Sendable, Codable, CaseIterable {
            /// 项目绩效目标表 tables: rows of `projects`, `indicators` and `coverage`.
            case documents
            /// A payment ledger: rows of `payments`.
            case payments
            /// An actuals ledger: rows of `actuals`.
            case actuals
        }

        public var path: String
        public var kind: Kind
        public var origin: Origin
        public var encoding: String
        public var rows: Int
        public var years: [Int]

        public init(path: String, kind: Kind, origin: Origin, encoding: String, rows: Int, years: [Int]) {
            self.path = path
            self.kind = kind
            self.origin = origin
            self.encoding = encoding
            self.rows = rows
            self.years = years
        }
    }

    private let eagerTables: [Table]
    private let deferred: [String: LazyTable]
    private let deferredOrder: [String]
    public var sources: [Source]
    /// The scoring settings `evaluation` and its neighbours use (a data folder's `scoring.tsv`, or the standard).
    public var scoring = ScoringSettings.standard

    /// A table built on first use: derived tables (execution, from the others) and the tables of
    /// an opened snapshot (decoded when a query first needs them).
    public struct Deferred: Sendable {
        public var name: String
        public var aliases: [String]
        /// True for tables a snapshot holds; false for tables derived from the others.
        public var stored: Bool
        public var build: @Sendable (Store) throws -> Table

        public init(name: String, aliases: [String], stored: Bool, build: @escaping @Sendable (Store) throws -> Table) {
            self.name = name
            self.aliases = aliases
            self.stored = stored
            self.build = build
        }
    }

    /// Shared by the columns of an opened snapshot: why any could not be decoded.
    private let decodeProblems: DecodeProblems?

    public init(tables: [Table], deferred: [Deferred] = [], sources: [Source] = [], decodeProblems: DecodeProblems? = nil) {
        self.decodeProblems = decodeProblems
        self.eagerTables = tables
        self.deferred = Dictionary(deferred.map { ($0.name, LazyTable($0)) }, uniquingKeysWith: { a, _ in a })
        self.deferredOrder = deferred.map(\.name)
        self.sources = sources
    }

    /// Every table that can be built (a table that fails to build is left out; see `loadTable`).
    public var tables: [Table] { tableNames.compactMap { table(named: $0) } }

    /// Table names and aliases, without building anything.
    public var tableNames: [String] { eagerTables.map(\.name) + deferredOrder }
    public var tableAliases: [String] { eagerTables.flatMap(\.aliases) + deferredOrder.flatMap { deferred[$0]?.definition.aliases ?? [] } }

    /// The table called `name` (English name or Chinese alias), building it if needed; nil if
    /// there is none or it cannot be built.
    public func table(named name: String) -> Table? { try? loadTable(named: name) }

    /// Like `table(named:)`, but a table that cannot be built (a damaged snapshot) is an error.
    public func loadTable(named name: String) throws -> Table? {
        if let table = eagerTables.first(where: { $0.name == name || $0.aliases.contains(name) }) { return table }
        if let lazy = deferred[name] ?? deferred.values.first(where: { $0.definition.aliases.contains(name) }) {
            return try lazy.table(in: self)
        }
        return nil
    }

    /// Why a column of this store's snapshot could not be decoded (its values then read as
    /// nulls): a statement that read one must fail with this instead of answering.
    public var decodeProblem: String? { decodeProblems?.first }

    /// The tables a snapshot holds (derived ones excluded), all built.
    public func storedTables() throws -> [Table] {
        try eagerTables + deferredOrder.compactMap { name in
            guard let lazy = deferred[name], lazy.definition.stored else { return nil }
            return try lazy.table(in: self)
        }
    }
}

/// A table built once, on first use, from any thread; a failure is kept and reported each time.
final class LazyTable: @unchecked Sendable {
    let definition: Store.Deferred
    private var cached: Result<Table, Error>?
    private let lock = NSLock()

    init(_ definition: Store.Deferred) { self.definition = definition }

    func table(in store: Store) throws -> Table {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return try cached.get() }
        let result = Result { try definition.build(store) }
        // Ctrl-C while building is no property of the table: the next query builds it again.
        if case .failure(let error) = result, error is Interrupted { return try result.get() }
        cached = result
        return try result.get()
    }
}
