#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Scalars whose text compares the same by bytes as by `Character`s.
///
/// `String`'s `hasPrefix`, `hasSuffix` and Foundation's `contains`/`range(of:)` walk `Character`s
/// (grapheme clusters, compared under canonical equivalence), a visible cost on every cell (issue
/// 13). Over text of these scalars the answer is the same by bytes: none has a canonical
/// decomposition or a combining class, none is the canonical equivalent of another spelling, and
/// none joins the scalar before or after it into one `Character` (CR, which joins a following LF,
/// is left out). ASCII, the CJK ideographs and their punctuation, full-width forms and the signs
/// budget documents use are in; accented letters, combining marks, CJK compatibility ideographs,
/// joiners and variation selectors are not, and text holding one is compared by `Character`s.
@inlinable
public func isPlainScalar(_ v: UInt32) -> Bool {
    switch v {
    case 0x00...0x0C, 0x0E...0x7F, 0xA0...0xBF, 0xD7, 0xF7, 0x2010...0x2027, 0x2030...0x205E, 0x2264...0x2267,
         0x25A0...0x26FF, 0x3000...0x3029, 0x3030...0x303F, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xFF01...0xFF9D, 0xFFA0...0xFFEF:
        return true
    default:
        return false
    }
}

/// The scalar starting at `i` of valid UTF-8, and where the next one starts.
@inlinable
public func decodeScalar(_ bytes: UnsafeRawBufferPointer, at i: Int) -> (value: UInt32, next: Int) {
    let b = bytes[i]
    if b < 0x80 { return (UInt32(b), i + 1) }
    if b < 0xE0 { return ((UInt32(b & 0x1F) << 6) | UInt32(bytes[i + 1] & 0x3F), i + 2) }
    if b < 0xF0 { return ((UInt32(b & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F), i + 3) }
    return ((UInt32(b & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12) | (UInt32(bytes[i + 2] & 0x3F) << 6) | UInt32(bytes[i + 3] & 0x3F), i + 4)
}

/// Whether every scalar of `bytes` from `start` up to `end` (the scalar straddling `end` and the
/// one after it included) is plain (`isPlainScalar`).
private func plainScalars(_ bytes: UnsafeRawBufferPointer, from start: Int, through end: Int) -> Bool {
    var i = start
    var extra = 1
    while i < bytes.count {
        if i >= end { if extra == 0 { break }; extra -= 1 }
        let (scalar, next) = decodeScalar(bytes, at: i)
        if !isPlainScalar(scalar) { return false }
        i = next
    }
    return true
}

extension String {
    /// `hasPrefix`, answered from the bytes where that gives the same answer: when the prefix and
    /// the text's leading scalars are plain (`isPlainScalar`); by `Character`s otherwise.
    public func hasPrefixBytes(_ prefix: String) -> Bool {
        let decided = withUTF8Bytes { text in
            prefix.withUTF8Bytes { word -> Bool? in
                guard plainScalars(word, from: 0, through: word.count), plainScalars(text, from: 0, through: word.count) else { return nil }
                return text.count >= word.count && (word.count == 0 || memcmp(text.baseAddress!, word.baseAddress!, word.count) == 0)
            }
        }
        return decided ?? hasPrefix(prefix)
    }

    /// `hasSuffix`, answered from the bytes where that gives the same answer (the suffix, the
    /// text's last scalars and the one before them plain); by `Character`s otherwise.
    public func hasSuffixBytes(_ suffix: String) -> Bool {
        let decided = withUTF8Bytes { text in
            suffix.withUTF8Bytes { word -> Bool? in
                guard plainScalars(word, from: 0, through: word.count) else { return nil }
                // From the scalar before the last `word.count` bytes' first scalar.
                var start = Swift.max(0, text.count - word.count)
                while start > 0, start < text.count, text[start] & 0xC0 == 0x80 { start -= 1 }
                if start > 0 { start -= 1; while start > 0, text[start] & 0xC0 == 0x80 { start -= 1 } }
                guard plainScalars(text, from: start, through: text.count) else { return nil }
                return text.count >= word.count
                    && (word.count == 0 || memcmp(text.baseAddress! + (text.count - word.count), word.baseAddress!, word.count) == 0)
            }
        }
        return decided ?? hasSuffix(suffix)
    }

    /// Whether every scalar is plain (`isPlainScalar`): byte searches then answer what
    /// `Character`-level ones would.
    public var isPlainText: Bool {
        withUTF8Bytes { plainScalars($0, from: 0, through: $0.count) }
    }

    /// Whether the text holds an ASCII `:` or a full-width `：` (EF BC 9A). Neither has another
    /// spelling, so a text without either has no `Character` that is one, and the `Character`
    /// walks for a colon can be skipped.
    public var hasColonBytes: Bool {
        withUTF8Bytes { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
            if memchr(base, 0x3A, bytes.count) != nil { return true }
            return "：".withUTF8Bytes { bytesContain(bytes, $0) }
        }
    }
}

extension String {
    /// `contains(word)` (Foundation's, by `Character`s), answered by a byte search when that gives
    /// the same answer: both texts plain (`isPlainScalar`). Foundation's search was ~2 % of a
    /// 100k-project load, asked of every indicator name by `ExecutionRules`.
    public func containsText(_ word: String) -> Bool {
        // An empty word is left to Foundation (which finds it nowhere).
        if !word.isEmpty && isPlainText && word.isPlainText {
            return withUTF8Bytes { haystack in word.withUTF8Bytes { bytesContain(haystack, $0) } }
        }
        return contains(word)
    }
}
