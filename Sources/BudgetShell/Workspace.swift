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
    public private(set) var loaded: LoadedDocuments
    public let session: QuerySession
    public var renderer: ResultRenderer
    public var timer = false
    /// Where results go: nil for standard output, else a file rewritten atomically after each result.
    public private(set) var outputPath: String?
    private var outputBuffer = ""
    /// Receives result text when writing to standard output (tests capture it).
    public var standardOutput: (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
    /// Receives error text.
    public var standardError: (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

    public init(paths: [String], renderer: ResultRenderer = ResultRenderer()) {
        self.paths = paths
        loaded = DocumentLoader.load(paths: paths)
        session = QuerySession(store: StoreBuilder.build(from: loaded))
        self.renderer = renderer
    }

    /// Adds a file or folder to what is loaded and rebuilds the store; returns a summary line.
    @discardableResult
    public func load(_ path: String) -> String {
        let before = loaded.projects.count
        paths.append(path)
        loaded = DocumentLoader.load(paths: paths)
        session.replaceStore(StoreBuilder.build(from: loaded))
        let added = loaded.projects.count - before
        let errors = loaded.diagnostics.filter { $0.file.hasPrefix(path) && $0.severity == .error }.count
        return "loaded \(path): \(added) project\(added == 1 ? "" : "s") added, \(loaded.projects.count) in all"
            + (errors > 0 ? "; \(errors) error(s), see `budgetq check \(path)`" : "")
    }

    /// The start-up banner: version, what was loaded and whether it is real, and how to get help.
    public var banner: String {
        let published = loaded.files.filter { $0.origin == .published }
        let synthetic = loaded.files.filter { $0.origin == .synthetic }
        var years: [Int: Int] = [:]
        for p in loaded.projects { years[p.year, default: 0] += 1 }
        let yearText = years.keys.sorted().map { "\($0)" }.joined(separator: ", ")
        var lines = ["budgetq \(Self.version) — \(paths.joined(separator: ", "))"]
        lines.append("loaded \(loaded.projects.count) projects (\(yearText.isEmpty ? "no years" : "years " + yearText)), "
                     + "\(loaded.projects.reduce(0) { $0 + $1.indicators.count }) indicators from \(loaded.files.count) file\(loaded.files.count == 1 ? "" : "s")")
        let realProjects = loaded.projects.filter { $0.origin == .published }.count
        lines.append("real: \(published.count) published file\(published.count == 1 ? "" : "s") (\(realProjects) projects); "
                     + "synthetic: \(synthetic.count) generated file\(synthetic.count == 1 ? "" : "s") (\(loaded.projects.count - realProjects) projects) — see .sources")
        if loaded.errorCount > 0 {
            lines.append("\(loaded.errorCount) load error(s): run `budgetq check \(paths.joined(separator: " "))` to see them")
        }
        lines.append("Type .help for help, a query such as `projects | summarize sum(budget) by type`, Tab to complete.")
        return lines.joined(separator: "\n")
    }

    /// Sends result text to standard output or to the `.output` file.
    public func emit(_ text: String) {
        guard let outputPath else {
            standardOutput(text)
            return
        }
        outputBuffer += text
        do {
            try AtomicFile.write(outputBuffer, to: outputPath)
        } catch {
            standardError("error: cannot write \(outputPath): \(error.localizedDescription)\n")
        }
    }

    /// Directs results to a file (nil or "stdout" for the terminal).
    public func setOutput(_ path: String?) {
        outputPath = path == "stdout" ? nil : path
        outputBuffer = ""
    }

    /// Runs a script of statements and dot commands. Errors name FILE:LINE:COLUMN. With
    /// `stopAtFirstError` the rest is skipped after an error; otherwise every statement runs.
    /// Returns the lines of the statements that failed.
    @discardableResult
    public func runScript(_ text: String, file: String, stopAtFirstError: Bool) -> [Int] {
        ScriptRunner(workspace: self, file: file, stopAtFirstError: stopAtFirstError).run(text)
    }

    /// Runs one statement and prints its result (and the time with `.timer on`).
    public func execute(_ statement: ParsedStatement, source: String, file: String) -> Bool {
        let start = DispatchTime.now()
        do {
            let outcome = try session.execute(statement)
            if case .result(let result) = outcome {
                emit(renderer.render(result))
            }
            if timer {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
                standardOutput("run time: \(String(format: "%.3f", seconds)) s\n")
            }
            return true
        } catch {
            standardError(error.rendered(source: source, file: file) + "\n")
            return false
        }
    }
}
