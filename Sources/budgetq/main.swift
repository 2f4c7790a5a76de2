import BudgetCore
import ArgumentParser
import BudgetDocuments
import BudgetRender
import BudgetApp
import BudgetShell
import BudgetStore
import Foundation

/// The `budgetq` command: subcommands for checking, exporting and querying budget documents.
struct Budgetq: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budgetq",
        abstract: "Load, check and query 项目绩效目标表 budget documents.",
        version: Workspace.version,
        subcommands: [Check.self, Export.self, Generate.self, Run.self, Reference.self]
    )

    @OptionGroup var data: DataOptions

    @Option(name: .customShort("c"), help: ArgumentHelp("Run QUERY (one or more statements and dot commands) and exit.", valueName: "query"))
    var command: String?

    @OptionGroup var output: OutputOptions

    @Option(help: "Open a snapshot written by .save instead of reading --data.")
    var snapshot: String?

    @OptionGroup(title: "sqlite3 and DuckDB shell conventions") var shell: ShellConventions

    mutating func run() throws {
        let workspace: Workspace
        if let snapshot {
            do {
                workspace = try Workspace(snapshot: snapshot, renderer: output.renderer)
            } catch {
                StandardStreams.writeError("budgetq: \(error)\n")
                throw ExitCode(1)
            }
        } else {
            AllocatorTuning.returnLargeBlocks()
            workspace = Workspace(paths: [data.directory], renderer: output.renderer, limits: data.limits, cache: data.cache)
        }
        // After loading (the loader's peak would keep freed blocks too): statements reuse pages.
        AllocatorTuning.keepLargeBlocks()
        for (name, value) in try output.parsedParameters() { workspace.session.setParameter(name, text: value) }
        try shell.apply(to: workspace)
        let interactive = command == nil && shell.file == nil && isatty(STDIN_FILENO) != 0
        if interactive {
            // The banner says how many load errors there were; .load may still add tables.
            throw ExitCode(Shell(workspace: workspace).run())
        }
        // Without a table there is no answer to give: say so instead of printing an empty one.
        if workspace.loadedNoTable {
            StandardStreams.writeError((workspace.noTableMessage + "\n"))
            throw ExitCode(1)
        }
        workspace.byteOrderMark = !output.noBom
        // An HTML page or a workbook holds every result: kept, then written once.
        workspace.collectsResults = workspace.renderer.format.isDocument
        // Ctrl-C while the statements run stops them ("interrupted", exit 130 as for a shell's
        // SIGINT); before (while loading) it ends the process as usual.
        Interrupt.installHandler()
        if let path = shell.file {
            // `-f FILE`, as duckdb -f and sqlite3's .read: every statement, or up to the first error with -bail.
            guard let script = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("budgetq: cannot read \(path)\n".utf8))
                throw ExitCode(1)
            }
            var failures = workspace.runScript(String(decoding: script, as: UTF8.self), file: path, stopAtFirstError: shell.bail)
            if Interrupt.isRequested { throw Self.interrupted(workspace) }
            if workspace.renderer.format.isDocument, failures.isEmpty,
               !workspace.writeCollectedDocument(title: "budgetq -f", parameters: try output.parsedParameters()) { failures.append(0) }
            if !failures.isEmpty {
                FileHandle.standardError.write(Data("budgetq: \(failures.count) statement(s) failed, at line \(failures.map(String.init).joined(separator: ", "))\n".utf8))
            }
            let loadErrors = workspace.reportLoadErrors()
            if !failures.isEmpty || loadErrors { throw ExitCode(1) }
            return
        }
        if let command {
            var failures = workspace.runScript(command, file: "query", stopAtFirstError: true)
            if Interrupt.isRequested { throw Self.interrupted(workspace) }
            if workspace.renderer.format.isDocument, failures.isEmpty,
               !workspace.writeCollectedDocument(title: "budgetq -c", parameters: try output.parsedParameters()) { failures.append(0) }
            // Load errors come after the answer, and fail the run even when every statement worked.
            let loadErrors = workspace.reportLoadErrors()
            if !failures.isEmpty || loadErrors { throw ExitCode(1) }
            return
        }
        // Statements on standard input, as `sqlite3 < script.sql`: every statement runs; the
        // exit status says whether any failed, and each failure names its line.
        let input = StandardStreams.readInput()
        var failures = workspace.runScript(String(decoding: input, as: UTF8.self), file: "stdin", stopAtFirstError: shell.bail)
        if Interrupt.isRequested { throw Self.interrupted(workspace) }
        if workspace.renderer.format.isDocument, !workspace.writeCollectedDocument(title: "budgetq", parameters: try output.parsedParameters()) { failures.append(0) }
        if !failures.isEmpty {
            StandardStreams.writeError("budgetq: \(failures.count) statement(s) failed, at line \(failures.map(String.init).joined(separator: ", "))\n")
        }
        let loadErrors = workspace.reportLoadErrors()
        if !failures.isEmpty || loadErrors { throw ExitCode(1) }
    }
}

/// The flags people bring from sqlite3 and DuckDB: `-csv`, `-json`, `-markdown`, `-box`, `-f FILE`,
/// `-bail`, `-header`/`-noheader`, `-nullvalue TEXT`.
struct ShellConventions: ParsableArguments {
    @Flag(name: .customLong("csv", withSingleDash: true), help: "Print results as CSV (--format csv).") var csv = false
    @Flag(name: .customLong("tsv", withSingleDash: true), help: "Print results as TSV (--format tsv).") var tsv = false
    @Flag(name: .customLong("json", withSingleDash: true), help: "Print results as JSON (--format json).") var json = false
    @Flag(name: .customLong("markdown", withSingleDash: true), help: "Print results as a markdown table (--format markdown).") var markdown = false
    @Flag(name: [.customLong("box", withSingleDash: true), .customLong("table", withSingleDash: true)], help: "Print results as an aligned table (the default).") var box = false
    @Flag(name: .customLong("line", withSingleDash: true), help: "Print one `column = value` a line (--format line).") var line = false
    @Flag(name: .customLong("header", withSingleDash: true), help: "Print header lines (the default).") var header = false
    @Flag(name: .customLong("noheader", withSingleDash: true), help: "Leave out header lines (.headers off).") var noheader = false
    @Option(name: .customLong("nullvalue", withSingleDash: true), help: ArgumentHelp("Print TEXT for a missing value (.nullvalue TEXT).", valueName: "text")) var nullvalue: String?
    @Option(name: .customShort("f"), help: ArgumentHelp("Run the statements and dot commands in FILE, then exit.", valueName: "file")) var file: String?
    @Flag(name: .customLong("bail", withSingleDash: true), help: "Stop a script (-f, standard input) at its first error.") var bail = false

    /// The chosen format, if a flag names one; two flags that disagree are an error.
    func format() throws -> OutputFormat? {
        let chosen: [(Bool, OutputFormat)] = [(csv, .csv), (tsv, .tsv), (json, .json), (markdown, .markdown), (box, .table), (line, .line)]
        let named = chosen.filter(\.0).map(\.1)
        if named.count > 1 { throw ValidationError("choose one output format, not \(named.map { "-" + $0.rawValue }.joined(separator: " and "))") }
        return named.first
    }

    func apply(to workspace: Workspace) throws {
        if let format = try format() { workspace.renderer.format = format }
        if noheader { workspace.headers = false }
        if let nullvalue { workspace.renderer.nullText = nullvalue }
    }
}

extension Budgetq {
    /// Exit status 130 (128 + SIGINT) after Ctrl-C stopped `-c` or a script, having said so once.
    static func interrupted(_ workspace: Workspace) -> ExitCode {
        if !workspace.reportedInterruption { workspace.standardError("interrupted\n") }
        return ExitCode(130)
    }
}

/// Where the bundled or user data lives, and the limits on reading it.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "Data folder (default: $BUDGETQ_DATA or ./datasets).")
    var data: String?

    @Option(name: .long, help: "Longest line read, in KiB; a longer line is an error that skips its table.")
    var maxLineKb: Int = 1024

    @Flag(help: "Read every file again instead of using the cache of earlier loads ($XDG_CACHE_HOME/budgetq, else ~/.cache/budgetq).")
    var noCache = false

    var directory: String { data ?? ProcessInfo.processInfo.environment["BUDGETQ_DATA"] ?? "datasets" }

    /// The automatic cache of what `--data` loaded, unless `--no-cache`.
    var cache: DataCache? { noCache ? nil : DataCache.defaultFolder().map(DataCache.init(folder:)) }

    var limits: LoadLimits { LoadLimits(maxLineBytes: max(1, maxLineKb) << 10) }
}

StandardStreams.prepare()
Budgetq.main()
