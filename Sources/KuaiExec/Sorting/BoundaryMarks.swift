import KuaiCore

/// Marks sorted positions where column `col` (read through `perm`) differs from the previous
/// position: `marks[i] = 1`. NULLs equal each other; DOUBLE -0.0 = 0.0 and NaN = NaN; VARCHAR by
/// string value.
func markChanges(_ col: Column, perm: UnsafeBufferPointer<Int32>, marks: UnsafeMutableBufferPointer<UInt8>) {
    let n = perm.count
    if n < 2 || col.type == .null { return }
    let valid = col.validity
    @inline(__always) func nullAt(_ r: Int) -> Bool { valid != nil && valid![r] == 0 }
    switch col.type {
    case .double:
        col.doubles.withUnsafeBufferPointer { d in
            for i in 1..<n {
                let a = Int(perm[i - 1])
                let b = Int(perm[i])
                let na = nullAt(a)
                let nb = nullAt(b)
                if na != nb || (!na && doubleKey(d[a]) != doubleKey(d[b])) { marks[i] = 1 }
            }
        }
    case .varchar where col.isFlatString:
        col.views.withUnsafeBufferPointer { v in
            for i in 1..<n {
                let a = Int(perm[i - 1])
                let b = Int(perm[i])
                let na = nullAt(a)
                let nb = nullAt(b)
                if na != nb || (!na && !StringView.equal(v[a], v[b])) { marks[i] = 1 }
            }
        }
    case .varchar:
        let dv = col.dictionary!.views
        col.codes.withUnsafeBufferPointer { c in
            for i in 1..<n {
                let a = Int(perm[i - 1])
                let b = Int(perm[i])
                let na = nullAt(a)
                let nb = nullAt(b)
                if na != nb || (!na && c[a] != c[b] && !StringView.equal(dv[Int(c[a])], dv[Int(c[b])])) {
                    marks[i] = 1
                }
            }
        }
    default:
        if let h = col.highs {
            // HUGEINT beyond Int64: both words
            for i in 1..<n {
                let a = Int(perm[i - 1])
                let b = Int(perm[i])
                let na = nullAt(a)
                let nb = nullAt(b)
                if na != nb || (!na && (col.ints[a] != col.ints[b] || h[a] != h[b])) { marks[i] = 1 }
            }
            return
        }
        col.ints.withUnsafeBufferPointer { x in
            if valid == nil {
                for i in 1..<n where x[Int(perm[i - 1])] != x[Int(perm[i])] { marks[i] = 1 }
            } else {
                for i in 1..<n {
                    let a = Int(perm[i - 1])
                    let b = Int(perm[i])
                    let na = nullAt(a)
                    let nb = nullAt(b)
                    if na != nb || (!na && x[a] != x[b]) { marks[i] = 1 }
                }
            }
        }
    }
}
