import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One Parquet file opened for reading: memory-mapped, its footer parsed and its flat schema
/// mapped to kuai types (Formats/parquet.md, "Reading"). Safe to share between threads: column
/// chunks decode into fresh buffers.
public final class ParquetFile: @unchecked Sendable {
    /// The path as given (used in every error's location).
    public let path: String
    /// The leaf columns, in file order.
    public let columns: [ParquetColumn]
    /// Rows in the file (the footer's num_rows).
    public let rowCount: Int
    /// The writer's name from the footer (e.g. "DuckDB version v2.0.1 ...", "parquet-cpp-arrow ...").
    public let createdBy: String?
    let metadata: FileMetaData
    private let base: UnsafeRawPointer?
    private let size: Int
    /// Bytes before the footer: column chunks must lie inside.
    private let dataEnd: Int

    /// The kuai schema of the file's columns.
    public var schema: Schema { columns.map { Field($0.name, $0.type) } }
    /// Number of row groups.
    public var rowGroupCount: Int { metadata.rowGroups.count }
    /// Rows in row group `g`.
    public func rowGroupRows(_ g: Int) -> Int { Int(metadata.rowGroups[g].numRows) }

    /// Opens and validates `path`.
    /// - Throws: `KuaiError.io` when it cannot be opened; `.corrupt` naming the file for a bad magic,
    ///   a truncated file, a footer length past the file or a footer that does not parse, a row
    ///   group whose chunks lie outside the file; `.format` naming the column for nested or
    ///   unsupported types, and for encrypted files.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            throw KuaiError(
                .io, errno == ENOENT ? "no such file" : "cannot open: \(String(cString: strerror(errno)))", at: path)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw KuaiError(.io, "cannot stat", at: path) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw KuaiError(.io, "not a regular file", at: path) }
        size = Int(st.st_size)
        guard size >= ParquetConstants.minimumFileSize else {
            throw KuaiError(.corrupt, "not a Parquet file: \(size) bytes, too short for the magic and footer", at: path)
        }
        guard let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            throw KuaiError(.io, "cannot map the file: \(String(cString: strerror(errno)))", at: path)
        }
        base = UnsafeRawPointer(m)
        let bytes = UnsafeRawBufferPointer(start: base, count: size)
        do {
            (metadata, dataEnd) = try Self.readFooter(bytes, path: path)
            columns = try Self.flatColumns(metadata, path: path)
            try Self.checkRowGroups(metadata, columns: columns.count, dataEnd: dataEnd, path: path)
        } catch {
            munmap(m, size)
            throw error
        }
        rowCount = Int(metadata.numRows)
        createdBy = metadata.createdBy
    }

    deinit { if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) } }

    private static func readFooter(_ bytes: UnsafeRawBufferPointer, path: String) throws -> (FileMetaData, Int) {
        let size = bytes.count
        let magic = ParquetConstants.magic
        for k in 0..<4 where bytes[k] != magic[k] || bytes[size - 4 + k] != magic[k] {
            let which = bytes[k] != magic[k] ? "start" : "end"
            throw KuaiError(
                .corrupt, "not a Parquet file: no PAR1 magic at the \(which) (truncated or another format)", at: path)
        }
        let footerLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: size - 8, as: UInt32.self)))
        guard footerLength > 0, footerLength <= size - ParquetConstants.minimumFileSize else {
            throw KuaiError(
                .corrupt, "footer length \(footerLength) runs past the start of the \(size)-byte file", at: path)
        }
        let start = size - 8 - footerLength
        var r = ThriftReader(UnsafeRawBufferPointer(rebasing: bytes[start..<(size - 8)]))
        let meta: FileMetaData
        do { meta = try r.read(FileMetaData.self) } catch let e as ParquetDataError {
            throw KuaiError(.corrupt, "damaged footer: \(e.message)", at: "\(path)@\(start + r.position)")
        }
        if meta.encrypted { throw KuaiError(.format, "encrypted Parquet files are not supported", at: path) }
        guard meta.numRows >= 0 else { throw KuaiError(.corrupt, "footer says \(meta.numRows) rows", at: path) }
        return (meta, start)
    }

    /// The leaf columns of a flat schema: the root's children, each a primitive, not repeated.
    private static func flatColumns(_ m: FileMetaData, path: String) throws -> [ParquetColumn] {
        guard let root = m.schema.first else { throw KuaiError(.corrupt, "footer has an empty schema", at: path) }
        let children = Int(root.numChildren ?? 0)
        guard children >= 0 else {
            throw KuaiError(.corrupt, "schema root says it has \(children) children", at: path)
        }
        var out: [ParquetColumn] = []
        var i = 1
        for _ in 0..<children {
            guard i < m.schema.count else {
                throw KuaiError(.corrupt, "schema lists fewer elements than its root's \(children) children", at: path)
            }
            let e = m.schema[i]
            if (e.numChildren ?? 0) > 0 || e.type == nil || e.repetition == .repeated {
                let kind: String
                switch e.logicalType {
                case .some(.list): kind = "LIST"
                case .some(.map): kind = "MAP"
                default: kind = e.repetition == .repeated ? "a repeated field" : "STRUCT"
                }
                throw KuaiError(
                    .format, "column '\(e.name)' is a nested type (\(kind)); kuai reads flat Parquet columns only",
                    at: path)
            }
            out.append(try ParquetColumn.make(e, file: path))
            i += 1
        }
        guard i == m.schema.count else { throw KuaiError(.corrupt, "schema has elements outside its root", at: path) }
        return out
    }

    private static func checkRowGroups(_ m: FileMetaData, columns: Int, dataEnd: Int, path: String) throws {
        var total: Int64 = 0
        for (g, rg) in m.rowGroups.enumerated() {
            guard rg.columns.count == columns, rg.numRows >= 0 else {
                throw KuaiError(
                    .corrupt, "row group \(g) has \(rg.columns.count) column chunks for \(columns) columns", at: path)
            }
            for (c, chunk) in rg.columns.enumerated() {
                if chunk.filePath != nil {
                    throw KuaiError(
                        .format, "row group \(g) column \(c) lies in another file (not supported)", at: path)
                }
                guard chunk.metaData != nil else {
                    throw KuaiError(.corrupt, "row group \(g) column \(c) has no metadata", at: path)
                }
            }
            total += rg.numRows
        }
        guard total == m.numRows else {
            throw KuaiError(.corrupt, "row groups hold \(total) rows, the footer says \(m.numRows)", at: path)
        }
    }

    /// Where a column chunk is, for error messages: "file.parquet, row group 2, column 'x'".
    func chunkLocation(_ column: Int, rowGroup: Int) -> String {
        "\(path) (row group \(rowGroup), column '\(columns[column].name)')"
    }

    /// Decodes `column` (0-based among the leaf columns) of row group `rowGroup`.
    /// - Throws: `KuaiError.corrupt` naming the file, row group and column when the chunk lies
    ///   outside the file, a page header or page does not decode, or a page decompresses to the
    ///   wrong size; `.format` for an unsupported compression or encoding.
    public func readColumn(_ column: Int, rowGroup: Int) throws -> Column {
        let chunk = metadata.rowGroups[rowGroup].columns[column]
        let meta = chunk.metaData!
        let rows = rowGroupRows(rowGroup)
        let location = chunkLocation(column, rowGroup: rowGroup)
        guard let codec = ParquetCodec(rawValue: meta.codecRaw) else {
            throw KuaiError(.format, "unknown compression codec \(meta.codecRaw)", at: location)
        }
        var start = Int(meta.dataPageOffset)
        if let d = meta.dictionaryPageOffset, d > 0, Int(d) < start { start = Int(d) }
        let length = Int(meta.totalCompressedSize)
        guard start >= 4, length >= 0, start <= dataEnd, length <= dataEnd - start else {
            throw KuaiError(
                .corrupt, "column chunk at byte \(start) of \(length) bytes lies outside the file's data", at: location)
        }
        if meta.type != columns[column].physical {
            throw KuaiError(.corrupt, "column chunk type \(meta.type) differs from the schema's", at: location)
        }
        var decoder = ChunkDecoder(column: columns[column], codec: codec, rows: rows)
        do {
            return try decoder.decode(UnsafeRawBufferPointer(start: base! + start, count: length))
        } catch let e as ParquetDataError {
            let unsupported = e.message.contains("not supported")
            throw KuaiError(unsupported ? .format : .corrupt, e.message, at: location)
        }
    }
}
