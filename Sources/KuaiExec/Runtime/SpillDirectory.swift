import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// Where operators spill what does not fit under `--memory-limit`, as DuckDB's `temp_directory`:
/// `--temp-directory DIR`, else `STORE.tmp` beside the store (DuckDB's `database.tmp`), else the
/// system's temporary folder when that cannot be created.
///
/// Each process works in its own subfolder `kuai_temp_PID`, made on the first spill. A spill file
/// is unlinked as soon as it is opened (the kernel frees it when the descriptor closes, also when
/// the process dies); the subfolder is removed by `finish()` and, after a crash, by
/// `removeStale()` of the next run (any `kuai_temp_PID` whose process no longer exists).
public enum SpillDirectory {
    private static let lock = Mutex()
    nonisolated(unsafe) private static var base = ""
    nonisolated(unsafe) private static var made: String?
    /// True when the base folder was made for spilling (it is removed again when empty).
    nonisolated(unsafe) private static var madeBase = false
    nonisolated(unsafe) private static var fileCount = 0
    nonisolated(unsafe) private static var bytesWritten = 0

    /// Sets the folder spill files go under (`--temp-directory`, or the store's path + ".tmp").
    /// Stale folders of crashed runs found there are removed.
    public static func configure(_ path: String) {
        lock.withLock { base = path }
        removeStale()
    }

    /// The configured folder (empty before `configure`).
    public static var path: String { lock.withLock { base } }

    /// Total bytes written to spill files by this process (for EXPLAIN ANALYZE and tests).
    public static var spilledBytes: Int { lock.withLock { bytesWritten } }

    /// Number of spill files opened by this process.
    public static var filesOpened: Int { lock.withLock { fileCount } }

    static func noteWrite(_ n: Int) { lock.withLock { bytesWritten += n } }

    /// A new, already unlinked, read-write file in this process's subfolder.
    /// - Throws: `KuaiError.execution` naming the folder when it cannot be created or written.
    static func openFile() throws -> Int32 {
        try lock.withLock { () -> Int32 in
            let dir = try processFolder()
            fileCount += 1
            let name = dir + "/spill_\(fileCount).bin"
            let fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw KuaiError(.execution, "cannot create spill file \(name): \(String(cString: strerror(errno)))")
            }
            unlink(name)
            return fd
        }
    }

    /// The subfolder of this process (made on first use; the base folder too when missing).
    private static func processFolder() throws -> String {
        if let made { return made }
        var root = base
        if !root.isEmpty && mkdir(root, 0o700) == 0 {
            madeBase = true
        } else if root.isEmpty || errno != EEXIST {
            root = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        }
        let dir = root + "/kuai_temp_\(getpid())"
        if mkdir(dir, 0o700) != 0 && errno != EEXIST {
            throw KuaiError(
                .execution,
                "cannot create the temporary folder \(dir) for spilling: \(String(cString: strerror(errno))) (--temp-directory)"
            )
        }
        made = dir
        return dir
    }

    /// Removes this process's subfolder (its files are already unlinked) and the base folder when
    /// it is empty and was made for spilling. Called once a statement ends.
    public static func finish() {
        lock.withLock {
            guard let dir = made else { return }
            removeFolder(dir)
            made = nil
            if madeBase { rmdir(base) }  // only succeeds when empty
            madeBase = false
        }
    }

    /// Removes `kuai_temp_PID` folders under the configured folder whose process is gone.
    public static func removeStale() { removeStale(in: path) }

    /// Removes `kuai_temp_PID` folders under `root` whose process is gone (after a crash).
    public static func removeStale(in root: String) {
        guard !root.isEmpty, let d = opendir(root) else { return }
        var stale: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name.hasPrefix("kuai_temp_"), let pid = Int32(name.dropFirst("kuai_temp_".count)) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH { stale.append(root + "/" + name) }
        }
        closedir(d)
        for s in stale { removeFolder(s) }
    }

    /// Removes the files directly inside `dir`, then `dir`.
    private static func removeFolder(_ dir: String) {
        if let d = opendir(dir) {
            while let e = readdir(d) {
                let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name != "." && name != ".." { unlink(dir + "/" + name) }
            }
            closedir(d)
        }
        rmdir(dir)
    }
}
