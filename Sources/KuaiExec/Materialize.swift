import KuaiCore

/// Appends batches of one column into contiguous storage (sort, window, join build, CTEs).
///
/// VARCHAR: while every appended batch shares one dictionary the codes are copied as they are;
/// when a second dictionary appears the builder switches to a fresh dictionary of its own and
/// translates codes (once per distinct code per dictionary, `OpsStringInterner`).
public struct ColumnBuilder {
    public let type: DataType
    public private(set) var count: Int = 0
    private var ints: [Int64] = []
    private var doubles: [Double] = []
    private var codes: [Int32] = []
    private var dictionary: StringDictionary?
    private var interner: OpsStringInterner?
    private var validity: [UInt8]? = nil

    public init(type: DataType) { self.type = type }

    /// Reserves room for `n` more rows.
    public mutating func reserve(_ n: Int) {
        switch type {
        case .double: doubles.reserveCapacity(count + n)
        case .varchar: codes.reserveCapacity(count + n)
        default: ints.reserveCapacity(count + n)
        }
    }

    private mutating func appendValidity(_ col: Column, rows: Int) {
        if let v = col.validity {
            if validity == nil { validity = [UInt8](repeating: 1, count: count) }
            validity!.append(contentsOf: v[0..<rows])
        } else if col.type == .null {
            if validity == nil { validity = [UInt8](repeating: 1, count: count) }
            validity!.append(contentsOf: repeatElement(0, count: rows))
        } else if validity != nil {
            validity!.append(contentsOf: repeatElement(1, count: rows))
        }
    }

    private mutating func appendCodes(_ col: Column, rows n: Int) {
        let dict = col.dictionary ?? StringDictionary()
        if interner == nil {
            if dictionary == nil { dictionary = dict }
            if dictionary === dict {
                codes.append(contentsOf: col.codes[0..<n])
                return
            }
            // A second dictionary: move the codes so far into a dictionary of our own.
            let own = OpsStringInterner()
            let old = codes
            var translated = [Int32](repeating: 0, count: old.count)
            old.withUnsafeBufferPointer { src in
                translated.withUnsafeMutableBufferPointer { dst in
                    if let v = validity {
                        v.withUnsafeBufferPointer { own.intern(src, dictionary: dictionary!, validity: $0, into: dst) }
                    } else {
                        own.intern(src, dictionary: dictionary!, validity: nil, into: dst)
                    }
                }
            }
            codes = translated
            interner = own
            dictionary = own.target
        }
        let start = codes.count
        codes.append(contentsOf: repeatElement(0, count: n))
        col.codes.withUnsafeBufferPointer { src in
            let s = UnsafeBufferPointer(rebasing: src[0..<n])
            codes.withUnsafeMutableBufferPointer { dst in
                let d = UnsafeMutableBufferPointer(rebasing: dst[start..<start + n])
                if let v = col.validity {
                    v.withUnsafeBufferPointer { interner!.intern(s, dictionary: dict, validity: UnsafeBufferPointer(rebasing: $0[0..<n]), into: d) }
                } else {
                    interner!.intern(s, dictionary: dict, validity: nil, into: d)
                }
            }
        }
    }

    /// Appends the first `rows` rows of `col` (all rows by default). `col.type` must use the
    /// same storage as `type` (a NULL-typed column is accepted and appends NULLs).
    public mutating func append(_ col: Column, rows: Int? = nil) {
        let n = rows ?? col.count
        if n == 0 { return }
        appendValidity(col, rows: n)
        if col.type == .null && type != .null {
            switch type {
            case .double: doubles.append(contentsOf: repeatElement(0, count: n))
            case .varchar:
                if dictionary == nil { dictionary = StringDictionary() }
                codes.append(contentsOf: repeatElement(0, count: n))
            default: ints.append(contentsOf: repeatElement(0, count: n))
            }
        } else {
            switch type {
            case .double: doubles.append(contentsOf: col.doubles[0..<n])
            case .varchar: appendCodes(col, rows: n)
            default: ints.append(contentsOf: col.ints[0..<n])
            }
        }
        count += n
    }

    /// Appends `n` NULLs.
    public mutating func appendNulls(_ n: Int) {
        append(Column.nulls(.null, count: n))
    }

    /// The column built so far (`count` rows); the builder keeps its contents.
    public func build() -> Column {
        var v = validity
        if let vv = v, !vv.contains(0) { v = nil }
        switch type {
        case .double: return Column(doubles: doubles, validity: v)
        case .varchar: return Column(codes: codes, dictionary: dictionary ?? StringDictionary(), validity: v)
        default: return Column(type: type, ints: ints, validity: v)
        }
    }

    /// The column built so far; empties the builder (avoids a copy of the storage).
    public mutating func take() -> Column {
        let c = build()
        ints = []; doubles = []; codes = []; validity = nil; count = 0
        dictionary = nil; interner = nil
        return c
    }
}

/// Accumulates whole batches of one schema into contiguous columns.
public struct BatchCollector {
    public let schema: Schema
    public private(set) var count: Int = 0
    private var builders: [ColumnBuilder]

    public init(schema: Schema) {
        self.schema = schema
        builders = schema.map { ColumnBuilder(type: $0.type) }
    }

    public mutating func append(_ batch: Batch) {
        for c in 0..<builders.count { builders[c].append(batch.columns[c], rows: batch.count) }
        count += batch.count
    }

    /// The columns collected (each `count` rows); empties the collector.
    public mutating func take() -> [Column] {
        let cols = (0..<builders.count).map { builders[$0].take() }
        count = 0
        return cols
    }
}

/// Pulls every batch of `op` into contiguous columns (one per schema column, `count` rows).
/// - Throws: whatever `op.next()` throws.
public func materializeColumns(_ op: PhysicalOperator) throws -> (columns: [Column], count: Int) {
    var collector = BatchCollector(schema: op.schema)
    while let b = try op.next() { collector.append(b) }
    let n = collector.count
    return (collector.take(), n)
}

/// Pulls every batch of `op` into a `MemoryTable` (CTE results that several readers scan).
public func materializeTable(_ op: PhysicalOperator, name: String) throws -> MemoryTable {
    var batches: [Batch] = []
    while let b = try op.next() { batches.append(b) }
    return MemoryTable(name: name, schema: op.schema, batches: batches)
}

/// Replays a fixed list of batches (tests, materialised CTEs, results computed in memory).
/// Empty batches are skipped.
public final class BatchReplayOperator: PhysicalOperator {
    public let schema: Schema
    private let batches: [Batch]
    private var position = 0
    private let label: String

    public init(schema: Schema, batches: [Batch], label: String = "Replay") {
        self.schema = schema
        self.batches = batches.filter { $0.count > 0 }
        self.label = label
    }

    /// Replays `columns` (all of `count` rows) in batches of at most `batchSize` rows.
    public convenience init(schema: Schema, columns: [Column], count: Int, batchSize: Int = 65536, label: String = "Replay") {
        var batches: [Batch] = []
        var start = 0
        while start < count {
            let end = min(count, start + batchSize)
            if start == 0 && end == count {
                batches.append(Batch(columns: columns, count: count))
            } else {
                batches.append(Batch(columns: columns.map { $0.slice(start..<end) }, count: end - start))
            }
            start = end
        }
        self.init(schema: schema, batches: batches, label: label)
    }

    public func next() throws -> Batch? {
        guard position < batches.count else { return nil }
        position += 1
        return batches[position - 1]
    }

    public var explainLine: String { "\(label) rows=\(batches.reduce(0) { $0 + $1.count })" }
    public var children: [PhysicalOperator] { [] }
}
