import Foundation
import KuaiCore

/// The `manifest.json` of a store, version 2 (Formats/column-file.md, "Manifest"). Written last by a
/// commit (`StoreWriter.commit()`, `StoreTransaction.commit()`); read first by `Store.open`. A version-1
/// manifest is read into this shape (one segment per table, of the store's generation).
struct Manifest: Codable {
    /// Always "kuai-store".
    var format: String
    /// `FormatConstants.formatVersion` of the writer.
    var formatVersion: Int
    /// The id of the commit that wrote this manifest: 16 lower-case hex digits of a random odd u64.
    var generation: String
    /// Commits made to the store so far, this one included (version 2; 1 for a new store).
    var commit: Int?
    /// Rows per block (`FormatConstants.blockRows`).
    var blockRows: Int
    /// UTC time of the commit, ISO 8601 (informational).
    var createdAt: String?
    /// Program that wrote the store (informational).
    var writer: String?
    var tables: [TableEntry]
    /// The views, in the order they were created (version 2; absent = none).
    var views: [ViewEntry]?

    struct TableEntry: Codable {
        var name: String
        var rowCount: Int
        var source: SourceEntry?
        /// The columns: name and type, in table order.
        var columns: [ColumnDeclaration]
        /// The table's rows: the rows of each segment in order (insertion order).
        var segments: [SegmentEntry]
    }

    struct ColumnDeclaration: Codable {
        var name: String
        /// SQL type name as DuckDB prints it ("BIGINT"; a parametrised type with its parameters).
        var type: String
        /// `DataType.rawValue` ("Logical types" in the spec); must agree with `type`.
        var typeId: Int
    }

    /// Rows written by one commit: one column file per table column.
    struct SegmentEntry: Codable {
        /// The commit that wrote the files; repeated in every column-file header.
        var generation: String
        /// Folder of the column files, relative to the store (informational).
        var directory: String
        var rowCount: Int
        var blockCount: Int
        /// One per table column, in table order.
        var files: [FileEntry]
    }

    struct FileEntry: Codable {
        /// Column file, relative to the store ("gen-9f1c2a7be03d4451/click/user_id.col").
        var file: String
        /// Size of the column file in bytes.
        var bytes: Int
        var nullCount: Int
        /// XXH64 of the column file's footer as 16 hex digits.
        var footerChecksum: String
        /// Strings in the column dictionary (VARCHAR only).
        var dictionarySize: Int?
        /// Where the per-block zone maps live: always "footer".
        var zoneMaps: String
    }

    struct SourceEntry: Codable {
        var path: String
        var bytes: Int

        init(path: String, bytes: Int) {
            self.path = path
            self.bytes = bytes
        }

        /// The entry of a table read from `path`; nil for a table from no file.
        init?(path: String?, bytes: Int) {
            guard let path else { return nil }
            self.init(path: path, bytes: bytes)
        }
    }

    struct ViewEntry: Codable {
        var name: String
        /// The view's query text, parsed and bound each time the view is used.
        var sql: String
        /// Names of the view's first columns given in CREATE VIEW v (a, b).
        var columnNames: [String]?
    }

    /// A version-1 manifest: one set of files per table, all of the store's generation.
    struct Version1: Decodable {
        var format: String
        var formatVersion: Int
        var generation: String
        var blockRows: Int
        var createdAt: String?
        var writer: String?
        var tables: [Table]
        struct Table: Decodable {
            var name: String
            var directory: String
            var rowCount: Int
            var blockCount: Int
            var source: SourceEntry?
            var columns: [Column]
        }
        /// A column: its declaration's and its file entry's members in one object.
        struct Column: Decodable {
            var declaration: ColumnDeclaration
            var file: FileEntry

            init(from decoder: Decoder) throws {
                declaration = try ColumnDeclaration(from: decoder)
                file = try FileEntry(from: decoder)
            }
        }

        /// The same store in the version-2 shape.
        var upgraded: Manifest {
            Manifest(
                format: format, formatVersion: formatVersion, generation: generation, commit: nil,
                blockRows: blockRows, createdAt: createdAt, writer: writer,
                tables: tables.map { t in
                    TableEntry(
                        name: t.name, rowCount: t.rowCount, source: t.source,
                        columns: t.columns.map(\.declaration),
                        segments: [
                            SegmentEntry(
                                generation: generation, directory: t.directory, rowCount: t.rowCount,
                                blockCount: t.blockCount,
                                files: t.columns.map(\.file))
                        ])
                }, views: nil)
        }
    }

    /// Only the members needed to decide whether this reader understands the file.
    struct Probe: Decodable {
        var format: String?
        var formatVersion: Int?
    }

    func encoded() throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try enc.encode(self)
        data.append(0x0A)
        return [UInt8](data)
    }

    /// Parses and checks a manifest; `where` names it in errors.
    static func decode(_ bytes: [UInt8], at location: String) throws -> Manifest {
        let data = Data(bytes)
        let probe: Probe
        do {
            probe = try JSONDecoder().decode(Probe.self, from: data)
        } catch {
            throw KuaiError(.corrupt, "manifest is not valid JSON: \(Self.describe(error))", at: location)
        }
        guard probe.format == FormatConstants.manifestFormatName else {
            throw KuaiError(
                .corrupt, "not a kuai store manifest (\"format\" is not \"\(FormatConstants.manifestFormatName)\")",
                at: location)
        }
        guard let v = probe.formatVersion else {
            throw KuaiError(.corrupt, "manifest has no formatVersion", at: location)
        }
        if v > Int(FormatConstants.formatVersion) {
            throw KuaiError(
                .format,
                "store format version \(v) is newer than this kuai understands (\(FormatConstants.formatVersion)); upgrade kuai",
                at: location)
        }
        if v < Int(FormatConstants.oldestReadableVersion) {
            throw KuaiError(.corrupt, "manifest formatVersion \(v) is invalid", at: location)
        }
        do {
            if v == 1 { return try JSONDecoder().decode(Version1.self, from: data).upgraded }
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw KuaiError(.corrupt, "manifest does not match the schema: \(Self.describe(error))", at: location)
        }
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing \"\(key.stringValue)\" at \(path(ctx.codingPath))"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at \(path(ctx.codingPath))"
        case DecodingError.dataCorrupted(let ctx):
            return ctx.debugDescription
        default:
            return "\(error)"
        }
    }

    private static func path(_ p: [CodingKey]) -> String {
        p.isEmpty ? "top level" : p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    static func nowISO8601() -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }
}
