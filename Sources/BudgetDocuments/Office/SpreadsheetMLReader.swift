import Foundation

/// Reads Excel 2003 XML ("XML Spreadsheet", what many 导出Excel buttons save as .xls).
enum SpreadsheetMLReader {
    static func rows(bytes: [UInt8], file: String, budget: inout CellBudget) throws(OfficeReadError) -> [GridRow] {
        throw OfficeReadError(.unsupportedFormat, file: file, "SpreadsheetML is not read yet")
    }
}
