import Foundation
import Testing

/// Every file of Tests/fixtures/bad-input gives exactly the output in its `.expected` file (for
/// `.bq` scripts: standard error; their standard output is in `.stdout`).
@Suite(.serialized) struct BadInputCorpusTests {
    static let folder = "Tests/fixtures/bad-input"

    static var inputs: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: BudgetqProcess.root + "/" + folder)) ?? []
        return names.filter { !$0.hasSuffix(".expected") && !$0.hasSuffix(".stdout") }.sorted()
    }

    @Test func corpusIsComplete() {
        #expect(Self.inputs.count >= 18)
        for name in Self.inputs {
            let expected = BudgetqProcess.root + "/" + Self.folder + "/" + (name as NSString).deletingPathExtension + ".expected"
            #expect(FileManager.default.fileExists(atPath: expected), "\(name) has no .expected file")
        }
    }

    @Test(arguments: inputs)
    func givesTheExpectedDiagnostics(_ name: String) throws {
        let path = Self.folder + "/" + name
        let result: BudgetqProcess.Result
        switch (name as NSString).pathExtension {
        case "bq":
            let script = try String(contentsOfFile: BudgetqProcess.root + "/" + path, encoding: .utf8)
            result = try BudgetqProcess.run(["--data", "Tests/fixtures/portfolio-2024.txt"], stdin: script)
            #expect(result.status == 1)
        case "csv":
            result = try BudgetqProcess.run(["check", "Tests/fixtures/portfolio-2024.txt", path])
        default:
            result = try BudgetqProcess.run(["check", path])
        }
        let expected = try String(contentsOfFile: BudgetqProcess.root + "/" + Self.folder + "/" + (name as NSString).deletingPathExtension + ".expected", encoding: .utf8)
        // Scripts: what goes to standard error; documents and ledgers: `check`'s report.
        let actual = name.hasSuffix(".bq") ? result.stderr : result.stdout + result.stderr
        #expect(actual == expected)
        if name.hasSuffix(".bq") {
            // What the statements that do run print must be there too (and nothing for those that fail).
            let stdout = BudgetqProcess.root + "/" + Self.folder + "/" + (name as NSString).deletingPathExtension + ".stdout"
            #expect(FileManager.default.fileExists(atPath: stdout), "\(name) has no .stdout file")
            #expect(result.stdout == (try? String(contentsOfFile: stdout, encoding: .utf8)))
        }
        if !name.hasSuffix(".bq") {
            #expect(result.status == (expected.contains(": error: ") ? 1 : 0))
        }
    }
}
