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

    private static func hash(_ key: UnsafeRawBufferPointer) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: key)
        return hasher.finalize()
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
