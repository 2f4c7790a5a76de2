import BudgetDocuments
import BudgetQuery
import BudgetRender
import BudgetStore
import Foundation

/// The bundled datasets as a store, and helpers to run queries and read results as CSV rows.
enum Fixture {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The published 2024 tables alone: exact answers that the synthetic demo years would change.
    static let store: Store = StoreBuilder.build(from: DocumentLoader.load(paths: [root + "/datasets/2024-dongguan-economic-cooperation-office.txt", root + "/datasets/regions.tsv"]))

    /// Runs `text` in a fresh session; returns the last result's rows as CSV lines (header first).
    static func csvRows(_ text: String, parameters: [String: String] = [:]) throws -> [String] {
        let session = QuerySession(store: store)
        for (k, v) in parameters { session.setParameter(k, text: v) }
        guard case .result(let result)? = try session.run(text).last else { return [] }
        return DelimitedWriter.csv(result.table).split(separator: "\r\n").map(String.init)
    }

    static func result(_ text: String) throws -> QueryResult? {
        guard case .result(let result)? = try QuerySession(store: store).run(text).last else { return nil }
        return result
    }

    /// The error a query raises, rendered as the user sees it.
    static func error(_ text: String) -> String? {
        do {
            _ = try QuerySession(store: store).run(text)
            return nil
        } catch {
            return error.rendered(source: text)
        }
    }
}
