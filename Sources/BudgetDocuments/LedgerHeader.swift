import BudgetCore
import Foundation

/// A column of a ledger, by what it holds (its header names are the `ledger.*` lines of labels.tsv).
public enum LedgerField: String, Sendable, CaseIterable {
    case date, department, project, amount, note, indicator, actual
}

/// What a ledger records: payments (金额 paid to a project) or actuals (an indicator's 完成值).
public enum LedgerKind: String, Sendable, Codable {
    case payments, actuals

    /// The columns this kind of ledger cannot do without.
    public var required: [LedgerField] {
        switch self {
        case .payments: return [.date, .project, .amount]
        case .actuals: return [.date, .project, .indicator, .actual]
        }
    }

    /// The columns this kind of ledger reads; any other is noted and ignored.
    public var reads: [LedgerField] {
        switch self {
        case .payments: return [.date, .department, .project, .amount, .note]
        case .actuals: return [.date, .department, .project, .indicator, .actual, .note]
        }
    }

    /// The header as a finance system would write it, for messages.
    var expectedHeader: String {
        switch self {
        case .payments: return "date,department,project,amount,note (or 日期,部门,项目名称,金额,备注; see ledger.* in labels.tsv)"
        case .actuals: return "date,department,project,indicator,actual,note (or 日期,部门,项目名称,指标名称,完成值,备注)"
        }
    }
}

/// A ledger's header row read against the `ledger.*` synonyms of `labels.tsv` (日期/支付日期,
/// 部门/预算单位, 项目/项目名称, 金额/支付金额, 指标名称, 完成值, 备注/摘要 …): where each field is, in
/// any order, and which columns are not read. Shared by every reader of ledgers (payments and
/// actuals, CSV and Excel).
public struct LedgerHeader: Sendable, Equatable {
    /// The column index of each field read.
    public var columns: [LedgerField: Int]
    /// `金额(万元)`: yuan per unit of the amount column (1 when the header names no unit).
    public var amountMultiplier: Int64
    /// Header cells of columns that are not read.
    public var ignored: [String]
    /// The first column not read (where the note about them points).
    public var firstIgnoredColumn: Int?

    /// The kind of ledger a header row starts: actuals when it names an indicator and an actual,
    /// payments when it names a date, a project and an amount; nil when it is neither.
    public static func kind(of cells: [String], labels: LabelBook = .builtIn) -> LedgerKind? {
        let fields = Set(cells.compactMap { labels.ledgerField(Self.clean($0)) })
        if LedgerKind.actuals.required.allSatisfy(fields.contains) { return .actuals }
        if LedgerKind.payments.required.allSatisfy(fields.contains) { return .payments }
        return nil
    }

    /// Reads a header row for a ledger of `kind`; nil when it lacks a required column or names one twice.
    public static func read(_ cells: [String], labels: LabelBook = .builtIn, kind: LedgerKind = .payments) -> LedgerHeader? {
        var columns: [LedgerField: Int] = [:]
        var ignored: [String] = []
        var multiplier: Int64 = 1
        var firstIgnored: Int?
        for (i, raw) in cells.enumerated() {
            let cell = Self.clean(raw)
            if cell.isEmpty { continue }
            guard let field = labels.ledgerField(cell), kind.reads.contains(field) else {
                ignored.append(cell)
                if firstIgnored == nil { firstIgnored = i }
                continue
            }
            if columns[field] != nil { return nil }
            columns[field] = i
            if field == .amount, let m = LabelText.parse(cell).unitMultiplier { multiplier = m }
        }
        guard kind.required.allSatisfy({ columns[$0] != nil }) else { return nil }
        return LedgerHeader(columns: columns, amountMultiplier: multiplier, ignored: ignored, firstIgnoredColumn: firstIgnored)
    }

    /// The note for columns not read, when there are any.
    func ignoredNote(_ kind: LedgerKind) -> String? {
        if ignored.isEmpty { return nil }
        let read = kind.reads.map(\.rawValue)
        return "column\(ignored.count == 1 ? "" : "s") \(ignored.map { "`\($0)`" }.joined(separator: ", ")) not read; a\(kind == .actuals ? "n actuals" : "") ledger's columns are "
            + read.dropLast().joined(separator: ", ") + " and " + (read.last ?? "")
    }

    /// A header cell without the blanks, byte-order mark and quotes exports leave around it.
    static func clean(_ cell: String) -> String {
        var text = cell.trimmingCharacters(in: .whitespaces)
        text.removeAll { $0 == "\u{FEFF}" || $0 == "\"" }
        return text
    }
}
