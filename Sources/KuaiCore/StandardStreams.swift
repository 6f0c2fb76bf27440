#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard output and standard error of the executables, written with POSIX `write` so that a
/// closed, full or broken stream is an error the program sees (Foundation's FileHandle traps on
/// one: kuai-convert died with SIGILL under `2>&-` and `2>/dev/full`). Failures are remembered:
/// a program that could not write all its output must not exit 0 (Formats/bad-input.md, "Output").
public enum StandardStreams {
    nonisolated(unsafe) private static var failedWrites: Int32 = 0
    nonisolated(unsafe) private static var firstError: Int32 = 0
    private static let lock = Mutex()

    /// Puts /dev/null, opened read-only, on each of descriptors 0, 1 and 2 that is closed, so that
    /// no file the program opens later takes the place of a standard stream (a store file written
    /// by query results), and writes to a closed stream fail (EBADF) instead of vanishing.
    /// Call first thing in `main`.
    public static func protectClosedDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let n = open("/dev/null", O_RDONLY)
            if n >= 0 && n != fd {
                _ = dup2(n, fd)
                close(n)
            }
        }
    }

    /// Writes all of `bytes` to `fd` (retrying after EINTR and short writes).
    /// - Returns: 0, or the errno of the failed write (also remembered for `failed`).
    @discardableResult
    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard let base = bytes.baseAddress else { return 0 }
        var off = 0
        while off < bytes.count {
            let n = Glibc.write(fd, base + off, bytes.count - off)
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                lock.withLock {
                    failedWrites += 1
                    if firstError == 0 { firstError = e }
                }
                return e
            }
            off += n
        }
        return 0
    }

    /// Writes `text` to `fd`; see `write(_:_:)`.
    @discardableResult
    public static func write(_ fd: Int32, _ text: String) -> Int32 {
        var text = text
        return text.withUTF8 { write(fd, UnsafeRawBufferPointer($0)) }
    }

    /// The errno of the first write that failed, or nil when every write succeeded.
    public static var failed: Int32? { lock.withLock { failedWrites == 0 ? nil : firstError } }

    /// The exit status for a run that would end with `status`: 1 instead of 0 when a write to a
    /// standard stream failed. When that was standard output, it says so on standard error.
    public static func exitStatus(_ status: Int32, program: String) -> Int32 {
        guard let e = failed else { return status }
        let reason = String(cString: strerror(e))
        write(2, "\(program): io error: could not write all output (\(reason))\n")
        return status == 0 ? 1 : status
    }
}
