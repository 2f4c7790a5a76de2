import BudgetApp
import BudgetRender
import Foundation
import Testing

/// Runs every case of `Tests/queries/*.test` in-process (format: Tests/queries/README.md).
///
/// A case that differs is reported at its file and line with the expected and actual text.
/// `BUDGETQ_UPDATE_TESTS=1 swift test --filter QueryCorpus` rewrites the expected text instead.
struct QueryCorpusTests {
    static let folder = Fixture.root + "/Tests/queries"

    /// Named data the cases run over (`fixture NAME`), relative to the repository root.
    static let fixtures: [String: [String]] = [
        "seed": ["datasets/2024-dongguan-economic-cooperation-office.txt", "datasets/regions.tsv"],
        "datasets": ["datasets"],
        "portfolio": ["Tests/fixtures/portfolio-2024.txt"],
        "evaluation": ["Tests/fixtures/evaluation"],
        "realziping": ["Tests/fixtures/real-documents/13-suixi-minzheng-2019-ziping-partial.txt", "Tests/fixtures/real-documents/01-qingshen-fgj-2023-ziping.txt"],
    ]

    @Test func corpus() throws {
        let update = ProcessInfo.processInfo.environment["BUDGETQ_UPDATE_TESTS"] == "1"
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder).filter { $0.hasSuffix(".test") }.sorted()
        var total = 0
        for name in names {
            let path = Self.folder + "/" + name
            let text = try String(contentsOfFile: path, encoding: .utf8)
            var file = try CorpusFile(parsing: text, path: "Tests/queries/" + name)
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-corpus-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let runner = CorpusRunner(root: Fixture.root, scratch: scratch, fixtures: Self.fixtures)
            for index in file.cases.indices {
                let testCase = file.cases[index]
                let actual = runner.run(testCase)
                total += 1
                if update {
                    file.cases[index].expected = actual
                } else if actual != testCase.expected {
                    Issue.record(Comment(rawValue: CorpusFile.difference(testCase, actual: actual, path: file.path)),
                                 sourceLocation: SourceLocation(fileID: "BudgetQueryTests/\(name)", filePath: path, line: testCase.line, column: 1))
                }
            }
            if update { try file.rendered().write(toFile: path, atomically: true, encoding: .utf8) }
        }
        // The corpus is the language's specification: it must not shrink by accident.
        #expect(total >= 150, "only \(total) cases in Tests/queries")
    }

    /// A wrong expected line fails, naming the file and line of its case.
    @Test func aWrongExpectationFailsAtItsLine() throws {
        let text = "fixture seed\n\nquery csv\nprojects | count\n----\ncount\n8\n"
        let file = try CorpusFile(parsing: text, path: "probe.test")
        let runner = CorpusRunner(root: Fixture.root, scratch: NSTemporaryDirectory(), fixtures: Self.fixtures)
        let testCase = try #require(file.cases.first)
        let actual = runner.run(testCase)
        #expect(actual == ["count", "9"])
        #expect(actual != testCase.expected)
        #expect(CorpusFile.difference(testCase, actual: actual, path: file.path).hasPrefix("probe.test:3: query differs at expected line 7"))
    }
}

/// One case: a `query` (statements and dot commands; checks standard output) or an `error`
/// (checks standard error), with the fixture it runs over.
struct CorpusCase {
    enum Kind: String { case query, error, file }
    var kind: Kind
    /// `query csv`, `query table` …: the output format for this case only.
    var argument: String?
    var fixture: String
    /// A new session starts here (the first case after a `fixture` line).
    var startsSession: Bool
    var text: [String]
    var expected: [String]
    /// 1-based line of the case's header.
    var line: Int
    /// Line of the `----` separator: expected line k is at `separatorLine + k`.
    var separatorLine: Int
}

/// A `.test` file: comments and `fixture` lines, then cases separated by blank lines.
struct CorpusFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var path: String
    /// The file's lines outside the cases, kept for rewriting: (line before which they sit, text).
    private var prelude: [[String]] = []
    var cases: [CorpusCase] = []
    private var trailing: [String] = []

    init(parsing text: String, path: String) throws {
        self.path = path
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        var fixture = "seed"
        var newSession = true
        var between: [String] = []
        while index < lines.count {
            let line = lines[index]
            let words = line.split(separator: " ").map(String.init)
            if let head = words.first, let kind = CorpusCase.Kind(rawValue: head) {
                let header = index + 1
                index += 1
                var body: [String] = []
                while index < lines.count, lines[index] != "----" {
                    body.append(lines[index])
                    index += 1
                }
                guard index < lines.count else { throw Failure(description: "\(path):\(header): no ---- line after the case") }
                let separator = index + 1
                index += 1
                var expected: [String] = []
                while index < lines.count, !lines[index].isEmpty {
                    expected.append(lines[index] == "<blank>" ? "" : lines[index])
                    index += 1
                }
                prelude.append(between)
                between = []
                cases.append(CorpusCase(kind: kind, argument: words.count > 1 ? words[1] : nil, fixture: fixture, startsSession: newSession,
                                        text: body, expected: expected, line: header, separatorLine: separator))
                newSession = false
                continue
            }
            if head(line) == "fixture" {
                guard words.count == 2 else { throw Failure(description: "\(path):\(index + 1): fixture takes one name") }
                fixture = words[1]
                newSession = true
            }
            between.append(line)
            index += 1
        }
        trailing = between
    }

    private func head(_ line: String) -> String { String(line.split(separator: " ").first ?? "") }

    /// The file again, with each case's expected text as it now stands (the rest unchanged).
    func rendered() -> String {
        var out: [String] = []
        for (i, c) in cases.enumerated() {
            out += prelude[i]
            out.append(c.kind.rawValue + (c.argument.map { " " + $0 } ?? ""))
            out += c.text
            out.append("----")
            out += c.expected.map { $0.isEmpty ? "<blank>" : $0 }
        }
        out += trailing
        return out.joined(separator: "\n")
    }

    /// `FILE:LINE: query differs at expected line N` with both texts.
    static func difference(_ c: CorpusCase, actual: [String], path: String) -> String {
        let firstDifference = zip(c.expected, actual).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(c.expected.count, actual.count)
        return "\(path):\(c.line): \(c.kind.rawValue) differs at expected line \(c.separatorLine + firstDifference + 1)\n"
            + "case:\n" + c.text.map { "  " + $0 }.joined(separator: "\n") + "\n"
            + "expected:\n" + c.expected.map { "  " + $0 }.joined(separator: "\n") + "\n"
            + "actual:\n" + actual.map { "  " + $0 }.joined(separator: "\n")
    }
}

/// Runs cases through the same Workspace that `-c`, scripts and the REPL use, capturing output.
final class CorpusRunner {
    let root: String
    let scratch: String
    let fixtures: [String: [String]]
    private var workspace: Workspace?
    private var output = ""
    private var errors = ""

    init(root: String, scratch: String, fixtures: [String: [String]]) {
        self.root = root
        self.scratch = scratch
        self.fixtures = fixtures
    }

    /// The case's output lines, with the repository and scratch folders written `{root}` and `{tmp}`
    /// and timings as `{time}`, so that the text is the same on every machine.
    func run(_ c: CorpusCase) -> [String] {
        if c.startsSession || workspace == nil {
            let paths = (fixtures[c.fixture] ?? []).map { root + "/" + $0 }
            let ws = Workspace(paths: paths)
            ws.standardOutput = { [unowned self] in self.output += $0 }
            ws.standardError = { [unowned self] in self.errors += $0 }
            workspace = ws
        }
        guard let workspace else { return ["(no workspace)"] }
        output = ""
        errors = ""
        let text = c.text.joined(separator: "\n").replacingOccurrences(of: "{root}", with: root).replacingOccurrences(of: "{tmp}", with: scratch)
        switch c.kind {
        case .query, .error:
            let previous = workspace.renderer.format
            if let argument = c.argument, let format = OutputFormat(rawValue: argument) { workspace.renderer.format = format }
            let failures = workspace.runScript(text, file: "query", stopAtFirstError: false)
            workspace.renderer.format = previous
            if c.kind == .query {
                return normalized(output) + (failures.isEmpty && errors.isEmpty ? [] : ["(stderr)"] + normalized(errors))
            }
            return failures.isEmpty ? ["(no error)"] + normalized(output) : normalized(errors)
        case .file:
            let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let data = FileManager.default.contents(atPath: path) else { return ["(no file)"] }
            return normalized(String(decoding: data, as: UTF8.self))
        }
    }

    private func normalized(_ text: String) -> [String] {
        var t = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: scratch, with: "{tmp}").replacingOccurrences(of: root, with: "{root}")
        t = t.replacingOccurrences(of: #"[0-9]+\.[0-9]+ s\b"#, with: "{time} s", options: .regularExpression)
        while t.hasSuffix("\n") { t.removeLast() }
        return t.isEmpty ? [] : t.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
