#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BudgetCore

/// A row of a document as the table readers see it: its cells trimmed once, and what every reader
/// asks of every row (where its first filled cell is, how many are filled, whether it is the
/// 一级/二级/三级 header) worked out once.
///
/// The segmenter, the table reader and the indicator block each used to trim the row's cells into a
/// new array and ask the same cells the same label questions again (issue 13: trimming, the arrays
/// and the look-ups were a large part of loading). Each cell's label entry is looked up once, when
/// the row is prepared (`CellLabels.prepare`); a question about cell `i` is then an array access.
struct TableRow {
    /// The row as published (a tree table's hierarchy is in its first cell's indentation).
    let grid: GridRow
    /// The cells trimmed (`String.trimmed`). A reader may blank a cell it has read (set it to
    /// ""): look-ups check for an empty cell before the prepared entry, so a blanked cell reads
    /// as an empty one.
    var cells: [String]
    /// Where this row's cell entries start in its `CellLabels`.
    let entryBase: Int
    /// The first non-empty cell, if any.
    var firstFilled: Int?
    /// How many cells are non-empty.
    var filledCount: Int
    /// The row is a 一级/二级/三级 indicator header (`TableSegmenter.isIndicatorHeader`), set by the segmenter.
    var isIndicatorHeader = false

    var position: SourcePosition { grid.position }
    var isOversize: Bool { grid.isOversize }
    var isUnterminatedLastLine: Bool { grid.isUnterminatedLastLine }

    /// The row with cell `i` blanked, its counts updated (the header flag is the caller's to redo).
    mutating func blank(_ i: Int) {
        guard !cells[i].isEmpty else { return }
        cells[i] = ""
        filledCount -= 1
        firstFilled = cells.firstIndex { !$0.isEmpty }
    }
}

extension String {
    /// `hasPrefix` over UTF-8 bytes.
    ///
    /// `String.hasPrefix` walks `Character`s (grapheme clusters, compared under canonical
    /// equivalence), a visible cost on every cell (issue 13). The two differ only when the text
    /// holds a combining mark right after the prefix, or a canonically equivalent spelling of it
    /// (a decomposed accent, a CJK compatibility ideograph): the ASCII and CJK words the readers
    /// look for are neither, and label look-ups (`LabelBook`) already compare bytes.
    func hasPrefixBytes(_ prefix: String) -> Bool {
        withUTF8Bytes { text in
            prefix.withUTF8Bytes { word in
                text.count >= word.count && (word.count == 0 || memcmp(text.baseAddress!, word.baseAddress!, word.count) == 0)
            }
        }
    }

    /// `hasSuffix` over UTF-8 bytes (`String.hasSuffix` walks reversed `Character`s); the same
    /// caveat as `hasPrefixBytes`.
    func hasSuffixBytes(_ suffix: String) -> Bool {
        withUTF8Bytes { text in
            suffix.withUTF8Bytes { word in
                text.count >= word.count
                    && (word.count == 0 || memcmp(text.baseAddress! + (text.count - word.count), word.baseAddress!, word.count) == 0)
            }
        }
    }

    /// Whether the text holds an ASCII `:` or a full-width `：` (EF BC 9A): a text without either
    /// has no `Character` that is one, so the `Character` walks for a colon can be skipped.
    var hasColonBytes: Bool {
        withUTF8Bytes { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
            if memchr(base, 0x3A, bytes.count) != nil { return true }
            return "：".withUTF8Bytes { bytesContain(bytes, $0) }
        }
    }
}
