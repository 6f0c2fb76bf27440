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
}
