import BudgetCore
import Foundation

// Reading snapshots; SnapshotEncoder.swift writes what this reads, step for step.
extension Snapshot {
    /// Opens a snapshot by mapping it: checks the header and table of contents now; a table's
    /// layout is checked when a query first uses the table, and each column's section is checked
    /// and decoded only when its values are first read (as a database reads the columns a query
    /// touches). Damage found then fails the statement that read it (`Store.decodeProblem`).
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
        if version < oldestReadable {
            throw Failure(message: "\(path): snapshot format \(version) was written by an older budgetq; this budgetq reads formats \(oldestReadable) to \(formatVersion) "
                          + "(projects gained execution_target and execution_deadline). Load the documents with --data and .save it again")
        }
        guard version <= formatVersion else {
            throw Failure(message: "\(path): snapshot format \(version), but this budgetq reads formats \(oldestReadable) to \(formatVersion); save it again from the documents")
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
        let problems = DecodeProblems()
        let deferred = contents.tables.map { entry in
            Store.Deferred(name: entry.name, aliases: entry.aliases, stored: true) { _ in try decodeTable(entry, file: file, version: version, problems: problems) }
        }
        let sources = contents.sources.map { Store.Source(path: $0.path, kind: $0.kind, origin: $0.origin, encoding: $0.encoding, rows: $0.rows, years: $0.years) }
        return Store(tables: [], deferred: deferred + StoreBuilder.derivedTables, sources: sources, decodeProblems: problems)
    }

    /// An open snapshot file, mapped read-only: a section's pages are read from disk (or the page
    /// cache) only when a column that lives in them is decoded. Read from any thread.
    final class SnapshotFile: @unchecked Sendable {
        let path: String
        let descriptor: Int32
        let size: UInt64
        /// The whole file mapped, or nil when it cannot be (empty, or a file system without mmap): then pread.
        private let mapping: UnsafeRawPointer?

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
            if info.st_size > 0, let base = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED {
                mapping = UnsafeRawPointer(base)
            } else {
                mapping = nil
            }
        }

        deinit {
            if let mapping { munmap(UnsafeMutableRawPointer(mutating: mapping), Int(size)) }
            close(descriptor)
        }

        func bytes(at offset: UInt64, count: Int) throws -> [UInt8] {
            try array(UInt8.self, at: offset, count: count)
        }

        /// `count` values read straight into a new array's storage.
        func array<T>(_ type: T.Type, at offset: UInt64, count: Int) throws -> [T] {
            let byteCount = count * MemoryLayout<T>.stride
            if let mapping {
                guard offset <= size, UInt64(byteCount) <= size - offset else {
                    throw Failure(message: "\(path): the snapshot is truncated or unreadable")
                }
                // One copy from the mapped pages into the array (the kernel pages them in as read).
                return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                    if let base = buffer.baseAddress, byteCount > 0 {
                        UnsafeMutableRawPointer(base).copyMemory(from: mapping + Int(offset), byteCount: byteCount)
                    }
                    initialized = count
                }
            }
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

    /// One table whose columns are decoded on first read; their layouts are checked now (types,
    /// sections, lengths against the row count), so a lying table of contents fails here.
    static func decodeTable(_ entry: TableEntry, file: SnapshotFile, version: UInt32, problems: DecodeProblems) throws -> Table {
        let columns = try entry.columns.map { column -> Column in
            let type = try checkLayout(column, table: entry.name, path: file.path, version: version)
            return Column(name: column.name, aliases: column.aliases, type: type, count: column.count, problems: problems) {
                try decodeColumn(column, table: entry.name, file: file, version: version).data
            }
        }
        return Table(name: entry.name, aliases: entry.aliases, columns: columns)
    }

    /// The column's type, once its layout and the lengths of its sections fit its row count.
    private static func checkLayout(_ entry: ColumnEntry, table: String, path: String, version: UInt32) throws -> ColumnType {
        func corrupt(_ what: String) -> Failure { Failure(message: "\(path): corrupt snapshot: \(table).\(entry.name) \(what)") }
        guard let type = ColumnType(rawValue: entry.type) else { throw corrupt("has unknown type \(entry.type)") }
        guard let layout = Layout(rawValue: entry.layout) else { throw corrupt("has unknown layout \(entry.layout)") }
        // (sections, bytes per row of the first section, extra rows of the first section)
        let shape: (sections: Int, stride: Int, extra: Int)
        switch layout {
        case .integers: shape = (version >= 3 ? 2 : 1, 8, 0)
        case .reals: shape = (1, 8, 0)
        case .strings: shape = (3, 4, 0)
        case .texts: shape = (2, 4, 0)
        case .lists: shape = (4, 4, 1)
        }
        guard entry.sections.count >= shape.sections else { throw corrupt("lacks a section") }
        let (rows, overflow) = entry.count.addingReportingOverflow(shape.extra)
        let (bytes, overflow2) = rows.multipliedReportingOverflow(by: shape.stride)
        guard entry.count >= 0, !overflow, !overflow2, UInt64(bytes) <= entry.sections[0].length else { throw corrupt("is too short") }
        return type
    }

    private static func decodeColumn(_ entry: ColumnEntry, table: String, file: SnapshotFile, version: UInt32) throws -> Column {
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
        guard let layout = Layout(rawValue: entry.layout) else { throw corrupt("has unknown layout \(entry.layout)") }
        switch layout {
        case .integers:
            var values = try section(0, Int64.self, count: count)
            if version >= 3 {
                let words = try section(1, UInt64.self)
                // No bit may lie past the last row.
                let (wordsNeeded, _) = count.addingReportingOverflow(63)
                guard words.count <= wordsNeeded / 64,
                      count % 64 == 0 || words.count < wordsNeeded / 64 || words[words.count - 1] >> UInt64(count % 64) == 0 else { throw corrupt("has nulls past its last row") }
                data = .integers(values, nulls: NullMask(words: words))
            } else {
                let nulls = NullMask(count: count) { values[$0] == format2Null }
                for i in 0..<count where nulls.isNull(i) { values[i] = 0 }
                data = .integers(values, nulls: nulls)
            }
        case .reals: data = .reals(try section(0, Double.self, count: count))
        case .strings:
            let dictionary = try strings(1)
            let codes = try section(0, Int32.self, count: count)
            guard codes.allSatisfy({ $0 >= -1 && Int($0) < dictionary.count }) else { throw corrupt("codes") }
            data = .strings(codes: codes, dictionary: dictionary)
        case .texts:
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
        case .lists:
            let offsets = try section(0, Int32.self, count: count + 1)
            let codes = try section(1, Int32.self)
            let dictionary = try strings(2)
            guard offsets.first == 0, let last = offsets.last, Int(last) <= codes.count,
                  zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
                  codes.prefix(Int(last)).allSatisfy({ $0 >= 0 && Int($0) < dictionary.count }) else { throw corrupt("list") }
            data = .lists(offsets: offsets, codes: Array(codes.prefix(Int(last))), dictionary: dictionary)
        }
        return Column(name: entry.name, aliases: entry.aliases, type: type, data: data)
    }
}
