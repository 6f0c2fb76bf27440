import KuaiCore
import KuaiExec
import KuaiFormat
import KuaiSQL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a session may change its store.
public enum StoreAccess: Sendable {
    /// SELECT, EXPLAIN, DESCRIBE, SHOW TABLES and COPY ... TO only; a writing statement is an error.
    case readOnly
    /// Every statement; a missing store is created by the first writing statement.
    case readWrite
}

/// Settings of a session (the CLI's `--threads`, `--memory-limit`).
public struct SessionSettings: Sendable {
    /// Worker threads for morsel-parallel operators (0 = every core).
    public var threads: Int
    /// Bytes a statement may hold before it stops with `KuaiError.execution` (0 = no limit).
    public var memoryLimitBytes: Int
    /// Seconds a writing statement waits for another process's write lock on the store before it
    /// fails with `KuaiError.io` (Formats/column-file.md, "Generations and commits; writers and the lock").
    public var lockTimeoutSeconds: Double
    public init(threads: Int = 0, memoryLimitBytes: Int = 0, lockTimeoutSeconds: Double = 60) {
        self.threads = threads
        self.memoryLimitBytes = memoryLimitBytes
        self.lockTimeoutSeconds = lockTimeoutSeconds
    }
}

/// The rows of a query, pulled batch by batch as they are computed (large results stream).
public final class ResultRows {
    /// Result columns (names made unique as DuckDB does: `a`, `a_1`).
    public let schema: Schema
    private var pull: (() throws -> Batch?)?
    private let memoryLimitBytes: Int

    init(schema: Schema, memoryLimitBytes: Int, pull: @escaping () throws -> Batch?) {
        self.schema = schema
        self.memoryLimitBytes = memoryLimitBytes
        self.pull = pull
    }

    /// Rows already computed (`SHOW TABLES`, `EXPLAIN`).
    convenience init(_ result: QueryResult) {
        var rest = result.batches[...]
        self.init(schema: result.fields, memoryLimitBytes: 0) { rest.popFirst() }
    }

    /// The next non-empty batch, or nil after the last one.
    /// - Throws: `KuaiError.execution` (overflow, memory limit), `.corrupt` / `.io` from the store.
    public func next() throws -> Batch? {
        guard let p = pull else { return nil }
        MemoryGuard.setLimit(memoryLimitBytes)
        defer {
            MemoryGuard.setLimit(0)
            SpillDirectory.finish()
        }
        while true {
            guard let b = try p() else {
                pull = nil
                return nil
            }
            try MemoryGuard.check()
            if b.count > 0 { return b }
        }
    }

    /// Every remaining row.
    public func collect() throws -> QueryResult {
        var batches: [Batch] = []
        while let b = try next() { batches.append(b) }
        return QueryResult(fields: schema, batches: batches)
    }
}

/// What a statement that returns no rows did, with the result DuckDB returns for it.
public struct StatementOutcome: Sendable {
    /// The statement, as `CREATE TABLE`, `INSERT`, `COPY`, `DROP VIEW`, ...
    public var statement: String
    /// Rows written: CREATE TABLE ... AS and INSERT count the rows added, COPY the rows written to the
    /// file; nil for statements that change no rows (DROP, ALTER, CREATE VIEW).
    public var changedRows: Int?

    /// DuckDB's result for the statement: one BIGINT column `Count` with one row for CREATE TABLE AS,
    /// INSERT and COPY; `Count` with no row for CREATE VIEW and CREATE TABLE (columns); one BOOLEAN
    /// column `Success` with no row for DROP and ALTER.
    public var duckDBResult: QueryResult {
        if let n = changedRows {
            return QueryResult(
                fields: [Field("Count", .bigint)], batches: [Batch(columns: [Column(type: .bigint, ints: [Int64(n)])])])
        }
        if statement.hasPrefix("CREATE") { return QueryResult(fields: [Field("Count", .bigint)], batches: []) }
        return QueryResult(fields: [Field("Success", .boolean)], batches: [])
    }
}

/// The result of one statement.
public enum StatementResult {
    /// A query's rows (SELECT, VALUES, EXPLAIN, DESCRIBE, SHOW TABLES).
    case rows(ResultRows)
    /// A statement that returns no rows of its own (CREATE, DROP, ALTER, INSERT, COPY).
    case outcome(StatementOutcome)
}

/// A connection to one store: runs statements one after another (the CLI's script, `-c` and shell
/// are built on it), each seeing every statement committed before it, by this session or by another
/// process.
///
/// Reading statements run on the newest committed generation of the store (reopened when another
/// writer has committed since). Writing statements (CREATE, DROP, ALTER, INSERT) each take the store's
/// write lock, build a new generation and commit it atomically (Formats/column-file.md, "Generations
/// and commits"); a failed statement changes nothing.
///
/// A session runs one statement at a time: it may move between threads, but is not to be used from
/// two threads at once (use one session per thread).
public final class Session: @unchecked Sendable {
    /// The store folder (absolute), or nil for a session over in-memory tables.
    public let storePath: String?
    public let access: StoreAccess
    public var settings: SessionSettings
    /// The open generation of the store (nil while a read-write session's store does not exist yet).
    var store: Store?
    /// In-memory tables of a session without a store.
    let memoryTables: [TableSource]
    /// Macros of this session only: TEMP macros, and every macro of a session without a store
    /// (MacroStatements.swift).
    var sessionMacros: [MacroDefinition] = []

    /// Opens a session on the store at `path`.
    /// - Parameters:
    ///   - access: `.readWrite` to allow writing statements (and create the store when it is missing).
    /// - Throws: `KuaiError.io` when there is no store at `path` (read-only) or it cannot be read,
    ///   `.format` for a newer format version, `.corrupt` for a damaged manifest.
    public init(storePath path: String, access: StoreAccess = .readOnly, settings: SessionSettings = SessionSettings())
        throws
    {
        self.access = access
        self.settings = settings
        self.memoryTables = []
        let abs = Session.absolute(path)
        self.storePath = abs
        if access == .readWrite && !Session.storeExists(abs) {
            self.store = nil
        } else {
            self.store = try Store.open(at: abs)
        }
    }

    /// A read-only session over in-memory tables (tests, tools); each table's `name` is its SQL name.
    public init(tables: [TableSource], settings: SessionSettings = SessionSettings()) {
        self.storePath = nil
        self.access = .readOnly
        self.settings = settings
        self.memoryTables = tables
        self.store = nil
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buf, buf.count) != nil else { return path }
        let cwd = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return cwd + "/" + path
    }

    static func storeExists(_ abs: String) -> Bool { Glibc.access(abs + "/" + FormatConstants.manifestName, F_OK) == 0 }

    /// Parses and runs exactly one statement (a trailing `;` is allowed).
    /// - Throws: `KuaiError` of kind `.syntax`, `.binding`, `.execution`, `.io`, `.corrupt`, `.usage`.
    public func execute(_ sql: String) throws -> StatementResult {
        try execute(try Parser.parse(sql))
    }

    /// Runs one parsed statement.
    /// - Throws: `KuaiError`: `.binding` for names and types (a missing table, an existing table
    ///   without OR REPLACE, an INSERT of the wrong width or of an impossible type), `.execution`,
    ///   `.io` (a file that cannot be written, the store's lock held too long, a read-only store),
    ///   `.execution` for a writing statement in a read-only session.
    public func execute(_ statement: Statement) throws -> StatementResult {
        try refresh()
        switch statement {
        case .select(let q):
            return .rows(try engine().openQuery(q))
        case .explain, .explainAnalyze, .describe, .describeQuery, .summarize, .showTables:
            return .rows(ResultRows(try engine().execute(statement: statement)))
        case .createMacro(let m):
            return .outcome(try createMacro(m))
        case .drop(let d) where d.kind == .macro || d.kind == .tableMacro:
            return .outcome(try dropMacro(d))
        case .createTable, .createView, .drop, .rename, .insert:
            guard access == .readWrite, storePath != nil else {
                throw KuaiError(
                    .execution,
                    "cannot run \(statement.sqlDescription.prefix(40)) here: the store is open read-only")
            }
            return .outcome(try executeWrite(statement))
        case .copy(let c):
            return .outcome(try executeCopy(c))
        case .set(let name, let value, let pos):
            try QueryEngine.applySetting(name, value, pos)
            return .outcome(StatementOutcome(statement: "SET", changedRows: nil))
        }
    }

    /// Reopens the store when another writer has committed a newer generation.
    func refresh() throws {
        guard let path = storePath else { return }
        if let s = store, s.isCurrent() { return }
        if store == nil && !Session.storeExists(path) { return }
        store = try Store.open(at: path)
    }

    /// A query engine over the current generation (or the in-memory tables).
    func engine() -> QueryEngine {
        let options = QueryOptions(threads: settings.threads, memoryLimitBytes: settings.memoryLimitBytes)
        return QueryEngine(store: store, tables: memoryTables, macros: sessionMacros, options: options)
    }
}

extension QueryEngine {
    /// Binds and plans `query`; its rows are computed as they are pulled.
    /// - Throws: `KuaiError.binding` for names and types; errors of uncorrelated subqueries, which run before the first row.
    /// - Parameter adapt: changes the bound plan and its columns before planning (INSERT's casts).
    func openQuery(
        _ query: Query,
        adapt: ((LogicalPlan, [ScopeColumn]) throws -> (LogicalPlan, [ScopeColumn]))? = nil
    ) throws -> ResultRows {
        MemoryGuard.setLimit(options.memoryLimitBytes)
        defer {
            MemoryGuard.setLimit(0)
            SpillDirectory.finish()
        }
        let shared = SharedResults()
        var (plan, cols) = try bind(query, shared)
        if let adapt { (plan, cols) = try adapt(plan, cols) }
        let op = try physical(plan, shared)
        return ResultRows(
            schema: QueryEngine.uniqueNames(cols.map { Field($0.name, $0.type) }),
            memoryLimitBytes: options.memoryLimitBytes
        ) { try op.next() }
    }
}

extension Session {
    /// The planner's part of `StartupWork`: an analyst's typical statement (a filter, GROUP BY,
    /// aggregates, ORDER BY, LIMIT) parsed, bound and optimized over an empty in-memory table,
    /// and the binder's and optimizer's name tables built, so that the first query of a process
    /// finds the parser's keyword sets, the binder's tables and the Swift runtime's type metadata
    /// ready, and their code mapped. Safe on any thread: every table is built once behind the
    /// runtime's once-lock; binding reads only the statement and the empty table, and no operator
    /// is made (a scan would count its blocks in the query's progress).
    @Sendable public static func warmUp() {
        let text = """
            SELECT a, count(*) AS n, sum(b) AS s, avg(b), min(c) FROM t \
            WHERE b >= 1 AND c LIKE 'x%' GROUP BY a ORDER BY n DESC LIMIT 10
            """
        if case .select(let q)? = try? Parser.parse(text) {
            let t = MemoryTable(
                name: "t", schema: [Field("a", .bigint), Field("b", .bigint), Field("c", .varchar)], batches: [])
            _ = try? QueryEngine(tables: [t], options: QueryOptions(threads: 1)).bind(q, SharedResults())
        }
        _ = Binder.currentValueKeywords.count
        _ = Binder.currentValueFunctions.count
        _ = Binder.operatorFunctions.count
        _ = Binder.nullTypedAggregates.count
        _ = Binder.topNArgAggregates.count
        _ = Optimizer.rules.count
        _ = ConstantFolding.nullPropagatingFunctions.count
        _ = BoundExpr.totalFunctions.count
    }
}
