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

    /// The per-row step over `bucketRow`; `pairs` holds list << 32 | row for the rows of buckets
    /// with several rows, in build order.
    struct Slots {
        let bucketRow: UnsafeMutableBufferPointer<Int32>
        var pairs: [Int64] = []
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
                pairs.append(lists << 32 | Int64(v))
                pairs.append(lists << 32 | Int64(row))
                lists += 1
            } else {
                pairs.append(Int64(JoinHashTable.list(ofEntry: v)) << 32 | Int64(row))
            }
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

    /// Runs `body` with the per-row step; call it once.
    mutating func withSlots(_ body: (inout Slots) -> Void) {
        var collected: (pairs: [Int64], lists: Int64) = ([], 0)
        bucketRow.withUnsafeMutableBufferPointer { u in
            var slots = Slots(bucketRow: u)
            body(&slots)
            collected = (slots.pairs, slots.lists)
        }
        pairs = collected.pairs
        lists = Int(collected.lists)
    }

    /// The rows of a dense key (`keys[i] - lo` is row i's bucket, `buckets` of them) grouped as
    /// `withSlots` and `finish` group them, on `threads` threads: each thread reads every key and
    /// places the rows of its own range of buckets (no two threads write one entry), numbering
    /// its lists from its own base, then sorts its pairs into its own slice of the lists. A build
    /// of a fact table's repeated keys (click's live_id) spent a fifth of a join there on one
    /// thread. Rows with `valid[i] == 0` are in no bucket.
    /// - Precondition: every valid key is in `lo ..< lo + buckets`.
    static func groupDense(
        keys: UnsafeBufferPointer<Int64>, valid: UnsafeBufferPointer<UInt8>?, lo: Int64, buckets: Int,
        threads: Int
    ) -> Grouped {
        MemoryGuard.noteAllocation(4 * buckets)
        var bucketRow = [Int32](repeating: -1, count: buckets)
        var parts = [(pairs: [Int64], lists: Int)](repeating: ([], 0), count: threads)
        // thread t's buckets
        @Sendable func range(_ t: Int) -> Range<Int> { t * buckets / threads..<(t + 1) * buckets / threads }
        bucketRow.withUnsafeMutableBufferPointer { u in
            parts.withUnsafeMutableBufferPointer { out in
                let box = UncheckedBox((u, out, keys, valid))
                DispatchQueue.concurrentPerform(iterations: threads) { t in
                    let (u, out, keys, valid) = box.value
                    let mine = range(t)
                    var slots = Slots(bucketRow: u)
                    for i in 0..<keys.count {
                        if let valid, valid[i] == 0 { continue }
                        let b = Int(truncatingIfNeeded: keys[i] &- lo)
                        if mine.contains(b) { slots.add(row: i, bucket: b) }
                    }
                    out[t] = (slots.pairs, Int(slots.lists))
                }
            }
        }
        let listBase = parts.reduce(into: [0]) { $0.append($0.last! + $1.lists) }
        let rowBase = parts.reduce(into: [0]) { $0.append($0.last! + $1.pairs.count) }
        let lists = listBase[threads]
        if lists == 0 { return Grouped(unique: true, bucketRow: bucketRow, listOffsets: [], listRows: []) }
        MemoryGuard.noteAllocation(4 * (lists + 1 + rowBase[threads]))
        var offsets = [Int32](repeating: 0, count: lists + 1)
        var rows = [Int32](repeating: 0, count: rowBase[threads])
        offsets[lists] = Int32(rowBase[threads])
        bucketRow.withUnsafeMutableBufferPointer { u in
            offsets.withUnsafeMutableBufferPointer { off in
                rows.withUnsafeMutableBufferPointer { r in
                    let box = UncheckedBox((u, off, r, parts))
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
        return Grouped(unique: false, bucketRow: bucketRow, listOffsets: offsets, listRows: rows)
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
