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

/// A column of a payment ledger, by what it holds.
public enum LedgerField: String, Sendable, CaseIterable {
    case date, department, project, amount, note

    /// The columns a ledger cannot do without.
    static let required: [LedgerField] = [.date, .project, .amount]
}

/// A ledger's header row read against the `ledger.*` synonyms of `labels.tsv` (日期/支付日期,
/// 部门/预算单位, 项目/项目名称, 金额/支付金额, 备注/摘要 …): where each field is, in any order, and
/// which columns are not read. Shared by every reader of ledgers (payments, 自评 actuals).
public struct LedgerHeader: Sendable, Equatable {
    /// The column index of each field found.
    public var columns: [LedgerField: Int]
    /// `金额(万元)`: yuan per unit of the amount column (1 when the header names no unit).
    public var amountMultiplier: Int64
    /// Header cells of columns that are not read.
    public var ignored: [String]

    /// Reads a header row; nil when it lacks a date, project or amount column or names one twice.
    public static func read(_ cells: [String], labels: LabelBook = .builtIn) -> LedgerHeader? {
        var columns: [LedgerField: Int] = [:]
        var ignored: [String] = []
        var multiplier: Int64 = 1
        for (i, raw) in cells.enumerated() {
            let cell = raw.trimmingCharacters(in: .whitespaces)
            if cell.isEmpty { continue }
            guard let field = labels.ledgerField(cell) else { ignored.append(cell); continue }
            if columns[field] != nil { return nil }
            columns[field] = i
            if field == .amount, let m = LabelText.parse(cell).unitMultiplier { multiplier = m }
        }
        guard LedgerField.required.allSatisfy({ columns[$0] != nil }) else { return nil }
        return LedgerHeader(columns: columns, amountMultiplier: multiplier, ignored: ignored)
    }
}

/// Reads payment ledgers (CSV `date,department,project,amount,note`, UTF-8 or GB18030) and matches
/// each row to a project by name, budget year and department. Every row that cannot be matched is
/// an error naming its line; none is dropped silently.
public enum LedgerReader {
    /// The header a ledger must start with (Chinese headers are accepted too).
    public static let header = ["date", "department", "project", "amount", "note"]
    static let expectedHeader = "date,department,project,amount,note (or 日期,部门,项目名称,金额,备注; see ledger.* in labels.tsv)"

    /// A ledger row before matching.
    struct Row {
        var date: CalendarDate
        var department: String
        var project: String
        var amountFen: Int64
        var note: String
        var line: Int
    }

    /// What one ledger file yielded.
    public struct Outcome: Sendable {
        public var payments: [PaymentRecord] = []
        public var diagnostics: [Diagnostic] = []
        /// True when the file's leading `#` comment says it is synthetic.
        public var synthetic = false
        public var digest = ContentDigest()
    }

    /// Reads and matches one ledger held in memory (tests and fuzzing; the loader streams files).
    public static func read(bytes: [UInt8], file: String, projects: [ProjectRecord], maxLineBytes: Int = 1 << 20, labels: LabelBook = .builtIn) -> (payments: [PaymentRecord], diagnostics: [Diagnostic]) {
        var stream = LedgerStream(file: file, projects: projects, maxLineBytes: maxLineBytes, labels: labels)
        stream.feed(bytes)
        var outcome = stream.finish()
        let payments = checkTotals(outcome.payments, projects: projects, diagnostics: &outcome.diagnostics)
        return (payments, outcome.diagnostics)
    }

    /// Reads a ledger file in chunks, matching rows as they come: memory holds one chunk and one
    /// record (at most `maxLineBytes`), never the file. Over-budget warnings need every ledger, so
    /// `budgetWarnings` gives them once all are read.
    public static func read(path: String, projects: [ProjectRecord], maxLineBytes: Int, labels: LabelBook = .builtIn) -> Outcome {
        var stream = LedgerStream(file: path, projects: projects, maxLineBytes: maxLineBytes, labels: labels)
        do throws(ReadFailure) {
            let chunks = try FileChunks(path: path)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            while true {
                buffer.removeAll(keepingCapacity: true)
                if try chunks.read(into: &buffer, upTo: 1 << 20) == 0 { break }
                stream.feed(buffer)
            }
            var outcome = stream.finish()
            outcome.digest = chunks.digest
            return outcome
        } catch {
            var outcome = Outcome()
            outcome.diagnostics = [.error(path, 1, error.message)]
            return outcome
        }
    }

    /// Payments past each project's budget, counted over all ledgers in load order (one warning a
    /// project, at the payment that passes it), and payments whose running total would not fit in
    /// Int64 (errors; those payments are left out). Returns the payments kept.
    public static func checkTotals(_ payments: [PaymentRecord], projects: [ProjectRecord], diagnostics: inout [Diagnostic]) -> [PaymentRecord] {
        var paid: [Int: Int64] = [:]
        var warned = Set<Int>()
        var kept: [PaymentRecord] = []
        kept.reserveCapacity(payments.count)
        for payment in payments {
            let index = payment.projectIndex
            let (total, overflow) = paid[index, default: 0].addingReportingOverflow(payment.amountFen)
            if overflow {
                diagnostics.append(.error(payment.source, payment.line, "payments to `\(payment.project)` add up beyond what budgetq can hold exactly; row skipped (is the amount in 元?)"))
                continue
            }
            paid[index] = total
            kept.append(payment)
            if let budget = projects[index].budgetFen, total > budget, warned.insert(index).inserted {
                diagnostics.append(.warning(payment.source, payment.line, "payments to `\(payment.project)` in \(projects[index].year) reach \(Money.yuanText(fen: total, groupThousands: true)), more than its budget of \(Money.yuanText(fen: budget, groupThousands: true))"
                    + (Set(payments.lazy.filter { $0.projectIndex == index }.map(\.source)).count > 1 ? " (counting every ledger)" : "")))
            }
        }
        return kept
    }

    /// A ledger being read: bytes are fed as they arrive; complete records are parsed and matched.
    struct LedgerStream {
        let file: String
        let projects: [ProjectRecord]
        let maxLineBytes: Int
        /// The header synonyms (`ledger.*` of labels.tsv) and, once read, where each column is.
        let labels: LabelBook
        var columns: LedgerHeader?
        var matcher: Matcher
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
        private var stopped = false
        /// Bytes of an overlong line dropped so far, and the line it started on.
        private var skipping: (line: Int, bytes: Int, feeds: Int)?
        private var invalidReported = false

        init(file: String, projects: [ProjectRecord], maxLineBytes: Int, labels: LabelBook = .builtIn) {
            self.labels = labels
            self.file = file
            self.projects = projects
            self.maxLineBytes = maxLineBytes
            matcher = Matcher(projects: projects)
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
                let parsed: (records: [CSVRows.Record], consumed: Int, nextLine: Int)
                do {
                    parsed = try pending.withUnsafeBufferPointer { buffer throws(CSVRows.Malformed) in
                        try CSVRows.parse(buffer, firstLine: line, maxFieldBytes: Int.max, final: final)
                    }
                } catch {
                    outcome.diagnostics.append(.error(file, error.line, "not readable as CSV: \(error.message); the rows before it are read"))
                    take(error.records)
                    stopped = true
                    return
                }
                if !gb18030 && !invalidReported && !TextDecoding.isValidUTF8(Array(pending[..<parsed.consumed])) {
                    invalidReported = true
                    outcome.diagnostics.append(.error(file, line, "bytes that are not UTF-8 text from line \(line) on (the file began as UTF-8); their characters show as �"))
                }
                take(parsed.records)
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

        /// Checks the header, then turns records into matched payments.
        private mutating func take(_ records: [CSVRows.Record]) {
            var records = records[...]
            if !sawHeader {
                guard let first = records.first else { return }
                sawHeader = true
                records = records.dropFirst()
                // Columns go by their header, in any order (日期/支付日期, 项目名称, 金额 …).
                guard let found = LedgerHeader.read(first.fields, labels: labels) else {
                    outcome.diagnostics.append(.error(file, first.line, "expected the header \(LedgerReader.expectedHeader), found `\(first.fields.joined(separator: ","))`; file skipped"))
                    stopped = true
                    return
                }
                if !found.ignored.isEmpty {
                    outcome.diagnostics.append(.warning(file, first.line, "column\(found.ignored.count == 1 ? "" : "s") \(found.ignored.map { "`\($0)`" }.joined(separator: ", ")) not read; a ledger's columns are date, department, project, amount and note"))
                }
                columns = found
                width = first.fields.count
            }
            for entry in records {
                if entry.byteCount > maxLineBytes {
                    outcome.diagnostics.append(.error(file, entry.line, "line is \(entry.byteCount) bytes long; the longest line read is \(maxLineBytes) bytes (is this a payment ledger?); line skipped"))
                    continue
                }
                guard let row = LedgerReader.row(entry, file: file, header: columns, width: width, diagnostics: &outcome.diagnostics) else { continue }
                switch matcher.match(row) {
                case .failure(let failure):
                    outcome.diagnostics.append(.error(file, row.line, failure.message))
                case .success(let index):
                    outcome.payments.append(PaymentRecord(date: row.date, department: row.department.isEmpty ? (projects[index].department ?? "") : row.department,
                                                          project: row.project, projectIndex: index, amountFen: row.amountFen, note: row.note, source: file, line: row.line))
                }
            }
        }
    }

    /// One record as a ledger row, or nil after reporting why it is not one (a blank record is no row).
    static func row(_ entry: CSVRows.Record, file: String, header: LedgerHeader? = nil, width: Int = 5, diagnostics: inout [Diagnostic]) -> Row? {
        let record = entry.fields
        let start = entry.line
        if record.allSatisfy({ $0.isEmpty || $0.allSatisfy(\.isWhitespace) }) { return nil }
        guard record.count == width || (record.count > width && record[width...].allSatisfy { $0.isEmpty }) else {
            diagnostics.append(.error(file, start, width == 5 ? "expected 5 fields (date,department,project,amount,note), found \(record.count)" : "expected \(width) fields, as the header has, found \(record.count)"))
            return nil
        }
        let trimmed = record.map { $0.first?.isWhitespace == true || $0.last?.isWhitespace == true ? $0.trimmingCharacters(in: .whitespaces) : $0 }
        // The five fields in their usual order, wherever the header put them.
        let order = header?.columns ?? [.date: 0, .department: 1, .project: 2, .amount: 3, .note: 4]
        let cells = LedgerField.allCases.map { field in order[field].map { $0 < trimmed.count ? trimmed[$0] : "" } ?? "" }
        let multiplier = header?.amountMultiplier ?? 1
        guard let date = parseDate(cells[0]) else {
            diagnostics.append(.error(file, start, "bad date `\(cells[0])`; expected YYYY-MM-DD such as 2024-06-30"))
            return nil
        }
        if cells[2].isEmpty {
            diagnostics.append(.error(file, start, "no project name; expected the project's 项目名称"))
            return nil
        }
        let amountText = cells[3].replacingOccurrences(of: " ", with: "")
        if amountText.hasPrefix("-") || amountText.hasPrefix("−") {
            diagnostics.append(.error(file, start, "negative amount `\(cells[3])`; record refunds as a note on a corrected payment"))
            return nil
        }
        guard let fen = Money.parseFen(Substring(amountText), yuanMultiplier: multiplier) else {
            diagnostics.append(.error(file, start, "amount `\(cells[3])` is not a number; expected yuan such as 120000.00 (at most fen precision)"))
            return nil
        }
        return Row(date: date, department: cells[1], project: cells[2], amountFen: fen, note: cells[4], line: start)
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
    struct Matcher {
        let projects: [ProjectRecord]
        private var byName: [String: [Int]] = [:]

        init(projects: [ProjectRecord]) {
            self.projects = projects
            for (i, p) in projects.enumerated() { byName[p.name, default: []].append(i) }
        }

        mutating func match(_ row: Row) -> Result<Int, MatchFailure> {
            guard let named = byName[row.project] else {
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
            for candidate in byName.keys {
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

/// Why a ledger row matched no single project.
struct MatchFailure: Error {
    var message: String
}
