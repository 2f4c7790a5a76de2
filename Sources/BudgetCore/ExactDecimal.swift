/// An exact decimal number with four fractional digits, held as a scaled 64-bit integer.
///
/// Indicator values such as `4.2亿元` or `≥90%` are read into this type so that they compare
/// and print exactly (`4.2亿` is 420000000, never 419999999.99999994).
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Fractional digits kept.
    public static let scale = 4
    /// 10^scale.
    public static let unit: Int64 = 10_000

    /// The value times 10^4.
    public var scaled: Int64

    public init(scaled: Int64) { self.scaled = scaled }

    public init(integer: Int64) { self.scaled = integer * Self.unit }

    /// Parses `123`, `4.2`, `1,234.5` (at most four fractional digits). Returns nil otherwise.
    public init?(parsing text: Substring) {
        guard let (mantissa, digits) = parseDecimalDigits(text), digits <= Self.scale else { return nil }
        var value = mantissa
        for _ in digits..<Self.scale {
            let (next, overflow) = value.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            value = next
        }
        self.scaled = value
    }

    /// This value multiplied by an integer, or nil on overflow.
    public func multiplied(by factor: Int64) -> ExactDecimal? {
        let (product, overflow) = scaled.multipliedReportingOverflow(by: factor)
        return overflow ? nil : ExactDecimal(scaled: product)
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool { lhs.scaled < rhs.scaled }

    /// Shortest exact text: `90`, `4.2`, `-0.0001`.
    public var description: String { formatScaled(scaled, scale: Self.scale, minimumFractionDigits: 0) }
}

/// Parses an unsigned decimal with optional `,` group separators into (mantissa, fractional digit count).
/// Returns nil for anything else, including an empty string or an overflow.
func parseDecimalDigits(_ text: Substring) -> (Int64, Int)? {
    // Thousands separators only in groups of three (`1,234,567.89`): `5,00`, `1,2,3` and `500,00`
    // are not numbers (a decimal comma or a typo), never read as 500, 123 or 50000.
    if text.utf8.contains(UInt8(ascii: ",")) {
        let integer = text.utf8.prefix { $0 != UInt8(ascii: ".") }
        let groups = integer.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard let first = groups.first, (1...3).contains(first.count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
    }
    var mantissa: Int64 = 0
    var fractionDigits = 0
    var seenPoint = false
    var seenDigit = false
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            let (times10, o1) = mantissa.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            mantissa = sum
            seenDigit = true
            if seenPoint { fractionDigits += 1 }
        case UInt8(ascii: "."):
            if seenPoint || !seenDigit { return nil }
            seenPoint = true
        case UInt8(ascii: ","):
            if seenPoint || !seenDigit { return nil }
        default:
            return nil
        }
    }
    guard seenDigit, !(seenPoint && fractionDigits == 0) else { return nil }
    return (mantissa, fractionDigits)
}

/// Formats an integer scaled by 10^scale, trimming trailing fractional zeros down to `minimumFractionDigits`.
public func formatScaled(_ scaled: Int64, scale: Int, minimumFractionDigits: Int, groupThousands: Bool = false) -> String {
    let negative = scaled < 0
    let magnitude = scaled.magnitude
    var divisor: UInt64 = 1
    for _ in 0..<scale { divisor *= 10 }
    let whole = magnitude / divisor
    var fraction = String(magnitude % divisor)
    fraction = String(repeating: "0", count: max(0, scale - fraction.count)) + fraction
    while fraction.count > minimumFractionDigits, fraction.last == "0" { fraction.removeLast() }
    var wholeText = String(whole)
    if groupThousands, wholeText.count > 3 {
        var grouped = ""
        for (index, character) in wholeText.enumerated() {
            if index > 0, (wholeText.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        wholeText = grouped
    }
    let sign = negative ? "-" : ""
    return fraction.isEmpty ? sign + wholeText : sign + wholeText + "." + fraction
}
