import KuaiCore

/// The rows that may still be among the best `keep` rows of a top-N (ORDER BY ... LIMIT): rows
/// are collected until `threshold` (max(4 * keep, 1024)), then sorted and compacted to the best
/// `keep`; once `keep` rows are kept, the first key of the last of them bounds what may enter
/// (`TopNBound`), and the last of them on every key bounds what may be collected (`TopNRowBound`),
/// so that rows which tie with it on the first keys and lose on a later one are dropped before any
/// sort. A large batch is taken a slice of `threshold` rows at a time, so that a bound set by its
/// first slice filters the rest. Memory: at most `threshold` + one slice of rows.
struct TopNBuffer {
    let keys: [SortKey]
    let keep: Int
    let threshold: Int
    private var collector: BatchCollector
    private var bound: TopNBound?
    private var rowBound: TopNRowBound?
    /// Where the buffer publishes each new bound for the scan below (nil: nowhere).
    var shared: TopNFilter?

    /// - Parameters:
    ///   - schema: the rows' columns.
    ///   - keys: the sort keys (column indexes of `schema`).
    ///   - keep: rows to keep (limit + offset; at least 1).
    init(schema: Schema, keys: [SortKey], keep: Int) {
        self.keys = keys
        self.keep = keep
        threshold = keep > (Int.max / 8) ? Int.max : max(4 * keep, 1024)
        collector = BatchCollector(schema: schema)
    }

    /// Rows collected so far (at most `threshold` + a slice).
    var count: Int { collector.count }

    /// Takes the rows of `whole` that may still enter the result.
    /// - Throws: what `sortPermutation` throws.
    mutating func add(_ whole: Batch) throws {
        var whole = whole
        // A batch much larger than `keep` bounds itself: its `keep`-th best first key (a selection,
        // not a sort) is a bound for every later row too, so most of the batch is dropped before
        // any sort even when the rows arrive in the worst order (ascending for a DESC key).
        if keep <= whole.count / 4,
            let local = TopNBound(best: keep, of: whole.columns[keys[0].column], count: whole.count, key: keys[0])
        {
            if bound == nil || local.isTighter(than: bound!) {
                bound = local
                shared?.publish(local)
            }
        }
        if let bound, whole.count >= threshold {
            guard let filtered = bound.filter(whole) else { return }
            whole = filtered
        }
        for start in stride(from: 0, to: whole.count, by: threshold) {
            let end = min(whole.count, start + threshold)
            var b =
                end - start == whole.count
                ? whole : Batch(columns: whole.columns.map { $0.slice(start..<end) }, count: end - start)
            if let bound {
                guard let filtered = bound.filter(b) else { continue }
                b = filtered
            }
            if let rowBound {
                guard let filtered = rowBound.filter(b) else { continue }
                b = filtered
            }
            collector.append(b)
            if collector.count >= threshold { try compact() }
        }
    }

    /// Sorts the collected rows and keeps the best `keep` (stable: ties keep arrival order).
    private mutating func compact() throws {
        let n = collector.count
        let cols = collector.take()
        let p = try sortPermutation(cols, count: n, keys: keys)
        let kept = gatherBatch(cols, perm: p, range: 0..<min(keep, n))
        collector.append(kept)
        if kept.count == keep {
            rowBound = TopNRowBound(kept, keys: keys)
            bound = TopNBound(kept, key: keys[0])
            if let bound { shared?.publish(bound) }
        }
    }

    /// The collected rows (unsorted; a superset of the best `keep`), leaving the buffer empty.
    mutating func take() -> [Column] { collector.take() }
}
