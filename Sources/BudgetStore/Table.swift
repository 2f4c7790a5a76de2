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

    /// The boxed values of one row, in column order.
    public func row(_ index: Int) -> [Value] { columns.map { $0.value(at: index) } }
}

/// All tables loaded in a session, plus what they were loaded from.
public struct Store: Sendable {
    /// One loaded source file.
    public struct Source: Sendable {
        public var path: String
        public var kind: String
        public var origin: String
        public var encoding: String
        public var rows: Int
        public var years: [Int]
    }

    private var eagerTables: [Table]
    private let lazy: [String: LazyTable]
    public var sources: [Source]

    /// A derived table: its names, and how to build it on first use.
    public struct Derived: Sendable {
        public var name: String
        public var aliases: [String]
        /// Builds the table from the store's other (stored) tables.
        public var build: @Sendable ([Table]) -> Table

        public init(name: String, aliases: [String], build: @escaping @Sendable ([Table]) -> Table) {
            self.name = name
            self.aliases = aliases
            self.build = build
        }
    }

    /// `derived` tables are built on first use (execution is project × month: large and not always needed).
    public init(tables: [Table], derived: [Derived] = [], sources: [Source] = []) {
        self.eagerTables = tables
        self.lazy = Dictionary(derived.map { ($0.name, LazyTable($0, from: tables)) }, uniquingKeysWith: { a, _ in a })
        self.sources = sources
    }

    /// Every table, derived ones built now if they were not yet.
    public var tables: [Table] { eagerTables + lazy.keys.sorted().compactMap { lazy[$0]?.table } }

    /// Table names (and aliases), without building derived tables.
    public var tableNames: [String] { eagerTables.map(\.name) + lazy.keys.sorted() }
    public var tableAliases: [String] { eagerTables.flatMap(\.aliases) + lazy.values.flatMap(\.definition.aliases) }

    /// The table called `name` (English name or Chinese alias).
    public func table(named name: String) -> Table? {
        if let table = eagerTables.first(where: { $0.name == name || $0.aliases.contains(name) }) { return table }
        if let derived = lazy[name] { return derived.table }
        return lazy.values.first { $0.definition.aliases.contains(name) }?.table
    }

    /// The stored tables (derived ones excluded): what a snapshot holds.
    public var storedTables: [Table] { eagerTables }
}

/// A derived table computed once, on first use, from any thread.
final class LazyTable: @unchecked Sendable {
    let definition: Store.Derived
    private let inputs: [Table]
    private var cached: Table?
    private let lock = NSLock()

    init(_ definition: Store.Derived, from inputs: [Table]) {
        self.definition = definition
        self.inputs = inputs
    }

    var table: Table {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let table = definition.build(inputs)
        cached = table
        return table
    }
}
