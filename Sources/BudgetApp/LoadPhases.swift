import BudgetCore
import Foundation

/// Wall time of each phase of a folder's load, printed on stderr when `BUDGETQ_LOAD_PHASES` is
/// set: how BENCHMARKS.md splits a load into parsing, joining the files' tables and the ledgers.
struct LoadPhases {
    private let enabled = ProcessInfo.processInfo.environment["BUDGETQ_LOAD_PHASES"] != nil
    private var last = DispatchTime.now().uptimeNanoseconds

    /// Ends the phase `name` (begun at the previous mark or at creation).
    mutating func mark(_ name: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        StandardStreams.writeError("load phase \(name): \(String(format: "%.2f", Double(now - last) / 1e9)) s\n")
        last = now
    }
}
