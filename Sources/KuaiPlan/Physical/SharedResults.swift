import KuaiCore
import KuaiExec

/// The computed rows of shared CTEs of one query, by CTE id.
final class SharedResults: @unchecked Sendable {
    /// One CTE's rows; its own lock, so computing one CTE may read another.
    final class Entry: @unchecked Sendable {
        let lock = Mutex()
        var batches: [Batch]?
        /// What computing the rows threw: every later reader gets the same error.
        var error: Error?
    }
    private let lock = Mutex()
    private var entries: [Int: Entry] = [:]

    /// The rows of CTE `id`, computed by the operator `make` returns on the first call.
    /// - Throws: what computing the rows throws (the same error again on every later call).
    func batches(_ id: Int, _ make: () throws -> PhysicalOperator) throws -> [Batch] {
        let e = lock.withLock { () -> Entry in
            if let e = entries[id] { return e }
            let e = Entry()
            entries[id] = e
            return e
        }
        return try e.lock.withLock {
            if let r = e.batches { return r }
            if let error = e.error { throw error }
            do {
                let op = try make()
                var out: [Batch] = []
                while let b = try op.next() { if b.count > 0 { out.append(b) } }
                e.batches = out
                return out
            } catch {
                e.error = error
                throw error
            }
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
    /// The batch count; when computing the rows fails, one morsel, whose read throws that error (a
    /// count of 0 would read as no rows: a GROUPING SETS query over an input that fails would answer
    /// its empty grouping set instead of the error).
    var morselCount: Int { (try? all().count) ?? 1 }
    func prepare() throws { _ = try all() }
    func morsel(_ i: Int) throws -> Batch? { try all()[i] }
    var explainLine: String { "SharedCTE #\(id)" }
    /// The CTE's plan is the node's input in `PhysicalNode`; nothing here.
    var explainChildren: [String] { [] }
}
