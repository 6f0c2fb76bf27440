import KuaiCore

/// The first sort key's value at the last kept row of a top-N buffer: incoming rows strictly
/// worse on the first key are dropped. Integer-stored and DOUBLE keys only; a NULL bound or a
/// VARCHAR key filters nothing.
struct TopNBound {
    let key: SortKey
    let intBound: Int64?
    let doubleBound: UInt64?

    init?(_ kept: Batch, key: SortKey) {
        let col = kept.columns[key.column]
        let last = kept.count - 1
        guard last >= 0, col.isValid(last), col.type != .varchar, col.type != .null else { return nil }
        guard col.highs == nil else { return nil }  // HUGEINT beyond Int64: no 64-bit bound
        self.key = key
        if col.type == .double {
            intBound = nil
            doubleBound = orderedDouble(col.doubles[last])
        } else {
            intBound = col.ints[last]
            doubleBound = nil
        }
    }

    /// The rows of `b` that may still enter the result, or nil when none can.
    func filter(_ b: Batch) -> Batch? {
        let col = b.columns[key.column]
        let n = b.count
        var sel: [Int32] = []
        sel.reserveCapacity(n)
        let asc = key.ascending
        let valid = col.validity
        if col.highs != nil { return b }  // HUGEINT beyond Int64: keep every row
        if let ib = intBound, col.type != .double, col.type != .varchar, col.type != .null {
            col.ints.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    if let valid, valid[i] == 0 {
                        if key.nullsFirst { sel.append(Int32(i)) }
                        continue
                    }
                    if asc ? x[i] <= ib : x[i] >= ib { sel.append(Int32(i)) }
                }
            }
        } else if let db = doubleBound, col.type == .double {
            col.doubles.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    if let valid, valid[i] == 0 {
                        if key.nullsFirst { sel.append(Int32(i)) }
                        continue
                    }
                    let v = orderedDouble(x[i])
                    if asc ? v <= db : v >= db { sel.append(Int32(i)) }
                }
            }
        } else {
            return b
        }
        if sel.isEmpty { return nil }
        if sel.count == n { return b }
        return sel.withUnsafeBufferPointer { b.gather($0) }
    }
}
