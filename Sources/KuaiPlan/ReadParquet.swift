import KuaiCore
import KuaiParquet

/// `read_parquet(path, hive_partitioning = bool)` (also `parquet_scan`) and `FROM 'x.parquet'`: a
/// file, a folder or a glob (`dir/**/*.parquet`) of flat Parquet files with the same columns,
/// scanned in place (row groups as blocks, statistics as zone maps, only the columns the query
/// reads decoded; Formats/parquet.md, "Reading"). `hive_partitioning` defaults to whether the paths
/// have `key=value` folders, as DuckDB's auto-detection.
enum ReadParquet {
    static let function = TableFunction(
        names: ["read_parquet", "parquet_scan"], fileSuffixes: [".parquet"], bind: bind)

    @Sendable static func bind(_ args: TableFunctionArguments) throws -> TableSource {
        try args.rejectUnknown(["hive_partitioning", "binary_as_string"])
        let path = try args.string(at: 0, "a file name or glob")
        if args.positional.count > 1 {
            throw KuaiError(.binding, "read_parquet takes one file name or glob", at: args.position.description)
        }
        let paths = try ParquetGlob.expand(path)
        let hive = try args.bool("hive_partitioning") ?? paths.contains { !ParquetTable.hiveKeys($0).isEmpty }
        let file = path.split(separator: "/").last.map(String.init) ?? path
        let stem = file.firstIndex(of: ".").map { String(file[..<$0]) } ?? file
        return try ParquetTable(name: stem.isEmpty ? file : stem, paths: paths, hivePartitioning: hive)
    }
}
