import BudgetStore
import Foundation
import Testing
@testable import BudgetQuery

/// Error messages and answers live in Tests/queries/*.test; this file keeps what text cannot say.
struct MangledQueryTests {
    /// A small deterministic generator (SplitMix64): the same seed gives the same queries.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Mangled queries must run or fail with a QueryError whose position lies inside the text;
    /// never trap. BUDGETQ_RANDOM_SEED=N replays a run; each input is written to a file first,
    /// so that a crash leaves the input that caused it behind.
    @Test func mangledQueriesFailCleanly() throws {
        let seed = ProcessInfo.processInfo.environment["BUDGETQ_RANDOM_SEED"].flatMap { UInt64($0) } ?? 20_240_601
        let lastInput = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-mangled-input.txt")
        print("mangled queries: seed \(seed) (BUDGETQ_RANDOM_SEED); a crash leaves its input in \(lastInput.path)")
        let seeds = [
            "projects | where year == 2024 and budget >= 1.5亿 | summarize total = sum(budget), n = count() by type | sort by total desc",
            "indicators | where level2 == \"成本指标\" or value in (90, 100) | pivot kind of count() by level1",
            "let b = projects | summarize sum(budget)\nprojects | derive r = budget / b, s = running_sum(budget) | top 3 by r",
            "projects | explode regions as r | compare year 2023 vs 2024 of avg(budget) by r | join projects on r == name",
        ]
        var generator = SeededGenerator(state: seed)
        let alphabet = Array("|()\"=<>!,.;$#`-+*/ 0123456789亿万年铜仁 wheresumbyofvsastop\n")
        var failures = 0
        for round in 0..<600 {
            var chars = Array(seeds.randomElement(using: &generator) ?? "")
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !chars.isEmpty {
                let i = Int.random(in: 0..<chars.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: chars.remove(at: i)
                case 1: chars.insert(alphabet.randomElement(using: &generator) ?? " ", at: i)
                default: chars[i] = alphabet.randomElement(using: &generator) ?? " "
                }
            }
            let text = String(chars)
            try? text.write(to: lastInput, atomically: false, encoding: .utf8)
            do {
                _ = try QuerySession(store: Fixture.store).run(text)
            } catch {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                let inside = error.span.line >= 1 && error.span.line <= lines.count
                    && error.span.column >= 1 && error.span.column <= lines[error.span.line - 1].count + 1
                if !inside || error.message.isEmpty {
                    failures += 1
                    Issue.record("seed \(seed), round \(round): the error `\(error.message)` at \(error.span.line):\(error.span.column) is not in the text:\n\(text)")
                }
            }
            if failures >= 5 { break }
        }
    }
}
