import BudgetApp
import Foundation
import Testing

/// `.timer on` shows milliseconds to three significant digits.
struct TimerTests {
    @Test(arguments: [
        (UInt64(274_000), "0.274 ms"),
        (UInt64(27_400), "0.0274 ms"),
        (UInt64(1_234_567), "1.23 ms"),
        (UInt64(12_345_678), "12.3 ms"),
        (UInt64(274_400_000), "274 ms"),
        (UInt64(2_741_600_000), "2740 ms"),
        (UInt64(999_600), "1.00 ms"),
        (UInt64(99_960_000), "100 ms"),
        (UInt64(0), "0.000 ms"),
    ])
    func runTimeText(nanoseconds: UInt64, expected: String) {
        #expect(Workspace.runTimeText(nanoseconds: nanoseconds) == expected)
    }

    /// The line printed after a query, through the same path the REPL and scripts use.
    @Test func timerLineAfterAQuery() {
        let workspace = Workspace(paths: [Fixture.root + "/Tests/fixtures/portfolio-2024.txt"])
        var output = ""
        workspace.standardOutput = { output += $0 }
        workspace.timer = true
        workspace.runScript("projects | count", file: "probe", stopAtFirstError: true)
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(line.range(of: #"^run time: [0-9]+(\.[0-9]+)? ms$"#, options: .regularExpression) != nil, "\(line)")
    }
}
