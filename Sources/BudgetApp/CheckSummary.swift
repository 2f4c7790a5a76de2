import BudgetCore
import BudgetDocuments

/// The summary lines `check` prints: files, tables, projects per year, indicators, regions,
/// payments, errors — and the same split into published (real) and synthetic (generated) data.
public struct CheckSummary {
    public let text: String

    public init(_ loaded: LoadedDocuments) {
        let files = loaded.files
        let synthetic = files.filter { $0.origin == .synthetic }.count
        let tables = files.reduce(0) { $0 + $1.tables }
        let skipped = files.reduce(0) { $0 + $1.tablesSkipped }
        let indicators = loaded.projects.reduce(0) { $0 + $1.indicators.count }
        let placeholders = loaded.projects.reduce(0) { $0 + $1.coverage.filter { $0.indicatorCount == 0 }.count }
        var regionCounts: [String: Int] = [:]
        for p in loaded.projects { for r in p.regions { regionCounts[r, default: 0] += 1 } }
        let regions = loaded.gazetteer.entries.map { "\($0.region) \(regionCounts[$0.region] ?? 0)" }.joined(separator: ", ")
        var lines = [
            "files: \(files.count) (\(files.count - synthetic) published, \(synthetic) synthetic)",
            "tables: \(tables) (\(tables - skipped) loaded, \(skipped) skipped)",
            "projects: \(loaded.projects.count)\(Self.perYear(loaded.projects))",
            "indicators: \(indicators) filled, \(placeholders) blank placeholder categories",
            "regions: \(regions)",
        ]
        if !loaded.ledgerFiles.isEmpty {
            lines.append("payments: \(loaded.payments.count) from \(loaded.ledgerFiles.count) ledger\(loaded.ledgerFiles.count == 1 ? "" : "s")")
        }
        if synthetic > 0 {
            for origin in [Origin.published, .synthetic] {
                let part = loaded.projects.filter { $0.origin == origin }
                let fen = part.reduce(Int64(0)) { $0 + ($1.budgetFen ?? 0) }
                lines.append("\(origin == .published ? "published (real)" : "synthetic (generated)"): "
                             + "\(Self.plural(files.filter { $0.origin == origin }.count, "file")), \(part.count) projects\(Self.perYear(part)), "
                             + "\(part.reduce(0) { $0 + $1.indicators.count }) filled indicators, budget \(Money.yuanText(fen: fen, groupThousands: true)) yuan")
            }
        }
        lines.append("errors: \(loaded.errorCount), warnings: \(loaded.warningCount)")
        text = lines.joined(separator: "\n")
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    static func perYear(_ projects: [ProjectRecord]) -> String {
        var counts: [Int: Int] = [:]
        for p in projects { counts[p.year, default: 0] += 1 }
        guard !counts.isEmpty else { return "" }
        return " (" + counts.keys.sorted().map { "\($0): \(counts[$0] ?? 0)" }.joined(separator: ", ") + ")"
    }
}
