import BudgetCore
import Testing

/// `ByteTable` keys are bytes: equal bytes find the same entry, different bytes never do, whatever
/// their length (the hash reads words of eight bytes and a tail of one to seven).
struct ByteTableTests {
    static func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        bytes.withUnsafeBytes(body)
    }

    @Test func everyKeyFindsItsOwnEntryAndAbsentKeysNone() {
        var generator = SystemRandomNumberGenerator()
        var keys: [[UInt8]] = [[]]
        var seen: Set<[UInt8]> = [[]]
        while keys.count < 20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            // Few distinct byte values, so keys share long prefixes and differ only in a tail.
            let key = (0..<length).map { _ in UInt8.random(in: 0...3, using: &generator) }
            if seen.insert(key).inserted { keys.append(key) }
        }
        var table = ByteTable<Int>(capacity: 4)
        for (index, key) in keys.enumerated() {
            #expect(Self.withBytes(key) { table.index($0) { index } } == index)
        }
        #expect(table.count == keys.count)
        #expect(table.values == Array(keys.indices))
        for (index, key) in keys.enumerated() {
            #expect(Self.withBytes(key) { table.find($0) } == index)
            #expect(Self.withBytes(key) { table.index($0) { -1 } } == index, "an existing key is not added again")
        }
        // Ordered by bytes: what `[UInt8]`'s lexicographic order says (a prefix first).
        let (sortedValues, rank) = table.sortedByKey()
        let expected = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
        #expect(sortedValues == expected)
        for (place, entry) in expected.enumerated() { #expect(rank[entry] == Int32(place)) }
        var absent = 0
        while absent < 2_000 {
            let key = (0..<Int.random(in: 0...40)).map { _ in UInt8.random(in: 0...3) }
            if seen.contains(key) { continue }
            absent += 1
            #expect(Self.withBytes(key) { table.find($0) } == nil)
        }
    }

    @Test func keysThatDifferInOneByteOrInLengthAreDifferent() {
        var table = ByteTable<String>()
        let keys: [[UInt8]] = [[], [0], [0, 0], Array(repeating: 0, count: 8), Array(repeating: 0, count: 9),
                               Array(repeating: 7, count: 16), Array(repeating: 7, count: 15) + [8], [1] + Array(repeating: 7, count: 15)]
        for key in keys { _ = Self.withBytes(key) { table.index($0) { "\(key)" } } }
        #expect(table.count == keys.count)
        for key in keys { #expect(Self.withBytes(key) { table.value($0) } == "\(key)") }
        let cell = "受益群众满意度"
        #expect(cell.withUTF8Bytes { table.intern($0) } == cell)
        #expect(cell.withUTF8Bytes { table.find($0) } == keys.count)
    }
}
