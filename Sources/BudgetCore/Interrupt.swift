import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C while a statement runs: a SIGINT handler sets a flag that long loops (join, sort,
/// grouping, aggregation) check every 64K rows, so a query stops within a fraction of a second
/// and the session goes on (as sqlite3_interrupt does).
///
/// The flag is an atomic: a plain global would let the optimizer read it once before a loop
/// (nothing in the loop writes it), and a release build would never see Ctrl-C.
public enum Interrupt {
    /// Set by the SIGINT handler (a lock-free store is async-signal-safe) and by `request()`.
    @usableFromInline static let flag = Atomic<Int32>(0)

    /// True once Ctrl-C (or `request()`) asked running work to stop, until `clear()`.
    @inlinable public static var isRequested: Bool { flag.load(ordering: .relaxed) != 0 }

    /// Asks running work to stop, as Ctrl-C does.
    public static func request() { flag.store(1, ordering: .relaxed) }

    /// Forgets an earlier request.
    public static func clear() { flag.store(0, ordering: .relaxed) }

    /// True once after a request, which it clears.
    public static func takeRequest() -> Bool {
        flag.exchange(0, ordering: .relaxed) != 0
    }

    /// Throws `Interrupted` when stopping was asked.
    @inlinable public static func check() throws(Interrupted) {
        if isRequested { throw Interrupted() }
    }

    /// `check()` every 64K rows: a loop's cost stays one test of the row number.
    @inlinable public static func check(row: Int) throws(Interrupted) {
        if row & 0xFFFF == 0, isRequested { throw Interrupted() }
    }

    /// `check()` every 4K comparisons of a sort (a comparison costs more than a row of a scan).
    @inlinable public static func check(comparison: Int) throws(Interrupted) {
        if comparison & 0xFFF == 0, isRequested { throw Interrupted() }
    }

    /// True every 64K rows once stopping was asked: for loops inside closures that cannot throw,
    /// which break and leave the throwing to their caller.
    @inlinable public static func stops(at row: Int) -> Bool {
        row & 0xFFFF == 0 && isRequested
    }

    /// Makes SIGINT set the flag instead of ending the process, without SA_RESTART so that a
    /// blocked read returns (the REPL drops a half-typed line).
    public static func installHandler() {
        // The flag exists before the handler can touch it (no lazy initialisation in a signal).
        clear()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Interrupt.flag.store(1, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        // A parent (a test runner, a script) may have blocked SIGINT; the mask is inherited.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigprocmask(SIG_UNBLOCK, &mask, nil)
    }
}

/// Work stopped because Ctrl-C asked it to.
public struct Interrupted: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}
