import KuaiCore
import KuaiExec

/// The computed rows of shared CTEs of one query, by CTE id.
final class SharedResults: @unchecked Sendable {
    /// One CTE's rows; its own lock, so computing one CTE may read another.
    final class Entry: @unchecked Sendable {
        let lock = Mutex()
        var batches: [Batch]?
    }
    private let lock = Mutex()
    private var entries: [Int: Entry] = [:]

    /// The rows of CTE `id`, computed by the operator `make` returns on the first call.
    /// - Throws: what computing the rows throws (the next call tries again).
    func batches(_ id: Int, _ make: () throws -> PhysicalOperator) throws -> [Batch] {
        let e = lock.withLock { () -> Entry in
            if let e = entries[id] { return e }
            let e = Entry()
            entries[id] = e
            return e
        }
        return try e.lock.withLock {
            if let r = e.batches { return r }
            let op = try make()
            var out: [Batch] = []
            while let b = try op.next() { if b.count > 0 { out.append(b) } }
            e.batches = out
            return out
        }
    }
}

/// The rows of a shared CTE as morsels (one per batch); computed on first use.
final class SharedResultSource: MorselSource, @unchecked Sendable {
    let id: Int
    let results: SharedResults
    let schema: Schema
    let make: () -> PhysicalOperator
    init(id: Int, results: SharedResults, schema: Schema, make: @escaping () -> PhysicalOperator) {
        self.id = id
        self.results = results
        self.schema = schema
        self.make = make
    }
    func all() throws -> [Batch] { try results.batches(id) { make() } }
    var morselCount: Int { (try? all().count) ?? 0 }
    func morsel(_ i: Int) throws -> Batch? { try all()[i] }
    var explainLine: String { "SharedCTE #\(id)" }
    /// The CTE's plan is the node's input in `PhysicalNode`; nothing here.
    var explainChildren: [String] { [] }
}
