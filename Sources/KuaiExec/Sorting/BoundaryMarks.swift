import KuaiCore

/// Marks sorted positions where column `col` (read through `perm`) differs from the previous
/// position: `marks[i] = 1`. NULLs equal each other; DOUBLE -0.0 = 0.0 and NaN = NaN; VARCHAR by
/// string value.
func markChanges(_ col: Column, perm: UnsafeBufferPointer<Int32>, marks: UnsafeMutableBufferPointer<UInt8>) {
    let n = perm.count
    if n < 2 || col.type == .null { return }
    let valid = col.validity
    /// Marks i where rows perm[i - 1] and perm[i] differ in NULL-ness or, both valid, `differ`.
    @inline(__always) func mark(_ differ: (_ a: Int, _ b: Int) -> Bool) {
        for i in 1..<n {
            let a = Int(perm[i - 1])
            let b = Int(perm[i])
            let na = valid != nil && valid![a] == 0
            let nb = valid != nil && valid![b] == 0
            if na != nb || (!na && differ(a, b)) { marks[i] = 1 }
        }
    }
    switch col.type {
    case .double:
        col.doubles.withUnsafeBufferPointer { d in mark { doubleKey(d[$0]) != doubleKey(d[$1]) } }
    case .varchar where col.isFlatString:
        col.views.withUnsafeBufferPointer { v in mark { !StringView.equal(v[$0], v[$1]) } }
    case .varchar:
        let dv = col.dictionary!.views
        col.codes.withUnsafeBufferPointer { c in
            mark { c[$0] != c[$1] && !StringView.equal(dv[Int(c[$0])], dv[Int(c[$1])]) }
        }
    case .interval where col.highs != nil:
        // intervals with months or days: peers by DuckDB's normalized value (36:00:00 = 1 day 12:00:00)
        mark { col.interval(at: $0).normalizedKey != col.interval(at: $1).normalizedKey }
    default:
        if let h = col.highs {
            // HUGEINT beyond Int64: both words
            col.ints.withUnsafeBufferPointer { x in mark { x[$0] != x[$1] || h[$0] != h[$1] } }
        } else if valid == nil {
            col.ints.withUnsafeBufferPointer { x in
                for i in 1..<n where x[Int(perm[i - 1])] != x[Int(perm[i])] { marks[i] = 1 }
            }
        } else {
            col.ints.withUnsafeBufferPointer { x in mark { x[$0] != x[$1] } }
        }
    }
}
