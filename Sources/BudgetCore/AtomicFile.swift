import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a crash never leaves a half-written one: a temporary file in the same
/// folder, synced, then renamed over the target. The one home of temp-file-then-rename: snapshots,
/// REPL history, `.output`, exports and generated data all write through it.
///
/// A symbolic link is followed: its target is replaced and the link stays. A character device or
/// FIFO (`/dev/stdout`, `/dev/null`, a pipe) is written through, never replaced by a regular file;
/// a folder or block device is refused. Every failure names the target and the system's reason,
/// and removes the temporary file. Temporary files left by a killed writer are removed by the next
/// write to the same target.
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

    /// What writing to a path means.
    enum Target {
        /// A regular file (existing or not) at this resolved path, replaced by rename; its mode if it exists.
        case replace(String, mode: mode_t?)
        /// A character device or FIFO: opened and written in place.
        case writeThrough(String)
    }

    /// Follows symbolic links to the file that would be written, and says how.
    static func target(of path: String) throws -> Target {
        var resolved = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(resolved, &info) == 0 else {
                if errno == ENOENT { return .replace(resolved, mode: nil) }
                throw Failure(message: "cannot write \(path): \(reason(errno))")
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let count = readlink(resolved, &buffer, buffer.count - 1)
                guard count >= 0 else { throw Failure(message: "cannot write \(path): \(reason(errno))") }
                let destination = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                resolved = destination.hasPrefix("/") ? destination
                    : (URL(fileURLWithPath: resolved).deletingLastPathComponent().path as NSString).appendingPathComponent(destination)
            case S_IFREG: return .replace(resolved, mode: info.st_mode & 0o7777)
            case S_IFDIR: throw Failure(message: "cannot write \(path): it is a folder; name a file inside it")
            case S_IFCHR, S_IFIFO: return .writeThrough(resolved)
            default: throw Failure(message: "cannot write \(path): it is a block device or socket, not a file; refusing to replace it")
            }
        }
        throw Failure(message: "cannot write \(path): too many levels of symbolic links")
    }

    /// The system's reason, in words a user can act on.
    static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// Writes `path` through `body`, which may write, seek and write again on the open handle
    /// (the snapshot writer fills its header last).
    public static func write(to path: String, _ body: (FileHandle) throws -> Void) throws {
        if case .writeThrough(let device) = try target(of: path) {
            // O_NONBLOCK so a FIFO nobody reads is an error, not a hang; writes then block as usual.
            let descriptor = open(device, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else {
                let code = errno
                throw Failure(message: "cannot write \(path): \(code == ENXIO ? "a FIFO with no reader" : reason(code))")
            }
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            do {
                try body(handle)
            } catch {
                throw Failure(message: "cannot write \(path): \(describe(error))")
            }
            return
        }
        try replace(path) { temporary in
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw Failure(message: "cannot write \(path): \(reason(errno))") }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
            do {
                try body(handle)
                close(descriptor)
            } catch {
                close(descriptor)
                throw Failure(message: "cannot write \(path): \(describe(error))")
            }
        }
    }

    /// The errno reason inside a Foundation write error ("No space left on device"), else its text.
    static func describe(_ error: Error) -> String {
        if let failure = error as? Failure { return failure.message }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return reason(Int32(underlying.code))
        }
        if ns.domain == NSPOSIXErrorDomain { return reason(Int32(ns.code)) }
        return error.localizedDescription
    }

    /// Replaces `path` with the file `fill` writes at the temporary path it is given, for writers
    /// that open files themselves (libedit's history_save). `fill` throws to leave `path` alone.
    public static func replace(_ path: String, filling fill: (_ temporaryPath: String) throws -> Void) throws {
        let resolved: String, mode: mode_t?
        switch try target(of: path) {
        case .replace(let file, let existing): (resolved, mode) = (file, existing)
        case .writeThrough: throw Failure(message: "cannot write \(path): a device or FIFO cannot be replaced")
        }
        let url = URL(fileURLWithPath: resolved)
        let folder = url.deletingLastPathComponent().path
        var info = stat()
        if stat(folder, &info) != 0 {
            throw Failure(message: "cannot write \(path): the folder \(folder) does not exist")
        }
        let prefix = ".\(url.lastPathComponent).tmp-"
        removeStaleTemporaries(in: folder, prefix: prefix)
        let temporary = (folder as NSString).appendingPathComponent(prefix + "\(getpid())")
        unlink(temporary)
        do {
            try fill(temporary)
            if let mode { chmod(temporary, mode) }
            // Synced before the rename, so the new name never points at data still in the page cache.
            let descriptor = open(temporary, O_RDONLY)
            guard descriptor >= 0 else { throw Failure(message: "cannot write \(path): cannot reopen \(temporary): \(reason(errno))") }
            let synced = fsync(descriptor) == 0, syncError = errno
            close(descriptor)
            guard synced else { throw Failure(message: "cannot write \(path): \(reason(syncError))") }
            guard rename(temporary, resolved) == 0 else {
                throw Failure(message: "cannot write \(path): \(reason(errno))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Temporary files of `prefix` whose writer (the process id after the prefix) is gone: a
    /// killed save. Removed so they do not pile up; a live writer's file is left alone.
    static func removeStaleTemporaries(in folder: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)) else { continue }
            if pid == getpid() || (kill(pid, 0) != 0 && errno == ESRCH) {
                unlink((folder as NSString).appendingPathComponent(name))
            }
        }
    }
}
