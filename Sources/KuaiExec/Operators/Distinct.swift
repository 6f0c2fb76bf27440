import KuaiCore

/// The rows of `batch` whose ids are first seen in this call: with ids assigned in order of first
/// appearance, row i is new iff `ids[i]` equals the next unseen id.
func firstOccurrences(_ ids: [Int32], count n: Int, before: Int) -> [Int32] {
    var sel: [Int32] = []
    var nextNew = Int32(before)
    for i in 0..<n where ids[i] == nextNew {
        sel.append(Int32(i))
        nextNew += 1
    }
    return sel
}

/// DISTINCT over all columns (SELECT DISTINCT, UNION): streams, emitting each row the first
/// time its values appear. NULLs equal each other, as in DuckDB's DISTINCT; VARCHAR compares
/// by string value.
public final class DistinctOperator: PhysicalOperator {
    public let schema: Schema
    public let child: PhysicalOperator
    private let table: any GroupKeyTable

    /// DISTINCT over every column of `child`.
    public init(child: PhysicalOperator) {
        self.child = child
        self.schema = child.schema
        self.table = makeGroupKeyTable(keyTypes: child.schema.map(\.type))
    }

    public func next() throws -> Batch? {
        while let b = try child.next() {
            try MemoryGuard.check()
            let before = table.count
            var ids = [Int32](repeating: 0, count: b.count)
            ids.withUnsafeMutableBufferPointer { table.findOrInsert(b.columns, rowCount: b.count, into: $0) }
            if table.count == before { continue }
            let sel = firstOccurrences(ids, count: b.count, before: before)
            if sel.count == b.count { return b }
            return sel.withUnsafeBufferPointer { b.gather($0) }
        }
        return nil
    }

    public var explainLine: String { "Distinct" }
    public var children: [PhysicalOperator] { [child] }
}
