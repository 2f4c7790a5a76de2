import BudgetStore

/// The `findings` table as `FILE:LINE: finding: PROJECT: TEXT [rule]` lines, for `check --quality`.
public struct QualityReport {
    public let lines: [String]
    public let summary: String

    public init(_ store: Store) {
        guard let table = store.table(named: "findings") else {
            lines = []
            summary = "no findings table"
            return
        }
        func text(_ name: String, _ row: Int) -> String {
            guard let column = table.column(named: name) else { return "" }
            switch column.value(at: row) {
            case .null: return ""
            case .string(let s): return s
            case .integer(let i): return String(i)
            default: return ValueText.exact(column.value(at: row), type: column.type) ?? ""
            }
        }
        var lines: [String] = []
        var projects = Set<String>()
        for row in 0..<table.rowCount {
            let position = text("position", row)
            let place = text("source", row) + ":" + (position.isEmpty || !position.contains("!") ? text("line", row) : position)
            lines.append("\(place): finding: \(text("project", row)): \(text("finding", row)) [\(text("rule", row))]")
            projects.insert(text("project_id", row))
        }
        self.lines = lines
        summary = "\(table.rowCount) target-quality finding\(table.rowCount == 1 ? "" : "s") in \(projects.count) project\(projects.count == 1 ? "" : "s") (rules: docs/evaluation.md)"
    }
}
