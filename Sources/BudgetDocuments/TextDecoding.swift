#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Detects a document's encoding and turns its bytes into UTF-8.
///
/// Published budget documents arrive as UTF-8 (with or without BOM), GB18030/GBK from Windows tools,
/// and now and then UTF-16 from spreadsheet exports. Anything else is reported, never guessed.
public enum TextDecoding {
    /// The encodings budgetq recognizes.
    public enum Encoding: String, Sendable, Codable {
        case utf8 = "UTF-8"
        case utf8WithBOM = "UTF-8 with BOM"
        case gb18030 = "GB18030"
        case utf16 = "UTF-16"
    }

    /// Why bytes could not be read as text.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case empty
        case binary(offset: Int)
        case undecodable

        public var description: String {
            switch self {
            case .empty: return "the file is empty; expected 项目绩效目标表 tables"
            case .binary(let offset): return "binary data at byte \(offset) (a NUL or control byte); expected a text file of 项目绩效目标表 tables"
            case .undecodable: return "the bytes are neither UTF-8 nor GB18030/GBK text"
            }
        }
    }

    /// Returns the text as UTF-8 bytes (BOM removed) and the encoding found.
    public static func decode(_ bytes: [UInt8]) -> Result<([UInt8], Encoding), Failure> {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return .failure(.empty) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            guard let utf8 = iconvConvert(bytes, from: "UTF-16") else { return .failure(.undecodable) }
            return checkedText(utf8, .utf16)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            let body = Array(bytes.dropFirst(3))
            guard isValidUTF8(body) else { return .failure(.undecodable) }
            return checkedText(body, .utf8WithBOM)
        }
        if let nul = bytes.firstIndex(of: 0) { return .failure(.binary(offset: nul)) }
        if isValidUTF8(bytes) { return checkedText(bytes, .utf8) }
        guard let utf8 = iconvConvert(bytes, from: "GB18030") else { return .failure(.undecodable) }
        return checkedText(utf8, .gb18030)
    }

    /// Rejects text full of control bytes: a binary file that happens to decode.
    private static func checkedText(_ utf8: [UInt8], _ encoding: Encoding) -> Result<([UInt8], Encoding), Failure> {
        var controls = 0
        for (offset, byte) in utf8.enumerated() where byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D && byte != 0x0C {
            if byte == 0 { return .failure(.binary(offset: offset)) }
            controls += 1
            if controls > 8 && controls * 100 > utf8.count { return .failure(.binary(offset: offset)) }
        }
        return .success((utf8, encoding))
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) != nil }
    }

    /// Converts with the C library's iconv; nil when the input is not valid in `encoding`.
    static func iconvConvert(_ input: [UInt8], from encoding: String, to target: String = "UTF-8") -> [UInt8]? {
        let descriptor = iconv_open(target, encoding)
        if descriptor == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(descriptor) }
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var source = input
        let produced: Int? = source.withUnsafeMutableBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                src.baseAddress?.withMemoryRebound(to: CChar.self, capacity: src.count) { srcBase in
                    dst.baseAddress?.withMemoryRebound(to: CChar.self, capacity: dst.count) { dstBase in
                        var inPointer: UnsafeMutablePointer<CChar>? = srcBase
                        var inLeft = src.count
                        var outPointer: UnsafeMutablePointer<CChar>? = dstBase
                        var outLeft = dst.count
                        let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                        if result == -1 || inLeft != 0 { return nil }
                        return dst.count - outLeft
                    }
                } ?? nil
            } ?? nil
        }
        guard let count = produced else { return input.isEmpty ? [] : nil }
        output.removeSubrange(count...)
        return output
    }
}
