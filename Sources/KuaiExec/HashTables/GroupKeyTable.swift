import KuaiCore

/// Maps multi-column keys to dense group ids 0, 1, 2, ... in order of first appearance: the hash
/// table of hash aggregate, DISTINCT, set operations and join builds.
///
/// NULL is an ordinary key value here (GROUP BY puts all NULLs in one group); `find` decides
/// whether NULL keys match. DOUBLE keys compare with -0.0 = 0.0 and NaN = NaN. VARCHAR keys
/// compare by string value: codes of any dictionary are interned into the table's own
/// dictionary once per distinct code (`StringInterner`), so rows hash codes, not strings.
/// HUGEINT keys compare by their 128-bit value.
///
/// One implementation per key shape, chosen once by `makeGroupKeyTable(keyTypes:)`:
/// - no key: `NoKeyTable` (every row is group 0);
/// - one integer-stored key: `IntKeyTable` (a direct array over dense keys, else hashed);
/// - one VARCHAR key: `StringKeyTable` (interned code -> id, no hashing);
/// - 2-6 integer-stored / VARCHAR keys: `PackedKeyTable` (the keys packed into one word while
///   their values span small ranges, then `GeneralKeyTable`);
/// - any other shape (DOUBLE keys, more keys): `GeneralKeyTable` (row-major key words, hashed);
/// - any shape with HUGEINT or DECIMAL(p > 18) keys: `HugeintKeyTable` (each such key as two BIGINT words).
/// Callers hold `any GroupKeyTable` and call it once per batch; the row loops inside each table
/// are specialised for its layout.
///
/// Not thread-safe for inserts: use one table per thread and merge by inserting `keyColumns()`.
/// `find` only reads and is safe from several threads, each with its own lookup interner.
protocol GroupKeyTable: AnyObject {
    /// The key types the table was made for.
    var keyTypes: [DataType] { get }
    /// Number of distinct keys (= next group id).
    var count: Int { get }
    /// The interner VARCHAR keys are interned with; its `target` holds every string key once.
    var interner: StringInterner { get }
    /// The layout the table uses now (tests, EXPLAIN ANALYZE).
    var layout: GroupKeyLayout { get }

    /// Sizes the table for `n` distinct keys in all, so inserting them never rehashes.
    func reserve(_ n: Int)

    /// Writes the group id of each of the first `rowCount` rows of `keys` into `ids`, adding new
    /// keys with the next ids. `keys[c]` must have type `keyTypes[c]` (any integer-stored type
    /// compares by its Int64 value; VARCHAR of any dictionary compares by string).
    /// - Parameters:
    ///   - keys: one column per key, each with at least `rowCount` rows.
    ///   - ids: at least `rowCount` entries.
    func findOrInsert(_ keys: [Column], rowCount: Int, into ids: UnsafeMutableBufferPointer<Int32>)

    /// Writes the group id of each row's key, or -1 when the key is absent. A row with a NULL
    /// in any key column gets -1 unless `nullsMatch` (then NULL equals NULL, as in GROUP BY).
    /// - Parameter interner: a lookup interner over this table's strings (`makeLookupInterner()`
    ///   for other threads, or `interner` from the inserting thread).
    func find(
        _ keys: [Column], rowCount: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>,
        interner: StringInterner)

    /// The distinct keys in id order: one column per key of `keyTypes`, `count` rows.
    /// VARCHAR keys point into the table's own dictionary (each string once).
    func keyColumns() -> [Column]

    /// Bytes the table would allocate to take `n` more keys (0 when they fit in what it holds,
    /// or when the layout does not say): a spilling operator stops before a growth step that
    /// would pass the memory limit.
    func growthBytes(adding n: Int) -> Int
}

/// The layouts of the `GroupKeyTable` implementations.
enum GroupKeyLayout: Sendable, Hashable {
    /// No key column: one group.
    case none
    /// One integer key indexing an array over the key span.
    case intDirect
    /// One integer key, hashed.
    case intHashed
    /// One VARCHAR key: interned code -> id.
    case string
    /// Keys packed into one word, indexed by an array over the packed span.
    case packedDirect
    /// Keys packed into one word, hashed.
    case packedHashed
    /// Row-major key words, hashed.
    case general
}

extension GroupKeyTable {
    func growthBytes(adding n: Int) -> Int { 0 }

    /// `find` from the inserting thread (with the table's own interner).
    func find(_ keys: [Column], rowCount: Int, nullsMatch: Bool, into ids: UnsafeMutableBufferPointer<Int32>) {
        find(keys, rowCount: rowCount, nullsMatch: nullsMatch, into: ids, interner: interner)
    }

    /// A lookup interner over this table's strings, for `find` from other threads (one each).
    func makeLookupInterner() -> StringInterner { StringInterner(target: interner.target) }
}

/// The table for keys of `keyTypes` (may be empty), its layout chosen by the key shape (see
/// `GroupKeyTable`).
/// - Precondition: at most 63 key columns (64 with HUGEINT keys counted twice).
/// The table that follows `old` (same key types) once `old`'s groups were set aside: a table that
/// had moved to the general layout is followed by a general one sized for as many groups (the
/// keys did not pack before; a packed table would hash 65536 groups and then move them), any
/// other by a fresh `makeGroupKeyTable`.
func makeGroupKeyTable(following old: any GroupKeyTable) -> any GroupKeyTable {
    guard old.layout == .general, !old.keyTypes.contains(.interval) else {
        return makeGroupKeyTable(keyTypes: old.keyTypes)
    }
    let table = GeneralKeyTable(keyTypes: old.keyTypes)
    table.reserve(old.count)
    return table
}

func makeGroupKeyTable(keyTypes: [DataType]) -> any GroupKeyTable {
    if keyTypes.contains(.interval) { return IntervalKeyTable(keyTypes: keyTypes) }
    if keyTypes.contains(where: \.mayBeWide) { return HugeintKeyTable(keyTypes: keyTypes) }
    precondition(keyTypes.count < 64, "GroupKeyTable: at most 63 key columns")
    switch keyTypes.count {
    case 0: return NoKeyTable()
    case 1 where keyTypes[0] == .varchar: return StringKeyTable()
    case 1 where keyTypes[0] != .double: return IntKeyTable(keyType: keyTypes[0])
    case PackedKeyTable.keyCounts where !keyTypes.contains(.double): return PackedKeyTable(keyTypes: keyTypes)
    default: return GeneralKeyTable(keyTypes: keyTypes)
    }
}
