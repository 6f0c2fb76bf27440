import KuaiCore

/// Whole partitions [lo, hi) of sorted positions and the frame [s, e) of each position in them:
/// `starts[i - lo]`, `ends[i - lo]` (absolute sorted positions). Frames never leave their
/// partition, so each block is computed alone (on any thread) with scratch of its own size.
struct FrameBlock {
    /// The block's place in `frameRanges` order.
    let index: Int
    let lo: Int
    let hi: Int
    var starts: [Int32]
    var ends: [Int32]
    /// The positions [base, spanEnd) that hold every frame of the block (the prefix counts and sums
    /// run over them): [lo, hi) for whole partitions, wider for a range cut from a huge partition.
    var base = 0
    var spanEnd = 0
    /// The frame's EXCLUDE clause; with GROUP or TIES, `peerStarts` / `peerEnds` hold each
    /// position's peer group (like `starts`, `ends`).
    var exclusion: FrameExclusion = .noOthers
    var peerStarts: [Int32] = []
    var peerEnds: [Int32] = []

    /// The pieces [lo, hi) of the frame of sorted position `i` (at most three, in order) once the
    /// EXCLUDE clause has removed its rows: the frame itself without an exclusion.
    @inline(__always)
    func forEachPiece(_ i: Int, _ body: (Int, Int) -> Void) {
        let s = Int(starts[i - lo])
        let e = Int(ends[i - lo])
        if exclusion == .noOthers {
            if s < e { body(s, e) }
            return
        }
        let xs = exclusion == .currentRow ? i : Int(peerStarts[i - lo])
        let xe = exclusion == .currentRow ? i + 1 : Int(peerEnds[i - lo])
        if s < Swift.min(e, xs) { body(s, Swift.min(e, xs)) }
        if exclusion == .ties && i >= s && i < e { body(i, i + 1) }
        if Swift.max(s, xe) < e { body(Swift.max(s, xe), e) }
    }
}

extension WindowPartitions {
    /// first_value, last_value, nth_value, min, max, count, count(*), sum and avg of each row's frame
    /// (`WindowFunction.effectiveFrame`). Result types: `WindowFunction.resultType`. Computed in
    /// blocks of whole partitions (`forEachFrameBlock`) on every core; no array of `count` entries
    /// beyond the result (and, for first/last/nth/min/max, the source row of each result). Integer
    /// count / sum / avg over a running frame take `runningIntAggregate` when a partition is too
    /// large for the blocks to spread over the threads (`hasHugeBlock`): its chunks cut partitions.
    /// - Throws: as `frameBlock`; `KuaiError.execution` when a HUGEINT sum overflows 128 bits.
    func framed(_ f: WindowFunction) throws -> Column {
        let frame = f.effectiveFrame(ordered: !orderBy.isEmpty)
        if frame.exclusion != .noOthers { return try excludedFrames(f, frame) }
        let key = frame.hasRangeOffset ? try RangeOrderKey(self, frame) : nil
        var arg = f.argument.map { columns[$0] }
        if let filter = f.filter { arg = maskedByFilter(arg, columns[filter]) }
        if f.ignoreNulls && [.firstValue, .lastValue, .nthValue].contains(f.kind) {
            let (before, positions) = nonNullPositions(arg!)
            var src = [Int32](repeating: -1, count: count)
            try src.withUnsafeMutableBufferPointer { s in
                try forEachFrameBlock(frame, key) { block in
                    pickIgnoringNulls(f.kind, f.offset, before, positions, block, s)
                }
            }
            return src.withUnsafeBufferPointer { gatherNullable(arg!, $0, parallel: true) }
        }
        switch f.kind {
        case .firstValue, .lastValue, .nthValue, .min, .max:
            let ord = f.kind == .min || f.kind == .max ? try minMaxOrder(arg!) : []
            var src = [Int32](repeating: -1, count: count)
            try src.withUnsafeMutableBufferPointer { s in
                try forEachFrameBlock(frame, key) { block in
                    switch f.kind {
                    case .firstValue, .lastValue: pickEnd(first: f.kind == .firstValue, block, s)
                    case .nthValue: pickNth(f.offset, block, s)
                    default:
                        let backward = frame.end == .unboundedFollowing && frame.start != .unboundedPreceding
                        pickMinMax(isMin: f.kind == .min, arg!, ord, block, s, backward: backward)
                    }
                }
            }
            return src.withUnsafeBufferPointer { gatherNullable(arg!, $0, parallel: true) }
        case .count, .countStar:
            if hasHugeBlock(), let running = runningIntAggregate(f, arg, frame) { return running }
            return try framedCount(arg, frame, key)
        case .sum, .avg:
            if arg!.type == .double { return try framedDoubleSum(arg!, average: f.kind == .avg, frame, key) }
            if hasHugeBlock(), let running = runningIntAggregate(f, arg, frame) { return running }
            return try framedIntSum(arg!, average: f.kind == .avg, frame, key)
        default:
            preconditionFailure("\(f.kind) is not a framed window function")
        }
    }

    /// True when row `r` of the argument `a` is not NULL.
    @inline(__always)
    private static func isValid(_ a: Column, _ r: Int) -> Bool {
        a.type != .null && (a.validity == nil || a.validity![r] != 0)
    }

    /// first_value / last_value: the argument at the frame's first / last position (none for an
    /// empty frame) as the source row of each row.
    private func pickEnd(first: Bool, _ block: FrameBlock, _ src: UnsafeMutableBufferPointer<Int32>) {
        for i in block.lo..<block.hi {
            let (s, e) = (Int(block.starts[i - block.lo]), Int(block.ends[i - block.lo]))
            if s < e { src[Int(perm[i])] = first ? perm[s] : perm[e - 1] }
        }
    }

    /// first_value / last_value / nth_value IGNORE NULLS: the first / last / n-th non-NULL argument
    /// of the frame (`before`, `positions`: `nonNullPositions`), none when the frame holds fewer.
    private func pickIgnoringNulls(
        _ kind: WindowFunction.Kind, _ n: Int, _ before: [Int32], _ positions: [Int32], _ block: FrameBlock,
        _ src: UnsafeMutableBufferPointer<Int32>
    ) {
        for i in block.lo..<block.hi {
            let lo = Int(before[Int(block.starts[i - block.lo])])
            let hi = Int(before[Int(block.ends[i - block.lo])])
            let k: Int
            switch kind {
            case .firstValue: k = lo
            case .lastValue: k = hi - 1
            default: k = n >= 1 ? lo + n - 1 : hi
            }
            if k >= lo && k < hi { src[Int(perm[i])] = perm[Int(positions[k])] }
        }
    }

    /// The argument of an aggregate with `FILTER (WHERE ...)`: NULL where the filter column is not
    /// TRUE (count(*), `a` nil: the filter column itself, NULL where not TRUE), so that the
    /// NULL-skipping frame sums and counts leave those rows out.
    private func maskedByFilter(_ a: Column?, _ filter: Column) -> Column {
        var out = a ?? filter
        var validity = [UInt8](repeating: 0, count: count)
        if filter.type != .null { ScalarExpr.forEachTrue(filter) { validity[$0] = 1 } }
        if let v = out.validity { for r in 0..<count where v[r] == 0 { validity[r] = 0 } }
        if out.type == .null { return out }
        out.validity = validity
        return out
    }

    /// nth_value(x, n): the argument at the frame's n-th position (1-based; none when the frame is
    /// shorter or n < 1), NULLs counted as rows, as DuckDB 2.0.1.
    private func pickNth(_ n: Int, _ block: FrameBlock, _ src: UnsafeMutableBufferPointer<Int32>) {
        guard n >= 1 else { return }
        for i in block.lo..<block.hi {
            let s = Int(block.starts[i - block.lo])
            if s + n - 1 < Int(block.ends[i - block.lo]) { src[Int(perm[i])] = perm[s + n - 1] }
        }
    }

    /// min / max of the frame (`ord`: order-preserving words of `a`; among equal words the first
    /// position). A frame that only grows at its end (running and whole-partition frames) extends the
    /// previous answer; with `backward` (frames ending at UNBOUNDED FOLLOWING) the positions are walked
    /// from the last and a frame that only grows at its start extends it; any other frame is rescanned.
    private func pickMinMax(
        isMin: Bool, _ a: Column, _ ord: [UInt64], _ block: FrameBlock, _ src: UnsafeMutableBufferPointer<Int32>,
        backward: Bool = false
    ) {
        var curStart = -1
        var curEnd = -1
        var pick = -1
        var best: UInt64 = 0
        for k in block.lo..<block.hi {
            let i = backward ? block.hi - 1 - (k - block.lo) : k
            let s = Int(block.starts[i - block.lo])
            let e = Int(block.ends[i - block.lo])
            if s >= e { continue }
            if backward && e == curEnd && s <= curStart {
                // new positions come before the kept pick: on a tie the earlier one wins
                for j in stride(from: curStart - 1, through: s, by: -1) {
                    let r = Int(perm[j])
                    if !Self.isValid(a, r) { continue }
                    let v = ord[r]
                    if pick < 0 || (isMin ? v <= best : v >= best) {
                        pick = j
                        best = v
                    }
                }
                curStart = s
                if pick >= 0 { src[Int(perm[i])] = perm[pick] }
                continue
            }
            var from = s
            if !backward && s == curStart && e >= curEnd { from = curEnd } else { pick = -1 }
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

    /// Prefix counts over the block's sorted positions of the non-NULL rows of `a` (every row when
    /// nil): entry `j - lo` counts positions lo..<j.
    private func prefixCounts(_ a: Column?, _ block: FrameBlock) -> [Int64] {
        var prefix = [Int64](repeating: 0, count: block.spanEnd - block.base + 1)
        for j in block.base..<block.spanEnd {
            let valid = a.map { Self.isValid($0, Int(perm[j])) } ?? true
            prefix[j - block.base + 1] = prefix[j - block.base] + (valid ? 1 : 0)
        }
        return prefix
    }

    /// count(x) (non-NULL rows of `a`) or count(*) (`a` nil) of each frame.
    private func framedCount(_ a: Column?, _ frame: WindowFrame, _ key: RangeOrderKey?) throws -> Column {
        var out = [Int64](repeating: 0, count: count)
        try out.withUnsafeMutableBufferPointer { o in
            try forEachFrameBlock(frame, key) { block in
                let prefix = prefixCounts(a, block)
                for i in block.lo..<block.hi {
                    let s = Int(block.starts[i - block.lo]) - block.base
                    let e = Int(block.ends[i - block.lo]) - block.base
                    o[Int(perm[i])] = s < e ? prefix[e] - prefix[s] : 0
                }
            }
        }
        return Column(type: .bigint, ints: out)
    }

    /// Calls `body(i, row, s, e, cnt)` for every sorted position i of the block whose frame
    /// [s, e) (relative to the block) holds `cnt` > 0 values (`counts`: the block's prefix counts
    /// of the values); sets `validity[row] = 0` for the other positions. `backward`: from the last
    /// position to the first.
    @inline(__always)
    private func forEachFilledFrame(
        _ counts: [Int64], _ block: FrameBlock, _ validity: UnsafeMutableBufferPointer<UInt8>, backward: Bool = false,
        _ body: (_ row: Int, _ s: Int, _ e: Int, _ cnt: Int64) -> Void
    ) {
        let positions = block.lo..<block.hi
        for k in positions.indices {
            let i = backward ? positions.upperBound - 1 - (k - positions.lowerBound) : k
            let s = Int(block.starts[i - block.lo]) - block.base
            let e = Int(block.ends[i - block.lo]) - block.base
            let row = Int(perm[i])
            let cnt = s < e ? counts[e] - counts[s] : 0
            if cnt == 0 {
                validity[row] = 0
                continue
            }
            body(row, s, e, cnt)
        }
    }

    /// sum / avg of DOUBLE: a running sum while the frame start stays put, else a direct sum (the
    /// order of additions is the frame's, as DuckDB's segment-tree-free path for these frames). A
    /// frame that ends at UNBOUNDED FOLLOWING and starts elsewhere is walked from the last row back,
    /// its running sum growing at the start (frames that only end at the partition's end would
    /// otherwise each be summed anew: quadratic in the partition's rows).
    private func framedDoubleSum(_ a: Column, average: Bool, _ frame: WindowFrame, _ key: RangeOrderKey?) throws
        -> Column
    {
        var out = [Double](repeating: 0, count: count)
        var validity = [UInt8](repeating: 1, count: count)
        let backward = frame.end == .unboundedFollowing && frame.start != .unboundedPreceding
        try out.withUnsafeMutableBufferPointer { o in
            try validity.withUnsafeMutableBufferPointer { v in
                try forEachFrameBlock(frame, key) { block in
                    var runStart = -1
                    var runEnd = 0
                    var run = 0.0
                    let lo = block.base
                    forEachFilledFrame(prefixCounts(a, block), block, v, backward: backward) { row, s, e, cnt in
                        if backward && e == runEnd && s <= runStart {
                            for j in (s..<runStart).reversed() where Self.isValid(a, Int(perm[lo + j])) {
                                run += a.doubles[Int(perm[lo + j])]
                            }
                            runStart = s
                        } else if !backward && s == runStart && e >= runEnd {
                            for j in runEnd..<e where Self.isValid(a, Int(perm[lo + j])) {
                                run += a.doubles[Int(perm[lo + j])]
                            }
                        } else {
                            run = 0
                            for j in s..<e where Self.isValid(a, Int(perm[lo + j])) {
                                run += a.doubles[Int(perm[lo + j])]
                            }
                            runStart = s
                        }
                        runEnd = e
                        o[row] = average ? run / Double(cnt) : run
                    }
                }
            }
        }
        return Column(doubles: out, validity: validity.contains(0) ? validity : nil)
    }

    /// Exact prefix sums of the integers `a` over the block's sorted positions (entry `j - lo`
    /// sums positions lo..<j): 64-bit while they fit (`narrow`), else 128-bit (`wide`, checked when
    /// `a` holds HUGEINT values beyond Int64; other input cannot overflow 128 bits).
    /// - Throws: `KuaiError.execution` "Overflow in HUGEINT addition".
    private func prefixSums(_ a: Column, _ block: FrameBlock) throws -> (narrow: [Int64], wide: [Int128]) {
        let m = block.spanEnd - block.base
        if a.highs == nil {
            var prefix = [Int64](repeating: 0, count: m + 1)
            let fits = prefix.withUnsafeMutableBufferPointer { p in
                a.ints.withUnsafeBufferPointer { x in
                    for j in 0..<m {
                        let r = Int(perm[block.base + j])
                        let (s, overflow) = p[j].addingReportingOverflow(Self.isValid(a, r) ? x[r] : 0)
                        if overflow { return false }
                        p[j + 1] = s
                    }
                    return true
                }
            }
            if fits { return (prefix, []) }
        }
        var prefix = [Int128](repeating: 0, count: m + 1)
        for j in 0..<m {
            let r = Int(perm[block.base + j])
            if !Self.isValid(a, r) {
                prefix[j + 1] = prefix[j]
            } else if a.highs != nil {
                prefix[j + 1] = try addChecked(prefix[j], a.int128(at: r))
            } else {
                prefix[j + 1] = prefix[j] &+ Int128(a.ints[r])
            }
        }
        return ([], prefix)
    }

    /// sum (HUGEINT, narrow until a sum leaves Int64) or avg (DOUBLE, division as DuckDB:
    /// `avgDivide`) of integers per frame. DECIMAL(p,s) adds its unscaled values the same way: the
    /// sum is DECIMAL(38,s), the average `DecimalMath.average` (as DuckDB's window avg).
    /// - Throws: `KuaiError.execution` when a HUGEINT sum overflows 128 bits.
    private func framedIntSum(_ a: Column, average: Bool, _ frame: WindowFrame, _ key: RangeOrderKey?) throws
        -> Column
    {
        let wide = !a.type.isNarrowInteger && a.type != .boolean
        var decimalScale: Int? = nil
        var sumType = DataType.hugeint
        if case .decimal(_, let scale) = a.type {
            decimalScale = Int(scale)
            sumType = .decimal(precision: 38, scale: scale)
        }
        var ints = average ? [] : [Int64](repeating: 0, count: count)
        var doubles = average ? [Double](repeating: 0, count: count) : []
        var validity = [UInt8](repeating: 1, count: count)
        let blocks = frameRanges(frame)
        // per block, the rows whose sum leaves Int64 and the sum's high word
        var highRows = [[(row: Int, high: Int64)]](repeating: [], count: blocks.count)
        try withMutableBuffers(&ints, &doubles, &validity) { o, d, v in
            try highRows.withUnsafeMutableBufferPointer { highs in
                try forEachFrameBlock(frame, key, blocks) { block in
                    let (narrow, wideSums) = try prefixSums(a, block)
                    forEachFilledFrame(prefixCounts(a, block), block, v) { row, s, e, cnt in
                        let total =
                            narrow.isEmpty ? wideSums[e] &- wideSums[s] : Int128(narrow[e]) - Int128(narrow[s])
                        if average {
                            d[row] =
                                decimalScale.map { DecimalMath.average(total, count: cnt, scale: $0) }
                                ?? avgDivide(total, cnt, wide: wide)
                        } else {
                            o[row] = Int64(truncatingIfNeeded: total)
                            if Int64(exactly: total) == nil {
                                highs[block.index].append((row, Int64(truncatingIfNeeded: total >> 64)))
                            }
                        }
                    }
                }
            }
        }
        let valid = validity.contains(0) ? validity : nil
        if average { return Column(doubles: doubles, validity: valid) }
        var col = Column(type: sumType, ints: ints, validity: valid)
        if highRows.contains(where: { !$0.isEmpty }) {
            var h = ints.map { $0 >> 63 }
            for block in highRows { for (row, high) in block { h[row] = high } }
            col.highs = h
        }
        return col
    }

    /// Sorted positions in blocks of whole partitions, each of at least `minimum` positions
    /// (the last may be smaller).
    func partitionBlocks(minimum: Int = 1 << 16) -> [Range<Int>] {
        var blocks: [Range<Int>] = []
        var lo = 0
        partStart.withUnsafeBufferPointer { part in
            var i = minimum
            while i < count {
                while i < count && part[i] == 0 { i += 1 }
                if i >= count { break }
                blocks.append(lo..<i)
                lo = i
                i += minimum
            }
        }
        if lo < count { blocks.append(lo..<count) }
        return blocks
    }

    /// `partitionBlocks()`, with a block of more than twice the target size (about a quarter of a
    /// thread's share) cut into ranges of that size anywhere, partitions or not, when every frame of
    /// `frame` stays within `splitReach` positions of its row (a bounded ROWS frame without EXCLUDE
    /// GROUP / TIES), so one huge partition runs on every core too.
    func frameRanges(_ frame: WindowFrame) -> [Range<Int>] {
        let blocks = partitionBlocks()
        guard frame.staysNear(Self.splitReach) else { return blocks }
        let target = frameRangeTarget
        return blocks.flatMap { b -> [Range<Int>] in
            if b.count <= 2 * target { return [b] }
            return stride(from: b.lowerBound, to: b.upperBound, by: target).map {
                $0..<Swift.min(b.upperBound, $0 + target)
            }
        }
    }

    /// True when a block of `partitionBlocks()` is one `frameRanges` would cut (more than twice its
    /// target size: a huge partition). Only then do integer running frames take
    /// `runningIntAggregate`: over blocks that already spread over the threads, its second read of
    /// each row's value costs more than it saves (g07: 1.25 against 1.1 s of CPU).
    func hasHugeBlock() -> Bool {
        let target = frameRangeTarget
        return partitionBlocks().contains { $0.count > 2 * target }
    }

    /// The size of the ranges `frameRanges` cuts a huge block into: about a quarter of a thread's
    /// share of the positions, at least 65,536.
    var frameRangeTarget: Int { Swift.max(1 << 16, count / (4 * activeProcessorCount())) }

    /// The farthest a frame may reach from its row for `frameRanges` to cut partitions.
    static let splitReach = 1 << 16

    /// Calls `body` with every block of `blocks` (default `frameRanges(frame)`) and its frames,
    /// blocks on every core (each block's writes go to its own rows).
    /// - Throws: the error of the first block (in block order) that threw; as `frameBlock`.
    func forEachFrameBlock(
        _ frame: WindowFrame, _ key: RangeOrderKey?, _ blocks: [Range<Int>]? = nil,
        _ body: (FrameBlock) throws -> Void
    ) throws {
        let blocks = blocks ?? frameRanges(frame)
        // the partition start before each block (a block cut from a huge partition starts inside it)
        let cut = blocks.contains { !$0.isEmpty && partStart[$0.lowerBound] == 0 }
        let partitionStarts = cut ? PositionChunks(ranges: blocks).lastMarkBefore(partStart) : blocks.map(\.lowerBound)
        var errors = [Error?](repeating: nil, count: blocks.count)
        errors.withUnsafeMutableBufferPointer { errs in
            let threads = blocks.count > 1 ? activeProcessorCount() : 1
            PartitionedKeyMerge.forEachPartition(blocks.count, threads: threads) { b in
                do {
                    try body(frameBlock(frame, b, blocks[b], key, partitionStart: partitionStarts[b]))
                } catch {
                    errs[b] = error
                }
            }
        }
        if let e = errors.first(where: { $0 != nil }) { throw e! }
    }
}

/// Calls `body` with mutable buffers of three arrays at once.
private func withMutableBuffers<A, B, C>(
    _ a: inout [A], _ b: inout [B], _ c: inout [C],
    _ body: (UnsafeMutableBufferPointer<A>, UnsafeMutableBufferPointer<B>, UnsafeMutableBufferPointer<C>) throws -> Void
) rethrows {
    try a.withUnsafeMutableBufferPointer { pa in
        try b.withUnsafeMutableBufferPointer { pb in
            try c.withUnsafeMutableBufferPointer { pc in try body(pa, pb, pc) }
        }
    }
}
