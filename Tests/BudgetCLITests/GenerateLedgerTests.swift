import Foundation
import Testing

/// `budgetq generate` is deterministic and labelled; ledgers with errors are rejected line by line.
@Suite(.serialized) struct GenerateLedgerTests {
    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("budgetq-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func contents(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            out[name] = try Data(contentsOf: dir.appendingPathComponent(name))
        }
        return out
    }

    @Test func sameSeedGivesByteIdenticalFiles() throws {
        let a = try Self.temporaryDirectory("gen-a"), b = try Self.temporaryDirectory("gen-b"), c = try Self.temporaryDirectory("gen-c")
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(at: d) } }
        for (dir, seed) in [(a, "7"), (b, "7"), (c, "8")] {
            let r = try BudgetqProcess.run(["generate", "--projects", "300", "--years", "2021-2025", "--seed", seed, "--out", dir.path])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let first = try Self.contents(a), second = try Self.contents(b), other = try Self.contents(c)
        #expect(!first.isEmpty)
        #expect(first == second)
        #expect(first != other)
        for (name, data) in first {
            let firstLine = String(decoding: data.prefix(120), as: UTF8.self).split(separator: "\n").first ?? ""
            #expect(firstLine.hasPrefix("# synthetic"), "\(name) does not say it is synthetic")
        }
        // The generated files go through the real loader: no errors, all rows synthetic.
        let check = try BudgetqProcess.run(["check", a.path])
        #expect(check.status == 0, "\(check.stdout)")
        #expect(check.stdout.contains("projects: 300"))
        #expect(check.stdout.contains("(0 published, "))
        let origins = try BudgetqProcess.run(["-c", "projects | summarize n = count() by origin", "--format", "csv", "--data", a.path])
        #expect(origins.stdout == "origin,n\r\nsynthetic,300\r\n")
        let paid = try BudgetqProcess.run(["-c", "payments | count", "--format", "csv", "--data", a.path])
        #expect(paid.status == 0)
        #expect((Int(paid.stdout.split(separator: "\r\n").last ?? "") ?? 0) > 300)
    }

    @Test func demoYearsAreReproducible() throws {
        let dir = try Self.temporaryDirectory("demo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try BudgetqProcess.run(["generate", "--demo", "--out", dir.path])
        #expect(r.status == 0)
        // Every demo file the bundled folder holds must be written, not only those that were.
        let expected = ["2021-demo-synthetic.txt", "2022-demo-synthetic.txt", "2023-demo-synthetic.txt", "2023-ziping-demo-synthetic.txt",
                        "2025-demo-synthetic.txt", "actuals-2023.csv", "payments-2021.csv", "payments-2022.csv", "payments-2023.csv", "payments-2024.csv", "payments-2025.csv"]
        let written = try Self.contents(dir).keys.sorted()
        #expect(written == expected)
        #expect(r.stdout.contains("wrote \(expected.count) synthetic files"))
        for (name, data) in try Self.contents(dir) {
            let bundled = try Data(contentsOf: URL(fileURLWithPath: BudgetqProcess.root + "/datasets/" + name))
            #expect(data == bundled, "datasets/\(name) differs from `budgetq generate --demo`")
        }
    }

    @Test func ledgerErrorsAreReportedLineByLine() throws {
        let dir = try Self.temporaryDirectory("ledger")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: BudgetqProcess.root + "/datasets/2024-dongguan-economic-cooperation-office.txt",
                                         toPath: dir.appendingPathComponent("2024.txt").path)
        // Two departments share one generic name in 2024: payments must name the department.
        let other = try String(contentsOfFile: BudgetqProcess.root + "/datasets/2024-dongguan-economic-cooperation-office.txt", encoding: .utf8)
        let fragment = other.components(separatedBy: "项目绩效目标表")[4]
            .replacingOccurrences(of: "东莞市人民政府经济协作办公室", with: "东莞市教育局")
        try ("项目绩效目标表" + fragment).write(to: dir.appendingPathComponent("education.txt"), atomically: true, encoding: .utf8)
        let ledger = """
        date,department,project,amount,note
        2024-03-01,,对口支援巫山县专项资金,1000000.00,ok
        2024-03-02,,对口支援巫山专项资金,10.00,typo
        2024-03-03,,机关事业单位派遣人员经费,10.00,ambiguous
        2024-13-01,,对口支援巫山县专项资金,10.00,bad date
        2024-03-05,,对口支援巫山县专项资金,五十万,not a number
        2024-03-06,,对口支援巫山县专项资金,-10.00,negative
        2023-12-31,,对口支援巫山县专项资金,10.00,outside the year
        2024-03-08,东莞市教育局,机关事业单位派遣人员经费,10.00,ok with department
        2024-03-09,,对口支援巫山县专项资金,"2,000,000.00",over budget
        2024-03-10,东莞市卫生健康局,对口支援巫山县专项资金,10.00,wrong department
        2024-03-11,,对口支援巫山县专项资金
        """
        try ledger.write(to: dir.appendingPathComponent("payments-2024.csv"), atomically: true, encoding: .utf8)
        let result = try BudgetqProcess.run(["check", dir.path])
        #expect(result.status == 1)
        let path = dir.appendingPathComponent("payments-2024.csv").path
        let expected = [
            "\(path):3: error: unknown project `对口支援巫山专项资金`; close names: 对口支援巫山县专项资金",
            "\(path):4: error: ambiguous project `机关事业单位派遣人员经费` in 2024: 2 projects have this name (departments: 东莞市人民政府经济协作办公室, 东莞市教育局); fill in the department column",
            "\(path):5: error: bad date `2024-13-01`; expected YYYY-MM-DD such as 2024-06-30",
            "\(path):6: error: amount `五十万` is not a number; expected yuan such as 120000.00 (at most fen precision)",
            "\(path):7: error: negative amount `-10.00`; record refunds as a note on a corrected payment",
            "\(path):8: error: payment dated 2023-12-31 lies outside the budget year of `对口支援巫山县专项资金` (budgeted in 2024)",
            "\(path):10: warning: payments to `对口支援巫山县专项资金` in 2024 reach 3,000,000.00, more than its budget of 2,900,000.00",
            "\(path):11: error: no project `对口支援巫山县专项资金` of department `东莞市卫生健康局` in 2024; it exists for: 东莞市人民政府经济协作办公室",
            "\(path):12: error: expected 5 fields (date,department,project,amount,note), found 3",
        ]
        for line in expected { #expect(result.stdout.contains(line), "missing: \(line)\n\(result.stdout)") }
        #expect(result.stdout.contains("errors: 8, warnings: 1"))
        let loaded = try BudgetqProcess.run(["-c", "payments | summarize n = count(), total = sum(amount)", "--format", "csv", "--data", dir.path])
        #expect(loaded.stdout == "n,total\r\n3,3000010.00\r\n")
    }

    @Test func gb18030Ledger() throws {
        let dir = try Self.temporaryDirectory("gbk")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(atPath: BudgetqProcess.root + "/datasets/2024-dongguan-economic-cooperation-office.txt",
                                         toPath: dir.appendingPathComponent("2024.txt").path)
        let text = "date,department,project,amount,note\r\n2024-05-01,,对口支援巫山县专项资金,1234.56,拨付\r\n"
        let gbk = try #require(text.data(using: .init(rawValue: 0x80000632)) ?? iconv(text))
        try gbk.write(to: dir.appendingPathComponent("payments.csv"))
        let result = try BudgetqProcess.run(["-c", "payments | select project, amount, note", "--format", "csv", "--data", dir.path])
        #expect(result.stdout == "project,amount,note\r\n对口支援巫山县专项资金,1234.56,拨付\r\n", "\(result.stderr)")
    }

    func iconv(_ text: String) -> Data? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        process.arguments = ["-f", "UTF-8", "-t", "GB18030"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return data
    }
}
