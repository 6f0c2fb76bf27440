import KuaiCore

/// Distinct (group, value) pairs of a `DistinctState` or `StringDistinctState` moved to disk. Each
/// record is the group id (Int32) followed by the value: its 64-bit word (`DistinctState`) or its
/// length-prefixed UTF-8 bytes (`StringDistinctState`). Records are partitioned by a hash of the
/// value alone, so every copy of a value lands in the same partition whatever its group id;
/// `mapping` turns the record's group ids into the owning state's (nil = the owner's own ids).
struct SpilledPairs {
    let file: PartitionedSpill
    var mapping: [Int32]?
}

/// A distinct state whose keys can move to spill files (`DistinctState`, `StringDistinctState`,
/// `RowDistinctCountState`), with the states merged into it and not yet combined (`pending`, each
/// with its group mapping).
protocol SpillsDistinctKeys: AnyObject {
    var spills: [SpilledPairs] { get set }
    var pending: [(state: Self, mapping: [Int32])] { get set }
    func spillToDisk() throws
}

extension SpillsDistinctKeys {
    /// This state's own spill file (its records carry the state's own group ids), made and added to
    /// `spills` on first use.
    /// - Throws: `KuaiError.execution` when the file cannot be created.
    func ownSpillFile() throws -> PartitionedSpill {
        if let own = spills.first(where: { $0.mapping == nil }) { return own.file }
        let file = try PartitionedSpill()
        spills.append(SpilledPairs(file: file, mapping: nil))
        return file
    }

    /// Writes records to this state's own spill file (`ownSpillFile`): `each(write)` calls
    /// `write(group, hash, fill)` once a pair; its record is the group (Int32), then what `fill`
    /// appends, in the partition of `hash`. After a failed write the other calls write nothing.
    /// - Throws: the first write error, or `KuaiError.execution` when the file cannot be created.
    func writeSpillRecords(
        _ each: (_ write: (Int32, UInt64, (inout SpillRecord) -> Void) -> Void) -> Void
    ) throws {
        let file = try ownSpillFile()
        var record = SpillRecord()
        var failure: Error?
        each { g, hash, fill in
            guard failure == nil else { return }
            record.reset()
            record.append(g)
            fill(&record)
            do {
                try record.bytes.withUnsafeBytes { try file.append($0, hash: hash) }
            } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The spilled pairs, a partition at a time (`finalize` after a spill). The pairs still in
    /// memory (this state's and the pending states') go to disk first. Then, for each partition in
    /// turn, `read(reader, mapping)` reads each file's records of it (groups to be mapped through
    /// `mapping` when given; the bytes live while `read` runs), and `partitionDone()` runs once the
    /// partition is read. Interruptible between partitions; the files are dropped at the end.
    /// - Throws: what writing or reading a spill file, `partitionDone` or an interrupt throws.
    func readSpillPartitions(
        _ read: (_ reader: inout SpillReader, _ mapping: [Int32]?) -> Void, partitionDone: () throws -> Void
    ) throws {
        try spillToDisk()
        try absorbPendingSpilled()
        for p in 0..<PartitionedSpill.partitionCount {
            try QueryControl.checkInterrupt()
            for s in spills {
                let bytes = try s.file.read(partition: p)
                bytes.withUnsafeBytes { raw in
                    var reader = SpillReader(bytes: raw)
                    read(&reader, s.mapping)
                }
            }
            try partitionDone()
        }
        spills = []
    }

    /// The deferred merge when some state spilled: every pending state's keys go to disk too and
    /// its files join this state's, their group ids mapped through the pending mapping.
    /// - Throws: `KuaiError.execution` when a spill file cannot be written.
    func absorbPendingSpilled() throws {
        let others = pending
        pending = []
        for (o, mapping) in others {
            try o.spillToDisk()
            for s in o.spills {
                let m = s.mapping.map { $0.map { mapping[Int($0)] } } ?? mapping
                spills.append(SpilledPairs(file: s.file, mapping: m))
            }
            o.spills = []
        }
    }
}

extension DistinctState: SpillsDistinctKeys {
    /// Approximate bytes held in memory: the set's slots, the appended arrays, the dense bits.
    var heldBytes: Int {
        self.set.count * 32 + rawGroups.capacity * 4 + rawValues.capacity * 8 + (log?.heldBytes ?? 0)
            + (dense?.words.count ?? 0) * 8
    }

    /// Moves every pair held in memory to this state's own spill file (made on first use) and
    /// empties the set and the appended arrays. Records: the group (Int32), then the value word,
    /// partitioned by `ByteHash.mix` of the word.
    /// - Throws: `KuaiError.execution` when the spill file cannot be created or written.
    func spillToDisk() throws {
        settle()
        if set.count == 0 && rawGroups.isEmpty && (log?.count ?? 0) == 0 { return }
        try writeSpillRecords { write in
            forEachPair { g, v in write(g, ByteHash.mix(v, 0x5350_494C)) { $0.append(v) } }
        }
        set.removeAll()
        rawGroups = []
        rawValues = []
        log = nil
        spilled = false
        MemoryGuard.returnFreedMemory()
    }

    /// `finalize` after a spill: the pairs still in memory (this state's and the pending states')
    /// go to disk, then each partition in turn is read from every file, made distinct in a fresh
    /// set and fed to the wrapped aggregate.
    /// Memory: one partition's distinct pairs (about 1/`PartitionedSpill.partitionCount` of all).
    func finalizeSpilled(groups: Int) throws -> Column {
        inner.resize(groups)
        var part = PairSet()
        try readSpillPartitions { reader, mapping in
            while !reader.atEnd {
                let g = reader.read(Int32.self)
                part.insert(group: mapping.map { $0[Int(g)] } ?? g, value: reader.read(UInt64.self))
            }
        } partitionDone: {
            if part.count > 0 { try feedInner(part) }
            part = PairSet()
        }
        return try inner.finalize(groups: groups)
    }

    /// Feeds one partition's distinct pairs to the wrapped aggregate.
    private func feedInner(_ part: PairSet) throws {
        let (ids, values) = collectPairs(capacity: part.count) { part.forEachEntry($0) }
        try feed(ids: ids, valueColumn(values))
    }
}
