import Foundation
import ZIPFoundation

/// Tells formats apart by their first bytes (and a zip by its entry names), never by the file's extension:
/// 导出Excel buttons save SpreadsheetML and HTML as `.xls`, and users rename files.
enum FormatSniffer {
    static let ole2Magic: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    static func isZip(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) || bytes.starts(with: [0x50, 0x4B, 0x07, 0x08])
    }

    /// The first 4 KB as lowercase ASCII (other bytes dropped), a UTF-16 text transcoded first; enough to see
    /// an XML declaration, a root element or an HTML tag.
    static func asciiHead(_ bytes: [UInt8]) -> String {
        var head = Array(bytes.prefix(8192))
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) || (head.count >= 2 && (head[0] == 0 || head[1] == 0)) {
            // UTF-16 without or with BOM: keep the low (ASCII) bytes of each unit.
            let bigEndian = head.starts(with: [0xFE, 0xFF]) || head.first == 0
            var ascii: [UInt8] = []
            var i = bigEndian ? 1 : 0
            while i < head.count {
                if i + (bigEndian ? -1 : 1) < head.count, head[i + (bigEndian ? -1 : 1)] == 0 { ascii.append(head[i]) }
                i += 2
            }
            head = ascii
        }
        var text = ""
        text.unicodeScalars.reserveCapacity(head.count)
        for byte in head.prefix(4096) where byte < 0x80 {
            let lowered = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            text.unicodeScalars.append(Unicode.Scalar(lowered))
        }
        return text
    }

    /// The text after leading whitespace, a BOM's leftovers and XML/HTML comments or declarations.
    private static func firstMarkup(_ head: String) -> Substring {
        var rest = head[...].drop { $0.isWhitespace || !$0.isASCII }
        while rest.hasPrefix("<?") || rest.hasPrefix("<!--") || rest.hasPrefix("<!doctype") && !rest.hasPrefix("<!doctype html") {
            // A DOCTYPE with an internal subset ends at "]>"; reading refuses it later, but it is still this format.
            let subset = rest.firstIndex(of: "[").map { open in rest.firstIndex(of: ">").map { open < $0 } ?? true } ?? false
            let close = rest.hasPrefix("<?") ? "?>" : rest.hasPrefix("<!--") ? "-->" : subset ? "]>" : ">"
            guard let end = rest.range(of: close) else { return rest }
            rest = rest[end.upperBound...].drop { $0.isWhitespace }
        }
        return rest
    }

    static func isSpreadsheetML(_ head: String) -> Bool {
        let start = firstMarkup(head)
        guard start.hasPrefix("<") else { return false }
        return head.contains("urn:schemas-microsoft-com:office:spreadsheet") && (start.hasPrefix("<workbook") || start.hasPrefix("<ss:workbook"))
    }

    static func isHTML(_ head: String) -> Bool {
        let start = firstMarkup(head)
        guard start.hasPrefix("<") else { return false }
        for opening in ["<!doctype html", "<html", "<head", "<body", "<table", "<meta", "<style", "<title"] where start.hasPrefix(opening) { return true }
        // Some exports open with a <div> or <p> caption: an HTML table if a <table> follows soon.
        return (start.hasPrefix("<div") || start.hasPrefix("<p") || start.hasPrefix("<h")) && head.contains("<table")
    }

    /// `.docx` when the zip's entries include `word/`, `.xlsx` when `xl/`; a damaged zip is judged by the entry
    /// names its bytes hold, so that reading it reports the damage rather than "not a document".
    static func zipFormat(_ bytes: [UInt8]) -> OfficeReader.Format? {
        if let archive = OfficePackage.openArchive(bytes) {
            var count = 0
            for entry in archive {
                let path = OfficePackage.normalize(entry.path)
                if path == "word/document.xml" || path.hasPrefix("word/") && path.hasSuffix("document.xml") { return .docx }
                if path == "xl/workbook.xml" || path.hasPrefix("xl/") && path.hasSuffix("workbook.xml") { return .xlsx }
                count += 1
                if count > 100_000 { break }
            }
            return nil
        }
        let hasWord = contains(bytes, Array("word/document".utf8))
        let hasExcel = contains(bytes, Array("xl/workbook".utf8))
        if hasWord != hasExcel { return hasWord ? .docx : .xlsx }
        return nil
    }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        !needle.isEmpty && containsBytes(bytes, needle)
    }

    static func refusal(_ bytes: [UInt8], file: String) -> OfficeReadError? {
        if bytes.starts(with: ole2Magic) {
            // The compound file's directory names its streams in UTF-16LE: WordDocument for Word/WPS Writer,
            // Workbook/Book for Excel/WPS Spreadsheets.
            let isWord = contains(bytes, utf16LE("WordDocument"))
            let isExcel = !isWord && (contains(bytes, utf16LE("Workbook")) || contains(bytes, utf16LE("Book")))
            let kind = isWord ? "a binary Word/WPS document (.doc/.wps, OLE2)" : isExcel ? "a binary Excel/WPS workbook (.xls/.et, OLE2)" : "a binary Office file (.xls/.doc/.wps, OLE2)"
            let how = isWord ? "`soffice --headless --convert-to docx \(file)`"
                : "`soffice --headless --convert-to xlsx \(file)`" + (isExcel ? "" : " (or --convert-to docx for a Word file)")
            return OfficeReadError(.unsupportedFormat, file: file, "\(kind), which budgetq does not read; convert it with \(how) and load the converted file")
        }
        if bytes.starts(with: Array("%PDF".utf8)) {
            return OfficeReadError(.unsupportedFormat, file: file, "a PDF file, which budgetq does not read; load the .docx/.xlsx the table was published from, or extract its text with `pdftotext -layout \(file)` and put a TAB between the cells")
        }
        if bytes.starts(with: Array("{\\rtf".utf8)) {
            return OfficeReadError(.unsupportedFormat, file: file, "an RTF document, which budgetq does not read; convert it with `soffice --headless --convert-to docx \(file)`")
        }
        if isZip(bytes) && zipFormat(bytes) == nil && contains(Array(bytes.prefix(200)), Array("application/vnd.oasis.opendocument".utf8)) {
            let target = contains(Array(bytes.prefix(200)), Array("opendocument.spreadsheet".utf8)) ? "xlsx" : "docx"
            return OfficeReadError(.unsupportedFormat, file: file, "an OpenDocument file (.ods/.odt), which budgetq does not read; convert it with `soffice --headless --convert-to \(target) \(file)`")
        }
        let head = asciiHead(bytes)
        if firstMarkup(head).hasPrefix("<") && (head.contains("progid=\"word.document\"") || head.contains("<w:worddocument")) {
            return OfficeReadError(.unsupportedFormat, file: file, "a Word 2003 XML document, which budgetq does not read; convert it with `soffice --headless --convert-to docx \(file)`")
        }
        return nil
    }

    private static func utf16LE(_ text: String) -> [UInt8] {
        text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }
}
