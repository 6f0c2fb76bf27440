import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// The process-wide memory limit of `--memory-limit`: operators call `check()` between batches;
/// it reads the resident set size (/proc/self/statm) and throws
/// `KuaiError.execution` once it exceeds the limit. 0 = no limit. Large allocations are checked
/// before they are made (`admit`, `noteAllocation`), and spilling operators ask `shouldSpill`
/// whether to move their state to disk (`SpillDirectory`) before the limit is reached. `check()` also throws once the
/// query was interrupted (QueryControl, Ctrl-C).
public enum MemoryGuard {
    nonisolated(unsafe) private static var limitBytes = 0

    /// Sets the limit in bytes (0 = none).
    public static func setLimit(_ bytes: Int) {
        limitBytes = bytes
        lastResidentRead = 0
        overrunLock.withLock { pendingOverrun = 0 }
    }

    /// The limit in bytes (0 = none).
    public static var limit: Int { limitBytes }

    /// Spilling operators move their state to disk once the resident memory passes this fraction
    /// of the limit (the rest is for the scans, the batches in flight and the partition being
    /// processed).
    nonisolated(unsafe) public static var spillFraction = 0.6

    /// A state smaller than this is not worth a spill (bytes).
    nonisolated(unsafe) public static var minimumSpillBytes = 8 << 20

    /// Tests: when > 0, a spilling operator spills whenever its state holds more than this many
    /// bytes, whatever the limit (forces spills on small data).
    nonisolated(unsafe) public static var testSpillBytes = 0

    /// True when an operator whose spillable state holds about `holding` bytes should move it to
    /// disk now: a limit is set, the state is at least `minimumSpillBytes` and the process's
    /// resident memory plus its pending large allocations passed `spillFraction` of the limit.
    /// - Parameter growing: bytes the state is about to allocate (a hash table's next growth
    ///   step): counted with the resident memory, so that one large step cannot jump past the limit.
    public static func shouldSpill(holding: Int, growing: Int = 0) -> Bool {
        if testSpillBytes > 0 { return holding > testSpillBytes }
        if limitBytes == 0 || holding < minimumSpillBytes { return false }
        return Double(residentBytes() + growing) > Double(limitBytes) * spillFraction
    }

    /// Gives memory freed by a spill back to the system (glibc keeps up to 256 MiB of freed heap,
    /// see kuai-query's mallopt), so the resident size that `shouldSpill` reads drops. A large
    /// allocation noted before the spill (`noteAllocation`: often the growth of the very state that
    /// spilled) is judged again against the memory held now: if the resident memory plus that
    /// allocation fits under the limit, it no longer fails the next `check()`.
    public static func returnFreedMemory() {
        #if canImport(Glibc)
            _ = mallocTrim(0)
        #endif
        if limitBytes == 0 { return }
        let rss = residentBytes()
        overrunLock.withLock {
            if pendingOverrun > 0 && rss + pendingOverrun <= limitBytes { pendingOverrun = 0 }
        }
    }

    /// The largest allocation (bytes) that took the process past the limit since the last check,
    /// 0 when none (set by `noteAllocation`, thrown by the next `check()`).
    nonisolated(unsafe) private static var pendingOverrun = 0
    private static let overrunLock = Mutex()

    /// Checks a large allocation of `bytes` before it is made (hash table growth, a materialised
    /// column, a sort buffer), so that one allocation between two batch checks cannot pass the
    /// limit unseen: when the resident memory plus `bytes` exceeds the limit, the next `check()`
    /// throws the memory-limit error (callers that cannot throw go on; the query stops at its next
    /// batch). Allocations under 1 MiB are not checked (one `pread` each would cost more).
    public static func noteAllocation(_ bytes: Int) {
        if limitBytes == 0 || bytes < 1 << 20 { return }
        if residentBytes() + bytes > limitBytes { overrunLock.withLock { pendingOverrun = max(pendingOverrun, bytes) } }
    }

    /// `noteAllocation` for callers that can throw: throws the memory-limit error at once.
    /// - Throws: `KuaiError.execution` when the resident memory plus `bytes` exceeds the limit.
    public static func admit(_ bytes: Int) throws {
        if limitBytes == 0 || bytes < 1 << 20 { return }
        let rss = residentBytes()
        if rss + bytes > limitBytes { throw overrun(rss, bytes) }
    }

    private static func overrun(_ rss: Int, _ bytes: Int) -> KuaiError {
        KuaiError(
            .execution,
            "memory limit exceeded: the query holds \(binaryUnits(rss)) and needs \(binaryUnits(bytes)) more, the limit is \(binaryUnits(limitBytes)) (--memory-limit)"
        )
    }

    /// Throws when the process holds more than the limit, or when a large allocation noted since
    /// the last check took it past the limit (`noteAllocation`). Callers check once per batch; the
    /// resident size itself (one `pread` of /proc/self/statm, a system call of a few µs) is read at
    /// most once per `residentReadInterval` across all threads, so a query of many small morsels
    /// does not pay one read per morsel. Allocations of 1 MiB or more are judged when they are
    /// made (`admit`, `noteAllocation`), so what can grow unseen between two reads is the small
    /// allocations of at most 2 ms of work.
    @inline(__always)
    public static func check() throws {
        try QueryControl.checkInterrupt()
        if limitBytes == 0 { return }
        let bytes = overrunLock.withLock { () -> Int in
            let b = pendingOverrun
            pendingOverrun = 0
            return b
        }
        if bytes > 0 { throw overrun(residentBytes(), bytes) }
        guard residentReadDue() else { return }
        let rss = residentBytes()
        if rss > limitBytes {
            throw KuaiError(
                .execution,
                "memory limit exceeded: the query holds \(binaryUnits(rss)), the limit is \(binaryUnits(limitBytes)) (--memory-limit)"
            )
        }
    }

    /// Nanoseconds between two reads of the resident size by `check()` (2 ms).
    static let residentReadInterval: UInt64 = 2_000_000

    /// Monotonic time (ns) of the last resident-size read by `check()`; 0 before the first.
    nonisolated(unsafe) private static var lastResidentRead: UInt64 = 0

    /// True when `check()` should read the resident size now: the first check, and then once the
    /// interval has passed since the last read (a racy read of a word: two threads may both read,
    /// which costs one extra system call, never a missed check).
    @inline(__always) private static func residentReadDue() -> Bool {
        #if canImport(Glibc)
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            let now = UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
            if lastResidentRead != 0 && now &- lastResidentRead < residentReadInterval { return false }
            lastResidentRead = now
        #endif
        return true
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
        /// glibc's malloc_trim (not exported by the Glibc module).
        @_silgen_name("malloc_trim") private static func mallocTrim(_ pad: Int) -> Int32

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
