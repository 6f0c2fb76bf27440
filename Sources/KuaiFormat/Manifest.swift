import Foundation
import KuaiCore

/// The `manifest.json` of a store, version 3 (Formats/column-file.md, "Manifest"; versions 1 and 2 read too). Written last by a
/// commit (`StoreWriter.commit()`, `StoreTransaction.commit()`); read first by `Store.open`. A version-1
/// manifest is read into this shape (one segment per table, of the store's generation).
struct Manifest: Encodable {
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
    /// The macros (`CREATE MACRO`), in the order they were created (absent = none; readers before it
    /// ignore the member).
    var macros: [MacroEntry]? = nil

    struct TableEntry: Encodable {
        var name: String
        var rowCount: Int
        var source: SourceEntry?
        /// The columns: name and type, in table order.
        var columns: [ColumnDeclaration]
        /// The table's rows: the rows of each segment in order (insertion order).
        var segments: [SegmentEntry]
    }

    struct ColumnDeclaration: Encodable {
        var name: String
        /// SQL type name as DuckDB prints it ("BIGINT"; a parametrised type with its parameters).
        var type: String
        /// `DataType.rawValue` ("Logical types" in the spec); must agree with `type`.
        var typeId: Int
    }

    /// Rows written by one commit: one column file per table column.
    struct SegmentEntry: Encodable {
        /// The commit that wrote the files; repeated in every column-file header.
        var generation: String
        /// Folder of the column files, relative to the store (informational).
        var directory: String
        var rowCount: Int
        var blockCount: Int
        /// One per table column, in table order.
        var files: [FileEntry]
    }

    struct FileEntry: Encodable {
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

    struct SourceEntry: Encodable {
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

    struct ViewEntry: Encodable {
        var name: String
        /// The view's query text, parsed and bound each time the view is used.
        var sql: String
        /// Names of the view's first columns given in CREATE VIEW v (a, b).
        var columnNames: [String]?
    }

    /// A macro: `CREATE MACRO name(parameters) AS sql` (`kind` "scalar") or `... AS TABLE sql` ("table").
    struct MacroEntry: Encodable {
        var name: String
        /// "scalar" or "table".
        var kind: String
        var parameters: [MacroParameterEntry]
        /// The body's text as written: an expression, or a query for a table macro; parsed again when the
        /// macro is used.
        var sql: String
    }

    /// A macro parameter: its name and, for `name := value`, the default's text.
    struct MacroParameterEntry: Encodable {
        var name: String
        var `default`: String?
    }

    func encoded() throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try enc.encode(self)
        data.append(0x0A)
        return [UInt8](data)
    }

    /// Parses and checks a manifest; `where` names it in errors. A version-1 manifest (one set of files
    /// per table, all of the store's generation) is read into the version-2 shape: one segment per
    /// table. Unknown members are ignored; an optional member may be absent or null.
    /// - Throws: `KuaiError.corrupt` (not JSON, not a manifest, members missing or of the wrong type),
    ///   `.format` (a newer format version).
    static func decode(_ bytes: [UInt8], at location: String) throws -> Manifest {
        let root: JSONValue
        do {
            root = try JSONReader.parse(bytes)
        } catch {
            throw KuaiError(.corrupt, "manifest is not valid JSON: \(error)", at: location)
        }
        guard case .string(FormatConstants.manifestFormatName) = root.member("format") else {
            throw KuaiError(
                .corrupt, "not a kuai store manifest (\"format\" is not \"\(FormatConstants.manifestFormatName)\")",
                at: location)
        }
        guard case .integer(let v) = root.member("formatVersion") else {
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
            return try Manifest(ManifestFields(root), version: v)
        } catch {
            throw KuaiError(.corrupt, "manifest does not match the schema: \(error.message)", at: location)
        }
    }

    static func nowISO8601() -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }
}

/// A manifest member that is missing or of the wrong type. The path is built as the error leaves
/// each enclosing object and array, so that reading a sound manifest builds no path strings.
struct ManifestSchemaError: Error {
    /// The member's name when it is missing; nil when it has the wrong type.
    let missing: String?
    /// From the top: ".tables[2].segments[0].files[1]" for a missing member (its object), with the
    /// member's name for one of the wrong type (".tables[2].rowCount").
    var path: String

    /// "missing \"bytes\" at .tables[2].segments[0].files[1]", "wrong type at .tables[2].rowCount".
    var message: String {
        if let missing { return "missing \"\(missing)\" at \(path.isEmpty ? "top level" : path)" }
        return "wrong type at \(path.isEmpty ? "top level" : path)"
    }
}

/// The members of one object of a parsed manifest.
struct ManifestFields {
    let object: JSONValue

    /// - Throws: `ManifestSchemaError` when `value` is not an object.
    init(_ value: JSONValue) throws(ManifestSchemaError) {
        guard case .object = value else { throw ManifestSchemaError(missing: nil, path: "") }
        object = value
    }

    /// The member `name`, or nil when absent or null.
    func optional(_ name: String) -> JSONValue? {
        switch object.member(name) {
        case nil, .null?: return nil
        case let v?: return v
        }
    }

    func required(_ name: String) throws(ManifestSchemaError) -> JSONValue {
        switch object.member(name) {
        case nil: throw ManifestSchemaError(missing: name, path: "")
        case .null?: throw wrongType(name)
        case let v?: return v
        }
    }

    func wrongType(_ name: String) -> ManifestSchemaError { ManifestSchemaError(missing: nil, path: "." + name) }

    /// The member `name` as `value` reads it (nil: the member is of another type).
    func required<T>(_ name: String, _ value: (JSONValue) -> T?) throws(ManifestSchemaError) -> T {
        guard let v = value(try required(name)) else { throw wrongType(name) }
        return v
    }

    /// `required(_:_:)` for an optional member: nil when absent or null.
    func optional<T>(_ name: String, _ value: (JSONValue) -> T?) throws(ManifestSchemaError) -> T? {
        guard let member = optional(name) else { return nil }
        guard let v = value(member) else { throw wrongType(name) }
        return v
    }

    func string(_ name: String) throws(ManifestSchemaError) -> String { try required(name, \.stringValue) }
    func optionalString(_ name: String) throws(ManifestSchemaError) -> String? { try optional(name, \.stringValue) }
    func int(_ name: String) throws(ManifestSchemaError) -> Int { try required(name, \.integerValue) }
    func optionalInt(_ name: String) throws(ManifestSchemaError) -> Int? { try optional(name, \.integerValue) }

    /// The object member `name` (optional: nil when absent or null), read by `make`.
    func optionalObject<T>(
        _ name: String, _ make: (ManifestFields) throws(ManifestSchemaError) -> T
    ) throws(ManifestSchemaError) -> T? {
        guard let v = optional(name) else { return nil }
        do {
            return try make(ManifestFields(v))
        } catch {
            throw ManifestSchemaError(missing: error.missing, path: "." + name + error.path)
        }
    }

    /// The array member `name`, each element read by `element`.
    func array<T>(
        _ name: String, _ element: (JSONValue) throws(ManifestSchemaError) -> T
    ) throws(ManifestSchemaError) -> [T] {
        try elements(of: required(name), name, element)
    }

    /// `array(_:_:)` for an optional member: nil when absent or null.
    func optionalArray<T>(
        _ name: String, _ element: (JSONValue) throws(ManifestSchemaError) -> T
    ) throws(ManifestSchemaError) -> [T]? {
        guard let v = optional(name) else { return nil }
        return try elements(of: v, name, element)
    }

    private func elements<T>(
        of value: JSONValue, _ name: String, _ element: (JSONValue) throws(ManifestSchemaError) -> T
    ) throws(ManifestSchemaError) -> [T] {
        guard case .array(let items) = value else { throw wrongType(name) }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            do {
                out.append(try element(item))
            } catch {
                throw ManifestSchemaError(missing: error.missing, path: ".\(name)[\(i)]" + error.path)
            }
        }
        return out
    }

    /// An array of objects, each read by `make`.
    func objects<T>(
        _ name: String, _ make: (ManifestFields) throws(ManifestSchemaError) -> T
    ) throws(ManifestSchemaError) -> [T] {
        try array(name) { (v) throws(ManifestSchemaError) in try make(ManifestFields(v)) }
    }
}

extension Manifest {
    /// A manifest of `version` (1 or 2) from its top-level object; a version-1 manifest is upgraded.
    init(_ m: ManifestFields, version: Int) throws(ManifestSchemaError) {
        let generation = try m.string("generation")
        let blockRows = try m.int("blockRows")
        let tables: [TableEntry]
        if version == 1 {
            tables = try m.objects("tables") { (t) throws(ManifestSchemaError) in
                try TableEntry(version1: t, generation: generation)
            }
        } else {
            tables = try m.objects("tables", TableEntry.init)
        }
        self.init(
            format: try m.string("format"), formatVersion: try m.int("formatVersion"), generation: generation,
            commit: version == 1 ? nil : try m.optionalInt("commit"), blockRows: blockRows,
            createdAt: try m.optionalString("createdAt"), writer: try m.optionalString("writer"), tables: tables,
            views: version == 1
                ? nil
                : try m.optionalArray("views") { (v) throws(ManifestSchemaError) in
                    try ViewEntry(ManifestFields(v))
                },
            macros: version == 1
                ? nil
                : try m.optionalArray("macros") { (v) throws(ManifestSchemaError) in
                    try MacroEntry(ManifestFields(v))
                })
    }
}

extension Manifest.TableEntry {
    init(_ t: ManifestFields) throws(ManifestSchemaError) {
        self.init(
            name: try t.string("name"), rowCount: try t.int("rowCount"),
            source: try t.optionalObject("source", Self.source),
            columns: try t.objects("columns", Manifest.ColumnDeclaration.init),
            segments: try t.objects("segments", Manifest.SegmentEntry.init))
    }

    /// A version-1 table: one segment of the manifest's `generation`, whose columns hold both the
    /// declaration's and the file entry's members.
    init(version1 t: ManifestFields, generation: String) throws(ManifestSchemaError) {
        let rowCount = try t.int("rowCount")
        let columns = try t.objects("columns") { (c) throws(ManifestSchemaError) in
            (try Manifest.ColumnDeclaration(c), try Manifest.FileEntry(c))
        }
        let segment = Manifest.SegmentEntry(
            generation: generation, directory: try t.string("directory"), rowCount: rowCount,
            blockCount: try t.int("blockCount"), files: columns.map(\.1))
        self.init(
            name: try t.string("name"), rowCount: rowCount, source: try t.optionalObject("source", Self.source),
            columns: columns.map(\.0),
            segments: [segment])
    }

    private static func source(_ s: ManifestFields) throws(ManifestSchemaError) -> Manifest.SourceEntry {
        Manifest.SourceEntry(path: try s.string("path"), bytes: try s.int("bytes"))
    }
}

extension Manifest.ColumnDeclaration {
    init(_ c: ManifestFields) throws(ManifestSchemaError) {
        self.init(name: try c.string("name"), type: try c.string("type"), typeId: try c.int("typeId"))
    }
}

extension Manifest.SegmentEntry {
    init(_ s: ManifestFields) throws(ManifestSchemaError) {
        self.init(
            generation: try s.string("generation"), directory: try s.string("directory"),
            rowCount: try s.int("rowCount"), blockCount: try s.int("blockCount"),
            files: try s.objects("files", Manifest.FileEntry.init))
    }
}

extension Manifest.FileEntry {
    init(_ f: ManifestFields) throws(ManifestSchemaError) {
        self.init(
            file: try f.string("file"), bytes: try f.int("bytes"), nullCount: try f.int("nullCount"),
            footerChecksum: try f.string("footerChecksum"), dictionarySize: try f.optionalInt("dictionarySize"),
            zoneMaps: try f.string("zoneMaps"))
    }
}

extension Manifest.ViewEntry {
    init(_ v: ManifestFields) throws(ManifestSchemaError) {
        let names = try v.optionalArray("columnNames") { (e) throws(ManifestSchemaError) -> String in
            guard case .string(let s) = e else { throw ManifestSchemaError(missing: nil, path: "") }
            return s
        }
        self.init(name: try v.string("name"), sql: try v.string("sql"), columnNames: names)
    }
}

extension Manifest.MacroEntry {
    init(_ v: ManifestFields) throws(ManifestSchemaError) {
        let kind = try v.string("kind")
        guard kind == "scalar" || kind == "table" else { throw ManifestSchemaError(missing: nil, path: ".kind") }
        self.init(
            name: try v.string("name"), kind: kind,
            parameters: try v.objects("parameters") { (p) throws(ManifestSchemaError) in
                Manifest.MacroParameterEntry(name: try p.string("name"), default: try p.optionalString("default"))
            },
            sql: try v.string("sql"))
    }
}
