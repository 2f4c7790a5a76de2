import BudgetCore
import Foundation

// Cutting tables into row ranges and joining them again: the data cache keeps the rows of each
// unchanged file and reads only the files that changed.

extension Column {
    /// Rows `range` of this column (a dictionary column keeps its whole dictionary).
    public func slice(_ range: Range<Int>) -> Column {
        let data: ColumnData
        switch self.data {
        case .integers(let v, let nulls): data = .integers(Array(v[range]), nulls: nulls.slice(range))
        case .reals(let v): data = .reals(Array(v[range]))
        case .strings(let codes, let dictionary): data = .strings(codes: Array(codes[range]), dictionary: dictionary)
        case .texts(let v): data = .texts(Array(v[range]))
        case .lists(let offsets, let codes, let dictionary):
            let first = Int(offsets[range.lowerBound]), last = Int(offsets[range.upperBound])
            data = .lists(offsets: offsets[range.lowerBound...range.upperBound].map { $0 - Int32(first) },
                          codes: Array(codes[first..<last]), dictionary: dictionary)
        }
        return Column(name: name, aliases: aliases, type: type, data: data)
    }

    /// An integer column with `delta` added to every value but null (ids renumbered after a splice).
    public func shifted(by delta: Int64) -> Column {
        guard delta != 0, case .integers(let v, let nulls) = data else { return self }
        return Column(name: name, aliases: aliases, type: type, data: .integers(v.map { $0 &+ delta }, nulls: nulls))
    }

    /// Columns of one name and layout one after another; dictionaries are merged and sorted again,
    /// so the result is the column a single build over all the rows would give. Nil when the
    /// parts' layouts differ.
    public static func concatenated(_ parts: [Column]) -> Column? {
        guard let first = parts.first else { return nil }
        func merged(_ dictionaries: [[String]]) -> (dictionary: [String], remaps: [[Int32]]) {
            // Equal bytes, one entry, as in a single build (a `String`-keyed dictionary would hash
            // every value after Unicode normalisation and merge canonically equal spellings).
            var lookup = ByteTable<String>(capacity: dictionaries.map(\.count).max() ?? 16)
            let local = dictionaries.map { dictionary in
                dictionary.map { value -> Int32 in
                    value.withUTF8Bytes { Int32(lookup.index($0) { value }) }
                }
            }
            let (sorted, remap) = lookup.sortedByKey()
            return (sorted, local.map { $0.map { remap[Int($0)] } })
        }
        let data: ColumnData
        switch first.data {
        case .integers:
            var out: [Int64] = [], nulls = NullMask()
            for part in parts {
                guard case .integers(let v, let partNulls) = part.data else { return nil }
                nulls = nulls.appending(partNulls, after: out.count)
                out += v
            }
            data = .integers(out, nulls: nulls)
        case .reals:
            var out: [Double] = []
            for part in parts { guard case .reals(let v) = part.data else { return nil }; out += v }
            data = .reals(out)
        case .texts:
            var out: [String?] = []
            for part in parts { guard case .texts(let v) = part.data else { return nil }; out += v }
            data = .texts(out)
        case .strings:
            var pieces: [([Int32], [String])] = []
            for part in parts { guard case .strings(let c, let d) = part.data else { return nil }; pieces.append((c, d)) }
            let (dictionary, remaps) = merged(pieces.map(\.1))
            var codes: [Int32] = []
            codes.reserveCapacity(pieces.reduce(0) { $0 + $1.0.count })
            for (piece, remap) in zip(pieces, remaps) {
                codes += piece.0.map { $0 == nullCode ? nullCode : remap[Int($0)] }
            }
            data = .strings(codes: codes, dictionary: dictionary)
        case .lists:
            var pieces: [([Int32], [Int32], [String])] = []
            for part in parts { guard case .lists(let o, let c, let d) = part.data else { return nil }; pieces.append((o, c, d)) }
            let (dictionary, remaps) = merged(pieces.map(\.2))
            var offsets: [Int32] = [0], codes: [Int32] = []
            for (piece, remap) in zip(pieces, remaps) {
                let base = Int32(codes.count)
                offsets += piece.0.dropFirst().map { $0 + base }
                codes += piece.1.map { remap[Int($0)] }
            }
            data = .lists(offsets: offsets, codes: codes, dictionary: dictionary)
        }
        return Column(name: first.name, aliases: first.aliases, type: first.type, data: data)
    }
}

extension Table {
    /// Rows `range` of every column.
    public func slice(_ range: Range<Int>) -> Table {
        Table(name: name, aliases: aliases, columns: columns.map { $0.slice(range) })
    }

    /// Tables with the same columns one after another; nil when their columns differ.
    public static func concatenated(_ parts: [Table]) -> Table? {
        guard let first = parts.first else { return nil }
        var columns: [Column] = []
        for (index, column) in first.columns.enumerated() {
            let same = parts.compactMap { $0.columns.count == first.columns.count && $0.columns[index].name == column.name ? $0.columns[index] : nil }
            guard same.count == parts.count, let joined = Column.concatenated(same) else { return nil }
            columns.append(joined)
        }
        return Table(name: first.name, aliases: first.aliases, columns: columns)
    }

    /// `concatenated`, letting go of each part's column as soon as it is joined, so that the parts
    /// and the whole are not all held at once (loading a folder file by file joins its files'
    /// tables this way). Pass the parts with `consume`.
    public static func concatenated(consuming parts: [Table]) -> Table? {
        guard let name = parts.first?.name, let aliases = parts.first?.aliases, let names = parts.first?.columns.map(\.name) else { return nil }
        guard parts.allSatisfy({ $0.columns.count == names.count && zip($0.columns, names).allSatisfy { $0.name == $1 } }) else { return nil }
        let byColumn = Handoff(names.indices.map { index in parts.map { $0.columns[index] } })
        _ = consume parts
        // Columns are joined side by side, one per core (the 1M-project load spent 8 s joining
        // them one after another); each takes its parts out of `byColumn`, so they are let go
        // as soon as it is joined.
        let columns = concurrentMap(names.count) { index -> Column? in
            let joined = Column.concatenated(byColumn.take(index))
            // The parts' pages go back before the next column takes new ones.
            AllocatorTuning.releaseFreedMemory()
            return joined
        }
        guard columns.allSatisfy({ $0 != nil }) else { return nil }
        return Table(name: name, aliases: aliases, columns: columns.compactMap { $0 })
    }

    /// This table without the rows at `positions` (ascending).
    public func removingRows(_ positions: [Int]) -> Table {
        var kept: [Int32] = []
        kept.reserveCapacity(rowCount - positions.count)
        var next = 0
        for row in 0..<rowCount {
            if next < positions.count, positions[next] == row { next += 1; continue }
            kept.append(Int32(row))
        }
        return Table(name: name, aliases: aliases, columns: columns.map { $0.gatheredWhole(kept) })
    }

    /// This table with the integer column `name` shifted by `delta` (see `Column.shifted`).
    public func shifting(_ name: String, by delta: Int64) -> Table {
        Table(name: self.name, aliases: aliases, columns: columns.map { $0.name == name ? $0.shifted(by: delta) : $0 })
    }
}

/// Values handed out once each, from any thread: the taker owns the value, and the slot is empty.
private final class Handoff<Element>: @unchecked Sendable {
    private var slots: [[Element]]
    private let lock = NSLock()

    init(_ slots: [[Element]]) { self.slots = slots }

    func take(_ index: Int) -> [Element] {
        lock.lock()
        defer { lock.unlock() }
        let taken = slots[index]
        slots[index] = []
        return taken
    }
}
