/// Terminal cells a string takes: East Asian wide and fullwidth characters take two.
public func displayWidth<S: StringProtocol>(_ text: S) -> Int {
    var width = 0
    for scalar in text.unicodeScalars { width += cellWidth(scalar) }
    return width
}

/// Cells one scalar takes (0 for combining marks and zero-width characters).
public func cellWidth(_ scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    if v == 0 || (v >= 0x300 && v <= 0x36F) || v == 0x200B || (v >= 0xFE00 && v <= 0xFE0F) || v == 0x200D { return 0 }
    if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
        || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
        || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
        || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
        || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x3FFFD).contains(v) {
        return 2
    }
    return 1
}

