/// One region of the gazetteer: the names that tag a project with it.
public struct RegionEntry: Sendable, Equatable {
    public var region: String
    public var aliases: [String]
    public var parent: String
    public var province: String
    public var kind: String

    public init(region: String, aliases: [String], parent: String, province: String, kind: String) {
        self.region = region
        self.aliases = aliases
        self.parent = parent
        self.province = province
        self.kind = kind
    }
}

/// The region gazetteer (`datasets/regions.tsv`): tags projects with the regions their texts mention.
public struct Gazetteer: Sendable {
    public private(set) var entries: [RegionEntry]

    public init(entries: [RegionEntry]) { self.entries = entries }

    /// The columns `regions.tsv` must have, in order.
    public static let header = ["region", "aliases", "parent", "province", "kind"]

    /// Reads the tab-separated gazetteer; aliases are `;`-separated. Problems go to `diagnostics`.
    public static func parse(_ text: String, file: String, diagnostics: inout [Diagnostic]) -> Gazetteer {
        var entries: [RegionEntry] = []
        var sawHeader = false
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters() }
            if !sawHeader {
                sawHeader = true
                if cells.prefix(5).map({ $0 }) == header { continue }
                diagnostics.append(.error(file, lineNumber, "expected the header `\(header.joined(separator: "\\t"))`"))
                continue
            }
            guard cells.count >= 2, !cells[0].isEmpty else {
                diagnostics.append(.error(file, lineNumber, "expected at least a region and its aliases separated by a tab"))
                continue
            }
            func cell(_ i: Int) -> String { i < cells.count ? cells[i] : "" }
            let aliases = cell(1).split(separator: ";").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
            entries.append(RegionEntry(region: cells[0], aliases: aliases, parent: cell(2), province: cell(3), kind: cell(4)))
        }
        return Gazetteer(entries: entries)
    }

    /// Regions mentioned anywhere in `texts`, in gazetteer order.
    public func regions(mentionedIn texts: [String]) -> [String] {
        entries.compactMap { entry in
            let names = [entry.region] + entry.aliases
            return texts.contains { text in names.contains { text.contains($0) } } ? entry.region : nil
        }
    }
}

extension Substring {
    /// Trims ASCII and ideographic whitespace at both ends.
    func trimmingCharacters() -> String {
        var s = self
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
