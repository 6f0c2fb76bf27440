import KuaiCore

extension ScalarExpr {
    /// The rows of `batch` for which this BOOLEAN expression is TRUE (not FALSE, not NULL), in
    /// ascending order, restricted to `input` (nil = every row). This is the selection vector of
    /// a filter: conjunctions narrow it one conjunct at a time, so later conjuncts see only the
    /// surviving rows; `column op constant` on numbers runs a dedicated loop.
    public func selectRows(_ batch: Batch, _ input: [Int32]?) throws -> [Int32] {
        let n = batch.count
        if let input, input.isEmpty { return [] }
        switch kind {
        case .and(let xs):
            var sel = input
            for x in xs {
                sel = try x.selectRows(batch, sel)
                if sel!.isEmpty { break }
            }
            return sel ?? Array(0..<Int32(n))
        case .constant(let v):
            if case .bool(true) = v { return input ?? Array(0..<Int32(n)) }
            return []
        case .compare(let op, let a, let b):
            if let c = a.columnIndex, let v = b.constantValue, let r = Self.selectCompare(batch.columns[c], a.type, op, v, b.type, input) {
                return r
            }
            if let c = b.columnIndex, let v = a.constantValue, let r = Self.selectCompare(batch.columns[c], b.type, op.flipped, v, a.type, input) {
                return r
            }
        default:
            break
        }
        // General path: evaluate on the selected rows only, then keep TRUE rows.
        if let input, input.count < n {
            let sub = batch.gatherReferenced(input, referencedColumns)
            let col = try evaluate(sub)
            var out: [Int32] = []
            out.reserveCapacity(input.count)
            Self.forEachTrue(col) { out.append(input[$0]) }
            return out
        }
        let col = try evaluate(batch)
        var out: [Int32] = []
        out.reserveCapacity(n)
        Self.forEachTrue(col) { out.append(Int32($0)) }
        return out
    }

    @inline(__always)
    static func forEachTrue(_ col: Column, _ body: (Int) -> Void) {
        col.ints.withUnsafeBufferPointer { v in
            if let valid = col.validity {
                for i in 0..<col.count where v[i] != 0 && valid[i] != 0 { body(i) }
            } else {
                for i in 0..<col.count where v[i] != 0 { body(i) }
            }
        }
    }

    /// `column op constant` for integer-stored and DOUBLE columns; nil when not applicable.
    static func selectCompare(_ col: Column, _ ct: DataType, _ op: CompareOp, _ v: Value, _ vt: DataType,
                              _ input: [Int32]?) -> [Int32]? {
        if v.isNull { return [] }
        if col.highs != nil { return nil }   // HUGEINT beyond Int64: the general (128-bit) path
        switch (Kernels.category(ct), v) {
        case (.int, .int(let k)):
            return selectLoop(col.ints, col.validity, op, k, input, col.count)
        case (.int, .bool(let b)):
            return selectLoop(col.ints, col.validity, op, b ? 1 : 0, input, col.count)
        case (.double, .double(let d)):
            return selectLoop(col.doubles, col.validity, op, d, input, col.count)
        case (.double, .int(let k)):
            return selectLoop(col.doubles, col.validity, op, Double(k), input, col.count)
        default:
            return nil
        }
    }

    @inline(__always)
    static func selectLoop<T: Comparable>(_ values: [T], _ validity: [UInt8]?, _ op: CompareOp, _ k: T,
                                          _ input: [Int32]?, _ n: Int) -> [Int32] {
        switch op {
        case .equal: return selectWhere(values, validity, input, n) { $0 == k }
        case .notEqual: return selectWhere(values, validity, input, n) { $0 != k }
        case .less: return selectWhere(values, validity, input, n) { $0 < k }
        case .lessEqual: return selectWhere(values, validity, input, n) { $0 <= k }
        case .greater: return selectWhere(values, validity, input, n) { $0 > k }
        case .greaterEqual: return selectWhere(values, validity, input, n) { $0 >= k }
        }
    }

    /// Branch-free selection loop: writes every candidate index and advances by the predicate.
    @inline(__always)
    static func selectWhere<T>(_ values: [T], _ validity: [UInt8]?, _ input: [Int32]?, _ n: Int,
                               _ pred: (T) -> Bool) -> [Int32] {
        let m = input?.count ?? n
        return values.withUnsafeBufferPointer { v in
            [Int32](unsafeUninitializedCapacity: m) { out, filled in
                var k = 0
                if let input {
                    input.withUnsafeBufferPointer { sel in
                        if let validity {
                            validity.withUnsafeBufferPointer { valid in
                                for j in 0..<m {
                                    let i = Int(sel[j])
                                    out[k] = sel[j]
                                    k &+= (pred(v[i]) && valid[i] != 0) ? 1 : 0
                                }
                            }
                        } else {
                            for j in 0..<m {
                                let i = Int(sel[j])
                                out[k] = sel[j]
                                k &+= pred(v[i]) ? 1 : 0
                            }
                        }
                    }
                } else if let validity {
                    validity.withUnsafeBufferPointer { valid in
                        for i in 0..<n {
                            out[k] = Int32(truncatingIfNeeded: i)
                            k &+= (pred(v[i]) && valid[i] != 0) ? 1 : 0
                        }
                    }
                } else {
                    for i in 0..<n {
                        out[k] = Int32(truncatingIfNeeded: i)
                        k &+= pred(v[i]) ? 1 : 0
                    }
                }
                filled = k
            }
        }
    }
}
