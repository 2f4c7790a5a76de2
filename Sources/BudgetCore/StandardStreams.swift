import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard output and error, and reads standard input, with plain system calls that
/// return errors instead of trapping (Foundation's `FileHandle.write` traps on EPIPE or EBADF,
/// which printed a SIGILL backtrace for `budgetq … | head -1` with SIGPIPE ignored).
public enum StandardStreams {
    /// Makes a closed standard stream a `/dev/null` slot, so no file budgetq opens gets descriptor
    /// 0, 1 or 2 (results would go into it); ignores SIGPIPE so a closed pipe is an EPIPE error
    /// handled at the write. Call first thing.
    public static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        for descriptor in Int32(0)...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let null = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
            if null >= 0 && null != descriptor { dup2(null, descriptor); close(null) }
            if descriptor == 1 { outputWasClosed = true }
        }
    }

    nonisolated(unsafe) static var outputWasClosed = false

    /// Writes all of `bytes` to `descriptor`; the errno on failure.
    public static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }

    /// Writes result text to standard output. A reader that went away (`| head -1`) ends budgetq
    /// quietly with status 0, as it would end by SIGPIPE; any other failure (a full disk, a closed
    /// stream) is said on standard error and ends it with status 1, rather than going on unseen.
    public static func writeOutput(_ text: String) {
        if outputWasClosed { fail("cannot write standard output: it is closed") }
        var text = text
        let failure = text.withUTF8 { write(UnsafeRawBufferPointer($0), to: STDOUT_FILENO) }
        guard let failure else { return }
        if failure == EPIPE { exit(0) }
        fail("cannot write standard output: \(String(cString: strerror(failure)))")
    }

    /// Writes bytes (a workbook, a BOM-prefixed CSV) to standard output, as `writeOutput(_:)` does text.
    public static func writeOutput(_ data: Data) {
        if outputWasClosed { fail("cannot write standard output: it is closed") }
        let failure = data.withUnsafeBytes { write($0, to: STDOUT_FILENO) }
        guard let failure else { return }
        if failure == EPIPE { exit(0) }
        fail("cannot write standard output: \(String(cString: strerror(failure)))")
    }

    /// Writes to standard error; a failure there has nowhere to be told and is ignored.
    public static func writeError(_ text: String) {
        var text = text
        _ = text.withUTF8 { write(UnsafeRawBufferPointer($0), to: STDERR_FILENO) }
    }

    private static func fail(_ message: String) -> Never {
        writeError("budgetq: \(message)\n")
        exit(1)
    }

    /// All of standard input; empty when it is closed or unreadable.
    public static func readInput() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(STDIN_FILENO, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return bytes }
            bytes += chunk[..<n]
        }
    }
}
