import BudgetCore
import Foundation

/// Ledgers kept as Excel sheets, as finance systems export them: a title row or two, then the
/// header (the `ledger.*` names of labels.tsv, any order), the rows, and often a 合计 row. A
/// workbook is a ledger when its first sheet with content starts so; it is then read once every
/// project is loaded (rows are matched to projects), and each problem names the sheet and cell.
public struct SheetLedger: Sendable {
    /// One sheet that holds a ledger.
    public struct Sheet: Sendable {
        public var name: String
        public var kind: LedgerKind
        public var header: GridRow
        public var rows: [GridRow]
    }

    public var sheets: [Sheet]
    /// Problems found while finding the ledger sheets (sheets skipped, a second kind of ledger).
    public var diagnostics: [Diagnostic]
    /// True when a title row above a header says the workbook is synthetic (合成/synthetic).
    public var synthetic: Bool

    /// What the workbook records: the kind of its first ledger sheet.
    public var kind: LedgerKind { sheets.first?.kind ?? .payments }

    /// How many rows above the header may be titles (单位名称, 2024年支付明细 …).
    static let titleRows = 5

    /// The ledger sheets of a workbook's rows, or nil when its first sheet with content does not
    /// start with a ledger header (then it is a document).
    public static func find(in rows: [GridRow], file: String, labels: LabelBook = .builtIn) -> SheetLedger? {
        var order: [String] = []
        var bySheet: [String: [GridRow]] = [:]
        for row in rows {
            guard case .cell(let sheet, _, _) = row.position else { return nil }
            if bySheet[sheet] == nil { order.append(sheet) }
            bySheet[sheet, default: []].append(row)
        }
        var found = SheetLedger(sheets: [], diagnostics: [], synthetic: false)
        for name in order {
            let sheetRows = (bySheet[name] ?? []).filter { !LedgerReader.isBlank($0.cells) }
            guard !sheetRows.isEmpty else { continue }
            let headerAt = sheetRows.prefix(titleRows + 1).firstIndex { LedgerHeader.kind(of: $0.cells, labels: labels) != nil }
            guard let headerAt, let kind = LedgerHeader.kind(of: sheetRows[headerAt].cells, labels: labels) else {
                // The first sheet with content decides: not a ledger, so the workbook is a document.
                if found.sheets.isEmpty { return nil }
                found.diagnostics.append(.at(file, sheetRows[0].position, .warning, "sheet `\(name)` not read: no ledger header in its first rows, as the workbook's other sheets have"))
                continue
            }
            if let first = found.sheets.first, first.kind != kind {
                found.diagnostics.append(.at(file, sheetRows[headerAt].position, .error, "sheet `\(name)` is an \(kind) ledger in a workbook of \(first.kind); keep each kind in its own workbook; sheet not read"))
                continue
            }
            let titles = sheetRows[..<headerAt].flatMap(\.cells).joined(separator: " ").lowercased()
            if titles.contains("synthetic") || titles.contains("合成") { found.synthetic = true }
            found.sheets.append(Sheet(name: name, kind: kind, header: sheetRows[headerAt], rows: Array(sheetRows[(headerAt + 1)...])))
        }
        return found.sheets.isEmpty ? nil : found
    }

    /// A 合计/总计 (or 小计) row at the foot of a sheet: not a payment; its amount is checked
    /// against the rows above it instead.
    static func totalLabel(_ cells: [String]) -> String? {
        for cell in cells.prefix(4) {
            let text = cell.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{3000}", with: "")
            if ["合计", "总计", "小计", "本页合计", "累计"].contains(text) { return text }
        }
        return nil
    }
}

extension LedgerReader {
    /// Reads and matches a payments workbook's sheets (over-budget warnings come from `checkTotals`
    /// over every ledger, as for CSV).
    static func read(sheets ledger: SheetLedger, file: String, projects: [ProjectRecord], matcher: Matcher? = nil, labels: LabelBook) -> Outcome {
        var outcome = Outcome()
        outcome.synthetic = ledger.synthetic
        let matcher = matcher ?? Matcher(records: projects)
        for sheet in ledger.sheets where sheet.kind == .payments {
            guard let header = LedgerHeader.read(sheet.header.cells, labels: labels, kind: .payments) else {
                outcome.diagnostics.append(.at(file, sheet.header.position, .error, "sheet `\(sheet.name)`: expected the header \(LedgerKind.payments.expectedHeader), found `\(sheet.header.cells.joined(separator: ","))` (a column named twice?); sheet not read"))
                continue
            }
            if let note = header.ignoredNote(.payments) { outcome.diagnostics.append(.at(file, sheet.header.position.at(column: header.firstIgnoredColumn ?? 0), .warning, note)) }
            var sheetTotal: Int64 = 0
            for gridRow in sheet.rows {
                if gridRow.isOversize {
                    outcome.diagnostics.append(.at(file, gridRow.position, .error, "row has more cells than budgetq reads; row skipped"))
                    continue
                }
                if let label = SheetLedger.totalLabel(gridRow.cells) {
                    checkTotalRow(gridRow, label: label, header: header, sum: sheetTotal, file: file, diagnostics: &outcome.diagnostics)
                    continue
                }
                guard let row = row(gridRow.cells, at: gridRow.position, file: file, header: header, diagnostics: &outcome.diagnostics) else { continue }
                // The 合计 row adds up the sheet as written, matched to a project or not.
                let (total, overflow) = sheetTotal.addingReportingOverflow(row.amountFen)
                if !overflow { sheetTotal = total }
                switch matcher.match(row) {
                case .failure(let failure):
                    outcome.diagnostics.append(.at(file, gridRow.position.at(column: header.columns[.project] ?? 0), .error, failure.message))
                case .success(let index):
                    outcome.payments.append(payment(row, paying: index, of: matcher.projects, file: file))
                }
            }
        }
        return outcome
    }

    /// A 合计 row's amount against the payments read above it on its sheet: a difference is a
    /// warning (a row that could not be read, or a total typed by hand), naming the cell.
    private static func checkTotalRow(_ row: GridRow, label: String, header: LedgerHeader, sum: Int64, file: String, diagnostics: inout [Diagnostic]) {
        guard label != "小计", label != "累计", let column = header.columns[.amount], column < row.cells.count else { return }
        let text = row.cells[column].replacingOccurrences(of: " ", with: "")
        guard !text.isEmpty else { return }
        guard let stated = Money.parseFen(Substring(text), yuanMultiplier: header.amountMultiplier) else {
            diagnostics.append(.at(file, row.position.at(column: column), .warning, "the \(label) row's amount `\(text)` is not a number; not checked"))
            return
        }
        if stated != sum {
            diagnostics.append(.at(file, row.position.at(column: column), .warning, "the \(label) row says \(Money.yuanText(fen: stated, groupThousands: true)) but the rows above it add up to \(Money.yuanText(fen: sum, groupThousands: true))"))
        }
    }
}
