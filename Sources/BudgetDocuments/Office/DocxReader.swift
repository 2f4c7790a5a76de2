import Foundation

/// Reads the body of a .docx (`word/document.xml`): tables as rows of cells, paragraphs outside tables as
/// one-cell rows, in the order of the body's children.
///
/// `w:gridSpan` gives the text and then span-1 empty cells; a `w:vMerge` (or old `w:hMerge`) continuation
/// is an empty cell; `w:gridBefore` leads with empty cells. Several paragraphs in a cell, and line breaks
/// and tabs inside one, are joined with one space. A table nested in a cell reads as more paragraphs of
/// that cell. Deleted text (tracked changes), field instructions, VML fallbacks and text boxes are not
/// part of the table and are left out.
enum DocxReader {
    static let officeDocumentType = "/officeDocument"

    static func rows(package: OfficePackage, budget: inout CellBudget) throws(OfficeReadError) -> [GridRow] {
        var main = "word/document.xml"
        for relationship in try package.relationships(of: "") where relationship.type.hasSuffix(officeDocumentType) {
            if package.has(relationship.target) { main = relationship.target; break }
        }
        let sink = Sink(part: main, budget: budget)
        try OfficeXML.parse(package.read(main), part: main, file: package.file, into: sink)
        budget = sink.budget
        return sink.rows
    }

    private final class Sink: XMLEventSink {
        let part: String
        var budget: CellBudget
        var rows: [GridRow] = []

        /// Depth inside elements whose text is not shown (deleted runs, fallbacks, text boxes).
        var skipDepth = 0
        var tableDepth = 0
        var tableCount = 0
        var rowInTable = 0
        var paragraphCount = 0
        var runDepth = 0
        var inText = false
        var paragraph = ""

        // The row and cell of the outermost table being read.
        var cells: [String] = []
        var cellParagraphs: [String] = []
        var gridSpan = 1
        var isContinuation = false
        var inCellProperties = false
        var inRowProperties = false

        init(part: String, budget: CellBudget) {
            self.part = part
            self.budget = budget
        }

        static let skipped: Set<String> = ["Fallback", "del", "moveFrom", "delText", "instrText", "delInstrText", "txbxContent", "footnoteReference", "endnoteReference"]

        func start(_ name: String, _ attributes: XMLAttributes) throws(OfficeReadError) {
            if skipDepth > 0 { skipDepth += 1; return }
            if Self.skipped.contains(name) { skipDepth = 1; return }
            switch name {
            case "tbl":
                tableDepth += 1
                if tableDepth == 1 { tableCount += 1; rowInTable = 0 }
            case "tr" where tableDepth == 1:
                rowInTable += 1
                cells = []
            case "trPr" where tableDepth == 1: inRowProperties = true
            case "gridBefore" where tableDepth == 1 && inRowProperties:
                cells.append(contentsOf: repeatElement("", count: Self.span(attributes["val"])))
            case "tc" where tableDepth == 1:
                cellParagraphs = []
                gridSpan = 1
                isContinuation = false
            case "tcPr" where tableDepth == 1: inCellProperties = true
            case "gridSpan" where tableDepth == 1 && inCellProperties:
                gridSpan = Self.span(attributes["val"])
            case "vMerge" where tableDepth == 1 && inCellProperties, "hMerge" where tableDepth == 1 && inCellProperties:
                // No val, or val="continue": the cell is covered by the one above (left).
                let value = attributes["val"]
                if value == nil || value == "continue" { isContinuation = true }
            case "p":
                paragraph = ""
            case "r":
                runDepth += 1
            case "t" where runDepth > 0:
                inText = true
            case "tab" where runDepth > 0, "br" where runDepth > 0, "cr" where runDepth > 0:
                paragraph += " "
            case "noBreakHyphen" where runDepth > 0:
                paragraph += "-"
            default:
                break
            }
        }

        func end(_ name: String) throws(OfficeReadError) {
            if skipDepth > 0 { skipDepth -= 1; return }
            switch name {
            case "tbl":
                tableDepth = max(0, tableDepth - 1)
            case "trPr" where tableDepth == 1: inRowProperties = false
            case "tcPr" where tableDepth == 1: inCellProperties = false
            case "tc" where tableDepth == 1:
                let text = isContinuation ? "" : cellParagraphs.joined(separator: " ")
                cells.append(text)
                if gridSpan > 1 { cells.append(contentsOf: repeatElement("", count: gridSpan - 1)) }
            case "tr" where tableDepth == 1:
                if cells.contains(where: hasVisibleText) {
                    try budget.spend(cells.count, part: part)
                    rows.append(GridRow(cells: cells, position: .tableRow(table: tableCount, row: rowInTable, column: 0)))
                }
                cells = []
            case "p":
                let text = flattenCellText(paragraph)
                paragraph = ""
                if tableDepth > 0 {
                    if hasVisibleText(text) { cellParagraphs.append(text) }
                } else {
                    paragraphCount += 1
                    if hasVisibleText(text) {
                        try budget.spend(1, part: part)
                        rows.append(GridRow(cells: [text], position: .paragraph(paragraphCount)))
                    }
                }
            case "r":
                runDepth = max(0, runDepth - 1)
            case "t":
                inText = false
            default:
                break
            }
        }

        func text(_ text: String) {
            if inText && skipDepth == 0 { paragraph += text }
        }

        /// A `w:val` span: at least 1; at most 1000 (Word allows 63 columns), so a hostile 10⁹ cannot allocate.
        static func span(_ value: String?) -> Int {
            guard let value, let n = Int(value.trimmingCharacters(in: .whitespaces)), n > 1 else { return 1 }
            return min(n, 1000)
        }
    }
}
