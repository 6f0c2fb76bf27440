import KuaiCore

/// LIST values as text: DuckDB 2.0.1's CAST(list AS VARCHAR) (`[1, 2, NULL]`, strings quoted only
/// when needed) and the JSON array of a result writer.
extension Kernels {
    /// Bytes that make DuckDB quote a list element's text (its NestedToVarcharCast lookup table):
    /// `" ' ( ) , : = [ \ ] { }`.
    static let listQuotedBytes: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in "\"'(),:=[\\]{}".utf8 { t[Int(c)] = true }
        return t
    }()

    /// True when DuckDB prints the element text `p[0..<n]` in quotes inside a list: empty, starting
    /// or ending with white space (bytes 9-13, 32), spelling `null` in any case, or holding a byte of
    /// `listQuotedBytes`.
    static func listElementNeedsQuotes(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if n == 0 { return true }
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }
        if isSpace(p[0]) || isSpace(p[n - 1]) { return true }
        if n == 4 && (p[0] | 0x20) == 0x6E && (p[1] | 0x20) == 0x75 && (p[2] | 0x20) == 0x6C && (p[3] | 0x20) == 0x6C {
            return true
        }
        return listQuotedBytes.withUnsafeBufferPointer { t in
            for k in 0..<n where t[Int(p[k])] { return true }
            return false
        }
    }

    /// A LIST column as DuckDB's CAST(... AS VARCHAR): a flat VARCHAR column, NULL where the list is
    /// NULL; elements separated by `, `, NULL elements as `NULL`, an element's text in single quotes
    /// (with `'` and `\` escaped by a backslash) when `listElementNeedsQuotes`; nested lists unquoted.
    public static func listToVarchar(_ c: Column) -> Column {
        guard case .list(let element) = c.type else { return nestedToVarchar(c) }
        let child = c.listElements
        let text = nestedToVarchar(child)
        let quoting = !element.isNested
        let n = c.count
        var buffer = [UInt8]()
        return FlatStrings.build(n, validity: c.validity) { out, heap in
            for i in 0..<n where c.isValid(i) {
                buffer.removeAll(keepingCapacity: true)
                buffer.append(UInt8(ascii: "["))
                let start = c.listOffset(i)
                for k in start..<(start + c.listLength(i)) {
                    if k > start { buffer.append(contentsOf: [UInt8(ascii: ","), 32]) }
                    appendNestedText(text, k, quoting: quoting, into: &buffer)
                }
                buffer.append(UInt8(ascii: "]"))
                out[i] = buffer.withUnsafeBufferPointer { FlatStrings.copy(heap, $0.baseAddress!, count: $0.count) }
            }
        }
    }

    /// Any column as DuckDB's CAST(... AS VARCHAR): LIST, STRUCT and MAP by their own kernels, the
    /// other types by `castToVarcharFlat`.
    public static func nestedToVarchar(_ c: Column) -> Column {
        switch c.type {
        case .list: return listToVarchar(c)
        case .structure: return structToVarchar(c)
        case .map: return mapToVarchar(c)
        default: return castToVarcharFlat(c, from: c.type)
        }
    }

    /// A STRUCT column as DuckDB's CAST(... AS VARCHAR): `{'a': 1, 'b': x}` (field names always in
    /// single quotes, values quoted as list elements are, nested values bare, NULL fields `NULL`);
    /// an unnamed STRUCT (`row(...)`) as `(1, x)`, one field as `(x,)`. NULL where the struct is NULL.
    public static func structToVarchar(_ c: Column) -> Column {
        let fields = c.type.structFields
        let unnamed = !fields.isEmpty && fields.allSatisfy { $0.name.isEmpty }
        let texts = fields.indices.map { nestedToVarchar(c.structField($0)) }
        let names: [[UInt8]] = fields.map { f in
            var quoted: [UInt8] = [UInt8(ascii: "'")]
            for ch in f.name.utf8 {
                if ch == UInt8(ascii: "'") || ch == UInt8(ascii: "\\") { quoted.append(UInt8(ascii: "\\")) }
                quoted.append(ch)
            }
            quoted.append(contentsOf: [UInt8(ascii: "'"), UInt8(ascii: ":"), 32])
            return quoted
        }
        let n = c.count
        var buffer = [UInt8]()
        return FlatStrings.build(n, validity: c.validity) { out, heap in
            for i in 0..<n where c.isValid(i) {
                buffer.removeAll(keepingCapacity: true)
                buffer.append(UInt8(ascii: unnamed ? "(" : "{"))
                for k in fields.indices {
                    if k > 0 { buffer.append(contentsOf: [UInt8(ascii: ","), 32]) }
                    if !unnamed { buffer.append(contentsOf: names[k]) }
                    appendNestedText(texts[k], i, quoting: !fields[k].type.isNested, into: &buffer)
                }
                if unnamed && fields.count == 1 { buffer.append(UInt8(ascii: ",")) }
                buffer.append(UInt8(ascii: unnamed ? ")" : "}"))
                out[i] = buffer.withUnsafeBufferPointer { FlatStrings.copy(heap, $0.baseAddress!, count: $0.count) }
            }
        }
    }

    /// A MAP column as DuckDB's CAST(... AS VARCHAR): `{k=1, j=NULL}`, keys and values quoted as
    /// list elements are. NULL where the map is NULL.
    public static func mapToVarchar(_ c: Column) -> Column {
        guard case .map(let keyType, let valueType) = c.type else { return nestedToVarchar(c) }
        let entries = c.listElements
        let keys = nestedToVarchar(entries.structField(0))
        let values = nestedToVarchar(entries.structField(1))
        let n = c.count
        var buffer = [UInt8]()
        return FlatStrings.build(n, validity: c.validity) { out, heap in
            for i in 0..<n where c.isValid(i) {
                buffer.removeAll(keepingCapacity: true)
                buffer.append(UInt8(ascii: "{"))
                let start = c.listOffset(i)
                for k in start..<(start + c.listLength(i)) {
                    if k > start { buffer.append(contentsOf: [UInt8(ascii: ","), 32]) }
                    appendNestedText(keys, k, quoting: !keyType.isNested, into: &buffer)
                    buffer.append(UInt8(ascii: "="))
                    appendNestedText(values, k, quoting: !valueType.isNested, into: &buffer)
                }
                buffer.append(UInt8(ascii: "}"))
                out[i] = buffer.withUnsafeBufferPointer { FlatStrings.copy(heap, $0.baseAddress!, count: $0.count) }
            }
        }
    }

    /// Row `k` of the VARCHAR column `text` inside a nested value's text: `NULL` when NULL, else
    /// its bytes, quoted when DuckDB quotes them (`quoting`, not for nested values).
    @inline(__always)
    static func appendNestedText(_ text: Column, _ k: Int, quoting: Bool, into buffer: inout [UInt8]) {
        if !text.isValid(k) {
            buffer.append(contentsOf: [78, 85, 76, 76])  // NULL
            return
        }
        text.stringView(at: k).withBytes { b in appendListElement(b, quoting: quoting, into: &buffer) }
    }

    /// One element's text, quoted and escaped when DuckDB quotes it.
    @inline(__always)
    static func appendListElement(_ b: UnsafeBufferPointer<UInt8>, quoting: Bool, into buffer: inout [UInt8]) {
        guard quoting, b.isEmpty || listElementNeedsQuotes(b.baseAddress!, b.count) else {
            buffer.append(contentsOf: b)
            return
        }
        buffer.append(UInt8(ascii: "'"))
        for ch in b {
            if ch == UInt8(ascii: "'") || ch == UInt8(ascii: "\\") { buffer.append(UInt8(ascii: "\\")) }
            buffer.append(ch)
        }
        buffer.append(UInt8(ascii: "'"))
    }
}
