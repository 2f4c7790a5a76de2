import BudgetCore
import BudgetDocuments
import Foundation

/// A binary columnar snapshot of a store: reopening it skips parsing documents.
///
/// Layout: a 40-byte header (magic `BUDGETQ\0`, format version, table-of-contents offset, length
/// and checksum), then each column buffer as a raw little-endian section, then the table of
/// contents (JSON: tables, columns, sections with their offsets, lengths and checksums, sources).
/// Sections are checked and decoded in parallel. Writing goes through `AtomicFile`, so a crash
/// leaves the previous snapshot intact.
public enum Snapshot {
    /// The format this budgetq writes and reads. 2: `projects` holds `execution_target` and
    /// `execution_deadline`, which `execution` reads; format 1 lacks them and is refused.
    public static let formatVersion: UInt32 = 2
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
        /// Encoded as its raw string, as format 2 has always written it.
        var kind: Store.Source.Kind
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
        try AtomicFile.write(to: path) { handle in
            var offset = UInt64(headerSize)
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
            for table in try store.storedTables() {
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
        }
    }

    // MARK: reading

    /// Opens a snapshot: checks the header and table of contents now; each table's sections are
    /// read, checked and decoded when a query first uses the table (as a database opens its file).
    public static func read(_ path: String) throws -> Store {
        let file = try SnapshotFile(path: path)
        let size = file.size
        guard size >= UInt64(headerSize) else {
            throw Failure(message: "\(path): not a budgetq snapshot (the file is too short)")
        }
        let header = try file.bytes(at: 0, count: headerSize)
        guard Array(header[0..<8]) == magic else {
            throw Failure(message: "\(path): not a budgetq snapshot (no BUDGETQ header); open documents with --data, or save a snapshot with .save")
        }
        func word<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T {
            header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }.littleEndian
        }
        let version = word(8, UInt32.self)
        if version < formatVersion {
            throw Failure(message: "\(path): snapshot format \(version) was written by an older budgetq; this budgetq reads format \(formatVersion) "
                          + "(projects gained execution_target and execution_deadline). Load the documents with --data and .save it again")
        }
        guard version == formatVersion else {
            throw Failure(message: "\(path): snapshot format \(version), but this budgetq reads format \(formatVersion); save it again from the documents")
        }
        let tocOffset = word(16, UInt64.self), tocLength = word(24, UInt64.self), tocChecksum = word(32, UInt64.self)
        guard tocOffset >= UInt64(headerSize), tocOffset <= size, tocLength > 0, tocLength < 1 << 30, tocLength == size - tocOffset else {
            throw Failure(message: "\(path): the snapshot is truncated or damaged (its table of contents is not where the header says)")
        }
        let toc = try file.bytes(at: tocOffset, count: Int(tocLength))
        guard toc.withUnsafeBytes({ checksum($0) }) == tocChecksum else {
            throw Failure(message: "\(path): corrupt snapshot: the table of contents fails its checksum")
        }
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: Data(toc))
        } catch {
            throw Failure(message: "\(path): corrupt snapshot: unreadable table of contents")
        }
        for t in contents.tables {
            guard t.rowCount >= 0 else { throw Failure(message: "\(path): corrupt snapshot: \(t.name) has a negative row count") }
            for c in t.columns {
                // Every column of a table has its row count; every section lies inside the file.
                guard c.count == t.rowCount,
                      c.sections.allSatisfy({ $0.offset >= UInt64(headerSize) && $0.offset <= tocOffset && $0.length <= tocOffset - $0.offset }) else {
                    throw Failure(message: "\(path): corrupt snapshot: \(t.name).\(c.name) does not fit its table or the file")
                }
            }
        }
        let deferred = contents.tables.map { entry in
            Store.Deferred(name: entry.name, aliases: entry.aliases, stored: true) { _ in try decodeTable(entry, file: file) }
        }
        let sources = contents.sources.map { Store.Source(path: $0.path, kind: $0.kind, origin: $0.origin, encoding: $0.encoding, rows: $0.rows, years: $0.years) }
        return Store(tables: [], deferred: deferred + StoreBuilder.derivedTables, sources: sources)
    }

    /// An open snapshot file, read with pread from any thread.
    final class SnapshotFile: @unchecked Sendable {
        let path: String
        let descriptor: Int32
        let size: UInt64

        init(path: String) throws {
            self.path = path
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw Failure(message: "\(path): cannot open the snapshot: \(String(cString: strerror(errno)))") }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                close(descriptor)
                throw Failure(message: "\(path): cannot read the snapshot")
            }
            size = UInt64(info.st_size)
        }

        deinit { close(descriptor) }

        func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
            try array(UInt8.self, at: offset, count: count)
        }

        /// `count` values read straight into a new array's storage.
        func array<T>(_ type: T.Type, at offset: UInt64, count: Int) throws -> [T] {
            let byteCount = count * MemoryLayout<T>.stride
            var failed = false
            let result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                var done = 0
                let base = UnsafeMutableRawPointer(buffer.baseAddress)
                while done < byteCount, let base {
                    let n = pread(descriptor, base + done, byteCount - done, off_t(offset) + off_t(done))
                    if n <= 0 { failed = true; break }
                    done += n
                }
                initialized = failed ? 0 : count
            }
            if failed { throw Failure(message: "\(path): the snapshot is truncated or unreadable") }
            return result
        }
    }

    /// Reads, checks and decodes one table's columns, in parallel.
    static func decodeTable(_ entry: TableEntry, file: SnapshotFile) throws -> Table {
        let results = concurrentMap(entry.columns.count) { i in
            Result<Column, Error> { try decodeColumn(entry.columns[i], table: entry.name, file: file) }
        }
        let columns = try results.map { try $0.get() }
        return Table(name: entry.name, aliases: entry.aliases, columns: columns)
    }

    private static func decodeColumn(_ entry: ColumnEntry, table: String, file: SnapshotFile) throws -> Column {
        let name = "\(table).\(entry.name)"
        let path = file.path
        func corrupt(_ what: String) -> Failure { Failure(message: "\(path): corrupt snapshot: \(name) \(what)") }
        func section<T>(_ i: Int, _ type: T.Type, count: Int? = nil) throws -> [T] {
            guard i < entry.sections.count else { throw corrupt("lacks a section") }
            let s = entry.sections[i]
            let n = count ?? Int(s.length) / MemoryLayout<T>.stride
            let (bytes, overflow) = n.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
            guard n >= 0, !overflow, bytes <= Int(s.length) else { throw corrupt("is too short") }
            // Sections are padded to 8 bytes and every stride here (1, 4, 8) divides 8: read the
            // whole section as values, check it, then drop the padding.
            guard Int(s.length) % MemoryLayout<T>.stride == 0 else { throw corrupt("has a ragged section") }
            var values = try file.array(T.self, at: s.offset, count: Int(s.length) / MemoryLayout<T>.stride)
            guard values.withUnsafeBytes({ checksum($0) }) == s.checksum else { throw corrupt("fails its checksum") }
            if values.count > n { values.removeSubrange(n...) }
            return values
        }
        func strings(_ i: Int) throws -> [String] {
            let offsets = try section(i, Int64.self)
            let blob = try section(i + 1, UInt8.self)
            var out: [String] = []
            out.reserveCapacity(max(0, offsets.count - 1))
            for k in 0..<max(0, offsets.count - 1) {
                let a = Int(offsets[k]), b = Int(offsets[k + 1])
                guard a >= 0, a <= b, b <= blob.count else { throw corrupt("dictionary") }
                out.append(blob.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[a..<b]), as: UTF8.self) })
            }
            return out
        }
        guard let type = ColumnType(rawValue: entry.type) else { throw corrupt("has unknown type \(entry.type)") }
        let count = entry.count
        let data: ColumnData
        switch entry.layout {
        case "integers": data = .integers(try section(0, Int64.self, count: count))
        case "reals": data = .reals(try section(0, Double.self, count: count))
        case "strings":
            let dictionary = try strings(1)
            let codes = try section(0, Int32.self, count: count)
            guard codes.allSatisfy({ $0 >= -1 && Int($0) < dictionary.count }) else { throw corrupt("codes") }
            data = .strings(codes: codes, dictionary: dictionary)
        case "texts":
            let lengths = try section(0, Int32.self, count: count)
            let blob = try section(1, UInt8.self)
            var texts: [String?] = []
            texts.reserveCapacity(count)
            var position = 0
            try blob.withUnsafeBufferPointer { blob in
                for length in lengths {
                    if length < 0 { texts.append(nil); continue }
                    let end = position + Int(length)
                    guard end <= blob.count else { throw corrupt("text") }
                    texts.append(String(decoding: UnsafeBufferPointer(rebasing: blob[position..<end]), as: UTF8.self))
                    position = end
                }
            }
            data = .texts(texts)
        case "lists":
            let offsets = try section(0, Int32.self, count: count + 1)
            let codes = try section(1, Int32.self)
            let dictionary = try strings(2)
            guard offsets.first == 0, let last = offsets.last, Int(last) <= codes.count,
                  zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
                  codes.prefix(Int(last)).allSatisfy({ $0 >= 0 && Int($0) < dictionary.count }) else { throw corrupt("list") }
            data = .lists(offsets: offsets, codes: Array(codes.prefix(Int(last))), dictionary: dictionary)
        default:
            throw corrupt("has unknown layout \(entry.layout)")
        }
        return Column(name: entry.name, aliases: entry.aliases, type: type, data: data)
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
