import BudgetCore
import BudgetDocuments
import Testing
@testable import BudgetStore

/// One test per rule of docs/execution.md.
struct ExecutionRuleTests {
    let december = CalendarDate(year: 2024, month: 12, day: 31)!
    let endOfMarch = CalendarDate(year: 2024, month: 3, day: 31)!
    let endOfJune = CalendarDate(year: 2024, month: 6, day: 30)!
    let september = CalendarDate(year: 2024, month: 9, day: 30)!

    @Test func doneWhenTheTargetIsReached() {
        #expect(ExecutionRules.status(rate: 0.9, target: 0.9, deadline: december, monthEnd: endOfMarch) == .done)
        #expect(ExecutionRules.status(rate: 1.2, target: 1, deadline: endOfMarch, monthEnd: december) == .done)
    }

    @Test func overdueFromTheDeadlineMonthOn() {
        // 第二季度前 → 03-31: at the end of March a project short of its target is overdue.
        #expect(ExecutionRules.status(rate: 0.95, target: 1, deadline: endOfMarch, monthEnd: endOfMarch) == .overdue)
        #expect(ExecutionRules.status(rate: 0.5, target: 1, deadline: endOfMarch, monthEnd: endOfJune) == .overdue)
    }

    @Test func behindWhenTrailingTheScheduleByMoreThanTenPoints() {
        // Deadline September: by the end of June the schedule expects 6/9 of the target.
        let expected = 0.9 * 6.0 / 9.0
        #expect(ExecutionRules.status(rate: expected - 0.11, target: 0.9, deadline: september, monthEnd: endOfJune) == .behind)
        #expect(ExecutionRules.status(rate: expected - 0.09, target: 0.9, deadline: september, monthEnd: endOfJune) == .onTrack)
    }

    @Test func onTrackOtherwise() {
        #expect(ExecutionRules.status(rate: 0.2, target: 0.9, deadline: december, monthEnd: endOfMarch) == .onTrack)
        #expect(ExecutionRules.status(rate: 0, target: 1, deadline: december, monthEnd: CalendarDate(year: 2024, month: 1, day: 31)!) == .onTrack)
    }

    @Test func targetsAndDeadlinesComeFromTheIndicators() throws {
        var url = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        url = "/" + url + "/datasets/2024-dongguan-economic-cooperation-office.txt"
        let projects = DocumentLoader.load(paths: [url]).projects
        let tongren = try #require(projects.first { $0.name == "支持贵州铜仁市东西部协作资金" })
        #expect(ExecutionRules.target(of: tongren) == 1)
        #expect(ExecutionRules.deadline(of: tongren) == CalendarDate(year: 2024, month: 3, day: 31))
        let training = try #require(projects.first { $0.name == "对口帮扶工作业务培训费" })
        #expect(ExecutionRules.target(of: training) == 0.8)
        #expect(ExecutionRules.deadline(of: training) == december)
        // 资金支出 2024年10月前 sits under 成本指标, not 时效指标: still the project's deadline.
        let central = try #require(projects.first { $0.name.hasPrefix("粤财农") })
        #expect(ExecutionRules.target(of: central) == nil)
        #expect(ExecutionRules.deadline(of: central) == september)
    }

    /// The rules run once, into projects' columns, and `execution` shows exactly those values:
    /// the code tested above is the code that runs.
    @Test func executionReadsTheProjectsColumns() throws {
        var url = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        url = "/" + url + "/datasets/2024-dongguan-economic-cooperation-office.txt"
        let loaded = DocumentLoader.load(paths: [url])
        let store = StoreBuilder.build(from: loaded)
        let projects = try #require(store.table(named: "projects"))
        let execution = try #require(store.table(named: "execution"))
        let targets = try #require(projects.column(named: "execution_target"))
        let deadlines = try #require(projects.column(named: "execution_deadline"))
        let executionTargets = try #require(execution.column(named: "target"))
        let executionDeadlines = try #require(execution.column(named: "deadline"))
        #expect(execution.rowCount == loaded.projects.count * 12)
        for (p, record) in loaded.projects.enumerated() {
            let target: Value = ExecutionRules.target(of: record).map { .real($0) } ?? .null
            let deadline: Value = ExecutionRules.deadline(of: record).map { .integer($0.packed) } ?? .null
            #expect(targets.value(at: p) == target, "\(record.name)")
            #expect(deadlines.value(at: p) == deadline, "\(record.name)")
            for month in 0..<12 {
                #expect(executionTargets.value(at: p * 12 + month) == target)
                #expect(executionDeadlines.value(at: p * 12 + month) == deadline)
            }
        }
        // Lists repeat whole when a column is gathered (the store once kept the list buffer as it was).
        let regions = try #require(projects.column(named: "regions"))
        let several = try #require((0..<projects.rowCount).first { if case .list(let l) = regions.value(at: $0) { return l.count > 1 }; return false })
        let repeated = try regions.gathered([Int32(several), Int32(several), 0])
        #expect(repeated.count == 3)
        #expect(repeated.value(at: 0) == regions.value(at: several))
        #expect(repeated.value(at: 1) == regions.value(at: several))
        #expect(repeated.value(at: 2) == regions.value(at: 0))
    }
}
