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
        guard case .list(let element) = c.type else { return castToVarcharFlat(c, from: c.type) }
        let child = c.listElements
        let text = element.isList ? listToVarchar(child) : castToVarcharFlat(child, from: element)
        let quoting = !element.isList
        let n = c.count
        var buffer = [UInt8]()
        return FlatStrings.build(n, validity: c.validity) { out, heap in
            for i in 0..<n where c.isValid(i) {
                buffer.removeAll(keepingCapacity: true)
                buffer.append(UInt8(ascii: "["))
                let start = c.listOffset(i)
                for k in start..<(start + c.listLength(i)) {
                    if k > start { buffer.append(contentsOf: [UInt8(ascii: ","), 32]) }
                    if !text.isValid(k) {
                        buffer.append(contentsOf: [78, 85, 76, 76])  // NULL
                        continue
                    }
                    text.stringView(at: k).withBytes { b in
                        appendListElement(b, quoting: quoting, into: &buffer)
                    }
                }
                buffer.append(UInt8(ascii: "]"))
                out[i] = buffer.withUnsafeBufferPointer { FlatStrings.copy(heap, $0.baseAddress!, count: $0.count) }
            }
        }
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
