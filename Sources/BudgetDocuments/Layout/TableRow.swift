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
