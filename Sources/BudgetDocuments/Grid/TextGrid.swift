import BudgetCore

/// Splits decoded text into rows: one line a row, cells at TAB (the form a text extraction of a
/// Word or Excel table gives). Cells keep their spaces; trailing empty cells are dropped.
enum TextGrid {
    static func rows(utf8: [UInt8], file: String, maxLineBytes: Int, overlongLines: [Int: Int] = [:], diagnostics: inout [Diagnostic]) -> [GridRow] {
        var rows: [GridRow] = []
        // Cells repeat from table to table (labels, departments, types, categories, common
        // targets): each distinct short cell becomes one `String`, shared by every row and record
        // that holds it, instead of a new allocation per cell (issue 13, BENCHMARKS.md). Up to 15
        // bytes a `String` holds its bytes inline, with nothing to share.
        var interned = ByteTable<String>(capacity: 1024)
        let internLimit = 96, internCapacity = 200_000
        var lineNumber = 0
        var start = 0
        let count = utf8.count
        utf8.withUnsafeBufferPointer { buffer in
            while start < count {
                lineNumber += 1
                var end = start
                while end < count, buffer[end] != 0x0A { end += 1 }
                let unterminated = end >= count
                if let length = overlongLines[lineNumber] ?? (end - start > maxLineBytes ? end - start : nil) {
                    diagnostics.append(.error(file, lineNumber, "line is \(length) bytes long; the longest line read is \(maxLineBytes) bytes (is this a budget document?)"))
                    rows.append(GridRow(cells: [], position: .line(lineNumber), isOversize: true))
                } else {
                    var stop = end
                    if stop > start, buffer[stop - 1] == 0x0D { stop -= 1 }
                    var cells: [String] = []
                    var cellStart = start
                    var i = start
                    while i <= stop {
                        if i == stop || buffer[i] == 0x09 {
                            let cell = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[cellStart..<i]))
                            if cell.isEmpty {
                                cells.append("")
                            } else if cell.count > 15, cell.count <= internLimit, interned.count < internCapacity || interned.find(cell) != nil {
                                cells.append(interned.intern(cell))
                            } else {
                                cells.append(String(decoding: cell, as: UTF8.self))
                            }
                            cellStart = i + 1
                        }
                        i += 1
                    }
                    while let last = cells.last, last.isBlank { cells.removeLast() }
                    if !cells.isEmpty {
                        rows.append(GridRow(cells: cells, position: .line(lineNumber), isUnterminatedLastLine: unterminated))
                    }
                }
                start = end + 1
            }
        }
        return rows
    }
}

extension String {
    /// `allSatisfy(\.isWhitespace)`, without walking `Character`s for an empty cell or one that
    /// starts with an ASCII byte that is not white space (no such first `Character` is).
    var isBlank: Bool {
        guard let first = utf8.first else { return true }
        if first < 0x80, first != 0x20, !(0x09...0x0D).contains(first) { return false }
        return allSatisfy(\.isWhitespace)
    }

    /// Trims whitespace (ASCII, ideographic, no-break) at both ends.
    var trimmed: String {
        needsTrimming ? Substring(self).trimmingCharacters() : self
    }

    /// Whether the first or the last scalar is white space (what `trimmed` would remove).
    var needsTrimming: Bool {
        // Most cells have nothing to trim: an ASCII first and last byte decide it without decoding.
        let bytes = utf8
        guard let firstByte = bytes.first, let lastByte = bytes.last else { return false }
        if firstByte < 0x80, lastByte < 0x80 {
            return firstByte == 0x20 || (0x09...0x0D).contains(firstByte) || lastByte == 0x20 || (0x09...0x0D).contains(lastByte)
        }
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return false }
        return first.isWhiteSpaceByValue || last.isWhiteSpaceByValue
    }
}

extension StringProtocol {
    /// Whether `word` occurs, comparing UTF-8 bytes: Foundation's `contains`/`range(of:)` fold
    /// character clusters and dominated loading time (BENCHMARKS.md).
    func hasBytes(_ word: String) -> Bool {
        // Searched in the string's own bytes: copying every cell into an array first was a visible
        // part of reading titles and captions (issue 13).
        if let text = self as? String {
            return text.withUTF8Bytes { haystack in
                word.withUTF8Bytes { needle in
                    bytesContain(haystack, needle)
                }
            }
        }
        return containsBytes([UInt8](utf8), Array(word.utf8))
    }
}

extension Unicode.Scalar {
    /// Unicode's White_Space property, by value: `properties.isWhitespace` looks the scalar up in
    /// the property tables, 4.6 % of a 100k-project load (BENCHMARKS.md).
    var isWhiteSpaceByValue: Bool {
        switch value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
