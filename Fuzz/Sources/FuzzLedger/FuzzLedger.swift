import BudgetDocuments

/// The seed's projects, parsed once.
let projects: [ProjectRecord] = {
    let table = "项目绩效目标表\n项目名称\t\t对口支援巫山县专项资金\n主管部门\t\t东莞市人民政府经济协作办公室\n2024年预算金额（元）\t\t2,900,000.00\n绩效指标\t一级指标\t二级指标\t三级指标\t实施周期指标值\t当年度指标值\n\t产出指标\t时效指标\t拨付资金时间\t第三季度前\t第三季度前\n"
    return DocumentLoader.parse(bytes: Array(table.utf8), file: "seed.txt").0.projects
}()

/// Any bytes as a payment ledger matched against a small portfolio; must never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLedger(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let (payments, diagnostics) = LedgerReader.read(bytes: bytes, file: "fuzz.csv", projects: projects)
    for d in diagnostics { _ = d.description }
    for p in payments { precondition(p.amountFen >= 0, "amounts are never negative") }
    return 0
}
