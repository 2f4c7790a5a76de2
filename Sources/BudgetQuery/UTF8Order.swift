extension Array where Element == String {
    /// First index whose string is not below `key` in UTF-8 byte order (the array is sorted that way).
    func lowerBound(_ key: String) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid].utf8.lexicographicallyPrecedes(key.utf8) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}

extension String {
    /// Compares by UTF-8 bytes, as SQLite's BINARY collation does.
    var utf8Ordered: UTF8Ordered { UTF8Ordered(self) }
}

/// A string wrapper ordered by UTF-8 bytes.
struct UTF8Ordered: Comparable {
    let value: String
    init(_ value: String) { self.value = value }
    static func < (a: UTF8Ordered, b: UTF8Ordered) -> Bool { a.value.utf8.lexicographicallyPrecedes(b.value.utf8) }
    static func == (a: UTF8Ordered, b: UTF8Ordered) -> Bool { a.value.utf8.elementsEqual(b.value.utf8) }
}
