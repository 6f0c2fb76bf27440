import KuaiCore

/// A join's key filter for the rows of its other input (sideways information passing, as the
/// runtime filters of Spark and Impala, or DuckDB's join filter pushdown).
///
/// When a hash join has read one input in full, every key the other input may match is known.
/// For the join types where an unmatched row of the other input never reaches the output (an
/// inner join either way; the right input of LEFT, SEMI and ANTI joins; the left input of RIGHT
/// and SEMI joins), rows whose key is not among them can be dropped anywhere below the join, as
/// long as only operators that keep a row or drop it by its key lie between (`PhysicalPlanner`
/// places the filter at the scan, below aggregates, DISTINCT, sorts and windows on that key).
/// That is where it pays: an aggregate below the join then builds only the groups the join
/// can use.
///
/// The filter holds the range [lo, hi] of the published keys and a `KeyBitFilter` of them (64
/// bits per key up to 2^19 keys, else 16). A row passes when its key is in range and its bit is
/// set; NULL keys never pass. Before `publish` (and once it turned itself off) every row passes,
/// so a filter that is never published only costs its evaluation. The filter turns itself off
/// when, after 2^18 rows, more than 7/8 of them passed: then it only costs time.
///
/// Keys are integer-stored values of one type (BOOLEAN, INTEGER, BIGINT, DATE, TIMESTAMP, DECIMAL
/// up to 18 digits) on both sides, compared as Int64 the way the join table compares them.
public final class JoinKeyFilter: @unchecked Sendable {
    /// The key type of both sides.
    public let keyType: DataType
    /// Set by the planner when it placed the filter below the join (else the join need not
    /// publish it).
    public var isPlaced = false
    private let lock = Mutex()
    /// Set once by `publish`, before the filtered input is read (the join reads that input only
    /// afterwards); the lock guards them and the pass counts, which every thread updates.
    private var bits: KeyBitFilter?
    private var lo = Int64.max
    private var hi = Int64.min
    private var active = true
    private var seen = 0
    private var passed = 0

    /// Rows seen before the filter may judge itself useless.
    static let trialRows = 1 << 18

    public init(keyType: DataType) { self.keyType = keyType }

    /// Whether a join key of type `t` on both sides can carry a filter: one Int64 a value
    /// (`PackedJoinKeys.packable`).
    public static func supports(_ t: DataType) -> Bool { PackedJoinKeys.packable(t) }

    /// Publishes the valid keys among the first `n` rows of `keys` (a column of `keyType`).
    public func publish(_ keys: Column, count n: Int) {
        guard keys.highs == nil else { return }
        // no valid key: an empty range, which no row passes
        let (lo, hi) = valueRange(keys, count: n) ?? (Int64.max, Int64.min)
        lock.withLock {
            self.lo = lo
            self.hi = hi
            // 64 bits a key (about 1.5% of absent keys pass) while that fits in 4 MiB, else 16
            self.bits = KeyBitFilter(keys, count: n, bitsPerKey: n <= 1 << 19 ? 64 : 16)
        }
    }

    /// The BOOLEAN column of which of the first `n` rows of `keys` may match (never NULL), or nil
    /// when every row passes (not published, or turned off).
    func passing(_ keys: Column, count n: Int) -> Column? {
        let (bits, lo, hi, on) = lock.withLock { (self.bits, self.lo, self.hi, self.active) }
        guard on, let bits, keys.highs == nil else { return nil }
        let (mask, kept) = bits.mask(keys, count: n, lo: lo, hi: hi)
        count(seen: n, passed: kept)
        return Column(type: .boolean, ints: mask)
    }

    /// Counts rows tested and passed; turns the filter off once, after `trialRows`, more than 7/8
    /// of them passed.
    private func count(seen n: Int, passed kept: Int) {
        lock.withLock {
            seen += n
            passed += kept
            if seen >= Self.trialRows && passed > seen - seen / 8 { active = false }
        }
    }

    /// The rows among `rows` (nil = the first `n`) of `keys` that may match, ascending, or nil when
    /// every row passes (not published, or turned off): `passing` as a selection.
    func selecting(_ keys: Column, count n: Int, rows: [Int32]?) -> [Int32]? {
        let (bits, lo, hi, on) = lock.withLock { (self.bits, self.lo, self.hi, self.active) }
        guard on, let bits, keys.highs == nil else { return nil }
        let kept = bits.select(keys, count: n, rows: rows, lo: lo, hi: hi)
        count(seen: rows?.count ?? n, passed: kept.count)
        return kept
    }

    /// The predicate `column` passes this filter, over a batch whose column `column` has the key
    /// type (a conjunct for `TableScan` or `FilterSource`). It reads `name(column)` in EXPLAIN.
    public func predicate(column: Int, columnName: String) -> ScalarExpr {
        var f = ScalarFunction("join_key_filter", [keyType], .boolean, deterministic: false) { args, _, n, _ in
            guard case .column(let keys) = args[0], let pass = self.passing(keys, count: n) else {
                return .scalar(.bool(true))
            }
            return .column(pass)
        }
        f.selectRows = { keys, n, rows in self.selecting(keys, count: n, rows: rows) }
        let arg = ScalarExpr(.column(column), type: keyType, name: columnName)
        return ScalarExpr(.function(f, [arg]), type: .boolean, name: "join_key_filter(\(columnName))")
    }
}
