import Foundation

/// How much an Office or HTML document may expand to before reading stops with an error.
///
/// A .docx/.xlsx is a zip: a few kilobytes can declare or inflate to gigabytes, so every part is
/// checked against its declared size before inflating and counted while inflating.
public struct OfficeLimits: Sendable, Equatable {
    /// Largest uncompressed size of one zip entry (an XML part).
    public var maxPartBytes: Int
    /// Largest uncompressed size of all the parts read from one file together.
    public var maxTotalBytes: Int
    /// Most entries a zip may list (a real .xlsx has a few dozen).
    public var maxEntries: Int
    /// Most cells (empty ones between filled ones included) all the rows of one file may hold.
    public var maxCells: Int

    public init(maxPartBytes: Int = 256 << 20, maxTotalBytes: Int = 512 << 20, maxEntries: Int = 10_000, maxCells: Int = 10_000_000) {
        self.maxPartBytes = maxPartBytes
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
        self.maxCells = maxCells
    }
}

/// Why an Office or HTML document could not be read; `description` is the message for the user.
public struct OfficeReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that react differently (e.g. suggest a conversion).
    public enum Kind: String, Sendable {
        /// A binary or foreign format budgetq does not read (.xls/.doc/.wps, PDF, RTF, OpenDocument).
        case unsupportedFormat
        /// Not a zip, a truncated zip, a bad checksum, a missing part.
        case corruptDocument
        /// The document expands past `OfficeLimits`.
        case limitExceeded
        /// A part is not well-formed XML, or declares a DOCTYPE / entities.
        case malformedXML
    }

    public var kind: Kind
    /// The file as the user named it.
    public var file: String
    /// The part inside the document (`xl/worksheets/sheet1.xml`), when the error is in one.
    public var part: String?
    public var message: String

    public init(_ kind: Kind, file: String, part: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.part = part
        self.message = message
    }

    public var description: String {
        if let part { return "\(file): \(part): \(message)" }
        return "\(file): \(message)"
    }
}

/// Reads a Word, Excel, SpreadsheetML or HTML document into rows, detecting the format by content, not by extension.
///
/// The rows have the form of the tab-separated text files (see `GridRow`): one table row per row,
/// merged cells expanded (text in the first cell, the covered cells empty), a line break inside a cell
/// as one space, paragraphs outside tables as one-cell rows in document order, empty rows left out.
public enum OfficeReader {
    /// The document formats `rows(of:file:limits:)` reads.
    public enum Format: String, Sendable {
        /// Word 2007+ (.docx): a zip with `word/document.xml`.
        case docx
        /// Excel 2007+ (.xlsx, .xlsm): a zip with `xl/workbook.xml`.
        case xlsx
        /// Excel 2003 XML ("XML Spreadsheet"), which many 导出Excel buttons save as .xls.
        case spreadsheetML
        /// An HTML page with tables, which other 导出Excel/导出Word buttons save as .xls/.doc.
        case htmlTable
    }

    /// The format of `bytes`, or nil when they are not an Office/HTML document (then the caller reads them as text).
    ///
    /// A zip that is neither Word nor Excel, and the binary formats `refusal(of:file:)` names, give nil too:
    /// call `refusal` first.
    public static func detect(_ bytes: [UInt8]) -> Format? {
        if FormatSniffer.isZip(bytes) { return FormatSniffer.zipFormat(bytes) }
        let head = FormatSniffer.asciiHead(bytes)
        if FormatSniffer.isSpreadsheetML(head) { return .spreadsheetML }
        if FormatSniffer.isHTML(head) { return .htmlTable }
        return nil
    }

    /// The error to report for a binary or foreign format budgetq refuses (OLE2 .xls/.doc/.wps, PDF, RTF,
    /// OpenDocument, Word 2003 XML), naming how to convert it; nil for anything else.
    public static func refusal(of bytes: [UInt8], file: String) -> OfficeReadError? {
        FormatSniffer.refusal(bytes, file: file)
    }

    /// The rows of a .docx, .xlsx, SpreadsheetML or HTML document, in document order.
    ///
    /// Throws for refused formats (see `refusal(of:file:)`), for bytes that are no Office/HTML document,
    /// corrupt zips, malformed XML (naming the part and line), and documents past `limits`.
    public static func rows(of bytes: [UInt8], file: String, limits: OfficeLimits = OfficeLimits()) throws(OfficeReadError) -> [GridRow] {
        if let refused = refusal(of: bytes, file: file) { throw refused }
        guard let format = detect(bytes) else {
            if FormatSniffer.isZip(bytes) {
                throw OfficeReadError(.corruptDocument, file: file, "a zip archive without word/document.xml or xl/workbook.xml; expected a .docx or .xlsx file")
            }
            throw OfficeReadError(.unsupportedFormat, file: file, "not a Word, Excel, SpreadsheetML or HTML document; expected .docx, .xlsx, or an Excel XML/HTML export")
        }
        return try rows(of: bytes, format: format, file: file, limits: limits)
    }

    /// The rows of `bytes` read as `format` (for callers that detected the format already).
    public static func rows(of bytes: [UInt8], format: Format, file: String, limits: OfficeLimits = OfficeLimits()) throws(OfficeReadError) -> [GridRow] {
        var budget = CellBudget(limit: limits.maxCells, file: file)
        switch format {
        case .docx:
            let package = try OfficePackage(bytes: bytes, file: file, limits: limits)
            return try DocxReader.rows(package: package, budget: &budget)
        case .xlsx:
            let package = try OfficePackage(bytes: bytes, file: file, limits: limits)
            return try XlsxReader.rows(package: package, budget: &budget)
        case .spreadsheetML:
            return try SpreadsheetMLReader.rows(bytes: bytes, file: file, budget: &budget)
        case .htmlTable:
            return try HTMLTableReader.rows(bytes: bytes, file: file, budget: &budget)
        }
    }
}

/// Counts the cells a document's rows hold, so that a sheet with one cell at XFD1048576 in every row
/// cannot make the reader allocate gigabytes of empty cells.
struct CellBudget {
    let limit: Int
    let file: String
    private(set) var used = 0

    init(limit: Int, file: String) {
        self.limit = limit
        self.file = file
    }

    mutating func spend(_ cells: Int, part: String?) throws(OfficeReadError) {
        used += cells
        if used > limit {
            throw OfficeReadError(.limitExceeded, file: file, part: part, "the rows would hold more than \(limit) cells (OfficeLimits.maxCells); expected a budget table, not a grid of this size")
        }
    }
}

/// Turns a cell's text into the text form: a line break (CR, LF or CRLF) or a TAB becomes one space.
func flattenCellText(_ text: String) -> String {
    if !text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return text }
    var out = ""
    out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
    var previousCR = false
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\r": out.unicodeScalars.append(" "); previousCR = true; continue
        case "\n": if !previousCR { out.unicodeScalars.append(" ") }
        case "\t": out.unicodeScalars.append(" ")
        default: out.unicodeScalars.append(scalar)
        }
        previousCR = false
    }
    return out
}

/// True when the text has something besides whitespace.
func hasVisibleText(_ text: String) -> Bool {
    text.unicodeScalars.contains { !$0.properties.isWhitespace }
}
