/// One problem found while reading input, printed as `FILE:LINE[:COLUMN]: error|warning: message`.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    /// How bad a problem is: errors mean something could not be loaded.
    public enum Severity: String, Sendable { case error, warning }

    public var file: String
    public var line: Int
    public var column: Int?
    public var severity: Severity
    public var message: String

    public init(file: String, line: Int, column: Int? = nil, severity: Severity, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.message = message
    }

    public static func error(_ file: String, _ line: Int, _ message: String) -> Diagnostic {
        Diagnostic(file: file, line: line, severity: .error, message: message)
    }

    public static func warning(_ file: String, _ line: Int, _ message: String) -> Diagnostic {
        Diagnostic(file: file, line: line, severity: .warning, message: message)
    }

    public var description: String {
        let position = column.map { "\(line):\($0)" } ?? "\(line)"
        return "\(file):\(position): \(severity.rawValue): \(message)"
    }
}
