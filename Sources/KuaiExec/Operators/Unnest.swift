import KuaiCore

/// `unnest(list)` in a select list (DuckDB semantics): each input row becomes m rows, m the length
/// of its longest list among `columns` (a NULL list counts as empty; m = 0 drops the row). Those
/// columns give the list's elements in order, NULL past the end of a shorter list; every other
/// column repeats the row's value. Works per batch with gathers (no per-row boxing); the output
/// of one input batch is cut into batches of at most `maxRows` rows.
public final class UnnestOperator: PhysicalOperator {
    public let schema: Schema
    public let child: PhysicalOperator
    /// The LIST columns of the child that are unnested.
    public let columns: [Int]
    /// The largest output batch.
    static let maxRows = 65_536
    private var pending: [Batch] = []

    /// - Parameter columns: LIST columns of `child`'s schema.
    public init(child: PhysicalOperator, columns: [Int]) {
        self.child = child
        self.columns = columns
        self.schema = child.schema.enumerated().map { i, f in
            columns.contains(i) ? Field(f.name, f.type.listElement ?? .null) : f
        }
    }

    public func next() throws -> Batch? {
        while pending.isEmpty {
            guard let b = try child.next() else { return nil }
            pending = expand(b)
        }
        return pending.removeFirst()
    }

    /// The rows of `b` expanded, in batches of at most `maxRows` rows.
    func expand(_ b: Batch) -> [Batch] {
        let lists = columns.map { b.columns[$0] }
        var rowOf: [Int32] = []
        var step: [Int32] = []
        for i in 0..<b.count {
            var m = 0
            for l in lists where l.isValid(i) { m = max(m, l.listLength(i)) }
            for k in 0..<m {
                rowOf.append(Int32(i))
                step.append(Int32(k))
            }
        }
        var out: [Batch] = []
        var start = 0
        while start < rowOf.count {
            let end = min(rowOf.count, start + Self.maxRows)
            out.append(batch(b, rowOf[start..<end], step[start..<end]))
            start = end
        }
        return out
    }

    /// Output rows: input row `rowOf[j]`, element `step[j]` of each unnested list.
    func batch(_ b: Batch, _ rowOf: ArraySlice<Int32>, _ step: ArraySlice<Int32>) -> Batch {
        let n = rowOf.count
        let rows = Array(rowOf)
        var cols: [Column] = []
        for (c, col) in b.columns.enumerated() {
            guard columns.contains(c) else {
                cols.append(rows.withUnsafeBufferPointer { col.gather($0) })
                continue
            }
            let child = col.listElements
            var picks = [Int32](repeating: 0, count: n)
            var valid = [UInt8](repeating: 0, count: n)
            for (j, (i, k)) in zip(rowOf, step).enumerated() {
                let r = Int(i)
                guard col.isValid(r), Int(k) < col.listLength(r) else { continue }
                let at = col.listOffset(r) + Int(k)
                picks[j] = Int32(at)
                valid[j] = child.isValid(at) ? 1 : 0
            }
            guard child.count > 0 else {
                cols.append(Column.nulls(child.type, count: n))
                continue
            }
            var e = picks.withUnsafeBufferPointer { child.gather($0) }
            e.validity = valid.contains(0) ? valid : nil
            cols.append(e)
        }
        return Batch(columns: cols, count: n)
    }

    public var explainLine: String { "Unnest [" + columns.map { "#\($0)" }.joined(separator: ", ") + "]" }
    public var children: [PhysicalOperator] { [child] }
}
