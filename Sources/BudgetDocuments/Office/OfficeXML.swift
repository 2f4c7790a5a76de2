import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Receives the events of one XML part, element names without their namespace prefix (`w:tc` → `tc`).
///
/// Office parts bind their namespaces to conventional prefixes, but nothing requires them; the readers
/// look only at local names of the elements they know, which no two Office vocabularies they read share.
protocol XMLEventSink: AnyObject {
    func start(_ name: String, _ attributes: XMLAttributes) throws(OfficeReadError)
    func end(_ name: String) throws(OfficeReadError)
    func text(_ text: String)
}

/// An element's attributes, looked up by local name (`w:val` answers to `val`).
struct XMLAttributes {
    let raw: [String: String]

    subscript(_ name: String) -> String? {
        if let value = raw[name] { return value }
        for (key, value) in raw {
            if let colon = key.lastIndex(of: ":"), key[key.index(after: colon)...] == name { return value }
        }
        return nil
    }
}

/// Parses one part with Foundation's XMLParser (a SAX parser: nothing of the document is kept but what the
/// sink keeps), after refusing a DOCTYPE: Office parts never have one, and a DTD is how entity-expansion
/// bombs ("billion laughs") and external entities get in.
enum OfficeXML {
    static func parse(_ raw: Data, part: String, file: String, into sink: XMLEventSink) throws(OfficeReadError) {
        let data = try utf8(raw, part: part, file: file)
        if declaresDTD(data) {
            throw OfficeReadError(.malformedXML, file: file, part: part, "the XML declares a DOCTYPE or entities, which Office documents never do; refused (a DTD can expand a few bytes into gigabytes)")
        }
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        let delegate = Delegate(sink: sink, part: part, file: file)
        parser.delegate = delegate
        let ok = parser.parse()
        if let error = delegate.error { throw error }
        if !ok || delegate.syntaxError != nil {
            let (code, line, column) = delegate.syntaxError ?? ((parser.parserError as NSError?)?.code ?? 0, parser.lineNumber, parser.columnNumber)
            throw OfficeReadError(.malformedXML, file: file, part: part,
                                  "XML error at line \(line), column \(column): \(describe(code)); expected a well-formed XML part")
        }
    }

    /// The part as UTF-8 without an encoding declaration: UTF-16 (with BOM) and a declared legacy encoding
    /// (`encoding="GB2312"`) are converted, and anything else must be valid UTF-8. FoundationXML traps on
    /// names that are not valid UTF-8, so libxml2 never sees such bytes.
    static func utf8(_ data: Data, part: String, file: String) throws(OfficeReadError) -> Data {
        var bytes = [UInt8](data)
        let utf16 = bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF])
            || bytes.starts(with: [0x3C, 0x00, 0x3F, 0x00]) || bytes.starts(with: [0x00, 0x3C, 0x00, 0x3F])
        var encoding: String? = utf16 ? (bytes.starts(with: [0xFE, 0xFF]) || bytes.first == 0 ? "UTF-16BE" : "UTF-16LE") : nil
        if encoding == nil, let declared = declaredEncoding(bytes), !["utf-8", "utf8", "us-ascii", "ascii"].contains(declared.lowercased()) {
            encoding = declared
        }
        if let encoding {
            var source = bytes
            if source.starts(with: [0xFF, 0xFE]) || source.starts(with: [0xFE, 0xFF]) { source.removeFirst(2) }
            guard let converted = TextDecoding.iconvConvert(source, from: encoding) else {
                throw OfficeReadError(.malformedXML, file: file, part: part, "the XML is not valid \(encoding) text; expected UTF-8 or UTF-16")
            }
            bytes = converted
        } else if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes.removeFirst(3)
        }
        bytes = withoutProcessingInstructions(bytes)
        let invalid: Int? = bytes.withUnsafeBufferPointer { buffer in
            if String(validating: buffer, as: UTF8.self) != nil { return nil }
            var parser = Unicode.UTF8.ForwardParser()
            var iterator = buffer.makeIterator()
            var offset = 0
            while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid(let scalar): offset += scalar.count
                case .error: return offset
                case .emptyInput: return offset
                }
            }
        }
        if let invalid {
            throw OfficeReadError(.malformedXML, file: file, part: part, "bytes that are not UTF-8 near byte \(invalid); expected UTF-8 (or UTF-16) XML")
        }
        return Data(bytes)
    }

    /// The bytes without `<?…?>` (the XML declaration, `<?mso-application …?>`): the declaration would name
    /// the old encoding, no reader needs a processing instruction, and FoundationXML crashes on one
    /// without data (`<?x?>`). One that never closes stays, for libxml2 to report.
    static func withoutProcessingInstructions(_ bytes: [UInt8]) -> [UInt8] {
        guard HTMLTableReader.Tokenizer.find([0x3C, 0x3F], in: bytes, from: 0) != nil else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x3C, i + 1 < bytes.count, bytes[i + 1] == 0x3F, let end = HTMLTableReader.Tokenizer.find([0x3F, 0x3E], in: bytes, from: i + 2) {
                i = end + 2
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    /// The `encoding="…"` of an XML declaration at the start, if any.
    static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        guard bytes.starts(with: Array("<?xml".utf8)) else { return nil }
        let head = String(decoding: bytes.prefix(200), as: UTF8.self)
        guard let end = head.range(of: "?>"), let key = head[..<end.lowerBound].range(of: "encoding") else { return nil }
        let rest = head[key.upperBound..<end.lowerBound].drop { $0 == " " || $0 == "=" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return value.isEmpty ? nil : String(value)
    }

    /// True when a `<!DOCTYPE` or `<!ENTITY` occurs anywhere (NUL bytes skipped, so UTF-16 parts are seen too).
    static func declaresDTD(_ data: Data) -> Bool {
        let patterns: [[UInt8]] = [Array("<!DOCTYPE".utf8), Array("<!ENTITY".utf8), Array("<!doctype".utf8)]
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let bytes = raw.bindMemory(to: UInt8.self)
            var i = 0
            while i < bytes.count {
                if bytes[i] == 0x3C {  // '<'
                    for pattern in patterns {
                        var j = i + 1, k = 1
                        while k < pattern.count && j < bytes.count {
                            if bytes[j] == 0 { j += 1; continue }
                            if bytes[j] != pattern[k] { break }
                            j += 1; k += 1
                        }
                        if k == pattern.count { return true }
                    }
                }
                i += 1
            }
            return false
        }
    }

    /// A short reason for libxml2's error codes (NSError's description on Linux says nothing useful).
    static func describe(_ code: Int) -> String {
        switch code {
        case 4: return "the document is empty or not XML"
        case 5: return "the document ends before its elements are closed"
        case 9: return "an invalid character"
        case 23, 41: return "an attribute is malformed"
        case 26, 27: return "an undeclared entity"
        case 38, 39: return "an attribute's value is malformed"
        case 64, 65, 66, 67: return "the XML declaration is malformed"
        case 68: return "a name is expected"
        case 73: return "a '>' is expected"
        case 76: return "an end tag does not match its start tag"
        case 77: return "a tag is not closed"
        case 85, 86: return "text after the root element"
        default: return "malformed XML (libxml2 error \(code))"
        }
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        let sink: XMLEventSink
        let part: String
        let file: String
        var error: OfficeReadError?
        /// The first syntax error libxml2 reported (code, line, column): parse() does not always return false.
        var syntaxError: (Int, Int, Int)?

        init(sink: XMLEventSink, part: String, file: String) {
            self.sink = sink
            self.part = part
            self.file = file
        }

        static func localName(_ name: String) -> String {
            guard let colon = name.lastIndex(of: ":") else { return name }
            return String(name[name.index(after: colon)...])
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            guard error == nil else { return }
            do { try sink.start(Self.localName(elementName), XMLAttributes(raw: attributeDict)) } catch {
                self.error = error
                parser.abortParsing()
            }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard error == nil else { return }
            do { try sink.end(Self.localName(elementName)) } catch {
                self.error = error
                parser.abortParsing()
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard error == nil else { return }
            sink.text(string)
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard error == nil else { return }
            sink.text(String(decoding: CDATABlock, as: UTF8.self))
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            if syntaxError == nil { syntaxError = ((parseError as NSError).code, parser.lineNumber, parser.columnNumber) }
        }

        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) { refuseDTD(parser) }
        func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) { refuseDTD(parser) }

        private func refuseDTD(_ parser: XMLParser) {
            guard error == nil else { return }
            error = OfficeReadError(.malformedXML, file: file, part: part, "the XML declares entities, which Office documents never do; refused")
            parser.abortParsing()
        }
    }
}
