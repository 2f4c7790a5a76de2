/// Where a row (or one of its cells) sits in its file, for diagnostics.
///
/// Text files count lines; spreadsheets name the sheet and an A1 cell; Word and HTML files count tables
/// and rows (paragraphs outside tables count as their own positions).
public enum SourcePosition: Sendable, Equatable, CustomStringConvertible {
    /// A 1-based line of a text file.
    case line(Int)
    /// A 1-based row and 0-based column of a named sheet (`Sheet1!C7`).
    case cell(sheet: String, row: Int, column: Int)
    /// A 1-based table, row and 0-based column of a Word or HTML document (`table 2, row 5`).
    case tableRow(table: Int, row: Int, column: Int)
    /// A 1-based paragraph outside any table of a Word or HTML document.
    case paragraph(Int)

    /// The position of cell `column` of the row at this position.
    public func at(column: Int) -> SourcePosition {
        switch self {
        case .line: return self
        case .cell(let sheet, let row, _): return .cell(sheet: sheet, row: row, column: column)
        case .tableRow(let table, let row, _): return .tableRow(table: table, row: row, column: column)
        case .paragraph: return self
        }
    }

    /// The line number for text files; the row number otherwise (for sorting and for old callers).
    public var lineNumber: Int {
        switch self {
        case .line(let n): return n
        case .cell(_, let row, _): return row
        case .tableRow(_, let row, _): return row
        case .paragraph(let n): return n
        }
    }

    /// `12`, `Sheet1!C7`, `table 2, row 5, cell 3` or `paragraph 4`.
    public var description: String {
        switch self {
        case .line(let n): return "\(n)"
        case .cell(let sheet, let row, let column): return "\(sheet)!\(SourcePosition.columnLetters(column))\(row)"
        case .tableRow(let table, let row, let column): return "table \(table), row \(row), cell \(column + 1)"
        case .paragraph(let n): return "paragraph \(n)"
        }
    }

    /// 0 → A, 25 → Z, 26 → AA.
    public static func columnLetters(_ column: Int) -> String {
        var n = column + 1
        var letters: [Character] = []
        while n > 0 {
            let r = (n - 1) % 26
            letters.append(Character(Unicode.Scalar(UInt8(65 + r))))
            n = (n - 1) / 26
        }
        return String(letters.reversed())
    }
}

/// One row of cells as the document shows it, whatever the file format.
///
/// A text line split at tabs; a Word table row with `gridSpan`/`vMerge` merges expanded (a merged cell's
/// text in its first grid cell, the cells it covers empty); a sheet row with merged ranges expanded the
/// same way; a paragraph outside a table as a row of one cell. Cells keep their text as published
/// (leading spaces included: some templates show the indicator tree only by indentation); a line break
/// inside a cell becomes one space.
public struct GridRow: Sendable, Equatable {
    public var cells: [String]
    public var position: SourcePosition
    /// True for the last line of a text file that has no final newline (a hint that the file was cut off).
    public var isUnterminatedLastLine: Bool
    /// A line too long to read (already reported): its cells are not there, and its table cannot be read whole.
    public var isOversize: Bool

    public init(cells: [String], position: SourcePosition, isUnterminatedLastLine: Bool = false, isOversize: Bool = false) {
        self.cells = cells
        self.position = position
        self.isUnterminatedLastLine = isUnterminatedLastLine
        self.isOversize = isOversize
    }
}
