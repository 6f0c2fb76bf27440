#if canImport(Glibc)
    import Glibc
#endif

/// The t-digest of DuckDB's `approx_quantile` (third_party/tdigest/t_digest.hpp, after Ted Dunning's
/// merging digest, compression 100), step for step so that the same values added in the same order
/// give the same quantiles: values are buffered unsorted (up to 800), then sorted and merged with
/// the centroids so far into at most 200 centroids whose sizes follow the arcsine scale function.
struct TDigest {
    struct Centroid {
        var mean: Double
        var weight: Double
        mutating func add(_ c: Centroid) {
            if weight != 0 {
                weight += c.weight
                mean += c.weight * (c.mean - mean) / weight
            } else {
                weight = c.weight
                mean = c.mean
            }
        }
    }

    let compression: Double
    let maxProcessed: Int
    let maxUnprocessed: Int
    var processed: [Centroid] = []
    var unprocessed: [Centroid] = []
    var cumulative: [Double] = []
    var processedWeight = 0.0
    var unprocessedWeight = 0.0
    var minValue = Double.greatestFiniteMagnitude
    /// As the C++ code: `numeric_limits<double>::min()`, the smallest positive double (not the
    /// most negative).
    var maxValue = Double.leastNormalMagnitude
    /// Values added (DuckDB's state.pos).
    var count = 0

    init(compression: Double = 100) {
        self.compression = compression
        maxProcessed = Int(2 * compression.rounded(.up))
        maxUnprocessed = Int(8 * compression.rounded(.up))
        processed.reserveCapacity(maxProcessed)
        unprocessed.reserveCapacity(maxUnprocessed + 1)
    }

    mutating func add(_ x: Double) {
        if x.isNaN { return }
        unprocessed.append(Centroid(mean: x, weight: 1))
        unprocessedWeight += 1
        count += 1
        if processed.count > maxProcessed || unprocessed.count > maxUnprocessed { process() }
    }

    /// Adds another digest's centroids (DuckDB's merge of one digest: processed centroids merged in
    /// order, unprocessed appended, then processed when over the limits).
    mutating func merge(_ other: TDigest) {
        if other.count == 0 { return }
        if count == 0 {
            self = other
            return
        }
        if !other.processed.isEmpty {
            processedWeight += other.processedWeight
            processed = TDigest.mergeSorted(other.processed, processed)
            minValue = min(minValue, processed[0].mean)
            maxValue = max(maxValue, processed[processed.count - 1].mean)
        }
        unprocessed.append(contentsOf: other.unprocessed)
        unprocessedWeight += other.unprocessedWeight
        count += other.count
        if processed.count > maxProcessed || unprocessed.count > maxUnprocessed { process() }
        updateCumulative()
    }

    /// Two lists sorted by mean merged (ties: `a` first).
    static func mergeSorted(_ a: [Centroid], _ b: [Centroid]) -> [Centroid] {
        var out: [Centroid] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j >= b.count || (i < a.count && !(b[j].mean < a[i].mean)) {
                out.append(a[i])
                i += 1
            } else {
                out.append(b[j])
                j += 1
            }
        }
        return out
    }

    func integratedLocation(_ q: Double) -> Double {
        compression * (asin(2.0 * q - 1.0) + Double.pi / 2) / Double.pi
    }

    func integratedQ(_ k: Double) -> Double {
        (sin(min(k, compression) * Double.pi / compression - Double.pi / 2) + 1) / 2
    }

    mutating func process() {
        // stable sort of the new values (Swift's sort is stable), then a stable merge with the centroids
        // (new values first on ties)
        unprocessed.sort { $0.mean < $1.mean }
        let all = TDigest.mergeSorted(unprocessed, processed)
        processedWeight += unprocessedWeight
        unprocessedWeight = 0
        processed.removeAll(keepingCapacity: true)
        processed.append(all[0])
        var wSoFar = all[0].weight
        var wLimit = processedWeight * integratedQ(1.0)
        for c in all.dropFirst() {
            let projected = wSoFar + c.weight
            if projected <= wLimit {
                wSoFar = projected
                processed[processed.count - 1].add(c)
            } else {
                let k1 = integratedLocation(wSoFar / processedWeight)
                wLimit = processedWeight * integratedQ(k1 + 1.0)
                wSoFar += c.weight
                processed.append(c)
            }
        }
        unprocessed.removeAll(keepingCapacity: true)
        minValue = min(minValue, processed[0].mean)
        maxValue = max(maxValue, processed[processed.count - 1].mean)
        updateCumulative()
    }

    mutating func updateCumulative() {
        cumulative.removeAll(keepingCapacity: true)
        var previous = 0.0
        for c in processed {
            cumulative.append(previous + c.weight / 2.0)
            previous += c.weight
        }
        cumulative.append(previous)
    }

    /// `(x1 * w1 + x2 * w2) / (w1 + w2)` kept between x1 and x2, with the sum of products fused as
    /// DuckDB's build computes it (`fma(x1, w1, x2 * w2)`, x1 the smaller value): the last bit of a
    /// quantile depends on it (checked: approx_quantile(watch_live_time / 1000, 0.25) of the mini
    /// sample, 5.782295630725864 fused, ...863 unfused).
    static func weightedAverage(_ x1: Double, _ w1: Double, _ x2: Double, _ w2: Double) -> Double {
        if x1 <= x2 {
            return max(x1, min((x2 * w2).addingProduct(x1, w1) / (w1 + w2), x2))
        }
        return max(x2, min((x1 * w1).addingProduct(x2, w2) / (w2 + w1), x1))
    }

    /// The `q` quantile (after folding in the buffered values); NaN when empty or q is outside [0, 1].
    mutating func quantile(_ q: Double) -> Double {
        if !unprocessed.isEmpty || processed.count > maxProcessed { process() }
        if q < 0 || q > 1 || processed.isEmpty { return .nan }
        if processed.count == 1 { return processed[0].mean }
        let n = processed.count
        let index = q * processedWeight
        if index <= processed[0].weight / 2.0 {
            return minValue.addingProduct(2.0 * index / processed[0].weight, processed[0].mean - minValue)
        }
        // lower_bound: the first cumulative weight >= index
        var lo = 0
        var hi = cumulative.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < index { lo = mid + 1 } else { hi = mid }
        }
        if lo + 1 != cumulative.count {
            let z1 = index - cumulative[lo - 1]
            let z2 = cumulative[lo] - index
            return TDigest.weightedAverage(processed[lo - 1].mean, z2, processed[lo].mean, z1)
        }
        let z1 = index - processedWeight - processed[n - 1].weight / 2.0
        let z2 = processed[n - 1].weight / 2 - z1
        return TDigest.weightedAverage(processed[n - 1].mean, z1, maxValue, z2)
    }
}
