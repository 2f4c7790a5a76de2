import BudgetCore
import Foundation

/// A binary columnar snapshot of a store: reopening it skips parsing documents.
///
/// Layout: a 40-byte header (magic `BUDGETQ\0`, format version, table-of-contents offset, length
/// and checksum), then each column buffer as a raw little-endian section, then the table of
/// contents (JSON: tables, columns, sections with their offsets, lengths and checksums, sources).
/// The file is mapped; each column's sections are checked and decoded when a query first reads
/// the column. Writing goes through `AtomicFile`, so a crash
/// leaves the previous snapshot intact.
public enum Snapshot {
    /// The format this budgetq writes. 3: an integer column's nulls are a bitmap section after its
    /// values (every Int64 is a value). 2 (still read): Int64.min stood for null, so it is read as
    /// null. 2 added `projects.execution_target` and `execution_deadline`; format 1 is refused.
    public static let formatVersion: UInt32 = 3
    /// The oldest format this budgetq reads.
    static let oldestReadable: UInt32 = 2
    /// Format 2's null of integer columns.
    static let format2Null = Int64.min
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
        var origin: Origin
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

    /// How a column's values are laid out in sections; the raw value is the `layout` a table of
    /// contents names (kept a string there, so an unknown layout is reported by name).
    enum Layout: String {
        /// One section of Int64, then (format 3) the null bitmap as UInt64 words, bit `row % 64` of
        /// word `row / 64` set for a null row; trailing zero words may be left out.
        case integers
        /// One section of Double.
        case reals
        /// Int32 codes, then the dictionary (end offsets, bytes).
        case strings
        /// Int32 lengths (-1 for null), then the bytes.
        case texts
        /// Int32 row offsets, Int32 codes, then the dictionary.
        case lists
    }

    /// A fast 64-bit checksum (`ContentHash`), to catch damaged or truncated files.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt64 { ContentHash.of(bytes) }
}
