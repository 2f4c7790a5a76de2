import Dispatch
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

    /// True once Ctrl-C (or `request()`) asked running work to stop, until `clear()`; or once the
    /// current task's `ScopedRequest` is raised.
    @inlinable public static var isRequested: Bool {
        flag.load(ordering: .relaxed) != 0 || scoped?.look() == true
    }

    /// Ctrl-C or `request()` alone, for worker threads of a parallel pass (which run outside the
    /// task, so a `ScopedRequest` is looked at by the thread that started them, once they end).
    @inlinable public static var isRequestedByProcess: Bool { flag.load(ordering: .relaxed) != 0 }

    /// A stop request only the current task sees (`Interrupt.$scoped.withValue(…)`): tests stop
    /// one query at a chosen look at the flag without stopping the tests that run beside it, as
    /// the process-wide flag would. Nil outside tests; reading it costs a few nanoseconds a look.
    @TaskLocal public static var scoped: ScopedRequest?

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

    /// Rows a chunked pass (`forEachChunk`, `makeArray`, `map`) handles between two looks at the flag.
    @inlinable public static var chunkRows: Int { 1 << 16 }

    /// Calls `body` on consecutive ranges of at most 64K rows covering `0..<count`, looking at the
    /// flag before each: the inner loop stays free of checks (so it still vectorizes), and a pass
    /// over 80M rows stops within one chunk, a fraction of a millisecond.
    @inlinable public static func forEachChunk(_ count: Int, _ body: (Range<Int>) -> Void) throws(Interrupted) {
        var start = 0
        while start < count {
            if isRequested { throw Interrupted() }
            let end = min(count, start + chunkRows)
            body(start..<end)
            start = end
        }
    }

    /// An array of `count` elements that `fill(buffer, range)` writes a chunk at a time (it must
    /// initialize every element of `range`), looking at the flag between chunks. Its pages are
    /// first touched by the fill, so no pass (zeroing, a `map`) runs that Ctrl-C cannot stop.
    @inlinable public static func makeArray<T>(count: Int, _ fill: (UnsafeMutableBufferPointer<T>, Range<Int>) -> Void) throws(Interrupted) -> [T] {
        var stopped = false
        var array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            var start = 0
            while start < count {
                if isRequested { stopped = true; break }
                let end = min(count, start + chunkRows)
                fill(buffer, start..<end)
                start = end
            }
            // Only whole chunks were written: an interrupted array keeps (and frees) just those.
            initialized = start
        }
        if stopped {
            releaseInBackground(&array, leaving: [])
            throw Interrupted()
        }
        return array
    }

    /// `source.map(transform)`, a chunk at a time (see `makeArray`).
    @inlinable public static func map<T, U>(_ source: [T], _ transform: (T) -> U) throws(Interrupted) -> [U] {
        try makeArray(count: source.count) { out, range in
            source.withUnsafeBufferPointer { source in
                for i in range { out.initializeElement(at: i, to: transform(source[i])) }
            }
        }
    }

    /// `values[indices[k]]` for each k (a column or selection read at some rows), a chunk at a
    /// time (see `makeArray`). The indices must be in bounds: they are not checked.
    @inlinable public static func gather<T>(_ values: [T], _ indices: [Int32]) throws(Interrupted) -> [T] {
        try makeArray(count: indices.count) { out, range in
            values.withUnsafeBufferPointer { values in
                indices.withUnsafeBufferPointer { indices in
                    for k in range { out.initializeElement(at: k, to: values[Int(indices[k])]) }
                }
            }
        }
    }

    /// `count` copies of `value`, a chunk at a time (see `makeArray`).
    @inlinable public static func repeating<T>(_ value: T, count: Int) throws(Interrupted) -> [T] {
        try makeArray(count: count) { out, range in
            for i in range { out.initializeElement(at: i, to: value) }
        }
    }

    /// Frees `value` on a background thread, leaving `empty` in its place: what a stopped
    /// statement leaves behind. The kernel takes about 0.1 s to unmap each GB of touched pages
    /// (0.09-0.24 s for a sort's 1.3 GB of (key, position) pairs at 81M rows, measured), which
    /// would otherwise come between Ctrl-C and the prompt. Call it only for buffers nothing else
    /// holds, or the last reference (and the unmapping) stays with the caller.
    public static func releaseInBackground<T>(_ value: inout T, leaving empty: T) {
        let parcel = Parcel(value)
        value = empty
        DispatchQueue.global(qos: .utility).async { parcel.value = nil }
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

/// A request to stop that is raised at the `after`-th look at the flag (1: the first look), and
/// counts the looks: `Interrupt.scoped` binds one to a task.
public final class ScopedRequest: Sendable {
    @usableFromInline let raisedAt: Int
    @usableFromInline let count = Atomic<Int>(0)

    /// Raised at look number `after` (Int.max: never, to count the looks of a whole run).
    public init(after: Int) { raisedAt = after }

    /// How many times running work has looked.
    public var looks: Int { count.load(ordering: .relaxed) }

    /// Counts one look; true from look `raisedAt` on.
    @inlinable func look() -> Bool {
        count.wrappingAdd(1, ordering: .relaxed).newValue >= raisedAt
    }
}

/// The large buffers an operator makes on its way, kept until it ends: when Ctrl-C stops it,
/// they are freed in the background (`Interrupt.releaseInBackground`) rather than while its
/// stack unwinds, between the keypress and the prompt.
public final class Leftovers: @unchecked Sendable {
    private var kept: [Any] = []

    public init() {}

    /// `value`, kept until `releaseInBackground()` or the end of the operator.
    @discardableResult public func keep<T>(_ value: T) -> T {
        kept.append(value)
        return value
    }

    /// Frees what was kept on a background thread; call it once the operator's own references
    /// are gone (in the `catch` of a `do` that declared them).
    public func releaseInBackground() {
        var all = kept
        kept = []
        Interrupt.releaseInBackground(&all, leaving: [])
    }
}

/// One value carried to the thread that frees it (`Interrupt.releaseInBackground`).
private final class Parcel<T>: @unchecked Sendable {
    var value: T?
    init(_ value: T) { self.value = value }
}

/// Work stopped because Ctrl-C asked it to.
public struct Interrupted: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}
