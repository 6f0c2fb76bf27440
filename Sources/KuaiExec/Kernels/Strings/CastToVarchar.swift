import KuaiCore

extension Kernels {
    /// CAST(x AS VARCHAR) of a column of any type into a flat string vector: each value's text is
    /// written as bytes (`TextBytes`: integers, HUGEINT, DOUBLE as DuckDB prints it, DATE,
    /// TIMESTAMP, INTERVAL, BOOLEAN), inline when at most 12 bytes, else into the result's heap.
    /// NULL rows stay NULL (empty views); a VARCHAR column is returned as it is.
    static func castToVarcharFlat(_ c: Column, from: DataType) -> Column {
        if from == .varchar || c.type == .varchar { return c }
        if from == .null || c.type == .null { return Column.nulls(.varchar, count: c.count) }
        let n = c.count
        if c.highs == nil, [.bigint, .integer, .smallint, .tinyint].contains(from) {
            return FlatStrings.build(n, validity: c.validity) { out, heap in
                let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: TextBytes.maxBytes)
                defer { scratch.deallocate() }
                let valid = c.validity ?? []
                c.ints.withUnsafeBufferPointer { x in
                    valid.withUnsafeBufferPointer { ok in
                        for i in 0..<n where ok.isEmpty || ok[i] != 0 {
                            out[i] =
                                inlineDecimal(x[i])
                                ?? FlatStrings.copy(heap, scratch, count: TextBytes.int64(x[i], scratch))
                        }
                    }
                }
            }
        }
        return FlatStrings.build(n, validity: c.validity) { out, heap in
            let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: TextBytes.maxBytes)
            defer { scratch.deallocate() }
            TextBytes.withValueWriter(c, type: from) { write in
                if let v = c.validity {
                    for i in 0..<n where v[i] != 0 {
                        out[i] = FlatStrings.copy(heap, scratch, count: write(i, scratch))
                    }
                } else {
                    for i in 0..<n { out[i] = FlatStrings.copy(heap, scratch, count: write(i, scratch)) }
                }
            }
        }
    }

    /// The decimal text of `v` as an inline view, built in registers (no scratch bytes to copy, so no
    /// load waits on the stores that wrote the digits); nil when longer than 12 bytes.
    @inline(__always)
    static func inlineDecimal(_ v: Int64) -> StringView? {
        #if !_endian(little)
            return nil
        #endif
        var u = v < 0 ? UInt64(0) &- UInt64(bitPattern: v) : UInt64(bitPattern: v)
        guard u < 100_000_000_000 else { return nil }  // at most 11 digits, 12 bytes with a sign
        // the digits from the last: each new one goes below the others, so the first digit ends in
        // the lowest byte (memory order on a little-endian machine)
        var bytes: UInt128 = 0
        var count: UInt32 = 0
        repeat {
            bytes = bytes << 8 | UInt128(0x30 &+ u % 10)
            u /= 10
            count &+= 1
        } while u != 0
        if v < 0 {
            bytes = bytes << 8 | 0x2D
            count &+= 1
        }
        var view = StringView()
        view.length = count
        view.prefix = UInt32(truncatingIfNeeded: bytes)
        view.tail = UInt64(truncatingIfNeeded: bytes >> 32)
        return view
    }
}
