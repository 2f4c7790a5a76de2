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
    static let chineseHeader = ["日期", "部门", "项目", "金额", "备注"]

    /// A ledger row before matching.
    struct Row {
        var date: CalendarDate
        var department: String
        var project: String
        var amountFen: Int64
        var note: String
        var line: Int
    }

    /// Reads and matches one ledger file's bytes.
    public static func read(bytes: [UInt8], file: String, projects: [ProjectRecord]) -> (payments: [PaymentRecord], diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let rows = parse(bytes: bytes, file: file, diagnostics: &diagnostics)
        var matcher = Matcher(projects: projects)
        var payments: [PaymentRecord] = []
        var paid: [Int: Int64] = [:]
        var warned = Set<Int>()
        for row in rows {
            switch matcher.match(row) {
            case .failure(let failure):
                diagnostics.append(.error(file, row.line, failure.message))
            case .success(let index):
                let (total, overflow) = paid[index, default: 0].addingReportingOverflow(row.amountFen)
                if overflow {
                    diagnostics.append(.error(file, row.line, "payments to `\(row.project)` add up beyond what budgetq can hold exactly; row skipped (is the amount in 元?)"))
                    continue
                }
                payments.append(PaymentRecord(date: row.date, department: row.department.isEmpty ? (projects[index].department ?? "") : row.department,
                                              project: row.project, projectIndex: index, amountFen: row.amountFen, note: row.note, source: file, line: row.line))
                paid[index] = total
                if let budget = projects[index].budgetFen, total > budget, warned.insert(index).inserted {
                    diagnostics.append(.warning(file, row.line, "payments to `\(row.project)` in \(projects[index].year) reach \(Money.yuanText(fen: total, groupThousands: true)), more than its budget of \(Money.yuanText(fen: budget, groupThousands: true))"))
                }
            }
        }
        // Report in the file's order, as a reader goes through it.
        let ordered = diagnostics.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        return (payments, ordered)
    }

    static func parse(bytes: [UInt8], file: String, diagnostics: inout [Diagnostic]) -> [Row] {
        let utf8: [UInt8]
        switch TextDecoding.decode(bytes) {
        case .failure(let failure):
            diagnostics.append(.error(file, 1, failure.description.replacingOccurrences(of: "项目绩效目标表 tables", with: "payments (date,department,project,amount,note)")))
            return []
        case .success(let (decoded, _)):
            utf8 = decoded
        }
        // Leading `#` lines are comments (generated ledgers say there that they are synthetic).
        var start = 0
        var commentLines = 0
        while start < utf8.count, utf8[start] == UInt8(ascii: "#") {
            commentLines += 1
            start = (utf8[start...].firstIndex(of: 0x0A) ?? utf8.count - 1) + 1
        }
        var records: [CSVRows.Record]
        do {
            records = try utf8.withUnsafeBufferPointer { buffer throws(CSVRows.Malformed) in
                try CSVRows.parse(UnsafeBufferPointer(rebasing: buffer[start...]), firstLine: commentLines + 1)
            }
        } catch {
            diagnostics.append(.error(file, error.line, "not readable as CSV: \(error.message); the rows before it are read"))
            records = error.records
        }
        guard let first = records.first?.fields else {
            diagnostics.append(.error(file, commentLines + 1, "the ledger is empty; expected the header date,department,project,amount,note"))
            return []
        }
        let head = first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard Array(head.prefix(5)) == header || Array(head.prefix(5)) == chineseHeader else {
            diagnostics.append(.error(file, commentLines + 1, "expected the header `date,department,project,amount,note`, found `\(first.joined(separator: ","))`; file skipped"))
            return []
        }
        var rows: [Row] = []
        rows.reserveCapacity(records.count)
        for entry in records.dropFirst() {
            let record = entry.fields
            let start = entry.line
            if record.allSatisfy({ $0.isEmpty || $0.allSatisfy(\.isWhitespace) }) { continue }
            guard record.count == 5 || (record.count > 5 && record[5...].allSatisfy { $0.isEmpty }) else {
                diagnostics.append(.error(file, start, "expected 5 fields (date,department,project,amount,note), found \(record.count)"))
                continue
            }
            let cells = record.map { $0.first?.isWhitespace == true || $0.last?.isWhitespace == true ? $0.trimmingCharacters(in: .whitespaces) : $0 }
            guard let date = parseDate(cells[0]) else {
                diagnostics.append(.error(file, start, "bad date `\(cells[0])`; expected YYYY-MM-DD such as 2024-06-30"))
                continue
            }
            if cells[2].isEmpty {
                diagnostics.append(.error(file, start, "no project name; expected the project's 项目名称"))
                continue
            }
            let amountText = cells[3].replacingOccurrences(of: " ", with: "")
            if amountText.hasPrefix("-") || amountText.hasPrefix("−") {
                diagnostics.append(.error(file, start, "negative amount `\(cells[3])`; record refunds as a note on a corrected payment"))
                continue
            }
            guard let fen = Money.parseFen(Substring(amountText)) else {
                diagnostics.append(.error(file, start, "amount `\(cells[3])` is not a number; expected yuan such as 120000.00 (at most fen precision)"))
                continue
            }
            rows.append(Row(date: date, department: cells[1], project: cells[2], amountFen: fen, note: cells[4], line: start))
        }
        return rows
    }

    /// `2024-06-30` or `2024/6/30`.
    static func parseDate(_ text: String) -> CalendarDate? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "/" })
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
