/// A decimal number as its digits, for formatting the text Excel stores (`238.93000000000001`) exactly,
/// without going through `Double`: value = ±0.d₁d₂…dₙ × 10^exponent, no leading or trailing zero digit.
struct DecimalDigits: Equatable {
    var negative: Bool
    /// Digits 0…9; empty for zero.
    var digits: [UInt8]
    var exponent: Int

    static let zero = DecimalDigits(negative: false, digits: [], exponent: 0)

    init(negative: Bool, digits: [UInt8], exponent: Int) {
        self.negative = negative
        self.digits = digits
        self.exponent = exponent
        normalize()
    }

    /// Parses `-12.5`, `1.5E-3`, `+7`, ` 3 ` (XML number text); nil for anything else, and for exponents past
    /// ±400 (no double is that large or small).
    init?(parsing text: String) {
        let bytes = Array(text.utf8.drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed())
        guard !bytes.isEmpty, bytes.count <= 400 else { return nil }
        var i = 0
        var negative = false
        if bytes[i] == 0x2D || bytes[i] == 0x2B { negative = bytes[i] == 0x2D; i += 1 }
        var digits: [UInt8] = []
        var integerCount = 0
        var sawPoint = false
        var sawDigit = false
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                digits.append(b - 0x30)
                if !sawPoint { integerCount += 1 }
                sawDigit = true
            } else if b == 0x2E && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        var exponent10 = 0
        if i < bytes.count {
            guard bytes[i] == 0x45 || bytes[i] == 0x65 else { return nil }
            i += 1
            var expNegative = false
            if i < bytes.count && (bytes[i] == 0x2D || bytes[i] == 0x2B) { expNegative = bytes[i] == 0x2D; i += 1 }
            var sawExpDigit = false
            while i < bytes.count, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                exponent10 = exponent10 * 10 + Int(bytes[i] - 0x30)
                sawExpDigit = true
                if exponent10 > 400 { return nil }
                i += 1
            }
            guard sawExpDigit, i == bytes.count else { return nil }
            if expNegative { exponent10 = -exponent10 }
        }
        self.init(negative: negative, digits: digits, exponent: integerCount + exponent10)
    }

    init(integer: Int) {
        var digits: [UInt8] = []
        var n = integer.magnitude
        while n > 0 { digits.append(UInt8(n % 10)); n /= 10 }
        self.init(negative: integer < 0, digits: digits.reversed(), exponent: digits.count)
    }

    var isZero: Bool { digits.isEmpty }

    private mutating func normalize() {
        var leading = 0
        while leading < digits.count && digits[leading] == 0 { leading += 1 }
        if leading > 0 { digits.removeFirst(leading); exponent -= leading }
        while let last = digits.last, last == 0 { digits.removeLast() }
        if digits.isEmpty { exponent = 0; negative = false }
    }

    /// Keeps the first `count` digits (count ≤ 0: none), rounding half away from zero as Excel does.
    private mutating func roundKeeping(_ count: Int) {
        guard count < digits.count else { return }
        if count < 0 { self = .zero; return }
        let roundUp = digits[count] >= 5
        digits.removeSubrange(count...)
        if roundUp {
            var i = count - 1
            while i >= 0 {
                if digits[i] == 9 { digits[i] = 0; i -= 1 } else { digits[i] += 1; break }
            }
            if i < 0 { digits.insert(1, at: 0); exponent += 1 }
        }
        normalize()
    }

    /// Rounded to `count` significant digits (Excel shows at most 15 of a double's 17).
    func roundedSignificant(_ count: Int) -> DecimalDigits {
        var copy = self
        copy.roundKeeping(count)
        return copy
    }

    /// Rounded to `places` digits after the decimal point.
    func rounded(places: Int) -> DecimalDigits {
        var copy = self
        copy.roundKeeping(exponent + places)
        return copy
    }

    /// This value times 10^power.
    func shifted(_ power: Int) -> DecimalDigits {
        var copy = self
        if !copy.isZero { copy.exponent += power }
        return copy
    }

    var magnitude: DecimalDigits {
        var copy = self
        copy.negative = false
        return copy
    }

    /// The integer part's digits, without leading zeros ("" for a value below 1).
    var integerDigits: String {
        guard exponent > 0 else { return "" }
        var text = ""
        for i in 0..<exponent { text.append(Character(Unicode.Scalar(UInt8(48) + (i < digits.count ? digits[i] : 0)))) }
        return text
    }

    /// The first `places` digits after the decimal point (no rounding: round first).
    func fractionDigits(_ places: Int) -> [UInt8] {
        (0..<max(0, places)).map { i in
            let index = exponent + i
            return index >= 0 && index < digits.count ? digits[index] : 0
        }
    }

    /// The integer part as an Int, nil when it does not fit.
    var integerValue: Int? {
        let text = integerDigits
        if text.isEmpty { return 0 }
        guard text.count <= 18, let value = Int(text) else { return nil }
        return negative ? -value : value
    }

    /// The fraction part as a Double in [0, 1), for times of day (not money).
    var fractionValue: Double {
        var value = 0.0
        var scale = 0.1
        for d in fractionDigits(min(17, max(0, digits.count - exponent))) {
            value += Double(d) * scale
            scale /= 10
        }
        return value
    }

    /// For comparisons in conditional formats only; the shown text never comes from it.
    var approximateDouble: Double {
        var value = 0.0
        for d in digits { value = value * 10 + Double(d) }
        let power = exponent - digits.count
        var scale = 1.0
        for _ in 0..<min(400, abs(power)) { scale *= 10 }
        value = power >= 0 ? value * scale : value / scale
        return negative ? -value : value
    }

    /// Excel's General format: up to 15 significant digits, trailing zeros dropped, scientific beyond 10¹⁵.
    var generalText: String {
        let value = roundedSignificant(15)
        if value.isZero { return "0" }
        let sign = value.negative ? "-" : ""
        if value.exponent > 15 || value.exponent < -8 {
            let mantissa = value.digits.map { String($0) }
            let rest = mantissa.dropFirst().joined()
            let power = value.exponent - 1
            let powerText = abs(power) < 10 ? "0\(abs(power))" : "\(abs(power))"
            return sign + mantissa[0] + (rest.isEmpty ? "" : "." + rest) + "E" + (power < 0 ? "-" : "+") + powerText
        }
        let integer = value.integerDigits
        let fractionCount = max(0, value.digits.count - value.exponent)
        let fraction = value.fractionDigits(fractionCount).map { String($0) }.joined()
        return sign + (integer.isEmpty ? "0" : integer) + (fraction.isEmpty ? "" : "." + fraction)
    }
}
