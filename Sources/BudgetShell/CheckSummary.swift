import BudgetDocuments

/// The summary lines `check` prints.
public struct CheckSummary {
    public let text: String

    public init(_ loaded: LoadedDocuments) {
        let files = loaded.files
        let synthetic = files.filter { $0.origin == .synthetic }.count
        let tables = files.reduce(0) { $0 + $1.tables }
        let skipped = files.reduce(0) { $0 + $1.tablesSkipped }
        var perYear: [Int: Int] = [:]
        for p in loaded.projects { perYear[p.year, default: 0] += 1 }
        let years = perYear.keys.sorted().map { "\($0): \(perYear[$0] ?? 0)" }.joined(separator: ", ")
        let indicators = loaded.projects.reduce(0) { $0 + $1.indicators.count }
        let placeholders = loaded.projects.reduce(0) { $0 + $1.coverage.filter { $0.indicatorCount == 0 }.count }
        var regionCounts: [String: Int] = [:]
        for p in loaded.projects { for r in p.regions { regionCounts[r, default: 0] += 1 } }
        let regions = loaded.gazetteer.entries.map { "\($0.region) \(regionCounts[$0.region] ?? 0)" }.joined(separator: ", ")
        text = """
        files: \(files.count) (\(files.count - synthetic) published, \(synthetic) synthetic)
        tables: \(tables) (\(tables - skipped) loaded, \(skipped) skipped)
        projects: \(loaded.projects.count)\(years.isEmpty ? "" : " (\(years))")
        indicators: \(indicators) filled, \(placeholders) blank placeholder categories
        regions: \(regions)
        errors: \(loaded.errorCount), warnings: \(loaded.warningCount)
        """
    }
}
