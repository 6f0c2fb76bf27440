import KuaiCore

// Spilling of GROUP BY under a memory limit (hybrid hash aggregation). While memory lasts every
// thread's table takes every group. Once `MemoryGuard.shouldSpill` says memory runs short, a
// thread's table stops growing: rows of groups it holds still update its states in memory, rows of
// any other group go to the thread's spill file (the columns the aggregate reads, radix-partitioned
// by a hash of the key, `SpilledRows`). A group is thus either in the table from its first row on
// or wholly in the file. At the end:
// 1. the threads' tables are merged in memory (into the first one, freeing the others as it goes);
// 2. every spilled row whose group the merged table holds updates it; the other rows go to one
//    partitioned file of the rows left (with one thread, its file is that file: its table held
//    none of the keys it spilled);
// 3. the merged groups are output and freed;
// 4. each partition of the rows left (disjoint keys, about 1/64 of them) is aggregated in a fresh
//    table and output before the next is read.
// The answer is the same as without spilling: each group's rows reach exactly one state (order
// within a group is kept on one thread).

extension HashAggregateOperator {
    /// True when `p` should start spilling before it takes a batch of `rows` rows:
    /// `MemoryGuard.shouldSpill` for about the bytes of its table and states, counting the
    /// allocation the table would make if every row were a new key (a growth step of a large
    /// table can pass the limit at once), or more groups than `spillAfterGroups` (tests).
    func shouldSpill(_ p: Partial, rows: Int) -> Bool {
        if spillAfterGroups > 0 { return p.table.count > spillAfterGroups }
        let held = (p.table.count + p.flushedGroups + p.passedRows) * (16 + 16 * aggregates.count)
        return MemoryGuard.shouldSpill(holding: held, growing: p.table.growthBytes(adding: rows))
    }

    /// `consume` once `p` spills: rows of groups in `p.table` update the states, the others are
    /// written to `p.spill`.
    func consumeSpilling(_ p: Partial, _ batch: Batch) throws {
        let n = batch.count
        let keys = groupColumns.map { batch.columns[$0] }
        p.ids.withUnsafeMutableBufferPointer { ids in
            p.table.find(keys, rowCount: n, nullsMatch: true, into: ids)
        }
        let (found, missing) = split(p.ids, n)
        try write(batch, rows: missing, to: p.spill!)
        if found.count == n { return try update(p, batch, count: n) }
        if found.isEmpty { return }
        let sub = gatherUsed(batch, found)
        p.ids = found.map { p.ids[Int($0)] }
        try update(p, sub, count: found.count)
    }

    /// The rows with an id (>= 0) and the rows without one (-1), as selections.
    private func split(_ ids: [Int32], _ n: Int) -> (found: [Int32], missing: [Int32]) {
        var found: [Int32] = []
        var missing: [Int32] = []
        ids.withUnsafeBufferPointer { ids in
            for i in 0..<n {
                if ids[i] >= 0 { found.append(Int32(i)) } else { missing.append(Int32(i)) }
            }
        }
        return (found, missing)
    }

    /// Appends the rows `rows` of `batch` to `file` as records of `spillColumns`.
    func write(_ batch: Batch, rows: [Int32], to file: PartitionedSpill) throws {
        if rows.isEmpty { return }
        let codec = spillCodec!
        let cols = spillColumns.map { batch.columns[$0] }
        let dictionaries = codec.adopt(cols)
        var record = SpillRecord()
        for r in rows {
            record.reset()
            let hash = codec.encode(cols, row: Int(r), dictionaries: dictionaries, into: &record)
            try record.bytes.withUnsafeBytes { try file.append($0, hash: hash) }
        }
    }

    /// The rows `rows` of the columns the aggregate reads (the other columns are left empty).
    func gatherUsed(_ batch: Batch, _ rows: [Int32]) -> Batch {
        rows.withUnsafeBufferPointer { gatherUsed(batch, $0) }
    }

    /// `gatherUsed` of the rows selected by `sel`.
    func gatherUsed(_ batch: Batch, _ sel: UnsafeBufferPointer<Int32>) -> Batch {
        var cols = batch.columns.map { Column.nulls($0.type, count: 0) }
        for c in spillColumns where cols[c].count == 0 { cols[c] = batch.columns[c].gather(sel) }
        return Batch(columns: cols, count: sel.count)
    }

    /// The input-shaped batch of decoded spill records (`spillColumns` in place, other columns empty).
    func decodedBatch(_ raw: [UInt8]) -> Batch {
        let decoded = raw.withUnsafeBytes { spillCodec!.decode($0) }
        var cols = input.schema.map { Column.nulls($0.type, count: 0) }
        for (k, c) in spillColumns.enumerated() { cols[c] = decoded[k] }
        return Batch(columns: cols, count: decoded.first?.count ?? 0)
    }
}

/// The groups of a hash aggregate that spilled, output in parts by `nextBatch()`: first the groups
/// held in memory (with every spilled row of theirs added), then each partition of the rest.
final class SpilledGroups {
    private let op: HashAggregateOperator
    private var merged: HashAggregateOperator.Partial?
    private let rest: PartitionedSpill
    private var partition = 0

    /// Merges the partials' tables into one and adds the spilled rows of its groups; the other
    /// rows are kept in a partitioned file for `nextBatch()`.
    /// - Throws: `KuaiError.execution` when a spill file cannot be read or written, or a state's
    ///   error.
    /// - Parameter partials: the threads' partials, emptied (each is freed once merged).
    init(operator op: HashAggregateOperator, partials: inout [HashAggregateOperator.Partial]) throws {
        self.op = op
        // With one thread whose groups all stand in its table, that table held no key of the
        // rows it spilled; groups set aside earlier may hold them.
        let single = partials.count == 1 && partials[0].flushed.isEmpty
        let first = partials[0]
        let global =
            first.flushed.isEmpty
            ? partials.removeFirst()
            : HashAggregateOperator.Partial(keyTypes: first.table.keyTypes, specs: op.aggregates, maySpill: false)
        var files: [PartitionedSpill] = []
        if global === first {
            files = global.spill.map { [$0] } ?? []
            global.spill = nil
        }
        while !partials.isEmpty {
            let p = partials.removeFirst()
            if let f = p.spill { files.append(f) }
            for source in p.sources() { try op.add(source, to: global) }
            MemoryGuard.returnFreedMemory()
        }
        merged = global
        if single, let only = files.first {
            // one table: it held no key of the rows it spilled
            rest = only
            return
        }
        rest = try PartitionedSpill()
        for part in 0..<PartitionedSpill.partitionCount {
            try QueryControl.checkInterrupt()
            for f in files {
                let batch = op.decodedBatch(try f.read(partition: part))
                if batch.count > 0 { try addOrKeep(batch, global) }
            }
        }
    }

    /// Rows of `batch` whose group `global` holds update it; the others go to `rest`.
    private func addOrKeep(_ batch: Batch, _ global: HashAggregateOperator.Partial) throws {
        let n = batch.count
        if global.ids.count < n { global.ids = [Int32](repeating: 0, count: n) }
        let keys = op.groupColumns.map { batch.columns[$0] }
        global.ids.withUnsafeMutableBufferPointer { ids in
            global.table.find(keys, rowCount: n, nullsMatch: true, into: ids)
        }
        var found: [Int32] = []
        var missing: [Int32] = []
        for i in 0..<n {
            if global.ids[i] >= 0 { found.append(Int32(i)) } else { missing.append(Int32(i)) }
        }
        try op.write(batch, rows: missing, to: rest)
        if found.isEmpty { return }
        let sub = found.count == n ? batch : op.gatherUsed(batch, found)
        if found.count < n { global.ids = found.map { global.ids[Int($0)] } }
        try op.update(global, sub, count: found.count)
    }

    /// The next part of the result: the merged groups, then one partition of the rest at a time
    /// (empty partitions skipped); nil at the end.
    /// - Throws: `KuaiError.execution` when a spill file cannot be read, or a state's error.
    func nextBatch() throws -> Batch? {
        if let g = merged {
            merged = nil
            let groups = g.table.count
            if let b = try op.output(groups > 0 ? g.table.keyColumns() : [], g.states, groups) { return b }
        }
        let keyTypes = op.groupColumns.map { op.input.schema[$0].type }
        while partition < PartitionedSpill.partitionCount {
            try MemoryGuard.check()
            let batch = op.decodedBatch(try rest.read(partition: partition))
            partition += 1
            if batch.count == 0 { continue }
            let p = HashAggregateOperator.Partial(keyTypes: keyTypes, specs: op.aggregates, maySpill: false)
            try op.consume(p, batch)
            if let b = try op.output(p.table.keyColumns(), p.states, p.table.count) { return b }
        }
        return nil
    }
}
