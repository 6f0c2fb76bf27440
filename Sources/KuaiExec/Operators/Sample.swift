import KuaiCore

/// A sample as the executor runs it (`USING SAMPLE` / `TABLESAMPLE`, DuckDB semantics:
/// https://duckdb.org/docs/sql/samples). Which rows are picked differs from DuckDB's (another
/// random engine); how many follows DuckDB's rules for each method.
public struct SampleSpec: Sendable, CustomStringConvertible {
    public enum Method: String, Sendable {
        /// Each row with probability `size / 100`.
        case bernoulli
        /// Each vector of `SampleSpec.vectorSize` rows (of each batch) with probability `size / 100`.
        case system
        /// A row count: exactly `min(size, rows)` rows; a percentage: DuckDB's segmented count
        /// (`ReservoirSampler.percentageCount`).
        case reservoir
    }
    public var method: Method
    /// A percentage in 0...100 when `isPercentage`, else a whole row count.
    public var size: Double
    public var isPercentage: Bool
    /// The seed of the random sequence (the query's REPEATABLE seed, or a random one).
    public var seed: UInt64
    /// True when the query gave the seed (EXPLAIN shows it).
    public var repeatable: Bool

    /// DuckDB's vector size: the unit of `system` sampling.
    public static let vectorSize = 2048

    public init(method: Method, size: Double, isPercentage: Bool, seed: UInt64?) {
        (self.method, self.size, self.isPercentage) = (method, size, isPercentage)
        self.seed = seed ?? UInt64.random(in: .min ... .max)
        self.repeatable = seed != nil
    }

    /// `reservoir 50 rows`, `bernoulli 10.0% seed=42`.
    public var description: String {
        method.rawValue + " " + (isPercentage ? "\(size)%" : "\(Int64(size)) rows")
            + (repeatable ? " seed=\(seed)" : "")
    }

    /// The probability of keeping a row (bernoulli) or a vector (system) as a threshold on a
    /// uniform 64-bit draw: keep when `draw < threshold`; nil keeps everything (100%).
    var keepThreshold: UInt64? {
        let p = size / 100
        if p >= 1 { return nil }
        if p <= 0 { return 0 }
        return UInt64(p * 0x1p64)
    }
}

/// SplitMix64: a small, fast pseudo-random sequence; one per (seed, stream), so that a morsel or a
/// batch draws the same numbers whatever thread runs it.
struct SampleRandom {
    private var state: UInt64

    init(seed: UInt64, stream: UInt64) {
        state = seed
        state = next() ^ (stream &* 0xD1B5_4A32_D192_ED03)
    }

    @inline(__always) mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Bernoulli and system sampling of one batch: stateless but for the random stream, so it runs per
/// morsel on any thread (`SampleSource`) or per pulled batch (`SampleFilterOperator`).
enum BatchSampler {
    /// The rows of `batch` that `spec` keeps, drawing from `random`; nil when none.
    static func apply(_ spec: SampleSpec, _ batch: Batch, _ random: inout SampleRandom) -> Batch? {
        guard let threshold = spec.keepThreshold else { return batch }
        if threshold == 0 { return nil }
        var selection: [Int32] = []
        if spec.method == .system {
            var start = 0
            while start < batch.count {
                let end = min(start + SampleSpec.vectorSize, batch.count)
                if random.next() < threshold {
                    if start == 0 && end == batch.count { return batch }
                    selection.reserveCapacity(selection.count + end - start)
                    for r in start..<end { selection.append(Int32(r)) }
                }
                start = end
            }
        } else {
            selection.reserveCapacity(Int(Double(batch.count) * spec.size / 100 * 1.2) + 16)
            for r in 0..<batch.count where random.next() < threshold { selection.append(Int32(r)) }
        }
        if selection.isEmpty { return nil }
        if selection.count == batch.count { return batch }
        return selection.withUnsafeBufferPointer { batch.gather($0) }
    }
}

/// Bernoulli or system sampling over a morsel source: morsel i is the sample of the child's
/// morsel i, drawn from the random stream (seed, i), so both cores sample and a REPEATABLE seed
/// picks the same rows on any number of threads.
public final class SampleSource: MorselSource, @unchecked Sendable {
    public let child: MorselSource
    public let spec: SampleSpec

    /// - Precondition: `spec.method` is `.bernoulli` or `.system` (a reservoir needs every row:
    ///   `ReservoirSampleOperator`).
    public init(child: MorselSource, spec: SampleSpec) {
        precondition(spec.method != .reservoir, "a reservoir sample is a ReservoirSampleOperator")
        self.child = child
        self.spec = spec
    }
    public var schema: Schema { child.schema }
    public var morselCount: Int { child.morselCount }
    public var rowBound: Int? { child.rowBound }
    public func prepare() throws { try child.prepare() }
    public func morsel(_ i: Int) throws -> Batch? {
        guard let b = try child.morsel(i), b.count > 0 else { return nil }
        var random = SampleRandom(seed: spec.seed, stream: UInt64(i))
        return BatchSampler.apply(spec, b, &random)
    }
    public var explainLine: String { "Sample \(spec)" }
    public var explainChildren: [String] { [child.explainLine] + child.explainChildren.map { "  " + $0 } }
}

/// Bernoulli or system sampling over a pull operator: batch i (in the child's order) is sampled
/// from the random stream (seed, i).
public final class SampleFilterOperator: PhysicalOperator {
    public let child: PhysicalOperator
    public let spec: SampleSpec
    private var batchIndex: UInt64 = 0

    /// - Precondition: `spec.method` is `.bernoulli` or `.system`.
    public init(child: PhysicalOperator, spec: SampleSpec) {
        precondition(spec.method != .reservoir, "a reservoir sample is a ReservoirSampleOperator")
        self.child = child
        self.spec = spec
    }
    public var schema: Schema { child.schema }
    public func next() throws -> Batch? {
        while let b = try child.next() {
            guard b.count > 0 else { continue }
            var random = SampleRandom(seed: spec.seed, stream: batchIndex)
            batchIndex += 1
            if let out = BatchSampler.apply(spec, b, &random), out.count > 0 { return out }
        }
        return nil
    }
    public var explainLine: String { "Sample \(spec)" }
    public var children: [PhysicalOperator] { [child] }
}
