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
    /// Rows of `pending[0]` already taken into a row group.
    private var pendingStart = 0
    private var pendingRows = 0
    /// Row groups being encoded, oldest first: rows and one slot per column chunk.
    private var inFlight: [(rows: Int, chunks: Slots<EncodedChunk>)] = []
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
        for c in batch.columns where c.type == .interval { try ParquetFileWriter.checkIntervals(c) }
        pending.append(batch)
        pendingRows += batch.count
        while pendingRows >= options.rowGroupSize {
            while !inFlight.isEmpty && inFlight.count >= rowGroupsInFlight { try writeOldestRowGroup() }
            startRowGroup(takePending(rows: options.rowGroupSize))
            if rowGroupsInFlight == 0 { try writeOldestRowGroup() }
        }
    }

    /// Parquet's INTERVAL holds unsigned months, days and milliseconds: as DuckDB, a value with a
    /// negative part is an error ("Parquet files do not support negative intervals").
    static func checkIntervals(_ c: Column) throws {
        for i in 0..<c.count where c.isValid(i) {
            let v = c.interval(at: i)
            if v.months < 0 || v.days < 0 || v.micros < 0 {
                throw KuaiError(.io, "Parquet files do not support negative intervals")
            }
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

    /// Removes the first `n` (at most `pendingRows`) rows from `pending`; a batch that straddles
    /// the cut stays, its taken rows marked by `pendingStart` (no rows are copied).
    /// - Returns: the batches and row ranges of those rows, in row order.
    private func takePending(rows n: Int) -> [(batch: Batch, rows: Range<Int>)] {
        var taken: [(batch: Batch, rows: Range<Int>)] = []
        var left = n
        while left > 0 {
            let b = pending[0]
            let end = min(b.count, pendingStart + left)
            taken.append((b, pendingStart..<end))
            left -= end - pendingStart
            if end == b.count {
                pending.removeFirst()
                pendingStart = 0
            } else {
                pendingStart = end
            }
        }
        pendingRows -= n
        return taken
    }

    /// Starts encoding the column chunks of the row group `batches` in the background, one task
    /// per column on the global concurrent queue; `writeOldestRowGroup` waits for and writes them.
    /// With `rowGroupsInFlight` 0 the chunks are encoded (in parallel) before this returns.
    private func startRowGroup(_ batches: [(batch: Batch, rows: Range<Int>)]) {
        let rows = batches.reduce(0) { $0 + $1.rows.count }
        let chunks = Slots<EncodedChunk>(schema.count)
        let codec = options.codec
        // DuckDB 2.0.1 keeps a dictionary for a chunk of at most a fifth as many distinct values
        // as the row group has rows (nulls counted): a unique column is written PLAIN.
        let limit = min(options.rowGroupSize, rows) / 5
        let schema = self.schema
        let encode: @Sendable (Int) -> Void = { c in
            let pieces = batches.map { ColumnPiece(column: $0.batch.columns[c], rows: $0.rows) }
            chunks.set(c, ChunkEncoder.encode(pieces, type: schema[c].type, codec: codec, dictionaryLimit: limit))
        }
        if rowGroupsInFlight == 0 {
            DispatchQueue.concurrentPerform(iterations: schema.count, execute: encode)  // done on return
        } else {
            for c in schema.indices { DispatchQueue.global().async { encode(c) } }
        }
        inFlight.append((rows, chunks))
    }

    /// Writes the oldest row group in flight, each chunk as soon as it and the chunks before it
    /// are encoded (the file is written while the row group's last chunks are still encoding).
    /// - Throws: `KuaiError.io` when a write fails.
    private func writeOldestRowGroup() throws {
        let oldest = inFlight.removeFirst()
        try writeRowGroup(rows: oldest.rows) { oldest.chunks.wait($0) }
    }

    /// Writes the encoded chunks of one row group of `n` rows in column order, `chunk(c)` giving
    /// (waiting for) column `c`'s, and records the row group's metadata for the footer.
    /// - Throws: `KuaiError.io` when a write fails.
    private func writeRowGroup(rows n: Int, chunk: (Int) -> EncodedChunk) throws {
        var group = RowGroupMeta()
        group.numRows = Int64(n)
        group.fileOffset = Int64(offset)
        var compressedTotal: Int64 = 0
        for c in schema.indices {
            let chunk = chunk(c)
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

/// Results of parallel work, one slot per iteration; each slot is written once, by one thread,
/// and taken once by `wait(i)`, which blocks until it is written.
final class Slots<T>: @unchecked Sendable {
    private var values: [T?]
    private let ready: [DispatchSemaphore]
    private let lock = Mutex()
    init(_ n: Int) {
        values = [T?](repeating: nil, count: n)
        ready = (0..<n).map { _ in DispatchSemaphore(value: 0) }
    }
    func set(_ i: Int, _ v: T) {
        lock.withLock { values[i] = v }
        ready[i].signal()
    }
    /// The value of slot `i` once written, taken out of the slot (so it is freed with the caller's
    /// copy).
    func wait(_ i: Int) -> T {
        ready[i].wait()
        return lock.withLock {
            let v = values[i]!
            values[i] = nil
            return v
        }
    }
}
