import KuaiCore

// VARCHAR comparisons and IN lists in byte order (DuckDB's binary collation), over either form:
// a dictionary column is compared once per dictionary entry (or on codes when both sides share a
// dictionary), a flat column row by row on its views (length and 4-byte prefix first).

extension Kernels {
    /// 1/0 per row of `x op y` for VARCHAR operands (`n` rows; values under NULL rows unspecified).
    static func compareStrings(_ op: CompareOp, _ x: Operand, _ y: Operand, n: Int) -> [Int64] {
        if case .column(let a) = x, case .column(let b) = y, let da = a.dictionary, da === b.dictionary {
            // One dictionary on both sides: codes (equality), or byte-order ranks of the codes.
            if op == .equal || op == .notEqual { return compareLoop(op, n, Arg.col(a.codes), Arg.col(b.codes)) }
            if da.isSorted { return compareLoop(op, n, Arg.col(a.codes), Arg.col(b.codes)) }
            let r = da.sortRanks
            return compareLoop(op, n, Arg.col(a.codes.map { r[Int($0)] }), Arg.col(b.codes.map { r[Int($0)] }))
        }
        if case .column(let a) = x, case .scalar(.string(let s)) = y { return compareToConstant(op, a, s, n: n) }
        if case .scalar(.string(let s)) = x, case .column(let b) = y {
            return compareToConstant(op.flipped, b, s, n: n)
        }
        let sa = StringArg(x)
        let sb = StringArg(y)
        return sa.views.withUnsafeBufferPointer { va in
            sb.views.withUnsafeBufferPointer { vb in
                [Int64](unsafeUninitializedCapacity: n) { out, filled in
                    for i in 0..<n { out[i] = holds(op, va[i &* sa.step], vb[i &* sb.step]) ? 1 : 0 }
                    filled = n
                }
            }
        }
    }

    /// `a op b` on two views.
    @inline(__always)
    static func holds(_ op: CompareOp, _ a: StringView, _ b: StringView) -> Bool {
        switch op {
        case .equal: return StringView.equal(a, b)
        case .notEqual: return !StringView.equal(a, b)
        case .less: return StringView.compare(a, b) < 0
        case .lessEqual: return StringView.compare(a, b) <= 0
        case .greater: return StringView.compare(a, b) > 0
        case .greaterEqual: return StringView.compare(a, b) >= 0
        }
    }

    /// `col op s` per row: a dictionary column compares each dictionary value once (equality: one
    /// code lookup), a flat column each row's view.
    static func compareToConstant(_ op: CompareOp, _ col: Column, _ s: String, n: Int) -> [Int64] {
        // The constant's bytes (beyond 12, not inline in the view) live in `constant`: it must outlive
        // every comparison (Swift may release it after its last use).
        let constant = StringArg(.scalar(.string(s)))
        return withExtendedLifetime(constant) {
            let c = constant.views[0]
            if let dict = col.dictionary {
                if op == .equal || op == .notEqual {
                    let code = dict.code(of: c) ?? -1
                    return compareLoop(op, n, Arg.col(col.codes), Arg.scalar(code))
                }
                let table = dict.views.map { holds(op, $0, c) ? Int64(1) : 0 }
                return gatherTable(table, col.codes, n)
            }
            return col.views.withUnsafeBufferPointer { v in
                [Int64](unsafeUninitializedCapacity: n) { out, filled in
                    switch op {
                    case .equal: for i in 0..<n { out[i] = StringView.equal(v[i], c) ? 1 : 0 }
                    case .notEqual: for i in 0..<n { out[i] = StringView.equal(v[i], c) ? 0 : 1 }
                    default: for i in 0..<n { out[i] = holds(op, v[i], c) ? 1 : 0 }
                    }
                    filled = n
                }
            }

        }
    }

    /// `table[codes[i]]` for the first `n` rows (codes out of range give 0).
    static func gatherTable(_ table: [Int64], _ codes: [Int32], _ n: Int) -> [Int64] {
        codes.withUnsafeBufferPointer { cp in
            table.withUnsafeBufferPointer { tp in
                [Int64](unsafeUninitializedCapacity: n) { out, filled in
                    for i in 0..<n {
                        let c = Int(cp[i])
                        out[i] = c >= 0 && c < tp.count ? tp[c] : 0
                    }
                    filled = n
                }
            }
        }
    }

    /// Membership (1/0) of each of the first `n` rows of the VARCHAR column `col` in the list
    /// `values` (NULL items ignored here; see `inListResult`). A dictionary column looks each
    /// list item up once; a flat column probes a small dictionary of the items per row.
    static func stringMembership(_ col: Column, _ values: [Value], n: Int) -> [Int64] {
        let items = StringDictionary()
        for v in values { if case .string(let s) = v { items.intern(s) } }
        if let dict = col.dictionary {
            var table = [Int64](repeating: 0, count: dict.count)
            for v in items.views { if let c = dict.code(of: v) { table[Int(c)] = 1 } }
            return gatherTable(table, col.codes, n)
        }
        var codes = [Int32](repeating: -1, count: n)
        col.views.withUnsafeBufferPointer { v in
            codes.withUnsafeMutableBufferPointer {
                items.codes(of: UnsafeBufferPointer(rebasing: v[0..<n]), validity: nil, into: $0)
            }
        }
        return codes.map { $0 >= 0 ? 1 : 0 }
    }
}
