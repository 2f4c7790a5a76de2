import Testing
@testable import BudgetQuery

/// One test per error kind: message, position (line:column), caret and hint.
struct ErrorTests {
    @Test func unknownColumnSuggestsTheClosestName() {
        #expect(Fixture.error("projects | where budgt > 5") == """
        query:1:18: error: no column `budgt` in projects
            projects | where budgt > 5
                             ^^^^^
        hint: did you mean `budget`?
        """)
    }

    @Test func caretUnderChineseTextCountsWideCells() {
        #expect(Fixture.error("projects | where 项目名称 has \"铜仁\" and 预算金 > 1") == """
        query:1:36: error: no column `预算金` in projects
            projects | where 项目名称 has "铜仁" and 预算金 > 1
                                                     ^^^^^^
        hint: did you mean `预算金额`?
        """)
    }

    @Test func wrongArgumentCount() {
        #expect(Fixture.error("projects | summarize sum() by type")?.contains("error: \"sum\" needs one argument") == true)
        #expect(Fixture.error("projects | select x = round()")?.contains("\"round\" needs 1 or 2 arguments") == true)
    }

    @Test func typeErrors() {
        let text = Fixture.error("projects | where name > 5")
        #expect(text?.hasPrefix("query:1:18: error: cannot compare a string with a number (int)") == true)
        #expect(Fixture.error("projects | where budget == \"many\"")?.contains("cannot compare a number (money) with the string \"many\"") == true)
        #expect(Fixture.error("projects | summarize sum(name)")?.contains("sum needs a number; the argument is a string") == true)
        #expect(Fixture.error("projects | where year")?.contains("`where` needs a true/false condition, not a number (int)") == true)
        #expect(Fixture.error("projects | where regions == \"铜仁\"")?.contains("cannot compare a list") == true)
    }

    @Test func unknownTableOperatorFunction() {
        #expect(Fixture.error("projcts | count")?.contains("hint: did you mean `projects`?") == true)
        #expect(Fixture.error("projects | summarise n = count()")?.contains("unknown operator `summarise`") == true)
        #expect(Fixture.error("projects | summarise n = count()")?.contains("did you mean `summarize`?") == true)
        #expect(Fixture.error("projects | summarize n = cnt()")?.contains("unknown function `cnt`") == true)
    }

    @Test func syntaxErrorsWithPositions() {
        #expect(Fixture.error("projects | where year = 2024") == """
        query:1:23: error: `=` names a result; to compare, use `==`
            projects | where year = 2024
                                  ^
        hint: where year == 2024
        """)
        #expect(Fixture.error("projects | where name == \"铜仁")?.hasPrefix("query:1:26: error: unterminated string") == true)
        #expect(Fixture.error("projects | where (year == 2024")?.contains("expected `)`") == true)
        #expect(Fixture.error("projects | take")?.contains("expected a row count after `take`") == true)
        #expect(Fixture.error("projects |")?.contains("expected an operator after `|`") == true)
        #expect(Fixture.error("projects | where budget > 5百")?.contains("numbers take the units 万, 亿") == true)
        #expect(Fixture.error("projects | where year == 2024-13")?.contains("2024-13 is not a valid month") == true)
    }

    @Test func errorsOnLaterLinesNameTheirLine() {
        let text = "projects\n| where year == 2024\n| summarize total = sum(budgett)"
        #expect(Fixture.error(text)?.hasPrefix("query:3:25: error: no column `budgett` in projects") == true)
    }

    @Test func aggregatesInTheWrongPlace() {
        #expect(Fixture.error("projects | where sum(budget) > 5")?.contains("sum() is not allowed here") == true)
        #expect(Fixture.error("projects | summarize n = name by type")?.contains("summarize needs an aggregate here") == true)
        #expect(Fixture.error("projects | summarize s = running_sum(budget)")?.contains("running_sum belongs in derive") == true)
    }

    @Test func missingParameterAndLet() {
        #expect(Fixture.error("execution_missing | count")?.contains("no table `execution_missing`") == true)
        #expect(Fixture.error("projects | where year == $year")?.contains("parameter $year is not set") == true)
    }

    @Test func duplicateResultNames() {
        #expect(Fixture.error("projects | select name, name")?.contains("the result has two columns named `name`") == true)
    }

    /// Mangled queries must fail with a QueryError or run; never trap.
    @Test func mangledQueriesNeverCrash() {
        let seeds = [
            "projects | where year == 2024 and budget >= 1.5亿 | summarize total = sum(budget), n = count() by type | sort by total desc",
            "indicators | where level2 == \"成本指标\" or value in (90, 100) | pivot kind of count() by level1",
            "let b = projects | summarize sum(budget)\nprojects | derive r = budget / b, s = running_sum(budget) | top 3 by r",
            "projects | explode regions as r | compare year 2023 vs 2024 of avg(budget) by r | join projects on r == name",
        ]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("|()\"=<>!,.;$#`-+*/ 0123456789亿万年铜仁 wheresumbyofvsastop\n")
        for _ in 0..<600 {
            var chars = Array(seeds.randomElement(using: &generator) ?? "")
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !chars.isEmpty {
                let i = Int.random(in: 0..<chars.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: chars.remove(at: i)
                case 1: chars.insert(alphabet.randomElement(using: &generator) ?? " ", at: i)
                default: chars[i] = alphabet.randomElement(using: &generator) ?? " "
                }
            }
            _ = Fixture.error(String(chars))
        }
    }
}

/// Inputs found by review and fuzzing that once trapped or gave wrong answers.
struct QueryRegressionTests {
    @Test func deepNestingIsAnErrorNotAStackOverflow() {
        let parens = String(repeating: "(", count: 1000) + "1" + String(repeating: ")", count: 1000)
        #expect(Fixture.error("projects | where \(parens) == 1 | count")?.contains("the expression nests more than 200 levels deep") == true)
        let minus = String(repeating: "-", count: 5000) + "1"
        #expect(Fixture.error("projects | derive x = \(minus)")?.contains("nests more than 200 levels deep") == true)
        #expect(Fixture.error("projects | where not not not year == 2024 | count") == nil)
    }

    @Test func compareScalesNumbersToTheColumn() throws {
        #expect(try Fixture.csv("projects | compare budget 500000 vs 720000 of count()") == ["500000.00,720000.00,delta,pct", "1,1,0,0"])
        #expect(try Fixture.csv("indicators | compare value 90 vs 100 of count()") == ["90,100,delta,pct", "9,13,4,44.4444444444444"])
        #expect(Fixture.error("projects | compare regions \"铜仁\" vs \"韶关\" of count()")?.contains("`regions` is a list") == true)
    }

    @Test func windowsLineEndsInScripts() throws {
        #expect(try Fixture.csv("# first\r\nprojects\r\n| where year == 2024\r\n| count\r\n") == ["count", "9"])
        #expect(Fixture.error("projects | count\r\n\r\nprojects | where budgt > 5\r\n")?.hasPrefix("query:3:18: error: no column `budgt`") == true)
    }

    @Test func negativeLiteralsAndSet() throws {
        #expect(try Fixture.csv("set p = -8; projects | where start_year - 2030 > $p | count") == ["count", "2"])
        #expect(Fixture.error("set y = projects")?.contains("set takes a value, not the name `projects`") == true)
        #expect(Fixture.error("projects | select r = round(budget, 99)")?.contains("round's digits must be a whole number from 0 to 10") == true)
    }
}
