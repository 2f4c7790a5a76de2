/// Rows of a Word, Excel, SpreadsheetML or HTML document; nil when the bytes are none of those.
func officeRows(_ bytes: [UInt8], file: String, limits: LoadLimits) -> Result<[GridRow], OfficeDispatchError>? {
    nil
}

/// Why an Office document could not be read.
struct OfficeDispatchError: Error { var message: String }
