import BudgetDocuments

/// Any bytes as a 项目绩效目标表 document: decode, parse, diagnose; must never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDocuments(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let (output, _) = DocumentLoader.parse(bytes: bytes, file: "fuzz.txt", limits: LoadLimits(maxLineBytes: 4096))
    for diagnostic in output.diagnostics { _ = diagnostic.description }
    for project in output.projects {
        precondition(!project.name.isEmpty, "a loaded project has a name")
        for indicator in project.indicators { _ = TargetReader.read(indicator.annualTarget, year: project.year, indicatorName: indicator.name) }
    }
    return 0
}
