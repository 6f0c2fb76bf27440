import KuaiCore

/// Per-group bounded heaps of (key, payload) word pairs over flat buffers: group `g` owns slots
/// `g * n ..< g * n + n` of `keys` and `payloads` and holds `counts[g]` of them. The n pairs with the
/// largest keys are kept (callers complement the key to keep the smallest).
///
/// The heap operations are libstdc++'s `push_heap` / `pop_heap` / `sort_heap` step for step, with
/// `greater` as the comparison, because DuckDB 2.0.1's min(x, n), max(x, n) and arg_max / arg_min(x, y, n)
/// keep their top n in such a heap (`UnaryAggregateHeap`, `BinaryAggregateHeap`): a new pair enters a full
/// heap only when its key is strictly greater than the smallest kept one, and the order of pairs with
/// equal keys in the result is the order the heap leaves them in. Replaying the same operations gives
/// DuckDB's answer, ties included, for the same order of rows (one thread: the rows' order).
struct TopNHeaps {
    /// Kept pairs per group (n ≥ 1).
    let n: Int
    private(set) var keys: [UInt64] = []
    private(set) var payloads: [UInt64] = []
    private(set) var counts: [Int32] = []

    init(n: Int) { self.n = n }

    var groups: Int { counts.count }

    /// Makes room for `groups` groups (new ones empty).
    mutating func resize(_ groups: Int) {
        let extra = groups - counts.count
        guard extra > 0 else { return }
        counts.append(contentsOf: repeatElement(0, count: extra))
        keys.append(contentsOf: repeatElement(0, count: extra * n))
        payloads.append(contentsOf: repeatElement(0, count: extra * n))
    }

    /// Calls `body` with an inserter over the buffers (valid only inside `body`), for a batch of offers.
    mutating func withInserter<R>(_ body: (inout Inserter) throws -> R) rethrows -> R {
        let n = self.n
        return try keys.withUnsafeMutableBufferPointer { k in
            try payloads.withUnsafeMutableBufferPointer { p in
                try counts.withUnsafeMutableBufferPointer { c in
                    var ins = Inserter(n: n, keys: k.baseAddress!, payloads: p.baseAddress!, counts: c.baseAddress!)
                    return try body(&ins)
                }
            }
        }
    }

    /// Offers every kept pair of `other` (in its heap order, as DuckDB merges heaps) to the groups
    /// `mapping` of this one.
    mutating func merge(_ other: TopNHeaps, mapping: UnsafeBufferPointer<Int32>) {
        let n = self.n
        withInserter { ins in
            for j in 0..<min(other.counts.count, mapping.count) {
                let g = Int(mapping[j])
                for s in 0..<Int(other.counts[j]) {
                    ins.offer(g, other.keys[j &* n &+ s], other.payloads[j &* n &+ s])
                }
            }
        }
    }

    /// Group `g`'s payloads appended to `out`, best first (`sort_heap` of a copy in `scratch`, reused from
    /// group to group: the heap stays usable).
    func sortedPayloads(_ g: Int, into out: inout [UInt64], scratch: inout (keys: [UInt64], payloads: [UInt64])) {
        let c = Int(counts[g])
        guard c > 0 else { return }
        scratch.keys.removeAll(keepingCapacity: true)
        scratch.payloads.removeAll(keepingCapacity: true)
        scratch.keys.append(contentsOf: keys[(g * n)..<(g * n + c)])
        scratch.payloads.append(contentsOf: payloads[(g * n)..<(g * n + c)])
        scratch.keys.withUnsafeMutableBufferPointer { kb in
            scratch.payloads.withUnsafeMutableBufferPointer { pb in
                var last = c
                while last > 1 {
                    last -= 1
                    let (vk, vp) = (kb[last], pb[last])
                    kb[last] = kb[0]
                    pb[last] = pb[0]
                    Inserter.adjust(kb.baseAddress!, pb.baseAddress!, hole: 0, length: last, vk, vp)
                }
            }
        }
        out.append(contentsOf: scratch.payloads)
    }

    /// Offers pairs to the heaps of a `TopNHeaps` (see `withInserter`).
    struct Inserter {
        let n: Int
        let keys: UnsafeMutablePointer<UInt64>
        let payloads: UnsafeMutablePointer<UInt64>
        let counts: UnsafeMutablePointer<Int32>

        /// Keeps (key, payload) among group g's n pairs of largest key.
        @inline(__always)
        mutating func offer(_ g: Int, _ key: UInt64, _ payload: UInt64) {
            let base = g &* n
            let (k, p) = (keys + base, payloads + base)
            let c = Int(counts[g])
            if c < n {
                // push_heap after appending
                Self.siftUp(k, p, hole: c, top: 0, key, payload)
                counts[g] = Int32(c &+ 1)
            } else if key > k[0] {
                // pop_heap (the smallest moves to the last slot), the new pair there, push_heap
                if n > 1 { Self.adjust(k, p, hole: 0, length: n &- 1, k[n &- 1], p[n &- 1]) }
                Self.siftUp(k, p, hole: n &- 1, top: 0, key, payload)
            }
        }

        /// libstdc++'s `__push_heap` with `greater`: moves the hole up while its parent is greater.
        @inline(__always)
        static func siftUp(
            _ k: UnsafeMutablePointer<UInt64>, _ p: UnsafeMutablePointer<UInt64>, hole start: Int, top: Int,
            _ key: UInt64, _ payload: UInt64
        ) {
            var hole = start
            var parent = (hole &- 1) / 2
            while hole > top && k[parent] > key {
                k[hole] = k[parent]
                p[hole] = p[parent]
                hole = parent
                parent = (hole &- 1) / 2
            }
            k[hole] = key
            p[hole] = payload
        }

        /// libstdc++'s `__adjust_heap` with `greater` over `length` slots: moves the hole at `start` down
        /// to a leaf along the smaller children, then pushes (key, payload) up from there.
        @inline(__always)
        static func adjust(
            _ k: UnsafeMutablePointer<UInt64>, _ p: UnsafeMutablePointer<UInt64>, hole start: Int, length: Int,
            _ key: UInt64, _ payload: UInt64
        ) {
            let top = start
            var hole = start
            var second = start
            while second < (length &- 1) / 2 {
                second = 2 &* (second &+ 1)
                if k[second] > k[second &- 1] { second &-= 1 }
                k[hole] = k[second]
                p[hole] = p[second]
                hole = second
            }
            if length & 1 == 0 && second == (length &- 2) / 2 {
                second = 2 &* (second &+ 1)
                k[hole] = k[second &- 1]
                p[hole] = p[second &- 1]
                hole = second &- 1
            }
            siftUp(k, p, hole: hole, top: top, key, payload)
        }
    }
}

/// DuckDB's checks of the n of min / max / arg_min / arg_max(…, n), made when the first row reaches the
/// aggregate (an input without rows gives NULL, not an error, as in DuckDB 2.0.1).
enum TopNLimit {
    /// The largest n DuckDB takes plus one ("n value must be < 1000000").
    static let bound = 1_000_000

    /// nil when `n` is valid, else DuckDB's message for it (`what`: "MIN/MAX" or "arg_min/arg_max").
    static func problem(_ n: Value, _ what: String) -> String? {
        switch n {
        case .null: return "Invalid input for \(what): n value cannot be NULL"
        case .int(let v) where v <= 0: return "Invalid input for \(what): n value must be > 0"
        case .int(let v) where v >= bound: return "Invalid input for \(what): n value must be < \(bound)"
        case .int: return nil
        default: return "Invalid input for \(what): n value must be an integer"
        }
    }
}
