// budgetq-bench: times budgetq's own queries in one process, for bench/run.py.
//
// Usage: budgetq-bench (--data DIR | --snapshot FILE) --queries FILE --repeat N --warmup W --results DIR
// The queries file holds one query per block, blocks separated by a line `---`; the first line of
// a block is its name (`# Q1 …`). Prints one JSON object with the load time and each query's
// median, min and max milliseconds; writes each result as RFC 4180 CSV into --results.
import BudgetCore
import BudgetQuery
import BudgetRender
import BudgetApp
import BudgetStore
import Foundation

func argument(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("budgetq-bench: \(message)\n".utf8))
    exit(2)
}

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

let repeatCount = Int(argument("--repeat") ?? "5") ?? 5
let warmup = Int(argument("--warmup") ?? "1") ?? 1
guard let queriesPath = argument("--queries"), let queryText = try? String(contentsOfFile: queriesPath, encoding: .utf8) else {
    fail("--queries FILE is required")
}
let resultsDirectory = argument("--results")

let loadStart = now()
let workspace: Workspace
if let snapshot = argument("--snapshot") {
    do { workspace = try Workspace(snapshot: snapshot) } catch { fail("\(error)") }
} else if let data = argument("--data") {
    AllocatorTuning.returnLargeBlocks()
    workspace = Workspace(paths: [data])
    if let save = argument("--save") {
        do { try workspace.save(save) } catch { fail("\(error)") }
    }
} else {
    fail("--data DIR or --snapshot FILE is required")
}
let loadMilliseconds = Double(now() - loadStart) / 1e6
// The same allocator settings as budgetq after loading, so that the bench measures what a user runs.
AllocatorTuning.keepLargeBlocks()

var reports: [String] = []
for block in queryText.components(separatedBy: "\n---\n") where !block.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
    let lines = block.split(separator: "\n", omittingEmptySubsequences: false)
    let name = lines.first.map { String($0.drop { $0 == "#" || $0 == " " }) } ?? "query"
    let statements: [ParsedStatement]
    do { statements = try QuerySession.parse(block) } catch { fail("\(name): \(error.rendered(source: block))") }
    var timings: [Double] = []
    var last: QueryResult?
    for round in 0..<(warmup + repeatCount) {
        let start = now()
        for statement in statements {
            do {
                if case .result(let result) = try workspace.session.execute(statement) { last = result }
            } catch {
                fail("\(name): \(error.rendered(source: block))")
            }
        }
        let elapsed = Double(now() - start) / 1e6
        if round >= warmup { timings.append(elapsed) }
    }
    timings.sort()
    let median = timings.count % 2 == 1 ? timings[timings.count / 2] : (timings[timings.count / 2 - 1] + timings[timings.count / 2]) / 2
    if let resultsDirectory, let last {
        let id = name.split(separator: " ").first.map(String.init) ?? name
        try? AtomicFile.write(DelimitedWriter.csv(last.table), to: resultsDirectory + "/" + id + ".csv")
    }
    reports.append("{\"name\": \"\(name)\", \"median_ms\": \(median), \"min_ms\": \(timings.first ?? 0), \"max_ms\": \(timings.last ?? 0), \"rows\": \(last?.table.rowCount ?? 0)}")
}
print("{\"load_ms\": \(loadMilliseconds), \"queries\": [\n  " + reports.joined(separator: ",\n  ") + "\n]}")
