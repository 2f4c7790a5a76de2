import Foundation

/// Reads the tables and paragraphs of an HTML page (what other 导出Excel/导出Word buttons save as .xls/.doc):
/// each top-level `<table>` row as a row, text outside tables as one-cell rows, in page order.
///
/// HTML from exports is rarely well-formed XML (`<br>`, `<meta>`, `&nbsp;`, unclosed `<td>`), so this is
/// a small tolerant tokenizer, not an XML parser. `colspan` gives the text and then empty cells; a
/// `rowspan` leaves its column empty in the rows below (later cells move past it, as browsers place
/// them). Whitespace collapses as a browser shows it; `&nbsp;` is kept, so indentation made of it stays.
/// A table inside a cell reads as more text of that cell.
enum HTMLTableReader {
    static func rows(bytes: [UInt8], file: String, budget: inout CellBudget) throws(OfficeReadError) -> [GridRow] {
        let utf8: [UInt8]
        switch TextDecoding.decode(bytes) {
        case .success(let (decoded, _)): utf8 = decoded
        case .failure(let failure): throw OfficeReadError(.corruptDocument, file: file, "the HTML page cannot be read as text: \(failure)")
        }
        var builder = Builder(budget: budget)
        try Tokenizer.run(utf8) { (event: Tokenizer.Event) throws(OfficeReadError) in try builder.handle(event) }
        try builder.finishAll()
        budget = builder.budget
        return builder.rows
    }

    // MARK: Tokens

    enum Tokenizer {
        enum Event {
            case text(String)
            case start(String, [String: String])
            case end(String)
        }

        /// Elements whose content is not page text.
        static let rawText: Set<String> = ["script", "style", "title", "xml", "textarea", "template"]

        static func run(_ b: [UInt8], _ emit: (Event) throws(OfficeReadError) -> Void) throws(OfficeReadError) {
            var i = 0
            let n = b.count
            func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
            func lowerName(_ from: Int) -> (String, Int) {
                var j = from
                while j < n, b[j] != 0x20, b[j] != 0x09, b[j] != 0x0A, b[j] != 0x0D, b[j] != 0x3E, b[j] != 0x2F { j += 1 }
                return (String(decoding: b[from..<j], as: UTF8.self).lowercased(), j)
            }
            while i < n {
                if b[i] != 0x3C {  // text up to the next '<'
                    var j = i
                    while j < n && b[j] != 0x3C { j += 1 }
                    try emit(.text(decodeEntities(String(decoding: b[i..<j], as: UTF8.self))))
                    i = j
                    continue
                }
                if i + 3 < n && b[i + 1] == 0x21 && b[i + 2] == 0x2D && b[i + 3] == 0x2D {  // <!-- … -->
                    i = find([0x2D, 0x2D, 0x3E], in: b, from: i + 4).map { $0 + 3 } ?? n
                    continue
                }
                if i + 1 < n && (b[i + 1] == 0x21 || b[i + 1] == 0x3F) {  // <!DOCTYPE …>, <![if …]>, <?xml …?>
                    i = find([0x3E], in: b, from: i + 2).map { $0 + 1 } ?? n
                    continue
                }
                if i + 2 < n && b[i + 1] == 0x2F && isLetter(b[i + 2]) {  // </name …>
                    let (name, after) = lowerName(i + 2)
                    i = find([0x3E], in: b, from: after).map { $0 + 1 } ?? n
                    try emit(.end(localName(name)))
                    continue
                }
                if i + 1 < n && isLetter(b[i + 1]) {  // <name attr="…" …>
                    let (name, after) = lowerName(i + 1)
                    var attributes: [String: String] = [:]
                    var j = after
                    var selfClosing = false
                    while j < n && b[j] != 0x3E {
                        if b[j] == 0x2F { selfClosing = true; j += 1; continue }
                        if b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0A || b[j] == 0x0D { j += 1; continue }
                        selfClosing = false
                        let keyStart = j
                        while j < n, b[j] != 0x3D, b[j] != 0x3E, b[j] != 0x20, b[j] != 0x09, b[j] != 0x0A, b[j] != 0x0D, b[j] != 0x2F { j += 1 }
                        let key = String(decoding: b[keyStart..<j], as: UTF8.self).lowercased()
                        var value = ""
                        while j < n && (b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0A || b[j] == 0x0D) { j += 1 }
                        if j < n && b[j] == 0x3D {
                            j += 1
                            while j < n && (b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0A || b[j] == 0x0D) { j += 1 }
                            if j < n && (b[j] == 0x22 || b[j] == 0x27) {
                                let quote = b[j]
                                let valueStart = j + 1
                                j = valueStart
                                while j < n && b[j] != quote { j += 1 }
                                value = String(decoding: b[valueStart..<min(j, n)], as: UTF8.self)
                                if j < n { j += 1 }
                            } else {
                                let valueStart = j
                                while j < n, b[j] != 0x3E, b[j] != 0x20, b[j] != 0x09, b[j] != 0x0A, b[j] != 0x0D { j += 1 }
                                value = String(decoding: b[valueStart..<j], as: UTF8.self)
                            }
                        }
                        if !key.isEmpty && attributes.count < 64 { attributes[key] = value }
                    }
                    i = min(n, j + 1)
                    let local = localName(name)
                    try emit(.start(local, attributes))
                    if selfClosing { try emit(.end(local)) }
                    if rawText.contains(local) && !selfClosing {
                        // Skip to </name (case-insensitive).
                        let closing = Array("</\(name)".utf8)
                        var k = i
                        while k < n {
                            if b[k] == 0x3C, k + closing.count <= n, zip(closing, b[k..<(k + closing.count)]).allSatisfy({ $0 == ($1 >= 0x41 && $1 <= 0x5A ? $1 | 0x20 : $1) }) { break }
                            k += 1
                        }
                        i = k
                    }
                    continue
                }
                try emit(.text("<"))
                i += 1
            }
        }

        /// `o:p` → `p`, `x:td` → `td`: Office's HTML mixes in prefixed elements.
        static func localName(_ name: String) -> String {
            guard let colon = name.lastIndex(of: ":") else { return name }
            return String(name[name.index(after: colon)...])
        }

        static func find(_ needle: [UInt8], in b: [UInt8], from: Int) -> Int? {
            guard !needle.isEmpty, from < b.count else { return nil }
            var i = from
            while i + needle.count <= b.count {
                if b[i] == needle[0] {
                    var k = 1
                    while k < needle.count && b[i + k] == needle[k] { k += 1 }
                    if k == needle.count { return i }
                }
                i += 1
            }
            return nil
        }

        static let entities: [String: String] = [
            "nbsp": "\u{00A0}", "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "ensp": "\u{2002}",
            "emsp": "\u{2003}", "thinsp": "\u{2009}", "middot": "·", "times": "×", "divide": "÷", "ge": "≥", "le": "≤",
            "ne": "≠", "yen": "¥", "copy": "©", "reg": "®", "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘",
            "rsquo": "’", "ldquo": "“", "rdquo": "”", "bull": "•", "deg": "°", "plusmn": "±", "permil": "‰",
            "sup2": "²", "sup3": "³", "laquo": "«", "raquo": "»", "shy": "",
        ]

        /// `&amp;`, `&nbsp;`, `&#25253;`, `&#x4E00;`; an unknown or unterminated entity stays as written.
        static func decodeEntities(_ text: String) -> String {
            guard text.contains("&") else { return text }
            var out = ""
            var rest = text[...]
            while let amp = rest.firstIndex(of: "&") {
                out += rest[..<amp]
                let after = rest[rest.index(after: amp)...]
                if let semi = after.prefix(12).firstIndex(of: ";") {
                    let name = after[..<semi]
                    var replacement: String?
                    if name.hasPrefix("#x") || name.hasPrefix("#X") {
                        replacement = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                    } else if name.hasPrefix("#") {
                        replacement = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                    } else {
                        replacement = entities[String(name)] ?? entities[name.lowercased()]
                    }
                    if let replacement {
                        out += replacement
                        rest = after[after.index(after: semi)...]
                        continue
                    }
                }
                out += "&"
                rest = after
            }
            out += rest
            return out
        }
    }

    // MARK: Rows

    /// Elements that end a line of text outside tables (and a paragraph inside a cell).
    static let blocks: Set<String> = ["p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "center", "blockquote",
                                      "pre", "hr", "section", "article", "header", "footer", "body", "html", "form", "dl", "dt", "dd", "caption"]

    struct Builder {
        var budget: CellBudget
        var rows: [GridRow] = []
        var inHead = false
        var paragraph = ""
        var paragraphCount = 0

        var tableDepth = 0
        var tableCount = 0
        var rowIndex = 0
        var rowOpen = false
        var slots: [Int: String] = [:]
        var column = 0
        /// Column → the last row a rowspan above covers it to.
        var coveredTo: [Int: Int] = [:]
        var cellOpen = false
        var cellText = ""
        var cellColumn = 0
        var cellSpan = 1

        init(budget: CellBudget) { self.budget = budget }

        mutating func handle(_ event: Tokenizer.Event) throws(OfficeReadError) {
            switch event {
            case .text(let text):
                if inHead { return }
                if tableDepth == 0 { paragraph += text } else if cellOpen { cellText += text }
            case .start(let name, let attributes):
                switch name {
                case "head": inHead = true
                case "body": inHead = false; try flushParagraph()
                case "table":
                    if tableDepth == 0 {
                        try flushParagraph()
                        tableCount += 1
                        rowIndex = 0
                        coveredTo = [:]
                    } else if cellOpen {
                        cellText += " "
                    }
                    tableDepth += 1
                case "tr" where tableDepth == 1:
                    try closeRow()
                    rowIndex += 1
                    rowOpen = true
                case "td" where tableDepth == 1, "th" where tableDepth == 1:
                    try closeCell()
                    if !rowOpen { rowIndex += 1; rowOpen = true }
                    while let end = coveredTo[column], end >= rowIndex { column += 1 }
                    cellColumn = column
                    cellSpan = Self.span(attributes["colspan"], max: 1000)
                    let down = Self.span(attributes["rowspan"], max: 65534)
                    if down > 1 {
                        for c in cellColumn..<(cellColumn + cellSpan) { coveredTo[c] = rowIndex + down - 1 }
                    }
                    cellOpen = true
                    cellText = ""
                default:
                    if HTMLTableReader.blocks.contains(name) || (tableDepth > 1 && (name == "td" || name == "th" || name == "tr")) {
                        if tableDepth == 0 { try flushParagraph() } else if cellOpen { cellText += "\n" }
                    }
                }
            case .end(let name):
                switch name {
                case "head": inHead = false
                case "table":
                    if tableDepth == 1 { try closeRow() }
                    tableDepth = max(0, tableDepth - 1)
                case "tr" where tableDepth == 1: try closeRow()
                case "td" where tableDepth == 1, "th" where tableDepth == 1: try closeCell()
                default:
                    if HTMLTableReader.blocks.contains(name) {
                        if tableDepth == 0 { try flushParagraph() } else if cellOpen { cellText += "\n" }
                    }
                }
            }
        }

        mutating func finishAll() throws(OfficeReadError) {
            if tableDepth > 0 { try closeRow() }
            try flushParagraph()
        }

        private mutating func closeCell() throws(OfficeReadError) {
            guard cellOpen else { return }
            cellOpen = false
            let text = Self.shown(cellText)
            if !text.isEmpty { slots[cellColumn] = text }
            column = cellColumn + cellSpan
            cellText = ""
        }

        private mutating func closeRow() throws(OfficeReadError) {
            try closeCell()
            guard rowOpen else { return }
            rowOpen = false
            column = 0
            defer { slots = [:] }
            guard let last = slots.keys.max() else { return }
            try budget.spend(last + 1, part: nil)
            var cells = [String](repeating: "", count: last + 1)
            for (c, text) in slots { cells[c] = text }
            if cells.contains(where: hasVisibleText) {
                rows.append(GridRow(cells: cells, position: .tableRow(table: tableCount, row: rowIndex, column: 0)))
            }
        }

        private mutating func flushParagraph() throws(OfficeReadError) {
            let text = Self.shown(paragraph)
            paragraph = ""
            guard hasVisibleText(text) else { return }
            paragraphCount += 1
            try budget.spend(1, part: nil)
            rows.append(GridRow(cells: [text], position: .paragraph(paragraphCount)))
        }

        /// Text as a browser shows it: runs of spaces, tabs and line breaks as one space, none at the ends;
        /// then non-breaking spaces as plain spaces (kept, leading ones included).
        static func shown(_ raw: String) -> String {
            var out = ""
            var pendingSpace = false
            for scalar in raw.unicodeScalars {
                if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" {
                    pendingSpace = !out.isEmpty
                    continue
                }
                if pendingSpace { out.unicodeScalars.append(" "); pendingSpace = false }
                out.unicodeScalars.append(scalar == "\u{00A0}" ? " " : scalar)
            }
            return out
        }

        static func span(_ value: String?, max limit: Int) -> Int {
            guard let value, let n = Int(value.trimmingCharacters(in: .whitespaces)), n > 1 else { return 1 }
            return min(n, limit)
        }
    }
}
