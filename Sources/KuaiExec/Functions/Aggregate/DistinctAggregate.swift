import Dispatch
import KuaiCore

/// `agg(DISTINCT x)` over any type but VARCHAR (`StringDistinctState` takes VARCHAR): remembers
/// the distinct (group, value) pairs, each value as one 64-bit word (an integer-stored value's
/// bits, a DOUBLE's `doubleKey`), and feeds each pair once to the wrapped aggregate at the end
/// (count(DISTINCT x) = count of pairs).
///
/// Up to `hashLimit` distinct pairs live in an open-addressing set. Past that (high-cardinality
/// keys such as room ids, where every insert is a cache miss), new pairs are appended as they
/// come and duplicates are removed once at the end; memory stays bounded by the input rows.
/// Integer-stored values within a 2^32 window are appended to a `DistinctPairLog` (one word a
/// pair, partitioned by value, made distinct partition by partition in cache); other values to
/// two arrays, made distinct by sorting (group, value). The set is left that way early,
/// once `sampleRows` rows have come and at least half of them were new pairs: the pairs are then
/// mostly distinct, and hashing them until the limit would only add cache misses.
///
/// Merging the states of several threads is deferred to `finalize`: with many pairs in all, the
/// pairs of every state (groups mapped) are packed into one (group, value offset) word each and
/// radix-sorted on all cores, equal neighbours dropped (`packedDistinctPairs`; each state's
/// pairs are freed once packed); pairs too wide to pack are deduplicated partition by partition
/// on all cores (`PartitionedKeyMerge`), as DuckDB's radix-partitioned distinct aggregate; few
/// pairs are inserted into this state one by one.
///
/// Under memory pressure (`MemoryGuard.shouldSpill`) the pairs move to radix-partitioned spill
/// files, and `finalize` then deduplicates every state's pairs one partition at a time
/// (DistinctSpill.swift).
final class DistinctState: AggregateState {
    nonisolated(unsafe) static var hashLimit = 1 << 20
    let inner: AggregateState
    let type: DataType
    let set = PairSet()
    /// Pairs moved to disk (this state's own file first; merged states' files with their group
    /// mapping), read back partition by partition by `finalize`.
    var spills: [SpilledPairs] = []
    /// Appended pairs once the set is full (may repeat), when they cannot go to `log`.
    var rawGroups: [Int32] = []
    var rawValues: [UInt64] = []
    /// Appended pairs once the set is full (may repeat), while the values are integer-stored and
    /// fit the log's 2^32 window; moved to `rawGroups`/`rawValues` for good otherwise.
    var log: DistinctPairLog?
    /// False once appended pairs cannot (or can no longer) go to `log`.
    private lazy var mayLog = PackedJoinKeys.packable(type)
    var spilled = false
    /// Valid rows added while the pairs were in the set (for the early move to appended pairs).
    private var rowsHashed = 0
    /// Rows after which a set holding a pair for half of them moves to appended pairs (looked at
    /// every `sampleRows` rows; 8192 rows take a set of 16K slots at most, in L2).
    static let sampleRows = 1 << 13
    /// States merged into this one, with the mapping of their groups, not yet combined.
    var pending: [(state: DistinctState, mapping: [Int32])] = []
    /// The pairs as bits while an integer-stored input's values span a dense range (ids such as
    /// live_id or user_id): set from the first rows on, and left for good, its pairs then added as
    /// any others (`settle`), once the values no longer fit `DenseDistinctBits.maxBits`.
    var dense: DenseDistinctBits?
    /// False once the state left the dense form, or its input cannot take it.
    private var mayBeDense = true
    /// Before the dense form: the value range, groups and rows of every batch so far (the bits
    /// would have to cover them), kept while the bits would cost more than `denseBudget`.
    private var seenLo = Int64.max
    private var seenHi = Int64.min
    private var seenGroups = 0
    private var seenRows = 0

    /// The most bits the dense form may take after `rows` input rows: 64 per row, at least 2^22
    /// (512 KiB). Many groups over a wide value range from few rows (count(DISTINCT user_id) per
    /// streamer over 72k gifts: 34M bits) hash their pairs instead of zeroing and scanning bits
    /// that stay mostly clear; a dense range over many rows (live_id over the room table) takes
    /// the bits once enough rows have come.
    static func denseBudget(rows: Int) -> Int { max(1 << 22, 64 * rows) }

    /// A state for values of `type`, fed to `inner`.
    /// - Precondition: `type` is not VARCHAR (strings take `StringDistinctState`).
    init(inner: AggregateState, type: DataType) {
        precondition(type != .varchar, "DistinctState does not take VARCHAR: use StringDistinctState")
        self.inner = inner
        self.type = type
    }
    func resize(_ groups: Int) {}

    /// Key word of each valid row.
    func words(_ input: Column, count n: Int) -> [UInt64] {
        var w = [UInt64](repeating: 0, count: n)
        switch type {
        case .double:
            for i in 0..<n { w[i] = doubleKey(input.doubles[i]) }
        default:
            input.ints.withUnsafeBufferPointer { x in
                for i in 0..<n { w[i] = UInt64(bitPattern: x[i]) }
            }
        }
        return w
    }

    @inline(__always)
    func add(_ g: Int32, _ v: UInt64) {
        if spilled {
            append(g, v)
        } else {
            set.insert(group: g, value: v)
            if set.count > DistinctState.hashLimit { spill() }
        }
    }

    /// Appends a pair once the set was left: to `log` while it takes the value, else to the arrays.
    @inline(__always)
    private func append(_ g: Int32, _ v: UInt64) {
        if mayLog {
            let x = Int64(bitPattern: v)
            if log == nil, let l = DistinctPairLog(lo: x, hi: x) { log = l }
            if let log, log.fits(lo: x, hi: x) {
                log.append(group: g, value: x)
                return
            }
            unpackLog()
        }
        rawGroups.append(g)
        rawValues.append(v)
    }

    /// Moves the log's pairs into the arrays, which take every appended pair from now on.
    private func unpackLog() {
        mayLog = false
        guard let l = log else { return }
        log = nil
        rawGroups.reserveCapacity(rawGroups.count + 2 * l.count)
        rawValues.reserveCapacity(rawValues.count + 2 * l.count)
        l.forEachPair { g, v in
            rawGroups.append(g)
            rawValues.append(v)
        }
    }

    /// Moves the set's pairs to the appended pairs: to the log in one call when it can take
    /// their values (a log is made for them if there is none yet), else to the arrays.
    func spill() {
        spilled = true
        defer { set.removeAll() }
        guard set.count > 0 else { return }
        if mayLog {
            var groups = [Int32]()
            var values = [Int64]()
            groups.reserveCapacity(set.count)
            values.reserveCapacity(set.count)
            var (lo, hi) = (Int64.max, Int64.min)
            set.forEachEntry { g, v in
                let x = Int64(bitPattern: v)
                groups.append(g)
                values.append(x)
                lo = min(lo, x)
                hi = max(hi, x)
            }
            if log == nil { log = DistinctPairLog(lo: lo, hi: hi) }
            if let log, log.fits(lo: lo, hi: hi) {
                values.withUnsafeBufferPointer { x in
                    groups.withUnsafeBufferPointer { g in
                        log.append(values: x, groups: g, valid: nil, count: x.count, lo: lo, hi: hi)
                    }
                }
                return
            }
            unpackLog()
        }
        rawGroups.reserveCapacity(rawGroups.count + set.count * 2)
        rawValues.reserveCapacity(rawValues.count + set.count * 2)
        set.forEachEntry { g, v in
            rawGroups.append(g)
            rawValues.append(v)
        }
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        guard let input, input.type != .null else { return }
        addRows(input, ids: ids, count: n)
        if MemoryGuard.shouldSpill(holding: heldBytes) { try spillToDisk() }
    }

    private func addRows(_ input: Column, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        if mayBeDense && addDense(input, ids: ids, count: n) { return }
        if spilled { return appendRows(input, ids: ids, from: 0, count: n) }
        // Into the set (prefetching ahead), `sampleRows` rows at a time, while it holds fewer
        // than `hashLimit` pairs and has not turned out to hold a pair for half its rows; the
        // rest of the batch is appended.
        let w = words(input, count: n)
        var i = 0
        while i < n {
            let end = min(n, i + Self.sampleRows)
            let stop = w.withUnsafeBufferPointer { wv in
                input.validity.withUnsafeBufferPointerOrNil { v in
                    set.insert(rows: i..<end, groups: ids, values: wv, valid: v, limit: DistinctState.hashLimit)
                }
            }
            rowsHashed += input.validity.map { v in (i..<stop).reduce(0) { $0 + Int(v[$1]) } } ?? stop - i
            if stop < end || (rowsHashed >= Self.sampleRows && 2 * set.count >= rowsHashed) {
                spill()
                if stop < n { appendRows(input, ids: ids, from: stop, count: n) }
                return
            }
            i = end
        }
    }

    /// Appends the valid rows `from ..< n` once the set was left: to the log in one call while it
    /// takes their values, else to the arrays.
    private func appendRows(_ input: Column, ids: UnsafeBufferPointer<Int32>, from: Int, count n: Int) {
        if mayLog {
            guard let (lo, hi) = valueRange(input, count: n) else { return }  // no valid row
            if log == nil, let l = DistinctPairLog(lo: lo, hi: hi) { log = l }
            if let log, log.fits(lo: lo, hi: hi) {
                input.ints.withUnsafeBufferPointer { x in
                    input.validity.withUnsafeBufferPointerOrNil { v in
                        log.append(
                            values: UnsafeBufferPointer(rebasing: x[from..<n]),
                            groups: UnsafeBufferPointer(rebasing: ids[from..<n]),
                            valid: v.map { UnsafeBufferPointer(rebasing: $0[from..<n]) }, count: n - from, lo: lo,
                            hi: hi)
                    }
                }
                return
            }
            unpackLog()
        }
        let w = words(input, count: n)
        // Append to local arrays (one exclusivity check per batch, not per row).
        var gs: [Int32] = []
        var vs: [UInt64] = []
        swap(&gs, &rawGroups)
        swap(&vs, &rawValues)
        defer {
            swap(&gs, &rawGroups)
            swap(&vs, &rawValues)
        }
        if gs.capacity < gs.count + n - from {  // grow geometrically (reserveCapacity alone is exact)
            gs.reserveCapacity(max(gs.count + n - from, 2 * gs.capacity))
            vs.reserveCapacity(max(vs.count + n - from, 2 * vs.capacity))
        }
        if let valid = input.validity {
            for i in from..<n where valid[i] != 0 {
                gs.append(ids[i])
                vs.append(w[i])
            }
        } else {
            for i in from..<n {
                gs.append(ids[i])
                vs.append(w[i])
            }
        }
    }

    /// Adds the valid rows to `dense` (entering the dense form once the bits for every value and
    /// group so far fit `denseBudget`, moving the pairs stored until then into them); false when
    /// the rows take the general paths: for now (not yet within the budget), or for good after
    /// `settle` (the bits would pass `DenseDistinctBits.maxBits` or, widened, the budget).
    private func addDense(_ input: Column, ids: UnsafeBufferPointer<Int32>, count n: Int) -> Bool {
        guard PackedJoinKeys.packable(type), input.highs == nil, spills.isEmpty else {
            settle()
            return false
        }
        guard let (lo, hi) = valueRange(input, count: n) else { return true }  // no valid row
        let groups = Int(ids.prefix(n).max()!) + 1
        seenRows += n
        if dense == nil {
            seenLo = min(seenLo, lo)
            seenHi = max(seenHi, hi)
            seenGroups = max(seenGroups, groups)
            guard let bits = DenseDistinctBits.bitCount(lo: seenLo, hi: seenHi, groups: seenGroups) else {
                settle()
                return false
            }
            if bits > Self.denseBudget(rows: seenRows) { return false }
            enterDense(DenseDistinctBits(lo: seenLo, hi: seenHi, groups: seenGroups)!)
        } else if !dense!.covers(lo: lo, hi: hi, groups: groups) {
            guard dense!.widen(lo: lo, hi: hi, groups: groups, limit: Self.denseBudget(rows: seenRows)) else {
                settle()
                return false
            }
        }
        input.ints.withUnsafeBufferPointer { x in
            input.validity.withUnsafeBufferPointerOrNil { v in dense!.insert(x, v, ids: ids, count: n) }
        }
        return true
    }

    /// Moves the pairs stored so far (set or appended arrays) into `bits`, which covers them, and
    /// keeps the pairs as bits from now on.
    private func enterDense(_ bits: DenseDistinctBits) {
        var d = bits
        set.forEachEntry { g, v in d.insert(g, Int64(bitPattern: v)) }
        for i in 0..<rawGroups.count { d.insert(rawGroups[i], Int64(bitPattern: rawValues[i])) }
        log?.forEachPair { g, v in d.insert(g, Int64(bitPattern: v)) }
        set.removeAll()
        rawGroups = []
        rawValues = []
        log = nil
        spilled = false
        dense = d
    }

    /// Leaves the dense form for good: its pairs are added as any others.
    func settle() {
        mayBeDense = false
        guard let d = dense else { return }
        dense = nil
        d.forEachPair { g, v in add(g, v) }
    }

    func forEachPair(_ body: (Int32, UInt64) -> Void) {
        settle()
        set.forEachEntry(body)
        for i in 0..<rawGroups.count { body(rawGroups[i], rawValues[i]) }
        log?.forEachPair(body)
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        pending.append((other as! DistinctState, Array(mapping)))
    }

    /// Number of stored pairs (the spilled arrays may repeat a pair).
    var pairCount: Int { self.set.count + rawGroups.count + (log?.count ?? 0) + (dense?.count ?? 0) }

    /// Inserts `o`'s pairs into this state, their groups mapped by `mapping`.
    private func mergeNow(_ o: DistinctState, mapping: UnsafeBufferPointer<Int32>) {
        if !spilled && set.count + o.set.count + o.rawGroups.count > DistinctState.hashLimit { spill() }
        o.forEachPair { g, v in add(mapping[Int(g)], v) }
    }

    func finalize(groups: Int) throws -> Column {
        if let c = try finalizeDense(groups: groups) { return c }
        settle()
        for o in pending { o.state.settle() }
        if !spills.isEmpty || pending.contains(where: { !$0.state.spills.isEmpty }) {
            return try finalizeSpilled(groups: groups)
        }
        inner.resize(groups)
        let others = pending
        pending = []
        if let column = try finalizeLogged(others, groups: groups) { return column }
        let total = others.reduce(pairCount) { $0 + $1.state.pairCount }
        if !others.isEmpty && total >= PartitionedKeyMerge.minimumGroups {
            let states: [(state: DistinctState, mapping: [Int32]?)] =
                [(self, nil)] + others.map { ($0.state, $0.mapping) }
            if let (ids, values) = packedDistinctPairs(states, groups: groups) {
                return try finish(ids: ids, values: values, groups: groups)
            }
            // too wide to pack: every state's pairs as (group, value) key columns
            let sources = states.filter { $0.state.pairCount > 0 }.map { $0.state.pairColumns(mapping: $0.mapping) }
            let m = PartitionedKeyMerge.merge(
                sources: sources.map(\.columns), counts: sources.map(\.count), keyTypes: [.integer, type],
                threads: activeProcessorCount())
            set.removeAll()
            rawGroups = []
            rawValues = []
            let ids = m.keys[0].ints.withUnsafeBufferPointer { g in
                (0..<m.count).map { Int32(truncatingIfNeeded: g[$0]) }
            }
            try ids.withUnsafeBufferPointer { try inner.update(m.keys[1], order: [m.keys[1]], ids: $0, count: m.count) }
            return try inner.finalize(groups: groups)
        }
        for o in others { o.mapping.withUnsafeBufferPointer { mergeNow(o.state, mapping: $0) } }
        var ids: [Int32] = []
        var values: [UInt64] = []
        if spilled, let (g, v) = packedDistinctPairs([(self, nil)], groups: groups) {
            ids = g
            values = v
        } else if spilled {
            // Sort (group, value) and keep the first of each run of equal pairs.
            let n = rawGroups.count
            let cols = [
                Column(type: .bigint, ints: rawGroups.map { Int64($0) }),
                Column(type: .bigint, ints: rawValues.map { Int64(bitPattern: $0) }),
            ]
            let perm = try sortPermutation(cols, count: n, keys: [SortKey(column: 0), SortKey(column: 1)])
            ids.reserveCapacity(n / 2)
            values.reserveCapacity(n / 2)
            var lastG: Int32 = -1
            var lastV: UInt64 = 0
            for r in perm {
                let g = rawGroups[Int(r)]
                let v = rawValues[Int(r)]
                if g == lastG && v == lastV && !ids.isEmpty { continue }
                ids.append(g)
                values.append(v)
                lastG = g
                lastV = v
            }
            rawGroups = []
            rawValues = []
        } else {
            (ids, values) = collectPairs(capacity: set.count) { set.forEachEntry($0) }
        }
        return try finish(ids: ids, values: values, groups: groups)
    }

    /// `finalize` when this state and every merged one hold their pairs as bits: the bits of the
    /// merged states (groups mapped) are set in a copy of this state's, whose pairs, in (group,
    /// value) order, feed the wrapped aggregate. nil, nothing changed, otherwise.
    private func finalizeDense(groups: Int) throws -> Column? {
        guard var bits = dense,
            pending.allSatisfy({
                $0.state.dense != nil && $0.state.spills.isEmpty && $0.state.set.count == 0
                    && $0.state.rawGroups.isEmpty
            })
        else { return nil }
        for (o, mapping) in pending {
            var fits = true
            o.dense!.forEachPair { g, v in
                let t = mapping[Int(g)]
                let x = Int64(bitPattern: v)
                if fits && !bits.covers(lo: x, hi: x, groups: Int(t) + 1) {
                    fits = bits.widen(lo: x, hi: x, groups: Int(t) + 1)
                }
                if fits { bits.insert(t, x) }
            }
            if !fits { return nil }
        }
        pending = []
        dense = nil
        inner.resize(groups)
        let (ids, values) = collectPairs(capacity: bits.count) { bits.forEachPair($0) }
        return try finish(ids: ids, values: values, groups: groups)
    }

    /// `finalize` when some state appended its pairs to a log: the states still hashing move their
    /// sets to logs too, and `DistinctPairLog.distinctPairs` makes the pairs of every log distinct
    /// (in (group, value) order unless the wrapped aggregate ignores the order of its input). nil,
    /// the pairs left to the general paths, when some state holds pairs outside a log or the
    /// logs' values span 2^32 or more.
    private func finalizeLogged(_ others: [(state: DistinctState, mapping: [Int32])], groups: Int) throws -> Column? {
        let states: [(state: DistinctState, mapping: [Int32]?)] =
            [(self, nil)] + others.map { ($0.state, $0.mapping) }
        guard states.contains(where: { $0.state.log != nil }) else { return nil }
        for (s, _) in states where s.log == nil && s.set.count > 0 { s.spill() }
        guard states.allSatisfy({ $0.state.rawGroups.isEmpty && $0.state.set.count == 0 }) else { return nil }
        let logs = states.compactMap { s in s.state.log.map { (log: $0, mapping: s.mapping) } }
        guard
            let (ids, values) = DistinctPairLog.distinctPairs(
                logs, groups: groups, sorted: !inner.ignoresInputOrder)
        else { return nil }
        for (s, _) in states { s.log = nil }
        try feed(ids: ids, Column(type: type, ints: values))
        return try inner.finalize(groups: groups)
    }

    /// Feeds the distinct pairs (group ids, value words) to the wrapped aggregate and finalizes it.
    private func finish(ids: [Int32], values: [UInt64], groups: Int) throws -> Column {
        try feed(ids: ids, valueColumn(values))
        return try inner.finalize(groups: groups)
    }

    /// Value words (`words(_:count:)`) as a column of `type`.
    func valueColumn(_ words: [UInt64]) -> Column {
        switch type {
        case .double: return Column(doubles: words.map { Double(bitPattern: $0) })
        default: return Column(type: type, ints: words.map { Int64(bitPattern: $0) })
        }
    }

    /// Feeds distinct pairs (group ids, the values as a column) to the wrapped aggregate, each
    /// value also its ORDER BY key (`list(DISTINCT x ORDER BY x)`).
    func feed(ids: [Int32], _ values: Column) throws {
        try ids.withUnsafeBufferPointer { try inner.update(values, order: [values], ids: $0, count: values.count) }
    }
    func makeEmpty() -> AggregateState { DistinctState(inner: inner.makeEmpty(), type: type) }

    /// The stored pairs as key columns (group id as INTEGER, value of `type`), groups mapped
    /// through `mapping` when given.
    func pairColumns(mapping: [Int32]?) -> (columns: [Column], count: Int) {
        var gs = [Int64]()
        var vs = [UInt64]()
        gs.reserveCapacity(pairCount)
        vs.reserveCapacity(pairCount)
        forEachPair { g, v in
            gs.append(Int64(g))
            vs.append(v)
        }
        if let mapping { mapping.withUnsafeBufferPointer { m in for i in gs.indices { gs[i] = Int64(m[Int(gs[i])]) } } }
        let values = valueColumn(vs)
        return ([Column(type: .integer, ints: gs), values], gs.count)
    }

    /// The distinct pairs of `sources` (states with the mapping of their groups into `0..<groups`,
    /// nil = already global), sorted by (group, signed value word) as the general path sorts them,
    /// when group and value offset fit one 64-bit word together: `(group << valueBits) |
    /// (value - minValue)` radix-sorted on all cores, then equal neighbours dropped (sequential
    /// passes, no gathers, no hash table). Each source's pairs are released once packed (the
    /// sources are empty afterwards). nil, with the sources untouched, when they do not fit.
    func packedDistinctPairs(_ sources: [(state: DistinctState, mapping: [Int32]?)], groups: Int) -> (
        [Int32], [UInt64]
    )? {
        let n = sources.reduce(0) { $0 + $1.state.pairCount }
        if n == 0 { return ([], []) }
        // each source's value range, then its pairs packed into its own run of `keys`: one source a
        // thread (the states of the threads that aggregated)
        var ranges = [(lo: Int64, hi: Int64)](repeating: (Int64.max, Int64.min), count: sources.count)
        let shared = UncheckedBox(sources)
        ranges.withUnsafeMutableBufferPointer { r in
            let r = UncheckedBox(r)
            DispatchQueue.concurrentPerform(iterations: sources.count) { t in
                var (lo, hi) = (Int64.max, Int64.min)
                shared.value[t].state.forEachPair { _, v in
                    let x = Int64(bitPattern: v)
                    lo = min(lo, x)
                    hi = max(hi, x)
                }
                r.value[t] = (lo, hi)
            }
        }
        let lo = ranges.map(\.lo).min()!
        let hi = ranges.map(\.hi).max()!
        let span = hi.subtractingReportingOverflow(lo)
        if span.overflow { return nil }
        let vbits = 64 - UInt64(span.partialValue).leadingZeroBitCount
        let gbits = 64 - UInt64(max(groups - 1, 0)).leadingZeroBitCount
        if vbits + gbits > 64 { return nil }
        let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        defer { keys.deallocate() }
        let vshift = UInt64(vbits)
        let starts = sources.reduce(into: [0]) { $0.append($0.last! + $1.state.pairCount) }
        let packing = UncheckedBox((sources, keys))
        DispatchQueue.concurrentPerform(iterations: sources.count) { t in
            let (s, mapping) = packing.value.0[t]
            let keys = packing.value.1
            var o = starts[t]
            // vbits == 64 only when gbits == 0 (all groups 0): no group bits to shift in
            func pack(_ group: Int32, _ v: UInt64) {
                let off = UInt64(bitPattern: Int64(bitPattern: v) &- lo)
                keys[o] = (vbits >= 64 ? 0 : UInt64(UInt32(bitPattern: group)) << vshift) | off
                o += 1
            }
            if let mapping {
                mapping.withUnsafeBufferPointer { m in s.forEachPair { g, v in pack(m[Int(g)], v) } }
            } else {
                s.forEachPair(pack)
            }
            s.set.removeAll()
            s.rawGroups = []
            s.rawValues = []
            s.log = nil
        }
        let tmp = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        radixSortPacked(keys, tmp: tmp, lowBit: 0, bits: vbits + gbits)
        tmp.deallocate()
        // the first of each run of equal keys, counted then written chunk by chunk on all cores
        let chunks = min(8, max(1, n >> 16))
        @Sendable func chunk(_ c: Int) -> Range<Int> { (c * n / chunks)..<((c + 1) * n / chunks) }
        var firsts = [Int](repeating: 0, count: chunks + 1)
        let sorted = UncheckedBox(keys)
        firsts.withUnsafeMutableBufferPointer { f in
            let f = UncheckedBox(f)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var m = 0
                for i in chunk(c) where i == 0 || sorted.value[i] != sorted.value[i - 1] { m += 1 }
                f.value[c + 1] = m
            }
        }
        for c in 0..<chunks { firsts[c + 1] += firsts[c] }
        let runStarts = firsts
        let distinct = runStarts[chunks]
        let vmask: UInt64 = vbits >= 64 ? .max : (1 << vshift) - 1
        var ids = [Int32](repeating: 0, count: distinct)
        var values = [UInt64](repeating: 0, count: distinct)
        ids.withUnsafeMutableBufferPointer { ip in
            values.withUnsafeMutableBufferPointer { vp in
                let out = UncheckedBox((ip, vp))
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let keys = sorted.value
                    var o = runStarts[c]
                    for i in chunk(c) where i == 0 || keys[i] != keys[i - 1] {
                        let k = keys[i]
                        out.value.0[o] = vbits >= 64 ? 0 : Int32(truncatingIfNeeded: k >> vshift)
                        out.value.1[o] = UInt64(bitPattern: lo &+ Int64(bitPattern: k & vmask))
                        o += 1
                    }
                }
            }
        }
        return (ids, values)
    }
}

/// The pairs `forEach` calls its body with, in that order, as group ids and value words
/// (`capacity`: the pairs expected).
func collectPairs(capacity: Int, _ forEach: ((Int32, UInt64) -> Void) -> Void) -> (ids: [Int32], values: [UInt64]) {
    var ids: [Int32] = []
    var values: [UInt64] = []
    ids.reserveCapacity(capacity)
    values.reserveCapacity(capacity)
    forEach { g, v in
        ids.append(g)
        values.append(v)
    }
    return (ids, values)
}
