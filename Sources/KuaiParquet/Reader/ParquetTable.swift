import Foundation
import KuaiCore

/// A table over one or more flat Parquet files with the same columns (a glob such as
/// `dir/**/*.parquet`, or a folder), scanned by the engine: each row group is a block, its column
/// statistics are the block's zone map, and only the columns a query reads are decoded.
/// With Hive partitioning, `key=value` folders in a file's path become columns after the file's
/// own (as DuckDB's `read_parquet(..., hive_partitioning = true)`): BIGINT when every value is an
/// integer, DATE when every value is `YYYY-MM-DD`, else VARCHAR; `NULL` and
/// `__HIVE_DEFAULT_PARTITION__` are NULL.
public final class ParquetTable: TableSource, @unchecked Sendable {
    public let name: String
    public let schema: Schema
    public let files: [ParquetFile]
    /// Per file, the values of the partition columns (as text; nil = NULL).
    private let partitionText: [[String?]]
    private let partitionColumns: [Column]  // per partition column: one value per file
    private let blocks: [(file: Int, rowGroup: Int)]
    private let fileColumnCount: Int

    /// Opens every file of `paths` (already expanded).
    /// - Throws: the `ParquetFile` errors; `KuaiError.format` naming the file when its columns
    ///   differ from the first file's; `.usage` when `paths` is empty.
    public init(name: String, paths: [String], hivePartitioning: Bool = false) throws {
        guard !paths.isEmpty else { throw KuaiError(.usage, "no Parquet files to read") }
        self.name = name
        let files = try paths.map { try ParquetFile(path: $0) }
        let first = files[0].schema
        for f in files.dropFirst() where f.schema != first {
            throw KuaiError(
                .format,
                "columns differ from \(files[0].path): \(f.schema.map(\.description).joined(separator: ", "))",
                at: f.path)
        }
        self.files = files
        fileColumnCount = first.count
        var partitionText: [[String?]] = []
        var partitionFields: [Field] = []
        if hivePartitioning {
            let parsed = paths.map(Self.hiveKeys)
            let keys = parsed[0].map(\.0)
            for (i, p) in parsed.enumerated() where p.map(\.0) != keys {
                throw KuaiError(.format, "Hive partition folders differ from \(paths[0])'s (\(keys))", at: paths[i])
            }
            partitionText = parsed.map { $0.map(\.1) }
            for (k, key) in keys.enumerated() where !first.contains(where: { $0.name == key }) {
                partitionFields.append(Field(key, Self.partitionType(partitionText.map { $0[k] })))
            }
            partitionText = parsed.map { p in p.filter { kv in partitionFields.contains { $0.name == kv.0 } }.map(\.1) }
        } else {
            partitionText = files.map { _ in [] }
        }
        self.partitionText = partitionText
        schema = first + partitionFields
        partitionColumns = partitionFields.enumerated().map { k, f in
            Self.partitionColumn(f.type, partitionText.map { $0[k] })
        }
        var blocks: [(Int, Int)] = []
        for (i, f) in files.enumerated() {
            for g in 0..<f.rowGroupCount where f.rowGroupRows(g) > 0 { blocks.append((i, g)) }
        }
        self.blocks = blocks
    }

    /// Opens the files a path or glob names: a file; a folder (every `*.parquet` below it); or a
    /// pattern with `*`, `?`, `[...]` in its components and `**` for any number of folders.
    public convenience init(name: String, pattern: String, hivePartitioning: Bool = false) throws {
        try self.init(name: name, paths: try ParquetGlob.expand(pattern), hivePartitioning: hivePartitioning)
    }

    public var rowCount: Int { files.reduce(0) { $0 + $1.rowCount } }
    public var blockCount: Int { blocks.count }
    public func blockRowCount(_ block: Int) -> Int { files[blocks[block].file].rowGroupRows(blocks[block].rowGroup) }

    public func zoneMap(column: Int, block: Int) -> ZoneMap? {
        let (f, g) = blocks[block]
        if column < fileColumnCount { return files[f].zoneMap(column: column, rowGroup: g) }
        let c = partitionColumns[column - fileColumnCount]
        let v = c.value(at: f)
        let rows = blockRowCount(block)
        return ZoneMap(rowCount: rows, nullCount: v.isNull ? rows : 0, min: v, max: v)
    }

    public func readColumn(_ column: Int, block: Int) throws -> Column {
        let (f, g) = blocks[block]
        if column < fileColumnCount { return try files[f].readColumn(column, rowGroup: g) }
        let c = partitionColumns[column - fileColumnCount]
        let rows = blockRowCount(block)
        let sel = [Int32](repeating: Int32(f), count: rows)
        return sel.withUnsafeBufferPointer { c.gather($0) }
    }

    /// `key=value` components of a path's folders, in order, percent-decoded.
    public static func hiveKeys(_ path: String) -> [(String, String?)] {
        let parts = path.split(separator: "/").dropLast()
        return parts.compactMap { part -> (String, String?)? in
            guard let eq = part.firstIndex(of: "="), eq != part.startIndex else { return nil }
            let key = String(part[..<eq])
            let raw = String(part[part.index(after: eq)...])
            let value = raw.removingPercentEncoding ?? raw
            return (key, value == "NULL" || value == "__HIVE_DEFAULT_PARTITION__" ? nil : value)
        }
    }

    static func partitionType(_ values: [String?]) -> DataType {
        let present = values.compactMap { $0 }
        if present.allSatisfy({ Int64($0) != nil }) { return .bigint }
        if present.allSatisfy({ ParquetText.parseDate($0) != nil }) { return .date }
        return .varchar
    }

    /// One row per file.
    static func partitionColumn(_ type: DataType, _ values: [String?]) -> Column {
        let valid = values.map { $0 == nil ? UInt8(0) : 1 }
        let validity = valid.contains(0) ? valid : nil
        switch type {
        case .bigint:
            return Column(type: .bigint, ints: values.map { $0.flatMap { Int64($0) } ?? 0 }, validity: validity)
        case .date:
            return Column(type: .date, ints: values.map { $0.flatMap(ParquetText.parseDate) ?? 0 }, validity: validity)
        default: return Column(strings: values)
        }
    }
}

/// Small text helpers of the Parquet reader and writer (Hive partition values).
enum ParquetText {
    /// Days since 1970-01-01 of `YYYY-MM-DD`, or nil.
    static func parseDate(_ s: String) -> Int64? {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2, let y = Int64(p[0]), let m = Int64(p[1]),
            let d = Int64(p[2]), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        return CivilDate.days(year: y, month: Int(m), day: Int(d))
    }

    /// `YYYY-MM-DD` of a day number.
    static func formatDate(_ days: Int64) -> String {
        let (y, m, d) = CivilDate.civil(days)
        func pad(_ v: Int64, _ w: Int) -> String {
            let s = String(abs(v))
            return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(Int64(m), 2))-\(pad(Int64(d), 2))"
    }
}
