import BudgetCore
import Foundation

// Writing snapshots. Each encode step mirrors a decode step in SnapshotDecoder.swift:
// `write` ↔ `read`, `encodeTable` ↔ `decodeTable`, `encodeColumn` ↔ `decodeColumn`, and
// `SectionWriter` ↔ `SnapshotFile`; a change to the layout changes both sides together.
extension Snapshot {
    /// Writes `store`'s stored tables to `path` atomically.
    public static func write(_ store: Store, to path: String, createdBy: String = "budgetq") throws {
        // Tests set BUDGETQ_TEST_SLOW_SNAPSHOT_WRITE to pause after each section, so that a
        // SIGKILL can land mid-write; it has no other use.
        let pause = ProcessInfo.processInfo.environment["BUDGETQ_TEST_SLOW_SNAPSHOT_WRITE"].flatMap { UInt32($0) } ?? 0
        try AtomicFile.write(to: path) { handle in
            // The header goes in last, once the table of contents' offset and checksum are known.
            try handle.write(contentsOf: Data(count: headerSize))
            var writer = SectionWriter(handle: handle, pauseMilliseconds: pause)
            let tables = try store.storedTables().map { try encodeTable($0, into: &writer) }
            // Columns of a damaged snapshot read as nulls: never write those as data.
            if let problem = store.decodeProblem { throw Failure(message: problem) }
            let contents = Contents(formatVersion: formatVersion, createdBy: createdBy, tables: tables, sources: store.sources.map {
                SourceEntry(path: $0.path, kind: $0.kind, origin: $0.origin, encoding: $0.encoding, rows: $0.rows, years: $0.years)
            })
            let toc = try JSONEncoder().encode(contents)
            let tocOffset = writer.offset
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

    /// Appends sections after the header: each padded to 8 bytes and checksummed, as
    /// `SnapshotFile` and `decodeColumn` read them back.
    struct SectionWriter {
        let handle: FileHandle
        let pauseMilliseconds: UInt32
        private(set) var offset = UInt64(headerSize)

        init(handle: FileHandle, pauseMilliseconds: UInt32) {
            self.handle = handle
            self.pauseMilliseconds = pauseMilliseconds
        }

        mutating func section(_ body: (inout Data) -> Void) throws -> Section {
            var data = Data()
            body(&data)
            while data.count % 8 != 0 { data.append(0) }
            let s = Section(offset: offset, length: UInt64(data.count), checksum: data.withUnsafeBytes { checksum($0) })
            try handle.write(contentsOf: data)
            offset += UInt64(data.count)
            if pauseMilliseconds > 0 { usleep(pauseMilliseconds * 1000) }
            return s
        }

        /// An array's raw little-endian values.
        mutating func raw<T>(_ array: [T]) throws -> Section {
            try section { data in array.withUnsafeBytes { data.append(contentsOf: $0) } }
        }

        mutating func bytes(_ bytes: Data) throws -> Section {
            try section { $0.append(bytes) }
        }

        /// Strings as two sections, Int64 end offsets from 0 and the UTF-8 bytes (`strings(_:)` in the decoder).
        mutating func dictionary(_ strings: [String]) throws -> [Section] {
            var offsets: [Int64] = [0]
            var bytes = Data()
            for s in strings {
                bytes.append(contentsOf: s.utf8)
                offsets.append(Int64(bytes.count))
            }
            return [try raw(offsets), try self.bytes(bytes)]
        }
    }

    /// Writes one table's columns, in order (`decodeTable` reads them back in parallel).
    static func encodeTable(_ table: Table, into writer: inout SectionWriter) throws -> TableEntry {
        var columns: [ColumnEntry] = []
        for column in table.columns { columns.append(try encodeColumn(column, into: &writer)) }
        return TableEntry(name: table.name, aliases: table.aliases, rowCount: table.rowCount, columns: columns)
    }

    /// One column's sections, in the order `decodeColumn` reads them for its layout.
    static func encodeColumn(_ column: Column, into writer: inout SectionWriter) throws -> ColumnEntry {
        let layout: Layout
        let sections: [Section]
        switch column.data {
        case .integers(let v, let nulls):
            layout = .integers
            sections = [try writer.raw(v), try writer.raw(nulls.words)]
        case .reals(let v):
            layout = .reals
            sections = [try writer.raw(v)]
        case .strings(let codes, let dictionary):
            layout = .strings
            sections = [try writer.raw(codes)] + (try writer.dictionary(dictionary))
        case .texts(let v):
            layout = .texts
            // Lengths with -1 for null, then all the UTF-8 bytes.
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
            sections = [try writer.raw(lengths), try writer.bytes(bytes)]
        case .lists(let offsets, let codes, let dictionary):
            layout = .lists
            sections = [try writer.raw(offsets), try writer.raw(codes)] + (try writer.dictionary(dictionary))
        }
        return ColumnEntry(name: column.name, aliases: column.aliases, type: column.type.rawValue, layout: layout.rawValue,
                           count: column.count, sections: sections)
    }
}
