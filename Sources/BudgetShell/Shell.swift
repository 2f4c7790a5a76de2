import BudgetApp
import BudgetCore
import BudgetQuery
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The interactive REPL: prompts, multi-line input, history, completion, dot commands.
public final class Shell {
    let workspace: Workspace
    let historyPath: String?

    public init(workspace: Workspace, historyPath: String? = Shell.defaultHistoryPath()) {
        self.workspace = workspace
        self.historyPath = historyPath
    }

    /// `$XDG_STATE_HOME/budgetq/history`, else `~/.local/state/budgetq/history`.
    public static func defaultHistoryPath() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let state = env["XDG_STATE_HOME"], !state.isEmpty { return state + "/budgetq/history" }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/state/budgetq/history"
    }

    /// Entries the history file keeps: `$BUDGETQ_HISTORY_SIZE` (as bash's HISTSIZE), else 1000.
    public static func historySize() -> Int {
        guard let text = ProcessInfo.processInfo.environment["BUDGETQ_HISTORY_SIZE"], let size = Int(text), size > 0 else { return 1000 }
        return min(size, 1_000_000)
    }

    /// Runs until .quit or Ctrl-D; returns the exit status.
    public func run() -> Int32 {
        // Ctrl-C sets a flag (never ends the REPL): at the prompt it drops the line, while a
        // statement runs the statement's long loops look at it and stop.
        Interrupt.installHandler()
        let editor: LineEditor
        do {
            editor = try LineEditor(programName: "budgetq", historyPath: historyPath, historySize: Self.historySize())
        } catch {
            workspace.standardError("budgetq: cannot start line editing: \(error)\n")
            return 1
        }
        let completer = Completer(source: SessionCompletionSource(workspace: workspace))
        editor.complete = { completer.complete($0) }
        workspace.showsResultWhenOutputFails = true
        // At the prompt, wide results are narrowed to the terminal (files and pipes get every column).
        workspace.renderer.terminalWidth = editor.terminalWidth()
        workspace.pager = Self.page
        workspace.standardOutput(workspace.banner + "\n")
        // Load errors go to standard error in every mode; at the prompt the session goes on (.load may add tables).
        if workspace.loadedNoTable {
            workspace.standardError(workspace.noTableMessage + "\n")
        } else if let report = workspace.loadErrorReport {
            workspace.standardError(report + "\n")
        }
        var pending: [String] = []
        // A line read ahead (see below) that the next turn of the loop handles.
        var carried: LineEditor.Input?
        var entry = 0
        while true {
            let prompt = pending.isEmpty ? "budgetq> " : "   ...> "
            let input = carried ?? editor.readLine(prompt: prompt)
            carried = nil
            switch input {
            case .endOfInput:
                if pending.isEmpty {
                    workspace.standardOutput("\n")
                    return 0
                }
                pending = []
            case .interrupted:
                pending = []
            case .line(let line):
                let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
                if pending.isEmpty && trimmed.isEmpty { continue }
                if pending.isEmpty && trimmed.hasPrefix(".") {
                    editor.addHistory(line)
                    entry += 1
                    if DotCommands.outcome(trimmed, workspace: workspace, file: "input", line: 1) == .quit { return 0 }
                    continue
                }
                pending.append(line)
                let text = pending.joined(separator: "\n")
                // The lexer's rule decides, as it does for scripts: `projects | where` waits for more.
                if Continuation.needsMoreLines(text) { continue }
                // Pasted text is already waiting: a next line starting with `|` belongs to this
                // statement, which must not run alone.
                if editor.hasPendingInput() {
                    let next = editor.readLine(prompt: "   ...> ")
                    carried = next
                    if case .line(let nextLine) = next, Continuation.continuesPrevious(nextLine) { continue }
                }
                editor.addHistory(pending.joined(separator: " "))
                pending = []
                entry += 1
                Interrupt.clear()
                workspace.reportedInterruption = false
                workspace.renderer.terminalWidth = editor.terminalWidth()
                workspace.runScript(text, file: "input", stopAtFirstError: false)
                // Stopped outside a statement (a .load, printing): still one line.
                if Interrupt.takeRequest() && !workspace.reportedInterruption { workspace.standardError("interrupted\n") }
            }
        }
    }
}

extension Shell {
    /// Pipes `text` through `$PAGER` (default `less -SR`: long lines scroll sideways, colours
    /// pass) and waits for it; false when the pager cannot start.
    static func page(_ text: String) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        let command = environment["PAGER"].flatMap { $0.isEmpty ? nil : $0 } ?? "less -SR"
        // posix_spawn rather than Foundation's Process, which starts a new session on Linux: the
        // pager must stay in budgetq's session to read keys from the terminal (/dev/tty).
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return false }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        var env = environment
        if env["LESSCHARSET"] == nil { env["LESSCHARSET"] = "utf-8" }
        let arguments = ["/bin/sh", "-c", command]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, envp)
        close(fds[0])
        guard spawned == 0 else {
            close(fds[1])
            return false
        }
        // A pager that quits early closes the pipe: ignore SIGPIPE while writing.
        let previous = signal(SIGPIPE, SIG_IGN)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
            if written <= 0 { break }
            offset += written
        }
        close(fds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        signal(SIGPIPE, previous)
        return true
    }
}

/// Completion candidates drawn from the session's public surface.
struct SessionCompletionSource: CompletionSource {
    let workspace: Workspace

    var tableNames: [String] { workspace.session.store.tableNames + workspace.session.letNames }

    func columnNames(of table: String) -> [String] {
        guard let columns = workspace.session.columns(of: table) else { return [] }
        return columns.map(\.name) + columns.flatMap(\.aliases)
    }

    func values(of column: String, in table: String) -> [String] {
        workspace.session.distinctValues(of: column, in: table)
    }

    var dotCommandNames: [String] { DotCommands.names }

    /// Each alias names its table itself (`项目 | …` runs): nothing is built to list them.
    var tableAliases: [String: String] {
        Dictionary(workspace.session.store.tableAliases.map { ($0, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func resultColumns(of pipeline: String) -> (names: [String], aliases: [String])? { workspace.session.resultColumns(of: pipeline) }

    func paths(matching prefix: String) -> [String] {
        let directory = prefix.contains("/") ? String(prefix[...(prefix.lastIndex(of: "/") ?? prefix.startIndex)]) : ""
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        return listing.filter { !$0.hasPrefix(".") }.sorted().map { name in
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: directory + name, isDirectory: &isDirectory)
            return directory + name + (isDirectory.boolValue ? "/" : "")
        }
    }
}
