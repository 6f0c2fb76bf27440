import KuaiCore

/// A `GroupKeyTable` over keys with INTERVAL columns: DuckDB groups, joins and deduplicates
/// intervals by their comparison key (`IntervalValue.normalizedKey`: `INTERVAL 36 HOUR` and
/// `INTERVAL '1 day 12 hours'` are one group), and a group shows the first interval seen in it.
///
/// The table hashes each INTERVAL key column as the HUGEINT of its comparison key in an inner
/// table (`makeGroupKeyTable` over the other types), and keeps, per group, the INTERVAL value of
/// the row that created it (microseconds and high word, `IntervalValue`), for `keyColumns()`.
final class IntervalKeyTable: GroupKeyTable {
    let keyTypes: [DataType]
    private let inner: any GroupKeyTable
    /// The key columns that are INTERVAL.
    private let intervalColumns: [Int]
    /// Per INTERVAL key column: the first value of each group (microseconds, high words, validity).
    private var micros: [[Int64]]
    private var highs: [[Int64]]
    private var valid: [[UInt8]]

    init(keyTypes: [DataType]) {
        self.keyTypes = keyTypes
        inner = makeGroupKeyTable(keyTypes: keyTypes.map { $0 == .interval ? .hugeint : $0 })
        intervalColumns = keyTypes.indices.filter { keyTypes[$0] == .interval }
        micros = intervalColumns.map { _ in [] }
        highs = intervalColumns.map { _ in [] }
        valid = intervalColumns.map { _ in [] }
    }

    /// An INTERVAL column as the HUGEINT of its comparison keys (the microseconds themselves when
    /// no row has months or days); other columns unchanged.
    static func comparable(_ c: Column) -> Column {
        guard c.type == .interval else { return c }
        guard c.highs != nil, case .column(let k) = Kernels.intervalKeys(.column(c)) else {
            var out = c
            out.type = .hugeint
            return out
        }
        return k
    }

    var count: Int { inner.count }
    var interner: StringInterner { inner.interner }
    var layout: GroupKeyLayout { inner.layout }
    func reserve(_ n: Int) { inner.reserve(n) }
    func growthBytes(adding n: Int) -> Int { inner.growthBytes(adding: n) }

    func findOrInsert(_ keys: [Column], rowCount: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        let before = inner.count
        inner.findOrInsert(keys.map(IntervalKeyTable.comparable), rowCount: rowCount, into: ids)
        guard inner.count > before else { return }
        // new ids are dense and in order of first appearance: the row that first has id k is the
        // first row with id >= the number recorded so far
        for (slot, c) in intervalColumns.enumerated() {
            let col = keys[c]
            for r in 0..<rowCount where Int(ids[r]) == micros[slot].count {
                let v = col.isValid(r) ? col.interval(at: r) : IntervalValue()
                micros[slot].append(v.micros)
                highs[slot].append(v.high)
                valid[slot].append(col.isValid(r) ? 1 : 0)
            }
        }
    }

    func find(
        _ keys: [Column], rowCount: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        inner.find(
            keys.map(IntervalKeyTable.comparable), rowCount: rowCount, nullsMatch: nullsMatch, into: ids,
            interner: interner)
    }

    func keyColumns() -> [Column] {
        var cols = inner.keyColumns()
        for (slot, c) in intervalColumns.enumerated() {
            let v = valid[slot].contains(0) ? valid[slot] : nil
            var col = Column(type: .interval, ints: micros[slot], validity: v)
            if zip(micros[slot], highs[slot]).contains(where: { $0.1 != $0.0 >> 63 }) { col.highs = highs[slot] }
            cols[c] = col
        }
        return cols
    }
}
