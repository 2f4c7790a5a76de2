import Foundation

/// Exact money amounts in fen (1/100 yuan) and their reading from budget documents.
public enum Money {
    /// Reads an amount such as `500,000.00` given in yuan (`multiplier` 1) or 万元 (`multiplier` 10000)
    /// into fen. Returns nil when the text is not a plain non-negative decimal, or is finer than a fen.
    public static func parseFen(_ text: Substring, yuanMultiplier multiplier: Int64 = 1) -> Int64? {
        var trimmed = text
        if trimmed.hasPrefix("¥") || trimmed.hasPrefix("￥") { trimmed = trimmed.dropFirst() }
        var normalized = trimmed.replacingFullWidthDigits()
        // Foundation's replacingOccurrences only when there is a full-width comma (EF BC 8C) to
        // replace: it folds character clusters and was 4 % of a 100k-project load (BENCHMARKS.md).
        if normalized.utf8.contains(0xEF) { normalized = normalized.replacingOccurrences(of: "，", with: ",") }
        guard let (mantissa, digits) = parseDecimalDigits(Substring(normalized)), digits <= 12 else { return nil }
        // fen = mantissa × 10^-digits × multiplier × 100, computed without leaving integers.
        var numerator = mantissa
        let (scaled, o1) = numerator.multipliedReportingOverflow(by: multiplier * 100)
        if o1 { return nil }
        numerator = scaled
        var divisor: Int64 = 1
        for _ in 0..<digits { divisor *= 10 }
        guard numerator % divisor == 0 else { return nil }
        return numerator / divisor
    }

    /// `1618035000.00` style text: yuan with exactly two decimals, no grouping.
    public static func yuanText(fen: Int64, groupThousands: Bool = false) -> String {
        formatScaled(fen, scale: 2, minimumFractionDigits: 2, groupThousands: groupThousands)
    }
}

extension StringProtocol {
    /// Maps full-width digits, point and percent to ASCII, which budget documents mix freely.
    public func replacingFullWidthDigits() -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0xFF10...0xFF19: result.unicodeScalars.append(Unicode.Scalar(UInt8(scalar.value - 0xFF10 + 0x30)))
            case 0xFF0E: result.append(".")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
