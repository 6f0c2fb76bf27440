import KuaiCore

/// Several integer-stored join keys packed into one BIGINT, so that a multi-column join uses the
/// single-key lookups of `JoinHashTable` (a direct array over a small packed span, or an
/// `IntKeyTable` whose slots hold the key itself: one cache miss per probe instead of a slot and
/// then a stored key row). The layout comes from the build side: key column c holds
/// `value - lo[c]` in `bits[c]` bits at `shift[c]`, where [lo, hi] is the range of the column's
/// non-NULL build values (exact, since the build rows are all known).
///
/// A probe row with a NULL key, or a value outside its column's build range, cannot match any
/// build row: its packed key is NULL. Packing is chosen only when every key column is a narrow
/// integer-stored type (not DOUBLE, VARCHAR, INTERVAL, HUGEINT or DECIMAL wider than 18 digits)
/// and the fields fit 62 bits together.
struct PackedJoinKeys {
    /// Per key column: the smallest non-NULL build value, the field's shift and its largest
    /// value (`hi - lo`).
    let lo: [Int64]
    let shift: [UInt64]
    let span: [UInt64]

    /// The layout for the build key columns `keys` (`count` rows), or nil when they do not pack.
    init?(_ keys: [Column], count: Int) {
        guard keys.count >= 2, keys.allSatisfy({ Self.packable($0.type) }) else { return nil }
        var lo: [Int64] = []
        var span: [UInt64] = []
        for col in keys {
            guard let r = valueRange(col, count: count) else { return nil }  // every value NULL
            let width = r.hi.subtractingReportingOverflow(r.lo)
            if width.overflow { return nil }
            lo.append(r.lo)
            span.append(UInt64(width.partialValue))
        }
        var shift: [UInt64] = []
        var at: UInt64 = 0
        for s in span {
            shift.append(at)
            at += UInt64(64 - s.leadingZeroBitCount)
            if at > 62 { return nil }
        }
        self.lo = lo
        self.shift = shift
        self.span = span
    }

    /// True for the types whose values are one Int64 each (`Column.ints`).
    static func packable(_ t: DataType) -> Bool {
        switch t {
        case .double, .varchar, .null, .interval, .hugeint: return false
        default: return !t.mayBeWide
        }
    }

    /// The packed key of each of the first `n` rows of `keys` (one column per key column, the
    /// build's types) as a BIGINT column: NULL where some key is NULL or outside its build range.
    /// Large inputs are packed in `threads` runs of rows at once.
    func pack(_ keys: [Column], count n: Int, threads: Int = 1) -> Column {
        let parts = n >= 1 << 18 ? max(1, threads) : 1
        var invalid = [Bool](repeating: false, count: parts)
        var valid: [UInt8] = []
        // written once, by the threads (no zero-fill pass first)
        let packed = [Int64](unsafeUninitializedCapacity: n) { pk, packedCount in
            valid = [UInt8](unsafeUninitializedCapacity: n) { ok, validCount in
                invalid.withUnsafeMutableBufferPointer { bad in
                    let out = UncheckedBox((pk, ok, bad))
                    PartitionedKeyMerge.forEachPartition(parts, threads: parts) { t in
                        let rows = (t * n / parts)..<((t + 1) * n / parts)
                        out.value.2[t] = pack(keys, rows, out.value.0, out.value.1)
                    }
                }
                validCount = n
            }
            packedCount = n
        }
        return Column(type: .bigint, ints: packed, validity: invalid.contains(true) ? valid : nil)
    }

    /// Packs rows `rows` of `keys` into `pk` and sets `ok` (both uninitialised there) to 0 where a
    /// row cannot match, else 1; true when some row cannot.
    private func pack(
        _ keys: [Column], _ rows: Range<Int>, _ pk: UnsafeMutableBufferPointer<Int64>,
        _ ok: UnsafeMutableBufferPointer<UInt8>
    ) -> Bool {
        var anyInvalid = false
        for i in rows {
            pk[i] = 0
            ok[i] = 1
        }
        for c in keys.indices {
            let (l, sh, s) = (lo[c], shift[c], span[c])
            keys[c].ints.withUnsafeBufferPointer { x in
                for i in rows {
                    let f = UInt64(bitPattern: x[i] &- l)
                    let inRange = f <= s
                    ok[i] &= inRange ? 1 : 0
                    pk[i] |= Int64(bitPattern: (inRange ? f : 0) << sh)
                }
            }
            if let v = keys[c].validity {
                v.withUnsafeBufferPointer { v in for i in rows { ok[i] &= v[i] } }
            }
        }
        for i in rows where ok[i] == 0 {
            pk[i] = 0
            anyInvalid = true
        }
        return anyInvalid
    }
}
