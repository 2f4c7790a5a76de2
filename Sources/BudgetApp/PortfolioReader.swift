import BudgetCore
import BudgetDocuments
import BudgetStore

/// Reads a folder's documents and ledgers into a store.
///
/// Files are parsed in parallel, and each document's records become that file's own tables as
/// soon as it is parsed; the records are then let go. Loading so holds the tables and the files
/// being parsed, never every record of the portfolio at once: at 100k projects the records took
/// several times the memory of the store they became (issue 13, BENCHMARKS.md). The files'
/// tables are joined with ids renumbered (as the data cache joins cached and re-read files), and
/// the ledgers are matched against the joined `projects` table.
///
/// Files that link (a 自评表 or 监控表 evaluating another file's project, an actuals ledger, an
/// Excel ledger) need the whole portfolio's records: then the folder is put together whole, as
/// `DocumentLoader.assembleWithLedgers` does, re-reading the files whose records were let go.
enum PortfolioReader {
    /// What one document file gave, besides its rows.
    struct DocumentFacts: Sendable {
        /// The outcome with its projects let go (kept only when the folder is put together whole).
        var outcome: DocumentLoader.DocumentOutcome
        var years: [Int]
        var indicators: Int
        var coverage: Int

        init(_ outcome: DocumentLoader.DocumentOutcome, keepingProjects: Bool) {
            years = Set(outcome.projects.map(\.year)).sorted()
            indicators = outcome.projects.reduce(0) { $0 + $1.indicators.count }
            coverage = outcome.projects.reduce(0) { $0 + $1.coverage.count }
            self.outcome = outcome
            if !keepingProjects { self.outcome.projects = [] }
        }
    }

    /// What one ledger gave, besides its rows.
    struct LedgerFacts: Sendable {
        var summary: LoadedDocuments.FileSummary
        var diagnostics: [Diagnostic]
        var years: [Int]
    }

    /// A folder read.
    struct Read {
        var store: Store
        var summary: LoadSummary
        /// Per document file, in the order found (an Excel ledger included).
        var documents: [DocumentFacts]
        /// Per CSV ledger, in the order found.
        var ledgers: [LedgerFacts]
        /// True when files link and the folder was put together whole.
        var linked: Bool
    }

    /// Reads every file `found` names.
    static func read(_ found: DocumentLoader.Discovery, tables: DocumentLoader.ReadingTables, limits: LoadLimits) -> Read {
        // An actuals ledger links files whatever the documents say: keep every record from the start.
        let ledgersLink = DocumentLoader.ledgersLink(found.ledgers, labels: tables.labels)
        var phases = LoadPhases()
        struct Part: Sendable {
            var facts: DocumentFacts
            /// `projects`, `indicators` and `coverage` of this file alone (ids from 1); nil when it links.
            var tables: [Table]?
        }
        var parts = concurrentMap(found.documents.count) { index -> Part in
            let outcome = DocumentLoader.parseDocument(found.documents[index], tables: tables, limits: limits)
            if ledgersLink || DocumentLoader.documentLinks(outcome) {
                return Part(facts: DocumentFacts(outcome, keepingProjects: true), tables: nil)
            }
            let built = StoreBuilder.documentTables(outcome.projects)
            return Part(facts: DocumentFacts(outcome, keepingProjects: false), tables: built)
        }
        phases.mark("parse documents")
        if parts.contains(where: { $0.tables == nil }) {
            // Records of every file are needed: read again the files whose records were let go.
            let kept = parts.map { $0.tables == nil ? $0.facts.outcome : nil }
            parts = []
            let documents = concurrentMap(kept.count) { index -> DocumentLoader.DocumentOutcome in
                kept[index] ?? DocumentLoader.parseDocument(found.documents[index], tables: tables, limits: limits)
            }
            return readWhole(found, tables: tables, documents: documents, limits: limits)
        }

        var projectParts: [Table] = [], indicatorParts: [Table] = [], coverageParts: [Table] = []
        var documents: [DocumentFacts] = []
        var offset: Int64 = 0
        for index in parts.indices {
            // Taken out of `parts`, so the joined tables below hold each file's columns alone.
            guard let built = parts[index].tables else { continue }
            parts[index].tables = nil
            projectParts.append(built[0].shifting("id", by: offset))
            indicatorParts.append(built[1].shifting("project_id", by: offset))
            coverageParts.append(built[2].shifting("project_id", by: offset))
            offset += Int64(built[0].rowCount)
            documents.append(parts[index].facts)
        }
        parts = []
        let empty = StoreBuilder.documentTables([])
        if projectParts.isEmpty { projectParts = [empty[0]]; indicatorParts = [empty[1]]; coverageParts = [empty[2]] }
        // The parts come from one build of this budgetq, so their columns always agree.
        let projects = Table.concatenated(consuming: consume projectParts) ?? empty[0]
        let indicators = Table.concatenated(consuming: consume indicatorParts) ?? empty[1]
        let coverage = Table.concatenated(consuming: consume coverageParts) ?? empty[2]
        phases.mark("join files' tables")

        // Ledgers are matched against the whole portfolio, by what the projects table keeps of it.
        let matching = found.ledgers.isEmpty ? [] : DataCache.matchingProjects(projects)
        // Each ledger's payments become its own rows on the thread that read it, and are let go
        // (at 1M projects 7 million payments are ~800 MB as records).
        let read = DocumentLoader.readLedgers(found.ledgers, matching: matching, limits: limits, labels: tables.labels) { payments in
            (table: StoreBuilder.payments(payments), years: Set(payments.map(\.date.year)).sorted())
        }
        phases.mark("read ledgers")
        let ledgers = read.map { LedgerFacts(summary: $0.outcome.summary, diagnostics: $0.outcome.diagnostics, years: $0.rows.years) }
        var paymentParts = read.map { ledger in
            // A payment whose running total would pass Int64 is left out (and reported).
            ledger.dropped.isEmpty ? ledger.rows.table : ledger.rows.table.removingRows(ledger.dropped)
        }
        if paymentParts.isEmpty { paymentParts = [StoreBuilder.payments([])] }
        let payments = Table.concatenated(consuming: consume paymentParts) ?? StoreBuilder.payments([])
        phases.mark("join ledgers' tables")
        let sources = documents.map { facts in
            Store.Source(path: facts.outcome.summary.path, kind: .documents, origin: facts.outcome.summary.origin,
                         encoding: facts.outcome.summary.encoding?.rawValue ?? "unreadable", rows: facts.outcome.summary.projects, years: facts.years)
        } + ledgers.map { facts in
            Store.Source(path: facts.summary.path, kind: .payments, origin: facts.summary.origin,
                         encoding: facts.summary.encoding?.rawValue ?? "unreadable", rows: facts.summary.projects, years: facts.years)
        }
        let store = StoreBuilder.store(tables: [projects, indicators, coverage, StoreBuilder.regions(tables.gazetteer), payments,
                                                StoreBuilder.actuals([], projects: [])],
                                       sources: sources)
        let summary = LoadSummary(diagnostics: found.diagnostics + tables.diagnostics + documents.flatMap(\.outcome.diagnostics) + ledgers.flatMap(\.diagnostics),
                                  documentFiles: documents.count, projects: projects.rowCount, indicators: indicators.rowCount, cachedSources: [])
        return Read(store: store, summary: summary, documents: documents, ledgers: ledgers, linked: false)
    }

    /// The folder put together whole: reports attached to the projects they evaluate, every
    /// ledger matched against the whole portfolio.
    private static func readWhole(_ found: DocumentLoader.Discovery, tables: DocumentLoader.ReadingTables,
                                  documents: [DocumentLoader.DocumentOutcome], limits: LoadLimits) -> Read {
        let (loaded, linkedLedgers) = DocumentLoader.assembleWithLedgers(found, tables: tables, documents: documents, limits: limits)
        let store = StoreBuilder.build(from: loaded)
        var indicatorsBySource: [String: Int] = [:]
        for project in loaded.projects { indicatorsBySource[project.source, default: 0] += project.indicators.count }
        // An Excel ledger stays a document (so an unchanged folder is recognised) that keeps its
        // ledger's problems; the CSV ledgers come first in `linkedLedgers`.
        let summaries = Dictionary(loaded.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let sheetOutcomes = Dictionary(linkedLedgers.dropFirst(found.ledgers.count).map { ($0.summary.path, $0) }, uniquingKeysWith: { a, _ in a })
        let facts = documents.map { document -> DocumentFacts in
            var facts = DocumentFacts(document, keepingProjects: false)
            facts.outcome.summary = summaries[document.summary.path] ?? document.summary
            facts.indicators = indicatorsBySource[document.summary.path] ?? 0
            if document.ledger != nil, let outcome = sheetOutcomes[document.summary.path] { facts.outcome.diagnostics = outcome.diagnostics }
            return facts
        }
        let ledgers = linkedLedgers.prefix(found.ledgers.count).map {
            LedgerFacts(summary: $0.summary, diagnostics: $0.diagnostics, years: Set($0.payments.map(\.date.year)).sorted())
        }
        return Read(store: store, summary: LoadSummary(loaded), documents: facts, ledgers: Array(ledgers), linked: true)
    }
}
