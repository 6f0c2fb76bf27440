import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin POSIX helpers for the store: every failure becomes a `KuaiError.io` naming the path.
enum POSIX {
    static func errorText(_ e: Int32 = errno) -> String { String(cString: strerror(e)) }

    static func ioError(_ what: String, _ path: String, _ e: Int32 = errno) -> KuaiError {
        KuaiError(.io, "\(what): \(errorText(e))", at: path)
    }

    /// Writes all `count` bytes at `ptr` to `fd`, retrying short writes and EINTR.
    static func writeAll(_ fd: Int32, _ ptr: UnsafeRawPointer, _ count: Int, path: String) throws {
        var done = 0
        while done < count {
            let n = write(fd, ptr + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("cannot write", path)
            }
            done += n
        }
    }

    /// Reads exactly `count` bytes of `fd` at `offset` into `ptr`, retrying short reads and EINTR.
    /// - Throws: `KuaiError(.io)` naming `path` when the read fails or the file ends first.
    static func preadAll(_ fd: Int32, _ ptr: UnsafeMutableRawPointer, _ count: Int, at offset: Int, path: String) throws
    {
        var done = 0
        while done < count {
            let n = pread(fd, ptr + done, count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError("cannot read", path)
            }
            if n == 0 { throw KuaiError(.io, "file ended early: it changed after it was opened", at: path) }
            done += n
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { b in
            guard let base = b.baseAddress, b.count > 0 else { return }
            try writeAll(fd, base, b.count, path: path)
        }
    }

    /// Reads the whole of the regular file `name` relative to the directory `dirfd` (store files:
    /// the manifest). Opens without blocking, so a FIFO in its place cannot hang the reader.
    /// - Throws: `KuaiError(.io)` when it cannot be opened or read; `KuaiError(.corrupt)` when it is
    ///   not a regular file (a FIFO, a device such as /dev/zero, a directory).
    static func readFile(dirfd: Int32, _ name: String, displayPath: String) throws -> [UInt8] {
        var st = stat()
        return try readFile(dirfd: dirfd, name, displayPath: displayPath, stat: &st)
    }

    /// `readFile` that also returns the file's `stat` (taken on the open descriptor, so it describes
    /// exactly the bytes read).
    static func readFile(dirfd: Int32, _ name: String, displayPath: String, stat st: inout stat) throws -> [UInt8] {
        let fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 { throw ioError(errno == ENOENT ? "no such file" : "cannot open", displayPath) }
        defer { close(fd) }
        if fstat(fd, &st) != 0 { throw ioError("cannot stat", displayPath) }
        try requireRegularFile(st, displayPath)
        // Read straight into the result, sized by the stat plus one byte (so a file of the stated
        // size ends within the first buffer); a file that grew since is read on in 64 KiB steps.
        let first = Int(st.st_size) + 1
        var out = try readAvailable(fd, upTo: first, displayPath)
        var full = out.count == first
        while full {
            let more = try readAvailable(fd, upTo: 1 << 16, displayPath)
            out += more
            full = more.count == 1 << 16
        }
        return out
    }

    /// Up to `limit` bytes read from `fd`: fewer only at the end of the file.
    private static func readAvailable(_ fd: Int32, upTo limit: Int, _ displayPath: String) throws -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: limit) { buffer, n in
            n = 0
            while n < limit {
                let r = read(fd, buffer.baseAddress! + n, limit - n)
                if r > 0 {
                    n += r
                } else if r == 0 {
                    return
                } else if errno != EINTR {
                    failure = errno
                    return
                }
            }
        }
        if failure != 0 { throw ioError("cannot read", displayPath, failure) }
        return bytes
    }

    /// Throws `KuaiError(.corrupt)` unless `st` describes a regular file: a store holds only
    /// regular files, and reading a FIFO or a device would block or never end.
    static func requireRegularFile(_ st: stat, _ displayPath: String) throws {
        let kind = st.st_mode & S_IFMT
        if kind == S_IFREG { return }
        let what =
            kind == S_IFIFO
            ? "a FIFO"
            : kind == S_IFDIR ? "a directory" : kind == S_IFCHR || kind == S_IFBLK ? "a device" : "not a file"
        throw KuaiError(.corrupt, "not a regular file (\(what)); a store holds only regular files", at: displayPath)
    }

    /// `open(2)`, reachable from types that declare their own `open`.
    static func openPath(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }

    /// fsyncs the file or directory at `path`.
    static func fsyncPath(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ioError("cannot open for fsync", path) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw ioError("fsync failed", path) }
    }

    enum Kind { case missing, directory, file, other }

    /// What is at `path`, without following a final symbolic link.
    static func kind(_ path: String) -> Kind {
        var st = stat()
        if lstat(path, &st) != 0 { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    /// Names in a directory, without "." and "..". Empty when it cannot be read.
    static func listDirectory(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes `path` and everything below it; does not follow symbolic links. Best effort.
    static func removeTree(_ path: String) {
        switch kind(path) {
        case .missing: return
        case .directory:
            for n in listDirectory(path) { removeTree(path + "/" + n) }
            rmdir(path)
        default:
            unlink(path)
        }
    }

    /// Linux `RENAME_EXCHANGE` (linux/fs.h).
    static let renameExchange: UInt32 = 1 << 1

    /// Atomically swaps the directory entries `a` and `b` (renameat2 with RENAME_EXCHANGE).
    /// - Returns: 0 on success, otherwise the errno (ENOSYS when renameat2 is unavailable).
    static func exchange(_ a: String, _ b: String) -> Int32 {
        if glibcRenameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0 { return 0 }
        return errno
    }

    /// An absolute, "/"-joined form of `path` (relative paths are taken from the working directory):
    /// "//" and "/." components collapsed, no trailing "/". Works on the UTF-8 bytes (a store path
    /// is normalised once per open; the byte loop avoids the generic `String` appends).
    static func absolute(_ path: String) -> String {
        let slash = UInt8(ascii: "/")
        let dot = UInt8(ascii: ".")
        var bytes: [UInt8] = []
        if path.utf8.first != slash {
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if getcwd(&buf, buf.count) != nil {
                bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                bytes.append(slash)
            }
        }
        bytes.append(contentsOf: path.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 1)
        var i = 0
        while i < bytes.count {
            if bytes[i] == slash {
                i += 1
                continue
            }
            var j = i
            while j < bytes.count && bytes[j] != slash { j += 1 }
            if !(j == i + 1 && bytes[i] == dot) {
                out.append(slash)
                out.append(contentsOf: bytes[i..<j])
            }
            i = j
        }
        if out.isEmpty { out.append(slash) }
        return String(decoding: out, as: UTF8.self)
    }

    static func parentAndName(_ absPath: String) -> (String, String) {
        guard let slash = absPath.lastIndex(of: "/") else { return (".", absPath) }
        let parent = String(absPath[..<slash])
        return (parent.isEmpty ? "/" : parent, String(absPath[absPath.index(after: slash)...]))
    }

    static func random64() -> UInt64 {
        var g = SystemRandomNumberGenerator()
        return g.next()
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

/// Little-endian byte building for headers and footers.
struct ByteBuilder {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    mutating func zeros(_ n: Int) { bytes.append(contentsOf: repeatElement(0, count: n)) }
}

/// glibc's renameat2 (glibc >= 2.28; declared in stdio.h only under _GNU_SOURCE, so the Glibc module
/// does not export it). Linked by name rather than looked up with dlsym, which a static executable
/// (the release build, see Package.swift) cannot do.
@_silgen_name("renameat2")
private func glibcRenameat2(
    _ olddirfd: Int32, _ oldpath: UnsafePointer<CChar>, _ newdirfd: Int32,
    _ newpath: UnsafePointer<CChar>, _ flags: UInt32
) -> Int32
