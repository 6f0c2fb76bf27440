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

    /// The grouped rows: the pairs sorted by list (a counting sort, stable, so build order holds
    /// within a list).
    func finish() -> Grouped {
        if lists == 0 { return Grouped(unique: true, bucketRow: bucketRow, listOffsets: [], listRows: []) }
        MemoryGuard.noteAllocation(4 * (lists + 1 + pairs.count))
        var offsets = [Int32](repeating: 0, count: lists + 1)
        var rows = [Int32](repeating: 0, count: pairs.count)
        pairs.withUnsafeBufferPointer { p in
            offsets.withUnsafeMutableBufferPointer { off in
                for pair in p { off[Int(pair >> 32) + 1] += 1 }
                for k in 0..<lists { off[k + 1] += off[k] }
                var cursor = [Int32](off[0..<lists])
                rows.withUnsafeMutableBufferPointer { r in
                    cursor.withUnsafeMutableBufferPointer { cur in
                        for pair in p {
                            let k = Int(pair >> 32)
                            r[Int(cur[k])] = Int32(truncatingIfNeeded: pair)
                            cur[k] += 1
                        }
                    }
                }
            }
        }
        return Grouped(unique: false, bucketRow: bucketRow, listOffsets: offsets, listRows: rows)
    }
}
