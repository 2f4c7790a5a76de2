#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C while a statement runs: a SIGINT handler sets a flag that long loops (join, sort,
/// grouping, aggregation) check every 64K rows, so a query stops within a fraction of a second
/// and the session goes on (as sqlite3_interrupt does).
public enum Interrupt {
    /// Set by the SIGINT handler (an async-signal-safe store) and by `request()`.
    @usableFromInline nonisolated(unsafe) static var flag: sig_atomic_t = 0

    /// True once Ctrl-C (or `request()`) asked running work to stop, until `clear()`.
    @inlinable public static var isRequested: Bool { flag != 0 }

    /// Asks running work to stop, as Ctrl-C does.
    public static func request() { flag = 1 }

    /// Forgets an earlier request.
    public static func clear() { flag = 0 }

    /// True once after a request, which it clears.
    public static func takeRequest() -> Bool {
        guard flag != 0 else { return false }
        flag = 0
        return true
    }

    /// Throws `Interrupted` when stopping was asked.
    @inlinable public static func check() throws(Interrupted) {
        if flag != 0 { throw Interrupted() }
    }

    /// `check()` every 64K rows: a loop's cost stays one test of the row number.
    @inlinable public static func check(row: Int) throws(Interrupted) {
        if row & 0xFFFF == 0, flag != 0 { throw Interrupted() }
    }

    /// `check()` every 4K comparisons of a sort (a comparison costs more than a row of a scan).
    @inlinable public static func check(comparison: Int) throws(Interrupted) {
        if comparison & 0xFFF == 0, flag != 0 { throw Interrupted() }
    }

    /// True every 64K rows once stopping was asked: for loops inside closures that cannot throw,
    /// which break and leave the throwing to their caller.
    @inlinable public static func stops(at row: Int) -> Bool {
        row & 0xFFFF == 0 && flag != 0
    }

    /// Makes SIGINT set the flag instead of ending the process, without SA_RESTART so that a
    /// blocked read returns (the REPL drops a half-typed line).
    public static func installHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in Interrupt.flag = 1 }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        // A parent (a test runner, a script) may have blocked SIGINT; the mask is inherited.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigprocmask(SIG_UNBLOCK, &mask, nil)
    }

    /// SIGINT ends the process again (outside a running statement of `-c` or a script).
    public static func restoreDefaultHandler() {
        signal(SIGINT, SIG_DFL)
    }
}

/// Work stopped because Ctrl-C asked it to.
public struct Interrupted: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}
