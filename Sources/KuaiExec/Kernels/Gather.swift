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
