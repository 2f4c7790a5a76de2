/// RFC 4180 rows over UTF-8 bytes, each with the line it starts on.
///
/// budgetq first read ledgers with SwiftCSV, which walks Swift `Character`s (grapheme clusters):
/// 712,000 payment rows took 17 s. Ledgers are comma-separated bytes, so this reader splits bytes
/// and makes one String per field: about 30 times faster (see BENCHMARKS.md).
struct CSVRows {
    /// Fields of one record and its first physical line (1-based).
    struct Record {
        var fields: [String]
        var line: Int
        /// Bytes from the record's start to its line feed.
        var byteCount = 0
    }

    /// Why the text is not CSV.
    struct Malformed: Error {
        var line: Int
        var message: String
        /// The complete records read before the problem.
        var records: [Record] = []
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int = 1, maxFieldBytes: Int = 1 << 20) throws(Malformed) -> [Record] {
        try parse(bytes, firstLine: firstLine, maxFieldBytes: maxFieldBytes, final: true).records
    }

    /// The complete records at the start of `bytes`; with `final` false an unfinished last record
    /// (no line feed yet, or an open quote) is left for the next call: `consumed` bytes were used and
    /// the rest starts on line `nextLine`. How a ledger is read while it streams off disk.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, maxFieldBytes: Int, final: Bool) throws(Malformed)
        -> (records: [Record], consumed: Int, nextLine: Int) {
        var consumed = 0
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = firstLine
        var recordLine = firstLine
        var i = 0
        let n = bytes.count
        var inQuotes = false
        var fieldWasQuoted = false
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            fieldWasQuoted = false
        }
        while i < n {
            let b = bytes[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < n && bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(b)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if b == 0x0A { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case UInt8(ascii: ","):
                endField()
            case UInt8(ascii: "\""):
                if field.isEmpty && !fieldWasQuoted {
                    inQuotes = true
                    fieldWasQuoted = true
                } else {
                    field.append(b)
                }
            case 0x0D where i + 1 < n && bytes[i + 1] == 0x0A:
                break
            case 0x0A:
                endField()
                records.append(Record(fields: fields, line: recordLine, byteCount: i - consumed))
                fields.removeAll(keepingCapacity: true)
                line += 1
                recordLine = line
                consumed = i + 1
            default:
                field.append(b)
            }
            if field.count > maxFieldBytes {
                throw Malformed(line: recordLine, message: "a field longer than \(maxFieldBytes) bytes; is this a payment ledger?", records: records)
            }
            i += 1
        }
        if !final { return (records, consumed, recordLine) }
        if inQuotes {
            // The records before it stand; the unfinished one is the caller's to report.
            throw Malformed(line: recordLine, message: "a quoted field is not closed before the end of the file", records: records)
        }
        if !field.isEmpty || !fields.isEmpty {
            endField()
            records.append(Record(fields: fields, line: recordLine))
        }
        return (records, n, line)
    }
}
