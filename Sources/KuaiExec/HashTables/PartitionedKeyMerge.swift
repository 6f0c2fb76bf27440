import Dispatch
import KuaiCore

/// Combines the groups of several thread-local `GroupKeyTable`s into one id space on all cores,
/// as DuckDB's radix-partitioned hash table and ClickHouse's two-level aggregation do: every
/// table's keys are split into 2^bits partitions by a hash of their values, and each partition is
/// inserted into a table of its own (sized for it, so that its probes stay in cache), partitions
/// in parallel. The global id of a group is its partition's first id plus its id there.
///
/// Work: one hash and one insert per group of every table; memory: the tables' key columns once
/// more plus one small table per partition.
enum PartitionedKeyMerge {
    /// Tables with fewer groups in all than this are merged the plain way (one insert loop).
    static let minimumGroups = 1 << 16

    /// The merged keys and, per table, the global id of each of its groups.
    /// - Parameters:
    ///   - tables: the thread-local tables, all made for `keyTypes` (at least one key column).
    ///   - threads: worker threads (1 = one thread, in partition order).
    /// - Returns: `keys` (one column per key type, `count` rows, partition by partition; VARCHAR
    ///   keys flat when several partitions hold strings) and `mappings[t][g]`, the global id of
    ///   group `g` of `tables[t]`.
    static func merge(_ tables: [any GroupKeyTable], keyTypes: [DataType], threads: Int) -> (
        keys: [Column], count: Int, mappings: [[Int32]]
    ) {
        merge(
            sources: tables.map { $0.keyColumns() }, counts: tables.map(\.count), keyTypes: keyTypes, threads: threads)
    }

    /// `merge(_:keyTypes:threads:)` over key columns that need not come from tables: the distinct
    /// rows of all `sources` (a key repeated within one source is kept once too), e.g. the
    /// (group, value) pairs of count(DISTINCT) gathered from every thread.
    /// - Parameters:
    ///   - sources: per source, one column per key type with at least `counts[t]` rows.
    ///   - counts: rows of each source.
    /// - Returns: as `merge(_:keyTypes:threads:)`; `mappings[t][r]` is the id of row `r` of source `t`.
    static func merge(sources: [[Column]], counts: [Int], keyTypes: [DataType], threads: Int) -> (
        keys: [Column], count: Int, mappings: [[Int32]]
    ) {
        let m = mergeParts(sources: sources, counts: counts, keyTypes: keyTypes, threads: threads)
        var keys: [Column] = []
        for c in keyTypes.indices {
            var b = ColumnBuilder(type: keyTypes[c])
            for (p, n) in m.partCounts.enumerated() where n > 0 { b.append(m.parts[p][c]) }
            keys.append(b.take())
        }
        return (keys, m.partCounts.reduce(0, +), m.mappings)
    }

    /// `merge(sources:counts:keyTypes:threads:)` with the merged keys left in their partitions:
    /// `parts[p]` holds `partCounts[p]` keys (one column per key type), whose global ids follow
    /// those of the partitions before it. Saves concatenating the keys when the caller can use
    /// them a partition at a time.
    static func mergeParts(sources: [[Column]], counts: [Int], keyTypes: [DataType], threads: Int) -> (
        parts: [[Column]], partCounts: [Int], mappings: [[Int32]]
    ) {
        let total = counts.reduce(0, +)
        // about 32K groups per partition, 8 to 256 partitions
        let bits = min(8, max(3, Int.bitWidth - (total >> 15).leadingZeroBitCount))
        let partitions = 1 << bits
        // per table: its groups ordered by partition, and where each partition starts
        var orders: [[Int32]] = []
        var starts: [[Int]] = []
        var parts: [[UInt16]] = []
        for t in sources.indices {
            let p = keyPartitions(sources[t], count: counts[t], bits: bits)
            let (order, start) = groupByPartition(p, partitions: partitions)
            parts.append(p)
            orders.append(order)
            starts.append(start)
        }
        let local = counts.map { UnsafeMutableBufferPointer<Int32>.allocate(capacity: max($0, 1)) }
        defer { for l in local { l.deallocate() } }
        var outKeys = [[Column]](repeating: [], count: partitions)
        var outCounts = [Int](repeating: 0, count: partitions)
        outKeys.withUnsafeMutableBufferPointer { ok in
            outCounts.withUnsafeMutableBufferPointer { oc in
                let out = UncheckedBox((ok, oc, local))
                forEachPartition(partitions, threads: threads) { p in
                    let table = makeGroupKeyTable(keyTypes: keyTypes)
                    table.reserve(sources.indices.reduce(0) { $0 + starts[$1][p + 1] - starts[$1][p] })
                    for t in sources.indices where starts[t][p + 1] > starts[t][p] {
                        orders[t].withUnsafeBufferPointer { o in
                            let sel = UnsafeBufferPointer(rebasing: o[starts[t][p]..<starts[t][p + 1]])
                            let keys = sources[t].map { $0.gather(sel) }
                            var ids = [Int32](repeating: 0, count: sel.count)
                            ids.withUnsafeMutableBufferPointer {
                                table.findOrInsert(keys, rowCount: sel.count, into: $0)
                            }
                            let dst = out.value.2[t]
                            for i in 0..<sel.count { dst[Int(sel[i])] = ids[i] }
                        }
                    }
                    out.value.0[p] = table.keyColumns()
                    out.value.1[p] = table.count
                }
            }
        }
        var bases = [Int32](repeating: 0, count: partitions)
        for p in 1..<partitions { bases[p] = bases[p - 1] + Int32(outCounts[p - 1]) }
        let mappings = sources.indices.map { t in
            [Int32](unsafeUninitializedCapacity: counts[t]) { ids, initialized in
                parts[t].withUnsafeBufferPointer { pt in
                    for g in 0..<counts[t] { ids[g] = local[t][g] + bases[Int(pt[g])] }
                }
                initialized = counts[t]
            }
        }
        return (outKeys, outCounts, mappings)
    }

    /// Runs `body(p)` for every partition, on `threads` threads (partitions handed out one at a
    /// time by `concurrentPerform`).
    static func forEachPartition(_ partitions: Int, threads: Int, _ body: (Int) -> Void) {
        if threads <= 1 {
            for p in 0..<partitions { body(p) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: partitions) { box.value($0) }
        }
    }

    /// The rows ordered by partition (a counting sort) and the start of each partition in that
    /// order (`partitions + 1` entries).
    static func groupByPartition(_ part: [UInt16], partitions: Int) -> ([Int32], [Int]) {
        var start = [Int](repeating: 0, count: partitions + 1)
        for p in part { start[Int(p) + 1] += 1 }
        for p in 0..<partitions { start[p + 1] += start[p] }
        var next = Array(start.prefix(partitions))
        var order = [Int32](repeating: 0, count: part.count)
        order.withUnsafeMutableBufferPointer { o in
            for (i, p) in part.enumerated() {
                o[next[Int(p)]] = Int32(i)
                next[Int(p)] += 1
            }
        }
        return (order, start)
    }

    /// The partition (top `bits` of a hash of the key values) of each of the first `n` rows of
    /// `keys`. Equal keys get equal partitions whatever their storage: integers by value, DOUBLE
    /// by `doubleKey`, VARCHAR by the bytes (`StringView.hashValue64`), HUGEINT by both words,
    /// NULL as a constant of its own.
    static func keyPartitions(_ keys: [Column], count n: Int, bits: Int) -> [UInt16] {
        var h = [UInt64](repeating: 0x2545_F491_4F6C_DD1D, count: n)
        h.withUnsafeMutableBufferPointer { h in
            // INTERVAL keys partition by DuckDB's comparison key, so that equal intervals meet
            for col in keys { combineHashes(IntervalKeyTable.comparable(col), n, h) }
        }
        return h.map { UInt16(truncatingIfNeeded: fmix($0) >> UInt64(64 - bits)) }
    }

    /// Mixes the key word of each row of `col` into `h`.
    private static func combineHashes(_ col: Column, _ n: Int, _ h: UnsafeMutableBufferPointer<UInt64>) {
        let nullWord: UInt64 = 0x8F1B_BCDC_A55A_3C5E
        func mix(_ word: (Int) -> UInt64) {
            if col.type == .null {
                for i in 0..<n { h[i] = hashCombine(h[i], nullWord) }
            } else if let v = col.validity {
                v.withUnsafeBufferPointer { v in
                    for i in 0..<n { h[i] = hashCombine(h[i], v[i] == 0 ? nullWord : word(i)) }
                }
            } else {
                for i in 0..<n { h[i] = hashCombine(h[i], word(i)) }
            }
        }
        switch col.type {
        case .null: mix { _ in 0 }
        case .double: col.doubles.withUnsafeBufferPointer { d in mix { doubleKey(d[$0]) } }
        case .varchar:
            if let dict = col.dictionary, let hashes = dict.storedHashes {
                // the hashes the dictionary keeps for its index (equal to hashValue64)
                hashes.withUnsafeBufferPointer { hs in
                    col.codes.withUnsafeBufferPointer { c in mix { hs[Int(c[$0])] } }
                }
            } else if let dict = col.dictionary {
                let views = dict.views
                col.codes.withUnsafeBufferPointer { c in mix { views[Int(c[$0])].hashValue64 } }
            } else {
                col.views.withUnsafeBufferPointer { v in mix { v[$0].hashValue64 } }
            }
        default:
            col.ints.withUnsafeBufferPointer { x in
                if col.type.mayBeWide {
                    // both words, the high one sign-extended when the column is narrow
                    let highs = col.highs ?? x.map { $0 < 0 ? -1 : 0 }
                    highs.withUnsafeBufferPointer { hi in
                        mix { fmix(UInt64(bitPattern: x[$0])) ^ UInt64(bitPattern: hi[$0]) }
                    }
                } else {
                    mix { UInt64(bitPattern: x[$0]) }
                }
            }
        }
    }
}
