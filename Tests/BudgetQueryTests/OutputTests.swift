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

    @Test func pagerTakesResultsLongerThanTheScreen() throws {
        let (ws, output) = Self.workspace(width: 100)
        nonisolated(unsafe) var paged: [String] = []
        ws.pager = { paged.append($0); return true }
        ws.screenRows = { 20 }
        ws.runScript(".pager on\nindicators | select name | take 5\nindicators | select name | take 40", file: "q", stopAtFirstError: true)
        #expect(paged.count == 1, "only the long result is paged")
        #expect(paged.first?.contains("(40 rows)") == true)
        #expect(output().contains("(5 rows)") && !output().contains("(40 rows)"))
        ws.runScript(".pager off\nindicators | select name | take 40", file: "q", stopAtFirstError: true)
        #expect(paged.count == 1 && output().contains("(40 rows)"))
    }

    @Test func lastShowsTheLastResultInFull() throws {
        let (ws, output) = Self.workspace(width: 60)
        ws.runScript(".maxrows 2\nprojects | where year == 2024 | select name, type, budget | sort by budget desc", file: "q", stopAtFirstError: true)
        #expect(output().contains("… 7 more rows not shown"))
        #expect(!output().contains("珠三角地区与粤东粤西粤北地区对口帮扶协作专项帮扶资金"))
        ws.runScript(".last", file: "q", stopAtFirstError: true)
        #expect(output().contains("珠三角地区与粤东粤西粤北地区对口帮扶协作专项帮扶资金"), "every column whole")
        #expect(output().contains("机关事业单位派遣人员经费"), "every row")
        let (fresh, freshOutput) = Self.workspace()
        fresh.runScript(".last", file: "q", stopAtFirstError: false)
        #expect(freshOutput().contains("no result yet"))
    }
}
