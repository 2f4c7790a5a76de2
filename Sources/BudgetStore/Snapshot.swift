import Foundation

/// A binary columnar snapshot of a store: reopening it skips parsing documents.
///
/// Layout: a 40-byte header (magic `BUDGETQ\0`, format version, table-of-contents offset, length
/// and checksum), then each column buffer as a raw little-endian section, then the table of
/// contents (JSON: tables, columns, sections with their offsets, lengths and checksums, sources).
/// Sections are checked and decoded in parallel. Writing goes to a temporary file that is synced
/// and renamed over the target, so a crash leaves the previous snapshot intact.
public enum Snapshot {
    /// The format this budgetq writes and reads.
    public static let formatVersion: UInt32 = 1
    static let magic: [UInt8] = Array("BUDGETQ\0".utf8)
    static let headerSize = 40

    /// Why a snapshot cannot be opened.
    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    struct Section: Codable {
        var offset: UInt64
        var length: UInt64
        var checksum: UInt64
    }

    struct ColumnEntry: Codable {
        var name: String
        var aliases: [String]
        var type: String
        var layout: String
        var count: Int
        var sections: [Section]
    }

    struct TableEntry: Codable {
        var name: String
        var aliases: [String]
        var rowCount: Int
        var columns: [ColumnEntry]
    }

    struct SourceEntry: Codable {
        var path: String
        var kind: String
        var origin: String
        var encoding: String
        var rows: Int
        var years: [Int]
    }

    struct Contents: Codable {
        var formatVersion: UInt32
        var createdBy: String
        var tables: [TableEntry]
        var sources: [SourceEntry]
    }

    // MARK: writing

    /// Writes `store`'s stored tables to `path` atomically.
    public static func write(_ store: Store, to path: String, createdBy: String = "budgetq") throws {
        // Tests set BUDGETQ_TEST_SLOW_SNAPSHOT_WRITE to pause after each section, so that a
        // SIGKILL can land mid-write; it has no other use.
        let pause = ProcessInfo.processInfo.environment["BUDGETQ_TEST_SLOW_SNAPSHOT_WRITE"].flatMap { UInt32($0) } ?? 0
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw Failure(message: "cannot create \(temporary.path)")
        }
        var offset = UInt64(headerSize)
        do {
            try handle.write(contentsOf: Data(count: headerSize))
            func section(_ body: (inout Data) -> Void) throws -> Section {
                var data = Data()
                body(&data)
                while data.count % 8 != 0 { data.append(0) }
                let s = Section(offset: offset, length: UInt64(data.count), checksum: data.withUnsafeBytes { checksum($0) })
                try handle.write(contentsOf: data)
                offset += UInt64(data.count)
                if pause > 0 { usleep(pause * 1000) }
                return s
            }
            func raw<T>(_ array: [T]) -> (inout Data) -> Void { { data in array.withUnsafeBytes { data.append(contentsOf: $0) } } }
            func dictionarySections(_ strings: [String]) throws -> [Section] {
                var offsets: [Int64] = [0]
                var bytes = Data()
                for s in strings {
                    bytes.append(contentsOf: s.utf8)
                    offsets.append(Int64(bytes.count))
                }
                return [try section(raw(offsets)), try section { $0.append(bytes) }]
            }
            var tables: [TableEntry] = []
            for table in store.storedTables {
                var columns: [ColumnEntry] = []
                for column in table.columns {
                    var sections: [Section] = []
                    let layout: String
                    switch column.data {
                    case .integers(let v):
                        layout = "integers"
                        sections = [try section(raw(v))]
                    case .reals(let v):
                        layout = "reals"
                        sections = [try section(raw(v))]
                    case .strings(let codes, let dictionary):
                        layout = "strings"
                        sections = [try section(raw(codes))] + (try dictionarySections(dictionary))
                    case .texts(let v):
                        layout = "texts"
                        var lengths: [Int32] = []
                        lengths.reserveCapacity(v.count)
                        var bytes = Data()
                        for text in v {
                            if let text {
                                lengths.append(Int32(text.utf8.count))
                                bytes.append(contentsOf: text.utf8)
                            } else {
                                lengths.append(-1)
                            }
                        }
                        sections = [try section(raw(lengths)), try section { $0.append(bytes) }]
                    case .lists(let offsets, let codes, let dictionary):
                        layout = "lists"
                        sections = [try section(raw(offsets)), try section(raw(codes))] + (try dictionarySections(dictionary))
                    }
                    columns.append(ColumnEntry(name: column.name, aliases: column.aliases, type: column.type.rawValue, layout: layout,
                                               count: column.count, sections: sections))
                }
                tables.append(TableEntry(name: table.name, aliases: table.aliases, rowCount: table.rowCount, columns: columns))
            }
            let contents = Contents(formatVersion: formatVersion, createdBy: createdBy, tables: tables, sources: store.sources.map {
                SourceEntry(path: $0.path, kind: $0.kind, origin: $0.origin, encoding: $0.encoding, rows: $0.rows, years: $0.years)
            })
            let toc = try JSONEncoder().encode(contents)
            let tocOffset = offset
            try handle.write(contentsOf: toc)
            var header = Data(magic)
            withUnsafeBytes(of: formatVersion.littleEndian) { header.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(0)) { header.append(contentsOf: $0) }
            withUnsafeBytes(of: tocOffset.littleEndian) { header.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt64(toc.count).littleEndian) { header.append(contentsOf: $0) }
            withUnsafeBytes(of: toc.withUnsafeBytes { checksum($0) }.littleEndian) { header.append(contentsOf: $0) }
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: header)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary.path, url.path) == 0 else { throw Failure(message: "cannot rename the snapshot into \(path)") }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    // MARK: reading

    /// Opens a snapshot; every section's checksum is verified.
    public static func read(_ path: String) throws -> Store {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw Failure(message: "\(path): cannot read the snapshot: \(error.localizedDescription)")
        }
        return try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws -> Store in
            guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic else {
                throw Failure(message: "\(path): not a budgetq snapshot (no BUDGETQ header); open documents with --data, or save a snapshot with .save")
            }
            let version = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
            guard version == formatVersion else {
                throw Failure(message: "\(path): snapshot format \(version), but this budgetq reads format \(formatVersion); save it again from the documents")
            }
            let tocOffset = Int(bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian)
            let tocLength = Int(bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self).littleEndian)
            let tocChecksum = bytes.loadUnaligned(fromByteOffset: 32, as: UInt64.self).littleEndian
            guard tocOffset >= headerSize, tocLength > 0, tocOffset + tocLength == bytes.count else {
                throw Failure(message: "\(path): the snapshot is truncated or damaged (its table of contents is not where the header says)")
            }
            let tocBytes = UnsafeRawBufferPointer(rebasing: bytes[tocOffset..<(tocOffset + tocLength)])
            guard checksum(tocBytes) == tocChecksum else { throw Failure(message: "\(path): corrupt snapshot: the table of contents fails its checksum") }
            let contents: Contents
            do {
                contents = try JSONDecoder().decode(Contents.self, from: Data(tocBytes))
            } catch {
                throw Failure(message: "\(path): corrupt snapshot: unreadable table of contents")
            }
            // Decode every column in parallel; each checks its own sections.
            let entries = contents.tables.flatMap { t in t.columns.map { (t.name, $0) } }
            let results = ColumnSlots(count: entries.count)
            let base = SharedBytes(bytes: bytes)
            DispatchQueue.concurrentPerform(iterations: entries.count) { i in
                results.set(i, decode(entries[i].1, table: entries[i].0, bytes: base.bytes, path: path))
            }
            var tables: [Table] = []
            var index = 0
            for t in contents.tables {
                var columns: [Column] = []
                for _ in t.columns {
                    switch results.values[index] {
                    case .success(let column)?: columns.append(column)
                    case .failure(let failure)?: throw failure
                    case nil: throw Failure(message: "\(path): a column could not be decoded")
                    }
                    index += 1
                }
                tables.append(Table(name: t.name, aliases: t.aliases, columns: columns))
            }
            let sources = contents.sources.map { Store.Source(path: $0.path, kind: $0.kind, origin: $0.origin, encoding: $0.encoding, rows: $0.rows, years: $0.years) }
            return Store(tables: tables, derived: StoreBuilder.derivedTables, sources: sources)
        }
    }

    /// The mapped file, read (never written) by the decoding workers while `read` waits for them.
    private struct SharedBytes: @unchecked Sendable {
        let bytes: UnsafeRawBufferPointer
    }

    private final class ColumnSlots: @unchecked Sendable {
        private(set) var values: [Result<Column, Failure>?]
        private let lock = NSLock()
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ value: Result<Column, Failure>) {
            lock.lock()
            values[i] = value
            lock.unlock()
        }
    }

    private static func decode(_ entry: ColumnEntry, table: String, bytes: UnsafeRawBufferPointer, path: String) -> Result<Column, Failure> {
        let name = "\(table).\(entry.name)"
        func section(_ i: Int) throws(Failure) -> UnsafeRawBufferPointer {
            guard i < entry.sections.count else { throw Failure(message: "\(path): corrupt snapshot: \(name) lacks a section") }
            let s = entry.sections[i]
            let start = Int(s.offset), end = Int(s.offset + s.length)
            guard start >= headerSize, end <= bytes.count, start <= end else { throw Failure(message: "\(path): corrupt snapshot: \(name) lies outside the file") }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            guard checksum(slice) == s.checksum else { throw Failure(message: "\(path): corrupt snapshot: \(name) fails its checksum") }
            return slice
        }
        func array<T>(_ i: Int, _ type: T.Type, count: Int) throws(Failure) -> [T] {
            let raw = try section(i)
            guard raw.count >= count * MemoryLayout<T>.stride else { throw Failure(message: "\(path): corrupt snapshot: \(name) is too short") }
            return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0, let base = buffer.baseAddress, let src = raw.baseAddress {
                    UnsafeMutableRawPointer(base).copyMemory(from: src, byteCount: count * MemoryLayout<T>.stride)
                }
                initialized = count
            }
        }
        func dictionary(_ i: Int) throws(Failure) -> [String] {
            let offsetsRaw = try section(i)
            let n = offsetsRaw.count / 8
            let offsets = try array(i, Int64.self, count: n)
            let blob = try section(i + 1)
            var strings: [String] = []
            strings.reserveCapacity(max(0, n - 1))
            for k in 0..<max(0, n - 1) {
                let a = Int(offsets[k]), b = Int(offsets[k + 1])
                guard a >= 0, a <= b, b <= blob.count else { throw Failure(message: "\(path): corrupt snapshot: \(name) dictionary") }
                strings.append(String(decoding: UnsafeRawBufferPointer(rebasing: blob[a..<b]), as: UTF8.self))
            }
            return strings
        }
        do throws(Failure) {
            guard let type = ColumnType(rawValue: entry.type) else { throw Failure(message: "\(path): corrupt snapshot: \(name) has unknown type \(entry.type)") }
            let count = entry.count
            let data: ColumnData
            switch entry.layout {
            case "integers": data = .integers(try array(0, Int64.self, count: count))
            case "reals": data = .reals(try array(0, Double.self, count: count))
            case "strings":
                let dict = try dictionary(1)
                let codes = try array(0, Int32.self, count: count)
                guard codes.allSatisfy({ $0 >= -1 && Int($0) < dict.count }) else { throw Failure(message: "\(path): corrupt snapshot: \(name) codes") }
                data = .strings(codes: codes, dictionary: dict)
            case "texts":
                let lengths = try array(0, Int32.self, count: count)
                let blob = try section(1)
                var texts: [String?] = []
                texts.reserveCapacity(count)
                var position = 0
                for length in lengths {
                    if length < 0 { texts.append(nil); continue }
                    let end = position + Int(length)
                    guard end <= blob.count else { throw Failure(message: "\(path): corrupt snapshot: \(name) text") }
                    texts.append(String(decoding: UnsafeRawBufferPointer(rebasing: blob[position..<end]), as: UTF8.self))
                    position = end
                }
                data = .texts(texts)
            case "lists":
                let offsets = try array(0, Int32.self, count: count + 1)
                let codesRaw = try section(1)
                let codes = try array(1, Int32.self, count: codesRaw.count / 4)
                let dict = try dictionary(2)
                guard offsets.first == 0, offsets.last.map({ Int($0) <= codes.count }) ?? false,
                      codes.allSatisfy({ $0 >= 0 && Int($0) < dict.count }) else { throw Failure(message: "\(path): corrupt snapshot: \(name) list") }
                data = .lists(offsets: offsets, codes: Array(codes.prefix(Int(offsets.last ?? 0))), dictionary: dict)
            default:
                throw Failure(message: "\(path): corrupt snapshot: \(name) has unknown layout \(entry.layout)")
            }
            return .success(Column(name: entry.name, aliases: entry.aliases, type: type, data: data))
        } catch {
            return .failure(error)
        }
    }

    /// A fast 64-bit checksum over words (four lanes), to catch damaged or truncated files.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let prime: UInt64 = 0x9E37_79B9_7F4A_7C15
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (1, 2, 3, 4)
        let words = bytes.count / 32
        var i = 0
        for _ in 0..<words {
            lanes.0 = (lanes.0 ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* prime
            lanes.1 = (lanes.1 ^ bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* prime
            lanes.2 = (lanes.2 ^ bytes.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* prime
            lanes.3 = (lanes.3 ^ bytes.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* prime
            i += 32
        }
        var h = lanes.0 ^ (lanes.1 &* 31) ^ (lanes.2 &* 961) ^ (lanes.3 &* 29791) ^ UInt64(bytes.count)
        while i < bytes.count {
            h = (h ^ UInt64(bytes[i])) &* prime
            i += 1
        }
        return h ^ (h >> 31)
    }
}
