import BudgetDocuments
import BudgetQuery
import BudgetRender
import BudgetStore

/// A small store: two tables of the seed's shape, with regions, payments and execution.
let store: Store = {
    var text = ""
    for (i, (name, amount, region)) in [("对口帮扶工作宣传费", "450,000.00", ""), ("支持贵州铜仁市东西部协作资金", "510,000,000.00", "铜仁"),
                                          ("对口支援巫山县专项资金", "2,900,000.00", "巫山")].enumerated() {
        text += "项目绩效目标表\n项目名称\t\t\(name)\n项目类型\t\t类型\(i % 2)\n主管部门\t\t部门\n实施周期\t\t起始年度\t2022\t到期年度\t2024\n"
        text += "202\(3 + i % 2)年预算金额（元）\t\t\(amount)\n总体绩效目标\t\t实施周期总目标\n\t\t帮扶\(region)\n"
        text += "绩效指标\t一级指标\t二级指标\t三级指标\t实施周期指标值\t当年度指标值\n"
        text += "\t产出指标\t时效指标\t拨付资金时间\t第三季度前\t第三季度前\n\t\t成本指标\t预算执行率\t≥90%\t≥90%\n\t满意度指标\t服务对象满意度指标\t\t\t\n"
    }
    let loaded = DocumentLoader.parse(bytes: Array(text.utf8), file: "fuzz.txt").0
    return StoreBuilder.build(from: LoadedDocuments(projects: loaded.projects))
}()

/// Any text as statements run against the small store, results rendered; must never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQueryExecution(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let session = QuerySession(store: store)
    session.setParameter("month", text: "2024-06")
    let renderer = ResultRenderer(format: .table, maxRows: 50)
    for result in QuerySession.parseRecovering(text) {
        guard case .success(let statement) = result else { continue }
        do {
            if case .result(let r) = try session.execute(statement) {
                _ = renderer.render(r)
                _ = DelimitedWriter.json(r.table)
            }
        } catch {
            _ = error.rendered(source: text)
        }
    }
    return 0
}
