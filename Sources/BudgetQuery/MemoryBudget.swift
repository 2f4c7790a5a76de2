import BudgetCore
import Foundation

/// Refuses work whose memory would not fit in what is available, before allocating it: a
/// clear error naming the estimate and the limit, instead of the kernel ending the process.
enum MemoryBudget {
    /// The most rows a result can have: positions are 32-bit.
    static let maxRows = Int(Int32.max)

    /// Below this the memory is not asked about (reading /proc costs more than the work).
    static let unchecked = 16 << 20

    /// Throws when `rows` rows of `bytesPerRow` bytes would exceed the memory available, asked
    /// afresh each time (memory comes and goes while a session runs).
    static func check(rows: Int, bytesPerRow: Int, what: String, at span: SourceSpan, hint: String? = nil) throws(QueryError) {
        if rows > Self.maxRows {
            throw QueryError("\(what) would produce \(Self.grouped(rows)) rows, more than the \(Self.grouped(Self.maxRows)) a result can hold",
                             at: span, hint: hint)
        }
        let (bytes, overflow) = rows.multipliedReportingOverflow(by: bytesPerRow)
        if !overflow && bytes < unchecked { return }
        guard let available = AvailableMemory.current(), overflow || bytes > available.bytes else { return }
        let estimate = overflow ? "more than \(AvailableMemory.describe(bytes: Int.max))" : "about \(AvailableMemory.describe(bytes: bytes))"
        throw QueryError("\(what) would produce \(Self.grouped(rows)) rows needing \(estimate) (\(bytesPerRow) bytes a row), more than the \(AvailableMemory.describe(bytes: available.bytes)) of memory available (\(available.source))",
                         at: span, hint: hint)
    }

    /// Throws when gathering the columns `frame` still reads through selections would not fit.
    static func checkMaterializing(_ frame: Frame, at span: SourceSpan) throws(QueryError) {
        let perRow = frame.materializationBytesPerRow
        guard perRow > 0 else { return }
        try check(rows: frame.rowCount, bytesPerRow: perRow, what: "the result", at: span,
                  hint: "count or summarize it, or select fewer columns and take the first rows")
    }

    /// 80000000 → 80,000,000.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
