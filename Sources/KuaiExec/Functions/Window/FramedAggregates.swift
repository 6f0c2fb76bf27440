import KuaiCore

extension WindowPartitions {
    /// first_value, last_value, nth_value, min, max, count, count(*), sum and avg of each row's frame
    /// (`WindowFunction.effectiveFrame`). Result types: `WindowFunction.resultType`.
    /// - Throws: as `frameBounds`; `KuaiError.execution` when a HUGEINT sum overflows 128 bits.
    func framed(_ f: WindowFunction) throws -> Column {
        let bounds = try frameBounds(f.effectiveFrame(ordered: !orderBy.isEmpty))
        let arg = f.argument.map { columns[$0] }
        switch f.kind {
        case .firstValue, .lastValue: return framedEnd(first: f.kind == .firstValue, arg!, bounds)
        case .nthValue: return framedNth(f.offset, arg!, bounds)
        case .min, .max: return try framedMinMax(isMin: f.kind == .min, arg!, bounds)
        case .count: return framedCount(arg, bounds)
        case .countStar: return framedCount(nil, bounds)
        case .sum, .avg:
            let a = arg!
            if a.type == .double { return framedDoubleSum(a, average: f.kind == .avg, bounds) }
            let prefix = try prefixSums(a)
            if f.kind == .avg { return framedIntAverage(a, prefix, bounds) }
            return framedIntSum(a, prefix, bounds)
        default:
            preconditionFailure("\(f.kind) is not a framed window function")
        }
    }

    /// True when row `r` of the argument `a` is not NULL.
    @inline(__always)
    private static func isValid(_ a: Column, _ r: Int) -> Bool {
        a.type != .null && (a.validity == nil || a.validity![r] != 0)
    }

    /// first_value / last_value: the argument at the frame's first / last position (NULL for an
    /// empty frame).
    private func framedEnd(first: Bool, _ a: Column, _ bounds: FrameBounds) -> Column {
        var src = [Int32](repeating: -1, count: count)
        for i in 0..<count where bounds.starts[i] < bounds.ends[i] {
            src[Int(perm[i])] = first ? perm[Int(bounds.starts[i])] : perm[Int(bounds.ends[i]) - 1]
        }
        return src.withUnsafeBufferPointer { gatherNullable(a, $0) }
    }

    /// nth_value(x, n): the argument at the frame's n-th position (1-based; NULL when the frame is
    /// shorter or n < 1), NULLs counted as rows, as DuckDB 2.0.1.
    private func framedNth(_ n: Int, _ a: Column, _ bounds: FrameBounds) -> Column {
        var src = [Int32](repeating: -1, count: count)
        if n >= 1 {
            for i in 0..<count where Int(bounds.starts[i]) + n - 1 < Int(bounds.ends[i]) {
                src[Int(perm[i])] = perm[Int(bounds.starts[i]) + n - 1]
            }
        }
        return src.withUnsafeBufferPointer { gatherNullable(a, $0) }
    }

    /// min / max of the frame. A frame that only grows at its end (running and whole-partition
    /// frames) extends the previous answer; any other frame is rescanned.
    private func framedMinMax(isMin: Bool, _ a: Column, _ bounds: FrameBounds) throws
        -> Column
    {
        let ord = try minMaxOrder(a)
        var src = [Int32](repeating: -1, count: count)
        var curStart = -1
        var curEnd = -1
        var pick = -1
        var best: UInt64 = 0
        for i in 0..<count {
            let s = Int(bounds.starts[i])
            let e = Int(bounds.ends[i])
            if s >= e { continue }
            var from = s
            if s == curStart && e >= curEnd { from = curEnd } else { pick = -1 }
            for j in from..<e {
                let r = Int(perm[j])
                if !Self.isValid(a, r) { continue }
                let v = ord[r]
                if pick < 0 || (isMin ? v < best : v > best) {
                    pick = j
                    best = v
                }
            }
            curStart = s
            curEnd = e
            if pick >= 0 { src[Int(perm[i])] = perm[pick] }
        }
        return src.withUnsafeBufferPointer { gatherNullable(a, $0) }
    }

    /// An order-preserving UInt64 per row of `a` for min/max; HUGEINT values beyond Int64 are
    /// replaced by their dense rank.
    private func minMaxOrder(_ a: Column) throws -> [UInt64] {
        guard a.highs != nil else { return orderValues(a) }
        let byValue = try sortPermutation([a], count: a.count, keys: [SortKey(column: 0)])
        var ord = [UInt64](repeating: 0, count: a.count)
        var rank: UInt64 = 0
        for k in 0..<byValue.count {
            let r = Int(byValue[k])
            if k > 0 && a.int128(at: r) != a.int128(at: Int(byValue[k - 1])) { rank += 1 }
            ord[r] = rank
        }
        return ord
    }

    /// Prefix counts over sorted positions of the non-NULL rows of `a` (every row when nil).
    private func prefixCounts(_ a: Column?) -> [Int64] {
        var prefix = [Int64](repeating: 0, count: count + 1)
        for j in 0..<count { prefix[j + 1] = prefix[j] + ((a.map { Self.isValid($0, Int(perm[j])) } ?? true) ? 1 : 0) }
        return prefix
    }

    /// count(x) (non-NULL rows of `a`) or count(*) (`a` nil) of each frame.
    private func framedCount(_ a: Column?, _ bounds: FrameBounds) -> Column {
        let prefix = prefixCounts(a)
        var out = [Int64](repeating: 0, count: count)
        for i in 0..<count {
            let s = Int(bounds.starts[i])
            let e = Int(bounds.ends[i])
            out[Int(perm[i])] = s < e ? prefix[e] - prefix[s] : 0
        }
        return Column(type: .bigint, ints: out)
    }

    /// Calls `body(row, s, e, cnt)` for every sorted position whose frame [s, e) holds `cnt` > 0
    /// values (`counts`: prefix counts of the values); returns the result validity: 0 for the
    /// rows of the other positions, nil when there are none.
    @inline(__always)
    private func forEachFilledFrame(
        _ counts: [Int64], _ bounds: FrameBounds, _ body: (_ row: Int, _ s: Int, _ e: Int, _ cnt: Int64) -> Void
    ) -> [UInt8]? {
        var validity = [UInt8](repeating: 1, count: count)
        var anyEmpty = false
        for i in 0..<count {
            let s = Int(bounds.starts[i])
            let e = Int(bounds.ends[i])
            let row = Int(perm[i])
            let cnt = s < e ? counts[e] - counts[s] : 0
            if cnt == 0 {
                validity[row] = 0
                anyEmpty = true
                continue
            }
            body(row, s, e, cnt)
        }
        return anyEmpty ? validity : nil
    }

    /// sum / avg of DOUBLE: a running sum while the frame start stays put, else a direct sum.
    private func framedDoubleSum(_ a: Column, average: Bool, _ bounds: FrameBounds) -> Column {
        var out = [Double](repeating: 0, count: count)
        var runStart = -1
        var runEnd = 0
        var run = 0.0
        let validity = forEachFilledFrame(prefixCounts(a), bounds) { row, s, e, cnt in
            if s == runStart && e >= runEnd {
                for j in runEnd..<e where Self.isValid(a, Int(perm[j])) { run += a.doubles[Int(perm[j])] }
            } else {
                run = 0
                for j in s..<e where Self.isValid(a, Int(perm[j])) { run += a.doubles[Int(perm[j])] }
                runStart = s
            }
            runEnd = e
            out[row] = average ? run / Double(cnt) : run
        }
        return Column(doubles: out, validity: validity)
    }

    /// Exact Int128 prefix sums over sorted positions (checked when `a` holds HUGEINT values
    /// beyond Int64; narrow input cannot overflow 128 bits) and the prefix counts of valid rows.
    /// - Throws: `KuaiError.execution` "Overflow in HUGEINT addition".
    private func prefixSums(_ a: Column) throws -> (sums: [Int128], counts: [Int64]) {
        var prefix = [Int128](repeating: 0, count: count + 1)
        if a.highs != nil {
            for j in 0..<count {
                let r = Int(perm[j])
                prefix[j + 1] = Self.isValid(a, r) ? try addChecked(prefix[j], a.int128(at: r)) : prefix[j]
            }
        } else {
            for j in 0..<count {
                let r = Int(perm[j])
                prefix[j + 1] = prefix[j] &+ (Self.isValid(a, r) ? Int128(a.ints[r]) : 0)
            }
        }
        return (prefix, prefixCounts(a))
    }

    /// avg of integers per frame (division as DuckDB: `avgDivide`).
    private func framedIntAverage(
        _ a: Column, _ prefix: (sums: [Int128], counts: [Int64]), _ bounds: FrameBounds
    ) -> Column {
        let wide = !a.type.isNarrowInteger && a.type != .boolean
        var out = [Double](repeating: 0, count: count)
        let validity = forEachFilledFrame(prefix.counts, bounds) { row, s, e, cnt in
            out[row] = avgDivide(prefix.sums[e] &- prefix.sums[s], cnt, wide: wide)
        }
        return Column(doubles: out, validity: validity)
    }

    /// sum of integers per frame: HUGEINT, narrow until a sum leaves Int64.
    private func framedIntSum(
        _ a: Column, _ prefix: (sums: [Int128], counts: [Int64]), _ bounds: FrameBounds
    ) -> Column {
        var out = [Int64](repeating: 0, count: count)
        var highs: [Int64]? = nil  // allocated at the first sum beyond Int64
        let validity = forEachFilledFrame(prefix.counts, bounds) { row, s, e, _ in
            let total = prefix.sums[e] &- prefix.sums[s]  // exact: both prefixes are exact 128-bit sums
            if let v = Int64(exactly: total) {
                out[row] = v
                if highs != nil { highs![row] = v >> 63 }
            } else {
                if highs == nil { highs = out.map { $0 >> 63 } }
                out[row] = Int64(truncatingIfNeeded: total)
                highs![row] = Int64(truncatingIfNeeded: total >> 64)
            }
        }
        var col = Column(type: .hugeint, ints: out, validity: validity)
        col.highs = highs
        return col
    }
}
