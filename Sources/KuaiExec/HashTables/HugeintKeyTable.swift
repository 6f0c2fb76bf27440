import KuaiCore

/// The `GroupKeyTable` of key shapes with HUGEINT keys: each HUGEINT key is split into two BIGINT
/// keys (high word, then low word: `splitHugeintKeys`) for a table over the split shape
/// (`makeGroupKeyTable`), so that 128-bit values group exactly; `keyColumns()` joins them back.
final class HugeintKeyTable: GroupKeyTable {
    let keyTypes: [DataType]
    private let split: any GroupKeyTable

    init(keyTypes: [DataType]) {
        self.keyTypes = keyTypes
        split = makeGroupKeyTable(keyTypes: splitKeyTypes(keyTypes))
    }

    var count: Int { split.count }
    var interner: StringInterner { split.interner }
    var layout: GroupKeyLayout { split.layout }

    func reserve(_ n: Int) { split.reserve(n) }

    func findOrInsert(_ keys: [Column], rowCount: Int, into ids: UnsafeMutableBufferPointer<Int32>) {
        split.findOrInsert(splitHugeintKeys(keys, keyTypes), rowCount: rowCount, into: ids)
    }

    func find(
        _ keys: [Column], rowCount: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner
    ) {
        split.find(
            splitHugeintKeys(keys, keyTypes), rowCount: rowCount, nullsMatch: nullsMatch, into: ids, interner: interner)
    }

    func keyColumns() -> [Column] { joinHugeintKeys(split.keyColumns(), keyTypes) }
}

/// Key types with every HUGEINT key (and DECIMAL wider than 18 digits) split into two BIGINT keys (high word, then low word), so
/// that hash tables over 64-bit key words (`GroupKeyTable`) group 128-bit values exactly.
func splitKeyTypes(_ types: [DataType]) -> [DataType] {
    guard types.contains(where: \.mayBeWide) else { return types }
    return types.flatMap { $0.mayBeWide ? [DataType.bigint, .bigint] : [$0] }
}

/// Key columns split as `splitKeyTypes(types)` describes (other columns pass through).
func splitHugeintKeys(_ cols: [Column], _ types: [DataType]) -> [Column] {
    guard types.contains(where: \.mayBeWide) else { return cols }
    var out: [Column] = []
    out.reserveCapacity(cols.count + 1)
    for (c, t) in zip(cols, types) {
        guard t.mayBeWide else {
            out.append(c)
            continue
        }
        if c.type == .null {
            out.append(c)
            out.append(c)
        } else {
            out.append(Column(type: .bigint, ints: c.highs ?? c.ints.map { $0 >> 63 }, validity: c.validity))
            out.append(Column(type: .bigint, ints: c.ints, validity: c.validity))
        }
    }
    return out
}

/// The inverse of `splitHugeintKeys`: (high, low) BIGINT pairs back into HUGEINT columns
/// (narrow when every value fits Int64).
func joinHugeintKeys(_ cols: [Column], _ types: [DataType]) -> [Column] {
    guard types.contains(where: \.mayBeWide) else { return cols }
    var out: [Column] = []
    var j = 0
    for t in types {
        guard t.mayBeWide else {
            out.append(cols[j])
            j += 1
            continue
        }
        let hi = cols[j]
        let lo = cols[j + 1]
        j += 2
        var c = Column(
            type: t, ints: lo.type == .null ? [Int64](repeating: 0, count: lo.count) : lo.ints,
            validity: lo.type == .null ? [UInt8](repeating: 0, count: lo.count) : lo.validity)
        if hi.type != .null && lo.type != .null {
            c.highs = hi.ints
            c = c.narrowedIfPossible()
        }
        out.append(c)
    }
    return out
}
