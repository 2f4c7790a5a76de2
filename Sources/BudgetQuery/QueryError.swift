import BudgetCore

/// A query that cannot run: where (line, column, length) and why, with a hint when one helps.
public struct QueryError: Error, Sendable, Equatable {
    public var span: SourceSpan
    public var message: String
    public var hint: String?
    /// True when Ctrl-C stopped the statement: shown as the one line "interrupted".
    public var isInterruption = false

    public init(_ message: String, at span: SourceSpan, hint: String? = nil) {
        self.message = message
        self.span = span
        self.hint = hint
    }

    /// Ctrl-C stopped the statement at `span`.
    public static func interrupted(at span: SourceSpan) -> QueryError {
        var error = QueryError("interrupted", at: span)
        error.isInterruption = true
        return error
    }
}

/// Names within a small edit distance of `name`, best first (for "did you mean" hints).
func suggestions(for name: String, among candidates: [String]) -> [String] {
    let target = Array(name.lowercased())
    let scored = candidates.map { candidate -> (String, Int) in
        (candidate, editDistance(target, Array(candidate.lowercased())))
    }
    let limit = max(1, min(3, target.count / 3 + 1))
    return scored.filter { $0.1 <= limit && $0.1 < max(target.count, 2) }.sorted { $0.1 < $1.1 }.map(\.0)
}

func didYouMean(_ name: String, among candidates: [String]) -> String? {
    guard let best = suggestions(for: name, among: candidates).first else { return nil }
    return "did you mean `\(best)`?"
}
