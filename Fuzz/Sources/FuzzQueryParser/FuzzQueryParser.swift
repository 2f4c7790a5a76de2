import BudgetQuery
import BudgetRender

/// Any text as query statements: parse (with recovery) and render errors; must never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQueryParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for result in QuerySession.parseRecovering(text) {
        if case .failure(let error) = result { _ = error.rendered(source: text) }
    }
    return 0
}
