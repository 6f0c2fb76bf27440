import KuaiCore

/// EXCEPT / INTERSECT with DuckDB's semantics: without ALL, set semantics (distinct left rows
/// that do / do not appear in the right input); with ALL, bag semantics (EXCEPT ALL keeps a left
/// row's occurrences beyond its count on the right, INTERSECT ALL keeps up to that count).
/// NULLs equal each other. The right input is hashed; the left streams in order.
public final class SetOperationOperator: PhysicalOperator {
    /// Which set operation.
    public enum Kind: String, Sendable {
        case except = "EXCEPT"
        case intersect = "INTERSECT"
    }
    public let schema: Schema
    public let left: PhysicalOperator
    public let right: PhysicalOperator
    public let kind: Kind
    public let all: Bool

    private var rightTable: (any GroupKeyTable)?
    private var rightCounts: [Int64] = []
    private var used: [Int64] = []
    private let seen: any GroupKeyTable

    /// - Precondition: both inputs have the same column count (types unified by the planner).
    public init(left: PhysicalOperator, right: PhysicalOperator, kind: Kind, all: Bool = false) {
        precondition(left.schema.count == right.schema.count, "\(kind.rawValue): inputs differ in column count")
        self.left = left
        self.right = right
        self.kind = kind
        self.all = all
        self.schema = left.schema
        self.seen = makeGroupKeyTable(keyTypes: left.schema.map(\.type))
    }

    private func build() throws {
        let t = makeGroupKeyTable(keyTypes: right.schema.map(\.type))
        while let b = try right.next() {
            try MemoryGuard.check()
            var ids = [Int32](repeating: 0, count: b.count)
            ids.withUnsafeMutableBufferPointer { t.findOrInsert(b.columns, rowCount: b.count, into: $0) }
            if all {
                if rightCounts.count < t.count {
                    rightCounts.append(contentsOf: repeatElement(0, count: t.count - rightCounts.count))
                }
                for id in ids { rightCounts[Int(id)] += 1 }
            }
        }
        used = [Int64](repeating: 0, count: t.count)
        rightTable = t
    }

    public func next() throws -> Batch? {
        if rightTable == nil { try build() }
        let table = rightTable!
        while let b = try left.next() {
            let n = b.count
            var ids = [Int32](repeating: -1, count: n)
            ids.withUnsafeMutableBufferPointer { table.find(b.columns, rowCount: n, nullsMatch: true, into: $0) }
            var sel: [Int32] = []
            if all {
                for i in 0..<n {
                    let id = Int(ids[i])
                    let available = id >= 0 && used[id] < rightCounts[id]
                    if available { used[id] += 1 }
                    if (kind == .except) != available { sel.append(Int32(i)) }
                }
            } else {
                // keep rows of the wanted kind, then only their first occurrence
                var candidates: [Int32] = []
                for i in 0..<n where (ids[i] >= 0) == (kind == .intersect) { candidates.append(Int32(i)) }
                if candidates.isEmpty { continue }
                let cb = candidates.count == n ? b : candidates.withUnsafeBufferPointer { b.gather($0) }
                let before = seen.count
                var sids = [Int32](repeating: 0, count: cb.count)
                sids.withUnsafeMutableBufferPointer { seen.findOrInsert(cb.columns, rowCount: cb.count, into: $0) }
                let firsts = firstOccurrences(sids, count: cb.count, before: before)
                if firsts.isEmpty { continue }
                if firsts.count == cb.count { return cb }
                return firsts.withUnsafeBufferPointer { cb.gather($0) }
            }
            if sel.isEmpty { continue }
            if sel.count == n { return b }
            return sel.withUnsafeBufferPointer { b.gather($0) }
        }
        return nil
    }

    public var explainLine: String { kind.rawValue + (all ? " ALL" : "") }
    public var children: [PhysicalOperator] { [left, right] }
}
