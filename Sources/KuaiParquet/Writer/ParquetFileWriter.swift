import Dispatch
import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Options of a Parquet write (COPY ... (FORMAT parquet, COMPRESSION c, ROW_GROUP_SIZE n)).
public struct ParquetWriteOptions: Sendable {
    /// Page compression; DuckDB's default is SNAPPY.
    public var codec: ParquetCodec = .snappy
    /// Rows per row group; DuckDB's default is 122,880.
    public var rowGroupSize = 122_880
    /// The `created_by` of the footer.
    public var createdBy = "kuai"
    public init(codec: ParquetCodec = .snappy, rowGroupSize: Int = 122_880) {
        self.codec = codec
        self.rowGroupSize = rowGroupSize
    }
}

/// Writes one flat Parquet file from batches (Formats/parquet.md, "Writing"). Rows are buffered
/// until a row group is full; a full row group's column chunks are then encoded in the background,
/// one task per column on every core, while rows keep arriving. At most `rowGroupsInFlight` row
/// groups (one per core) are encoded at once; before another starts, the oldest is waited for and
/// written, so groups are written in row group and column order and the bytes are those of a
/// serial writer. The file is written beside `path` and renamed into place by
/// `finish()`, so a failed write leaves no partial file (and an older file at `path` intact).
public final class ParquetFileWriter {
    public let path: String
    public let schema: Schema
    private let options: ParquetWriteOptions
    private let temporaryPath: String
    private var fd: Int32
    private var offset = 0
    private var pending: [Batch] = []
    private var pendingRows = 0
    /// Row groups being encoded, oldest first: rows, one slot per column chunk, and the tasks.
    private var inFlight: [(rows: Int, chunks: Slots<EncodedChunk>, done: DispatchGroup)] = []
    /// Row groups encoded in the background at once: at most this many row groups (plus
    /// `pending`) are buffered; 0 encodes and writes each row group before `append` returns.
    private let rowGroupsInFlight: Int
    private var rowGroups: [RowGroupMeta] = []
    private var rows = 0
    private var finished = false

    /// Creates the temporary file and writes the leading magic.
    /// - Parameter rowGroupsInFlight: row groups encoded in the background while rows keep
    ///   arriving (0: none, each is written before `append` returns); nil for one per processor
    ///   online. Each costs a row group of input rows and its encoded chunks in memory.
    /// - Throws: `KuaiError.io` naming the path when it cannot be created.
    public init(
        path: String, schema: Schema, options: ParquetWriteOptions = ParquetWriteOptions(),
        rowGroupsInFlight: Int? = nil
    ) throws {
        self.path = path
        self.schema = schema
        self.options = options
        self.rowGroupsInFlight = max(0, rowGroupsInFlight ?? processorsOnline)
        temporaryPath = path + ".tmp-\(getpid())"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw KuaiError(.io, "cannot create: \(String(cString: strerror(errno)))", at: path) }
        try write(ParquetConstants.magic)
    }

    deinit { if !finished { abort() } }

    /// Appends the rows of `batch` (its columns in `schema` order and types).
    public func append(_ batch: Batch) throws {
        guard batch.count > 0 else { return }
        pending.append(batch)
        pendingRows += batch.count
        while pendingRows >= options.rowGroupSize {
            while !inFlight.isEmpty && inFlight.count >= rowGroupsInFlight { try writeOldestRowGroup() }
            startRowGroup(takePending(rows: options.rowGroupSize))
            if rowGroupsInFlight == 0 { try writeOldestRowGroup() }
        }
    }

    /// Writes the last row group, the footer and the tail, and renames the file into place.
    /// - Returns: rows and bytes written.
    @discardableResult
    public func finish() throws -> (rows: Int, bytes: Int) {
        if pendingRows > 0 { startRowGroup(takePending(rows: pendingRows)) }
        while !inFlight.isEmpty { try writeOldestRowGroup() }
        var meta = FileMetaData()
        meta.schema = [SchemaElement(name: "kuai_schema", numChildren: Int32(schema.count))]
        meta.schema += schema.map { WriteType.schemaElement($0.name, $0.type) }
        meta.numRows = Int64(rows)
        meta.rowGroups = rowGroups
        meta.createdBy = options.createdBy
        meta.columnOrderCount = schema.count
        var w = ThriftWriter()
        w.structBody { $0.fileMetaData(meta) }
        let footer = w.bytes
        try write(footer)
        var tail: [UInt8] = []
        ChunkEncoder.appendLength(&tail, footer.count)
        tail += ParquetConstants.magic
        try write(tail)
        if close(fd) != 0 { throw KuaiError(.io, "cannot close: \(String(cString: strerror(errno)))", at: path) }
        fd = -1
        if rename(temporaryPath, path) != 0 {
            throw KuaiError(.io, "cannot rename into place: \(String(cString: strerror(errno)))", at: path)
        }
        finished = true
        return (rows, offset)
    }

    /// Removes the temporary file (after an error).
    public func abort() {
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporaryPath)
        finished = true
    }

    private func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { b in
            var done = 0
            while done < b.count {
                let n = Glibc.write(fd, b.baseAddress! + done, b.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw KuaiError(.io, "cannot write: \(String(cString: strerror(errno)))", at: path)
                }
                done += n
            }
        }
        offset += bytes.count
    }

    /// Removes the first `n` (at most `pendingRows`) rows from `pending`, splitting a batch that
    /// straddles the cut. - Returns: the batches of those rows, in row order.
    private func takePending(rows n: Int) -> [Batch] {
        var taken: [Batch] = []
        var left = n
        while left > 0 {
            let b = pending.removeFirst()
            if b.count <= left {
                taken.append(b)
                left -= b.count
            } else {
                taken.append(Batch(columns: b.columns.map { $0.slice(0..<left) }, count: left))
                pending.insert(Batch(columns: b.columns.map { $0.slice(left..<b.count) }, count: b.count - left), at: 0)
                left = 0
            }
        }
        pendingRows -= n
        return taken
    }

    /// Starts encoding the column chunks of the row group `batches` in the background, one task
    /// per column on the global concurrent queue; `writeOldestRowGroup` waits for and writes them.
    /// With `rowGroupsInFlight` 0 the chunks are encoded (in parallel) before this returns.
    private func startRowGroup(_ batches: [Batch]) {
        let rows = batches.reduce(0) { $0 + $1.count }
        let chunks = Slots<EncodedChunk>(schema.count, EncodedChunk())
        let done = DispatchGroup()
        let codec = options.codec
        // DuckDB 2.0.1 keeps a dictionary for a chunk of at most a fifth as many distinct values
        // as the row group has rows (nulls counted): a unique column is written PLAIN.
        let limit = min(options.rowGroupSize, rows) / 5
        let schema = self.schema
        let encode: @Sendable (Int) -> Void = { c in
            let pieces = batches.map { $0.columns[c] }
            chunks.set(c, ChunkEncoder.encode(pieces, type: schema[c].type, codec: codec, dictionaryLimit: limit))
        }
        if rowGroupsInFlight == 0 {
            DispatchQueue.concurrentPerform(iterations: schema.count, execute: encode)  // done on return
        } else {
            for c in schema.indices { DispatchQueue.global().async(group: done) { encode(c) } }
        }
        inFlight.append((rows, chunks, done))
    }

    /// Waits for the oldest row group in flight and writes it.
    /// - Throws: `KuaiError.io` when a write fails.
    private func writeOldestRowGroup() throws {
        let oldest = inFlight.removeFirst()
        oldest.done.wait()
        try writeRowGroup(rows: oldest.rows, chunks: oldest.chunks.values[...])
    }

    /// Writes the encoded chunks of one row group of `n` rows (in column order) and records its
    /// metadata for the footer. - Throws: `KuaiError.io` when a write fails.
    private func writeRowGroup(rows n: Int, chunks: ArraySlice<EncodedChunk>) throws {
        var group = RowGroupMeta()
        group.numRows = Int64(n)
        group.fileOffset = Int64(offset)
        var compressedTotal: Int64 = 0
        for (c, chunk) in chunks.enumerated() {
            let start = offset
            try write(chunk.bytes)
            var m = ColumnMetaData()
            m.type = WriteType.physical(schema[c].type)
            m.encodings = chunk.encodings
            m.pathInSchema = [schema[c].name]
            m.codecRaw = options.codec.rawValue
            m.numValues = Int64(chunk.numValues)
            m.totalUncompressedSize = Int64(chunk.uncompressedSize)
            m.totalCompressedSize = Int64(chunk.bytes.count)
            m.dataPageOffset = Int64(start + (chunk.dictionaryPageLength ?? 0))
            if chunk.dictionaryPageLength != nil { m.dictionaryPageOffset = Int64(start) }
            m.statistics = chunk.statistics
            group.columns.append(ColumnChunkMeta(filePath: nil, fileOffset: Int64(start), metaData: m))
            group.totalByteSize += Int64(chunk.uncompressedSize)
            compressedTotal += Int64(chunk.bytes.count)
        }
        group.totalCompressedSize = compressedTotal
        group.ordinal = Int16(truncatingIfNeeded: rowGroups.count)
        rowGroups.append(group)
        rows += n
    }
}

/// Results of parallel work, one slot per iteration; each slot is written by one thread only.
final class Slots<T>: @unchecked Sendable {
    private(set) var values: [T]
    private let lock = Mutex()
    init(_ n: Int, _ initial: T) { values = [T](repeating: initial, count: n) }
    func set(_ i: Int, _ v: T) { lock.withLock { values[i] = v } }
}
