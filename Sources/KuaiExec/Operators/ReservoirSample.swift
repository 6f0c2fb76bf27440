import KuaiCore

/// A uniform sample of at most `capacity` rows of a stream (Efraimidis-Spirakis: each row draws a
/// random 64-bit key, the rows of the `capacity` smallest keys win). Candidate rows are gathered
/// into batches as they arrive; once there are twice `capacity` of them, the smallest `capacity`
/// are kept and their largest key becomes the bar a later row must pass, so few rows are copied.
/// Rows stay in arrival order.
struct KeyedReservoir {
    let capacity: Int
    /// The candidate rows, in arrival order.
    private(set) var held: [Batch] = []
    /// The key of each candidate row (the rows of `held`, concatenated).
    private var keys: [UInt64] = []
    /// A row whose key is not below this cannot be among the winners.
    private var bar = UInt64.max
    private var selection: [Int32] = []

    init(capacity: Int) { self.capacity = max(0, capacity) }

    /// Offers every row of `batch` (keys drawn from `random`).
    mutating func add(_ batch: Batch, _ random: inout SampleRandom) {
        if capacity == 0 || batch.count == 0 { return }
        selection.removeAll(keepingCapacity: true)
        for r in 0..<batch.count {
            let key = random.next()
            if key < bar {
                selection.append(Int32(r))
                keys.append(key)
            }
        }
        if selection.isEmpty { return }
        held.append(selection.count == batch.count ? batch : selection.withUnsafeBufferPointer { batch.gather($0) })
        if keys.count >= 2 * capacity { shrink(to: capacity) }
    }

    /// Keeps the `k` candidates of smallest keys (a uniform sample of a uniform sample), in order.
    mutating func shrink(to k: Int) {
        if keys.count <= k { return }
        if k <= 0 {
            (held, keys, bar) = ([], [], 0)
            return
        }
        var scratch = keys
        let kth = Self.kthSmallest(&scratch, k - 1)
        var below = 0
        for key in keys where key < kth { below += 1 }
        var ties = k - below  // keys equal to kth that may stay
        var kept: [Batch] = []
        var keptKeys: [UInt64] = []
        keptKeys.reserveCapacity(k)
        var offset = 0
        for b in held {
            selection.removeAll(keepingCapacity: true)
            for r in 0..<b.count {
                let key = keys[offset + r]
                if key < kth || (key == kth && ties > 0) {
                    if key == kth { ties -= 1 }
                    selection.append(Int32(r))
                    keptKeys.append(key)
                }
            }
            offset += b.count
            if selection.isEmpty { continue }
            kept.append(selection.count == b.count ? b : selection.withUnsafeBufferPointer { b.gather($0) })
        }
        (held, keys, bar) = (kept, keptKeys, kth)
    }

    /// The value of rank `rank` (0-based) of `values` in ascending order, reordering `values`
    /// (Hoare's selection, expected linear time: the keys are random, so the middle element is a
    /// fair pivot).
    static func kthSmallest(_ values: inout [UInt64], _ rank: Int) -> UInt64 {
        values.withUnsafeMutableBufferPointer { v in
            var (lo, hi) = (0, v.count - 1)
            while lo < hi {
                let pivot = v[lo + (hi - lo) / 2]
                var (i, j) = (lo, hi)
                while i <= j {
                    while v[i] < pivot { i += 1 }
                    while v[j] > pivot { j -= 1 }
                    if i <= j {
                        v.swapAt(i, j)
                        (i, j) = (i + 1, j - 1)
                    }
                }
                // [lo, j] <= pivot <= [i, hi]; between them, values equal to the pivot
                if rank <= j {
                    hi = j
                } else if rank >= i {
                    lo = i
                } else {
                    return v[rank]
                }
            }
            return v[rank]
        }
    }
}

/// DuckDB's reservoir sample over a pulled stream: a row count keeps exactly `min(count, rows)`
/// uniformly chosen rows; a percentage keeps, of every segment of 100,000 rows (in stream order),
/// `trunc(p * 100000)` rows, and of the last partial segment of `c` rows `round(p * c)` when `c`
/// exceeds `p * 100000` or no full segment came before (else all `c`), as DuckDB's
/// `ReservoirSamplePercentage`. Batch i of the child draws from the random stream (seed, i), so a
/// REPEATABLE seed picks the same rows (the child's order is its morsels' order). The output keeps
/// the input's order. The child's pipeline runs on every thread; the sampling itself is cheap next
/// to it (one random draw and one compare per row).
public final class ReservoirSampleOperator: PhysicalOperator {
    public let child: PhysicalOperator
    public let spec: SampleSpec
    private var output: [Batch]? = nil
    private var emitted = 0

    /// DuckDB's `RESERVOIR_THRESHOLD`: the segment of a percentage reservoir sample.
    public static let segmentRows = 100_000

    /// - Precondition: `spec.method` is `.reservoir`.
    public init(child: PhysicalOperator, spec: SampleSpec) {
        precondition(spec.method == .reservoir, "bernoulli and system samples are SampleSource/SampleFilterOperator")
        self.child = child
        self.spec = spec
    }
    public var schema: Schema { child.schema }

    public func next() throws -> Batch? {
        if output == nil { output = try spec.isPercentage ? samplePercentage() : sampleRows() }
        guard let output, emitted < output.count else { return nil }
        emitted += 1
        return output[emitted - 1]
    }

    private func sampleRows() throws -> [Batch] {
        var reservoir = KeyedReservoir(capacity: Int(spec.size))
        var stream: UInt64 = 0
        while let b = try child.next() {
            guard b.count > 0 else { continue }
            var random = SampleRandom(seed: spec.seed, stream: stream)
            stream += 1
            reservoir.add(b, &random)
            try MemoryGuard.check()
        }
        reservoir.shrink(to: reservoir.capacity)
        return reservoir.held
    }

    private func samplePercentage() throws -> [Batch] {
        let fraction = spec.size / 100
        let segment = Self.segmentRows
        let perSegment = Int(fraction * Double(segment))
        var finished: [Batch] = []
        var anyFinished = false
        var current = KeyedReservoir(capacity: perSegment)
        var currentRows = 0
        var stream: UInt64 = 0
        while let b = try child.next() {
            guard b.count > 0 else { continue }
            var random = SampleRandom(seed: spec.seed, stream: stream)
            stream += 1
            var start = 0
            while start < b.count {
                if currentRows == segment {
                    current.shrink(to: perSegment)
                    finished += current.held
                    anyFinished = true
                    (current, currentRows) = (KeyedReservoir(capacity: perSegment), 0)
                }
                let take = min(b.count - start, segment - currentRows)
                current.add(b.slice(start..<start + take), &random)
                (start, currentRows) = (start + take, currentRows + take)
            }
            try MemoryGuard.check()
        }
        current.shrink(to: Self.lastSegmentCount(rows: currentRows, fraction: fraction, afterFullSegment: anyFinished))
        return finished + current.held
    }

    /// The rows DuckDB keeps of the last segment of a percentage reservoir sample (`rows` rows,
    /// `fraction` = percentage / 100): `round(fraction * rows)` (half away from zero), at most the
    /// segment's reservoir size, when the segment has more rows than `fraction * 100000` or is the
    /// only one; else all its rows.
    static func lastSegmentCount(rows: Int, fraction: Double, afterFullSegment: Bool) -> Int {
        let perSegment = Int(fraction * Double(segmentRows))
        guard Double(rows) > fraction * Double(segmentRows) || !afterFullSegment else { return min(rows, perSegment) }
        return min(Int((fraction * Double(rows)).rounded()), perSegment, rows)
    }

    /// How many rows a percentage reservoir sample of `rows` input rows keeps (DuckDB's rule, see
    /// the type's comment).
    public static func percentageCount(rows: Int, percentage: Double) -> Int {
        let fraction = percentage / 100
        let perSegment = Int(fraction * Double(segmentRows))
        // a segment becomes full once a row after it arrives
        let full = rows > 0 ? (rows - 1) / segmentRows : 0
        let last = rows - full * segmentRows
        return full * perSegment + lastSegmentCount(rows: last, fraction: fraction, afterFullSegment: full > 0)
    }

    public var explainLine: String { "Sample \(spec)" }
    public var children: [PhysicalOperator] { [child] }
}
