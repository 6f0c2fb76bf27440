import KuaiCore

/// Evaluation once per distinct combination of input values, for expressions over two to four
/// columns that are each dictionary VARCHAR columns or integer columns with a small range in the
/// batch (g10: `upper(live_content_category) || '/' || CAST(live_type AS VARCHAR)`).
///
/// Each input column gets a small domain: a dictionary column its codes plus one NULL slot, an
/// integer column `min...max` of the batch plus one NULL slot. The expression is evaluated over
/// every combination of the domains (one row each, at most `limit` rows), and each row of the
/// batch takes the result of its combination by index. A VARCHAR result is a dictionary column
/// whose dictionary holds each distinct result once; the table is cached per expression by the
/// inputs' dictionaries and ranges, so every batch with the same domains shares one result
/// dictionary (GROUP BY and joins then work on codes). An error raised by a combination falls
/// back to evaluating the rows themselves (the combination may not occur in any row).
struct CombinationDomains: Equatable {
    /// One entry per input column, in `ScalarExpr.combinationColumns` order.
    enum Domain: Equatable {
        /// Codes `0..<count` of `dictionary`; slot `count` is NULL.
        case dictionary(ObjectIdentifier, count: Int)
        /// Values `min...max`; slot `max - min + 1` is NULL.
        case range(min: Int64, max: Int64)

        /// Slots including the NULL slot.
        var size: Int {
            switch self {
            case .dictionary(_, let n): return n + 1
            case .range(let lo, let hi): return Int(hi - lo) + 2
            }
        }
    }

    var domains: [Domain]

    /// Rows of the combination table.
    var product: Int { domains.reduce(1) { $0 * $1.size } }

    /// True when every value of `other` has a slot here: the same dictionaries, and ranges that
    /// contain `other`'s. A table built for these domains then serves a batch with `other`'s
    /// domains, its rows indexed by these domains (a range's NULL slot stays its last slot).
    func covers(_ other: CombinationDomains) -> Bool {
        guard domains.count == other.domains.count else { return false }
        for (a, b) in zip(domains, other.domains) {
            switch (a, b) {
            case (.dictionary, .dictionary): if a != b { return false }
            case (.range(let lo, let hi), .range(let l, let h)): if l < lo || h > hi { return false }
            default: return false
            }
        }
        return true
    }

    /// The largest combination table built for one expression.
    static let limit = 1 << 14

    /// The domains of `columns` in `batch`, or nil when a column is not a dictionary VARCHAR or
    /// a narrow integer column, or when the combinations would exceed `limit` (or the batch's
    /// row count when `requireSmall`).
    init?(_ batch: Batch, columns: [Int]) {
        var out: [Domain] = []
        var product = 1
        for c in columns {
            let col = batch.columns[c]
            let d: Domain
            if col.type == .varchar {
                guard let dict = col.dictionary else { return nil }
                d = .dictionary(ObjectIdentifier(dict), count: dict.count)
            } else if col.type.isIntegerStored, col.highs == nil {
                guard let r = CombinationDomains.range(col), r.max &- r.min < Int64(Self.limit) else { return nil }
                d = .range(min: r.min, max: r.max)
            } else {
                return nil
            }
            product *= d.size
            if product > Self.limit { return nil }
            out.append(d)
        }
        domains = out
    }

    /// Minimum and maximum of the valid rows (0...0 when none is valid); nil once they are more than
    /// `limit` apart (checked every 1,024 rows, so a wide column is given up early).
    static func range(_ c: Column) -> (min: Int64, max: Int64)? {
        var lo = Int64.max
        var hi = Int64.min
        let n = c.count
        let wide = c.ints.withUnsafeBufferPointer { x -> Bool in
            var start = 0
            while start < n {
                let end = Swift.min(n, start + 1024)
                if let v = c.validity {
                    for i in start..<end where v[i] != 0 {
                        lo = Swift.min(lo, x[i])
                        hi = Swift.max(hi, x[i])
                    }
                } else {
                    for i in start..<end {
                        lo = Swift.min(lo, x[i])
                        hi = Swift.max(hi, x[i])
                    }
                }
                if lo <= hi {
                    let span = hi.subtractingReportingOverflow(lo)
                    if span.overflow || span.partialValue >= Int64(limit) { return true }
                }
                start = end
            }
            return false
        }
        if wide { return nil }
        if lo > hi { return (0, 0) }
        return (lo, hi)
    }
}

extension DataType {
    /// True for types whose values live in `Column.ints` (not DOUBLE or VARCHAR).
    var isIntegerStored: Bool {
        switch self {
        case .boolean, .tinyint, .smallint, .integer, .bigint, .hugeint, .date, .timestamp, .timestamptz, .time,
            .interval:
            return true
        default: return false
        }
    }
}

/// The cached combination tables of one expression (a few domains; usually one).
final class CombinationCache: @unchecked Sendable {
    private let lock = Mutex()
    private var entries: [(domains: CombinationDomains, table: Column)] = []

    /// A cached table whose domains cover `d` (`CombinationDomains.covers`), with those domains.
    func lookup(_ d: CombinationDomains) -> (domains: CombinationDomains, table: Column)? {
        lock.withLock { entries.first { $0.domains.covers(d) } }
    }

    func store(_ d: CombinationDomains, _ table: Column) {
        lock.withLock {
            if entries.count >= 8 { entries.removeFirst() }
            entries.append((d, table))
        }
    }
}

extension ScalarExpr {
    /// The expression evaluated per combination of its inputs' values (see
    /// `CombinationDomains`), or nil when the batch's columns do not allow it.
    func evaluateOverCombinations(_ batch: Batch, columns: [Int]) -> Column? {
        guard var domains = CombinationDomains(batch, columns: columns) else { return nil }
        let table: Column
        if let cached = combinationCache.lookup(domains) {
            (domains, table) = cached
        } else {
            // Building the table costs `product` evaluations: only when the batch is larger.
            guard domains.product <= Swift.max(batch.count, 1024),
                let t = try? combinationTable(batch, columns: columns, domains)
            else { return nil }
            combinationCache.store(domains, t)
            table = t
        }
        if columns.count == 1, case .range(let lo, _) = domains.domains[0],
            let out = Self.gatherByValue(batch.columns[columns[0]], lo: lo, table)
        {
            return out
        }
        let index = combinationIndex(batch, columns: columns, domains)
        var out = index.withUnsafeBufferPointer { table.gather($0) }
        if let v = out.validity, !v.contains(0) { out.validity = nil }
        return out
    }

    /// The rows of a one-column range table (`lo` = its first value) taken straight by value,
    /// `table[x - lo]`, without an index array: when `col` has no NULL and the table holds
    /// integers, doubles or dictionary codes, valid at every value (only its NULL slot, the last,
    /// is NULL). Nil otherwise (the caller gathers by `combinationIndex`).
    /// - Precondition: the table's range covers every value of `col`.
    static func gatherByValue(_ col: Column, lo: Int64, _ table: Column) -> Column? {
        guard col.validity == nil, table.highs == nil, table.count > 0 else { return nil }
        if let v = table.validity, v[0..<(table.count - 1)].contains(0) { return nil }
        let n = col.count
        return col.ints.withUnsafeBufferPointer { x -> Column? in
            func take<T>(_ values: [T]) -> [T] {
                values.withUnsafeBufferPointer { t in
                    [T](unsafeUninitializedCapacity: n) { out, made in
                        for i in 0..<n { out.initializeElement(at: i, to: t[Int(truncatingIfNeeded: x[i] &- lo)]) }
                        made = n
                    }
                }
            }
            if let d = table.dictionary { return Column(codes: take(table.codes), dictionary: d) }
            if table.type == .double { return Column(doubles: take(table.doubles)) }
            if table.type.isIntegerStored { return Column(type: table.type, ints: take(table.ints)) }
            return nil
        }
    }

    /// One row per combination (the first column varies slowest); VARCHAR in dictionary form.
    func combinationTable(_ batch: Batch, columns: [Int], _ d: CombinationDomains) throws -> Column {
        let rows = d.product
        var cols = [Column](repeating: Column.placeholder, count: batch.columns.count)
        var stride = rows
        for (k, c) in columns.enumerated() {
            let size = d.domains[k].size
            stride /= size
            var validity = [UInt8](repeating: 1, count: rows)
            var slots = [Int64](repeating: 0, count: rows)
            for r in 0..<rows {
                let s = (r / stride) % size
                if s == size - 1 { validity[r] = 0 } else { slots[r] = Int64(s) }
            }
            switch d.domains[k] {
            case .dictionary:
                let src = batch.columns[c]
                cols[c] = Column(codes: slots.map { Int32($0) }, dictionary: src.dictionary!, validity: validity)
            case .range(let lo, _):
                cols[c] = Column(type: batch.columns[c].type, ints: slots.map { $0 &+ lo }, validity: validity)
            }
        }
        let result = materialize(try evalDirect(Batch(columns: cols, count: rows), dictMode: false), count: rows)
        return result.type == .varchar ? result.dictionaryEncoded() : result
    }

    /// Each row's combination number (row of `combinationTable`).
    func combinationIndex(_ batch: Batch, columns: [Int], _ d: CombinationDomains) -> [Int32] {
        let n = batch.count
        var index = [Int32](repeating: 0, count: n)
        var stride = d.product
        index.withUnsafeMutableBufferPointer { out in
            for (k, c) in columns.enumerated() {
                let size = d.domains[k].size
                stride /= size
                let col = batch.columns[c]
                let nullSlot = Int32(size - 1)
                let st = Int32(stride)
                switch d.domains[k] {
                case .dictionary:
                    col.codes.withUnsafeBufferPointer { x in
                        if let v = col.validity {
                            for i in 0..<n { out[i] &+= (v[i] != 0 ? x[i] : nullSlot) &* st }
                        } else {
                            for i in 0..<n { out[i] &+= x[i] &* st }
                        }
                    }
                case .range(let lo, _):
                    col.ints.withUnsafeBufferPointer { x in
                        if let v = col.validity {
                            for i in 0..<n {
                                out[i] &+= (v[i] != 0 ? Int32(truncatingIfNeeded: x[i] &- lo) : nullSlot) &* st
                            }
                        } else {
                            for i in 0..<n { out[i] &+= Int32(truncatingIfNeeded: x[i] &- lo) &* st }
                        }
                    }
                }
            }
        }
        return index
    }
}
