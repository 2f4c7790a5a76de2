import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be read at all.
public struct ReadFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}

/// Which device and inode a path names: the identity a folder walk and a `.load` compare.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
}

/// What a path is, as `stat` (following symbolic links) says.
public enum FileKind: Sendable, Equatable {
    case regular(size: Int, identity: FileIdentity)
    case directory(identity: FileIdentity)
    /// A FIFO, socket, character or block device: never opened (reading one can block forever).
    case special(String)
    case missing(String)

    public static func of(_ path: String) -> FileKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing(String(cString: strerror(errno))) }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular(size: Int(info.st_size), identity: identity)
        case S_IFDIR: return .directory(identity: identity)
        case S_IFIFO: return .special("a FIFO (named pipe)")
        case S_IFSOCK: return .special("a socket")
        case S_IFCHR: return .special("a character device")
        case S_IFBLK: return .special("a block device")
        default: return .special("not a regular file")
        }
    }
}

/// A regular file opened for reading in chunks. Opened non-blocking and checked with `fstat`, so
/// a FIFO or device put in a file's place after the folder walk is refused, never waited on.
public final class FileChunks {
    public let path: String
    private let descriptor: Int32
    /// How many bytes have been read so far.
    public private(set) var bytesRead = 0
    public let size: Int

    public init(path: String) throws(ReadFailure) {
        self.path = path
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw ReadFailure(message: "cannot open the file for reading: \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw ReadFailure(message: "not a regular file; not read")
        }
        // Back to blocking reads for a regular file (O_NONBLOCK only guarded the open).
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        descriptor = fd
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// Appends up to `count` bytes to `buffer`; returns how many were read (0 at the end).
    public func read(into buffer: inout [UInt8], upTo count: Int) throws(ReadFailure) -> Int {
        let start = buffer.count
        var got = 0
        var failure: Int32 = 0
        // Grown uninitialised and read straight into: no per-byte work, even in a debug build.
        let grown = [UInt8](unsafeUninitializedCapacity: start + count) { storage, initialized in
            buffer.withUnsafeBufferPointer { old in
                if let base = old.baseAddress { storage.baseAddress!.update(from: base, count: start) }
            }
            while true {
                let n = Glibc.read(descriptor, storage.baseAddress! + start, count)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = errno } else { got = n }
                break
            }
            initialized = start + got
        }
        if failure != 0 { throw ReadFailure(message: "cannot read the file: \(String(cString: strerror(failure)))") }
        bytesRead += got
        buffer = grown
        return got
    }

    /// Reads everything that is left onto `buffer`.
    public func readToEnd(into buffer: inout [UInt8]) throws(ReadFailure) {
        // One read of the size fstat gave (each `read(into:)` copies what is held), then any growth.
        let remaining = max(0, size - bytesRead)
        if remaining > 0 { _ = try read(into: &buffer, upTo: remaining) }
        while try read(into: &buffer, upTo: 1 << 20) > 0 {}
    }
}

/// The lines of a file read in chunks, so memory holds one chunk and one line, never the file.
///
/// A line longer than `maxLineBytes` is not kept: its bytes are counted and dropped as they are
/// read, and `next()` returns `.overlong` with its length. Lines end at LF (a CR before it stays in
/// the line); UTF-16 files (by their byte-order mark) end lines at the UTF-16 LF.
public struct LineReader {
    /// One line without its line feed, or the length of one too long to keep.
    public enum Line: Equatable {
        case text([UInt8])
        case overlong(byteCount: Int)
    }

    /// How a line feed looks in the file.
    public enum Newline: Sendable { case byte, utf16LittleEndian, utf16BigEndian }

    public let file: FileChunks
    public let maxLineBytes: Int
    public private(set) var newline: Newline = .byte
    /// The 1-based number of the line `next()` returned last.
    public private(set) var lineNumber = 0
    private var buffer: [UInt8] = []
    private var position = 0
    /// Offset in the file of `buffer[0]` (UTF-16 line feeds sit at even offsets).
    private var bufferOffset = 0
    private var atEnd = false
    /// False when the file's last line has no line feed (a copy cut off early, often).
    public private(set) var lastLineTerminated = true
    private var sniffed = false
    static let chunkSize = 1 << 16

    public init(path: String, maxLineBytes: Int) throws(ReadFailure) {
        file = try FileChunks(path: path)
        self.maxLineBytes = maxLineBytes
    }

    public init(file: FileChunks, maxLineBytes: Int, initialBytes: [UInt8] = []) {
        self.file = file
        self.maxLineBytes = maxLineBytes
        buffer = initialBytes
    }

    /// Drops the consumed bytes and reads one more chunk; returns how many bytes came in.
    private mutating func refill() throws(ReadFailure) -> Int {
        if atEnd { return 0 }
        if position > 0 {
            buffer.removeFirst(position)
            bufferOffset += position
            position = 0
        }
        let got = try file.read(into: &buffer, upTo: Self.chunkSize)
        if got == 0 { atEnd = true }
        return got
    }

    /// Where the line feed starting at or after `from` is, and its width; nil when not in the buffer.
    private func findNewline(from: Int) -> (index: Int, width: Int)? {
        switch newline {
        case .byte:
            // memchr: a 600 MB line is scanned at memory speed, not byte by byte.
            guard from < buffer.count else { return nil }
            return buffer.withUnsafeBufferPointer { all -> (Int, Int)? in
                guard let hit = memchr(all.baseAddress! + from, 0x0A, all.count - from) else { return nil }
                return (UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - all.baseAddress!, 1)
            }
        case .utf16LittleEndian, .utf16BigEndian:
            var i = from
            if (bufferOffset + i) % 2 != 0 { i += 1 }
            let (first, second): (UInt8, UInt8) = newline == .utf16LittleEndian ? (0x0A, 0) : (0, 0x0A)
            while i + 1 < buffer.count { if buffer[i] == first && buffer[i + 1] == second { return (i, 2) }; i += 2 }
            return nil
        }
    }

    /// The next line, or nil at the end of the file.
    public mutating func next() throws(ReadFailure) -> Line? {
        if !sniffed {
            sniffed = true
            while buffer.count < 2, try file.read(into: &buffer, upTo: Self.chunkSize) > 0 {}
            if buffer.starts(with: [0xFF, 0xFE]) { newline = .utf16LittleEndian }
            if buffer.starts(with: [0xFE, 0xFF]) { newline = .utf16BigEndian }
        }
        var scanned = position
        var dropped = 0
        while true {
            if let (index, width) = findNewline(from: scanned) {
                let length = index - position + dropped
                lineNumber += 1
                defer { position = index + width }
                if length > maxLineBytes { return .overlong(byteCount: length) }
                return .text(Array(buffer[position..<index]))
            }
            // No line feed yet: past the limit the bytes so far are dropped (only counted); the last
            // byte stays, as it may be half of a UTF-16 line feed.
            if buffer.count - position > maxLineBytes + 1 {
                dropped += buffer.count - position - 1
                position = buffer.count - 1
            }
            // Rescan from one byte back: a UTF-16 line feed may straddle two chunks.
            scanned = max(position, buffer.count - 1)
            let consumed = position
            let got = try refill()
            scanned -= consumed
            if got == 0 {
                let length = buffer.count - position + dropped
                if length == 0 { return nil }
                // The last line has no line feed.
                lineNumber += 1
                lastLineTerminated = false
                defer { position = buffer.count }
                if length > maxLineBytes { return .overlong(byteCount: length) }
                return .text(Array(buffer[position...]))
            }
        }
    }
}

/// A document's bytes as read from disk, with the lines that were too long to keep.
public struct DocumentBytes: Sendable {
    public var bytes: [UInt8]
    /// Line number → length in bytes of each line dropped for passing `maxLineBytes` (text files only).
    public var overlongLines: [Int: Int] = [:]
}

extension DocumentLoader {
    /// Reads a document. Word/Excel zips and markup exports are read whole (their parsers need all of
    /// it; `OfficeLimits` bound what they expand to); text is read line by line, so a line past the
    /// limit is dropped while it is read and a 600 MB one-line file never sits in memory.
    public static func readDocument(_ path: String, maxLineBytes: Int) -> Result<DocumentBytes, ReadFailure> {
        do throws(ReadFailure) {
            let file = try FileChunks(path: path)
            var head: [UInt8] = []
            while head.count < 8192, try file.read(into: &head, upTo: 8192 - head.count) > 0 {}
            if FormatSniffer.isZip(head) || FormatSniffer.refusal(head, file: path) != nil || OfficeReader.detect(head) != nil {
                try file.readToEnd(into: &head)
                return .success(DocumentBytes(bytes: head))
            }
            var reader = LineReader(file: file, maxLineBytes: maxLineBytes, initialBytes: head)
            var bytes: [UInt8] = []
            var overlong: [Int: Int] = [:]
            while let line = try reader.next() {
                let newline: [UInt8] = switch reader.newline {
                case .byte: [0x0A]
                case .utf16LittleEndian: [0x0A, 0]
                case .utf16BigEndian: [0, 0x0A]
                }
                var keepsLine = reader.lastLineTerminated
                switch line {
                case .text(let text): bytes += text
                case .overlong(let count):
                    overlong[reader.lineNumber] = count
                    keepsLine = true  // an empty line stands in for it, so the grid sees its number
                }
                if keepsLine { bytes += newline }
            }
            return .success(DocumentBytes(bytes: bytes, overlongLines: overlong))
        } catch {
            return .failure(error)
        }
    }
}
