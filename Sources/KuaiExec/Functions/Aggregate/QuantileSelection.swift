import Dispatch
import KuaiCore

/// The values of a holistic aggregate (quantile_cont, quantile_disc, median) as (group id,
/// order-preserving word) pairs, appended batch by batch: integers as `Int64 ^ sign bit`, DOUBLE
/// as `orderedDouble` (DuckDB's order: -inf < ... < -0.0 = 0.0 < ... < +inf < NaN), so that
/// unsigned order of the words is the SQL order of the values. NULLs are never stored.
///
/// The pairs are kept in chunks (4K pairs first, each next chunk twice the last, up to 4M), so
/// that appending never copies what is stored and a merge moves chunks instead of values.
/// Memory: 12 bytes per stored value, plus less than one batch of slack per chunk.
struct GroupedOrderedWords {
    private var groupChunks: [[Int32]] = []
    private var wordChunks: [[UInt64]] = []
    private(set) var count = 0

    static let firstChunk = 1 << 12
    static let largestChunk = 1 << 22

    /// Appends the valid rows of `input` (integer-stored or DOUBLE) with their group ids.
    mutating func append(_ input: Column, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        let valid = input.validity
        var m = n
        if let valid { m = valid.withUnsafeBufferPointer { v in (0..<n).reduce(0) { $0 + Int(v[$1] != 0 ? 1 : 0) } } }
        if m == 0 { return }
        let c = chunk(withRoomFor: m)
        let start = wordChunks[c].count
        groupChunks[c].append(contentsOf: repeatElement(0, count: m))
        wordChunks[c].append(contentsOf: repeatElement(0, count: m))
        count += m
        groupChunks[c].withUnsafeMutableBufferPointer { gs in
            wordChunks[c].withUnsafeMutableBufferPointer { ws in
                let g = UnsafeMutableBufferPointer(rebasing: gs[start...])
                let w = UnsafeMutableBufferPointer(rebasing: ws[start...])
                if input.type == .double {
                    input.doubles.withUnsafeBufferPointer { xs in
                        Self.fill(g, w, ids, n, valid, xs) { orderedDouble($0[$1]) }
                    }
                } else {
                    input.ints.withUnsafeBufferPointer { xs in
                        Self.fill(g, w, ids, n, valid, xs) { UInt64(bitPattern: $0[$1]) ^ (1 << 63) }
                    }
                }
            }
        }
    }

    /// The index of a chunk that can take `m` more pairs without growing: the last one, or a new
    /// one of the next size (at least `m`).
    private mutating func chunk(withRoomFor m: Int) -> Int {
        if let last = wordChunks.last, last.capacity - last.count >= m { return wordChunks.count - 1 }
        let size = max(m, wordChunks.last.map { min(Self.largestChunk, 2 * $0.capacity) } ?? Self.firstChunk)
        var g: [Int32] = []
        var w: [UInt64] = []
        g.reserveCapacity(size)
        w.reserveCapacity(size)
        groupChunks.append(g)
        wordChunks.append(w)
        return wordChunks.count - 1
    }

    /// Writes the group id and word of each valid row of the first `n` rows, in row order.
    @inline(__always)
    private static func fill<T>(
        _ g: UnsafeMutableBufferPointer<Int32>, _ w: UnsafeMutableBufferPointer<UInt64>,
        _ ids: UnsafeBufferPointer<Int32>, _ n: Int, _ valid: [UInt8]?, _ xs: UnsafeBufferPointer<T>,
        _ word: (UnsafeBufferPointer<T>, Int) -> UInt64
    ) {
        guard let valid else {
            for i in 0..<n {
                g[i] = ids[i]
                w[i] = word(xs, i)
            }
            return
        }
        valid.withUnsafeBufferPointer { v in
            var o = 0
            for i in 0..<n where v[i] != 0 {
                g[o] = ids[i]
                w[o] = word(xs, i)
                o += 1
            }
        }
    }

    /// Moves `other`'s pairs here, its group `g` becoming `mapping[g]`; `other` is left empty.
    mutating func merge(_ other: inout GroupedOrderedWords, mapping: UnsafeBufferPointer<Int32>) {
        if other.count == 0 { return }
        for c in other.groupChunks.indices {
            other.groupChunks[c].withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] = mapping[Int(g[i])] }
            }
        }
        // the chunks move; later appends fill the last one, then new ones
        groupChunks += other.groupChunks
        wordChunks += other.wordChunks
        count += other.count
        other = GroupedOrderedWords()
    }

    /// The words bucketed by group (a counting sort): group `g`'s words are
    /// `values[offsets[g] ..< offsets[g + 1]]`, in no particular order. Empties this store.
    /// - Returns: `offsets` (`groupCount + 1` entries) and `values` (`count` words, caller frees).
    mutating func bucketed(groupCount: Int) -> (offsets: [Int], values: UnsafeMutableBufferPointer<UInt64>) {
        let n = count
        let values = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(n, 1))
        var offsets = [Int](repeating: 0, count: groupCount + 1)
        if groupCount == 1 {
            // One group (no GROUP BY): the words as they are.
            var at = 0
            for chunk in wordChunks {
                _ = chunk.withUnsafeBufferPointer {
                    UnsafeMutableBufferPointer(rebasing: values[at...]).initialize(from: $0)
                }
                at += chunk.count
            }
            offsets[1] = n
        } else {
            offsets.withUnsafeMutableBufferPointer { off in
                for chunk in groupChunks {
                    chunk.withUnsafeBufferPointer { gs in
                        for g in gs { off[Int(g) + 1] += 1 }
                    }
                }
                for g in 0..<groupCount { off[g + 1] += off[g] }
                var next = Array(off.prefix(groupCount))
                next.withUnsafeMutableBufferPointer { nx in
                    for c in groupChunks.indices {
                        groupChunks[c].withUnsafeBufferPointer { gs in
                            wordChunks[c].withUnsafeBufferPointer { ws in
                                for i in 0..<gs.count {
                                    let g = Int(gs[i])
                                    values[nx[g]] = ws[i]
                                    nx[g] += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        self = GroupedOrderedWords()
        return (offsets, values)
    }
}

/// Selection of order statistics: the values a full sort would put at given positions, found
/// without sorting (DuckDB's quantiles use C++'s `std::nth_element` for the same answers).
enum OrderStatistic {
    /// The values a full ascending sort of `xs` would put at positions `ks`, without reordering
    /// `xs` (radix selection: one pass for the range of the values, one histogram of the 11
    /// highest bits in which they differ, then the same on the values of each bucket that holds a
    /// wanted position, copied out; small buckets are sorted). Work: about 3 reads of `xs` plus
    /// the wanted buckets, whatever the order of the values, for any number of positions.
    /// - Precondition: every k in `ks` is in `0 ..< xs.count`.
    static func values(_ xs: UnsafeBufferPointer<UInt64>, at ks: [Int]) -> [UInt64] {
        precondition(ks.allSatisfy { $0 >= 0 && $0 < xs.count }, "OrderStatistic.values: position out of range")
        if xs.count <= 64 {
            let sorted = xs.sorted()
            return ks.map { sorted[$0] }
        }
        var lo = UInt64.max
        var hi = UInt64.min
        for x in xs {
            lo = min(lo, x)
            hi = max(hi, x)
        }
        if lo == hi { return ks.map { _ in lo } }
        let shift = UInt64(max(0, 64 - (hi ^ lo).leadingZeroBitCount - radixBits))
        let base = lo >> shift
        var counts = [Int](repeating: 0, count: (1 << radixBits) + 1)
        counts.withUnsafeMutableBufferPointer { c in
            for x in xs { c[Int((x >> shift) &- base) + 1] += 1 }
            for b in 0..<(1 << radixBits) { c[b + 1] += c[b] }
        }
        // per wanted bucket (ascending), its values copied out, then the positions within them
        var result = [UInt64](repeating: 0, count: ks.count)
        var buckets = ks.map { k in counts.lastIndex { $0 <= k }! }.sorted()
        buckets = buckets.indices.filter { $0 == 0 || buckets[$0] != buckets[$0 - 1] }.map { buckets[$0] }
        for b in buckets {
            let size = counts[b + 1] - counts[b]
            let members = [UInt64](unsafeUninitializedCapacity: size) { m, initialized in
                var o = 0
                for x in xs where Int((x >> shift) &- base) == b {
                    m[o] = x
                    o += 1
                }
                initialized = o
            }
            let wanted = ks.indices.filter { ks[$0] >= counts[b] && ks[$0] < counts[b + 1] }
            let found = members.withUnsafeBufferPointer { values($0, at: wanted.map { ks[$0] - counts[b] }) }
            for (i, w) in wanted.enumerated() { result[w] = found[i] }
        }
        return result
    }
    /// Bits of the histogram of one `values(_:at:)` pass (2048 buckets).
    private static let radixBits = 11
}

/// Runs `body(range)` over `0..<groupCount` split into contiguous ranges of about equal row
/// counts (`offsets[g + 1] - offsets[g]` rows in group g), on every active processor when there
/// are enough rows (a group is never split).
func forEachGroupRange(offsets: [Int], groupCount: Int, _ body: (Range<Int>) -> Void) {
    let rows = offsets[groupCount]
    let workers = min(activeProcessorCount(), rows / 65_536 + 1, groupCount)
    if workers <= 1 {
        body(0..<groupCount)
        return
    }
    // Four ranges per worker so that one large group does not leave the others idle.
    let pieces = min(groupCount, 4 * workers)
    var starts = [0]
    var g = 0
    for p in 1..<pieces {
        let target = rows * p / pieces
        while g < groupCount && offsets[g] < target { g += 1 }
        if g > starts.last! { starts.append(g) }
    }
    starts.append(groupCount)
    let ranges = (0..<(starts.count - 1)).map { starts[$0]..<starts[$0 + 1] }
    withoutActuallyEscaping(body) { body in
        let box = UncheckedBox(body)
        DispatchQueue.concurrentPerform(iterations: ranges.count) { box.value(ranges[$0]) }
    }
}
