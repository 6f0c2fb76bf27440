import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The writers' lock of a store: an exclusive `flock` on `write.lock` in the store folder
/// (Formats/column-file.md, "Generations and commits; writers and the lock"). Readers never take it. The kernel releases it
/// when the holder exits, killed or not, so a crashed writer never leaves the store locked.
final class StoreLock {
    let fd: Int32
    let path: String

    /// Takes the lock of the store folder open at `dirfd`, waiting up to `timeout` seconds for another
    /// writer (in this process or another) to finish.
    /// - Throws: `KuaiError.io` when the folder is read-only or the lock file cannot be created, and
    ///   when the lock is still held after `timeout` (naming the holder's pid when it wrote one).
    init(dirfd: Int32, storePath: String, timeout: Double) throws {
        path = storePath + "/" + FormatConstants.lockName
        let f = openat(dirfd, FormatConstants.lockName, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if f < 0 {
            let e = errno
            if e == EROFS || e == EACCES || e == EPERM {
                throw KuaiError(
                    .io,
                    "the store is read-only (cannot create its lock file: \(POSIX.errorText(e))); nothing was written",
                    at: storePath)
            }
            throw POSIX.ioError("cannot open the store's lock file", path, e)
        }
        fd = f
        let deadline = Self.now() + max(timeout, 0)
        var pause: UInt32 = 2_000
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            if e == EINTR { continue }
            guard e == EWOULDBLOCK else {
                close(fd)
                throw POSIX.ioError("cannot lock the store", path, e)
            }
            if Self.now() >= deadline {
                let holder = Self.holder(fd)
                close(fd)
                throw KuaiError(
                    .io,
                    "another process\(holder.map { " (pid \($0))" } ?? "") is writing the store; gave up after waiting \(Int(timeout.rounded())) s",
                    at: storePath)
            }
            usleep(pause)
            pause = min(pause * 2, 100_000)
        }
        // Record the holder for the error message of a waiting writer (informational).
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress!, $0.count, 0) } }
    }

    deinit { release() }

    private var released = false

    /// Releases the lock (idempotent).
    func release() {
        if released { return }
        released = true
        _ = ftruncate(fd, 0)
        close(fd)
    }

    private static func holder(_ fd: Int32) -> Int32? {
        var buf = [UInt8](repeating: 0, count: 24)
        let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buf[0..<n].filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self))
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
