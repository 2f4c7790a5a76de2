import BudgetCore
import Dispatch
import Foundation

/// Everything read from a set of files and folders.
public struct LoadedDocuments: Sendable {
    /// One file that was read, and what it yielded.
    public struct FileSummary: Sendable, Codable {
        public var path: String
        public var encoding: TextDecoding.Encoding?
        public var origin: Origin
        public var tables: Int
        public var tablesSkipped: Int
        public var projects: Int
    }

    public var projects: [ProjectRecord] = []
    public var files: [FileSummary] = []
    public var diagnostics: [Diagnostic] = []
    public var gazetteer: Gazetteer
    /// Payment ledgers found (`*.csv`), and the payments matched from them.
    public var ledgerFiles: [FileSummary] = []
    public var payments: [PaymentRecord] = []
    /// Reported 完成值: 自评表 and 监控表 rows attached to a loaded project, and actuals ledgers.
    public var actuals: [ActualRecord] = []
    /// Actuals ledgers found (CSV files whose header names an indicator and its actual).
    public var actualsFiles: [FileSummary] = []

    public init(gazetteer: Gazetteer = .builtIn, projects: [ProjectRecord] = []) {
        self.gazetteer = gazetteer
        self.projects = projects
    }

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
}

/// Limits that keep a strange input from exhausting memory.
public struct LoadLimits: Sendable {
    public var maxFileBytes: Int
    public var maxLineBytes: Int
    /// Bounds on what a Word or Excel file may expand to.
    public var office = OfficeLimits()

    public init(maxFileBytes: Int = 512 << 20, maxLineBytes: Int = 1 << 20) {
        self.maxFileBytes = maxFileBytes
        self.maxLineBytes = maxLineBytes
    }
}

/// Finds documents under paths, decodes and parses them (files in parallel), and merges the results in path order.
public enum DocumentLoader {
    /// The file name of the region gazetteer inside a data folder.
    public static let gazetteerFileName = "regions.tsv"
    /// The file name of the label synonyms inside a data folder.
    public static let labelsFileName = "labels.tsv"
    /// Files of a data folder that configure later stages (`scoring.tsv`): not documents.
    public static let settingsFileNames: Set<String> = ["scoring.tsv"]
    /// Extensions read as documents when found in a folder.
    static let documentExtensions: Set<String> = ["txt", "tsv", "docx", "xlsx", "xls", "xml", "htm", "html"]
    /// Formats budgetq cannot read, and how to convert them.
    static let convertible: [String: String] = [
        "doc": "docx", "wps": "docx", "rtf": "docx", "et": "xlsx", "pdf": "docx", "ofd": "docx", "odt": "docx", "ods": "xlsx",
    ]

    public static func load(paths: [String], limits: LoadLimits = LoadLimits()) -> LoadedDocuments {
        let found = discover(paths: paths)
        let tables = readTables(found, limits: limits)
        var result = LoadedDocuments(gazetteer: tables.gazetteer)
        result.diagnostics = found.diagnostics + tables.diagnostics
        return assemble(found, tables: tables, documents: parseDocuments(found.documents, tables: tables, limits: limits), limits: limits)
    }

    /// True when some documents or ledgers evaluate projects of other files (a 自评表 or 监控表, an
    /// actuals ledger): then the portfolio must be put together whole, not file by file.
    public static func linksFiles(_ documents: [DocumentOutcome], ledgers: [LedgerOutcome]) -> Bool {
        ledgers.contains(where: \.isActuals) || documents.contains { $0.projects.contains { $0.documentKind == "自评" || $0.documentKind == "监控" } }
    }

    /// The portfolio from parsed documents: reports attached to the projects they evaluate, then
    /// every ledger matched against the whole portfolio.
    public static func assemble(_ found: Discovery, tables: ReadingTables, documents: [DocumentOutcome], limits: LoadLimits) -> LoadedDocuments {
        var result = LoadedDocuments(gazetteer: tables.gazetteer)
        result.diagnostics = found.diagnostics + tables.diagnostics
        for outcome in documents {
            result.projects += outcome.projects
            result.diagnostics += outcome.diagnostics
            result.files.append(outcome.summary)
        }
        // A 自评表 or 监控表 of a project a 目标表 loaded evaluates that project; it is not another one.
        let linked = ReportLink.attach(result.projects)
        result.projects = linked.projects
        result.actuals = linked.actuals
        for (i, file) in result.files.enumerated() {
            if let count = linked.attached[file.path] { result.files[i].projects -= count }
        }
        // Ledgers need every project loaded first: they are matched by name, year and department.
        for outcome in readLedgers(found.ledgers, projects: result.projects, limits: limits) {
            result.diagnostics += outcome.diagnostics
            if outcome.isActuals {
                result.actuals += outcome.actuals
                result.actualsFiles.append(outcome.summary)
            } else {
                result.payments += outcome.payments
                result.ledgerFiles.append(outcome.summary)
            }
        }
        return result
    }

    /// The files under some paths, by role, and what was wrong with the paths themselves.
    public struct Discovery: Sendable {
        public var documents: [String] = []
        public var ledgers: [String] = []
        public var gazetteers: [String] = []
        public var labels: [String] = []
        /// Problems of the walk (a missing path, a file that is not read), in walk order.
        public var diagnostics: [Diagnostic] = []
    }

    /// Walks `paths` (folders recursively, in name order) and sorts the files by role.
    public static func discover(paths: [String]) -> Discovery {
        var found = Discovery()
        for path in paths {
            collect(path, explicit: true, documents: &found.documents, gazetteers: &found.gazetteers, ledgers: &found.ledgers,
                    labels: &found.labels, diagnostics: &found.diagnostics)
        }
        return found
    }

    /// The label synonyms and gazetteer documents are read with: a data folder's own, else the built-in ones.
    public struct ReadingTables: Sendable {
        public var labels: LabelBook
        public var gazetteer: Gazetteer
        /// Problems in the folder's own `labels.tsv` and `regions.tsv`.
        public var diagnostics: [Diagnostic]
    }

    /// Reads the folder's own `labels.tsv` and `regions.tsv`, if any (one that cannot be read is an error).
    public static func readTables(_ found: Discovery, limits: LoadLimits) -> ReadingTables {
        var diagnostics: [Diagnostic] = []
        func override<T>(_ path: String?, builtIn: T, what: String, parse: (String, String, inout [Diagnostic]) -> T) -> T {
            guard let path else { return builtIn }
            switch readText(path, limits: limits) {
            case .success(let (bytes, _)):
                return parse(String(decoding: bytes, as: UTF8.self), path, &diagnostics)
            case .failure(let failure):
                diagnostics.append(.error(path, 1, failure.message + "; using the built-in \(what)"))
                return builtIn
            }
        }
        let labels = override(found.labels.first, builtIn: LabelBook.builtIn, what: "labels") { LabelBook.parse($0, file: $1, diagnostics: &$2) }
        let gazetteer = override(found.gazetteers.first, builtIn: Gazetteer.builtIn, what: "gazetteer") { Gazetteer.parse($0, file: $1, diagnostics: &$2) }
        return ReadingTables(labels: labels, gazetteer: gazetteer, diagnostics: diagnostics)
    }

    /// What one document file yielded.
    public struct DocumentOutcome: Sendable {
        public var projects: [ProjectRecord]
        public var diagnostics: [Diagnostic]
        public var summary: LoadedDocuments.FileSummary
    }

    /// Reads and parses document files in parallel; outcomes in the order of `paths`.
    public static func parseDocuments(_ paths: [String], tables: ReadingTables, limits: LoadLimits) -> [DocumentOutcome] {
        parseInParallel(paths, gazetteer: tables.gazetteer, labels: tables.labels, limits: limits).enumerated().map { index, output in
            DocumentOutcome(projects: output.parsed.projects, diagnostics: output.parsed.diagnostics,
                            summary: .init(path: paths[index], encoding: output.encoding, origin: output.parsed.origin,
                                           tables: output.parsed.tablesSeen, tablesSkipped: output.parsed.tablesSkipped,
                                           projects: output.parsed.projects.count))
        }
    }

    /// What one ledger yielded, matched against the projects it was read with.
    public struct LedgerOutcome: Sendable {
        public var payments: [PaymentRecord]
        public var diagnostics: [Diagnostic]
        public var summary: LoadedDocuments.FileSummary
        /// An actuals ledger's rows (`ActualsLedger`) instead of payments.
        public var actuals: [ActualRecord] = []
        public var isActuals = false
    }

    /// Reads ledgers in parallel and matches their rows to `projects` (the whole portfolio, in
    /// load order: a payment's `projectIndex` points into it); outcomes in the order of `paths`.
    public static func readLedgers(_ paths: [String], projects: [ProjectRecord], limits: LoadLimits) -> [LedgerOutcome] {
        concurrentMap(paths.count) { index -> LedgerOutcome in
            let path = paths[index]
            switch readFile(path, limits: limits) {
            case .failure(let failure):
                return LedgerOutcome(payments: [], diagnostics: [.error(path, 1, failure.message)], summary:
                    .init(path: path, encoding: nil, origin: .published, tables: 0, tablesSkipped: 0, projects: 0))
            case .success(let bytes):
                let head = String(decoding: bytes.prefix(300), as: UTF8.self).lowercased()
                let synthetic = head.hasPrefix("#") && head.contains("synthetic")
                if ActualsLedger.recognizes(bytes) {
                    let (actuals, problems) = ActualsLedger.read(bytes: bytes, file: path, projects: projects, origin: synthetic ? .synthetic : .published)
                    return LedgerOutcome(payments: [], diagnostics: problems, summary:
                        .init(path: path, encoding: .utf8, origin: synthetic ? .synthetic : .published, tables: 0, tablesSkipped: 0, projects: actuals.count),
                        actuals: actuals, isActuals: true)
                }
                let (payments, problems) = LedgerReader.read(bytes: bytes, file: path, projects: projects)
                return LedgerOutcome(payments: payments, diagnostics: problems, summary:
                    .init(path: path, encoding: .utf8, origin: synthetic ? .synthetic : .published, tables: 0, tablesSkipped: 0, projects: payments.count))
            }
        }
    }

    /// Decodes and parses one in-memory document (used by tests and by `load`).
    public static func parse(bytes: [UInt8], file: String, gazetteer: Gazetteer = .builtIn, labels: LabelBook = .builtIn,
                             limits: LoadLimits = LoadLimits()) -> (DocumentParser.Output, TextDecoding.Encoding?) {
        let parser = DocumentParser(file: file, gazetteer: gazetteer, labels: labels, maxLineBytes: limits.maxLineBytes)
        // Word, Excel and their HTML/XML exports are read by content, whatever the extension;
        // binary formats are refused with how to convert them.
        if let refused = OfficeReader.refusal(of: bytes, file: file) {
            var output = DocumentParser.Output()
            output.diagnostics.append(.error(file, 1, officeMessage(refused)))
            return (output, nil)
        }
        if let format = OfficeReader.detect(bytes) {
            do {
                let rows = try OfficeReader.rows(of: bytes, format: format, file: file, limits: limits.office)
                return (parser.parse(rows: rows), nil)
            } catch {
                var output = DocumentParser.Output()
                output.diagnostics.append(.error(file, 1, officeMessage(error)))
                return (output, nil)
            }
        }
        switch TextDecoding.decode(bytes) {
        case .success(let (utf8, encoding)):
            return (parser.parse(utf8), encoding)
        case .failure(let failure):
            var output = DocumentParser.Output()
            output.diagnostics.append(.error(file, 1, failure.description))
            return (output, nil)
        }
    }

    private struct FileOutput: Sendable {
        var parsed: DocumentParser.Output
        var encoding: TextDecoding.Encoding?
    }

    private static func parseInParallel(_ paths: [String], gazetteer: Gazetteer, labels: LabelBook, limits: LoadLimits) -> [FileOutput] {
        concurrentMap(paths.count) { index -> FileOutput in
            let path = paths[index]
            let output: FileOutput
            switch readFile(path, limits: limits) {
            case .success(let bytes):
                let (parsed, encoding) = parse(bytes: bytes, file: path, gazetteer: gazetteer, labels: labels, limits: limits)
                output = FileOutput(parsed: parsed, encoding: encoding)
            case .failure(let failure):
                var parsed = DocumentParser.Output()
                parsed.diagnostics.append(.error(path, 1, failure.message))
                output = FileOutput(parsed: parsed, encoding: nil)
            }
            return output
        }
    }

    /// Why a file could not be read at all.
    struct ReadFailure: Error {
        var message: String
    }

    static func readFile(_ path: String, limits: LoadLimits) -> Result<[UInt8], ReadFailure> {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = (attributes?[.size] as? NSNumber)?.intValue, size > limits.maxFileBytes {
            return .failure(ReadFailure(message: "file is \(size) bytes; the largest file read is \(limits.maxFileBytes) bytes"))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(ReadFailure(message: "cannot open the file for reading"))
        }
        defer { try? handle.close() }
        do {
            let data = try handle.read(upToCount: limits.maxFileBytes + 1) ?? Data()
            if data.count > limits.maxFileBytes {
                return .failure(ReadFailure(message: "file is larger than \(limits.maxFileBytes) bytes, the largest file read"))
            }
            return .success([UInt8](data))
        } catch {
            return .failure(ReadFailure(message: "cannot read the file: \(error.localizedDescription)"))
        }
    }

    static func readText(_ path: String, limits: LoadLimits) -> Result<([UInt8], TextDecoding.Encoding), ReadFailure> {
        switch readFile(path, limits: limits) {
        case .failure(let failure): return .failure(failure)
        case .success(let bytes):
            return TextDecoding.decode(bytes).mapError { ReadFailure(message: $0.description) }
        }
    }

    private static func collect(_ path: String, explicit: Bool, documents: inout [String], gazetteers: inout [String],
                                ledgers: inout [String], labels: inout [String], diagnostics: inout [Diagnostic]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            diagnostics.append(.error(path, 0, "no such file or folder"))
            return
        }
        if isDirectory.boolValue {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                diagnostics.append(.error(path, 0, "cannot list the folder"))
                return
            }
            for name in names.sorted() where !name.hasPrefix(".") {
                let child = path.hasSuffix("/") ? path + name : path + "/" + name
                collect(child, explicit: false, documents: &documents, gazetteers: &gazetteers, ledgers: &ledgers, labels: &labels, diagnostics: &diagnostics)
            }
            return
        }
        let name = (path as NSString).lastPathComponent
        let ext = (name as NSString).pathExtension.lowercased()
        if name == gazetteerFileName {
            gazetteers.append(path)
        } else if name == labelsFileName {
            labels.append(path)
        } else if settingsFileNames.contains(name) {
            // Settings of later stages (the scoring rules), read by the app, not documents.
        } else if ext == "csv" {
            ledgers.append(path)
        } else if explicit || documentExtensions.contains(ext) || convertible[ext] != nil {
            // Binary formats are refused with a conversion hint when read, never skipped in silence.
            documents.append(path)
        } else if !["md", "bq", "json", "snapshot", "py", "pyc", "sh", "swift"].contains(ext) && !name.hasPrefix("README") && !name.hasPrefix("~$") {
            diagnostics.append(.warning(path, 0, "not read: budget documents are .txt, .tsv, .docx, .xlsx or .xls files; name the file explicitly to read it anyway"))
        }
    }
}

extension DocumentLoader {
    /// An Office reading error as a diagnostic message (the file is named by the diagnostic itself).
    static func officeMessage(_ error: OfficeReadError) -> String {
        if let part = error.part { return "\(part): \(error.message)" }
        return error.message
    }
}

extension Gazetteer {
    /// The gazetteer of the design, used when a data folder has no `regions.tsv`.
    public static let builtIn = Gazetteer(entries: [
        RegionEntry(region: "铜仁", aliases: ["铜仁市", "莞铜", "碧江", "万山", "江口", "玉屏", "石阡", "思南", "印江", "德江", "沿河", "松桃"],
                    parent: "铜仁市", province: "贵州", kind: "东西部协作"),
        RegionEntry(region: "韶关", aliases: ["韶关市", "莞韶"], parent: "韶关市", province: "广东", kind: "省内对口帮扶"),
        RegionEntry(region: "揭阳", aliases: ["揭阳市", "莞揭"], parent: "揭阳市", province: "广东", kind: "省内对口帮扶"),
        RegionEntry(region: "巫山", aliases: ["巫山县"], parent: "重庆市", province: "重庆", kind: "对口支援三峡库区"),
    ])
}
