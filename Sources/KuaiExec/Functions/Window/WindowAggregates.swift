import KuaiCore

extension WindowPartitions {
    /// The most frame entries (the sum over rows of their frame's size) `framedAggregate` feeds
    /// through per-frame states in one block of partitions; beyond it the query fails rather than
    /// running for hours (a whole-partition frame has no such limit).
    static let aggregateFrameEntryLimit = 1 << 27

    /// Frame entries fed to one set of per-frame states before they are finalized.
    private static let aggregateChunkEntries = 1 << 16

    /// An aggregate of `f.aggregate` (median, mode, string_agg, arg_max, DISTINCT aggregates, ...)
    /// over each row's frame, with DuckDB's semantics: FILTER leaves rows out of every frame; an
    /// empty frame gives the aggregate of no rows (count 0, else NULL). A whole-partition frame is
    /// one group per partition (O(n)); any other frame feeds each row's frame to a state of its own
    /// (cost: the sum of the frame sizes), in blocks of whole partitions on every core.
    /// Result type: the aggregate's return type.
    /// - Throws: `KuaiError.execution` when a block's frames hold more than
    ///   `aggregateFrameEntryLimit` entries in all, or HUGEINT input beyond Int64 reaches an aggregate
    ///   that computes on 64 bits; the aggregate's own errors.
    func framedAggregate(_ f: WindowFunction) throws -> Column {
        let agg = f.aggregate!
        let spec = AggregateSpec(
            function: agg.function, inputColumn: nil, distinct: agg.distinct, name: agg.key)
        let arg = f.argument.map { columns[$0] }
        if let arg, arg.highs != nil, agg.distinct || !spec.makeState().acceptsWideInput {
            try requireNarrow(arg, "aggregate \(agg.key)")
        }
        let order = agg.orderColumns.map { columns[$0] }
        let keep = f.filter.map { filterMask(columns[$0]) }
        let frame = f.effectiveFrame(ordered: !orderBy.isEmpty)
        if frame.start == .unboundedPreceding && frame.end == .unboundedFollowing && frame.exclusion == .noOthers {
            return try wholePartitionAggregate(spec, arg, order, keep)
        }
        let key = frame.hasRangeOffset ? try RangeOrderKey(self, frame) : nil
        let blocks = frameRanges(frame)
        var pieces = [Column?](repeating: nil, count: blocks.count)
        try pieces.withUnsafeMutableBufferPointer { out in
            try forEachFrameBlock(frame, key, blocks) { block in
                out[block.index] = try aggregateFrames(spec, arg, order, keep, block)
            }
        }
        var sorted = ColumnBuilder(type: agg.function.returnType)
        for p in pieces { sorted.append(p!) }
        var inverse = [Int32](repeating: 0, count: count)
        inverse.withUnsafeMutableBufferPointer { inv in
            chunks.forEachChunk { _, r in for i in r { inv[Int(perm[i])] = Int32(i) } }
        }
        let bySorted = sorted.take()
        return inverse.withUnsafeBufferPointer { gatherNullable(bySorted, $0, parallel: true) }
    }

    /// A framed function over frames with an EXCLUDE clause: first_value / last_value / nth_value pick
    /// their row among the frame's pieces (`FrameBlock.forEachPiece`); count, sum, avg, min and max run
    /// as the aggregate of the same name through `framedAggregate` (cost: the sum of the frame sizes).
    /// - Throws: as `framedAggregate`; `KuaiError.execution` where the aggregate's type is not the
    ///   window function's.
    func excludedFrames(_ f: WindowFunction, _ frame: WindowFrame) throws -> Column {
        let arg = f.argument.map { columns[$0] }
        switch f.kind {
        case .firstValue, .lastValue, .nthValue:
            let (before, positions) = f.ignoreNulls ? nonNullPositions(arg!) : ([], [])
            var src = [Int32](repeating: -1, count: count)
            try src.withUnsafeMutableBufferPointer { out in
                try forEachFrameBlock(frame, frame.hasRangeOffset ? try RangeOrderKey(self, frame) : nil) { block in
                    for i in block.lo..<block.hi {
                        var pieces: [(Int, Int)] = []
                        block.forEachPiece(i) { s, e in
                            if f.ignoreNulls {
                                let (a, b) = (Int(before[s]), Int(before[e]))
                                if a < b { pieces.append((a, b)) }
                            } else {
                                pieces.append((s, e))
                            }
                        }
                        if let k = Self.pick(f.kind, f.offset, pieces) {
                            out[Int(perm[i])] = perm[f.ignoreNulls ? Int(positions[k]) : k]
                        }
                    }
                }
            }
            return src.withUnsafeBufferPointer { gatherNullable(arg!, $0, parallel: true) }
        default:
            let name = f.kind == .countStar ? "count_star" : f.kind.rawValue
            guard let function = AggregateRegistry.resolve(name, f.kind == .countStar ? nil : arg?.type),
                function.returnType == f.resultType(argumentType: arg?.type)
            else {
                throw KuaiError(
                    .execution, "\(f.kind.rawValue) over frames with EXCLUDE is not supported for this type")
            }
            var g = f
            g.kind = .aggregate
            g.aggregate = WindowAggregate(function: function, distinct: false, orderColumns: [], key: f.description)
            return try framedAggregate(g)
        }
    }

    /// The first / last / n-th (1-based) index among the ranges `pieces` (in order), nil when they
    /// hold fewer.
    private static func pick(_ kind: WindowFunction.Kind, _ n: Int, _ pieces: [(Int, Int)]) -> Int? {
        guard let firstPiece = pieces.first, let lastPiece = pieces.last else { return nil }
        switch kind {
        case .firstValue: return firstPiece.0
        case .lastValue: return lastPiece.1 - 1
        default:
            guard n >= 1 else { return nil }
            var left = n
            for (a, b) in pieces {
                if left <= b - a { return a + left - 1 }
                left -= b - a
            }
            return nil
        }
    }

    /// `mask[row] = 1` where the FILTER column `c` is TRUE.
    private func filterMask(_ c: Column) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: count)
        if c.type != .null { ScalarExpr.forEachTrue(c) { mask[$0] = 1 } }
        return mask
    }

    /// The aggregate of every partition (the frame is the whole partition), row by row.
    private func wholePartitionAggregate(
        _ spec: AggregateSpec, _ arg: Column?, _ order: [Column], _ keep: [UInt8]?
    ) throws -> Column {
        var part = [Int32](repeating: 0, count: count)
        var p: Int32 = -1
        for i in 0..<count {
            if partStart[i] != 0 { p += 1 }
            part[Int(perm[i])] = p
        }
        var rows: [Int32] = []
        var ids = part
        if let keep {
            rows = (0..<count).filter { keep[$0] != 0 }.map { Int32($0) }
            ids = rows.map { part[Int($0)] }
        }
        let state = spec.makeState()
        state.resize(Int(p) + 1)
        try feed(state, arg, order, rows: keep == nil ? nil : rows, ids: ids)
        let result = try state.finalize(groups: Int(p) + 1)
        return part.withUnsafeBufferPointer { gatherNullable(result, $0, parallel: true) }
    }

    /// Adds rows `rows` (all rows when nil) of `arg` and `order` to `state`, the k-th to group
    /// `ids[k]`, in slices of `aggregateChunkEntries` rows.
    private func feed(
        _ state: AggregateState, _ arg: Column?, _ order: [Column], rows: [Int32]?, ids: [Int32]
    ) throws {
        var input = arg
        var orderInput = order
        if let rows {
            input = arg.map { c in rows.withUnsafeBufferPointer { c.gather($0) } }
            orderInput = order.map { c in rows.withUnsafeBufferPointer { c.gather($0) } }
        }
        var lo = 0
        while lo < ids.count {
            let hi = min(ids.count, lo + Self.aggregateChunkEntries)
            let whole = lo == 0 && hi == ids.count
            let slice = { (c: Column) in whole ? c : c.slice(lo..<hi) }
            try ids[lo..<hi].withUnsafeBufferPointer {
                try state.update(input.map(slice), order: orderInput.map(slice), ids: $0, count: hi - lo)
            }
            lo = hi
        }
    }

    /// The aggregate of the frame of every sorted position of `block`, in sorted order: the frames
    /// of consecutive positions go to one state (position i as group i - first) until they hold
    /// `aggregateChunkEntries` entries, then the state is finalized.
    private func aggregateFrames(
        _ spec: AggregateSpec, _ arg: Column?, _ order: [Column], _ keep: [UInt8]?, _ block: FrameBlock
    ) throws -> Column {
        var total = 0
        for i in block.lo..<block.hi { block.forEachPiece(i) { total += $1 - $0 } }
        guard total <= Self.aggregateFrameEntryLimit else {
            throw KuaiError(
                .execution,
                "window aggregate \(spec.name): its frames hold \(total) rows in all, more than the "
                    + "\(Self.aggregateFrameEntryLimit) computed frame by frame (a frame over the whole "
                    + "partition has no such limit)")
        }
        var out = ColumnBuilder(type: spec.function.returnType)
        var first = block.lo
        var rows: [Int32] = []
        var ids: [Int32] = []
        while first < block.hi {
            rows.removeAll(keepingCapacity: true)
            ids.removeAll(keepingCapacity: true)
            var i = first
            while i < block.hi && (i == first || rows.count < Self.aggregateChunkEntries) {
                block.forEachPiece(i) { s, e in
                    for j in s..<e {
                        let r = perm[j]
                        if let keep, keep[Int(r)] == 0 { continue }
                        rows.append(r)
                        ids.append(Int32(i - first))
                    }
                }
                i += 1
            }
            let state = spec.makeState()
            state.resize(i - first)
            try feed(state, arg, order, rows: rows, ids: ids)
            out.append(try state.finalize(groups: i - first))
            first = i
        }
        return out.take()
    }
}
