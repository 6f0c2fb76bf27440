import KuaiCore

// Spilling of count(DISTINCT (a, b, ...)): under memory pressure the distinct (group, row value)
// keys move to partitioned spill files; at the end each partition is made distinct in a fresh
// table and its keys are counted per group (partitions hold disjoint row values, so the counts add).
//
// Record: the group id (Int32), then per member a validity byte (1 = valid) and, when valid, the
// value: 8 bytes for integer-like and DOUBLE members, a length-prefixed UTF-8 string for VARCHAR.
// The partition comes from a hash of the members alone (not the group id, which is mapped on read).

extension RowDistinctCountState: SpillsDistinctKeys {
    /// Member types a record can hold (others keep the state in memory).
    static func spillable(_ t: DataType) -> Bool {
        switch t {
        case .boolean, .tinyint, .smallint, .integer, .bigint, .date, .timestamp, .timestamptz, .time, .double,
            .varchar:
            return true
        default: return false
        }
    }

    /// True when every member type can be written to a spill file.
    var canSpill: Bool { memberTypes.allSatisfy(RowDistinctCountState.spillable) }

    /// Approximate bytes held in memory by the key table and the set-aside keys.
    var heldBytes: Int { keyCount * (24 + 12 * memberTypes.count) }

    /// Moves the keys held in memory (set aside and in the table) to this state's own spill file
    /// (made on first use) and starts a fresh table.
    /// - Throws: `KuaiError.execution` when the spill file cannot be created or written.
    func spillToDisk() throws {
        if keyCount == 0 { return }
        let file = try ownSpillFile()
        for source in keySources(mapping: nil) { try spill(source.keys, count: source.count, to: file) }
        setAside = []
        passRows = 0
        table = makeGroupKeyTable(keyTypes: [.integer] + memberTypes)
        MemoryGuard.returnFreedMemory()
    }

    /// Writes `n` keys (group id, then the members) as records to `file`.
    private func spill(_ keys: [Column], count n: Int, to file: PartitionedSpill) throws {
        var record = SpillRecord()
        for i in 0..<n {
            record.reset()
            record.append(Int32(truncatingIfNeeded: keys[0].ints[i]))
            for (m, t) in memberTypes.enumerated() {
                RowDistinctCountState.encode(keys[m + 1], t, row: i, into: &record)
            }
            try record.bytes.withUnsafeBytes { raw in
                let members = UnsafeBufferPointer(
                    start: (raw.baseAddress! + 4).assumingMemoryBound(to: UInt8.self), count: raw.count - 4)
                try file.append(raw, hash: ByteHash.hash(members))
            }
        }
    }

    /// Appends member value `row` of `c` (type `t`) to `record`.
    private static func encode(_ c: Column, _ t: DataType, row i: Int, into record: inout SpillRecord) {
        guard c.isValid(i) else {
            record.append(UInt8(0))
            return
        }
        record.append(UInt8(1))
        switch t {
        case .double: record.append(c.doubles[i].bitPattern)
        case .varchar: c.stringView(at: i).withBytes { record.append(string: $0) }
        default: record.append(c.ints[i])
        }
    }

    /// `finalize` after a spill: per partition, the keys of every file into a fresh table, then
    /// one count per distinct key to its group.
    func finalizeSpilled(groups: Int) throws -> Column {
        try spillToDisk()
        try absorbPendingSpilled()
        var counts = [Int64](repeating: 0, count: groups)
        for p in 0..<PartitionedSpill.partitionCount {
            try QueryControl.checkInterrupt()
            table = makeGroupKeyTable(keyTypes: [.integer] + memberTypes)
            for s in spills {
                let bytes = try s.file.read(partition: p)
                let keys = bytes.withUnsafeBytes { decode($0, mapping: s.mapping) }
                if keys[0].count > 0 { insert(keys, count: keys[0].count) }
            }
            let n = table.count
            if n == 0 { continue }
            let g = table.keyColumns()[0]
            for i in 0..<n { counts[Int(g.ints[i])] += 1 }
        }
        table = makeGroupKeyTable(keyTypes: [.integer] + memberTypes)
        spills = []
        return Column(type: .bigint, ints: counts)
    }

    /// The key columns (group id, then the members) of the records in `raw`.
    private func decode(_ raw: UnsafeRawBufferPointer, mapping: [Int32]?) -> [Column] {
        var reader = SpillReader(bytes: raw)
        var groups: [Int64] = []
        var ints = Array(repeating: [Int64](), count: memberTypes.count)
        var doubles = Array(repeating: [Double](), count: memberTypes.count)
        var strings = memberTypes.map { _ in StringVectorBuilder() }
        var valid = Array(repeating: [UInt8](), count: memberTypes.count)
        while !reader.atEnd {
            let g = reader.read(Int32.self)
            groups.append(Int64(mapping.map { $0[Int(g)] } ?? g))
            for (m, t) in memberTypes.enumerated() {
                let ok = reader.read(UInt8.self)
                valid[m].append(ok)
                switch t {
                case .double: doubles[m].append(ok == 0 ? 0 : Double(bitPattern: reader.read(UInt64.self)))
                case .varchar:
                    if ok == 0 {
                        strings[m].appendNull()
                    } else {
                        let b = reader.readString()
                        strings[m].append(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: b.count)
                    }
                default: ints[m].append(ok == 0 ? 0 : reader.read(Int64.self))
                }
            }
        }
        var cols = [Column(type: .integer, ints: groups)]
        for (m, t) in memberTypes.enumerated() {
            let v: [UInt8]? = valid[m].contains(0) ? valid[m] : nil
            switch t {
            case .double: cols.append(Column(doubles: doubles[m], validity: v))
            case .varchar:
                cols.append(Column(views: strings[m].views, heaps: [strings[m].heap], validity: strings[m].validity))
            default: cols.append(Column(type: t, ints: ints[m], validity: v))
            }
        }
        return cols
    }
}
