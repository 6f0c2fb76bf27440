import KuaiCore
import KuaiFormat

// API CONTRACT (stub to be replaced by the planner implementation).

/// A query's answer: column names and types, and the rows as batches.
public struct QueryResult: Sendable {
    public var fields: Schema
    public var batches: [Batch]
    public init(fields: Schema, batches: [Batch]) {
        self.fields = fields
        self.batches = batches
    }
    public var rowCount: Int { batches.reduce(0) { $0 + $1.count } }
}

/// Options of one query run.
public struct QueryOptions: Sendable {
    /// Worker threads for morsel-parallel operators (default: active processor count).
    public var threads: Int
    /// Bytes a query may hold in operator state before it stops with `KuaiError.execution`.
    public var memoryLimitBytes: Int
    public init(threads: Int = 0, memoryLimitBytes: Int = 0) {
        self.threads = threads
        self.memoryLimitBytes = memoryLimitBytes
    }
}

/// Parses, binds, plans and runs SQL over a store.
public final class QueryEngine {
    public let store: Store
    public let options: QueryOptions
    public init(store: Store, options: QueryOptions = QueryOptions()) {
        self.store = store
        self.options = options
    }
    /// Runs one statement. EXPLAIN returns one VARCHAR column `explain` with the plan's lines.
    /// - Throws: `KuaiError` of kind `.syntax`, `.binding`, `.execution`, `.corrupt` or `.io`.
    public func execute(_ sql: String) throws -> QueryResult { fatalError("unimplemented") }
}
