import BudgetCore
import BudgetRender
import CLibEdit
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// libedit behind a small Swift type: wide-character line editing, history, and Tab completion.
///
/// libedit only edits multibyte text by character under a UTF-8 locale, so `init` makes sure
/// LC_CTYPE is one (falling back to C.UTF-8) and uses the wide-character API (`el_wgets`).
public final class LineEditor {
    /// What one read produced.
    public enum Input: Equatable {
        case line(String)
        /// Ctrl-C: the half-typed line is discarded.
        case interrupted
        /// Ctrl-D on an empty line, or the input closed.
        case endOfInput
    }

    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private let historyPath: String?
    private let historySize: Int32
    private var lastEntry: String?
    /// Called on Tab with the text before the cursor.
    public var complete: ((String) -> Completer.Completion)?

    /// The prompt libedit shows, as a wide C string that outlives each call to the prompt function.
    nonisolated(unsafe) private static var promptPointer: UnsafeMutablePointer<wchar_t>?

    /// Why line editing could not start.
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads libedit (only the REPL does: see CLibEdit.h) and sets up editing on the terminal.
    public init(programName: String, historyPath: String?, historySize: Int = 1000) throws(Unavailable) {
        var reason = [CChar](repeating: 0, count: 512)
        guard budgetq_libedit_load(&reason, reason.count) == 0 else {
            throw Unavailable(description: String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        LineEditor.ensureUTF8Locale()
        guard let input = fdopen(STDIN_FILENO, "r"), let output = fdopen(STDOUT_FILENO, "w"), let errors = fdopen(STDERR_FILENO, "w"),
              let el = budgetq_el_init(programName, input, output, errors) else { throw Unavailable(description: "el_init failed") }
        guard let h = budgetq_history_winit() else {
            budgetq_el_end(el)
            throw Unavailable(description: "history_winit failed")
        }
        editLine = el
        history = h
        self.historyPath = historyPath
        self.historySize = Int32(historySize)
        budgetq_history_setsize(h, Int32(historySize))
        budgetq_history_setunique(h, 1)
        budgetq_el_set_editor(el, "emacs".wide)
        budgetq_el_set_signal(el, 1)
        budgetq_el_set_history(el, h)
        LineEditor.setPrompt("> ")
        budgetq_el_set_prompt(el) { _ in LineEditor.promptPointer }
        budgetq_el_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        budgetq_el_add_function(el, "budgetq-complete".wide, "Complete the word before the cursor".wide) { el, _ in
            guard let el, let data = budgetq_el_get_clientdata(el) else { return UInt8(CC_ERROR) }
            let editor = Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
            return editor.handleTab()
        }
        budgetq_el_bind(el, "^I".wide, "budgetq-complete".wide)
        // Ctrl-R: incremental search back through history.
        budgetq_el_bind(el, "^R".wide, "em-inc-search-prev".wide)
        if let historyPath {
            budgetq_history_load(h, historyPath)
        }
    }

    deinit {
        budgetq_history_wend(history)
        budgetq_el_end(editLine)
    }

    /// Reads one line with `prompt`. Ctrl-C returns `.interrupted`; Ctrl-D on an empty line `.endOfInput`.
    public func readLine(prompt: String) -> Input {
        LineEditor.setPrompt(prompt)
        var count: Int32 = 0
        errno = 0
        guard let raw = budgetq_el_wgets(editLine, &count) else {
            let interrupted = Interrupt.takeRequest()
            if interrupted || (count == -1 && errno == EINTR) {
                budgetq_el_reset(editLine)
                StandardStreams.writeOutput("^C\n")
                return .interrupted
            }
            return .endOfInput
        }
        if Interrupt.takeRequest() { return .interrupted }
        var line = String(wide: raw, count: Int(count))
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    /// True when more typed or pasted input is already waiting on the terminal (libedit reads a
    /// byte at a time, so the rest of a paste is still in the terminal's buffer).
    public func hasPendingInput() -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        // 20 ms: a paste that arrives in several writes still counts as one.
        return poll(&descriptor, 1, 20) > 0 && descriptor.revents & Int16(POLLIN) != 0
    }

    /// Adds an entry (not repeating the previous one) to this session's history and to the file.
    public func addHistory(_ entry: String) {
        let trimmed = entry.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed != lastEntry else { return }
        lastEntry = trimmed
        budgetq_history_enter(history, trimmed.wide)
        appendToHistoryFile(trimmed)
    }

    /// Appends `entry` to the history file, keeping what other budgetq sessions appended since
    /// this one started, then trims the file to the newest `historySize` entries (as sqlite3 and
    /// DuckDB keep a shared history).
    ///
    /// Under an exclusive lock on `<history>.lock`, the file is read afresh into a scratch
    /// history, the entry added, and the result written through `AtomicFile`: two sessions never
    /// overwrite each other's entries, and a crash mid-write leaves the previous file intact.
    /// A history that cannot be saved is not worth interrupting the session for.
    func appendToHistoryFile(_ entry: String) {
        guard let historyPath else { return }
        let directory = (historyPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard let lock = HistoryLock(path: historyPath + ".lock") else { return }
        defer { lock.release() }
        guard let merged = budgetq_history_winit() else { return }
        defer { budgetq_history_wend(merged) }
        budgetq_history_setsize(merged, historySize)
        budgetq_history_setunique(merged, 1)
        // A missing file is an empty history.
        _ = budgetq_history_load(merged, historyPath)
        budgetq_history_enter(merged, entry.wide)
        try? AtomicFile.replace(historyPath) { temporary in
            guard budgetq_history_save(merged, temporary) >= 0 else {
                throw AtomicFile.Failure(message: "cannot save the history to \(temporary)")
            }
        }
    }

    private static func setPrompt(_ prompt: String) {
        let wide = prompt.wide
        let pointer = UnsafeMutablePointer<wchar_t>.allocate(capacity: wide.count)
        pointer.initialize(from: wide, count: wide.count)
        promptPointer?.deallocate()
        promptPointer = pointer
    }

    private func handleTab() -> UInt8 {
        guard let info = budgetq_el_wline(editLine)?.pointee, let complete else { return UInt8(CC_ERROR) }
        let before = String(wide: info.buffer, count: info.cursor - info.buffer)
        let completion = complete(before)
        let candidates = completion.candidates
        if candidates.isEmpty { return UInt8(CC_REFRESH_BEEP) }
        let shared = commonPrefix(candidates)
        let typed = String(before.suffix(completion.replacing))
        if shared.count > typed.count {
            let insertion = String(shared.dropFirst(typed.count))
            budgetq_el_winsertstr(editLine, insertion.wide)
            return UInt8(CC_REFRESH)
        }
        // Several candidates and nothing more in common: list them under the line.
        // Values carry their closing quote for insertion; list them without it.
        let shown = candidates.map { $0.hasSuffix("\"") && $0.count > 1 ? String($0.dropLast()) : $0 }
        let width = (shown.map { displayCells($0) }.max() ?? 0) + 2
        let columns = max(1, terminalWidth() / max(1, width))
        var listing = "\n"
        for (i, c) in shown.enumerated() {
            listing += c + String(repeating: " ", count: max(0, width - displayCells(c)))
            if (i + 1) % columns == 0 || i == candidates.count - 1 { listing += "\n" }
        }
        StandardStreams.writeOutput(listing)
        return UInt8(CC_REDISPLAY)
    }

    /// The terminal's width in cells (80 when unknown).
    public func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    private func displayCells(_ s: String) -> Int {
        displayWidth(s)
    }

    // MARK: locale and interrupts

    /// Makes LC_CTYPE a UTF-8 locale so that libedit edits 铜仁 by character.
    static func ensureUTF8Locale() {
        setlocale(LC_ALL, "")
        if isUTF8() { return }
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil {
            if isUTF8() { return }
        }
    }

    private static func isUTF8() -> Bool {
        guard let codeset = budgetq_codeset() else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }
}

/// An exclusive flock(2) on the history's lock file, held while the file is read and rewritten.
struct HistoryLock {
    private let descriptor: Int32

    /// Waits up to about a second for the lock (another session holds it only for one rewrite);
    /// nil when the lock file cannot be opened or the lock is not granted.
    init?(path: String) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        for _ in 0..<100 {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                descriptor = fd
                return
            }
            guard errno == EWOULDBLOCK || errno == EINTR else { break }
            usleep(10_000)
        }
        close(fd)
        return nil
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

extension String {
    /// A NUL-terminated wide-character copy.
    var wide: [wchar_t] { unicodeScalars.map { wchar_t(bitPattern: $0.value) } + [0] }

    init(wide pointer: UnsafePointer<wchar_t>, count: Int) {
        var scalars = String.UnicodeScalarView()
        for i in 0..<Swift.max(0, count) {
            if let scalar = Unicode.Scalar(UInt32(bitPattern: pointer[i])) { scalars.append(scalar) }
        }
        self = String(scalars)
    }
}
