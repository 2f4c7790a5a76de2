import Foundation

/// Reads the tables and paragraphs of an HTML page (what other 导出Excel/导出Word buttons save as .xls/.doc).
enum HTMLTableReader {
    static func rows(bytes: [UInt8], file: String, budget: inout CellBudget) throws(OfficeReadError) -> [GridRow] {
        throw OfficeReadError(.unsupportedFormat, file: file, "HTML is not read yet")
    }
}
