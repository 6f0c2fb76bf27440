import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// Query text from bytes (a -f file, standard input, an argument) as DuckDB 2.0.1 takes it: a UTF-8
/// byte order mark at the start is skipped (editors write one); bytes that are not UTF-8 are an
/// error, never replaced by U+FFFD (a query must not silently change: issue 13).
public enum QueryText {
    /// The text of `bytes`.
    /// - Throws: `KuaiError.syntax` at `source` naming the first byte (1-based) that is not UTF-8.
    public static func decode(_ bytes: [UInt8], source: String) throws -> String {
        var b = bytes[...]
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
        if let s = String(validating: b, as: UTF8.self) { return s }
        var it = b.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while case .scalarValue(let u) = decoder.decode(&it) { offset += UTF8.width(u) }
        throw KuaiError(
            .syntax, "the query is not valid UTF-8 text (byte \(offset + 1 + (b.startIndex - bytes.startIndex)))",
            at: source)
    }

    /// The bytes of the file at `path`, or nil (errno set) when it cannot be read.
    public static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        var bytes = [UInt8](repeating: 0, count: fstat(fd, &info) == 0 ? max(0, Int(info.st_size)) + 1 : 4096)
        var count = 0
        while true {
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            count += n
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// The first command-line argument that is not UTF-8, decoded for its error (Swift's
    /// `CommandLine.arguments` replaces such bytes with U+FFFD).
    /// - Throws: as `decode`, at "argument N".
    public static func checkArguments() throws {
        for i in 1..<Int(CommandLine.argc) {
            guard let p = CommandLine.unsafeArgv[i], String(validatingCString: p) == nil else { continue }
            let raw = Array(
                UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
            _ = try decode(raw, source: "argument \(i)")
        }
    }
}
