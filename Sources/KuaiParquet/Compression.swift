import CLZ4
import CSnappy
import CZlib
import CZstd
import KuaiCore

/// Page compression through Debian's libraries: snappy (libsnappy), gzip (zlib), zstd (libzstd)
/// and LZ4_RAW (liblz4 block format). Formats/parquet.md, "Compression".
enum PageCompression {
    /// zstd level of written pages: DuckDB's default (ZSTD_CLEVEL_DEFAULT = 3).
    static let zstdLevel: Int32 = 3
    /// gzip (deflate) level of written pages: zlib's default, as pyarrow and DuckDB use.
    static let gzipLevel: Int32 = 6

    /// Decompresses `src` into exactly `dst.count` bytes.
    /// - Throws: `ParquetDataError` when the codec is not supported, the data is damaged, or it
    ///   decompresses to another size than the page header says.
    static func decompress(
        _ codec: ParquetCodec, _ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer
    )
        throws
    {
        let expected = dst.count
        let produced: Int
        switch codec {
        case .uncompressed:
            guard src.count == expected else { throw sizeError(src.count, expected) }
            if expected > 0 { dst.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: expected) }
            return
        case .snappy: produced = try snappy(src, dst)
        case .gzip: produced = try gunzip(src, dst)
        case .zstd:
            if expected == 0 && src.count == 0 { return }
            let n = ZSTD_decompress(dst.baseAddress, expected, src.baseAddress, src.count)
            if ZSTD_isError(n) != 0 {
                throw ParquetDataError("zstd: \(String(cString: ZSTD_getErrorName(n))) (page of \(expected) bytes)")
            }
            produced = n
        case .lz4Raw:
            if expected == 0 && src.count == 0 { return }
            guard src.count <= Int(Int32.max), expected <= Int(Int32.max) else { throw sizeError(-1, expected) }
            let n = LZ4_decompress_safe(
                src.baseAddress?.assumingMemoryBound(to: CChar.self),
                dst.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(src.count), Int32(expected))
            if n < 0 { throw ParquetDataError("lz4_raw: damaged data (page of \(expected) bytes)") }
            produced = Int(n)
        case .lzo, .brotli, .lz4:
            throw ParquetDataError("compression \(codec.name.uppercased()) is not supported (kuai reads \(readable))")
        }
        guard produced == expected else { throw sizeError(produced, expected) }
    }

    static let readable = "UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW"

    private static func sizeError(_ got: Int, _ expected: Int) -> ParquetDataError {
        ParquetDataError("page decompresses to \(got) bytes, its header says \(expected)")
    }

    private static func snappy(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableRawBufferPointer) throws -> Int {
        let s = src.baseAddress?.assumingMemoryBound(to: CChar.self)
        var length = 0
        guard snappy_uncompressed_length(s, src.count, &length) == SNAPPY_OK else {
            throw ParquetDataError("snappy: damaged data")
        }
        guard length == dst.count else { throw sizeError(length, dst.count) }
        if length == 0 { return 0 }
        var outLength = dst.count
        guard
            snappy_uncompress(s, src.count, dst.baseAddress!.assumingMemoryBound(to: CChar.self), &outLength)
                == SNAPPY_OK
        else { throw ParquetDataError("snappy: damaged data") }
        return outLength
    }

    /// gzip members (zlib with automatic gzip/zlib header detection); several members follow each
    /// other when a writer flushed in pieces.
    private static func gunzip(_ src: UnsafeRawBufferPointer, _ dst: UnsafeMutableRawBufferPointer) throws -> Int {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetDataError("gzip: cannot start zlib")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(src.count)
        stream.next_out = dst.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(dst.count)
        while true {
            let rc = inflate(&stream, Z_FINISH)
            if rc == Z_STREAM_END {
                if stream.avail_in > 0 && stream.avail_out > 0 {
                    guard inflateReset(&stream) == Z_OK else { throw ParquetDataError("gzip: damaged data") }
                    continue
                }
                break
            }
            if rc == Z_BUF_ERROR && stream.avail_out == 0 {
                throw ParquetDataError("page decompresses to more than the \(dst.count) bytes its header says")
            }
            throw ParquetDataError("gzip: damaged data (zlib error \(rc))")
        }
        return dst.count - Int(stream.avail_out)
    }

    /// Compresses `src` into the first bytes of `out`, which is made as long as the codec's bound
    /// when it is shorter (a reused buffer keeps its length; the bytes past the returned count are
    /// stale). The codec writes into the buffer as it is, uninitialised when new, so the pages of
    /// the bound it does not fill are never touched. - Returns: the compressed length.
    static func compress(_ codec: ParquetCodec, _ src: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Int {
        let bound: Int
        switch codec {
        case .snappy: bound = snappy_max_compressed_length(src.count)
        case .zstd: bound = ZSTD_compressBound(src.count)
        case .lz4Raw: bound = Int(LZ4_compressBound(Int32(src.count)))
        case .uncompressed:
            out.ensureCount(src.count)
            out.withUnsafeMutableBytes { $0.copyMemory(from: src) }
            return src.count
        case .gzip:
            var gzipped: [UInt8] = []
            gzip(src, appendingTo: &gzipped)
            out.ensureCount(gzipped.count)
            out.withUnsafeMutableBytes {
                $0.copyMemory(from: UnsafeRawBufferPointer(start: gzipped, count: gzipped.count))
            }
            return gzipped.count
        case .lzo, .brotli, .lz4:
            preconditionFailure("the writer never selects \(codec.name)")
        }
        out.ensureCount(max(1, bound))
        return out.withUnsafeMutableBytes { compress(codec, src, bounded: $0) }
    }

    /// Compresses `src` with snappy, zstd or LZ4_RAW into `dst` (at least the codec's bound).
    /// - Returns: the compressed length.
    private static func compress(
        _ codec: ParquetCodec, _ src: UnsafeRawBufferPointer, bounded dst: UnsafeMutableRawBufferPointer
    ) -> Int {
        switch codec {
        case .snappy:
            var n = dst.count
            let rc = snappy_compress(
                src.baseAddress?.assumingMemoryBound(to: CChar.self), src.count,
                dst.baseAddress!.assumingMemoryBound(to: CChar.self), &n)
            precondition(rc == SNAPPY_OK, "snappy_compress failed")
            return n
        case .zstd:
            let n = ZstdContexts.shared.withContext { context in
                ZSTD_compressCCtx(context, dst.baseAddress, dst.count, src.baseAddress, src.count, zstdLevel)
            }
            precondition(ZSTD_isError(n) == 0, "ZSTD_compressCCtx failed")
            return n
        case .lz4Raw:
            let n = LZ4_compress_default(
                src.baseAddress?.assumingMemoryBound(to: CChar.self),
                dst.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(src.count), Int32(dst.count))
            precondition(n > 0 || src.count == 0, "LZ4_compress_default failed")
            return Int(n)
        default:
            preconditionFailure("\(codec.name) is not a bounded codec")
        }
    }

    private static func gzip(_ src: UnsafeRawBufferPointer, appendingTo out: inout [UInt8]) {
        var stream = z_stream()
        let rc = deflateInit2_(
            &stream, gzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        precondition(rc == Z_OK, "deflateInit2 failed")
        defer { deflateEnd(&stream) }
        let start = out.count
        let cap = Int(deflateBound(&stream, uLong(src.count))) + 32
        out.append(contentsOf: repeatElement(0, count: cap))
        let written: Int = out.withUnsafeMutableBytes { o in
            stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(src.count)
            stream.next_out = (o.baseAddress! + start).assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(cap)
            let r = deflate(&stream, Z_FINISH)
            precondition(r == Z_STREAM_END, "deflate did not finish")
            return cap - Int(stream.avail_out)
        }
        out.removeLast(out.count - start - written)
    }
}

/// zstd compression contexts shared by the pages of every write. `ZSTD_compress` creates a context
/// per call, allocating and clearing its match tables (hundreds of KiB at level 3) for every page;
/// `ZSTD_compressCCtx` on a reused context compresses at the same level to the same bytes (it
/// resets the context's parameters first). A context is taken by one thread at a time; contexts
/// are made on demand, so there are as many as pages compressed at once (one per core), and
/// stay allocated for the process's life (at most `kept` of them).
final class ZstdContexts: @unchecked Sendable {
    static let shared = ZstdContexts()
    /// Idle contexts kept for reuse; one released when this many are idle is freed.
    static let kept = 16
    private let lock = Mutex()
    private var idle: [OpaquePointer] = []

    /// Runs `body` with a context no other thread uses meanwhile.
    func withContext<T>(_ body: (OpaquePointer) -> T) -> T {
        let context = lock.withLock { idle.popLast() } ?? makeContext()
        defer {
            let extra: OpaquePointer? = lock.withLock {
                if idle.count >= Self.kept { return context }
                idle.append(context)
                return nil
            }
            if let e = extra { ZSTD_freeCCtx(e) }
        }
        return body(context)
    }

    private func makeContext() -> OpaquePointer {
        guard let c = ZSTD_createCCtx() else { preconditionFailure("ZSTD_createCCtx: out of memory") }
        return c
    }
}
