import KuaiCore

/// Rows `indexes` of `col`, where -1 means NULL (outer-join padding).
func gatherNullable(_ col: Column, _ indexes: UnsafeBufferPointer<Int32>) -> Column {
    let n = indexes.count
    if col.count == 0 { return Column.nulls(col.type, count: n) }
    var hasMissing = false
    for i in 0..<n where indexes[i] < 0 {
        hasMissing = true
        break
    }
    if !hasMissing { return col.gather(indexes) }
    var safe = [Int32](repeating: 0, count: n)
    var anyNull = false
    for i in 0..<n {
        let x = indexes[i]
        if x < 0 { anyNull = true } else { safe[i] = x }
    }
    var out = safe.withUnsafeBufferPointer { col.gather($0) }
    if anyNull {
        var v = out.validity ?? [UInt8](repeating: 1, count: n)
        for i in 0..<n where indexes[i] < 0 { v[i] = 0 }
        out.validity = v
    }
    return out
}

/// `gatherNullable` on every core when `parallel` and the selection is large (`PositionChunks`);
/// the same column, bit for bit (a missing row reads row 0's value under a 0 validity byte).
func gatherNullable(_ col: Column, _ indexes: UnsafeBufferPointer<Int32>, parallel: Bool) -> Column {
    let n = indexes.count
    let chunks = PositionChunks(count: n)
    if !parallel || chunks.ranges.count < 2 || col.count == 0 || col.type == .null {
        return gatherNullable(col, indexes)
    }
    var missing = [Bool](repeating: false, count: chunks.ranges.count)
    missing.withUnsafeMutableBufferPointer { m in
        chunks.forEachChunk { k, r in m[k] = r.contains { indexes[$0] < 0 } }
    }
    var out = col
    out.count = n
    switch col.type {
    case .double: out.doubles = gatherValues(col.doubles, indexes, chunks)
    case .varchar where col.dictionary == nil: out.views = gatherValues(col.views, indexes, chunks)
    case .varchar: out.codes = gatherValues(col.codes, indexes, chunks)
    default:
        out.ints = gatherValues(col.ints, indexes, chunks)
        if let h = col.highs { out.highs = gatherValues(h, indexes, chunks) }
    }
    if col.validity != nil || missing.contains(true) {
        let valid = col.validity ?? []
        out.validity = [UInt8](unsafeUninitializedCapacity: n) { buf, initialized in
            chunks.forEachChunk { _, r in
                for j in r {
                    let x = indexes[j]
                    buf[j] = x < 0 ? 0 : (valid.isEmpty ? 1 : valid[Int(x)])
                }
            }
            initialized = n
        }
    }
    return out
}

/// `values` at `indexes` (a negative index reads entry 0), filled by `chunks` on every core.
private func gatherValues<T>(_ values: [T], _ indexes: UnsafeBufferPointer<Int32>, _ chunks: PositionChunks) -> [T] {
    values.withUnsafeBufferPointer { src in
        [T](unsafeUninitializedCapacity: indexes.count) { buf, initialized in
            let base = buf.baseAddress!
            chunks.forEachChunk { _, r in
                for j in r { (base + j).initialize(to: src[Int(Swift.max(indexes[j], 0))]) }
            }
            initialized = indexes.count
        }
    }
}
