import Foundation
import KuaiCore
import KuaiParquet
import KuaiSQL

/// `COPY ... TO 'x.parquet' (FORMAT parquet [, COMPRESSION zstd|snappy|lz4_raw|lz4|gzip|uncompressed]
/// [, ROW_GROUP_SIZE n] [, PARTITION_BY (a, b) [, OVERWRITE]])`, as DuckDB writes it: one flat
/// Parquet file, or with PARTITION_BY a folder of Hive partitions `dir/a=x/b=y/data_0.parquet`
/// (Formats/parquet.md, "Writing"). FORMAT may be left out for a path ending in `.parquet`.
enum ParquetCopy {
    static let format = CopyFormat(
        name: "parquet", fileSuffixes: [".parquet"],
        options: ["compression", "codec", "row_group_size", "partition_by", "overwrite", "overwrite_or_ignore"],
        open: open)

    @Sendable static func open(_ request: CopyRequest) throws -> CopySink {
        var options = ParquetWriteOptions()
        if let (value, position) = request.string(["compression", "codec"]) {
            guard let codec = ParquetCodec(optionName: value) else {
                throw KuaiError(
                    .binding,
                    "COPY COMPRESSION \"\(value)\" is not supported for Parquet (uncompressed, snappy, gzip, zstd, lz4_raw)",
                    at: position.description)
            }
            options.codec = codec
        }
        if let (value, position) = request.string(["row_group_size"]) {
            guard let n = Int(value), n > 0 else {
                throw KuaiError(.binding, "COPY ROW_GROUP_SIZE must be a positive integer", at: position.description)
            }
            options.rowGroupSize = n
        }
        if let (value, _) = request.string(["partition_by"]) {
            let columns = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let overwrite =
                try request.bool("overwrite", default: false) || request.bool("overwrite_or_ignore", default: false)
            return PartitionedSink(
                try ParquetPartitionedWriter(
                    directory: request.path, schema: request.schema, partitionBy: columns, options: options,
                    overwrite: overwrite))
        }
        return FileSink(try ParquetFileWriter(path: request.path, schema: request.schema, options: options))
    }

    final class FileSink: CopySink {
        let writer: ParquetFileWriter
        init(_ writer: ParquetFileWriter) { self.writer = writer }
        func append(_ batch: Batch) throws { try writer.append(batch) }
        func finish() throws { try writer.finish() }
    }

    final class PartitionedSink: CopySink {
        let writer: ParquetPartitionedWriter
        init(_ writer: ParquetPartitionedWriter) { self.writer = writer }
        func append(_ batch: Batch) throws { try writer.append(batch) }
        func finish() throws { try writer.finish() }
    }
}
