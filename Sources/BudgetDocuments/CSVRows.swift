/// RFC 4180 rows over UTF-8 bytes, each with the line it starts on.
///
/// budgetq first read ledgers with SwiftCSV, which walks Swift `Character`s (grapheme clusters):
/// 712,000 payment rows took 17 s. Ledgers are comma-separated bytes, so this reader splits bytes.
/// `scan` keeps every field as a span of one shared byte buffer (`Spans`), so a payment ledger is
/// read without a `String` per field (issue 13, BENCHMARKS.md); `parse` gives the fields as strings.
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

    /// Records as spans of one byte buffer: each field's bytes (quotes removed, `""` as one quote)
    /// lie one after another in `bytes`.
    struct Spans {
        var bytes: [UInt8] = []
        var fieldStart: [Int] = []
        var fieldEnd: [Int] = []
        var recordFirstField: [Int] = []
        var recordLine: [Int] = []
        var recordByteCount: [Int] = []

        var count: Int { recordLine.count }

        mutating func removeAll() {
            bytes.removeAll(keepingCapacity: true)
            fieldStart.removeAll(keepingCapacity: true)
            fieldEnd.removeAll(keepingCapacity: true)
            recordFirstField.removeAll(keepingCapacity: true)
            recordLine.removeAll(keepingCapacity: true)
            recordByteCount.removeAll(keepingCapacity: true)
        }

        /// The fields of record `r`, as indices into `fieldStart`/`fieldEnd`.
        func fields(_ r: Int) -> Range<Int> {
            recordFirstField[r]..<(r + 1 < count ? recordFirstField[r + 1] : fieldStart.count)
        }

        /// Record `r` with its fields as strings.
        func record(_ r: Int) -> Record {
            bytes.withUnsafeBufferPointer { all in
                Record(fields: fields(r).map { String(decoding: UnsafeBufferPointer(rebasing: all[fieldStart[$0]..<fieldEnd[$0]]), as: UTF8.self) },
                       line: recordLine[r], byteCount: recordByteCount[r])
            }
        }
    }

    /// A problem that ends the reading: where, and what.
    struct Problem {
        var line: Int
        var message: String
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int = 1, maxFieldBytes: Int = 1 << 20) throws(Malformed) -> [Record] {
        try parse(bytes, firstLine: firstLine, maxFieldBytes: maxFieldBytes, final: true).records
    }

    /// `scan`, with the records' fields as strings and a problem thrown (with the records before it).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, maxFieldBytes: Int, final: Bool) throws(Malformed)
        -> (records: [Record], consumed: Int, nextLine: Int) {
        var spans = Spans()
        let scanned = scan(bytes, firstLine: firstLine, maxFieldBytes: maxFieldBytes, final: final, into: &spans)
        let records = (0..<spans.count).map { spans.record($0) }
        if let problem = scanned.problem { throw Malformed(line: problem.line, message: problem.message, records: records) }
        return (records, scanned.consumed, scanned.nextLine)
    }

    /// The complete records at the start of `bytes`, appended to `out`; with `final` false an
    /// unfinished last record (no line feed yet, or an open quote) is left for the next call:
    /// `consumed` bytes were used and the rest starts on line `nextLine`. How a ledger is read
    /// while it streams off disk. On a problem, `out` holds the complete records before it.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, firstLine: Int, maxFieldBytes: Int, final: Bool, into out: inout Spans)
        -> (consumed: Int, nextLine: Int, problem: Problem?) {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lineFeed: UInt8 = 0x0A, carriageReturn: UInt8 = 0x0D
        var consumed = 0
        var line = firstLine
        var recordLine = firstLine
        var i = 0
        let n = bytes.count
        var inQuotes = false
        var fieldWasQuoted = false
        var recordFields = out.fieldStart.count
        var fieldStart = out.bytes.count
        func endField() {
            out.fieldStart.append(fieldStart)
            out.fieldEnd.append(out.bytes.count)
            fieldStart = out.bytes.count
            fieldWasQuoted = false
        }
        func endRecord(byteCount: Int) {
            out.recordFirstField.append(recordFields)
            out.recordLine.append(recordLine)
            out.recordByteCount.append(byteCount)
            recordFields = out.fieldStart.count
        }
        func dropOpenRecord() {
            let bytesStart = recordFields < out.fieldStart.count ? out.fieldStart[recordFields] : fieldStart
            out.fieldStart.removeSubrange(recordFields...)
            out.fieldEnd.removeSubrange(recordFields...)
            out.bytes.removeSubrange(bytesStart...)
        }
        while i < n {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < n && bytes[i + 1] == quote {
                        out.bytes.append(b)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if b == lineFeed { line += 1 }
                    out.bytes.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case comma:
                endField()
            case quote:
                if out.bytes.count == fieldStart && !fieldWasQuoted {
                    inQuotes = true
                    fieldWasQuoted = true
                } else {
                    out.bytes.append(b)
                }
            case carriageReturn where i + 1 < n && bytes[i + 1] == lineFeed:
                break
            case lineFeed:
                endField()
                endRecord(byteCount: i - consumed)
                line += 1
                recordLine = line
                consumed = i + 1
            default:
                // A run of plain bytes is copied at once.
                var j = i + 1
                while j < n {
                    let c = bytes[j]
                    if c == comma || c == quote || c == lineFeed || c == carriageReturn { break }
                    j += 1
                }
                out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<j]))
                i = j - 1
            }
            if out.bytes.count - fieldStart > maxFieldBytes {
                dropOpenRecord()
                return (consumed, recordLine, Problem(line: recordLine, message: "a field longer than \(maxFieldBytes) bytes; is this a payment ledger?"))
            }
            i += 1
        }
        if !final {
            dropOpenRecord()
            return (consumed, recordLine, nil)
        }
        if inQuotes {
            // The records before it stand; the unfinished one is the caller's to report.
            dropOpenRecord()
            return (consumed, recordLine, Problem(line: recordLine, message: "a quoted field is not closed before the end of the file"))
        }
        if out.bytes.count > fieldStart || out.fieldStart.count > recordFields {
            endField()
            endRecord(byteCount: 0)
        }
        return (n, line, nil)
    }
}
