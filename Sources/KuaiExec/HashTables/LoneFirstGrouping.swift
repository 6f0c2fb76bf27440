import Dispatch
import KuaiCore

/// Groups build rows by bucket for a `JoinHashTable` in one pass over the rows, made for builds
/// where most buckets hold one row (a dimension keyed by its id, with a few repeated keys):
/// `bucketRow[b]` takes the bucket's first row; a second row turns the bucket into a list, and
/// only the rows of such buckets are kept as (list, row) pairs and sorted by list at the end.
/// A build of N rows over B buckets costs one random access per row into `bucketRow` (4B bytes),
/// where a CSR of every bucket costs two random passes, its offsets and a cursor array.
struct LoneFirstGrouping {
    /// The grouped rows, as `JoinHashTable` keeps them (see its `bucketRow`).
    struct Grouped {
        var unique: Bool
        var bucketRow: [Int32]
        var listOffsets: [Int32]
        var listRows: [Int32]
    }

    /// The per-row step over `bucketRow`; `pairs[0..<pairCount]` holds list << 32 | row for the
    /// rows of buckets with several rows, in build order. A row adds at most one pair (a bucket's
    /// first row none until its second row adds two), so `pairs` needs room for one per row added.
    struct Slots {
        let bucketRow: UnsafeMutableBufferPointer<Int32>
        let pairs: UnsafeMutableBufferPointer<Int64>
        var pairCount = 0
        var lists: Int64 = 0

        /// Places build row `row` (rows in increasing order) in `bucket`.
        @inline(__always)
        mutating func add(row: Int, bucket: Int) {
            let v = bucketRow[bucket]
            if v == -1 {
                bucketRow[bucket] = Int32(truncatingIfNeeded: row)
            } else if v >= 0 {
                // the bucket's second row: the bucket becomes list `lists`, its first row first
                bucketRow[bucket] = JoinHashTable.entry(ofList: Int(lists))
                pairs[pairCount] = lists << 32 | Int64(v)
                pairs[pairCount + 1] = lists << 32 | Int64(row)
                pairCount += 2
                lists += 1
            } else {
                pairs[pairCount] = Int64(JoinHashTable.list(ofEntry: v)) << 32 | Int64(row)
                pairCount += 1
            }
        }

        /// The pairs of `body`'s steps over `bucketRow` (at most `rows` rows added) and the lists
        /// they make. The pair buffer is reserved, not written, beyond the pairs made.
        static func run(
            _ bucketRow: UnsafeMutableBufferPointer<Int32>, rows: Int, _ body: (inout Slots) -> Void
        ) -> (pairs: [Int64], lists: Int) {
            var lists: Int64 = 0
            let pairs = [Int64](unsafeUninitializedCapacity: rows) { buffer, filled in
                var slots = Slots(bucketRow: bucketRow, pairs: buffer)
                body(&slots)
                filled = slots.pairCount
                lists = slots.lists
            }
            return (pairs, Int(lists))
        }
    }

    private var bucketRow: [Int32]
    private var pairs: [Int64] = []
    private var lists = 0

    /// Prepares `buckets` empty buckets (one 4-byte entry each).
    init(buckets: Int) {
        MemoryGuard.noteAllocation(4 * buckets)
        bucketRow = [Int32](repeating: -1, count: buckets)
    }

    /// Runs `body` with the per-row step, which it calls for at most `rows` rows; call it once.
    mutating func withSlots(rows: Int, _ body: (inout Slots) -> Void) {
        (pairs, lists) = bucketRow.withUnsafeMutableBufferPointer { Slots.run($0, rows: rows, body) }
    }

    /// log2 of the buckets of one partition of `groupDense` (256 KiB of `bucketRow`).
    static let partitionBits = 16

    /// The rows of a dense key (`keys[i] - lo` is row i's bucket, `buckets` of them) grouped as
    /// `withSlots` and `finish` group them, on `threads` threads, in two steps, as a radix join
    /// partitions its build (Manegold, Boncz, Kersten, "Optimizing Main-Memory Join on Modern
    /// Hardware"): the rows are first scattered into partitions of 2^16 buckets (a thread a run of
    /// rows, a histogram first, so each partition keeps build order); then each thread places the
    /// rows of its own range of partitions into `bucketRow`, whose 256 KiB slice per partition
    /// stays in cache (placing 4.9M clicks straight into 11.6M buckets took a cache and TLB miss
    /// a row), numbering its lists from its own base, and sorts its pairs into its own slice of
    /// the lists. Rows with `valid[i] == 0` are in no bucket.
    /// - Precondition: every valid key is in `lo ..< lo + buckets`; `keys.count < Int32.max`.
    static func groupDense(
        keys: UnsafeBufferPointer<Int64>, valid: UnsafeBufferPointer<UInt8>?, lo: Int64, buckets: Int,
        threads: Int
    ) -> Grouped {
        let shift = partitionBits
        let parts = (buckets + (1 << shift) - 1) >> shift
        // 1. rows scattered by partition
        let (words, partStart) = partitioned(keys: keys, valid: valid, lo: lo, buckets: buckets, threads: threads)
        defer { words.deallocate() }
        // 2. thread t's partitions, and so its buckets, placed in build order
        @Sendable func partitions(_ t: Int) -> Range<Int> { t * parts / threads..<(t + 1) * parts / threads }
        @Sendable func range(_ t: Int) -> Range<Int> {
            let ps = partitions(t)
            return min(buckets, ps.lowerBound << shift)..<min(buckets, ps.upperBound << shift)
        }
        var bucketRow = [Int32](repeating: -1, count: buckets)
        var threadPairs = [(pairs: [Int64], lists: Int)](repeating: ([], 0), count: threads)
        let starts = UncheckedBox(partStart)
        bucketRow.withUnsafeMutableBufferPointer { u in
            threadPairs.withUnsafeMutableBufferPointer { out in
                let box = UncheckedBox((u, out, words))
                DispatchQueue.concurrentPerform(iterations: threads) { t in
                    let (u, out, words) = box.value
                    let ps = partitions(t)
                    let rows = starts.value[ps.upperBound] - starts.value[ps.lowerBound]
                    out[t] = Slots.run(u, rows: rows) { slots in
                        for p in ps {
                            let base = p << shift
                            for w in words[starts.value[p]..<starts.value[p + 1]] {
                                slots.add(row: Int(w & 0xFFFF_FFFF), bucket: base | Int(truncatingIfNeeded: w >> 32))
                            }
                        }
                    }
                }
            }
        }
        let listBase = threadPairs.reduce(into: [0]) { $0.append($0.last! + $1.lists) }
        let rowBase = threadPairs.reduce(into: [0]) { $0.append($0.last! + $1.pairs.count) }
        let lists = listBase[threads]
        if lists == 0 { return Grouped(unique: true, bucketRow: bucketRow, listOffsets: [], listRows: []) }
        MemoryGuard.noteAllocation(4 * (lists + 1 + rowBase[threads]))
        var offsets = [Int32](repeating: 0, count: lists + 1)
        var listRows = [Int32](repeating: 0, count: rowBase[threads])
        offsets[lists] = Int32(rowBase[threads])
        bucketRow.withUnsafeMutableBufferPointer { u in
            offsets.withUnsafeMutableBufferPointer { off in
                listRows.withUnsafeMutableBufferPointer { r in
                    let box = UncheckedBox((u, off, r, threadPairs))
                    DispatchQueue.concurrentPerform(iterations: threads) { t in
                        let (u, off, r, parts) = box.value
                        // this thread's lists become lists listBase[t] ..< listBase[t + 1]
                        for b in range(t) where u[b] <= -2 {
                            u[b] = JoinHashTable.entry(ofList: JoinHashTable.list(ofEntry: u[b]) + listBase[t])
                        }
                        sortPairs(
                            parts[t].pairs, lists: parts[t].lists,
                            offsets: UnsafeMutableBufferPointer(rebasing: off[listBase[t]..<listBase[t + 1]]),
                            rows: UnsafeMutableBufferPointer(rebasing: r[rowBase[t]..<rowBase[t + 1]]),
                            rowBase: rowBase[t])
                    }
                }
            }
        }
        return Grouped(unique: false, bucketRow: bucketRow, listOffsets: offsets, listRows: listRows)
    }

    /// The valid rows scattered into partitions of 2^`partitionBits` buckets, as words `bucket
    /// within the partition << 32 | row`, each partition's rows in row order (`threads` runs of
    /// rows, each counted first), and each partition's first word (the total at the end). The
    /// caller deallocates the words.
    private static func partitioned(
        keys: UnsafeBufferPointer<Int64>, valid: UnsafeBufferPointer<UInt8>?, lo: Int64, buckets: Int,
        threads: Int
    ) -> (words: UnsafeMutableBufferPointer<UInt64>, partStart: [Int]) {
        let n = keys.count
        let shift = partitionBits
        let parts = (buckets + (1 << shift) - 1) >> shift
        let mask = (1 << shift) - 1
        @Sendable func rows(_ c: Int) -> Range<Int> { c * n / threads..<(c + 1) * n / threads }
        let hist = UnsafeMutableBufferPointer<Int>.allocate(capacity: threads * parts)
        hist.initialize(repeating: 0)
        defer { hist.deallocate() }
        let input = UncheckedBox((keys, valid, hist))
        DispatchQueue.concurrentPerform(iterations: threads) { c in
            let (keys, valid, hist) = input.value
            let h = hist.baseAddress! + c * parts
            for i in rows(c) {
                if let valid, valid[i] == 0 { continue }
                h[Int(truncatingIfNeeded: keys[i] &- lo) >> shift] += 1
            }
        }
        // partStart[p]: first word of partition p; hist[c][p] becomes where run c writes into it
        let partStart = scatterOffsets(hist, chunks: threads, buckets: parts)
        let sum = partStart[parts]
        MemoryGuard.noteAllocation(8 * sum + 4 * buckets)
        let words = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: max(sum, 1))
        let scatter = UncheckedBox((keys, valid, hist, words))
        DispatchQueue.concurrentPerform(iterations: threads) { c in
            let (keys, valid, hist, words) = scatter.value
            let h = hist.baseAddress! + c * parts
            for i in rows(c) {
                if let valid, valid[i] == 0 { continue }
                let b = Int(truncatingIfNeeded: keys[i] &- lo)
                let p = b >> shift
                words[h[p]] = UInt64(b & mask) << 32 | UInt64(i)
                h[p] += 1
            }
        }
        return (words, partStart)
    }

    /// Sorts `pairs` (list << 32 | row, lists numbered from 0) by list into `rows`, stable, and
    /// writes each list's first position (plus `rowBase`) into `offsets` (`lists` entries).
    private static func sortPairs(
        _ pairs: [Int64], lists: Int, offsets: UnsafeMutableBufferPointer<Int32>,
        rows: UnsafeMutableBufferPointer<Int32>, rowBase: Int
    ) {
        var counts = [Int32](repeating: 0, count: lists + 1)
        pairs.withUnsafeBufferPointer { p in
            counts.withUnsafeMutableBufferPointer { c in
                for pair in p { c[Int(pair >> 32) + 1] += 1 }
                for k in 0..<lists { c[k + 1] += c[k] }
                for k in 0..<lists { offsets[k] = c[k] + Int32(rowBase) }
                for pair in p {
                    let k = Int(pair >> 32)
                    rows[Int(c[k])] = Int32(truncatingIfNeeded: pair)
                    c[k] += 1
                }
            }
        }
    }

    /// The grouped rows: the pairs sorted by list (a counting sort, stable, so build order holds
    /// within a list).
    func finish() -> Grouped {
        if lists == 0 { return Grouped(unique: true, bucketRow: bucketRow, listOffsets: [], listRows: []) }
        MemoryGuard.noteAllocation(4 * (lists + 1 + pairs.count))
        var offsets = [Int32](repeating: 0, count: lists + 1)
        var rows = [Int32](repeating: 0, count: pairs.count)
        offsets[lists] = Int32(pairs.count)
        offsets.withUnsafeMutableBufferPointer { off in
            rows.withUnsafeMutableBufferPointer { r in
                Self.sortPairs(
                    pairs, lists: lists, offsets: UnsafeMutableBufferPointer(rebasing: off[0..<lists]), rows: r,
                    rowBase: 0)
            }
        }
        return Grouped(unique: false, bucketRow: bucketRow, listOffsets: offsets, listRows: rows)
    }
}
