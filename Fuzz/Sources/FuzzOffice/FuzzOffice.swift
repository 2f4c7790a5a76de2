import BudgetDocuments

/// Small limits, so that a mutated zip bomb or a far cell ends in an error quickly instead of an out-of-memory.
let limits = OfficeLimits(maxPartBytes: 4 << 20, maxTotalBytes: 8 << 20, maxEntries: 200, maxCells: 200_000)

/// Any bytes as a Word/Excel/SpreadsheetML/HTML document: detect, refuse or read; must never trap.
///
/// Inputs whose first byte is 0x01…0x04 are read as one forced format (the rest of the bytes), so the
/// XML and HTML readers get mutations that detection would have turned away.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOffice(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let forced: [UInt8: OfficeReader.Format] = [1: .docx, 2: .xlsx, 3: .spreadsheetML, 4: .htmlTable]
    do {
        let rows: [GridRow]
        if let first = bytes.first, let format = forced[first] {
            rows = try OfficeReader.rows(of: Array(bytes.dropFirst()), format: format, file: "fuzz", limits: limits)
        } else {
            _ = OfficeReader.detect(bytes)
            rows = try OfficeReader.rows(of: bytes, file: "fuzz", limits: limits)
        }
        var cells = 0
        for row in rows {
            cells += row.cells.count
            _ = row.position.description
        }
        precondition(cells <= limits.maxCells, "the cell budget holds")
    } catch {
        precondition(!error.description.isEmpty, "every error has a message")
    }
    return 0
}
