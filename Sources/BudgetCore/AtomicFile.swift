import Foundation

/// Writes files so that a crash never leaves a half-written one: a temporary file in the same
/// folder, synced, then renamed over the target. The one home of temp-file-then-rename: snapshots,
/// REPL history, `.output`, exports and generated data all write through it.
public enum AtomicFile {
    /// Why a file could not be written; the target is left as it was.
    public struct Failure: Error, LocalizedError, CustomStringConvertible {
        public var message: String
        public var description: String { message }
        public var errorDescription: String? { message }
        public init(message: String) { self.message = message }
    }

    /// Replaces `path` with `text` as UTF-8.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Replaces `path` with `data`.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { try $0.write(contentsOf: data) }
    }

    /// Writes `path` through `body`, which may write, seek and write again on the open handle
    /// (the snapshot writer fills its header last).
    public static func write(to path: String, _ body: (FileHandle) throws -> Void) throws {
        try replace(path) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: nil),
                  let handle = FileHandle(forWritingAtPath: temporary) else {
                throw Failure(message: "cannot create \(temporary): \(String(cString: strerror(errno)))")
            }
            do {
                try body(handle)
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
        }
    }

    /// Replaces `path` with the file `fill` writes at the temporary path it is given, for writers
    /// that open files themselves (libedit's history_save). `fill` throws to leave `path` alone.
    public static func replace(_ path: String, filling fill: (_ temporaryPath: String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)").path
        do {
            try fill(temporary)
            // Synced before the rename, so the new name never points at data still in the page cache.
            let descriptor = open(temporary, O_RDONLY)
            guard descriptor >= 0 else { throw Failure(message: "cannot reopen \(temporary): \(String(cString: strerror(errno)))") }
            let synced = fsync(descriptor) == 0, syncError = errno
            close(descriptor)
            guard synced else { throw Failure(message: "cannot sync \(temporary): \(String(cString: strerror(syncError)))") }
            guard rename(temporary, path) == 0 else {
                throw Failure(message: "cannot rename \(temporary) over \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }
}
