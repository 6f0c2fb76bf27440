import KuaiCore

/// CAST(VARCHAR AS T[]): DuckDB 2.0.1's reading of list text (`'[1, 2]'::INT[]`, `'[a, ''b,c'', NULL]'`).
extension Kernels {
    /// The text of each row read as a list: white space around it, then `[`, elements separated
    /// by commas outside quotes and nested brackets / braces / parentheses, then `]`. An element is
    /// trimmed of white space; one in single or double quotes is the text between them (a
    /// backslash keeps the next character); an unquoted `NULL` (any case) is a NULL element; the
    /// elements are then cast from VARCHAR to the element type (its errors, or NULL elements under
    /// TRY_CAST). Text that is not a bracketed list is DuckDB's conversion error (NULL under TRY_CAST).
    /// - Throws: `KuaiError.execution` for text that is not a list, or an element's cast error.
    static func varcharToList(_ c: Column, to: DataType, isTry: Bool, expr: ScalarExpr) throws -> Column {
        let n = c.count
        let element = to.listElement ?? .null
        var failures = CastFailures(isTry: isTry, validity: c.validity, count: n)
        var pieces = StringVectorBuilder()
        var packed = [Int64](repeating: 0, count: n)
        var scratch: [UInt8] = []
        for i in 0..<n where c.isValid(i) {
            let start = pieces.count
            let ok = c.stringView(at: i).withBytes { b in readList(b, &pieces, &scratch) }
            if !ok {
                try failures.fail(
                    i,
                    "Conversion Error: Type VARCHAR with value '\(c.stringView(at: i).string)' can't be cast to the destination type \(to)"
                )
                packed[i] = Column.packList(offset: start, length: 0)
                continue
            }
            packed[i] = Column.packList(offset: start, length: pieces.count - start)
        }
        let child = try castColumn(pieces.finish(), from: .varchar, to: element, isTry: isTry, expr: expr)
        return Column(listOf: element, packed: packed, child: child, validity: failures.validity)
    }

    @inline(__always) static func isListSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }

    /// Appends the elements of the list text `b` to `out`; false when `b` is not a list.
    static func readList(_ b: UnsafeBufferPointer<UInt8>, _ out: inout StringVectorBuilder, _ scratch: inout [UInt8])
        -> Bool
    {
        var lo = 0
        var hi = b.count
        while lo < hi && isListSpace(b[lo]) { lo += 1 }
        while hi > lo && isListSpace(b[hi - 1]) { hi -= 1 }
        guard hi - lo >= 2, b[lo] == UInt8(ascii: "["), b[hi - 1] == UInt8(ascii: "]") else { return false }
        lo += 1
        hi -= 1
        var k = lo
        while k < hi && isListSpace(b[k]) { k += 1 }
        if k == hi { return true }  // `[]`, `[ ]`
        var depth = 0
        var quote: UInt8 = 0
        var segment = lo
        k = lo
        while k <= hi {
            if k == hi || (quote == 0 && depth == 0 && b[k] == UInt8(ascii: ",")) {
                appendElement(b, segment, k, &out, &scratch)
                segment = k + 1
                k += 1
                continue
            }
            let ch = b[k]
            if quote != 0 {
                if ch == UInt8(ascii: "\\") {
                    k += 1
                } else if ch == quote {
                    quote = 0
                }
            } else if ch == UInt8(ascii: "'") || ch == UInt8(ascii: "\"") {
                quote = ch
            } else if ch == UInt8(ascii: "[") || ch == UInt8(ascii: "{") || ch == UInt8(ascii: "(") {
                depth += 1
            } else if ch == UInt8(ascii: "]") || ch == UInt8(ascii: "}") || ch == UInt8(ascii: ")") {
                depth -= 1
                if depth < 0 { return false }
            }
            k += 1
        }
        return quote == 0 && depth == 0
    }

    /// One element `b[lo..<hi]`: trimmed, unquoted, or NULL.
    static func appendElement(
        _ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ out: inout StringVectorBuilder,
        _ scratch: inout [UInt8]
    ) {
        var lo = lo
        var hi = hi
        while lo < hi && isListSpace(b[lo]) { lo += 1 }
        while hi > lo && isListSpace(b[hi - 1]) { hi -= 1 }
        let base = b.baseAddress!
        if hi - lo == 4, (b[lo] | 0x20) == 0x6E, (b[lo + 1] | 0x20) == 0x75, (b[lo + 2] | 0x20) == 0x6C,
            (b[lo + 3] | 0x20) == 0x6C
        {
            out.appendNull()
            return
        }
        if hi - lo >= 2, b[lo] == UInt8(ascii: "'") || b[lo] == UInt8(ascii: "\""), b[hi - 1] == b[lo] {
            scratch.removeAll(keepingCapacity: true)
            var k = lo + 1
            while k < hi - 1 {
                if b[k] == UInt8(ascii: "\\") && k + 1 < hi - 1 { k += 1 }
                scratch.append(b[k])
                k += 1
            }
            scratch.withUnsafeBufferPointer { out.append($0.baseAddress ?? base, count: $0.count) }
            return
        }
        out.append(base + lo, count: hi - lo)
    }
}
