import BudgetCore
import BudgetDocuments
import BudgetStore
import Foundation

/// What a load from documents produced besides the store: what the banner, the load-error
/// reports and `.sources` need, the same whether it was parsed now or came from the cache.
public struct LoadSummary: Sendable {
    /// Every load diagnostic, in the order a fresh load reports them.
    public var diagnostics: [Diagnostic]
    /// Document files read (ledgers apart).
    public var documentFiles: Int
    public var projects: Int
    public var indicators: Int
    /// Source paths whose rows came from the cache rather than from parsing the file.
    public var cachedSources: Set<String> = []
    /// The cache entry the store was opened from (its snapshot is decoded as queries read it).
    public var cacheEntry: String?

    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }

    public init(_ loaded: LoadedDocuments) {
        diagnostics = loaded.diagnostics
        documentFiles = loaded.files.count
        projects = loaded.projects.count
        indicators = loaded.projects.reduce(0) { $0 + $1.indicators.count }
    }

    init(diagnostics: [Diagnostic], documentFiles: Int, projects: Int, indicators: Int, cachedSources: Set<String>) {
        self.diagnostics = diagnostics
        self.documentFiles = documentFiles
        self.projects = projects
        self.indicators = indicators
        self.cachedSources = cachedSources
    }
}

/// The automatic cache of `--data DIR`: a snapshot of what was loaded, and a manifest keyed by
/// each file's path, size and modification time (and content hash when those disagree), under
/// `$XDG_CACHE_HOME/budgetq/` (or `~/.cache/budgetq/`).
///
/// An unchanged folder opens the snapshot instead of parsing. A changed, added or removed
/// document re-reads only that document: the other files' rows are cut from the cached tables
/// and joined with the new ones (ids renumbered). Ledgers are matched against every project,
/// so they are read again whenever a document changed, and otherwise only when they changed.
/// A labels or gazetteer change re-reads everything. Diagnostics and sources travel in the
/// manifest, so a cached run reports the same load problems and exit status as a fresh one.
///
/// Two processes may write at once: each writes its snapshot under a unique name and then
/// renames its manifest into place (`AtomicFile`), so the manifest always names a whole
/// snapshot; snapshots no manifest names are removed once they are a minute old.
public struct DataCache: Sendable {
    /// The folder holding one entry per set of data paths.
    public let folder: String

    public init(folder: String) { self.folder = folder }

    /// `$XDG_CACHE_HOME/budgetq`, else `$HOME/.cache/budgetq`; nil when neither is set.
    public static func defaultFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") { return base + "/budgetq" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/budgetq" }
        return nil
    }

    /// A load through the cache: the store, its summary and anything to warn about (a corrupt
    /// or foreign cache, one that could not be written).
    public struct Outcome {
        public var store: Store
        public var summary: LoadSummary
        public var warnings: [String]
    }

    // MARK: - The manifest

    /// What identifies a file's contents without reading it, and its hash for when those disagree.
    struct FileKey: Codable, Equatable {
        var path: String
        var size: UInt64
        var modified: Int64
        var hash: UInt64

        /// The same file with the same bytes (its time may have moved: touched, copied back).
        func sameContents(_ other: FileKey?) -> Bool {
            guard let other else { return false }
            return path == other.path && size == other.size && hash == other.hash
        }
    }

    struct DocumentEntry: Codable {
        var key: FileKey
        var summary: LoadedDocuments.FileSummary
        var diagnostics: [Diagnostic]
        var years: [Int]
        var indicators: Int
        var coverage: Int
    }

    struct LedgerEntry: Codable {
        var key: FileKey
        var summary: LoadedDocuments.FileSummary
        var diagnostics: [Diagnostic]
        var years: [Int]
    }

    struct Manifest: Codable {
        /// Bumped when the manifest's meaning changes; another value is a foreign cache.
        static let currentFormat = 1
        var format: Int
        /// The budgetq build that wrote it (version, snapshot format, executable size and time):
        /// another build may read documents differently.
        var build: String
        var paths: [String]
        var limits: [Int]
        var snapshot: String
        var snapshotSize: UInt64
        /// `labels.tsv` and `regions.tsv` of the folder, if any, and their diagnostics.
        var tables: [FileKey]
        var tableDiagnostics: [Diagnostic]
        var documents: [DocumentEntry]
        var ledgers: [LedgerEntry]
        /// True when files link (a 自评表 attached to another file's project, an actuals ledger):
        /// the snapshot is reused whole when nothing changed, and the folder is read whole otherwise.
        var linked: Bool? = nil
    }

    static let manifestName = "manifest.json"
    /// The modification time of a file that could not be keyed (it vanished while being read).
    static let unkeyed = Int64.min

    /// The entry folder for these paths as given (diagnostics name files as the paths spell them).
    func entryFolder(_ paths: [String]) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let identity = paths.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 }.joined(separator: "\0") + "\u{1}" + paths.joined(separator: "\0")
        let hash = Array(identity.utf8).withUnsafeBytes { ContentHash.of($0) }
        let name = paths.last.map { ($0 as NSString).lastPathComponent }.map { $0.isEmpty || $0 == "." || $0 == "/" ? "data" : $0 } ?? "data"
        let safe = String(name.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_" })
        return folder + "/" + safe.prefix(40) + "-" + String(hash, radix: 16)
    }

    /// The budgetq build: a new build must not trust what an older one parsed.
    static let build: String = {
        var info = stat()
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
        let identity = stat(executable, &info) == 0 ? "\(info.st_size)-\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)" : "unknown"
        return "budgetq \(Workspace.version) snapshot \(Snapshot.formatVersion) exe \(identity)"
    }()

    static func key(_ path: String, previous: FileKey?) -> FileKey? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let size = UInt64(info.st_size)
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        if let previous, previous.path == path, previous.size == size, previous.modified == modified { return previous }
        // Size or time differ (or nothing was cached): the contents decide.
        // Hashed a megabyte at a time (the file-reading layer's chunks), so a 600 MB file is never held whole.
        guard let hash = Self.streamedHash(path) else { return nil }
        return FileKey(path: path, size: size, modified: modified, hash: hash)
    }

    /// ContentHash of the file for files up to 1 MiB; above, a hash of the hashes of its 1 MiB chunks.
    static func streamedHash(_ path: String) -> UInt64? {
        guard let file = try? FileChunks(path: path) else { return nil }
        var chunk: [UInt8] = []
        var hashes: [UInt64] = []
        while true {
            chunk.removeAll(keepingCapacity: true)
            guard let n = try? file.read(into: &chunk, upTo: 1 << 20) else { return nil }
            if n == 0 { break }
            hashes.append(chunk.withUnsafeBytes { ContentHash.of($0) })
        }
        if hashes.count <= 1 { return hashes.first ?? [UInt8]().withUnsafeBytes { ContentHash.of($0) } }
        return hashes.withUnsafeBytes { ContentHash.of($0) }
    }

    // MARK: - Loading

    /// Loads `paths` as `DocumentLoader.load` would, through the cache.
    public func load(paths: [String], limits: LoadLimits) -> Outcome {
        let found = DocumentLoader.discover(paths: paths)
        let entry = entryFolder(paths)
        var warnings: [String] = []
        var manifest: Manifest?
        let manifestPath = entry + "/" + Self.manifestName
        if let data = FileManager.default.contents(atPath: manifestPath) {
            do {
                let decoded = try JSONDecoder().decode(Manifest.self, from: data)
                if decoded.format != Manifest.currentFormat {
                    warnings.append("budgetq: ignoring the cache \(manifestPath): written in cache format \(decoded.format), this budgetq writes \(Manifest.currentFormat); rebuilding it")
                } else if decoded.build == Self.build, decoded.paths == paths, decoded.limits == Self.limitKey(limits) {
                    manifest = decoded
                }
            } catch {
                warnings.append("budgetq: ignoring the cache \(manifestPath): it is damaged or not budgetq's (\(Self.reason(error))); rebuilding it")
            }
        }
        let tablePaths = Array(found.labels.prefix(1)) + Array(found.gazetteers.prefix(1))
        if let manifest {
            let previous = Dictionary(manifest.documents.map { ($0.key.path, $0) }, uniquingKeysWith: { a, _ in a })
            let previousLedgers = Dictionary(manifest.ledgers.map { ($0.key.path, $0) }, uniquingKeysWith: { a, _ in a })
            let previousTables = Dictionary(manifest.tables.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
            let tableKeys = tablePaths.map { Self.key($0, previous: previousTables[$0]) }
            let documentKeys = concurrentMap(found.documents.count) { Self.key(found.documents[$0], previous: previous[found.documents[$0]]?.key) }
            let ledgerKeys = concurrentMap(found.ledgers.count) { Self.key(found.ledgers[$0], previous: previousLedgers[found.ledgers[$0]]?.key) }
            if tableKeys.count == manifest.tables.count, zip(tableKeys, manifest.tables).allSatisfy({ $1.sameContents($0) }) {
                do {
                    if let outcome = try reuse(manifest, entry: entry, found: found, limits: limits, documentKeys: documentKeys,
                                               ledgerKeys: ledgerKeys, tableKeys: tableKeys.compactMap { $0 }) {
                        return Outcome(store: outcome.store, summary: outcome.summary, warnings: warnings + outcome.warnings)
                    }
                } catch {
                    warnings.append("budgetq: ignoring the cache in \(entry): \(Self.reason(error)); rebuilding it")
                }
            }
        }
        // Nothing usable: read everything, then keep it for next time. Keys are taken before
        // reading, so a file edited meanwhile is read again next time rather than trusted.
        let tableKeys = tablePaths.map { Self.key($0, previous: nil) }
        let documentKeys = concurrentMap(found.documents.count) { Self.key(found.documents[$0], previous: nil) }
        let ledgerKeys = concurrentMap(found.ledgers.count) { Self.key(found.ledgers[$0], previous: nil) }
        let tables = DocumentLoader.readTables(found, limits: limits)
        let read = PortfolioReader.read(found, tables: tables, limits: limits)
        let documentEntries = zip(documentKeys, read.documents).map { Self.documentEntry($0, $1) }
        let ledgerEntries = zip(ledgerKeys, read.ledgers).map { Self.ledgerEntry($0, $1) }
        if let warning = save(read.store, entry: entry, paths: paths, limits: limits, tables: tableKeys, tableDiagnostics: tables.diagnostics,
                              documents: documentEntries, ledgers: ledgerEntries, linked: read.linked) {
            warnings.append(warning)
        }
        return Outcome(store: read.store, summary: read.summary, warnings: warnings)
    }

    /// `start + count` for a manifest's row counts: a negative count or a sum past Int is a damaged
    /// manifest (an error that drops the cache entry), never a trap or a slice out of range.
    static func advance(_ start: Int, by count: Int) throws -> Int {
        let (end, overflow) = start.addingReportingOverflow(count)
        guard count >= 0, !overflow else { throw Snapshot.Failure(message: "its manifest has an impossible row count (\(count))") }
        return end
    }

    /// Uses the cached entry: opens its snapshot when nothing changed, else re-reads only what
    /// changed. Nil when no file can be reused (read everything instead); throws when the
    /// cache is damaged.
    private func reuse(_ manifest: Manifest, entry: String, found: DocumentLoader.Discovery, limits: LoadLimits,
                       documentKeys: [FileKey?], ledgerKeys: [FileKey?], tableKeys: [FileKey]) throws -> (store: Store, summary: LoadSummary, warnings: [String])? {
        let snapshotPath = entry + "/" + manifest.snapshot
        var info = stat()
        guard stat(snapshotPath, &info) == 0, UInt64(info.st_size) == manifest.snapshotSize else {
            throw Snapshot.Failure(message: "its snapshot \(manifest.snapshot) is missing or has the wrong size")
        }
        let cachedDocuments = Dictionary(manifest.documents.enumerated().map { ($1.key.path, $0) }, uniquingKeysWith: { a, _ in a })
        let cachedLedgers = Dictionary(manifest.ledgers.enumerated().map { ($1.key.path, $0) }, uniquingKeysWith: { a, _ in a })
        // Which cached entry each file is, if its contents are unchanged.
        let documentHits = documentKeys.map { key in
            key.flatMap { key in cachedDocuments[key.path].flatMap { manifest.documents[$0].key.sameContents(key) ? $0 : nil } }
        }
        let ledgerHits = ledgerKeys.map { key in
            key.flatMap { key in cachedLedgers[key.path].flatMap { manifest.ledgers[$0].key.sameContents(key) ? $0 : nil } }
        }
        let walk = found.diagnostics
        let unchanged = documentHits == Array(manifest.documents.indices).map { Optional($0) }
            && ledgerHits == Array(manifest.ledgers.indices).map { Optional($0) }
        if unchanged {
            // The folder is as it was: open the snapshot, tables decoded when first used.
            let store = try Snapshot.read(snapshotPath)
            // A file touched but not changed: note its new time, so its bytes are not hashed again next time.
            let keys = documentKeys.compactMap { $0 } + ledgerKeys.compactMap { $0 } + tableKeys
            if keys != manifest.documents.map(\.key) + manifest.ledgers.map(\.key) + manifest.tables {
                var updated = manifest
                for i in updated.documents.indices { if let key = documentKeys[i] { updated.documents[i].key = key } }
                for i in updated.ledgers.indices { if let key = ledgerKeys[i] { updated.ledgers[i].key = key } }
                updated.tables = tableKeys
                if let data = try? JSONEncoder().encode(updated) { try? AtomicFile.write(data, to: entry + "/" + Self.manifestName) }
            }
            let diagnostics = walk + manifest.tableDiagnostics + manifest.documents.flatMap(\.diagnostics) + manifest.ledgers.flatMap(\.diagnostics)
            let summary = LoadSummary(diagnostics: diagnostics, documentFiles: manifest.documents.count,
                                      projects: try manifest.documents.reduce(0) { try Self.advance($0, by: $1.summary.projects) },
                                      indicators: try manifest.documents.reduce(0) { try Self.advance($0, by: $1.indicators) },
                                      cachedSources: Set(store.sources.map(\.path)))
            var opened = summary
            opened.cacheEntry = entry
            return (store, opened, [])
        }
        guard documentHits.contains(where: { $0 != nil }) || ledgerHits.contains(where: { $0 != nil }) else { return nil }
        // Linked files are not spliced: read the folder whole.
        if manifest.linked == true { return nil }

        // Some files changed: keep the rows of the others, read the rest.
        let old = try Snapshot.read(snapshotPath)
        func table(_ name: String) throws -> Table {
            guard let table = try old.loadTable(named: name) else { throw Snapshot.Failure(message: "its snapshot lacks \(name)") }
            return table
        }
        let oldProjects = try table("projects"), oldIndicators = try table("indicators"), oldCoverage = try table("coverage")
        let oldPayments = try table("payments")
        // Where each cached file's rows start in the cached tables.
        var starts: [(projects: Int, indicators: Int, coverage: Int)] = []
        var at = (projects: 0, indicators: 0, coverage: 0)
        for document in manifest.documents {
            starts.append(at)
            at = (try Self.advance(at.projects, by: document.summary.projects), try Self.advance(at.indicators, by: document.indicators),
                  try Self.advance(at.coverage, by: document.coverage))
        }
        guard at.projects == oldProjects.rowCount, at.indicators == oldIndicators.rowCount, at.coverage == oldCoverage.rowCount else {
            throw Snapshot.Failure(message: "its manifest and snapshot disagree on row counts")
        }
        let tables = DocumentLoader.readTables(found, limits: limits)
        let toRead = found.documents.indices.filter { documentHits[$0] == nil }
        let parsed = DocumentLoader.parseDocuments(toRead.map { found.documents[$0] }, tables: tables, limits: limits)
        var fresh: [Int: DocumentLoader.DocumentOutcome] = [:]
        for (index, outcome) in zip(toRead, parsed) { fresh[index] = outcome }

        var projectParts: [Table] = [], indicatorParts: [Table] = [], coverageParts: [Table] = []
        var documentEntries: [DocumentEntry] = []
        var diagnostics = walk + tables.diagnostics
        var cachedSources = Set<String>()
        var projectCount = 0
        for (index, path) in found.documents.enumerated() {
            let offset = Int64(projectCount)
            if let hit = documentHits[index] {
                let cached = manifest.documents[hit], start = starts[hit]
                let shift = offset - Int64(start.projects)
                projectParts.append(oldProjects.slice(start.projects..<start.projects + cached.summary.projects).shifting("id", by: shift))
                indicatorParts.append(oldIndicators.slice(start.indicators..<start.indicators + cached.indicators).shifting("project_id", by: shift))
                coverageParts.append(oldCoverage.slice(start.coverage..<start.coverage + cached.coverage).shifting("project_id", by: shift))
                documentEntries.append(cached)
                diagnostics += cached.diagnostics
                cachedSources.insert(path)
                projectCount += cached.summary.projects
            } else if let outcome = fresh[index] {
                let built = StoreBuilder.documentTables(outcome.projects)
                projectParts.append(built[0].shifting("id", by: offset))
                indicatorParts.append(built[1].shifting("project_id", by: offset))
                coverageParts.append(built[2].shifting("project_id", by: offset))
                documentEntries.append(Self.documentEntry(documentKeys[index], outcome))
                diagnostics += outcome.diagnostics
                projectCount += outcome.projects.count
            }
        }
        let empty = StoreBuilder.documentTables([])
        if let problem = old.decodeProblem { throw Snapshot.Failure(message: problem) }
        guard let projects = Table.concatenated(projectParts.isEmpty ? [empty[0]] : projectParts),
              let indicators = Table.concatenated(indicatorParts.isEmpty ? [empty[1]] : indicatorParts),
              let coverage = Table.concatenated(coverageParts.isEmpty ? [empty[2]] : coverageParts) else {
            throw Snapshot.Failure(message: "its tables do not have this budgetq's columns")
        }

        // Ledgers: matched against all projects, so all are read again when a document changed.
        let documentsChanged = !toRead.isEmpty || documentHits.map { $0 ?? -1 } != Array(manifest.documents.indices)
        var ledgerStarts: [Int] = []
        var paymentAt = 0
        for ledger in manifest.ledgers {
            ledgerStarts.append(paymentAt)
            paymentAt = try Self.advance(paymentAt, by: ledger.summary.projects)
        }
        guard paymentAt == oldPayments.rowCount else { throw Snapshot.Failure(message: "its manifest and snapshot disagree on payments") }
        // Totals cross ledgers (over-budget warnings, sums past Int64 refused in load order), so a
        // ledger added, changed or removed reads every ledger again, never one spliced to the rest.
        let ledgersChanged = ledgerHits != Array(manifest.ledgers.indices).map { Optional($0) }
        let ledgersToRead = documentsChanged || ledgersChanged ? Array(found.ledgers.indices) : []
        let ledgerPaths = ledgersToRead.map { found.ledgers[$0] }
        // A new 自评表, 监控表 or actuals ledger links files: read the folder whole instead.
        if DocumentLoader.linksFiles(parsed, ledgerPaths: ledgerPaths, labels: tables.labels) { return nil }
        let matching = ledgersToRead.isEmpty ? [] : Self.matchingProjects(projects)
        let readLedgers = DocumentLoader.readLedgers(ledgerPaths, matching: matching, limits: limits, labels: tables.labels)
        var freshLedgers: [Int: DocumentLoader.LedgerOutcome] = [:]
        for (index, outcome) in zip(ledgersToRead, readLedgers) { freshLedgers[index] = outcome }
        var paymentParts: [Table] = []
        var ledgerEntries: [LedgerEntry] = []
        for (index, path) in found.ledgers.enumerated() {
            if let outcome = freshLedgers[index] {
                paymentParts.append(StoreBuilder.payments(outcome.payments))
                ledgerEntries.append(Self.ledgerEntry(ledgerKeys[index], outcome))
                diagnostics += outcome.diagnostics
            } else if let hit = ledgerHits[index] {
                let cached = manifest.ledgers[hit]
                paymentParts.append(oldPayments.slice(ledgerStarts[hit]..<ledgerStarts[hit] + cached.summary.projects))
                ledgerEntries.append(cached)
                diagnostics += cached.diagnostics
                cachedSources.insert(path)
            }
        }
        guard let payments = Table.concatenated(paymentParts.isEmpty ? [StoreBuilder.payments([])] : paymentParts) else {
            throw Snapshot.Failure(message: "its payments do not have this budgetq's columns")
        }
        if let problem = old.decodeProblem { throw Snapshot.Failure(message: problem) }
        let store = StoreBuilder.store(tables: [projects, indicators, coverage, StoreBuilder.regions(tables.gazetteer), payments,
                                                StoreBuilder.actuals([], projects: [])],
                                       sources: Self.sources(documentEntries, ledgerEntries))
        let summary = LoadSummary(diagnostics: diagnostics, documentFiles: documentEntries.count, projects: projectCount,
                                  indicators: documentEntries.reduce(0) { $0 + $1.indicators }, cachedSources: cachedSources)
        var warnings: [String] = []
        if let warning = save(store, entry: entry, paths: manifest.paths, limits: limits, tables: tableKeys.map { Optional($0) },
                              tableDiagnostics: tables.diagnostics, documents: documentEntries, ledgers: ledgerEntries) {
            warnings.append(warning)
        }
        return (store, summary, warnings)
    }

    /// The fields a ledger is matched by (name, year, department, unit, budget), read back from
    /// a `projects` table.
    static func matchingProjects(_ projects: Table) -> [LedgerProject] {
        func strings(_ name: String) -> [String?] {
            guard case .strings(let codes, let dictionary)? = projects.column(named: name)?.data else { return Array(repeating: nil, count: projects.rowCount) }
            return codes.map { $0 == nullCode ? nil : dictionary[Int($0)] }
        }
        func integers(_ name: String) -> [Int64?] {
            guard case .integers(let values, let nulls)? = projects.column(named: name)?.data else { return Array(repeating: nil, count: projects.rowCount) }
            return values.indices.map { nulls.isNull($0) ? nil : values[$0] }
        }
        let names = strings("name"), departments = strings("department"), units = strings("unit")
        let years = integers("year"), budgets = integers("budget")
        return (0..<projects.rowCount).map { row in
            LedgerProject(name: names[row] ?? "", year: Int(years[row] ?? 0), department: departments[row], unit: units[row], budgetFen: budgets[row])
        }
    }

    static func documentEntry(_ key: FileKey?, _ outcome: DocumentLoader.DocumentOutcome) -> DocumentEntry {
        documentEntry(key, PortfolioReader.DocumentFacts(outcome, keepingProjects: false))
    }

    static func documentEntry(_ key: FileKey?, _ facts: PortfolioReader.DocumentFacts) -> DocumentEntry {
        DocumentEntry(key: key ?? FileKey(path: facts.outcome.summary.path, size: 0, modified: Self.unkeyed, hash: 0), summary: facts.outcome.summary,
                      diagnostics: facts.outcome.diagnostics, years: facts.years, indicators: facts.indicators, coverage: facts.coverage)
    }

    static func ledgerEntry(_ key: FileKey?, _ outcome: DocumentLoader.LedgerOutcome) -> LedgerEntry {
        ledgerEntry(key, PortfolioReader.LedgerFacts(summary: outcome.summary, diagnostics: outcome.diagnostics, years: Set(outcome.payments.map(\.date.year)).sorted()))
    }

    static func ledgerEntry(_ key: FileKey?, _ facts: PortfolioReader.LedgerFacts) -> LedgerEntry {
        LedgerEntry(key: key ?? FileKey(path: facts.summary.path, size: 0, modified: Self.unkeyed, hash: 0), summary: facts.summary,
                    diagnostics: facts.diagnostics, years: facts.years)
    }

    /// The sources list, as `StoreBuilder.build` makes it.
    static func sources(_ documents: [DocumentEntry], _ ledgers: [LedgerEntry]) -> [Store.Source] {
        documents.map { Store.Source(path: $0.summary.path, kind: .documents, origin: $0.summary.origin, encoding: $0.summary.encoding?.rawValue ?? "unreadable",
                                     rows: $0.summary.projects, years: $0.years) }
            + ledgers.map { Store.Source(path: $0.summary.path, kind: .payments, origin: $0.summary.origin, encoding: $0.summary.encoding?.rawValue ?? "unreadable",
                                         rows: $0.summary.projects, years: $0.years) }
    }

    static func limitKey(_ limits: LoadLimits) -> [Int] {
        [limits.maxLineBytes, limits.office.maxPartBytes, limits.office.maxTotalBytes, limits.office.maxEntries, limits.office.maxCells]
    }

    static func reason(_ error: Error) -> String {
        if let failure = error as? Snapshot.Failure { return failure.message }
        if error is DecodingError { return "unreadable manifest" }
        return "\(error)"
    }

    /// Writes the snapshot under a new name, then the manifest naming it; returns a warning when
    /// the cache cannot be written (the answers are unaffected).
    private func save(_ store: Store, entry: String, paths: [String], limits: LoadLimits, tables: [FileKey?], tableDiagnostics: [Diagnostic],
                      documents: [DocumentEntry], ledgers: [LedgerEntry], linked: Bool = false) -> String? {
        // A file that vanished while being read has no key: do not cache a load that cannot be checked.
        guard !tables.contains(nil), !documents.contains(where: { $0.key.modified == Self.unkeyed }),
              !ledgers.contains(where: { $0.key.modified == Self.unkeyed }) else { return nil }
        do {
            try FileManager.default.createDirectory(atPath: entry, withIntermediateDirectories: true)
            let name = "store-\(UUID().uuidString).snapshot"
            let snapshotPath = entry + "/" + name
            try Snapshot.write(store, to: snapshotPath, createdBy: "budgetq \(Workspace.version) cache")
            var info = stat()
            guard stat(snapshotPath, &info) == 0 else { return nil }
            let manifest = Manifest(format: Manifest.currentFormat, build: Self.build, paths: paths, limits: Self.limitKey(limits),
                                    snapshot: name, snapshotSize: UInt64(info.st_size), tables: tables.compactMap { $0 },
                                    tableDiagnostics: tableDiagnostics, documents: documents, ledgers: ledgers, linked: linked ? true : nil)
            try AtomicFile.write(try JSONEncoder().encode(manifest), to: entry + "/" + Self.manifestName)
            removeStale(in: entry, keeping: name)
            return nil
        } catch {
            return "budgetq: cannot write the cache in \(entry): \(error); answers are unaffected"
        }
    }

    /// Forgets an entry whose snapshot turned out damaged when a query read it, so that the next
    /// run reads the documents and writes it again.
    public static func discard(entry: String) {
        unlink(entry + "/" + manifestName)
    }

    /// Removes snapshots (and temporary files) the manifest no longer names, once they are old
    /// enough that no other process can still be about to open them.
    private func removeStale(in entry: String, keeping current: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: entry) else { return }
        let now = Date()
        for name in names where name != current && name != Self.manifestName && (name.hasPrefix("store-") || name.hasPrefix(".")) {
            let path = entry + "/" + name
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) > 60 else { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
