import BudgetCore
import BudgetDocuments
import BudgetQuery
import BudgetRender
import BudgetStore
import Foundation

/// The loaded data, a query session over it, and output settings: what `-c`, `run`, scripts on
/// stdin and the REPL share.
public final class Workspace {
    /// budgetq's version, shown in the banner and by `--version`.
    public static let version = "0.2.0"

    public private(set) var paths: [String]
    /// What loading the documents produced (diagnostics, counts, which sources came from the
    /// cache); nil when the store was opened from a snapshot.
    public private(set) var loaded: LoadSummary?
    /// Warnings about the data cache (a damaged cache ignored, one that could not be written).
    public private(set) var cacheWarnings: [String] = []
    /// The snapshot the store was opened from, if any.
    public private(set) var snapshotPath: String?
    public let session: QuerySession
    public var renderer: ResultRenderer
    public var timer = false
    /// `.headers off`: results without their header line (table, csv, tsv, markdown).
    public var headers = true
    /// `.once FILE`: where the next result goes, instead of the output.
    public var oncePath: String?
    /// True once a statement stopped by Ctrl-C has said "interrupted" (the REPL then says nothing more).
    public var reportedInterruption = false
    /// The last result printed, for `.last`.
    public private(set) var lastResult: QueryResult?
    /// Where results go: nil for standard output, else a file rewritten atomically after each result.
    public private(set) var outputPath: String?
    private var outputBuffer = ""
    /// Receives result text when writing to standard output (tests capture it).
    public var standardOutput: (String) -> Void = { StandardStreams.writeOutput($0) }
    /// Receives error text.
    public var standardError: (String) -> Void = { StandardStreams.writeError($0) }

    /// Limits on reading documents (largest file, longest line).
    public let limits: LoadLimits

    /// Loads documents from `paths`; through `cache` (the automatic cache of `--data`) when given.
    /// Cache warnings go to standard error at once, before any answer.
    public init(paths: [String], renderer: ResultRenderer = ResultRenderer(), limits: LoadLimits = LoadLimits(), cache: DataCache? = nil) {
        self.paths = paths
        self.limits = limits
        if let cache {
            let outcome = cache.load(paths: paths, limits: limits)
            cacheWarnings = outcome.warnings
            var store = outcome.store
            var summary = outcome.summary
            Self.applyScoring(&store, paths: paths, diagnostics: &summary.diagnostics)
            loaded = summary
            session = QuerySession(store: store)
            for warning in outcome.warnings { StandardStreams.writeError(warning + "\n") }
        } else {
            let read = Self.read(paths, limits: limits)
            var store = read.store
            var summary = read.summary
            Self.applyScoring(&store, paths: paths, diagnostics: &summary.diagnostics)
            loaded = summary
            session = QuerySession(store: store)
        }
        self.renderer = renderer
    }

    /// The documents and ledgers under `paths`, read now (no cache).
    private static func read(_ paths: [String], limits: LoadLimits) -> PortfolioReader.Read {
        let found = DocumentLoader.discover(paths: paths)
        return PortfolioReader.read(found, tables: DocumentLoader.readTables(found, limits: limits), limits: limits)
    }

    /// Opens a snapshot written by `.save` instead of parsing documents.
    public init(snapshot path: String, renderer: ResultRenderer = ResultRenderer()) throws {
        paths = []
        limits = LoadLimits()
        snapshotPath = path
        session = QuerySession(store: try Snapshot.read(path))
        self.renderer = renderer
    }

    /// Adds a file or folder to what is loaded and rebuilds the store; returns a summary line.
    public func load(_ path: String) throws -> String {
        guard let previous = loaded else {
            throw Snapshot.Failure(message: ".load adds documents to documents; this session opened the snapshot \(snapshotPath ?? ""). Start with --data to combine folders")
        }
        let before = previous.projects
        // Each file is read once (by inode, then by content): what is new is what the walk finds now and did not before.
        let earlier = DocumentLoader.discover(paths: paths)
        let now = DocumentLoader.discover(paths: paths + [path])
        let loadedBefore = Set(earlier.documents + earlier.ledgers)
        let newFiles = (now.documents + now.ledgers).filter { !loadedBefore.contains($0) }
        if newFiles.isEmpty {
            let copies = now.duplicates.filter { !earlier.duplicates.contains($0) }
            let why = copies.first.map { ": \($0.path) has the same content as \($0.sameAs)" + (copies.count > 1 ? " (and \(copies.count - 1) more copies)" : "") }
                ?? ": every file in it is loaded already"
            throw LoadRefusal(message: "\(path) is already loaded\(why); nothing added")
        }
        paths.append(path)
        let read = Self.read(paths, limits: limits)
        var store = read.store
        var summary = read.summary
        Self.applyScoring(&store, paths: paths, diagnostics: &summary.diagnostics)
        loaded = summary
        session.replaceStore(store)
        cachedGlossary = nil
        let added = summary.projects - before
        let errors = read.summary.diagnostics.filter { $0.file.hasPrefix(path) && $0.severity == .error }.count
        let skipped = now.duplicates.filter { !earlier.duplicates.contains($0) }.count
        return "loaded \(path): \(newFiles.count) new file\(newFiles.count == 1 ? "" : "s"), \(added) project\(added == 1 ? "" : "s") added, \(summary.projects) in all"
            + (skipped > 0 ? "; \(skipped) file(s) skipped as copies of loaded ones" : "")
            + (errors > 0 ? "; \(errors) error(s), see `budgetq check \(path)`" : "")
    }

    /// Why `.load` added nothing.
    public struct LoadRefusal: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Scores the store by the first `scoring.tsv` among `paths` (a folder's, or one named itself);
    /// one that cannot be read is a load error and the standard settings are used.
    static func applyScoring(_ store: inout Store, paths: [String], diagnostics: inout [Diagnostic]) {
        let manager = FileManager.default
        let candidates = paths.map { path -> String in
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue ? path + "/" + ScoringSettings.fileName : path
        }
        guard let file = candidates.first(where: { ($0 as NSString).lastPathComponent == ScoringSettings.fileName && manager.fileExists(atPath: $0) }) else { return }
        do {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            store.scoring = try ScoringSettings.parse(text, file: file)
        } catch let failure as ScoringSettings.Failure {
            diagnostics.append(.error(failure.file, failure.line, failure.message + "; the standard scoring is used"))
        } catch {
            diagnostics.append(.error(file, 1, "cannot read the scoring settings (\(error.localizedDescription)); the standard scoring is used"))
        }
    }

    /// Writes the current tables to a snapshot file (atomically).
    public func save(_ path: String) throws {
        try Snapshot.write(session.store, to: path, createdBy: "budgetq \(Self.version)")
    }

    /// Replaces the data with a snapshot's.
    public func open(_ path: String) throws {
        session.replaceStore(try Snapshot.read(path))
        cachedGlossary = nil
        loaded = nil
        snapshotPath = path
        paths = []
    }

    /// The start-up banner: version, what was loaded and whether it is real, and how to get help.
    ///
    /// Counts come from the sources list, so a snapshot's tables are not decoded just to greet.
    public var banner: String {
        let sources = session.store.sources
        let documents = sources.filter { $0.kind == .documents }
        let payments = sources.filter { $0.kind == .payments }
        let actuals = sources.filter { $0.kind == .actuals }
        let ledgers = payments + actuals
        let published = documents.filter { $0.origin == .published }
        let projects = documents.reduce(0) { $0 + $1.rows }
        let realProjects = published.reduce(0) { $0 + $1.rows }
        let years = Set(documents.flatMap(\.years)).sorted().map(String.init).joined(separator: ", ")
        let indicators = loaded.map { ", \($0.indicators) indicators" } ?? ""
        let files = documents.count + ledgers.count
        let from = snapshotPath.map { "snapshot \($0)" } ?? paths.joined(separator: ", ")
        var lines = ["budgetq \(Self.version) — \(from)"]
        lines.append("loaded \(projects) projects (\(years.isEmpty ? "no years" : "years " + years))\(indicators), "
                     + "\(payments.reduce(0) { $0 + $1.rows }) payments"
                     + (actuals.isEmpty ? "" : ", \(actuals.reduce(0) { $0 + $1.rows }) reported actuals")
                     + " from \(files) file\(files == 1 ? "" : "s")")
        lines.append("real: \(published.count) published file\(published.count == 1 ? "" : "s") (\(realProjects) projects); "
                     + "synthetic: \(documents.count - published.count) generated document file\(documents.count - published.count == 1 ? "" : "s") (\(projects - realProjects) projects)"
                     + (ledgers.isEmpty ? "" : " and \(ledgers.count) ledger\(ledgers.count == 1 ? "" : "s") (\(ledgers.filter { $0.origin == .synthetic }.count) synthetic)")
                     + " — see .sources")
        if let loaded, loaded.errorCount > 0 {
            lines.append("\(loaded.errorCount) load error(s): run `budgetq check \(paths.joined(separator: " "))` to see them")
        }
        lines.append("Type .help for help, a query such as `projects | summarize sum(budget) by type`, Tab to complete.")
        return lines.joined(separator: "\n")
    }

    /// True when documents were read but not one 项目绩效目标表 table loaded: any answer would be
    /// empty, so `-c`, `run`, scripts and `export` refuse to give one.
    public var loadedNoTable: Bool {
        guard let loaded else { return false }
        return loaded.projects == 0
    }

    /// Why nothing can be answered, when `loadedNoTable`.
    public var noTableMessage: String {
        let files = loaded?.documentFiles ?? 0
        let errors = (loaded?.diagnostics ?? []).filter { $0.severity == .error }
        var lines = ["budgetq: no 项目绩效目标表 table loaded from \(paths.joined(separator: ", ")) (\(files) file\(files == 1 ? "" : "s") read, "
                     + "\(errors.count) load error\(errors.count == 1 ? "" : "s")); there is nothing to answer from"]
        lines += errors.prefix(3).map { "  \($0)" }
        if errors.count > 3 { lines.append("  … and \(errors.count - 3) more") }
        lines.append("run `budgetq check \(paths.joined(separator: " "))` for all")
        return lines.joined(separator: "\n")
    }

    /// The load errors for standard error: a count, the first few, and where to see them all;
    /// nil when documents loaded cleanly (or a snapshot was opened).
    public func loadErrorReport(shown: Int = 3) -> String? {
        guard let loaded, loaded.errorCount > 0 else { return nil }
        let errors = loaded.diagnostics.filter { $0.severity == .error }
        var lines = ["budgetq: \(errors.count) load error\(errors.count == 1 ? "" : "s"); these answers leave out what could not be read:"]
        lines += errors.prefix(shown).map { "  \($0)" }
        if errors.count > shown { lines.append("  … and \(errors.count - shown) more") }
        lines.append("run `budgetq check \(paths.joined(separator: " "))` for all")
        return lines.joined(separator: "\n")
    }

    /// Writes `loadErrorReport` to standard error; true when there was one (the caller then
    /// exits non-zero, after answering).
    @discardableResult
    public func reportLoadErrors() -> Bool {
        guard let report = loadErrorReport else { return false }
        standardError(report + "\n")
        return true
    }

    /// `loadErrorReport()` with the default number of diagnostics shown.
    public var loadErrorReport: String? { loadErrorReport() }

    /// Sends result text to standard output or to the `.output` file; false when the file could not
    /// be written (the error is reported; at the prompt the result is shown on the terminal instead).
    @discardableResult
    public func emit(_ text: String) -> Bool {
        guard let outputPath else {
            // `.pager on`: a result longer than the screen goes through the pager.
            if pagerEnabled, let pager, let rows = screenRows(), text.utf8.count(where: { $0 == 0x0A }) > rows - 2, pager(text) { return true }
            standardOutput(text)
            return true
        }
        outputBuffer += text
        do {
            try AtomicFile.write(outputBuffer, to: outputPath)
            return true
        } catch {
            standardError("error: \(error)\n")
            if showsResultWhenOutputFails { standardOutput(text) }
            return false
        }
    }

    /// How many `.read` scripts are running inside one another, and the most allowed (sqlite3's limit).
    public var readDepth = 0
    public static let maxReadDepth = 25

    /// At the prompt a result that could not be written to the `.output` file is shown instead.
    public var showsResultWhenOutputFails = false

    /// Directs results to a file (nil or "stdout" for the terminal).
    public func setOutput(_ path: String?) {
        outputPath = path == "stdout" ? nil : path
        outputBuffer = ""
        outputResults = []
    }

    /// `.pager on|off`: results longer than the screen go through `pager`.
    public var pagerEnabled = false
    /// Shows text through a pager (the REPL sets it: `$PAGER`, default `less -SR`); false when it
    /// could not, and the text is then printed as usual.
    public var pager: ((String) -> Bool)?
    /// The screen's height in rows, nil when standard output is not a terminal.
    public var screenRows: () -> Int? = { TerminalSize.ofStandardOutput()?.rows }

    /// Start CSV files with a UTF-8 byte-order mark, so that Excel and WPS read them as UTF-8
    /// (`--no-bom`, `.output FILE --no-bom` to leave it out).
    public var byteOrderMark = true

    /// When set, results are kept (titled) for one document written at the end of a run
    /// (`run --format json|csv|xlsx|html`) instead of printed one by one.
    public var collectsResults = false
    /// The results kept while `collectsResults`.
    public private(set) var collected: [TitledResult] = []
    /// The title the next result is kept under.
    public var nextTitle: String?
    /// Results written so far to an `.output FILE.xlsx` workbook (rewritten after each).
    private var outputResults: [TitledResult] = []

    /// Prints, keeps or writes one result, as the output asks.
    /// False when the `.output` file could not be written (reported already).
    @discardableResult
    func deliver(_ result: QueryResult) -> Bool {
        let title = nextTitle ?? "Result \(collected.count + outputResults.count + 1)"
        nextTitle = nil
        if collectsResults {
            collected.append(TitledResult(title: title, result: result))
            return true
        }
        if let once = oncePath {
            // `.once FILE`: this result alone, whole, to FILE.
            oncePath = nil
            var text = fileRenderer.render(result)
            if !headers { text = Self.droppingHeader(text, format: renderer.format) }
            do {
                try AtomicFile.write(text, to: once)
            } catch {
                standardError("error: cannot write \(once): \(error.localizedDescription)\n")
                return false
            }
            return true
        }
        let renderer = rendererForOutput
        if let outputPath, renderer.format == .xlsx || OutputFormat(fileName: outputPath) == .xlsx {
            // A workbook cannot grow by appending text: write it whole, one sheet per result.
            outputResults.append(TitledResult(title: title, result: result))
            do {
                let data = try XlsxWriter(language: renderer.language, glossary: glossary).workbook(outputResults, context: reportContext(title: title, parameters: []))
                try AtomicFile.write(data, to: outputPath)
            } catch {
                standardError("error: \(error)\n")
                return false
            }
            return true
        }
        var text = renderer.render(result)
        if !headers { text = Self.droppingHeader(text, format: renderer.format) }
        if outputPath != nil, outputBuffer.isEmpty, renderer.format == .csv, byteOrderMark {
            return emit("\u{FEFF}" + text)
        } else {
            return emit(text)
        }
    }

    /// What a document says around its results: title, parameters, the data and which is real.
    public func reportContext(title: String, parameters: [(String, String)]) -> ReportContext {
        var warnings: [String] = []
        if let loaded, loaded.errorCount > 0 {
            warnings.append("\(loaded.errorCount) load error\(loaded.errorCount == 1 ? "" : "s") in the data: these results leave out what could not be read. "
                            + "Run `budgetq check \(paths.joined(separator: " "))` for all.")
        }
        return ReportContext(title: title, parameters: parameters, dataSummary: dataSummary, warnings: warnings, sources: session.store.sources)
    }

    /// Hands over the kept results and stops keeping them.
    public func takeCollected() -> [TitledResult] {
        defer { collected = []; collectsResults = false }
        return collected
    }

    /// Runs a script of statements and dot commands. Errors name FILE:LINE:COLUMN. With
    /// `stopAtFirstError` the rest is skipped after an error; otherwise every statement runs.
    /// Returns the lines of the statements that failed.
    @discardableResult
    public func runScript(_ text: String, file: String, stopAtFirstError: Bool) -> [Int] {
        ScriptRunner(workspace: self, file: file, stopAtFirstError: stopAtFirstError).run(QuerySession.normalizedLineEnds(text))
    }

    /// A query's run time for `.timer on`: milliseconds to three significant digits
    /// (`0.274 ms`, `12.3 ms`, `274 ms`, `2740 ms`), so that sub-millisecond queries are visible.
    public static func runTimeText(nanoseconds: UInt64) -> String {
        let milliseconds = Double(nanoseconds) / 1e6
        guard milliseconds > 0 else { return "0.000 ms" }
        // Round to 3 significant digits (2740 ms for 2,741.6), then show as many decimals as
        // those digits need; rounding may carry into a new digit (0.9996 → 1.00).
        let scale = pow(10.0, Double(2 - Int(floor(log10(milliseconds)))))
        let rounded = (milliseconds * scale).rounded() / scale
        let decimals = max(0, 2 - Int(floor(log10(rounded))))
        return String(format: "%.\(decimals)f ms", rounded)
    }

    /// The renderer as the current output needs it: no terminal width for a file, and the
    /// loaded tables' Chinese column names for a report.
    /// The renderer for a file: every column, whatever the terminal's width.
    var fileRenderer: ResultRenderer {
        var r = rendererForOutput
        r.terminalWidth = nil
        return r
    }

    /// A result without its header line(s): csv and tsv drop one line, table and markdown two
    /// (the names and the rule under them); line and json have none.
    static func droppingHeader(_ text: String, format: OutputFormat) -> String {
        let lines: Int
        switch format {
        case .csv, .tsv: lines = 1
        case .table, .markdown: lines = 2
        default: return text
        }
        var rest = Substring(text)
        for _ in 0..<lines {
            guard let newline = rest.firstIndex(where: { $0 == "\n" || $0 == "\r\n" }) else { return "" }
            rest = rest[rest.index(after: newline)...]
        }
        return String(rest)
    }

    public var rendererForOutput: ResultRenderer {
        var renderer = renderer
        if outputPath != nil { renderer.terminalWidth = nil }
        if renderer.format.isReport, renderer.language == .zh, renderer.glossary.isEmpty { renderer.glossary = glossary }
        return renderer
    }

    /// Chinese names of the loaded columns, worked out on the first report.
    public var glossary: [String: String] {
        if let cachedGlossary { return cachedGlossary }
        let built = Presentation.glossary(of: session.store)
        cachedGlossary = built
        return built
    }
    private var cachedGlossary: [String: String]?

    /// Runs one statement and prints its result (and the time with `.timer on`).
    public func execute(_ statement: ParsedStatement, source: String, file: String) -> Bool {
        let start = DispatchTime.now()
        do {
            let outcome = try session.execute(statement)
            if case .result(let result) = outcome {
                lastResult = result
                if !deliver(result) { return false }
            }
            if timer {
                let elapsed = DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds
                standardOutput("run time: \(Self.runTimeText(nanoseconds: elapsed))\n")
            }
            return true
        } catch where error.isInterruption {
            // Ctrl-C is the user's own doing: one line, no source excerpt.
            standardError("interrupted\n")
            reportedInterruption = true
            return false
        } catch {
            standardError(error.rendered(source: source, file: file) + "\n")
            if let entry = loaded?.cacheEntry, session.store.decodeProblem != nil {
                // The cache, not the documents, is damaged: forget it so the next run rebuilds it.
                DataCache.discard(entry: entry)
                loaded?.cacheEntry = nil
                standardError("budgetq: the cache in \(entry) is damaged and has been dropped; run again (or use --no-cache) to read the documents\n")
            }
            return false
        }
    }
}
