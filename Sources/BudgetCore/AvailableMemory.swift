import Foundation

/// How much memory a query may still allocate: the kernel's MemAvailable, or less when the
/// process's cgroup (a container, a systemd slice) has a limit that leaves less.
///
/// `BUDGETQ_MEMORY_LIMIT` (bytes, or with K/M/G: `512M`) overrides both, for a smaller budget on
/// a shared machine and for tests.
public struct AvailableMemory: Sendable, Equatable {
    /// Bytes available.
    public var bytes: Int
    /// Where the figure comes from, for messages: "MemAvailable", "cgroup memory.max", "BUDGETQ_MEMORY_LIMIT".
    public var source: String

    public init(bytes: Int, source: String) {
        self.bytes = bytes
        self.source = source
    }

    /// The memory available now; nil when neither /proc/meminfo nor a cgroup says (then no limit).
    public static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> AvailableMemory? {
        if let text = environment["BUDGETQ_MEMORY_LIMIT"], let bytes = parseSize(text) {
            return AvailableMemory(bytes: bytes, source: "BUDGETQ_MEMORY_LIMIT")
        }
        var candidates: [AvailableMemory] = []
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kib = Int(fields[1]) { candidates.append(AvailableMemory(bytes: kib * 1024, source: "MemAvailable")) }
            }
        }
        if let cgroup = cgroupHeadroom() { candidates.append(cgroup) }
        return candidates.min { $0.bytes < $1.bytes }
    }

    /// The cgroup's limit less its usage (cgroup v2 memory.max − memory.current, or v1
    /// memory.limit_in_bytes − memory.usage_in_bytes); nil when there is no limit.
    static func cgroupHeadroom() -> AvailableMemory? {
        func number(_ path: String) -> Int? {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // cgroup v2: the process's group from /proc/self/cgroup ("0::/path"), else the mount's root.
        var folders = ["/sys/fs/cgroup"]
        if let membership = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) {
            for line in membership.split(separator: "\n") where line.hasPrefix("0::") {
                let path = String(line.dropFirst(3))
                if path != "/" { folders.insert("/sys/fs/cgroup" + path, at: 0) }
            }
        }
        for folder in folders {
            // "max" (no limit) does not parse as a number.
            if let limit = number(folder + "/memory.max") {
                let used = number(folder + "/memory.current") ?? 0
                return AvailableMemory(bytes: max(0, limit - used), source: "cgroup memory.max")
            }
        }
        // cgroup v1: an unlimited group reports a limit near Int64.max.
        let v1 = "/sys/fs/cgroup/memory"
        if let limit = number(v1 + "/memory.limit_in_bytes"), limit < 1 << 60 {
            let used = number(v1 + "/memory.usage_in_bytes") ?? 0
            return AvailableMemory(bytes: max(0, limit - used), source: "cgroup memory.limit_in_bytes")
        }
        return nil
    }

    /// `1048576`, `512K`, `64M`, `2G` (powers of 1024; a trailing B or iB is allowed).
    public static func parseSize(_ text: String) -> Int? {
        var s = text.trimmingCharacters(in: .whitespaces).uppercased()
        if s.hasSuffix("IB") { s.removeLast(2) } else if s.hasSuffix("B") { s.removeLast() }
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var scale = 1
        if let last = s.last, let unit = units[last] {
            scale = unit
            s.removeLast()
        }
        guard let value = Int(s), value >= 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }

    /// `1.5 GB`, `640 MB`, `12 KB`, `900 bytes` (powers of 1024, as free(1) counts).
    public static func describe(bytes: Int) -> String {
        let units = [(1 << 40, "TB"), (1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")]
        for (size, name) in units where bytes >= size {
            let value = Double(bytes) / Double(size)
            return value >= 100 ? "\(Int(value.rounded())) \(name)" : String(format: "%.1f %@", value, name)
        }
        return "\(bytes) bytes"
    }
}
