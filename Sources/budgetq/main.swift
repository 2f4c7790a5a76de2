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
        subcommands: [Check.self, Export.self, Generate.self, Run.self]
    )

    @OptionGroup var data: DataOptions

    @Option(name: .customShort("c"), help: ArgumentHelp("Run QUERY (one or more statements and dot commands) and exit.", valueName: "query"))
    var command: String?

    @OptionGroup var output: OutputOptions

    @Option(help: "Open a snapshot written by .save instead of reading --data.")
    var snapshot: String?

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
            workspace = Workspace(paths: [data.directory], renderer: output.renderer, limits: data.limits, cache: data.cache)
        }
        // After loading (the loader's peak would keep freed blocks too): statements reuse pages.
        AllocatorTuning.keepLargeBlocks()
        for (name, value) in try output.parsedParameters() { workspace.session.setParameter(name, text: value) }
        let interactive = command == nil && isatty(STDIN_FILENO) != 0
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
        if let command {
            var failures = workspace.runScript(command, file: "query", stopAtFirstError: true)
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
        var failures = workspace.runScript(String(decoding: input, as: UTF8.self), file: "stdin", stopAtFirstError: false)
        if workspace.renderer.format.isDocument, !workspace.writeCollectedDocument(title: "budgetq", parameters: try output.parsedParameters()) { failures.append(0) }
        if !failures.isEmpty {
            StandardStreams.writeError("budgetq: \(failures.count) statement(s) failed, at line \(failures.map(String.init).joined(separator: ", "))\n")
        }
        let loadErrors = workspace.reportLoadErrors()
        if !failures.isEmpty || loadErrors { throw ExitCode(1) }
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
