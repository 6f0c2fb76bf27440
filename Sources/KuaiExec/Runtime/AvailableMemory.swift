#if canImport(Glibc)
    import Glibc
#endif

/// The memory this process may use, and the default memory limit computed from it, as DuckDB
/// 2.0.1 does (FileSystem::GetAvailableMemory, CGroups::GetMemoryLimit): physical memory, or the
/// control group's limit when that is lower (a container), so the default limit leaves the kernel
/// no reason to kill the process.
///
/// Control groups: v2 when `/sys/fs/cgroup/cgroup.controllers` exists: the `0::PATH` line of
/// `/proc/self/cgroup`, then `/sys/fs/cgroup/PATH/memory.max` ("max" = no limit); else v1: the
/// `N:memory:PATH` line (the controller may be listed with others, `N:cpu,memory:PATH`), then
/// `/sys/fs/cgroup/memory/PATH/memory.limit_in_bytes`; when PATH's file is missing, the file at the
/// mount's top (a container sees its own group there). A file that is missing or unreadable means
/// no limit from it.
public enum AvailableMemory {
    /// The default `--memory-limit`: 80% of the available memory in bytes (DuckDB's default
    /// `memory_limit`).
    public static func defaultLimitBytes(root: String = "") -> Int {
        Int(Double(bytes(root: root)) * 0.8)
    }

    /// Physical memory in bytes, lowered to the control group's limit when there is one.
    /// - Parameter root: prefix of the /proc and /sys paths (tests point it at a fake tree).
    public static func bytes(root: String = "") -> Int {
        let physical = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let limit = cgroupLimit(root: root), limit > 0 else { return physical }
        return min(physical, limit)
    }

    /// The memory limit of this process's control group in bytes, nil when there is none.
    public static func cgroupLimit(root: String = "") -> Int? {
        guard let selfGroups = readFile(root + "/proc/self/cgroup") else { return nil }
        let lines = selfGroups.split(separator: "\n")
        if readFile(root + "/sys/fs/cgroup/cgroup.controllers") != nil {
            guard let line = lines.first(where: { $0.hasPrefix("0::") }) else { return nil }
            return limit(root + "/sys/fs/cgroup", trimmedPath(line.dropFirst(3)), "memory.max")
        }
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[1].split(separator: ",").contains("memory") else { continue }
            return limit(root + "/sys/fs/cgroup/memory", trimmedPath(parts[2]), "memory.limit_in_bytes")
        }
        return nil
    }

    /// The number in `mount/path/file`; when that file is missing, in `mount/file` (a container
    /// whose cgroup namespace is not its own sees its host's path, while its mount is its own group).
    private static func limit(_ mount: String, _ path: String, _ file: String) -> Int? {
        if let text = readFile(mount + path + "/" + file) { return number(text) }
        return path.isEmpty ? nil : number(readFile(mount + "/" + file))
    }

    /// A cgroup path without a trailing slash ("/" becomes "").
    private static func trimmedPath(_ p: Substring) -> String {
        var s = String(p)
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }

    /// The decimal number a cgroup file holds (nil for "max", empty or anything else).
    private static func number(_ text: String?) -> Int? {
        guard let t = text?.split(whereSeparator: { $0 == "\n" || $0 == " " }).first else { return nil }
        return Int(t)
    }

    /// The first 4 KiB of a file as text, nil when it cannot be opened.
    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n], as: UTF8.self)
    }
}
