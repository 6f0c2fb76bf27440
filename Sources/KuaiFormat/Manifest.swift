import Foundation
import KuaiCore

/// The `manifest.json` of a store (Formats/column-file.md, "Manifest"). Written last by
/// `StoreWriter.commit()`; read first by `Store.open`.
struct Manifest: Codable {
    /// Always "kuai-store".
    var format: String
    /// `FormatConstants.formatVersion` of the writer.
    var formatVersion: Int
    /// The store generation id: 16 lower-case hex digits, also in every column-file header.
    var generation: String
    /// Rows per block (`FormatConstants.blockRows`).
    var blockRows: Int
    /// UTC time of the commit, ISO 8601 (informational).
    var createdAt: String?
    /// Program that wrote the store (informational).
    var writer: String?
    var tables: [TableEntry]

    struct TableEntry: Codable {
        var name: String
        /// Folder of the column files, relative to the store.
        var directory: String
        var rowCount: Int
        var blockCount: Int
        var source: SourceEntry?
        var columns: [ColumnEntry]
    }

    struct SourceEntry: Codable {
        var path: String
        var bytes: Int
    }

    struct ColumnEntry: Codable {
        var name: String
        /// SQL type name as DuckDB prints it ("BIGINT").
        var type: String
        /// `DataType.rawValue` ("Logical types" in the spec); must agree with `type`.
        var typeId: Int
        /// Column file, relative to the store ("click/user_id.col").
        var file: String
        /// Size of the column file in bytes.
        var bytes: Int
        var nullCount: Int
        /// XXH64 of the column file's footer as 16 hex digits; the footer holds every block's
        /// checksum, so this ties the manifest to the exact file contents cheaply.
        var footerChecksum: String
        /// Number of distinct strings (VARCHAR only).
        var dictionarySize: Int?
        /// Where the per-block zone maps live: always "footer" in version 1.
        var zoneMaps: String
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
        if v < 1 { throw KuaiError(.corrupt, "manifest formatVersion \(v) is invalid", at: location) }
        do {
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
