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

/// Limits that keep a strange input from exhausting memory. No file is refused for its size:
/// text and ledgers are read line by line, so memory is bounded by the longest line kept.
public struct LoadLimits: Sendable {
    /// The longest line (or ledger record) read; a longer one is dropped while it is read, with an error.
    public var maxLineBytes: Int
    /// Bounds on what a Word or Excel file may expand to.
    public var office = OfficeLimits()

    public init(maxLineBytes: Int = 1 << 20) {
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
    /// actuals ledger): then the portfolio must be put together whole, not file by file. Decided
    /// before any ledger is matched: each ledger's header says whether it is an actuals ledger, so
    /// a linked folder's ledgers are read once, against the assembled portfolio.
    public static func linksFiles(_ documents: [DocumentOutcome], ledgerPaths: [String], labels: LabelBook) -> Bool {
        documentsLink(documents) || ledgersLink(ledgerPaths, labels: labels)
    }

    /// Whether some of the ledgers at `paths` are actuals ledgers (their header says so), which
    /// evaluate projects of other files.
    public static func ledgersLink(_ paths: [String], labels: LabelBook) -> Bool {
        paths.contains { path in
            guard let file = try? FileChunks(path: path) else { return false }
            var head: [UInt8] = []
            while head.count < 1 << 16, let n = try? file.read(into: &head, upTo: (1 << 16) - head.count), n > 0 {}
            return ActualsLedger.recognizes(head, labels: labels)
        }
    }

    /// A 自评表 or 监控表 among the documents, or an Excel ledger (matched once every project is loaded).
    private static func documentsLink(_ documents: [DocumentOutcome]) -> Bool {
        documents.contains(where: documentLinks)
    }

    /// Whether this document evaluates projects of other files (a 自评表 or 监控表) or is an Excel
    /// ledger: either is matched against the whole portfolio.
    public static func documentLinks(_ document: DocumentOutcome) -> Bool {
        document.ledger != nil || document.projects.contains { $0.documentKind == "自评" || $0.documentKind == "监控" }
    }

    /// The portfolio from parsed documents: reports attached to the projects they evaluate, then
    /// every ledger matched against the whole portfolio.
    public static func assemble(_ found: Discovery, tables: ReadingTables, documents: [DocumentOutcome], limits: LoadLimits) -> LoadedDocuments {
        assembleWithLedgers(found, tables: tables, documents: documents, limits: limits).loaded
    }

    /// `assemble`, with what each ledger yielded (the data cache keeps them per file).
    public static func assembleWithLedgers(_ found: Discovery, tables: ReadingTables, documents: [DocumentOutcome], limits: LoadLimits) -> (loaded: LoadedDocuments, ledgers: [LedgerOutcome]) {
        var result = LoadedDocuments(gazetteer: tables.gazetteer)
        result.diagnostics = found.diagnostics + tables.diagnostics
        var sheetLedgers: [(path: String, ledger: SheetLedger)] = []
        for outcome in documents {
            if let ledger = outcome.ledger {
                sheetLedgers.append((outcome.summary.path, ledger))
                result.diagnostics += outcome.diagnostics
                continue
            }
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
        let ledgers = readLedgers(found.ledgers, sheets: sheetLedgers, projects: result.projects, limits: limits, labels: tables.labels)
        for outcome in ledgers {
            result.diagnostics += outcome.diagnostics
            if outcome.isActuals {
                result.actuals += outcome.actuals
                result.actualsFiles.append(outcome.summary)
            } else {
                result.payments += outcome.payments
                result.ledgerFiles.append(outcome.summary)
            }
        }
        return (result, ledgers)
    }

    /// The files under some paths, by role, and what was wrong with the paths themselves.
    public struct Discovery: Sendable {
        public var documents: [String] = []
        public var ledgers: [String] = []
        public var gazetteers: [String] = []
        public var labels: [String] = []
        /// Problems of the walk (a missing path, a file that is not read), in walk order.
        public var diagnostics: [Diagnostic] = []
        /// Files left out because an earlier file has the same bytes.
        public var duplicates: [Duplicate] = []
    }

    /// A file left out because another file of the load has the same bytes.
    public struct Duplicate: Sendable, Equatable {
        public var path: String
        public var sameAs: String
    }

    /// Walks `paths` (folders recursively, in name order) and sorts the files by role.
    ///
    /// Each folder is walked once and each file taken once (by device and inode), so a symbolic-link
    /// loop ends and a folder loaded twice adds nothing; FIFOs, sockets and devices are skipped
    /// unopened; a file with the same bytes as an earlier one (a copy) is left out with a warning.
    public static func discover(paths: [String]) -> Discovery {
        var found = Discovery()
        var walk = Walk()
        for path in paths {
            let before = found.documents.count + found.ledgers.count + found.gazetteers.count + found.labels.count
            collect(path, explicit: true, walk: &walk, documents: &found.documents, gazetteers: &found.gazetteers, ledgers: &found.ledgers,
                    labels: &found.labels, diagnostics: &found.diagnostics)
            if found.documents.count + found.ledgers.count + found.gazetteers.count + found.labels.count == before,
               case .directory = FileKind.of(path), !walk.repeated.contains(path) {
                // An empty folder gives empty answers: say so rather than answer 0.
                found.diagnostics.append(.error(path, 0, "the folder holds no budget documents (.txt, .tsv, .docx, .xlsx, .xls) or ledgers (.csv)"))
            }
        }
        let copies = Self.copies(found.documents + found.ledgers)
        if !copies.isEmpty {
            for copy in copies { found.diagnostics.append(.warning(copy.path, 0, "same content as \(copy.sameAs), which is loaded; not read twice")) }
            let left = Set(copies.map(\.path))
            found.documents.removeAll { left.contains($0) }
            found.ledgers.removeAll { left.contains($0) }
            found.duplicates = copies
        }
        return found
    }

    /// Files with the same bytes as an earlier one in `paths`. Only files that share a size with
    /// another are read (rare in a real folder), and a match is confirmed byte for byte.
    static func copies(_ paths: [String]) -> [Duplicate] {
        var bySize: [Int: [String]] = [:]
        for path in paths { if case .regular(let size, _) = FileKind.of(path), size > 0 { bySize[size, default: []].append(path) } }
        var copies: [Duplicate] = []
        for group in bySize.values where group.count > 1 {
            var kept: [String] = []
            for path in group {
                if let original = kept.first(where: { sameBytes($0, path) }) {
                    copies.append(Duplicate(path: path, sameAs: original))
                } else {
                    kept.append(path)
                }
            }
        }
        let order = Dictionary(paths.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return copies.sorted { order[$0.path, default: 0] < order[$1.path, default: 0] }
    }

    static func sameBytes(_ a: String, _ b: String) -> Bool {
        guard let x = try? FileChunks(path: a), let y = try? FileChunks(path: b), x.size == y.size else { return false }
        var left: [UInt8] = [], right: [UInt8] = []
        while true {
            left.removeAll(keepingCapacity: true)
            right.removeAll(keepingCapacity: true)
            guard let n = try? x.read(into: &left, upTo: 1 << 20), let m = try? y.read(into: &right, upTo: 1 << 20) else { return false }
            if n != m || left != right { return false }
            if n == 0 { return true }
        }
    }

    /// Folders and files already walked, by device and inode.
    struct Walk {
        var folders: [FileIdentity: String] = [:]
        var files: Set<FileIdentity> = []
        /// Explicit paths that named something already walked.
        var repeated: Set<String> = []
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
            switch readDocument(path, maxLineBytes: limits.maxLineBytes).flatMap({ read in
                TextDecoding.decode(read.bytes).mapError { ReadFailure(message: $0.description) } }) {
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
        /// A workbook that holds a ledger (payments or actuals) rather than tables.
        public var ledger: SheetLedger?
    }

    /// Reads and parses document files in parallel; outcomes in the order of `paths`.
    public static func parseDocuments(_ paths: [String], tables: ReadingTables, limits: LoadLimits) -> [DocumentOutcome] {
        concurrentMap(paths.count) { parseDocument(paths[$0], tables: tables, limits: limits) }
    }

    /// Reads and parses one document file.
    public static func parseDocument(_ path: String, tables: ReadingTables, limits: LoadLimits) -> DocumentOutcome {
        let output = parseFile(path, gazetteer: tables.gazetteer, labels: tables.labels, limits: limits)
        return DocumentOutcome(projects: output.parsed.projects, diagnostics: output.parsed.diagnostics,
                               summary: .init(path: path, encoding: output.encoding, origin: output.parsed.origin,
                                              tables: output.parsed.tablesSeen, tablesSkipped: output.parsed.tablesSkipped,
                                              projects: output.parsed.projects.count),
                               ledger: output.parsed.ledger)
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
    /// Payment ledgers are streamed (memory holds a chunk and a record, never the file); over-budget
    /// warnings and running-total overflow count a project's payments across all of `paths`.
    /// Excel ledgers (`sheets`, found while parsing documents) follow the CSV files, in their order.
    public static func readLedgers(_ paths: [String], sheets: [(path: String, ledger: SheetLedger)] = [], projects: [ProjectRecord], limits: LoadLimits,
                                   labels: LabelBook = .builtIn) -> [LedgerOutcome] {
        guard !paths.isEmpty || !sheets.isEmpty else { return [] }
        return readLedgers(paths, sheets: sheets, records: projects, matching: projects.map(LedgerProject.init), limits: limits, labels: labels,
                           tabulate: Optional<@Sendable ([PaymentRecord]) -> Int>.none).map(\.outcome)
    }

    /// `readLedgers` of payment ledgers with only what they are matched on (`LedgerProject`), not
    /// whole records: the loader of a large folder keeps no more of each project. An actuals
    /// ledger names indicators, which this does not have: it is an error here (the loader reads
    /// a folder with one through `readLedgers(_:sheets:projects:…)`).
    public static func readLedgers(_ paths: [String], matching projects: [LedgerProject], limits: LoadLimits, labels: LabelBook = .builtIn) -> [LedgerOutcome] {
        guard !paths.isEmpty else { return [] }
        return readLedgers(paths, sheets: [], records: nil, matching: projects, limits: limits, labels: labels,
                           tabulate: Optional<@Sendable ([PaymentRecord]) -> Int>.none).map(\.outcome)
    }

    /// `readLedgers(_:matching:…)` that hands each ledger's payments to `tabulate` as soon as the
    /// ledger is read (on the thread that read it) and keeps no `PaymentRecord`: only the 24 bytes
    /// of each that the totals over all ledgers need. At 1M projects the 7 million records were
    /// ~800 MB on top of their table (issue 13). Each outcome's `payments` is empty; `dropped` lists
    /// the positions (ascending) among the rows given to `tabulate` that the totals left out
    /// (a running total past Int64), for the caller to remove.
    public static func readLedgers<Rows: Sendable>(_ paths: [String], matching projects: [LedgerProject], limits: LoadLimits, labels: LabelBook = .builtIn,
                                                   tabulate: @escaping @Sendable ([PaymentRecord]) -> Rows) -> [(outcome: LedgerOutcome, rows: Rows, dropped: [Int])] {
        readLedgers(paths, sheets: [], records: nil, matching: projects, limits: limits, labels: labels, tabulate: tabulate).map { read in
            (read.outcome, read.rows ?? tabulate([]), read.dropped)
        }
    }

    private static func readLedgers<Rows: Sendable>(_ paths: [String], sheets: [(path: String, ledger: SheetLedger)], records: [ProjectRecord]?,
                                                    matching projects: [LedgerProject], limits: LoadLimits, labels: LabelBook,
                                                    tabulate: (@Sendable ([PaymentRecord]) -> Rows)?) -> [(outcome: LedgerOutcome, rows: Rows?, dropped: [Int])] {
        // The projects' index by name, built once for every ledger.
        let matcher = LedgerReader.Matcher(projects: projects)
        @Sendable func readCSV(_ index: Int) -> LedgerOutcome {
            let path = paths[index]
            // The header says which kind of ledger it is: an actuals ledger is read whole (they are small).
            var head: [UInt8] = []
            do throws(ReadFailure) {
                let file = try FileChunks(path: path)
                while head.count < 1 << 16, try file.read(into: &head, upTo: (1 << 16) - head.count) > 0 {}
                if ActualsLedger.recognizes(head, labels: labels) {
                    guard let records else {
                        // It became an actuals ledger after the folder was looked at (edited meanwhile).
                        return LedgerOutcome(payments: [], diagnostics: [.error(path, 1, "this file changed into an actuals ledger while the folder was being read; load again")],
                                             summary: .init(path: path, encoding: .utf8, origin: .published, tables: 0, tablesSkipped: 0, projects: 0))
                    }
                    try file.readToEnd(into: &head)
                    let headText = String(decoding: head.prefix(300), as: UTF8.self).lowercased()
                    let synthetic = headText.hasPrefix("#") && headText.contains("synthetic")
                    let (actuals, problems) = ActualsLedger.read(bytes: head, file: path, projects: records, origin: synthetic ? .synthetic : .published, labels: labels, matcher: matcher)
                    return LedgerOutcome(payments: [], diagnostics: problems, summary:
                        .init(path: path, encoding: .utf8, origin: synthetic ? .synthetic : .published, tables: 0, tablesSkipped: 0, projects: actuals.count),
                        actuals: actuals, isActuals: true)
                }
            } catch {
                return LedgerOutcome(payments: [], diagnostics: [.error(path, 1, error.message)], summary:
                    .init(path: path, encoding: nil, origin: .published, tables: 0, tablesSkipped: 0, projects: 0))
            }
            let read = LedgerReader.read(path: path, matcher: matcher, maxLineBytes: limits.maxLineBytes, labels: labels)
            return LedgerOutcome(payments: read.payments, diagnostics: read.diagnostics, summary:
                .init(path: path, encoding: .utf8, origin: read.synthetic ? .synthetic : .published, tables: 0, tablesSkipped: 0, projects: read.payments.count))
        }
        var reads: [(outcome: LedgerOutcome, paid: [PaidPayment], rows: Rows?)] = concurrentMap(paths.count) { index in
            var outcome = readCSV(index)
            guard let tabulate else { return (outcome, [], nil) }
            let paid = outcome.payments.map(PaidPayment.init)
            let rows = tabulate(outcome.payments)
            outcome.payments = []
            return (outcome, paid, rows)
        }
        reads += concurrentMap(sheets.count) { index -> LedgerOutcome in
            let (path, ledger) = sheets[index]
            let origin: Origin = ledger.synthetic ? .synthetic : .published
            if ledger.kind == .actuals {
                var actuals: [ActualRecord] = [], diagnostics = ledger.diagnostics
                for sheet in ledger.sheets {
                    let read = ActualsLedger.read(header: sheet.header.cells, at: sheet.header.position, rows: sheet.rows.map { ($0.cells, $0.position) },
                                                  file: path, projects: records ?? [], origin: origin, labels: labels, matcher: matcher)
                    actuals += read.actuals
                    diagnostics += read.diagnostics
                }
                return LedgerOutcome(payments: [], diagnostics: diagnostics, summary:
                    .init(path: path, encoding: nil, origin: origin, tables: 0, tablesSkipped: 0, projects: actuals.count), actuals: actuals, isActuals: true)
            }
            let read = LedgerReader.read(sheets: ledger, file: path, projects: records ?? [], matcher: matcher, labels: labels)
            return LedgerOutcome(payments: read.payments, diagnostics: ledger.diagnostics + read.diagnostics, summary:
                .init(path: path, encoding: nil, origin: origin, tables: 0, tablesSkipped: 0, projects: read.payments.count))
        }.map { ($0, [], nil) }
        // Totals over every ledger: a project paid from two files is over budget once, counting both.
        var totals: [Diagnostic] = []
        let sources = reads.map(\.outcome.summary.path)
        let dropped = tabulate == nil
            ? LedgerReader.checkTotals(reads.map(\.outcome.payments), sources: sources, projects: projects, diagnostics: &totals)
            : LedgerReader.checkTotals(reads.map(\.paid), sources: sources, projects: projects, diagnostics: &totals)
        var droppedPositions = [[Int]](repeating: [], count: reads.count)
        for position in dropped { droppedPositions[position.list].append(position.index) }
        if !dropped.isEmpty || !totals.isEmpty {
            for index in reads.indices where !reads[index].outcome.isActuals {
                let path = reads[index].outcome.summary.path
                droppedPositions[index].sort()
                if !droppedPositions[index].isEmpty {
                    if tabulate == nil {
                        reads[index].outcome.payments = reads[index].outcome.payments.enumerated()
                            .filter { !dropped.contains(LedgerReader.LedgerPosition(list: index, index: $0.offset)) }.map(\.element)
                        reads[index].outcome.summary.projects = reads[index].outcome.payments.count
                    } else {
                        reads[index].outcome.summary.projects -= droppedPositions[index].count
                    }
                }
                let own = totals.filter { $0.file == path }
                if !own.isEmpty {
                    reads[index].outcome.diagnostics = (reads[index].outcome.diagnostics + own).enumerated()
                        .sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
                }
            }
        }
        return reads.indices.map { (reads[$0].outcome, reads[$0].rows, tabulate == nil ? [] : droppedPositions[$0]) }
    }

    /// Decodes and parses one in-memory document (used by tests and by `load`).
    public static func parse(bytes: [UInt8], file: String, gazetteer: Gazetteer = .builtIn, labels: LabelBook = .builtIn,
                             limits: LoadLimits = LoadLimits(), overlongLines: [Int: Int] = [:]) -> (DocumentParser.Output, TextDecoding.Encoding?) {
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
                // A workbook whose first sheet starts with a ledger header is a ledger, kept for matching.
                if let ledger = SheetLedger.find(in: rows, file: file, labels: labels) {
                    var output = DocumentParser.Output()
                    output.ledger = ledger
                    output.origin = ledger.synthetic ? .synthetic : .published
                    return (output, nil)
                }
                return (parser.parse(rows: rows), nil)
            } catch {
                var output = DocumentParser.Output()
                output.diagnostics.append(.error(file, 1, officeMessage(error)))
                return (output, nil)
            }
        }
        // A file of nothing but overlong lines is what it is, not empty: each dropped line is reported.
        let decoded = TextDecoding.decode(bytes)
        if case .failure(.empty) = decoded, !overlongLines.isEmpty {
            return (parser.parse(bytes, overlongLines: overlongLines), nil)
        }
        switch decoded {
        case .success(let (utf8, encoding)):
            return (parser.parse(utf8, overlongLines: overlongLines), encoding)
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

    private static func parseFile(_ path: String, gazetteer: Gazetteer, labels: LabelBook, limits: LoadLimits) -> FileOutput {
        switch readDocument(path, maxLineBytes: limits.maxLineBytes) {
        case .success(let read):
            let (parsed, encoding) = parse(bytes: read.bytes, file: path, gazetteer: gazetteer, labels: labels, limits: limits, overlongLines: read.overlongLines)
            return FileOutput(parsed: parsed, encoding: encoding)
        case .failure(let failure):
            var parsed = DocumentParser.Output()
            parsed.diagnostics.append(.error(path, 1, failure.message))
            return FileOutput(parsed: parsed, encoding: nil)
        }
    }

    private static func collect(_ path: String, explicit: Bool, walk: inout Walk, documents: inout [String], gazetteers: inout [String],
                                ledgers: inout [String], labels: inout [String], diagnostics: inout [Diagnostic]) {
        switch FileKind.of(path) {
        case .missing(let reason):
            // A dangling link inside a folder is reported as what it is.
            diagnostics.append(.error(path, 0, explicit ? "no such file or folder" : "cannot read: \(reason.lowercased())"))
            return
        case .special(let kind):
            // Opening a FIFO waits for a writer forever; a device may never end. Neither is a document.
            diagnostics.append(.warning(path, 0, "\(kind), not a file; not read"))
            return
        case .directory(let identity):
            if let first = walk.folders[identity] {
                if explicit { walk.repeated.insert(path) } else {
                    diagnostics.append(.warning(path, 0, "the folder \(first) again (a symbolic link back into the walk); not read twice"))
                }
                return
            }
            walk.folders[identity] = path
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                diagnostics.append(.error(path, 0, "cannot list the folder"))
                return
            }
            for name in names.sorted() where !name.hasPrefix(".") {
                let child = path.hasSuffix("/") ? path + name : path + "/" + name
                collect(child, explicit: false, walk: &walk, documents: &documents, gazetteers: &gazetteers, ledgers: &ledgers, labels: &labels, diagnostics: &diagnostics)
            }
            return
        case .regular(_, let identity):
            // The same file by a second path (a link, or a folder loaded again) is read once.
            if !walk.files.insert(identity).inserted {
                if explicit { walk.repeated.insert(path) }
                return
            }
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
