import BudgetCore
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
    /// Each entry's names (region and aliases) as UTF-8 bytes, for matching.
    private let needles: [[[UInt8]]]

    public init(entries: [RegionEntry]) {
        self.entries = entries
        needles = entries.map { ([$0.region] + $0.aliases).map { Array($0.utf8) } }
    }

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

    /// Whether `regions(mentionedIn:)` is the union of each text's own mentions: true unless a
    /// name holds a 0 byte (the separator of the joined texts, which such a name could match across).
    var readsTextByText: Bool { !needles.contains { names in names.contains { $0.contains(0) } } }

    /// The entries `text` mentions: bit `i % 64` of word `i / 64` for entry `i`.
    func mentions(in text: String) -> [UInt64] {
        var mask = [UInt64](repeating: 0, count: (entries.count + 63) / 64)
        text.withUTF8Bytes { haystack in
            for i in entries.indices where needles[i].contains(where: { name in name.withUnsafeBytes { bytesContain(haystack, $0) } }) {
                mask[i / 64] |= 1 << UInt64(i % 64)
            }
        }
        return mask
    }

    /// The regions of the entries in `mask` (from `mentions`), in gazetteer order.
    func regions(in mask: [UInt64]) -> [String] {
        entries.indices.compactMap { i in mask[i / 64] & (1 << UInt64(i % 64)) != 0 ? entries[i].region : nil }
    }

    /// Regions mentioned anywhere in `texts`, in gazetteer order.
    ///
    /// Searches UTF-8 bytes: Foundation's `contains` folds character clusters and dominated
    /// loading time. A byte match of valid UTF-8 names cannot start mid-character.
    public func regions(mentionedIn texts: [String]) -> [String] {
        var haystack: [UInt8] = []
        for text in texts {
            haystack.append(contentsOf: text.utf8)
            haystack.append(0)
        }
        return entries.indices.compactMap { i in
            needles[i].contains { containsBytes(haystack, $0) } ? entries[i].region : nil
        }
    }
}

extension Substring {
    /// Trims ASCII and ideographic whitespace at both ends.
    func trimmingCharacters() -> String {
        // By scalars with the White_Space set spelled out: walking Characters (grapheme breaks)
        // and looking up scalar properties were 6–8 % of a 100k-project load (BENCHMARKS.md).
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.isWhiteSpaceByValue }) else { return "" }
        let end = scalars.lastIndex(where: { !$0.isWhiteSpaceByValue }) ?? start
        return String(scalars[start...end])
    }
}

/// True when `needle` occurs in `haystack` (byte comparison).
func containsBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    // memchr to each candidate first byte (BudgetCore.bytesContain): a byte loop here was most of
    // tagging regions, every name searched in every project's texts (issue 13).
    haystack.withUnsafeBytes { h in needle.withUnsafeBytes { n in bytesContain(h, n) } }
}
