import BudgetCore
import Foundation

/// Reads actuals ledgers: CSV files where a unit records its indicators' 完成值 apart from the
/// tables (`date,department,project,indicator,actual,note`; Chinese headers such as
/// `日期,部门,项目名称,指标名称,完成值,备注` too, in any order). Each row is matched to a project
/// by name, year and department (the payment ledger's rules) and to one of its indicators by name;
/// a row that matches nothing, or more than one, is an error naming its line.
public enum ActualsLedger {
    /// The header fields and the names each may go by.
    static let fields: [(field: String, names: [String])] = [
        ("date", ["date", "日期", "填报日期", "截至日期", "统计日期", "完成日期"]),
        ("department", ["department", "部门", "预算单位", "主管部门", "单位", "实施单位"]),
        ("project", ["project", "项目", "项目名称"]),
        ("indicator", ["indicator", "指标", "指标名称", "三级指标", "绩效指标"]),
        ("actual", ["actual", "完成值", "实际完成值", "实际值", "完成情况", "全年实际值"]),
        ("note", ["note", "备注", "说明", "偏差原因"]),
    ]

    /// True when a CSV's header names an indicator and an actual: an actuals ledger, not payments.
    public static func recognizes(_ bytes: [UInt8]) -> Bool {
        guard let header = headerLine(bytes) else { return false }
        let cells = header.split(separator: ",").map { normalize(String($0)) }
        let names = Set(cells)
        let wants = ["indicator", "actual"].map { want in fields.first { $0.field == want }?.names ?? [] }
        return wants.allSatisfy { $0.contains { names.contains($0) } }
    }

    /// Reads and matches one actuals ledger.
    public static func read(bytes: [UInt8], file: String, projects: [ProjectRecord], origin: Origin) -> (actuals: [ActualRecord], diagnostics: [Diagnostic]) {
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
            return ([], [.error(file, commentLines + 1, "the actuals ledger is empty; expected the header date,department,project,indicator,actual,note")])
        }
        var column: [String: Int] = [:]
        var ignored: [String] = []
        for (i, cell) in header.fields.enumerated() {
            let name = normalize(cell)
            if let field = fields.first(where: { $0.names.contains(name) })?.field, column[field] == nil { column[field] = i } else if !name.isEmpty { ignored.append(cell) }
        }
        let missing = ["date", "project", "indicator", "actual"].filter { column[$0] == nil }
        guard missing.isEmpty else {
            return ([], [.error(file, header.line, "the actuals ledger has no \(missing.joined(separator: ", ")) column; expected the header date,department,project,indicator,actual,note (or 日期,部门,项目名称,指标名称,完成值,备注)")])
        }
        if !ignored.isEmpty {
            diagnostics.append(.warning(file, header.line, "column\(ignored.count == 1 ? "" : "s") \(ignored.map { "`\($0)`" }.joined(separator: ", ")) not read (an actuals ledger reads date, department, project, indicator, actual and note)"))
        }
        let matcher = LedgerReader.Matcher(projects: projects)
        var actuals: [ActualRecord] = []
        for record in records.dropFirst() {
            let cells = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.allSatisfy(\.isEmpty) { continue }
            func cell(_ field: String) -> String { column[field].map { $0 < cells.count ? cells[$0] : "" } ?? "" }
            guard let date = LedgerReader.parseDate(cell("date")) else {
                diagnostics.append(.error(file, record.line, "bad date `\(cell("date"))`; expected YYYY-MM-DD such as 2023-12-31"))
                continue
            }
            let project = cell("project"), indicator = cell("indicator"), actual = cell("actual")
            guard !project.isEmpty, !indicator.isEmpty, !actual.isEmpty else {
                let blank = [("project", project), ("indicator", indicator), ("actual", actual)].filter { $0.1.isEmpty }.map(\.0)
                diagnostics.append(.error(file, record.line, "no \(blank.joined(separator: ", ")); each row needs the project, the indicator and its 完成值"))
                continue
            }
            let row = LedgerReader.Row(date: date, department: cell("department"), project: project, amountFen: 0, note: cell("note"), line: record.line)
            switch matcher.match(row) {
            case .failure(let failure):
                diagnostics.append(.error(file, record.line, failure.message.replacingOccurrences(of: "payment dated", with: "actual dated")))
            case .success(let index):
                let candidates = projects[index].indicators.filter { $0.shortName == indicator || $0.name == indicator }
                guard candidates.count == 1, let target = candidates.first else {
                    let names = projects[index].indicators.map(\.shortName)
                    let close = names.filter { $0.contains(indicator) || indicator.contains($0) || editDistance(Array($0), Array(indicator)) <= max(2, indicator.count / 3) }
                    let message = candidates.isEmpty
                        ? "project `\(project)` (\(projects[index].year)) has no indicator `\(indicator)`" + (close.isEmpty ? "" : "; close names: " + close.prefix(3).joined(separator: ", "))
                        : "project `\(project)` has \(candidates.count) indicators named `\(indicator)`; name it as the table's 三级指标 with its 二级 (such as 数量指标)"
                    diagnostics.append(.error(file, record.line, message))
                    continue
                }
                actuals.append(ActualRecord(projectIndex: index, kind: .ledger, date: date, level1: target.level1, level2: target.level2,
                                            indicator: target.shortName, target: target.annualTarget, actual: actual, direction: target.direction,
                                            note: cell("note").isEmpty ? nil : cell("note"), source: file, line: record.line, origin: origin))
            }
        }
        return (actuals, diagnostics)
    }

    static func normalize(_ cell: String) -> String {
        cell.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}\"")).lowercased()
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
