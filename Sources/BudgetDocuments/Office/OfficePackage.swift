import Foundation
import ZIPFoundation

/// The zip container of a .docx/.xlsx: its parts by name, read with the size limits, and the
/// relationships (`_rels/*.rels`) that say which part is the workbook, a sheet, the shared strings.
final class OfficePackage {
    let file: String
    let limits: OfficeLimits
    private let archive: Archive
    private var entries: [String: Entry] = [:]
    private var lowercased: [String: String] = [:]
    /// Uncompressed bytes read from the archive so far, against `limits.maxTotalBytes`.
    private var inflated = 0

    init(bytes: [UInt8], file: String, limits: OfficeLimits) throws(OfficeReadError) {
        self.file = file
        self.limits = limits
        guard let opened = Self.openArchive(bytes) else {
            throw OfficeReadError(.corruptDocument, file: file, "not a readable zip archive (truncated or damaged: its central directory is missing or broken); expected a .docx/.xlsx saved whole")
        }
        archive = opened
        var count = 0
        for entry in archive {
            count += 1
            if count > limits.maxEntries {
                throw OfficeReadError(.limitExceeded, file: file, "the zip lists more than \(limits.maxEntries) entries (OfficeLimits.maxEntries); expected an Office document of a few dozen parts")
            }
            guard entry.type == .file else { continue }
            let path = Self.normalize(entry.path)
            entries[path] = entry
            lowercased[path.lowercased()] = path
        }
    }

    /// The archive over a temporary copy of the bytes, unlinked at once (the open file stays readable).
    ///
    /// Not ZIPFoundation's in-memory archive: its memory file traps when a damaged zip's offsets point
    /// past the end (found by FuzzOffice), where a real file just reads nothing and the archive reports
    /// the damage.
    static func openArchive(_ bytes: [UInt8]) -> Archive? {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-office-\(UUID().uuidString).zip")
        guard FileManager.default.createFile(atPath: url.path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else { return nil }
        defer { try? FileManager.default.removeItem(at: url) }
        do { return try Archive(url: url, accessMode: .read, pathEncoding: nil) } catch { return nil }
    }

    /// A part name as a zip lists it (`/xl\\workbook.xml`) in the form relationships resolve to (`xl/workbook.xml`).
    static func normalize(_ path: String) -> String {
        var p = path.replacingOccurrences(of: "\\", with: "/")
        while p.hasPrefix("/") { p.removeFirst() }
        return p
    }

    /// The stored name of a part, matching case-insensitively as Office does (part names are ASCII).
    func resolve(_ part: String) -> String? {
        let p = Self.normalize(part)
        if entries[p] != nil { return p }
        return lowercased[p.lowercased()]
    }

    func has(_ part: String) -> Bool { resolve(part) != nil }

    /// The bytes of a part, inflated under the limits: the declared size is checked first, and the bytes are
    /// counted while inflating, since the declared size of a hostile zip may lie.
    func read(_ part: String) throws(OfficeReadError) -> Data {
        guard let name = resolve(part), let entry = entries[name] else {
            throw OfficeReadError(.corruptDocument, file: file, part: part, "the part is missing from the zip; expected it where the document's relationships point")
        }
        let declared = entry.uncompressedSize
        if declared > UInt64(limits.maxPartBytes) {
            throw tooLarge(name, "declares \(declared) bytes uncompressed, more than the \(limits.maxPartBytes) allowed per part (OfficeLimits.maxPartBytes)")
        }
        if UInt64(inflated) + declared > UInt64(limits.maxTotalBytes) {
            throw tooLarge(name, "would bring the document past \(limits.maxTotalBytes) bytes uncompressed (OfficeLimits.maxTotalBytes)")
        }
        var data = Data()
        data.reserveCapacity(Int(min(declared, 64 << 20)))
        var overflow: String?
        let maxPart = limits.maxPartBytes
        let room = limits.maxTotalBytes - inflated
        let checksum: CRC32
        do {
            checksum = try archive.extract(entry, bufferSize: 64 * 1024) { chunk in
                if data.count + chunk.count > maxPart {
                    overflow = "inflates past \(maxPart) bytes (OfficeLimits.maxPartBytes) though it declares \(declared)"
                    throw LimitStop()
                }
                if data.count + chunk.count > room {
                    overflow = "inflates past the document's limit of \(self.limits.maxTotalBytes) bytes (OfficeLimits.maxTotalBytes)"
                    throw LimitStop()
                }
                data.append(chunk)
            }
        } catch {
            if let overflow { throw tooLarge(name, overflow) }
            throw OfficeReadError(.corruptDocument, file: file, part: name, "the zip entry cannot be inflated (\(Self.describe(error))); the file is damaged or truncated")
        }
        if checksum != entry.checksum {
            throw OfficeReadError(.corruptDocument, file: file, part: name, "the zip entry's checksum does not match its bytes; the file is damaged")
        }
        inflated += data.count
        return data
    }

    private struct LimitStop: Error {}

    private func tooLarge(_ part: String, _ what: String) -> OfficeReadError {
        OfficeReadError(.limitExceeded, file: file, part: part, "the part \(what); refused as a zip bomb")
    }

    private static func describe(_ error: Error) -> String {
        if let archiveError = error as? Archive.ArchiveError {
            switch archiveError {
            case .invalidCRC32: return "checksum mismatch"
            case .invalidCompressionMethod: return "unknown compression method"
            default: return "\(archiveError)"
            }
        }
        return "\(error)"
    }

    /// One `Relationship` of a `.rels` part, its target resolved to a part name.
    struct Relationship {
        let id: String
        let type: String
        let target: String
    }

    /// The relationships of `part` (`xl/workbook.xml` → `xl/_rels/workbook.xml.rels`); none when it has no .rels.
    func relationships(of part: String) throws(OfficeReadError) -> [Relationship] {
        let source = Self.normalize(part)
        let directory = source.lastIndex(of: "/").map { String(source[..<$0]) } ?? ""
        let base = source.split(separator: "/").last.map(String.init) ?? ""
        let relsPart = (directory.isEmpty ? "" : directory + "/") + "_rels/" + base + ".rels"
        guard has(relsPart) else { return [] }
        let sink = RelationshipSink()
        try OfficeXML.parse(read(relsPart), part: relsPart, file: file, into: sink)
        return sink.found.map { id, type, target, external in
            Relationship(id: id, type: type, target: external ? target : Self.resolveTarget(target, from: directory))
        }
    }

    /// A relationship's target relative to its source's folder (`worksheets/sheet1.xml`), or absolute (`/xl/...`).
    static func resolveTarget(_ target: String, from directory: String) -> String {
        let decoded = target.removingPercentEncoding ?? target
        var parts: [Substring] = decoded.hasPrefix("/") ? [] : directory.split(separator: "/")
        for piece in decoded.split(separator: "/") {
            if piece == "." || piece.isEmpty { continue }
            if piece == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(piece)
        }
        return parts.joined(separator: "/")
    }

    private final class RelationshipSink: XMLEventSink {
        var found: [(String, String, String, Bool)] = []
        func start(_ name: String, _ attributes: XMLAttributes) throws(OfficeReadError) {
            guard name == "Relationship", let id = attributes["Id"], let target = attributes["Target"] else { return }
            found.append((id, attributes["Type"] ?? "", target, attributes["TargetMode"] == "External"))
        }
        func end(_ name: String) throws(OfficeReadError) {}
        func text(_ text: String) {}
    }
}
