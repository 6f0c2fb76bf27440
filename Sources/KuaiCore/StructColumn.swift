/// The field columns of a STRUCT column, one per field of its type, in the type's order. A class so
/// that gathers and slices of the struct column share them.
public final class StructChildren: @unchecked Sendable {
    /// The field columns (each of its field's type, with its own validity for NULL fields); all of
    /// equal count.
    public let fields: [Column]

    public init(_ fields: [Column]) { self.fields = fields }

    /// The rows of the field columns.
    public var count: Int { fields.first?.count ?? 0 }
}

/// STRUCT columns (DuckDB's STRUCT): row i's `ints[i]` is the row of the field columns
/// (`structChildren`) that holds its fields; a NULL struct has validity 0 (its index is
/// unspecified, normally 0, and may lie outside the field columns). Gathers and slices copy the
/// indexes and share the fields, as LIST columns share their child (ListColumn.swift).
///
/// MAP columns are LIST columns of type `.map(K, V)` whose `listChild` holds the entries, a STRUCT
/// column of type `STRUCT(key K, value V)` (DuckDB's physical MAP).
extension Column {
    /// A STRUCT column of `type` whose row i reads row `rows[i]` of `fields`.
    /// - Precondition: `type` is a STRUCT whose field types are those of `fields`, in order; every
    ///   valid row's index is below the fields' count.
    public init(structOf type: DataType, rows: [Int64], fields: [Column], validity: [UInt8]? = nil) {
        precondition(type.structFields.count == fields.count, "a STRUCT column needs one column per field")
        self.init(type: type, ints: rows, validity: validity)
        self.structChildren = StructChildren(fields)
    }

    /// A STRUCT column of `type` whose row i is row i of `fields` (all of `count` rows).
    public init(structOf type: DataType, aligned fields: [Column], count: Int, validity: [UInt8]? = nil) {
        self.init(structOf: type, rows: (0..<Int64(count)).map { $0 }, fields: fields, validity: validity)
    }

    /// A MAP column of `type` over `entries` (a STRUCT(key, value) column), one packed (offset,
    /// length) word per row as a LIST column has.
    public init(mapOf type: DataType, packed: [Int64], entries: Column, validity: [UInt8]? = nil) {
        precondition(type.isMap && entries.count < Int(Int32.max))
        self.init(type: type, ints: packed, validity: validity)
        self.listChild = ListChild(entries)
    }

    /// The field columns a STRUCT column's indexes point into (empty columns when it has none).
    public var structFieldColumns: [Column] {
        if let c = structChildren { return c.fields }
        return type.structFields.map { Column.nulls($0.type, count: 0) }
    }

    /// Field `k` of every row of a STRUCT column, as a column of `count` rows of the field's type:
    /// NULL where the struct is NULL or its field is.
    public func structField(_ k: Int) -> Column {
        let fieldType = type.structFields[k].type
        let fields = structFieldColumns
        guard !fields.isEmpty, fields[k].count > 0 else { return Column.nulls(fieldType, count: count) }
        let child = fields[k]
        let n = count
        let picks = [Int32](unsafeUninitializedCapacity: n) { buf, filled in
            ints.withUnsafeBufferPointer { p in
                if let v = validity {
                    for i in 0..<n { buf[i] = v[i] != 0 ? Int32(truncatingIfNeeded: p[i]) : 0 }
                } else {
                    for i in 0..<n { buf[i] = Int32(truncatingIfNeeded: p[i]) }
                }
            }
            filled = n
        }
        var out = picks.withUnsafeBufferPointer { child.gather($0) }
        if let v = validity {
            var valid = out.validity ?? [UInt8](repeating: 1, count: n)
            for i in 0..<n where v[i] == 0 { valid[i] = 0 }
            out.validity = valid
        }
        return out
    }

    /// The STRUCT column with its fields gathered so that row i reads row i of every field (the
    /// indexes become 0..<count); NULL structs read NULL fields.
    public func compactStruct() -> Column {
        let fields = type.structFields.indices.map { structField($0) }
        return Column(structOf: type, aligned: fields, count: count, validity: validity)
    }

    /// Row `i` of a STRUCT column as DuckDB's CAST(struct AS VARCHAR) prints it (`{'a': 1, 'b': x}`,
    /// `(1, x)` for an unnamed one). For `value(at:)` and tests; result writers use the byte kernels
    /// of KuaiExec.
    func structText(at i: Int) -> String {
        let fields = type.structFields
        let columns = structFieldColumns
        let row = Int(ints[i])
        let parts = fields.indices.map { k -> String in
            let v = columns[k].value(at: row)
            let text = v.isNull ? "NULL" : v.description
            return fields[k].name.isEmpty ? text : "'\(fields[k].name)': \(text)"
        }
        let unnamed = !fields.isEmpty && fields.allSatisfy { $0.name.isEmpty }
        return unnamed ? "(" + parts.joined(separator: ", ") + ")" : "{" + parts.joined(separator: ", ") + "}"
    }

    /// Row `i` of a MAP column as DuckDB prints it (`{k=1, j=NULL}`). For `value(at:)` and tests.
    func mapText(at i: Int) -> String {
        let entries = listElements
        let fields = entries.structFieldColumns
        let start = listOffset(i)
        var parts: [String] = []
        for e in start..<(start + listLength(i)) {
            let row = Int(entries.ints[e])
            let k = fields[0].value(at: row)
            let v = fields[1].value(at: row)
            parts.append((k.isNull ? "NULL" : k.description) + "=" + (v.isNull ? "NULL" : v.description))
        }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
