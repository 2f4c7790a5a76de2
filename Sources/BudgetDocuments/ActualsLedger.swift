import BudgetCore
import Foundation

/// Reads actuals ledgers: CSV files where a unit records its indicators' 完成值 apart from the
/// tables (`date,department,project,indicator,actual,note`; Chinese headers such as
/// `日期,部门,项目名称,指标名称,完成值,备注` too, in any order). Each row is matched to a project
/// by name, year and department (the payment ledger's rules) and to one of its indicators by name;
/// a row that matches nothing, or more than one, is an error naming its line.
public enum ActualsLedger {
    /// True when a CSV's header names an indicator and an actual: an actuals ledger, not payments.
    public static func recognizes(_ bytes: [UInt8], labels: LabelBook = .builtIn) -> Bool {
        guard let header = headerLine(bytes) else { return false }
        return LedgerHeader.kind(of: header.split(separator: ",", omittingEmptySubsequences: false).map(String.init), labels: labels) == .actuals
    }

    /// Reads and matches one actuals ledger held as CSV.
    static func read(bytes: [UInt8], file: String, projects: [ProjectRecord], origin: Origin, labels: LabelBook = .builtIn,
                            matcher: LedgerReader.Matcher? = nil) -> (actuals: [ActualRecord], diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        let utf8: [UInt8]
        switch TextDecoding.decode(bytes) {
        case .failure(let failure):
            return ([], [.error(file, 1, failure.description)])
        case .success(let (decoded, _)):
            utf8 = decoded
        }
        var start = 0, commentLines = 0
        while start < utf8.count, utf8[start] == UInt8(ascii: "#") {
            commentLines += 1
            start = (utf8[start...].firstIndex(of: 0x0A) ?? utf8.count - 1) + 1
        }
        var records: [CSVRows.Record]
        do {
            records = try utf8.withUnsafeBufferPointer { buffer throws(CSVRows.Malformed) in
                try CSVRows.parse(UnsafeBufferPointer(rebasing: buffer[min(start, buffer.count)...]), firstLine: commentLines + 1)
            }
        } catch {
            diagnostics.append(.error(file, error.line, "not readable as CSV: \(error.message); the rows before it are read"))
            records = error.records
        }
        guard let header = records.first else {
            return ([], [.error(file, commentLines + 1, "the actuals ledger is empty; expected the header \(LedgerKind.actuals.expectedHeader)")])
        }
        let rows = records.dropFirst().map { (cells: $0.fields, position: SourcePosition.line($0.line)) }
        let read = self.read(header: header.fields, at: .line(header.line), rows: rows, file: file, projects: projects, origin: origin, labels: labels, matcher: matcher)
        return (read.actuals, diagnostics + read.diagnostics)
    }

    /// Reads and matches the rows of an actuals ledger below its header, from CSV or a sheet; each
    /// problem names the line, or the sheet and cell, at fault.
    static func read(header cells: [String], at headerPosition: SourcePosition, rows: [(cells: [String], position: SourcePosition)],
                            file: String, projects: [ProjectRecord], origin: Origin, labels: LabelBook = .builtIn,
                            matcher: LedgerReader.Matcher? = nil) -> (actuals: [ActualRecord], diagnostics: [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        guard let header = LedgerHeader.read(cells, labels: labels, kind: .actuals) else {
            let named = Set(cells.compactMap { labels.ledgerField(LedgerHeader.clean($0)) })
            let missing = LedgerKind.actuals.required.filter { !named.contains($0) }.map(\.rawValue)
            let problem = missing.isEmpty ? "names a column twice" : "has no \(missing.joined(separator: ", ")) column"
            return ([], [.at(file, headerPosition, .error, "the actuals ledger \(problem); expected the header \(LedgerKind.actuals.expectedHeader)")])
        }
        if let note = header.ignoredNote(.actuals) { diagnostics.append(.at(file, headerPosition.at(column: header.firstIgnoredColumn ?? 0), .warning, note)) }
        let matcher = matcher ?? LedgerReader.Matcher(records: projects)
        var actuals: [ActualRecord] = []
        for (record, position) in rows {
            let cells = record.map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.allSatisfy(\.isEmpty) { continue }
            func cell(_ field: LedgerField) -> String { header.columns[field].map { $0 < cells.count ? cells[$0] : "" } ?? "" }
            func at(_ field: LedgerField) -> SourcePosition { position.at(column: header.columns[field] ?? 0) }
            guard let date = LedgerReader.parseDate(cell(.date)) else {
                diagnostics.append(.at(file, at(.date), .error, "bad date `\(cell(.date))`; expected YYYY-MM-DD such as 2023-12-31" + LedgerReader.excelSerialHint(cell(.date))))
                continue
            }
            let project = cell(.project), indicator = cell(.indicator), actual = cell(.actual)
            let blank = [(LedgerField.project, project), (.indicator, indicator), (.actual, actual)].filter { $0.1.isEmpty }.map(\.0)
            if let first = blank.first {
                diagnostics.append(.at(file, at(first), .error, "no \(blank.map(\.rawValue).joined(separator: ", ")); each row needs the project, the indicator and its 完成值"))
                continue
            }
            let row = LedgerReader.Row(date: date, department: cell(.department), project: project, amountFen: 0, note: cell(.note), line: position.lineNumber, position: position)
            switch matcher.match(row) {
            case .failure(let failure):
                diagnostics.append(.at(file, at(.project), .error, failure.message.replacingOccurrences(of: "payment dated", with: "actual dated")))
            case .success(let index):
                let candidates = projects[index].indicators.filter { $0.shortName == indicator || $0.name == indicator }
                guard candidates.count == 1, let target = candidates.first else {
                    let names = projects[index].indicators.map(\.shortName)
                    let close = names.filter { $0.contains(indicator) || indicator.contains($0) || editDistance(Array($0), Array(indicator)) <= max(2, indicator.count / 3) }
                    let message = candidates.isEmpty
                        ? "project `\(project)` (\(projects[index].year)) has no indicator `\(indicator)`" + (close.isEmpty ? "" : "; close names: " + close.prefix(3).joined(separator: ", "))
                        : "project `\(project)` has \(candidates.count) indicators named `\(indicator)`; name it as the table's 三级指标 with its 二级 (such as 数量指标)"
                    diagnostics.append(.at(file, at(.indicator), .error, message))
                    continue
                }
                actuals.append(ActualRecord(projectIndex: index, kind: .ledger, date: date, level1: target.level1, level2: target.level2,
                                            indicator: target.shortName, target: target.annualTarget, actual: actual, direction: target.direction,
                                            note: cell(.note).isEmpty ? nil : cell(.note), source: file, line: position.lineNumber, origin: origin))
            }
        }
        return (actuals, diagnostics)
    }

    /// The first line that is not a `#` comment, decoded.
    static func headerLine(_ bytes: [UInt8]) -> String? {
        let prefix = Array(bytes.prefix(4096))
        // A prefix may end inside a character; the header line comes first either way.
        let text: String
        if case .success(let (utf8, _)) = TextDecoding.decode(prefix) { text = String(decoding: utf8, as: UTF8.self) } else { text = String(decoding: prefix, as: UTF8.self) }
        return text.split(separator: "\n", omittingEmptySubsequences: true).first { !$0.hasPrefix("#") }.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
