import KuaiCore

/// The frame of an aggregate / first_value / last_value window function (SQL's
/// `ROWS|RANGE|GROUPS BETWEEN start AND end`). Offsets are row counts for ROWS, order-key units for
/// RANGE (microseconds for TIMESTAMP/INTERVAL, days for DATE) and peer groups for GROUPS.
public struct WindowFrame: Sendable, Hashable, CustomStringConvertible {
    /// ROWS counts rows; RANGE compares ORDER BY values (CURRENT ROW = the row's peers).
    public typealias Mode = FrameUnit
    /// One end of the frame.
    public typealias Bound = FrameBound<Int64>
    public var mode: Mode
    public var start: Bound
    public var end: Bound
    /// `EXCLUDE ...`: rows left out of each frame (`WindowPartitions.excludedFrames`).
    public var exclusion: FrameExclusion = .noOthers
    public init(mode: Mode, start: Bound, end: Bound) {
        self.mode = mode
        self.start = start
        self.end = end
    }
    /// DuckDB's default with ORDER BY: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (peers included).
    public static let defaultWithOrder = WindowFrame(mode: .range, start: .unboundedPreceding, end: .currentRow)
    /// DuckDB's default without ORDER BY: the whole partition.
    public static let wholePartition = WindowFrame(mode: .rows, start: .unboundedPreceding, end: .unboundedFollowing)
    public var description: String {
        "\(mode.rawValue) BETWEEN \(start) AND \(end)"
            + (exclusion == .noOthers ? "" : " EXCLUDE \(exclusion.rawValue)")
    }
}

extension WindowFrame {
    /// True for a RANGE frame with an offset bound (`RANGE BETWEEN 3 PRECEDING AND ...`).
    var hasRangeOffset: Bool {
        guard mode == .range else { return false }
        for b in [start, end] {
            switch b {
            case .preceding, .following: return true
            default: continue
            }
        }
        return false
    }

    /// True for a ROWS frame whose bounds are CURRENT ROW or offsets of at most `reach` rows and
    /// whose EXCLUDE clause is NO OTHERS or CURRENT ROW: every frame lies within `reach` positions of
    /// its row.
    func staysNear(_ reach: Int) -> Bool {
        guard mode == .rows, exclusion == .noOthers || exclusion == .currentRow else { return false }
        for b in [start, end] {
            switch b {
            case .currentRow: continue
            case .preceding(let k), .following(let k): if k > Int64(reach) { return false }
            default: return false
            }
        }
        return true
    }

    /// The ROWS frame [start, end) of sorted position `i` in the partition [ps, pe), not yet
    /// clamped to the partition.
    func rowsBounds(_ i: Int, _ ps: Int, _ pe: Int) -> (Int, Int) {
        let s: Int
        switch start {
        case .unboundedPreceding: s = ps
        case .preceding(let k): s = i - Int(clamping: k)
        case .currentRow: s = i
        case .following(let k): s = i + Int(clamping: k)
        case .unboundedFollowing: s = pe
        }
        let e: Int
        switch end {
        case .unboundedPreceding: e = ps
        case .preceding(let k): e = i - Int(clamping: k) + 1
        case .currentRow: e = i + 1
        case .following(let k): e = i + Int(clamping: k) + 1
        case .unboundedFollowing: e = pe
        }
        return (s, e)
    }
}

/// The one ORDER BY key of a RANGE frame with offsets, read in sorted positions.
struct RangeOrderKey {
    private var ints: [Int64] = []
    private var doubles: [Double] = []
    /// `nulls[i]`: the key is NULL at sorted position i.
    let nulls: [Bool]
    let ascending: Bool
    /// Key units per unit of the frame's offset: 10^scale for a DECIMAL key (whose values are
    /// unscaled integers; DuckDB adds the offset cast to the key's type: `RANGE 1 PRECEDING` over a
    /// DECIMAL(9,2) reaches 1.00 back), else 1.
    private var offsetUnit: Int128 = 1

    /// - Throws: `KuaiError.binding` unless the window has exactly one numeric or temporal
    ///   ORDER BY key (DuckDB's rule); `KuaiError.execution` for HUGEINT values beyond Int64, and
    ///   DuckDB's overflow error when a TINYINT, SMALLINT, INTEGER or BIGINT key moved by one of
    ///   `frame`'s offsets leaves its type (DuckDB computes each row's bound in the key's type:
    ///   "Overflow in addition of INT8 (49 + 100)!").
    init(_ p: WindowPartitions, _ frame: WindowFrame) throws {
        guard p.orderBy.count == 1 else {
            throw KuaiError(.binding, "RANGE with an offset needs exactly one ORDER BY expression")
        }
        let c = p.columns[p.orderBy[0].column]
        ascending = p.orderBy[0].ascending
        guard c.type != .varchar else {
            throw KuaiError(.binding, "RANGE with an offset needs a numeric or temporal ORDER BY expression")
        }
        let perm = p.perm
        nulls = (0..<p.count).map { !c.isValid(Int(perm[$0])) || c.type == .null }
        if c.type == .double {
            doubles = (0..<p.count).map { c.doubles[Int(perm[$0])] }
        } else if c.type != .null {
            try requireNarrow(c, "a RANGE frame with an offset (window ORDER BY)")
            ints = (0..<p.count).map { c.ints[Int(perm[$0])] }
            if case .decimal(_, let scale) = c.type {
                for _ in 0..<scale { offsetUnit *= 10 }
            }
            if [.tinyint, .smallint, .integer, .bigint].contains(c.type) { try checkBounds(frame, c.type) }
        }
    }

    /// DuckDB's overflow error when the smallest or largest non-NULL key moved by an offset of `frame`
    /// (subtracted for PRECEDING in ascending order and for FOLLOWING in descending order, added
    /// otherwise) leaves the range of the integer type `type`.
    private func checkBounds(_ frame: WindowFrame, _ type: DataType) throws {
        var lo = Int64.max
        var hi = Int64.min
        for (i, v) in ints.enumerated() where !nulls[i] {
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        guard lo <= hi else { return }
        for bound in [frame.start, frame.end] {
            let k: Int64
            let preceding: Bool
            switch bound {
            case .preceding(let x): (k, preceding) = (x, true)
            case .following(let x): (k, preceding) = (x, false)
            default: continue
            }
            let r = type.integerRange
            if preceding == ascending, Int128(lo) - Int128(k) < Int128(r.lowerBound) {
                throw KuaiError(.execution, "Overflow in subtraction of \(Kernels.physicalName(type)) (\(lo) - \(k))!")
            }
            if preceding != ascending, Int128(hi) + Int128(k) > Int128(r.upperBound) {
                throw KuaiError(.execution, "Overflow in addition of \(Kernels.physicalName(type)) (\(hi) + \(k))!")
            }
        }
    }

    /// The first position j in [lo, hi) (a run of non-NULL keys) whose key is at or after
    /// (`strict`: after) the key at i moved by `offset`, in sort direction.
    func search(_ lo: Int, _ hi: Int, _ i: Int, offset: Int64, strict: Bool) -> Int {
        var l = lo
        var h = hi
        while l < h {
            let m = (l + h) / 2
            let after: Bool
            if !ints.isEmpty {
                // keys are Int64: a scaled offset past 2^100 reaches as far as any larger one
                let (scaled, over) = Int128(offset).multipliedReportingOverflow(by: offsetUnit)
                let reach = over || scaled > Int128(1) << 100 ? Int128(1) << 100 : scaled
                let target = Int128(ints[i]) + reach * (ascending ? 1 : -1)
                let v = Int128(ints[m])
                after = ascending ? (strict ? v > target : v >= target) : (strict ? v < target : v <= target)
            } else {
                let target = doubles[i] + Double(offset) * (ascending ? 1 : -1)
                let v = doubles[m]
                after = ascending ? (strict ? v > target : v >= target) : (strict ? v < target : v <= target)
            }
            if after { h = m } else { l = m + 1 }
        }
        return l
    }
}

extension WindowPartitions {
    /// The frame of every sorted position of `range` (whole partitions, or a piece of one cut by
    /// `frameRanges` whose partition starts at `partitionStart`), within its partition (empty when
    /// the frame lies outside it), as block `index`.
    func frameBlock(
        _ frame: WindowFrame, _ index: Int, _ range: Range<Int>, _ key: RangeOrderKey?, partitionStart: Int
    ) -> FrameBlock {
        let cut =
            !range.isEmpty && partStart[range.lowerBound] == 0
            || (range.upperBound < count && partStart[range.upperBound] == 0)
        var block = frameBounds(frame, index, range, key, cut ? partitionStart : nil)
        block.exclusion = frame.exclusion
        (block.base, block.spanEnd) = (range.lowerBound, range.upperBound)
        if cut {
            block.base = Int(block.starts.min() ?? Int32(range.lowerBound))
            block.spanEnd = Int(block.ends.max() ?? Int32(range.upperBound))
        }
        if frame.exclusion == .group || frame.exclusion == .ties {
            // each position's peer group, from the peer marks of the block
            block.peerStarts = [Int32](repeating: 0, count: range.count)
            block.peerEnds = [Int32](repeating: 0, count: range.count)
            var s = range.lowerBound
            for i in range {
                if peerStart[i] != 0 { s = i }
                block.peerStarts[i - range.lowerBound] = Int32(s)
            }
            var e = range.upperBound
            for i in range.reversed() {
                block.peerEnds[i - range.lowerBound] = Int32(e)
                if peerStart[i] != 0 { e = i }
            }
        }
        return block
    }

    /// The frame bounds of `frameBlock`, before any exclusion. `cutFrom`: the start of the partition
    /// a cut range begins in (only bounded ROWS frames: `WindowFrame.staysNear`), nil for whole
    /// partitions.
    private func frameBounds(
        _ frame: WindowFrame, _ index: Int, _ range: Range<Int>, _ key: RangeOrderKey?, _ cutFrom: Int?
    ) -> FrameBlock {
        if frame.mode == .groups { return groupsFrameBlock(frame, index, range) }
        // a partition's end is looked for up to the range's end, past it in a cut range (no frame
        // reaches farther than splitReach)
        let limit = cutFrom == nil ? range.upperBound : Swift.min(count, range.upperBound + Self.splitReach + 1)
        var starts = [Int32](repeating: 0, count: range.count)
        var ends = [Int32](repeating: 0, count: range.count)
        partStart.withUnsafeBufferPointer { part in
            peerStart.withUnsafeBufferPointer { peer in
                var (ps, pe, qs, qe) = (range.lowerBound, range.lowerBound, range.lowerBound, range.lowerBound)
                for i in range {
                    if i >= pe {  // a partition starts at i, or a cut range inside one
                        (ps, pe) = (part[i] == 0 ? cutFrom ?? i : i, i + 1)
                        while pe < limit && part[pe] == 0 { pe += 1 }
                    }
                    if frame.mode == .range && i >= qe {  // a peer group starts at i
                        (qs, qe) = (i, i + 1)
                        while qe < pe && peer[qe] == 0 { qe += 1 }
                    }
                    var (s, e) =
                        frame.mode == .rows
                        ? frame.rowsBounds(i, ps, pe) : rangeBounds(frame, i, ps, pe, qs, qe, key)
                    s = Swift.max(ps, Swift.min(s, pe))
                    e = Swift.max(ps, Swift.min(e, pe))
                    starts[i - range.lowerBound] = Int32(s)
                    ends[i - range.lowerBound] = Int32(Swift.max(s, e))
                }
            }
        }
        return FrameBlock(index: index, lo: range.lowerBound, hi: range.upperBound, starts: starts, ends: ends)
    }

    /// `frameBlock` of a GROUPS frame: offsets count peer groups of the partition (a bound before
    /// the first group or after the last is the partition's edge), as DuckDB.
    private func groupsFrameBlock(_ frame: WindowFrame, _ index: Int, _ range: Range<Int>) -> FrameBlock {
        var starts = [Int32](repeating: 0, count: range.count)
        var ends = [Int32](repeating: 0, count: range.count)
        // the block's peer groups: groupStart[g] is the first position of group g, plus the block's end
        var groupStart: [Int] = []
        for i in range where peerStart[i] != 0 || i == range.lowerBound { groupStart.append(i) }
        groupStart.append(range.upperBound)
        var (ps, pe) = (range.lowerBound, range.lowerBound)
        var (g, firstGroup, endGroup) = (-1, 0, 0)  // endGroup: the first group after the partition
        for i in range {
            if i == groupStart[g + 1] { g += 1 }
            if i >= pe {
                (ps, pe) = (i, i + 1)
                while pe < range.upperBound && partStart[pe] == 0 { pe += 1 }
                firstGroup = g
                endGroup = g
                while groupStart[endGroup] < pe { endGroup += 1 }
            }
            func edge(_ bound: WindowFrame.Bound, end: Bool) -> Int {
                let target: Int
                switch bound {
                case .unboundedPreceding: return ps
                case .unboundedFollowing: return pe
                case .currentRow: target = g
                case .preceding(let k): target = g - Int(k)
                case .following(let k): target = g + Int(k)
                }
                if target < firstGroup { return ps }
                if target >= endGroup { return pe }
                return groupStart[end ? target + 1 : target]
            }
            let s = edge(frame.start, end: false)
            let e = edge(frame.end, end: true)
            starts[i - range.lowerBound] = Int32(s)
            ends[i - range.lowerBound] = Int32(Swift.max(s, e))
        }
        return FrameBlock(index: index, lo: range.lowerBound, hi: range.upperBound, starts: starts, ends: ends)
    }

    /// The RANGE frame of sorted position `i` in partition [ps, pe) whose peers are [qs, qe),
    /// not yet clamped. Offsets search the non-NULL keys of the partition; a row whose key is
    /// NULL has its peers (the partition's NULLs) as an offset bound.
    private func rangeBounds(
        _ frame: WindowFrame, _ i: Int, _ ps: Int, _ pe: Int, _ qs: Int, _ qe: Int, _ key: RangeOrderKey?
    ) -> (Int, Int) {
        var segLo = ps
        var segHi = pe
        let isNull = key?.nulls[i] ?? false
        if let key, !isNull {
            while segLo < segHi && key.nulls[segLo] { segLo += 1 }
            while segHi > segLo && key.nulls[segHi - 1] { segHi -= 1 }
        }
        func search(_ offset: Int64, strict: Bool) -> Int {
            key!.search(segLo, segHi, i, offset: offset, strict: strict)
        }
        /// The edge `bound` sets, `peer` being the current row's peer edge on that side (the end's
        /// offset search is strict).
        func edge(_ bound: WindowFrame.Bound, peer: Int, strict: Bool) -> Int {
            switch bound {
            case .unboundedPreceding: return ps
            case .currentRow: return peer
            case .unboundedFollowing: return pe
            case .preceding(let k): return isNull ? peer : search(-k, strict: strict)
            case .following(let k): return isNull ? peer : search(k, strict: strict)
            }
        }
        return (edge(frame.start, peer: qs, strict: false), edge(frame.end, peer: qe, strict: true))
    }
}
