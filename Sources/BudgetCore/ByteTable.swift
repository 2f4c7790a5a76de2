#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A hash table keyed by UTF-8 bytes, looked up straight from a buffer: no `String` and no array
/// is made to ask whether a key is there.
///
/// Hand-written for speed (BENCHMARKS.md, issue 13): a `[String: V]` hashes a non-ASCII key after
/// Unicode normalisation and compares keys the same way, and a `[[UInt8]: V]` needs an array per
/// lookup. Loading interns millions of cells (project names, departments, notes) that repeat, so
/// every lookup here hashes the bytes once (`Hasher.combine(bytes:)`) and compares them with
/// `memcmp`. Keys are equal when their bytes are (SQLite's BINARY collation, as the store orders
/// strings), not under Unicode canonical equivalence.
public struct ByteTable<Value> {
    /// Every key's bytes, one after the other.
    private var arena: [UInt8] = []
    private var keyStart: [Int] = []
    private var keyLength: [Int32] = []
    private var hashes: [Int] = []
    public private(set) var values: [Value] = []
    /// Open addressing: entry index + 1, 0 for an empty slot.
    private var slots: [Int32]
    private var mask: Int

    public init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    public var count: Int { values.count }

    /// Eight bytes at a time, each word folded in with a 64×64→128-bit multiply (the mixing step
    /// of wyhash), from a seed chosen at random per process so that crafted keys cannot aim at
    /// one slot. `Hasher` (SipHash) was ~5 % of a 100k-project load: most keys are short cells.
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        @inline(__always) func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let product = a.multipliedFullWidth(by: b)
            return product.high ^ product.low
        }
        let count = key.count
        var state = byteTableSeed ^ UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        guard let base = key.baseAddress else { return Int(truncatingIfNeeded: mix(state, 0xE703_7ED1_A0B4_28DB)) }
        var offset = 0
        while offset + 8 <= count {
            let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            state = mix(state ^ word, 0xE703_7ED1_A0B4_28DB)
            offset += 8
        }
        if offset < count {
            // The last 1–7 bytes, little end first.
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                word |= UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) << shift
                shift += 8
                offset += 1
            }
            state = mix(state ^ word, 0x8EBC_6AF0_9C88_C6E3)
        }
        return Int(truncatingIfNeeded: mix(state, 0x5899_65CC_7537_4CC3))
    }

    private func equal(_ entry: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let length = Int(keyLength[entry])
        guard length == key.count else { return false }
        if length == 0 { return true }
        return arena.withUnsafeBytes { all in memcmp(all.baseAddress! + keyStart[entry], key.baseAddress!, length) == 0 }
    }

    /// The index of `key`'s entry, if present.
    public func find(_ key: UnsafeRawBufferPointer) -> Int? {
        find(key, hash: Self.hash(key))
    }

    private func find(_ key: UnsafeRawBufferPointer, hash: Int) -> Int? {
        var slot = hash & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { return nil }
            if hashes[stored - 1] == hash, equal(stored - 1, key) { return stored - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// The value stored for `key`, if any.
    public func value(_ key: UnsafeRawBufferPointer) -> Value? {
        find(key).map { values[$0] }
    }

    /// The index of `key`'s entry, adding it with `make()` when absent.
    public mutating func index(_ key: UnsafeRawBufferPointer, orAdd make: () -> Value) -> Int {
        let hash = Self.hash(key)
        if let found = find(key, hash: hash) { return found }
        if (values.count + 1) * 2 > slots.count { grow() }
        let entry = values.count
        keyStart.append(arena.count)
        keyLength.append(Int32(key.count))
        arena.append(contentsOf: key)
        hashes.append(hash)
        values.append(make())
        var slot = hash & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry + 1)
        return entry
    }

    /// The entries' values ordered by their keys' bytes (`memcmp`, a prefix first), and for each
    /// entry its place in that order. Compared in the table's own key arena: sorting the
    /// `String`s themselves retained and released two of them per comparison.
    public func sortedByKey() -> (values: [Value], rank: [Int32]) {
        let order = arena.withUnsafeBytes { all -> [Int] in
            guard let base = all.baseAddress else { return Array(values.indices) }
            return values.indices.sorted { a, b in
                bytesPrecede(UnsafeRawBufferPointer(start: base + keyStart[a], count: Int(keyLength[a])),
                             UnsafeRawBufferPointer(start: base + keyStart[b], count: Int(keyLength[b])))
            }
        }
        var rank = [Int32](repeating: 0, count: values.count)
        for (place, entry) in order.enumerated() { rank[entry] = Int32(place) }
        return (order.map { values[$0] }, rank)
    }

    public mutating func update(_ index: Int, _ body: (inout Value) -> Void) {
        body(&values[index])
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for entry in hashes.indices {
            var slot = hashes[entry] & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entry + 1)
        }
    }
}

extension ByteTable: Sendable where Value: Sendable {}

/// The per-process seed of `ByteTable`'s hash.
private let byteTableSeed = UInt64.random(in: .min ... .max)

extension ByteTable where Value == String {
    /// The one `String` for these bytes (decoded once, the first time they are seen).
    public mutating func intern(_ key: UnsafeRawBufferPointer) -> String {
        values[index(key) { String(decoding: key, as: UTF8.self) }]
    }
}

extension String {
    /// Calls `body` with the string's UTF-8 bytes (contiguous for native strings, copied once otherwise).
    @inlinable
    public func withUTF8Bytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        // Borrowed through the UTF-8 view where the bytes are contiguous (native and small
        // strings): `withUTF8` is mutating, and the copy it needs cost a retain and a release
        // per call, twice the time of the look-up's own overhead (a micro-benchmark, issue 13).
        if let result = try utf8.withContiguousStorageIfAvailable({ try body(UnsafeRawBufferPointer($0)) }) { return result }
        var copy = self
        return try copy.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }

    /// Whether the string's UTF-8 bytes are `bytes`.
    public func hasUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        withUTF8Bytes { mine in
            mine.count == bytes.count && (mine.count == 0 || memcmp(mine.baseAddress!, bytes.baseAddress!, mine.count) == 0)
        }
    }
}

/// The store's order of strings: by UTF-8 bytes (`memcmp`), a prefix before the longer text
/// (SQLite's BINARY collation). One rule for `ByteTable.sortedByKey` and `sortedDictionary`.
@inlinable
public func bytesPrecede(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Bool {
    let common = Swift.min(x.count, y.count)
    let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
    return order != 0 ? order < 0 : x.count < y.count
}

/// Whether `needle`'s bytes occur in `haystack` (memchr to each candidate first byte, then memcmp).
public func bytesContain(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
    let n = needle.count
    if n == 0 { return true }
    guard haystack.count >= n, let base = haystack.baseAddress, let word = needle.baseAddress else { return false }
    let first = Int32(needle[0])
    var offset = 0
    let last = haystack.count - n
    while offset <= last {
        guard let hit = memchr(base + offset, first, last - offset + 1) else { return false }
        let at = UnsafeRawPointer(hit) - base
        if memcmp(base + at, word, n) == 0 { return true }
        offset = at + 1
    }
    return false
}
