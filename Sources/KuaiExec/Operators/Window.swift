import KuaiCore

/// Window functions (`f(...) OVER (PARTITION BY ... ORDER BY ... frame)`): drains the child,
/// sorts a row permutation once by (partition keys, order keys) with `sortPermutation`, finds
/// partition and peer boundaries in one pass and computes every function over the sorted
/// positions. Output = child columns ++ one column per function, in the child's row order,
/// in batches of up to 65536 rows. Memory: the child's rows (the columns the functions read by
/// row contiguous, the others in their batches), the permutation, two boundary flags per row and
/// the result columns; frames are computed in blocks of whole partitions.
public final class WindowOperator: PhysicalOperator, @unchecked Sendable {
    public let schema: Schema
    public let child: PhysicalOperator
    public let partitionBy: [Int]
    public let orderBy: [SortKey]
    public let functions: [WindowFunction]
    /// The child's columns the output carries (the parent reads them); nil = all. The others are
    /// released as soon as the window is done with them (a key once the sort has normalised it,
    /// an argument once every function is computed) and come out as NULL placeholders.
    public let emitted: [Int]?

    private var input: [Batch] = []
    private var results: [Column] = []
    /// The child's columns the functions read by row, contiguous (`readColumns`); the others are
    /// empty and stay in `input`'s batches.
    private var read: [Column] = []
    private var count = 0
    private var batchIndex = 0
    /// The first row of each input batch (set by `prepareOutput`).
    private var starts: [Int] = []
    private var done = false
    private var runError: Error?
    /// Output batches taken so far (`outputBatch`); the last one releases the results.
    private var taken = 0
    /// A window below this one whose sorted row order this one takes instead of sorting
    /// (`shareOrdering(with:)`; EXPLAIN shows `sorted=below`).
    private var orderingSource: WindowOperator? = nil
    /// True when a window above takes this one's order: it is kept after the run (`kept`).
    private var keepsOrdering = false
    private var kept: SortedOrder? = nil
    /// Guards the run and the release of emitted batches (`WindowSource` takes batches from several
    /// threads).
    private let runLock = Mutex()
    private static let batchSize = 65536

    /// - Parameters:
    ///   - partitionBy: column indexes of the child.
    ///   - orderBy: the window's ORDER BY (column indexes of the child).
    ///   - functions: output columns appended after the child's; their names are `f0`, `f1`, ...
    ///     in `schema` (the planner renames).
    ///   - emitted: the child's columns the parent reads (nil = all); the others are NULL in the
    ///     output batches.
    public init(
        child: PhysicalOperator, partitionBy: [Int], orderBy: [SortKey], functions: [WindowFunction],
        emitted: [Int]? = nil
    ) {
        self.child = child
        self.partitionBy = partitionBy
        self.orderBy = orderBy
        self.functions = functions
        self.emitted = emitted
        let input = child.schema
        self.schema =
            input
            + functions.enumerated().map { i, f in
                Field("f\(i)", f.resultType(argumentType: f.argument.map { input[$0].type }))
            }
    }

    public func next() throws -> Batch? {
        try prepareOutput()
        guard batchIndex < input.count else {
            input = []
            results = []
            read = []
            return nil
        }
        let b = outputBatch(batchIndex)
        batchIndex += 1
        return b
    }

    /// Drains the child and computes every function, once (later calls return at once, or throw
    /// the first call's error). Safe to call from several threads.
    /// - Throws: the child's errors and the functions' (`KuaiError.execution`).
    public func prepareOutput() throws {
        try runLock.withLock {
            if !done {
                do { try run() } catch { runError = error }
                done = true
                var at = 0
                starts = input.map { b in
                    defer { at += b.count }
                    return at
                }
            }
            if let runError { throw runError }
        }
    }

    /// The number of output batches (one per input batch); valid after `prepareOutput`.
    public var outputBatchCount: Int { runLock.withLock { starts.count } }

    /// Output batch `i`: the child's batch `i` as it came, plus the matching slice of every result
    /// column. Each batch may be taken once (its input columns are released), from any thread,
    /// after `prepareOutput`. Taking the last one releases the result and contiguous columns, so
    /// that they are not held twice while the operator above holds the slices.
    public func outputBatch(_ i: Int) -> Batch {
        let (b, start, results, read) = runLock.withLock { () -> (Batch, Int, [Column], [Column]) in
            let b = input[i]
            input[i] = Batch(columns: [], count: 0)  // release it once emitted
            let taking = (b, starts[i], self.results, self.read)
            taken += 1
            if taken == starts.count {
                self.results = []
                self.read = []
            }
            return taking
        }
        let range = start..<start + b.count
        let whole = range.count == count
        let own = b.columns.indices.map { c in
            if !emits(c) { return Column.nulls(child.schema[c].type, count: b.count) }
            return read[c].count == count ? (whole ? read[c] : read[c].slice(range)) : b.columns[c]
        }
        let tail = results.map { whole ? $0 : $0.slice(range) }
        return Batch(columns: own + tail, count: b.count)
    }

    /// A sorted row order: the permutation and its partition (and peer) start marks.
    struct SortedOrder {
        let perm: [Int32]
        let partStart: [UInt8]
        let peerStart: [UInt8]?
    }

    /// Lets the window `above` skip its sort: it takes this window's sorted row order once this one
    /// has run. For a window whose input is this window's output row for row (projections of
    /// plain columns between them) and whose PARTITION BY and ORDER BY are this window's keys
    /// (`PhysicalPlanner.planWindow` checks both): the sort would find the same order.
    public func shareOrdering(with above: WindowOperator) {
        keepsOrdering = true
        above.orderingSource = self
    }

    /// This window's sorted order over `n` rows, once (nil when it was not kept or is for another
    /// row count).
    private func takeOrdering(count n: Int) -> SortedOrder? {
        runLock.withLock {
            defer { kept = nil }
            guard let k = kept, k.perm.count == n else { return nil }
            return k
        }
    }

    private func run() throws {
        while let b = try child.next() {
            try MemoryGuard.check()
            if b.count > 0 { input.append(b) }
        }
        let n = input.reduce(0) { $0 + $1.count }
        count = n
        if n == 0 { return }
        let keys = partitionBy.map { SortKey(column: $0) } + orderBy
        let needsPeers = functions.contains { f in
            switch f.kind {
            case .rank, .denseRank, .percentRank, .cumeDist: return true
            case .rowNumber, .lag, .lead, .ntile: return false
            default:
                let frame = f.effectiveFrame(ordered: !orderBy.isEmpty)
                return frame.mode != .rows || frame.exclusion == .group || frame.exclusion == .ties
            }
        }
        releaseUnused(keys: [])
        let cols = try readColumns()
        var perm: [Int32]
        var partStart: [UInt8]? = nil
        var peerStart: [UInt8]? = nil
        if keys.isEmpty {
            perm = (0..<n).map { Int32($0) }
        } else if let shared = orderingSource?.takeOrdering(count: n) {
            perm = shared.perm
            partStart = shared.partStart
            peerStart = needsPeers ? shared.peerStart : nil
            // the peer marks, when the window below had none, come from the ORDER BY columns
            if !needsPeers || peerStart != nil { releaseUnused(keys: keys) }
        } else {
            var keyChunks = keys.map { k in chunks(k.column) }
            // marks past a key sorted by its string prefix come from the key columns: keep them
            if !keyChunks.contains(where: sortsByStringPrefix) { releaseUnused(keys: keys) }
            // peer marks only when a function reads them (a later sort word costs a gather per row)
            let sorted = try sortRows(
                consuming: &keyChunks, count: n, keys: keys,
                markPrefixes: needsPeers ? [partitionBy.count, keys.count] : [partitionBy.count])
            perm = sorted.perm
            partStart = sorted.marks[0]
            peerStart = needsPeers ? sorted.marks[1] : nil
        }
        // Boundaries in sorted positions: partStart[i] = 1 when a partition starts at i,
        // peerStart[i] = 1 when a peer group (same partition and order keys) starts at i.
        if partStart == nil {
            var m = [UInt8](repeating: 0, count: n)
            perm.withUnsafeBufferPointer { p in
                m.withUnsafeMutableBufferPointer { mb in
                    mb[0] = 1
                    for k in partitionBy { markChanges(contiguous(k), perm: p, marks: mb) }
                }
            }
            partStart = m
        }
        if peerStart == nil && needsPeers {
            var m = partStart!
            perm.withUnsafeBufferPointer { p in
                m.withUnsafeMutableBufferPointer { mb in
                    for k in orderBy { markChanges(contiguous(k.column), perm: p, marks: mb) }
                }
            }
            peerStart = m
        }
        if keepsOrdering { kept = SortedOrder(perm: perm, partStart: partStart!, peerStart: peerStart) }
        let partitions = WindowPartitions(
            columns: cols, count: n, perm: perm, partStart: partStart!, peerStart: peerStart ?? partStart!,
            orderBy: orderBy)
        results = try functions.map { try partitions.compute($0) }
        for c in read.indices where !emits(c) { read[c] = released(c) }
    }

    /// The empty column left where child column `c` was released (moved to `read`, or dropped).
    private func released(_ c: Int) -> Column { Column.nulls(child.schema[c].type, count: 0) }

    /// True when the output carries child column `c`.
    private func emits(_ c: Int) -> Bool { emitted?.contains(c) ?? true }

    /// Empties, in the input batches, the columns the output does not carry and nothing else reads:
    /// with `keys` empty, the columns that are no key or argument; else also the sort keys (the
    /// caller holds their chunks, which the sort consumes). Hands the freed memory back.
    private func releaseUnused(keys: [SortKey]) {
        guard emitted != nil else { return }
        var needed = functions.flatMap(\.inputColumns)
        if keys.isEmpty { needed += partitionBy + orderBy.map(\.column) }
        let dead = child.schema.indices.filter { !emits($0) && !needed.contains($0) }
        if dead.isEmpty { return }
        for i in input.indices {
            for c in dead { input[i].columns[c] = released(c) }
        }
        if count >= 1 << 20 { MemoryGuard.returnFreedMemory() }
    }

    /// Moves the columns the functions read by row (arguments, the ORDER BY key of a RANGE frame
    /// with offsets) out of the input batches into contiguous columns (`read`), so that no column
    /// is held twice; the other columns stay in their batches (the sort reads its keys there).
    private func readColumns() throws -> [Column] {
        var used = [Bool](repeating: false, count: child.schema.count)
        for f in functions {
            for a in f.inputColumns { used[a] = true }
            let frame = f.effectiveFrame(ordered: !orderBy.isEmpty)
            if frame.hasRangeOffset, let k = orderBy.first { used[k.column] = true }
        }
        let reads = used.indices.filter { used[$0] }
        read = child.schema.map { Column.nulls($0.type, count: 0) }
        if input.count == 1 {
            for c in reads { read[c] = input[0].columns[c] }
            return read
        }
        var collector = BatchCollector(schema: reads.map { child.schema[$0] })
        for i in input.indices {
            collector.append(Batch(columns: reads.map { input[i].columns[$0] }, count: input[i].count))
            for c in reads { input[i].columns[c] = released(c) }
        }
        try MemoryGuard.admit(collector.largestConcatenationBytes)
        for (c, col) in zip(reads, collector.take()) { read[c] = col }
        return read
    }

    /// Column `c` of the input as chunks: the contiguous column when the functions read it, else
    /// the batches' chunks.
    private func chunks(_ c: Int) -> [Column] {
        read[c].count == count ? [read[c]] : input.map { $0.columns[c] }
    }

    /// Column `c` of the input in one piece (a copy when it is still in chunks).
    private func contiguous(_ c: Int) -> Column {
        let parts = chunks(c)
        if parts.count == 1 { return parts[0] }
        var b = ColumnBuilder(type: child.schema[c].type)
        for part in parts { b.append(part) }
        return b.take()
    }

    public var explainLine: String {
        let p = partitionBy.map { "#\($0)" }.joined(separator: ", ")
        let o = orderBy.map(\.description).joined(separator: ", ")
        let shared = orderingSource == nil ? "" : " sorted=below"
        return "Window partition=[\(p)] order=[\(o)]\(shared) functions=["
            + functions.map(\.description).joined(separator: ", ") + "]"
    }
    public var children: [PhysicalOperator] { [child] }
}

/// A window's output as morsels (one per input batch), so that the operators above it (a
/// projection, a filter, an aggregate over the ranked rows) run on every thread: the window is
/// computed once by `prepare` (its sort uses every thread itself), then each morsel is an input
/// batch with its slice of the results, as `WindowOperator.next` gives them in order.
public final class WindowSource: MorselSource, @unchecked Sendable {
    public let window: WindowOperator

    public init(_ window: WindowOperator) { self.window = window }

    public var schema: Schema { window.schema }

    /// The batch count; 1 when computing the window failed (that morsel throws the error: a count
    /// of 0 would read as no rows).
    public var morselCount: Int { (try? window.prepareOutput()) == nil ? 1 : window.outputBatchCount }

    public func prepare() throws { try window.prepareOutput() }

    public func morsel(_ i: Int) throws -> Batch? {
        try window.prepareOutput()
        return window.outputBatch(i)
    }

    public var explainLine: String { window.explainLine }
    /// The window's input is the node's input in the physical plan; nothing here.
    public var explainChildren: [String] { [] }
}
