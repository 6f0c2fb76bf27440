import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// Records (self-delimiting byte strings) radix-partitioned by a hash of their key into
/// `partitionCount` partitions, buffered per partition and written in chunks of about
/// `chunkBytes` to one unlinked spill file (`SpillDirectory`); read back one partition at a time,
/// as DuckDB's radix-partitioned hash aggregate spills its partitions.
///
/// Equal keys always land in the same partition, so a distinct set (or a GROUP BY) built
/// partition by partition sees every copy of a key together. Memory: at most one chunk buffer per
/// partition (`partitionCount * chunkBytes` bytes) plus the chunk index.
final class PartitionedSpill {
    /// log2 of the partition count.
    static let partitionBits = 6
    static let partitionCount = 1 << partitionBits
    /// Bytes buffered per partition before they are written.
    nonisolated(unsafe) static var chunkBytes = 64 << 10

    private let fd: Int32
    private var buffers: [[UInt8]]
    /// (file offset, byte count) of each written chunk, per partition.
    private var chunks: [[(offset: Int, count: Int)]]
    private var fileBytes = 0
    /// Records appended so far.
    private(set) var recordCount = 0

    /// - Throws: `KuaiError.execution` when the spill file cannot be created.
    init() throws {
        fd = try SpillDirectory.openFile()
        buffers = Array(repeating: [], count: PartitionedSpill.partitionCount)
        chunks = Array(repeating: [], count: PartitionedSpill.partitionCount)
    }

    deinit { close(fd) }

    /// The partition of a record whose bytes hash to `hash` (its top bits).
    @inline(__always)
    static func partition(ofHash hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> UInt64(64 - partitionBits)) }

    /// Appends one record to the partition of `hash` (a hash of the record's key: records that must
    /// meet, such as equal values whatever their group id before mapping, need equal hashes).
    /// - Throws: `KuaiError.execution` when the spill file cannot be written (disk full).
    func append(_ record: UnsafeRawBufferPointer, hash: UInt64) throws {
        let p = PartitionedSpill.partition(ofHash: hash)
        buffers[p].append(contentsOf: record)
        recordCount += 1
        if buffers[p].count >= PartitionedSpill.chunkBytes { try flush(p) }
    }

    /// Writes partition `p`'s buffered bytes to the file.
    private func flush(_ p: Int) throws {
        let n = buffers[p].count
        if n == 0 { return }
        try buffers[p].withUnsafeBytes { raw in
            var done = 0
            while done < n {
                let w = pwrite(fd, raw.baseAddress! + done, n - done, off_t(fileBytes + done))
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else {
                    throw KuaiError(
                        .execution,
                        "cannot write a spill file under \(SpillDirectory.path): \(String(cString: strerror(errno))) (--temp-directory)"
                    )
                }
                done += w
            }
        }
        chunks[p].append((fileBytes, n))
        fileBytes += n
        SpillDirectory.noteWrite(n)
        buffers[p].removeAll(keepingCapacity: false)
    }

    /// All bytes of partition `p` (written chunks in order, then the buffered tail).
    /// - Throws: `KuaiError.execution` when the spill file cannot be read.
    func read(partition p: Int) throws -> [UInt8] {
        let total = chunks[p].reduce(0) { $0 + $1.count } + buffers[p].count
        var out = [UInt8](repeating: 0, count: total)
        try out.withUnsafeMutableBytes { raw in
            var at = 0
            for c in chunks[p] {
                var done = 0
                while done < c.count {
                    let r = pread(fd, raw.baseAddress! + at + done, c.count - done, off_t(c.offset + done))
                    if r < 0 && errno == EINTR { continue }
                    guard r > 0 else {
                        throw KuaiError(.execution, "cannot read a spill file: \(String(cString: strerror(errno)))")
                    }
                    done += r
                }
                at += c.count
            }
            buffers[p].withUnsafeBytes {
                raw.baseAddress!.advanced(by: at).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
        }
        return out
    }
}

/// Appends little-endian fields to a record buffer (the layout `SpillReader` reads).
struct SpillRecord {
    var bytes: [UInt8] = []

    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A 32-bit length, then the bytes.
    mutating func append(string b: UnsafeBufferPointer<UInt8>) {
        append(UInt32(b.count))
        bytes.append(contentsOf: b)
    }
}

/// Reads the fields of `SpillRecord`s back from a partition's bytes, in order.
struct SpillReader {
    let bytes: UnsafeRawBufferPointer
    var at = 0

    var atEnd: Bool { at >= bytes.count }

    mutating func read<T: FixedWidthInteger>(_: T.Type) -> T {
        var v = T.zero
        withUnsafeMutableBytes(of: &v) {
            $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[at..<at + MemoryLayout<T>.size]))
        }
        at += MemoryLayout<T>.size
        return T(littleEndian: v)
    }

    /// A length-prefixed string's bytes (valid while `bytes` is).
    mutating func readString() -> UnsafeBufferPointer<UInt8> {
        let n = Int(read(UInt32.self))
        let p = UnsafeBufferPointer(start: (bytes.baseAddress! + at).assumingMemoryBound(to: UInt8.self), count: n)
        at += n
        return p
    }
}
