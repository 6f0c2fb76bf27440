import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// The process-wide memory limit of `--memory-limit`: operators call `check()` between batches;
/// it reads the resident set size (/proc/self/statm) and throws
/// `KuaiError.execution` once it exceeds the limit. 0 = no limit. `check()` also throws once the
/// query was interrupted (QueryControl, Ctrl-C).
public enum MemoryGuard {
    nonisolated(unsafe) private static var limitBytes = 0

    /// Sets the limit in bytes (0 = none).
    public static func setLimit(_ bytes: Int) { limitBytes = bytes }

    /// Throws when the process holds more than the limit (one `pread` of /proc/self/statm on a
    /// descriptor opened once, a few µs: callers check once per batch).
    @inline(__always)
    public static func check() throws {
        try QueryControl.checkInterrupt()
        if limitBytes == 0 { return }
        let rss = residentBytes()
        if rss > limitBytes {
            throw KuaiError(
                .execution,
                "memory limit exceeded: the query holds \(binaryUnits(rss)), the limit is \(binaryUnits(limitBytes)) (--memory-limit)"
            )
        }
    }

    /// `bytes` in binary units with one decimal, as DuckDB prints memory: "45.0 MiB", "1.8 GiB".
    public static func binaryUnits(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes)
        var u = 0
        while v >= 1024 && u < units.count - 1 {
            v /= 1024
            u += 1
        }
        if u == 0 { return "\(bytes) bytes" }
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[u])"
    }

    #if canImport(Glibc)
        /// /proc/self/statm, opened on first use and kept open (no path lookup per check).
        private static let statm: Int32 = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        private static let pageBytes = Int(sysconf(Int32(_SC_PAGESIZE)))
    #endif

    /// Resident set size of this process in bytes (0 when unknown): the second number of
    /// /proc/self/statm (resident pages) times the page size.
    public static func residentBytes() -> Int {
        #if canImport(Glibc)
            let fd = statm
            guard fd >= 0 else { return 0 }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buf -> Int in
                let n = pread(fd, buf.baseAddress!, 128, 0)
                guard n > 0 else { return 0 }
                var i = 0
                while i < n && buf[i] != UInt8(ascii: " ") { i += 1 }  // total program size
                while i < n && buf[i] == UInt8(ascii: " ") { i += 1 }
                var pages = 0
                var digits = 0
                while i < n, buf[i] >= UInt8(ascii: "0"), buf[i] <= UInt8(ascii: "9"), digits < 18 {
                    pages = pages * 10 + Int(buf[i] - UInt8(ascii: "0"))
                    i += 1
                    digits += 1
                }
                return digits == 0 ? 0 : pages * pageBytes
            }
        #else
            return 0
        #endif
    }
}
