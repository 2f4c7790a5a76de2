import Foundation

/// Builds zip archives in memory for the Office reader's tests, so that no hostile file is committed:
/// stored entries, and deflated entries of the form prefix + pattern × count + suffix, encoded with
/// fixed-Huffman back-references so that a gigabyte takes a few megabytes.
enum OfficeTestZip {
    enum Content {
        case stored([UInt8])
        case repeated(prefix: [UInt8], pattern: [UInt8], count: Int, suffix: [UInt8])
    }

    struct Entry {
        var name: String
        var content: Content
        /// A size to declare instead of the true one (a lying zip bomb).
        var declaredSize: UInt32?
        /// Skip the checksum (for entries too large to checksum quickly; the reader must stop before it matters).
        var skipCRC = false
    }

    static func stored(_ name: String, _ text: String) -> Entry {
        Entry(name: name, content: .stored(Array(text.utf8)))
    }

    static func make(_ entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for entry in entries {
            let (method, data, size, crc): (UInt16, [UInt8], Int, UInt32)
            switch entry.content {
            case .stored(let bytes):
                (method, data, size, crc) = (0, bytes, bytes.count, checksum(bytes))
            case .repeated(let prefix, let pattern, let count, let suffix):
                let total = prefix.count + pattern.count * count + suffix.count
                let sum: UInt32 = entry.skipCRC ? 0 : {
                    var c = CRC32()
                    c.update(prefix)
                    for _ in 0..<count { c.update(pattern) }
                    c.update(suffix)
                    return c.value
                }()
                (method, data, size, crc) = (8, deflateRepeated(prefix: prefix, pattern: pattern, count: count, suffix: suffix), total, sum)
            }
            let declared = entry.declaredSize ?? UInt32(truncatingIfNeeded: size)
            let name = Array(entry.name.utf8)
            let offset = UInt32(out.count)
            var local: [UInt8] = []
            local.le32(0x0403_4B50); local.le16(20); local.le16(0x0800); local.le16(method); local.le16(0); local.le16(0x21)
            local.le32(crc); local.le32(UInt32(data.count)); local.le32(declared); local.le16(UInt16(name.count)); local.le16(0)
            out += local + name + data
            central.le32(0x0201_4B50); central.le16(20); central.le16(20); central.le16(0x0800); central.le16(method)
            central.le16(0); central.le16(0x21); central.le32(crc); central.le32(UInt32(data.count)); central.le32(declared)
            central.le16(UInt16(name.count)); central.le16(0); central.le16(0); central.le16(0); central.le16(0); central.le32(0)
            central.le32(offset)
            central += name
        }
        let centralOffset = UInt32(out.count)
        out += central
        out.le32(0x0605_4B50); out.le16(0); out.le16(0); out.le16(UInt16(entries.count)); out.le16(UInt16(entries.count))
        out.le32(UInt32(central.count)); out.le32(centralOffset); out.le16(0)
        return out
    }

    struct CRC32 {
        static let table: [UInt32] = (0..<256).map { n in
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            return c
        }
        var state: UInt32 = 0xFFFF_FFFF
        mutating func update(_ bytes: [UInt8]) {
            for b in bytes { state = Self.table[Int((state ^ UInt32(b)) & 0xFF)] ^ (state >> 8) }
        }
        var value: UInt32 { state ^ 0xFFFF_FFFF }
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }

    private struct Bits {
        var bytes: [UInt8] = []
        var current: UInt32 = 0
        var count = 0
        mutating func write(_ value: UInt32, _ n: Int) {  // LSB first
            for i in 0..<n {
                current |= ((value >> UInt32(i)) & 1) << UInt32(count)
                count += 1
                if count == 8 { bytes.append(UInt8(current)); current = 0; count = 0 }
            }
        }
        mutating func huffman(_ code: UInt32, _ n: Int) {  // Huffman codes go MSB first
            for i in (0..<n).reversed() { write((code >> UInt32(i)) & 1, 1) }
        }
        mutating func literal(_ byte: UInt8) {
            if byte < 144 { huffman(0x30 + UInt32(byte), 8) } else { huffman(0x190 + UInt32(byte) - 144, 9) }
        }
        mutating func finish() -> [UInt8] {
            if count > 0 { bytes.append(UInt8(current)) }
            return bytes
        }
    }

    /// One fixed-Huffman block: the prefix and the pattern as literals, then copies of 258 bytes at the
    /// pattern's distance, the tail and the suffix as literals.
    static func deflateRepeated(prefix: [UInt8], pattern: [UInt8], count: Int, suffix: [UInt8]) -> [UInt8] {
        var bits = Bits()
        bits.write(1, 1)  // BFINAL
        bits.write(1, 2)  // fixed Huffman
        for b in prefix { bits.literal(b) }
        if count > 0 && !pattern.isEmpty {
            for b in pattern { bits.literal(b) }
            var remaining = pattern.count * (count - 1)
            let distance = pattern.count
            var code = 0, extra = 0, base = 1
            if distance <= 4 { code = distance - 1 } else {
                code = 4
                while true {
                    extra = (code - 2) / 2
                    base = (1 << (extra + 1)) + 1 + ((code & 1) << extra)
                    if distance < base + (1 << extra) { break }
                    code += 1
                }
            }
            var position = pattern.count
            while remaining >= 258 {
                bits.huffman(0xC5, 8)  // length 258 (symbol 285)
                bits.huffman(UInt32(code), 5)
                if distance > 4 { bits.write(UInt32(distance - base), extra) }
                remaining -= 258
                position += 258
            }
            for _ in 0..<remaining { bits.literal(pattern[position % pattern.count]); position += 1 }
        }
        for b in suffix { bits.literal(b) }
        bits.huffman(0, 7)  // end of block
        return bits.finish()
    }
}

extension Array where Element == UInt8 {
    mutating func le16(_ v: UInt16) { append(UInt8(v & 0xFF)); append(UInt8(v >> 8)) }
    mutating func le32(_ v: UInt32) { for i in 0..<4 { append(UInt8((v >> UInt32(8 * i)) & 0xFF)) } }
}

/// Minimal .docx and .xlsx packages around given XML, for the reader's tests.
enum OfficeTestDocuments {
    static let rels = #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%@"/></Relationships>"#

    static func docx(body: String) -> [UInt8] {
        let document = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>"# + body + "<w:sectPr/></w:body></w:document>"
        return OfficeTestZip.make([
            OfficeTestZip.stored("[Content_Types].xml", "<Types/>"),
            OfficeTestZip.stored("_rels/.rels", rels.replacingOccurrences(of: "%@", with: "word/document.xml")),
            OfficeTestZip.stored("word/document.xml", document),
        ])
    }

    /// A workbook of the given sheets (name, sheetData and after-sheetData XML, state), styles and shared strings.
    static func xlsx(sheets: [(name: String, xml: String, state: String?)], styles: String? = nil, sharedStrings: [String]? = nil, date1904: Bool = false, extra: [OfficeTestZip.Entry] = []) -> [UInt8] {
        var workbook = #"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        workbook += date1904 ? #"<workbookPr date1904="1"/>"# : "<workbookPr/>"
        workbook += "<sheets>"
        var workbookRels = #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        var entries: [OfficeTestZip.Entry] = [
            OfficeTestZip.stored("[Content_Types].xml", "<Types/>"),
            OfficeTestZip.stored("_rels/.rels", rels.replacingOccurrences(of: "%@", with: "xl/workbook.xml")),
        ]
        for (i, sheet) in sheets.enumerated() {
            workbook += #"<sheet name="\#(sheet.name)" sheetId="\#(i + 1)" r:id="rId\#(i + 1)"\#(sheet.state.map { " state=\"\($0)\"" } ?? "")/>"#
            workbookRels += #"<Relationship Id="rId\#(i + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#(i + 1).xml"/>"#
            entries.append(OfficeTestZip.stored("xl/worksheets/sheet\(i + 1).xml", worksheet(sheet.xml)))
        }
        workbook += "</sheets></workbook>"
        if let styles {
            workbookRels += #"<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
            entries.append(OfficeTestZip.stored("xl/styles.xml", #"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"# + styles + "</styleSheet>"))
        }
        if let sharedStrings {
            workbookRels += #"<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#
            entries.append(OfficeTestZip.stored("xl/sharedStrings.xml", #"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"# + sharedStrings.joined() + "</sst>"))
        }
        workbookRels += "</Relationships>"
        entries.append(OfficeTestZip.stored("xl/workbook.xml", workbook))
        entries.append(OfficeTestZip.stored("xl/_rels/workbook.xml.rels", workbookRels))
        return OfficeTestZip.make(entries + extra)
    }

    static let worksheetOpen = #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#

    static func worksheet(_ inner: String) -> String {
        worksheetOpen + inner + "</worksheet>"
    }
}
