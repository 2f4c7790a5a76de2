/// One problem found while reading input, printed as `FILE:LINE[:COLUMN]: error|warning: message`
/// (for Office files `FILE:SHEET!CELL: …` or `FILE:table N, row M, cell K: …`).
public struct Diagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
    /// How bad a problem is: errors mean something could not be loaded.
    public enum Severity: String, Sendable, Codable { case error, warning }

    public var file: String
    public var line: Int
    public var column: Int?
    public var severity: Severity
    public var message: String
    /// Where in a non-text file (`Sheet1!C7`); printed instead of the line when set.
    public var location: String?

    public init(file: String, line: Int, column: Int? = nil, severity: Severity, message: String, location: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
        self.location = location
    }

    public static func error(_ file: String, _ line: Int, _ message: String) -> Diagnostic {
        Diagnostic(file: file, line: line, severity: .error, message: message)
    }

    public static func warning(_ file: String, _ line: Int, _ message: String) -> Diagnostic {
        Diagnostic(file: file, line: line, severity: .warning, message: message)
    }

    /// A problem at a position of a document in any format.
    public static func at(_ file: String, _ position: SourcePosition, _ severity: Severity, _ message: String) -> Diagnostic {
        if case .line(let n) = position { return Diagnostic(file: file, line: n, severity: severity, message: message) }
        return Diagnostic(file: file, line: position.lineNumber, severity: severity, message: message, location: position.description)
    }

    public var description: String {
        let position = location ?? column.map { "\(line):\($0)" } ?? "\(line)"
        return "\(file):\(position): \(severity.rawValue): \(message)"
    }
}
