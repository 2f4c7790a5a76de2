#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The size of the terminal standard output is, if it is one.
public enum TerminalSize {
    /// Columns and rows of the terminal on standard output; nil for a file or a pipe.
    public static func ofStandardOutput() -> (columns: Int, rows: Int)? {
        guard isatty(STDOUT_FILENO) != 0 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row > 0 ? size.ws_row : 24))
    }
}
