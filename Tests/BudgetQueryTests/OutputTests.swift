import BudgetApp
import BudgetQuery
import BudgetRender
import Foundation
import Testing

/// What people see and hand on: widths, records, files (issue 14).
struct OutputTests {
    static let datasets = Fixture.root + "/datasets"

    /// A workspace over the bundled data whose output is captured.
    static func workspace(width: Int? = nil) -> (Workspace, () -> String) {
        let workspace = Workspace(paths: [datasets], renderer: ResultRenderer(terminalWidth: width))
        nonisolated(unsafe) var captured = ""
        workspace.standardOutput = { captured += $0 }
        workspace.standardError = { captured += $0 }
        return (workspace, { captured })
    }

    @Test func everySelectedColumnFitsNarrowTerminals() throws {
        for width in [80, 100] {
            let (ws, output) = Self.workspace(width: width)
            ws.runScript("projects | where year == 2024 | select id, year, name, type, budget", file: "q", stopAtFirstError: true)
            let lines = output().split(separator: "\n").map(String.init)
            #expect(lines[0].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } == ["id", "year", "name", "type", "budget"])
            for line in lines.prefix(11) { #expect(displayWidth(line) <= width, "\(line)") }
            // Numbers whole: the largest budget is printed in full.
            #expect(output().contains("663,000,000.00"))
            #expect(!output().contains("left out"))
        }
    }

    @Test func monthlySummarySectionsKeepEveryColumn() throws {
        for width in [80, 100] {
            let (ws, output) = Self.workspace(width: width)
            ws.session.setParameter("month", text: "2024-06")
            ws.runScript(".read \(Fixture.root)/queries/monthly-summary.bq", file: "q", stopAtFirstError: true)
            let text = output()
            for header in ["project", "paid", "payments", "budget", "paid_to_date", "rate", "target", "status", "deadline", "paid_in_month", "type"] {
                #expect(text.contains(header), "\(header) at \(width)")
            }
            #expect(text.contains("…"), "long names end in …")
            #expect(!text.contains("left out"))
            for line in text.split(separator: "\n") where line.contains("|") { #expect(displayWidth(line) <= width, "\(line)") }
        }
    }

    @Test func aFileGetsEveryColumnWholeWhateverTheTerminal() throws {
        let (ws, _) = Self.workspace(width: 40)
        let path = NSTemporaryDirectory() + "budgetq-output-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        ws.runScript(".output \(path)\nprojects | where year == 2024 | select name, type, budget | sort by budget desc | take 1\n.output stdout", file: "q", stopAtFirstError: true)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("对口帮扶省内驻镇帮镇扶村专项资金"))
        #expect(text.contains("其他事业发展性支出"))
        #expect(!text.contains("…"))
    }
}
