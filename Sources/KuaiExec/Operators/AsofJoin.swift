import KuaiCore

/// DuckDB's ASOF join: each left row joins the one right row whose equality keys match and whose
/// order value is the nearest one satisfying `left.order op right.order` (`>=`, `>`: the largest
/// right value not above, or below, the left one; `<=`, `<`: the smallest not below, or above). An
/// INNER ASOF join drops left rows without such a row, a LEFT one keeps them with NULL right
/// columns. NULL keys and NULL order values never match.
///
/// Input layout: the last `keyCount + 1` columns of each input are its equality keys (in pairs, of
/// the same types on both sides) and then its order value (of one type on both sides). Output:
/// every left column, then every right column.
///
/// Method (no per-row hashing or boxing): both inputs are materialised; the keys and order values
/// of all rows of both sides are concatenated and sorted once by (keys, order, side), the side
/// breaking ties so that a right row of an equal order value comes first when it qualifies (`>=`,
/// `<=`) and after the left row when it does not (`>`, `<`); for `<=` and `<` the order sorts
/// descending. One pass over the sorted rows then remembers the last qualifying right row of the
/// current key group for each left row. Ties among right rows of equal keys and order pick one
/// of them (DuckDB leaves that choice open too).
public final class AsofJoinOperator: PhysicalOperator {
    private let left: PhysicalOperator
    private let right: PhysicalOperator
    private let keyCount: Int
    private let op: CompareOp
    private let keepUnmatched: Bool
    public let schema: Schema
    private var output: [Batch]? = nil
    private var nextBatch = 0

    /// - Parameters:
    ///   - keyCount: the number of equality keys before the order column at the end of each input.
    ///   - op: the inequality `left.order op right.order` (`>=`, `>`, `<=` or `<`).
    ///   - keepUnmatched: LEFT ASOF JOIN (unmatched left rows kept with NULL right columns).
    public init(left: PhysicalOperator, right: PhysicalOperator, keyCount: Int, op: CompareOp, keepUnmatched: Bool) {
        self.left = left
        self.right = right
        self.keyCount = keyCount
        self.op = op
        self.keepUnmatched = keepUnmatched
        schema = left.schema + right.schema
    }

    public var explainLine: String {
        "AsofJoin \(keepUnmatched ? "LEFT" : "INNER") keys=\(keyCount) order=\(op.rawValue)"
    }
    public var children: [PhysicalOperator] { [left, right] }

    public func next() throws -> Batch? {
        if output == nil { output = try run() }
        guard let out = output, nextBatch < out.count else { return nil }
        nextBatch += 1
        return out[nextBatch - 1]
    }

    /// Every row of `op`'s input as one column per field.
    private static func drain(_ op: PhysicalOperator) throws -> (columns: [Column], count: Int) {
        var builders = op.schema.map { ColumnBuilder(type: $0.type) }
        while let b = try op.next() {
            for j in builders.indices { builders[j].append(b.columns[j]) }
        }
        let n = builders.first?.count ?? 0
        return (builders.map { $0.build() }, n)
    }

    private func run() throws -> [Batch] {
        let (lc, nl) = try Self.drain(left)
        let (rc, nr) = try Self.drain(right)
        let match = try matches(lc, nl, rc, nr)
        var selected: [Int32] = []
        var rightRows: [Int32] = []
        selected.reserveCapacity(nl)
        rightRows.reserveCapacity(nl)
        for i in 0..<nl where keepUnmatched || match[i] >= 0 {
            selected.append(Int32(i))
            rightRows.append(match[i])
        }
        var batches: [Batch] = []
        let chunk = 16_384
        var start = 0
        while start < selected.count {
            let end = min(selected.count, start + chunk)
            let cols = selected.withUnsafeBufferPointer { s in
                rightRows.withUnsafeBufferPointer { r in
                    let ls = UnsafeBufferPointer(rebasing: s[start..<end])
                    let rs = UnsafeBufferPointer(rebasing: r[start..<end])
                    return lc.map { $0.gather(ls) } + rc.map { gatherNullable($0, rs) }
                }
            }
            batches.append(Batch(columns: cols, count: end - start))
            start = end
        }
        return batches
    }

    /// For each left row, the right row it joins (-1: none).
    private func matches(_ lc: [Column], _ nl: Int, _ rc: [Column], _ nr: Int) throws -> [Int32] {
        var match = [Int32](repeating: -1, count: nl)
        if nl == 0 || nr == 0 { return match }
        let lk = lc.count - keyCount - 1
        let rk = rc.count - keyCount - 1
        // keys and order of both sides, left rows first; the side column breaks ties
        var columns: [Column] = []
        for j in 0...keyCount {
            var b = ColumnBuilder(type: lc[lk + j].type)
            b.append(lc[lk + j])
            b.append(rc[rk + j])
            columns.append(b.build())
        }
        let inclusive = op == .greaterEqual || op == .lessEqual
        let ascending = op == .greaterEqual || op == .greater
        var side = [Int64](repeating: inclusive ? 1 : 0, count: nl + nr)
        for i in nl..<(nl + nr) { side[i] = inclusive ? 0 : 1 }
        columns.append(Column(type: .bigint, ints: side, validity: nil))
        var keys = (0..<keyCount).map { SortKey(column: $0) }
        keys.append(SortKey(column: keyCount, ascending: ascending, nullsFirst: false))
        keys.append(SortKey(column: keyCount + 1))
        let perm = try sortPermutation(columns, count: nl + nr, keys: keys)
        var marks = [UInt8](repeating: 0, count: nl + nr)
        perm.withUnsafeBufferPointer { p in
            marks.withUnsafeMutableBufferPointer { m in
                for j in 0..<keyCount { markChanges(columns[j], perm: p, marks: m) }
            }
        }
        // a row with a NULL key or order value never matches
        var valid = [UInt8](repeating: 1, count: nl + nr)
        for j in 0...keyCount {
            guard let v = columns[j].validity else { continue }
            for i in 0..<(nl + nr) where v[i] == 0 { valid[i] = 0 }
        }
        var last: Int32 = -1
        for i in 0..<(nl + nr) {
            if marks[i] != 0 { last = -1 }
            let row = Int(perm[i])
            if row >= nl {
                if valid[row] != 0 { last = Int32(row - nl) }
            } else if valid[row] != 0 {
                match[row] = last
            }
        }
        return match
    }
}
