import BudgetCore
import Foundation

/// One disbursement, matched to the project it pays.
public struct PaymentRecord: Sendable {
    public var date: CalendarDate
    public var department: String
    public var project: String
    /// Index into the loaded projects.
    public var projectIndex: Int
    public var amountFen: Int64
    public var note: String
    public var source: String
    public var line: Int
}

/// Reads payment ledgers (CSV `date,department,project,amount,note`, UTF-8 or GB18030) and matches
/// each row to a project by name, budget year and department. Every row that cannot be matched is
/// an error naming its line; none is dropped silently.
public enum LedgerReader {
    /// The header a ledger must start with (Chinese headers are accepted too).
    public static let header = ["date", "department", "project", "amount", "note"]
    static let expectedHeader = LedgerKind.payments.expectedHeader

    /// A ledger row before matching.
    struct Row {
        var date: CalendarDate
        var department: String
        var project: String
        var amountFen: Int64
        var note: String
        var line: Int
        /// Where the row is: its line, or its sheet and row (messages name the cell).
        var position: SourcePosition = .line(0)
    }

    /// What one ledger file yielded.
    public struct Outcome: Sendable {
        public var payments: [PaymentRecord] = []
        public var diagnostics: [Diagnostic] = []
        /// True when the file's leading `#` comment says it is synthetic.
        public var synthetic = false
    }

    /// Reads and matches one ledger held in memory (tests and fuzzing; the loader streams files).
    public static func read(bytes: [UInt8], file: String, projects: [ProjectRecord], maxLineBytes: Int = 1 << 20, labels: LabelBook = .builtIn) -> (payments: [PaymentRecord], diagnostics: [Diagnostic]) {
        let matcher = Matcher(records: projects)
        var stream = LedgerStream(file: file, matcher: matcher, maxLineBytes: maxLineBytes, labels: labels)
        stream.feed(bytes)
        var outcome = stream.finish()
        let dropped = checkTotals([outcome.payments], sources: [file], projects: matcher.projects, diagnostics: &outcome.diagnostics)
        let payments = dropped.isEmpty ? outcome.payments
            : outcome.payments.enumerated().filter { !dropped.contains(LedgerPosition(list: 0, index: $0.offset)) }.map(\.element)
        return (payments, outcome.diagnostics)
    }

    /// Reads a ledger file in chunks, matching rows as they come: memory holds one chunk and one
    /// record (at most `maxLineBytes`), never the file. Over-budget warnings need every ledger, so
    /// `checkTotals` gives them once all are read.
    public static func read(path: String, projects: [ProjectRecord], maxLineBytes: Int, labels: LabelBook = .builtIn) -> Outcome {
        read(path: path, matcher: Matcher(records: projects), maxLineBytes: maxLineBytes, labels: labels)
    }

    /// `read(path:projects:maxLineBytes:labels:)` with the projects' index built once for every ledger.
    static func read(path: String, matcher: Matcher, maxLineBytes: Int, labels: LabelBook) -> Outcome {
        var stream = LedgerStream(file: path, matcher: matcher, maxLineBytes: maxLineBytes, labels: labels)
        do throws(ReadFailure) {
            let chunks = try FileChunks(path: path)
            // Room for as many payments as the file could hold (a row is at least 16 bytes), taken
            // at once: the array then never grows by copying (old and new both resident, up to 3×
            // its size, at 1M projects 7 million payments), and pages never written stay unmapped.
            // Capped, so a huge or sparse file cannot ask for more than the machine has.
            stream.outcome.payments.reserveCapacity(min(chunks.size / 16, 1 << 24))
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            while true {
                buffer.removeAll(keepingCapacity: true)
                if try chunks.read(into: &buffer, upTo: 1 << 20) == 0 { break }
                stream.feed(buffer)
            }
            var outcome = stream.finish()
            return outcome
        } catch {
            var outcome = Outcome()
            outcome.diagnostics = [.error(path, 1, error.message)]
            return outcome
        }
    }

    /// A payment in `checkTotals`: its list and its index there.
    struct LedgerPosition: Hashable {
        var list: Int
        var index: Int
    }

    /// Payments past each project's budget, counted over all ledgers in load order (one warning a
    /// project, at the payment that passes it), and payments whose running total would not fit in
    /// Int64 (errors; those payments are left out). Over several ledgers' payments without joining
    /// them into one array (at 1M projects that copy was ~1 GB): returns the payments left out. `sources` names
    /// each list's file (every payment of a list is from it).
    static func checkTotals<Row: PaidRow>(_ lists: [[Row]], sources: [String], projects: [LedgerProject], diagnostics: inout [Diagnostic]) -> Set<LedgerPosition> {
        var paid = [Int64](repeating: 0, count: projects.count)
        var warned = [Bool](repeating: false, count: projects.count)
        var dropped = Set<LedgerPosition>()
        // Which ledgers pay a project, asked only for a project over budget (once, for all of them).
        var sourcesOf: [Int: Set<Int>]?
        for (list, payments) in lists.enumerated() {
            let source = sources[list]
            for (position, payment) in payments.enumerated() {
                let index = payment.projectIndex
                let (total, overflow) = paid[index].addingReportingOverflow(payment.amountFen)
                if overflow {
                    diagnostics.append(.error(source, payment.line, "payments to `\(payment.projectName(in: projects))` add up beyond what budgetq can hold exactly; row skipped (is the amount in 元?)"))
                    dropped.insert(LedgerPosition(list: list, index: position))
                    continue
                }
                paid[index] = total
                if let budget = projects[index].budgetFen, total > budget, !warned[index] {
                    warned[index] = true
                    if sourcesOf == nil {
                        var map: [Int: Set<Int>] = [:]
                        for (other, payments) in lists.enumerated() { for p in payments { map[p.projectIndex, default: []].insert(other) } }
                        sourcesOf = map
                    }
                    diagnostics.append(.warning(source, payment.line, "payments to `\(payment.projectName(in: projects))` in \(projects[index].year) reach \(Money.yuanText(fen: total, groupThousands: true)), more than its budget of \(Money.yuanText(fen: budget, groupThousands: true))"
                        + ((sourcesOf?[index]?.count ?? 1) > 1 ? " (counting every ledger)" : "")))
                }
            }
        }
        return dropped
    }

    /// A ledger being read: bytes are fed as they arrive; complete records are parsed and matched.
    struct LedgerStream {
        let file: String
        let projects: [LedgerProject]
        let maxLineBytes: Int
        /// The header synonyms (`ledger.*` of labels.tsv) and, once read, where each column is.
        let labels: LabelBook
        var columns: LedgerHeader?
        let matcher: Matcher
        var outcome = Outcome()
        /// Bytes of the record not yet complete (UTF-8).
        private var pending: [UInt8] = []
        /// GB18030 bytes after the last line feed, waiting to be converted.
        private var rawCarry: [UInt8] = []
        private var line = 1
        private var started = false
        private var gb18030 = false
        private var sawHeader = false
        private var width = 5
        /// The header's columns for `plainPayment`; nil when the amount
        /// column has a unit (`金额(万元)`), which only the string rules read.
        private var plainColumns: PlainColumns?

        /// Where the header put each field (-1 when it has no such column).
        struct PlainColumns {
            var date, department, project, amount, note: Int
            init(_ header: LedgerHeader) {
                date = header.columns[.date] ?? -1
                department = header.columns[.department] ?? -1
                project = header.columns[.project] ?? -1
                amount = header.columns[.amount] ?? -1
                note = header.columns[.note] ?? -1
            }
        }
        private var stopped = false
        /// Bytes of an overlong line dropped so far, and the line it started on.
        private var skipping: (line: Int, bytes: Int, feeds: Int)?
        private var invalidReported = false

        /// The records of the chunk being read, as byte spans (reused from chunk to chunk).
        private var spans = CSVRows.Spans()
        /// Notes repeat (首笔拨付, 尾款): each distinct one becomes a `String` once.
        private var notes = ByteTable<String>()

        init(file: String, matcher: Matcher, maxLineBytes: Int, labels: LabelBook = .builtIn) {
            self.labels = labels
            self.file = file
            self.projects = matcher.projects
            self.maxLineBytes = maxLineBytes
            self.matcher = matcher
        }

        mutating func feed(_ chunk: [UInt8]) {
            if stopped || chunk.isEmpty { return }
            var bytes = chunk[...]
            if !started {
                started = true
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
                if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
                    outcome.diagnostics.append(.error(file, 1, "the ledger is UTF-16 text; save it as UTF-8 (or GB18030) CSV"))
                    stopped = true
                    return
                }
                // The encoding is decided by the first chunk (a character cut at its end is not held against it).
                let probe = Array(bytes.prefix(1 << 16))
                gb18030 = !(0...3).contains { TextDecoding.isValidUTF8(Array(probe.dropLast($0))) }
                if let nul = probe.firstIndex(of: 0) {
                    outcome.diagnostics.append(.error(file, 1, "binary data at byte \(nul) (a NUL byte); expected payments (date,department,project,amount,note)"))
                    stopped = true
                    return
                }
                let head = String(decoding: probe.prefix(300), as: UTF8.self).lowercased()
                outcome.synthetic = head.hasPrefix("#") && head.contains("synthetic")
            }
            if gb18030 {
                rawCarry += bytes
                guard let lastFeed = rawCarry.lastIndex(of: 0x0A) else {
                    if rawCarry.count > maxLineBytes { pending += rawCarry; rawCarry = [] }
                    process(final: false)
                    return
                }
                let complete = Array(rawCarry[...lastFeed])
                rawCarry.removeFirst(lastFeed + 1)
                guard let utf8 = TextDecoding.iconvConvert(complete, from: "GB18030") else {
                    outcome.diagnostics.append(.error(file, line, "the bytes are neither UTF-8 nor GB18030/GBK text; the rows before line \(line) are read"))
                    stopped = true
                    return
                }
                pending += utf8
            } else {
                pending += bytes
            }
            process(final: false)
        }

        mutating func finish() -> Outcome {
            if !stopped {
                if !rawCarry.isEmpty {
                    if let utf8 = TextDecoding.iconvConvert(rawCarry, from: "GB18030") { pending += utf8 } else {
                        outcome.diagnostics.append(.error(file, line, "the bytes are neither UTF-8 nor GB18030/GBK text"))
                    }
                    rawCarry = []
                }
                process(final: true)
                if let skip = skipping { reportOverlong(skip) }
                if !sawHeader && !stopped {
                    outcome.diagnostics.append(.error(file, line, "the ledger is empty; expected the header date,department,project,amount,note"))
                }
            }
            // Report in the file's order, as a reader goes through it.
            outcome.diagnostics = outcome.diagnostics.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
            return outcome
        }

        private mutating func reportOverlong(_ skip: (line: Int, bytes: Int, feeds: Int)) {
            outcome.diagnostics.append(.error(file, skip.line, "line is \(skip.bytes) bytes long; the longest line read is \(maxLineBytes) bytes (is this a payment ledger?); line skipped"))
            skipping = nil
        }

        private mutating func process(final: Bool) {
            while !stopped {
                if var skip = skipping {
                    // Drop the overlong line up to its line feed.
                    guard let feed = pending.firstIndex(of: 0x0A) else {
                        skip.bytes += pending.count
                        skipping = skip
                        pending.removeAll(keepingCapacity: true)
                        return
                    }
                    skip.bytes += feed
                    reportOverlong(skip)
                    pending.removeFirst(feed + 1)
                    line = skip.line + skip.feeds + 1
                    continue
                }
                if !sawHeader {
                    // Leading `#` lines are comments (generated ledgers say there that they are synthetic).
                    while pending.first == UInt8(ascii: "#"), let feed = pending.firstIndex(of: 0x0A) {
                        pending.removeFirst(feed + 1)
                        line += 1
                    }
                    if pending.first == UInt8(ascii: "#") && !final && pending.count <= maxLineBytes { return }
                }
                spans.removeAll()
                let parsed = pending.withUnsafeBufferPointer { buffer in
                    CSVRows.scan(buffer, firstLine: line, maxFieldBytes: Int.max, final: final, into: &spans)
                }
                if let problem = parsed.problem {
                    outcome.diagnostics.append(.error(file, problem.line, "not readable as CSV: \(problem.message); the rows before it are read"))
                    take()
                    stopped = true
                    return
                }
                if !gb18030 && !invalidReported && !pending.withUnsafeBufferPointer({ String(validating: UnsafeBufferPointer(rebasing: $0[..<parsed.consumed]), as: UTF8.self) != nil }) {
                    invalidReported = true
                    outcome.diagnostics.append(.error(file, line, "bytes that are not UTF-8 text from line \(line) on (the file began as UTF-8); their characters show as �"))
                }
                take()
                pending.removeFirst(parsed.consumed)
                line = parsed.nextLine
                if stopped || final { return }
                if pending.count > maxLineBytes {
                    // A record longer than the limit: dropped as it is read, up to the next line feed
                    // (a record inside an open quote spans lines; those are dropped with it).
                    let feeds = pending.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                    skipping = (line: line, bytes: pending.count, feeds: feeds)
                    pending.removeAll(keepingCapacity: true)
                    continue
                }
                return
            }
        }

        /// Checks the header, then turns the records in `spans` into matched payments.
        private mutating func take() {
            var firstRecord = 0
            if !sawHeader {
                guard spans.count > 0 else { return }
                sawHeader = true
                firstRecord = 1
                let first = spans.record(0)
                // Columns go by their header, in any order (日期/支付日期, 项目名称, 金额 …).
                guard let found = LedgerHeader.read(first.fields, labels: labels) else {
                    outcome.diagnostics.append(.error(file, first.line, "expected the header \(LedgerReader.expectedHeader), found `\(first.fields.joined(separator: ","))`; file skipped"))
                    stopped = true
                    return
                }
                if let note = found.ignoredNote(.payments) { outcome.diagnostics.append(.warning(file, first.line, note)) }
                columns = found
                width = first.fields.count
                plainColumns = found.amountMultiplier == 1 ? PlainColumns(found) : nil
            }
            outcome.payments.reserveCapacity(outcome.payments.count + spans.count - firstRecord)
            for r in firstRecord..<max(firstRecord, spans.count) {
                if spans.recordByteCount[r] > maxLineBytes {
                    outcome.diagnostics.append(.error(file, spans.recordLine[r], "line is \(spans.recordByteCount[r]) bytes long; the longest line read is \(maxLineBytes) bytes (is this a payment ledger?); line skipped"))
                    continue
                }
                if let payment = plainPayment(r) {
                    outcome.payments.append(payment)
                    continue
                }
                // Anything the byte path is not sure of (spaces to trim, another date or amount
                // form, a name not found, several candidates) is read by the rules below, as strings.
                let entry = spans.record(r)
                guard let row = LedgerReader.row(entry, file: file, header: columns, width: width, diagnostics: &outcome.diagnostics) else { continue }
                switch matcher.match(row) {
                case .failure(let failure):
                    outcome.diagnostics.append(.error(file, row.line, failure.message))
                case .success(let index):
                    outcome.payments.append(LedgerReader.payment(row, paying: index, of: projects, file: file))
                }
            }
        }

        /// Record `r` as a payment when it is plainly one, read over its bytes: as many fields as
        /// the header, none with anything to trim, an ISO date, an amount in 元 of digits with at
        /// most two decimals, and the name of exactly one project of that year (of that department,
        /// when one is given). Nil when not sure: then `row` and `Matcher.match` read it and say
        /// what is wrong.
        ///
        /// Hand-written over bytes for speed (issue 13, BENCHMARKS.md): a `String` per field, trimmed,
        /// with Foundation's `replacingOccurrences` on the amount and a `String`-keyed look-up of the
        /// name was most of a ledger's reading time. Every record it accepts reads the same as there.
        private mutating func plainPayment(_ r: Int) -> PaymentRecord? {
            guard let order = plainColumns else { return nil }
            let fields = spans.fields(r)
            guard fields.count == width else { return nil }
            let first = fields.lowerBound
            return spans.bytes.withUnsafeBytes { all -> PaymentRecord? in
                for k in fields where !PlainBytes.untrimmed(UnsafeRawBufferPointer(rebasing: all[spans.fieldStart[k]..<spans.fieldEnd[k]])) { return nil }
                func field(_ column: Int) -> UnsafeRawBufferPointer {
                    if column < 0 { return UnsafeRawBufferPointer(start: nil, count: 0) }
                    return UnsafeRawBufferPointer(rebasing: all[spans.fieldStart[first + column]..<spans.fieldEnd[first + column]])
                }
                let department = field(order.department), project = field(order.project), note = field(order.note)
                guard !project.isEmpty, let date = PlainBytes.isoDate(field(order.date)), let fen = PlainBytes.yuanToFen(field(order.amount)),
                      let index = matcher.plainMatch(project: project, year: date.year, department: department) else { return nil }
                let p = projects[index]
                let departmentText: String
                if department.isEmpty {
                    departmentText = p.department ?? ""
                } else if let own = p.department, own.hasUTF8(department) {
                    departmentText = own
                } else if let unit = p.unit, unit.hasUTF8(department) {
                    departmentText = unit
                } else {
                    return nil
                }
                let name = p.name.hasUTF8(project) ? p.name : String(decoding: project, as: UTF8.self)
                let noteText = note.isEmpty ? "" : notes.intern(note)
                return PaymentRecord(date: date, department: departmentText, project: name, projectIndex: index, amountFen: fen,
                                     note: noteText, source: file, line: spans.recordLine[r])
            }
        }
    }

    /// Byte tests of `plainPayment`: each accepts only what the string rules read the same way.
    enum PlainBytes {
        /// No whitespace to trim at either end (`Character.isWhitespace`): the first and last
        /// characters are printable ASCII or CJK ideographs, CJK punctuation or full-width forms
        /// (none of them whitespace, none a mark that joins the character before). Empty is fine.
        static func untrimmed(_ bytes: UnsafeRawBufferPointer) -> Bool {
            let n = bytes.count
            if n == 0 { return true }
            func plain(_ scalar: UInt32) -> Bool {
                (0x21...0x7E).contains(scalar) || (0x3001...0x3029).contains(scalar) || (0x3400...0x4DBF).contains(scalar)
                    || (0x4E00...0x9FFF).contains(scalar) || (0xFF01...0xFF5E).contains(scalar)
            }
            func threeByte(_ i: Int) -> UInt32? {
                guard i >= 0, i + 2 < n, bytes[i] & 0xF0 == 0xE0, bytes[i + 1] & 0xC0 == 0x80, bytes[i + 2] & 0xC0 == 0x80 else { return nil }
                return UInt32(bytes[i] & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
            }
            let head: UInt32? = bytes[0] < 0x80 ? UInt32(bytes[0]) : threeByte(0)
            let tail: UInt32? = bytes[n - 1] < 0x80 ? UInt32(bytes[n - 1]) : threeByte(n - 3)
            guard let head, let tail else { return false }
            return plain(head) && plain(tail)
        }

        /// `2024-06-30`: four, one or two, one or two digits, a date that exists.
        static func isoDate(_ bytes: UnsafeRawBufferPointer) -> CalendarDate? {
            var parts = (0, 0, 0)
            var digits = 0, part = 0, value = 0
            for byte in bytes {
                if byte >= 0x30 && byte <= 0x39 {
                    value = value * 10 + Int(byte - 0x30)
                    digits += 1
                } else if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/") {
                    guard part < 2, part == 0 ? digits == 4 : (1...2).contains(digits) else { return nil }
                    if part == 0 { parts.0 = value } else { parts.1 = value }
                    part += 1
                    value = 0
                    digits = 0
                } else {
                    return nil
                }
            }
            guard part == 2, (1...2).contains(digits) else { return nil }
            parts.2 = value
            return CalendarDate(year: parts.0, month: parts.1, day: parts.2)
        }

        /// `5849.00`, `120000`, `0.5`: digits, at most one point with one or two decimals after it.
        /// Nil for anything else (grouping, signs, spaces, ¥, full-width digits) and on overflow.
        static func yuanToFen(_ bytes: UnsafeRawBufferPointer) -> Int64? {
            var mantissa: Int64 = 0
            var decimals = -1
            var sawDigit = false
            for byte in bytes {
                if byte >= 0x30 && byte <= 0x39 {
                    let (times10, o1) = mantissa.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(Int64(byte - 0x30))
                    if o1 || o2 { return nil }
                    mantissa = sum
                    sawDigit = true
                    if decimals >= 0 { decimals += 1 }
                } else if byte == UInt8(ascii: "."), decimals < 0, sawDigit {
                    decimals = 0
                } else {
                    return nil
                }
            }
            guard sawDigit, decimals != 0, decimals <= 2 else { return nil }
            let scale: Int64 = decimals == 2 ? 1 : decimals == 1 ? 10 : 100
            let (fen, overflow) = mantissa.multipliedReportingOverflow(by: scale)
            return overflow ? nil : fen
        }
    }

    /// One record as a ledger row, or nil after reporting why it is not one (a blank record is no row).
    static func row(_ entry: CSVRows.Record, file: String, header: LedgerHeader? = nil, width: Int = 5, diagnostics: inout [Diagnostic]) -> Row? {
        let record = entry.fields
        guard record.count == width || (record.count > width && record[width...].allSatisfy { $0.isEmpty }) || Self.isBlank(record) else {
            diagnostics.append(.error(file, entry.line, width == 5 ? "expected 5 fields (date,department,project,amount,note), found \(record.count)" : "expected \(width) fields, as the header has, found \(record.count)"))
            return nil
        }
        return row(record, at: .line(entry.line), file: file, header: header, diagnostics: &diagnostics)
    }

    /// True for a record of blank cells only (a spacer, not a row).
    static func isBlank(_ cells: [String]) -> Bool {
        cells.allSatisfy { $0.isEmpty || $0.allSatisfy(\.isWhitespace) }
    }

    /// The cells of a CSV record or a sheet row as a ledger row; problems name the line, or the
    /// sheet and cell (`支付明细!D7`), of the cell at fault.
    static func row(_ record: [String], at position: SourcePosition, file: String, header: LedgerHeader?, diagnostics: inout [Diagnostic]) -> Row? {
        if isBlank(record) { return nil }
        let trimmed = record.map { $0.first?.isWhitespace == true || $0.last?.isWhitespace == true ? $0.trimmingCharacters(in: .whitespaces) : $0 }
        // The five fields in their usual order, wherever the header put them.
        let order = header?.columns ?? [.date: 0, .department: 1, .project: 2, .amount: 3, .note: 4]
        let fields = LedgerKind.payments.reads
        let cells = fields.map { field in order[field].map { $0 < trimmed.count ? trimmed[$0] : "" } ?? "" }
        let multiplier = header?.amountMultiplier ?? 1
        func error(_ field: LedgerField, _ message: String) {
            diagnostics.append(.at(file, position.at(column: order[field] ?? 0), .error, message))
        }
        guard let date = parseDate(cells[0]) else {
            error(.date, "bad date `\(cells[0])`; expected YYYY-MM-DD such as 2024-06-30" + excelSerialHint(cells[0]))
            return nil
        }
        if cells[2].isEmpty {
            error(.project, "no project name; expected the project's 项目名称")
            return nil
        }
        let amountText = cells[3].replacingOccurrences(of: " ", with: "")
        if amountText.hasPrefix("-") || amountText.hasPrefix("−") {
            error(.amount, "negative amount `\(cells[3])`; record refunds as a note on a corrected payment")
            return nil
        }
        guard let fen = Money.parseFen(Substring(amountText), yuanMultiplier: multiplier) else {
            error(.amount, "amount `\(cells[3])` is not a number; expected yuan such as 120000.00 (at most fen precision)")
            return nil
        }
        return Row(date: date, department: cells[1], project: cells[2], amountFen: fen, note: cells[4], line: position.lineNumber, position: position)
    }

    /// A matched row as a payment: a blank department is the project's own.
    static func payment(_ row: Row, paying index: Int, of projects: [LedgerProject], file: String) -> PaymentRecord {
        PaymentRecord(date: row.date, department: row.department.isEmpty ? (projects[index].department ?? "") : row.department,
                      project: row.project, projectIndex: index, amountFen: row.amountFen, note: row.note, source: file, line: row.line)
    }

    /// For a date cell holding a bare Excel serial number (a date column left in General format):
    /// the date it stands for, so the reader can format the column as a date rather than guess.
    static func excelSerialHint(_ text: String) -> String {
        guard text.count == 5, let serial = Int(text), (20_000...80_000).contains(serial) else { return "" }
        let (y, m, d) = ExcelNumberFormat.civilDate(serial: serial, date1904: false)
        guard let date = CalendarDate(year: y, month: m, day: d) else { return "" }
        return " (an Excel serial number for \(date) in a cell not formatted as a date? format the column as a date)"
    }

    /// `2024-06-30`, `2024/6/30`, `2024.6.30` or `2024年6月30日`.
    static func parseDate(_ text: String) -> CalendarDate? {
        var text = text
        if text.hasSuffix("日") { text.removeLast() }
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." || $0 == "年" || $0 == "月" })
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[1].count <= 2, parts[2].count <= 2 else { return nil }
        return CalendarDate(year: y, month: m, day: d)
    }

    /// Finds the project a row pays.
    struct Matcher: Sendable {
        let projects: [LedgerProject]
        /// The projects by name as `String`s (equal under canonical equivalence), for the rows
        /// `plainMatch` leaves: built the first time one needs it. Most ledgers match every row by
        /// bytes; the set-up with this index built eagerly took ~0.13 s of CPU at 100k projects (perf), on one
        /// core, before any ledger was read.
        private let names: NameIndex
        /// Every spelling (UTF-8 bytes) of the projects' names, to the projects of a name equal to
        /// it as a `String`: the candidates of the `String` look-up, found without making a `String`.
        private var bySpelling = ByteTable<[Int]>()

        /// The index of `records`, by what a ledger row is matched on.
        init(records: [ProjectRecord]) { self.init(projects: records.map(LedgerProject.init)) }

        /// The index of `projects` (the whole portfolio, in load order: a match is an index into it).
        init(projects: [LedgerProject]) {
            self.projects = projects
            names = NameIndex(projects)
            var spellings = ByteTable<[Int]>(capacity: projects.count)
            for (i, p) in projects.enumerated() {
                p.name.withUTF8Bytes { spelling in
                    let entry = spellings.index(spelling) { [] }
                    spellings.update(entry) { $0.append(i) }
                }
            }
            // Two plain names (`isPlainScalar`) are equal as `String`s only when their bytes are:
            // grouped by bytes, they are grouped as the `String` look-up groups them. A name with
            // another scalar may equal a name of other bytes (a CJK compatibility ideograph, a
            // combining accent): then every spelling lists the projects of its `String`.
            if !projects.allSatisfy({ $0.name.isPlainText }) {
                let byName = names.byName
                for indices in byName.values {
                    for i in indices { projects[i].name.withUTF8Bytes { spelling in spellings.update(spellings.index(spelling) { [] }) { $0 = indices } } }
                }
            }
            bySpelling = spellings
        }

        /// The project a plain row pays when there is exactly one of that name in `year` and it
        /// is of `department` (same bytes) or no department is given; nil when `match` must decide.
        func plainMatch(project: UnsafeRawBufferPointer, year: Int, department: UnsafeRawBufferPointer) -> Int? {
            guard let named = bySpelling.value(project) else { return nil }
            var found: Int?
            for i in named where projects[i].year == year {
                if found != nil { return nil }
                found = i
            }
            guard let index = found else { return nil }
            if department.isEmpty { return index }
            let p = projects[index]
            return p.department?.hasUTF8(department) == true || p.unit?.hasUTF8(department) == true ? index : nil
        }

        func match(_ row: Row) -> Result<Int, MatchFailure> {
            guard let named = names.byName[row.project] else {
                let close = closeNames(row.project)
                return .failure(MatchFailure(message: "unknown project `\(row.project)`" + (close.isEmpty ? "; no project has a similar name" : "; close names: " + close.joined(separator: ", "))))
            }
            let inYear = named.filter { projects[$0].year == row.date.year }
            if inYear.isEmpty {
                let years = Set(named.map { projects[$0].year }).sorted().map(String.init).joined(separator: ", ")
                return .failure(MatchFailure(message: "payment dated \(row.date) lies outside the budget year of `\(row.project)` (budgeted in \(years))"))
            }
            var candidates = inYear
            if !row.department.isEmpty {
                candidates = inYear.filter { projects[$0].department == row.department || projects[$0].unit == row.department }
                if candidates.isEmpty {
                    let departments = Set(inYear.compactMap { projects[$0].department }).sorted().joined(separator: ", ")
                    return .failure(MatchFailure(message: "no project `\(row.project)` of department `\(row.department)` in \(row.date.year); it exists for: \(departments)"))
                }
            }
            if candidates.count > 1 {
                let departments = candidates.map { projects[$0].department ?? "(no department)" }.joined(separator: ", ")
                return .failure(MatchFailure(message: "ambiguous project `\(row.project)` in \(row.date.year): \(candidates.count) projects have this name (departments: \(departments)); fill in the department column"))
            }
            return .success(candidates[0])
        }

        private func closeNames(_ name: String) -> [String] {
            let target = Array(name)
            var scored: [(String, Int)] = []
            for candidate in names.byName.keys {
                let c = Array(candidate)
                // Cheap filters first: shared characters, then edit distance.
                if abs(c.count - target.count) > max(4, target.count / 2) { continue }
                let distance = editDistance(target, c)
                if distance <= max(2, target.count / 3) || candidate.contains(name) || name.contains(candidate) { scored.append((candidate, distance)) }
            }
            return scored.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(3).map(\.0)
        }
    }
}

/// The projects by name as `String`s, made on first use from any thread.
private final class NameIndex: @unchecked Sendable {
    private let projects: [LedgerProject]
    private let lock = NSLock()
    private var built: [String: [Int]]?

    init(_ projects: [LedgerProject]) { self.projects = projects }

    var byName: [String: [Int]] {
        lock.lock()
        defer { lock.unlock() }
        if let built { return built }
        var index: [String: [Int]] = [:]
        for (i, p) in projects.enumerated() { index[p.name, default: []].append(i) }
        built = index
        return index
    }
}

/// Why a ledger row matched no single project.
struct MatchFailure: Error {
    var message: String
}

/// What a ledger row is matched on, and what the over-budget check needs: a project's name, year,
/// department, unit and budget. Loading a large folder keeps only this of each project while its
/// ledgers are read (a whole `ProjectRecord` is ~650 bytes, this ~90; issue 13).
public struct LedgerProject: Sendable {
    public var name: String
    public var year: Int
    public var department: String?
    public var unit: String?
    public var budgetFen: Int64?

    public init(name: String, year: Int, department: String?, unit: String?, budgetFen: Int64?) {
        self.name = name
        self.year = year
        self.department = department
        self.unit = unit
        self.budgetFen = budgetFen
    }

    public init(_ record: ProjectRecord) {
        self.init(name: record.name, year: record.year, department: record.department, unit: record.unit, budgetFen: record.budgetFen)
    }
}

/// What the totals check reads of a payment (`LedgerReader.checkTotals`).
protocol PaidRow {
    var projectIndex: Int { get }
    var amountFen: Int64 { get }
    var line: Int { get }
    /// The project's name as the messages quote it.
    func projectName(in projects: [LedgerProject]) -> String
}

extension PaymentRecord: PaidRow {
    func projectName(in projects: [LedgerProject]) -> String { project }
}

/// A payment reduced to what the totals check reads (24 bytes instead of 112): a large folder's
/// loader keeps this of each payment once its ledger's rows are in a table.
struct PaidPayment: PaidRow, Sendable {
    var projectIndex: Int
    var amountFen: Int64
    var line: Int

    init(_ payment: PaymentRecord) {
        projectIndex = payment.projectIndex
        amountFen = payment.amountFen
        line = payment.line
    }

    func projectName(in projects: [LedgerProject]) -> String { projects[projectIndex].name }
}
