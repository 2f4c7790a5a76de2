import BudgetRender
import Testing
@testable import BudgetQuery

/// The design's must-work examples, with exact answers on the bundled 2024 portfolio.
struct DesignExampleTests {
    @Test func totalsByType() throws {
        #expect(try Fixture.csv("projects | where year == 2024 | summarize total = sum(budget), n = count() by type | sort by total desc") == [
            "type,total,n",
            "其他事业发展性支出,1616260000.00,5",
            "其他特定目标类（部门职能类）,1670000.00,3",
            "其他运转类（综合类）,105000.00,1",
        ])
    }

    @Test func regionMembership() throws {
        #expect(try Fixture.csv("projects | where regions has \"铜仁\" | select name, budget") == [
            "name,budget", "对口帮扶工作及专项业务费,500000.00", "支持贵州铜仁市东西部协作资金,510000000.00",
        ])
        #expect(try Fixture.csv("projects | where regions has \"韶关\" | select name") == [
            "name", "对口帮扶工作及专项业务费", "珠三角地区与粤东粤西粤北地区对口帮扶协作专项帮扶资金",
        ])
    }

    @Test func chineseUnitLiteralsAndTop() throws {
        #expect(try Fixture.csv("projects | where budget >= 1亿 | top 3 by budget | select name, budget") == [
            "name,budget", "对口帮扶省内驻镇帮镇扶村专项资金,663000000.00", "支持贵州铜仁市东西部协作资金,510000000.00",
            "珠三角地区与粤东粤西粤北地区对口帮扶协作专项帮扶资金,420000000.00",
        ])
        #expect(try Fixture.csv("projects | where budget < 50万 and budget > 0.1万 | count") == ["count", "2"])
        #expect(try Fixture.csv("projects | where budget == 4.2亿 | select id") == ["id", "6"])
    }

    @Test func explodeRegionsWithNote() throws {
        let result = try #require(try Fixture.result("projects | explode regions as region | summarize sum(budget) by region"))
        let csv = DelimitedWriterRows.rows(result)
        #expect(csv == ["region,sum_budget", ",684635000.00", "巫山,2900000.00", "揭阳,420500000.00", "铜仁,510500000.00", "韶关,420500000.00"])
        #expect(result.notes.contains("2 of 9 projects have several regions and appear once under each; totals across region count them more than once"))
        #expect(result.notes.contains("5 projects have no regions and appear once with an empty region"))
        // Grouping by the list column directly explodes it and says so, too.
        let direct = try #require(try Fixture.result("projects | summarize n = count() by regions"))
        #expect(DelimitedWriterRows.rows(direct) == ["regions,n", ",5", "巫山,1", "揭阳,2", "铜仁,2", "韶关,2"])
        #expect(direct.notes.count == 2)
    }

    @Test func compareYears() throws {
        // Only 2024 is bundled so far: 2023 counts as 0 and pct is null.
        #expect(try Fixture.csv("projects | compare year 2023 vs 2024 of sum(budget) by type") == [
            "type,2023,2024,delta,pct",
            "其他事业发展性支出,0.00,1616260000.00,1616260000.00,",
            "其他特定目标类（部门职能类）,0.00,1670000.00,1670000.00,",
            "其他运转类（综合类）,0.00,105000.00,105000.00,",
        ])
        #expect(try Fixture.csv("projects | compare type \"其他运转类（综合类）\" vs \"其他事业发展性支出\" of count() by year") == [
            "year,其他运转类（综合类）,其他事业发展性支出,delta,pct", "2024,1,5,4,400",
        ])
    }

    @Test func pivot() throws {
        #expect(try Fixture.csv("projects | pivot year of sum(budget) by type") == [
            "type,2024", "其他事业发展性支出,1616260000.00", "其他特定目标类（部门职能类）,1670000.00", "其他运转类（综合类）,105000.00",
        ])
        #expect(try Fixture.csv("indicators | pivot kind of count() by level1") == [
            "level1,deadline,numeric,percent,qualitative",
            "产出指标,6,10,15,5", "效益指标,,3,1,13", "满意度指标,,,7,",
        ])
    }

    @Test func indicatorFilters() throws {
        #expect(try Fixture.csv("indicators | where level2 == \"成本指标\" and kind == \"percent\" and value >= 90 | summarize count() by project") == [
            "project,count", "对口帮扶工作及专项业务费,1", "对口帮扶工作宣传费,1", "对口帮扶省内驻镇帮镇扶村专项资金,1",
            "对口支援巫山县专项资金,1", "支持贵州铜仁市东西部协作资金,1", "机关事业单位派遣人员经费,1",
        ])
        #expect(try Fixture.csv("indicators | summarize n = count() by level1, level2 | sort by n desc | take 3") == [
            "level1,level2,n", "产出指标,数量指标,10", "产出指标,时效指标,9", "产出指标,质量指标,9",
        ])
        #expect(try Fixture.csv("indicators | where deadline <= 2024-06-30 | select project, deadline") == [
            "project,deadline", "支持贵州铜仁市东西部协作资金,2024-03-31", "对口支援巫山县专项资金,2024-06-30",
        ])
    }

    @Test func sharesRunningSumsAndLetScalars() throws {
        let text = """
        let budget2024 = projects | where year == 2024 | summarize sum(budget)
        projects | summarize total = sum(budget) by type | sort by total desc | derive share = total / sum(total), to_date = running_sum(total), rate = to_date / budget2024
        """
        #expect(try Fixture.csv(text) == [
            "type,total,share,to_date,rate",
            "其他事业发展性支出,1616260000.00,0.998902990355586,1616260000.00,0.998902990355586",
            "其他特定目标类（部门职能类）,1670000.00,0.00103211611615324,1617930000.00,0.999935106471739",
            "其他运转类（综合类）,105000.00,0.0000648935282611316,1618035000.00,1",
        ])
    }

    @Test func parametersChineseAliasesAndComments() throws {
        #expect(try Fixture.csv("项目 | where 年度 == $y and 项目名称 has $k | select 项目名称, 预算金额 # 巫山", parameters: ["y": "2024", "k": "巫山"]) == [
            "项目名称,预算金额", "对口支援巫山县专项资金,2900000.00",
        ])
        #expect(try Fixture.csv("set k = \"宣传\"; projects | where name has $k | count") == ["count", "1"])
        #expect(try Fixture.csv("projects\n| where year == 2024\n| summarize n = count()") == ["n", "9"])
    }

    @Test func joinsDistinctAndFunctions() throws {
        #expect(try Fixture.csv("indicators | where name == \"预算执行率\" | join projects on project_id == id | summarize n = count(), budget = sum(budget) by annual_target | sort by annual_target") == [
            "annual_target,n,budget", "100%,3,1175900000.00", ">90%,1,105000.00", "≥80%,1,720000.00", "≥90%,2,950000.00",
        ])
        #expect(try Fixture.csv("indicators | distinct level1") == ["level1", "产出指标", "效益指标", "满意度指标"])
        #expect(try Fixture.csv("projects | summarize n = dcount(type), lo = min(budget), hi = max(budget), mean = avg(budget)") == [
            "n,lo,hi,mean", "3,105000.00,663000000.00,179781666.666667",
        ])
        #expect(try Fixture.csv("projects | where id <= 2 | select id, k = iff(budget > 60万, \"big\", \"small\"), n = len(name), y = end_year - start_year") == [
            "id,k,n,y", "1,small,12,3", "2,big,11,2",
        ])
    }

    @Test func coverageFindsMissingCategories() throws {
        // Projects whose 满意度 category is a blank placeholder.
        #expect(try Fixture.csv("coverage | where level1 == \"满意度指标\" and indicators == 0 | select project") == [
            "project", "对口帮扶工作及专项业务费", "对口帮扶工作宣传费",
        ])
    }
}

/// CSV rows of a result (header first).
enum DelimitedWriterRows {
    static func rows(_ result: QueryResult) -> [String] {
        DelimitedWriter.csv(result.table).split(separator: "\r\n").map(String.init)
    }
}
