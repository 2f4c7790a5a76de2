import BudgetCore
import BudgetQuery
import BudgetStore

/// One result of a script, with the title a report gives it (the comment line above it).
public struct TitledResult: Sendable {
    public var title: String
    public var result: QueryResult

    public init(title: String, result: QueryResult) {
        self.title = title
        self.result = result
    }
}

/// What a whole-run document (JSON, xlsx, HTML) says around its results: what it is, over which
/// data, and which of that data is real.
public struct ReportContext: Sendable {
    public var title: String
    public var parameters: [(String, String)]
    /// "N published file(s) (real) and M synthetic (generated) file(s) in …".
    public var dataSummary: String
    /// Load problems the reader must see in the document itself.
    public var warnings: [String]
    public var sources: [Store.Source]

    public init(title: String, parameters: [(String, String)] = [], dataSummary: String = "", warnings: [String] = [], sources: [Store.Source] = []) {
        self.title = title
        self.parameters = parameters
        self.dataSummary = dataSummary
        self.warnings = warnings
        self.sources = sources
    }

    /// True when any source is generated: the document must say so.
    public var hasSynthetic: Bool { sources.contains { $0.origin == .synthetic } }
}

extension DelimitedWriter {
    /// One JSON document for a run: an array of `{"title", "columns", "rows"}` objects, rows as
    /// arrays of exact values (money and ratios as JSON numbers, lists as arrays, null as null),
    /// `"notes"` when a result has any.
    public static func jsonDocument(_ results: [TitledResult]) -> String {
        var parts: [String] = []
        for item in results {
            let table = item.result.table
            var out = "  {\"title\": \(jsonString(item.title)),\n   \"columns\": ["
            out += table.columns.map { jsonString($0.name) }.joined(separator: ", ") + "],\n   \"rows\": ["
            let formatter = CellFormatter(forPeople: false)
            let rows = (0..<table.rowCount).map { row in
                "\n    [" + table.columns.map { jsonValue($0, row, formatter) }.joined(separator: ", ") + "]"
            }
            out += rows.joined(separator: ",") + (rows.isEmpty ? "]" : "\n   ]")
            if !item.result.notes.isEmpty {
                out += ",\n   \"notes\": [" + item.result.notes.map(jsonString).joined(separator: ", ") + "]"
            }
            parts.append(out + "}")
        }
        return "[\n" + parts.joined(separator: ",\n") + (parts.isEmpty ? "]\n" : "\n]\n")
    }
}
