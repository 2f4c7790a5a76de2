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

    public private(set) var tables: [Table]
    public var sources: [Source]

    public init(tables: [Table], sources: [Source] = []) {
        self.tables = tables
        self.sources = sources
    }

    /// The table called `name` (English name or Chinese alias).
    public func table(named name: String) -> Table? {
        tables.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// Adds or replaces a table.
    public mutating func put(_ table: Table) {
        tables.removeAll { $0.name == table.name }
        tables.append(table)
    }
}
