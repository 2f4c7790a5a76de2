import BudgetCore
import Foundation
/// The logical type of a column; several share one physical layout.
public enum ColumnType: String, Sendable, CaseIterable {
    /// Whole numbers (years, counts, line numbers).
    case int
    /// Money in fen, shown as yuan with two decimals.
    case money
    /// Exact decimals scaled by 10^4 (`ExactDecimal`).
    case decimal
    /// Inexact ratios and averages, rounded only for display.
    case real
    /// Dates packed as yyyymmdd.
    case date
    /// Months packed as yyyymm.
    case month
    /// Short repeated strings, dictionary-encoded.
    case string
    /// Long free text, kept apart from the dictionary columns.
    case text
    /// Lists of short strings (a project's regions).
    case list
    /// true/false, held as 1/0.
    case bool

    /// Types held as `Int64`.
    public var isInteger: Bool { [.int, .money, .decimal, .date, .month, .bool].contains(self) }
    /// Types that add up.
    public var isNumeric: Bool { [.int, .money, .decimal, .real].contains(self) }
}

/// The physical layout of a column's values.
///
/// Integer-like types share `Int64` buffers with a `NullMask` beside them, so every Int64 is a
/// value (Int64.min included); strings are codes into a dictionary sorted by UTF-8 bytes, so
/// comparing codes compares strings (as SQLite's BINARY does).
public enum ColumnData: Sendable {
    /// Values and which rows are null; a null row's slot holds 0 and means nothing.
    case integers([Int64], nulls: NullMask = NullMask())
    case reals([Double])
    case strings(codes: [Int32], dictionary: [String])
    case texts([String?])
    case lists(offsets: [Int32], codes: [Int32], dictionary: [String])
}

extension ColumnData {
    /// How many rows the values hold.
    public var count: Int {
        switch self {
        case .integers(let v, _): return v.count
        case .reals(let v): return v.count
        case .strings(let codes, _): return codes.count
        case .texts(let v): return v.count
        case .lists(let offsets, _, _): return max(0, offsets.count - 1)
        }
    }
}

extension ColumnData {
    /// `count` nulls in the layout of `type`.
    static func nulls(of type: ColumnType, count: Int) -> ColumnData {
        switch type {
        case .real: return .reals(Array(repeating: .nan, count: count))
        case .string: return .strings(codes: Array(repeating: nullCode, count: count), dictionary: [])
        case .text: return .texts(Array(repeating: nil, count: count))
        case .list: return .lists(offsets: Array(repeating: 0, count: count + 1), codes: [], dictionary: [])
        case .int, .money, .decimal, .date, .month, .bool: return .integers(Array(repeating: 0, count: count), nulls: NullMask(allNull: count))
        }
    }

    /// An integer column from optional values (nil is null).
    public static func optionalIntegers(_ values: [Int64?]) -> ColumnData {
        var builder = IntegerColumnBuilder(capacity: values.count)
        for v in values { builder.append(v) }
        return builder.finish()
    }
}

/// Which rows of an integer column are null: one bit a row. Words past the end of `words` are
/// all valid, so a column without nulls (the common case) carries an empty mask and its loops
/// test `hasNulls` once, not per row.
public struct NullMask: Sendable, Equatable {
    /// Bit `row % 64` of word `row / 64` is set when the row is null.
    public private(set) var words: [UInt64]

    /// No row null.
    public init() { words = [] }

    /// The mask stored in a snapshot section (trailing zero words may be absent).
    public init(words: [UInt64]) {
        var words = words
        while words.last == 0 { words.removeLast() }
        self.words = words
    }

    /// Every one of `count` rows null.
    public init(allNull count: Int) {
        words = []
        guard count > 0 else { return }
        words = [UInt64](repeating: ~0, count: (count + 63) / 64)
        if count % 64 != 0 { words[words.count - 1] = (1 << UInt64(count % 64)) - 1 }
    }

    /// Rows `i` where `isNull(i)` is true, for `count` rows.
    public init(count: Int, isNull: (Int) -> Bool) {
        self.init()
        for i in 0..<count where isNull(i) { setNull(i) }
    }

    /// True when some row is null.
    @inlinable public var hasNulls: Bool { !words.isEmpty }

    /// Whether `row` is null. Inlinable: called per row by the query module's loops, where a call
    /// across the module boundary was 15–20 % of grouping and summing (BENCHMARKS.md, issue 13 item 4).
    @inlinable public func isNull(_ row: Int) -> Bool {
        let w = row >> 6
        return w < words.count && words[w] >> UInt64(row & 63) & 1 == 1
    }

    public mutating func setNull(_ row: Int) {
        let w = row >> 6
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: w - words.count + 1)) }
        words[w] |= 1 << UInt64(row & 63)
    }

    /// The rows at `indices`, in that order. Ctrl-C (`Interrupt`) is looked at every 64K rows.
    public func gathered(_ indices: [Int32]) throws(Interrupted) -> NullMask {
        guard hasNulls else { return NullMask() }
        var out = NullMask()
        try Interrupt.forEachChunk(indices.count) { range in
            for k in range where isNull(Int(indices[k])) { out.setNull(k) }
        }
        return out
    }

    /// Rows `range`.
    public func slice(_ range: Range<Int>) -> NullMask {
        guard hasNulls else { return NullMask() }
        var out = NullMask()
        for i in range where isNull(i) { out.setNull(i - range.lowerBound) }
        return out
    }

    /// This mask's `count` rows followed by `other`'s.
    public func appending(_ other: NullMask, after count: Int) -> NullMask {
        guard other.hasNulls else { return self }
        var out = self
        for w in other.words.indices where other.words[w] != 0 {
            for bit in 0..<64 where other.words[w] >> UInt64(bit) & 1 == 1 { out.setNull(count + w * 64 + bit) }
        }
        return out
    }

    /// Null where either is.
    public func union(_ other: NullMask) -> NullMask {
        if !other.hasNulls { return self }
        if !hasNulls { return other }
        var words = self.words.count >= other.words.count ? self.words : other.words
        for w in 0..<min(self.words.count, other.words.count) { words[w] = self.words[w] | other.words[w] }
        return NullMask(words: words)
    }
}

/// Builds an integer column from optional values.
public struct IntegerColumnBuilder {
    private var values: [Int64] = []
    private var nulls = NullMask()

    public init(capacity: Int = 0) { values.reserveCapacity(capacity) }

    public mutating func append(_ value: Int64?) {
        if let value {
            values.append(value)
        } else {
            nulls.setNull(values.count)
            values.append(0)
        }
    }

    public func finish() -> ColumnData { .integers(values, nulls: nulls) }
}

/// Why columns of an opened snapshot could not be decoded, shared by the columns of one store.
public final class DecodeProblems: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    public init() {}

    func record(_ message: String) { lock.withLock { messages.append(message) } }

    /// The first problem recorded, if any.
    public var first: String? { lock.withLock { messages.first } }
}

/// A column's values decoded once, on first use, from any thread.
final class DeferredColumnData: @unchecked Sendable {
    private let lock = NSLock()
    private var decoded: ColumnData?
    private let placeholder: @Sendable () -> ColumnData
    private let problems: DecodeProblems
    private let decode: @Sendable () throws -> ColumnData

    init(placeholder: @escaping @Sendable () -> ColumnData, problems: DecodeProblems, decode: @escaping @Sendable () throws -> ColumnData) {
        self.placeholder = placeholder
        self.problems = problems
        self.decode = decode
    }

    var isDecoded: Bool { lock.withLock { decoded != nil } }

    var data: ColumnData {
        lock.lock()
        defer { lock.unlock() }
        if let decoded { return decoded }
        let value: ColumnData
        do {
            value = try decode()
        } catch {
            // Nulls of the right count keep every operator in bounds; the recorded problem fails the statement.
            problems.record("\(error)")
            value = placeholder()
        }
        decoded = value
        return value
    }
}

/// The null code of dictionary columns.
public let nullCode: Int32 = -1

/// One immutable typed column with its name and Chinese aliases.
///
/// A column of an opened snapshot is decoded when its values are first read (`data`), so a query
/// decodes only the columns it touches; its name, type and count are known without decoding.
public struct Column: Sendable {
    public let name: String
    public let aliases: [String]
    public let type: ColumnType
    public let count: Int
    private let storage: Storage
    /// Block ranges, once asked (`blockRanges`); shared with the copies `renamed` makes.
    let summaries: ColumnSummaries

    private enum Storage: Sendable {
        case decoded(ColumnData)
        case deferred(DeferredColumnData)
    }

    public init(name: String, aliases: [String] = [], type: ColumnType, data: ColumnData) {
        self.name = name
        self.aliases = aliases
        self.type = type
        self.count = data.count
        self.storage = .decoded(data)
        self.summaries = ColumnSummaries()
    }

    /// A column decoded on first use by `decode`. When decoding fails (a damaged file), the
    /// column reads as `count` nulls and `problems` records why, so the statement that read it
    /// fails instead of answering (`Store.decodeProblem`).
    public init(name: String, aliases: [String] = [], type: ColumnType, count: Int, problems: DecodeProblems,
                decode: @escaping @Sendable () throws -> ColumnData) {
        self.name = name
        self.aliases = aliases
        self.type = type
        self.count = count
        self.storage = .deferred(DeferredColumnData(placeholder: { ColumnData.nulls(of: type, count: count) }, problems: problems, decode: decode))
        self.summaries = ColumnSummaries()
    }

    /// The same values under another name and aliases; a column not yet decoded stays so.
    public func renamed(_ name: String, aliases: [String]) -> Column {
        Column(name: name, aliases: aliases, type: type, count: count, storage: storage, summaries: summaries)
    }

    private init(name: String, aliases: [String], type: ColumnType, count: Int, storage: Storage, summaries: ColumnSummaries) {
        self.name = name
        self.aliases = aliases
        self.type = type
        self.count = count
        self.storage = storage
        self.summaries = summaries
    }

    /// The values, decoding them first if this column was opened from a snapshot and not yet read.
    public var data: ColumnData {
        switch storage {
        case .decoded(let data): return data
        case .deferred(let deferred): return deferred.data
        }
    }

    /// False while the column's values wait to be decoded (tests check what a query decoded).
    public var isDecoded: Bool {
        switch storage {
        case .decoded: return true
        case .deferred(let deferred): return deferred.isDecoded
        }
    }

    /// The value at `row` (boxed: for rendering and tests, not for inner loops).
    public func value(at row: Int) -> Value {
        switch data {
        case .integers(let v, let nulls): return nulls.isNull(row) ? .null : .integer(v[row])
        case .reals(let v): return v[row].isNaN ? .null : .real(v[row])
        case .strings(let codes, let dictionary): return codes[row] == nullCode ? .null : .string(dictionary[Int(codes[row])])
        case .texts(let v): return v[row].map { .string($0) } ?? .null
        case .lists(let offsets, let codes, let dictionary):
            return .list(codes[Int(offsets[row])..<Int(offsets[row + 1])].map { dictionary[Int($0)] })
        }
    }

    /// True when `name` is this column's name or one of its aliases.
    public func answers(to name: String) -> Bool { self.name == name || aliases.contains(name) }
}

/// A single boxed value.
public enum Value: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case string(String)
    case list([String])
}

/// Builds a dictionary-encoded column: codes in first-seen order, re-coded at the end so the
/// dictionary is sorted.
public struct StringColumnBuilder {
    private var codes: [Int32] = []
    /// Keyed by UTF-8 bytes (`ByteTable`): a `[String: Int32]` hashed every non-ASCII cell after
    /// Unicode normalisation, the largest part of building the store (BENCHMARKS.md, issue 13).
    /// The entry index is the code; the value is the string as first seen.
    private var lookup = ByteTable<String>()

    public init(capacity: Int = 0) { codes.reserveCapacity(capacity) }

    public mutating func append(_ value: String?) {
        guard let value else { codes.append(nullCode); return }
        codes.append(code(for: value))
    }

    /// `value`, `count` times over (looked up once).
    public mutating func append(_ value: String, times count: Int) {
        guard count > 0 else { return }
        let code = code(for: value)
        codes.append(contentsOf: repeatElement(code, count: count))
    }

    mutating func code(for value: String) -> Int32 {
        Int32(value.withUTF8Bytes { bytes in lookup.index(bytes) { value } })
    }

    public func finish() -> ColumnData {
        let (sorted, remap) = lookup.sortedByKey()
        return .strings(codes: codes.map { $0 == nullCode ? nullCode : remap[Int($0)] }, dictionary: sorted)
    }
}

/// Builds a list column (offsets into a shared code buffer over one sorted dictionary).
public struct ListColumnBuilder {
    private var offsets: [Int32] = [0]
    private var codes: [Int32] = []
    /// By UTF-8 bytes, as `StringColumnBuilder`.
    private var lookup = ByteTable<String>()

    public init() {}

    public mutating func append(_ values: [String]) {
        for value in values {
            codes.append(Int32(value.withUTF8Bytes { bytes in lookup.index(bytes) { value } }))
        }
        offsets.append(Int32(codes.count))
    }

    public func finish() -> ColumnData {
        let (sorted, remap) = lookup.sortedByKey()
        return .lists(offsets: offsets, codes: codes.map { remap[Int($0)] }, dictionary: sorted)
    }
}

/// Sorts strings by UTF-8 bytes; returns the sorted strings and old code → new code.
public func sortedDictionary(_ strings: [String]) -> ([String], [Int32]) {
    // memcmp over each string's bytes: the UTF8View's element-wise comparison was a visible part
    // of sorting a million project names.
    let order = strings.indices.sorted { a, b in
        strings[a].withUTF8Bytes { x in strings[b].withUTF8Bytes { y in bytesPrecede(x, y) } }
    }
    var remap = [Int32](repeating: 0, count: strings.count)
    for (newCode, oldCode) in order.enumerated() { remap[oldCode] = Int32(newCode) }
    return (order.map { strings[$0] }, remap)
}

extension Column {
    /// `gathered(_:)` for a load, which Ctrl-C does not stop (it is reported once the load ends).
    func gatheredWhole(_ indices: [Int32]) -> Column {
        let data: ColumnData
        switch self.data {
        case .integers(let v, let nulls):
            var mask = NullMask()
            if nulls.hasNulls { for (k, i) in indices.enumerated() where nulls.isNull(Int(i)) { mask.setNull(k) } }
            data = .integers(indices.map { v[Int($0)] }, nulls: mask)
        case .reals(let v): data = .reals(indices.map { v[Int($0)] })
        case .strings(let codes, let dictionary): data = .strings(codes: indices.map { codes[Int($0)] }, dictionary: dictionary)
        case .texts(let v): data = .texts(indices.map { v[Int($0)] })
        case .lists(let offsets, let codes, let dictionary):
            var newOffsets: [Int32] = [0]
            var newCodes: [Int32] = []
            for i in indices {
                newCodes.append(contentsOf: codes[Int(offsets[Int(i)])..<Int(offsets[Int(i) + 1])])
                newOffsets.append(Int32(newCodes.count))
            }
            data = .lists(offsets: newOffsets, codes: newCodes, dictionary: dictionary)
        }
        return Column(name: name, aliases: aliases, type: type, data: data)
    }

    /// The rows at `indices`, in that order (list columns keep each row's whole list).
    ///
    /// A gather of 80M rows takes a large part of a second: it is done 64K rows at a time and
    /// stops between them when Ctrl-C (`Interrupt`) asks.
    public func gathered(_ indices: [Int32]) throws(Interrupted) -> Column {
        let data: ColumnData
        switch self.data {
        case .integers(let v, let nulls):
            data = .integers(try Interrupt.gather(v, indices), nulls: try nulls.gathered(indices))
        case .reals(let v): data = .reals(try Interrupt.gather(v, indices))
        case .strings(let codes, let dictionary):
            data = .strings(codes: try Interrupt.gather(codes, indices), dictionary: dictionary)
        case .texts(let v): data = .texts(try Interrupt.gather(v, indices))
        case .lists(let offsets, let codes, let dictionary):
            var newOffsets: [Int32] = [0]
            var newCodes: [Int32] = []
            newOffsets.reserveCapacity(indices.count + 1)
            try Interrupt.forEachChunk(indices.count) { range in
                for i in indices[range] {
                    newCodes.append(contentsOf: codes[Int(offsets[Int(i)])..<Int(offsets[Int(i) + 1])])
                    newOffsets.append(Int32(newCodes.count))
                }
            }
            data = .lists(offsets: newOffsets, codes: newCodes, dictionary: dictionary)
        }
        return Column(name: name, aliases: aliases, type: type, data: data)
    }
}
