import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes of a CSV file holding whole records, ready for one parser.
///
/// `base[0..<count]` are file bytes (plus one LF the reader appends when the file's last record
/// has none); the allocation has `ChunkBuffer.padding` spare bytes after `capacity`.
final class ChunkBuffer: @unchecked Sendable {
    static let padding = 64
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var count = 0
    /// First byte to parse (after the header and BOM in the first chunk).
    var start = 0
    /// File offset just past this chunk's last byte (for progress).
    var fileEnd = 0
    /// True when the chunk is one record that reached `maxRecordBytes` without ending: the
    /// reader stops there and the record is an error.
    var oversized = false

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity + ChunkBuffer.padding)
        // SWAR loads read up to 16 bytes past the last byte: keep the padding initialised.
        (base + capacity).initialize(repeating: 0, count: ChunkBuffer.padding)
    }

    deinit { base.deallocate() }
}

/// Keeps a few chunk buffers of the standard size for reuse (fewer page faults than fresh
/// allocations of 16 MiB).
final class ChunkBufferPool: @unchecked Sendable {
    private let lock = Mutex()
    private var free: [ChunkBuffer] = []
    let standardCapacity: Int
    let keep: Int

    init(standardCapacity: Int, keep: Int) {
        self.standardCapacity = standardCapacity
        self.keep = keep
    }

    func get(capacity: Int) -> ChunkBuffer {
        if capacity == standardCapacity, let b = lock.withLock({ free.popLast() }) {
            b.count = 0
            b.start = 0
            b.fileEnd = 0
            b.oversized = false
            return b
        }
        return ChunkBuffer(capacity: capacity)
    }

    func release(_ b: ChunkBuffer) {
        guard b.capacity == standardCapacity else { return }
        lock.withLock { if free.count < keep { free.append(b) } }
    }
}

/// Reads a file with `read(2)` in chunks of about `chunkBytes`, each cut at the end of its last
/// complete record (quote-aware, `RecordScanner`); the partial record at the end is carried into
/// the next chunk. A record longer than a chunk grows the buffer up to `maxRecordBytes`.
/// Not thread-safe: one caller at a time.
final class ChunkReader {
    let fd: Int32
    let path: String
    let chunkBytes: Int
    let maxRecordBytes: Int
    let pool: ChunkBufferPool
    /// The structure bytes (records are cut where quotes allow).
    let syntax: CSVSyntax
    private var carry: [UInt8] = []
    /// Bytes per read(2) call: small enough that the quote search after it hits the cache.
    static let readStep = 1 << 20
    private(set) var eof = false
    private(set) var bytesRead = 0

    init(fd: Int32, path: String, chunkBytes: Int, maxRecordBytes: Int, pool: ChunkBufferPool, syntax: CSVSyntax) {
        self.fd = fd
        self.syntax = syntax
        self.path = path
        self.chunkBytes = chunkBytes
        self.maxRecordBytes = max(maxRecordBytes, chunkBytes)
        self.pool = pool
    }

    /// The next chunk, or nil at the end of the file.
    /// - Throws: `KuaiError.io` when `read(2)` fails.
    func next() throws -> ChunkBuffer? {
        if eof && carry.isEmpty { return nil }
        var buf = pool.get(capacity: carry.count * 2 > chunkBytes ? carry.count + chunkBytes : chunkBytes)
        var n = carry.count
        // Offset of the first `"` in buf[0..<n], searched right after each read while the bytes
        // are still in cache (the chunk splitter needs it).
        var firstQuote: Int? = nil
        if n > 0 {
            carry.withUnsafeBufferPointer { buf.base.update(from: $0.baseAddress!, count: n) }
            carry.removeAll(keepingCapacity: true)
            firstQuote = RecordScanner.firstQuote(buf.base, from: 0, to: n, quote: syntax.quote)
        }
        while true {
            while n < buf.capacity && !eof {
                let r = read(fd, buf.base + n, min(buf.capacity - n, ChunkReader.readStep))
                if r < 0 {
                    if errno == EINTR { continue }
                    let e = errno
                    pool.release(buf)
                    throw KuaiError(.io, "cannot read file: \(String(cString: strerror(e)))", at: path)
                }
                if r == 0 {
                    eof = true
                    break
                }
                if firstQuote == nil {
                    firstQuote = RecordScanner.firstQuote(buf.base, from: n, to: n + r, quote: syntax.quote)
                }
                n += r
                bytesRead += r
            }
            if eof {
                if n == 0 {
                    pool.release(buf)
                    return nil
                }
                if buf.base[n - 1] != CSVByte.lf {
                    buf.base[n] = CSVByte.lf
                    n += 1
                }
                buf.count = n
                buf.fileEnd = bytesRead
                return buf
            }
            if let split = RecordScanner.lastRecordBoundary(
                buf.base, count: n, firstQuote: firstQuote, syntax: syntax)
            {
                carry.append(contentsOf: UnsafeBufferPointer(start: buf.base + split, count: n - split))
                buf.count = split
                buf.fileEnd = bytesRead - (n - split)
                return buf
            }
            // One record fills the whole buffer: grow, up to maxRecordBytes.
            if buf.capacity >= maxRecordBytes {
                buf.base[n] = CSVByte.lf
                buf.count = n + 1
                buf.fileEnd = bytesRead
                buf.oversized = true
                eof = true
                return buf
            }
            let bigger = ChunkBuffer(capacity: min(buf.capacity * 2, maxRecordBytes))
            bigger.base.update(from: buf.base, count: n)
            pool.release(buf)
            buf = bigger
        }
    }
}
