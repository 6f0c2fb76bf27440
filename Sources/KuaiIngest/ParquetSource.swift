import Dispatch
import Foundation
import KuaiCore
import KuaiFormat
import KuaiParquet

/// Parquet sources of kuai-convert (README "kuai-convert"; Formats/parquet.md, "Reading"): a file
/// or a glob of files with the same columns becomes one table, row group by row group, the
/// columns of a row group decoded in parallel. Types are the file's (no inference).
enum ParquetSource {
    /// Converts one Parquet source into a new table of `writer`.
    /// - Returns: the table summary, rows and source bytes (the files' sizes).
    /// - Throws: the reader's errors (`KuaiError.corrupt` / `.format` naming file and column chunk),
    ///   `.io`.
    static func convert(_ source: Converter.SourceFile, into writer: StoreTableTarget) throws -> (
        TableSummary, Int, Int
    ) {
        let paths = try ParquetGlob.expand(source.path)
        let hive = paths.contains { !ParquetTable.hiveKeys($0).isEmpty } && ParquetGlob.hasWildcard(source.path)
        let table = try ParquetTable(name: source.table, paths: paths, hivePartitioning: hive)
        let bytes = paths.reduce(0) { total, p in
            total + ((try? FileManager.default.attributesOfItem(atPath: p)[.size] as? Int) ?? 0)
        }
        let tableWriter = try writer.beginTable(
            name: source.table, schema: table.schema, sourcePath: source.path, sourceBytes: bytes)
        let width = table.schema.count
        for block in 0..<table.blockCount {
            let columns = ColumnSlots(width)
            DispatchQueue.concurrentPerform(iterations: width) { c in
                do { columns.set(c, Result.success(try table.readColumn(c, block: block))) } catch {
                    columns.set(c, .failure(error))
                }
            }
            try tableWriter.append(
                Batch(columns: try columns.values.map { try $0!.get() }, count: table.blockRowCount(block)))
        }
        return (try tableWriter.finish(), table.rowCount, bytes)
    }

    /// The table a glob names: the last folder before the first component with a wildcard
    /// (`out/room/**/*.parquet` -> `room`), or `parquet` when there is none.
    static func tableName(ofPattern pattern: String) -> String {
        let parts = pattern.split(separator: "/").map(String.init)
        let fixed = parts.prefix { !ParquetGlob.hasWildcard($0) }
        return fixed.last.map { Converter.tableName(of: $0) } ?? "parquet"
    }
}

/// One result per column of a row group, each slot written by one thread.
private final class ColumnSlots: @unchecked Sendable {
    private(set) var values: [Result<Column, Error>?]
    private let lock = Mutex()
    init(_ n: Int) { values = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ v: Result<Column, Error>) { lock.withLock { values[i] = v } }
}
