import Foundation
import KuaiCore

/// Writes a Hive-partitioned folder of Parquet files, as DuckDB's
/// `COPY t TO 'dir' (FORMAT parquet, PARTITION_BY (a, b))`: one file `dir/a=x/b=y/data_0.parquet`
/// per distinct (a, b), holding the other columns (partition columns are in the folder names
/// only). Values in folder names: integers and doubles as SQL prints them, dates `YYYY-MM-DD`,
/// booleans true/false, strings percent-encoded outside `A-Z a-z 0-9 - . _ ~`, NULL as `NULL`.
/// Formats/parquet.md, "Partitioned folders".
public final class ParquetPartitionedWriter {
    public let directory: String
    private let schema: Schema
    private let keyColumns: [Int]
    private let dataColumns: [Int]
    private let options: ParquetWriteOptions
    private var writers: [ParquetFileWriter] = []
    private var writerOf: [[Int64]: Int] = [:]

    /// - Throws: `KuaiError.binding` naming a partition column that is not in `schema`;
    ///   `.usage` when every column would be a partition column, or `directory` exists and is not
    ///   empty and `overwrite` is false; `.io` when the folder cannot be made.
    public init(
        directory: String, schema: Schema, partitionBy: [String], options: ParquetWriteOptions = ParquetWriteOptions(),
        overwrite: Bool = false
    ) throws {
        self.directory = directory
        self.schema = schema
        self.options = options
        var keys: [Int] = []
        for name in partitionBy {
            guard let i = schema.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw KuaiError(
                    .binding, "PARTITION_BY column \"\(name)\" is not in the result (\(schema.map(\.name)))")
            }
            keys.append(i)
        }
        keyColumns = keys
        dataColumns = schema.indices.filter { !keys.contains($0) }
        if dataColumns.isEmpty { throw KuaiError(.usage, "PARTITION_BY names every column: no columns left to write") }
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            guard overwrite else {
                throw KuaiError(
                    .usage, "the folder is not empty (DuckDB's OVERWRITE option replaces it)", at: directory)
            }
            try? fm.removeItem(atPath: directory)
        }
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw KuaiError(.io, "cannot create the folder: \(error.localizedDescription)", at: directory)
        }
    }

    /// Routes each row of `batch` to its partition's file.
    public func append(_ batch: Batch) throws {
        guard batch.count > 0 else { return }
        let parts = keyColumns.map { batch.columns[$0] }
        var selections: [[Int32]] = Array(repeating: [], count: writers.count)
        var previous: [Int64] = []
        var current = -1
        var key = [Int64](repeating: 0, count: parts.count * 2)
        for r in 0..<batch.count {
            for (k, c) in parts.enumerated() { (key[2 * k], key[2 * k + 1]) = Self.keyPart(c, r) }
            if key != previous || current < 0 {
                current = try writerIndex(key, parts, r)
                previous = key
                if selections.count < writers.count {
                    selections += Array(repeating: [], count: writers.count - selections.count)
                }
            }
            selections[current].append(Int32(r))
        }
        for (w, sel) in selections.enumerated() where !sel.isEmpty {
            let data = Batch(columns: dataColumns.map { batch.columns[$0] }, count: batch.count)
            try sel.withUnsafeBufferPointer { try writers[w].append(data.gather($0)) }
        }
    }

    /// (is NULL, value bits) of row `r`; strings by their text's hash-free identity: the code's
    /// string is compared through `writerOf` only at run boundaries (see `writerIndex`).
    private static func keyPart(_ c: Column, _ r: Int) -> (Int64, Int64) {
        if !c.isValid(r) { return (1, 0) }
        switch c.type {
        case .double: return (0, Int64(bitPattern: c.doubles[r].bitPattern))
        case .varchar where c.dictionary == nil: return (3, Int64(bitPattern: c.stringView(at: r).hashValue64))
        case .varchar: return (2, Int64(c.codes[r]))
        default: return (0, c.ints[r])
        }
    }

    private func writerIndex(_ key: [Int64], _ parts: [Column], _ r: Int) throws -> Int {
        // Strings: identify by text, not by code (codes differ between batches).
        let path = parts.enumerated().map { k, c in "\(schema[keyColumns[k]].name)=\(Self.folderValue(c, r))" }
            .joined(separator: "/")
        var stable = key
        for (k, c) in parts.enumerated() where c.type == .varchar && c.isValid(r) {
            stable[2 * k + 1] = Int64(bitPattern: c.stringView(at: r).hashValue64)
        }
        if let w = writerOf[stable], writers[w].path.hasSuffix("/" + path + "/data_0.parquet") { return w }
        if let w = writers.firstIndex(where: { $0.path == directory + "/" + path + "/data_0.parquet" }) {
            writerOf[stable] = w
            return w
        }
        let folder = directory + "/" + path
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw KuaiError(.io, "cannot create the folder: \(error.localizedDescription)", at: folder)
        }
        let w = try ParquetFileWriter(
            path: folder + "/data_0.parquet", schema: dataColumns.map { schema[$0] }, options: options,
            rowGroupsInFlight: 0)  // one file per partition: no row groups buffered beyond `pending`
        writers.append(w)
        writerOf[stable] = writers.count - 1
        return writers.count - 1
    }

    /// A value as it appears in a folder name.
    static func folderValue(_ c: Column, _ r: Int) -> String {
        let v = c.value(at: r)
        switch (c.type, v) {
        case (_, .null): return "NULL"
        case (.date, .int(let d)): return ParquetText.formatDate(d)
        case (.varchar, .string(let s)): return percentEncode(s)
        default: return percentEncode(v.description)
        }
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(Unicode.Scalar(b))
            if b < 0x80 && (c.isLetter || c.isNumber || c == "-" || c == "." || c == "_" || c == "~") {
                out.append(c)
            } else {
                out += "%" + String(b, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }

    /// Finishes every file. - Returns: rows written and the number of files.
    @discardableResult
    public func finish() throws -> (rows: Int, files: Int) {
        var rows = 0
        for w in writers { rows += try w.finish().rows }
        return (rows, writers.count)
    }

    /// Removes the files written so far (after an error).
    public func abort() { for w in writers { w.abort() } }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
