import KuaiCore
import KuaiExec
import KuaiFormat
import KuaiSQL

/// A query's answer: column names and types, and the rows as batches.
public struct QueryResult: Sendable {
    public var fields: Schema
    public var batches: [Batch]
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

/// The tables of a store, or of a list of in-memory tables (tests, CTE results).
final class TableCatalog: Catalog {
    let store: Store?
    let tables: [TableSource]
    /// The session's macros that are not in the store (TEMP macros, and every macro of a session without a
    /// store); they hide store macros of the same name and kind.
    let sessionMacros: [MacroDefinition]
    private var cache: [String: TableSource] = [:]
    private var macroCache: [String: MacroDefinition] = [:]
    private let lock = Mutex()

    init(store: Store?, tables: [TableSource], sessionMacros: [MacroDefinition] = []) {
        self.store = store
        self.tables = tables
        self.sessionMacros = sessionMacros
    }

    var tableNames: [String] { store?.tableNames ?? tables.map(\.name) }

    var hasMacros: Bool { !sessionMacros.isEmpty || !(store?.macros.isEmpty ?? true) }

    func lookupMacro(_ name: String, table: Bool) throws -> MacroDefinition? {
        let key = name.lowercased()
        if let m = sessionMacros.first(where: { $0.name.lowercased() == key && $0.isTable == table }) { return m }
        guard let r = store?.macros.first(where: { $0.name.lowercased() == key && $0.isTable == table }) else {
            return nil
        }
        let cacheKey = (table ? "t:" : "s:") + key
        if let m = lock.withLock({ macroCache[cacheKey] }) { return m }
        let m = try MacroDefinition(r)
        lock.withLock { macroCache[cacheKey] = m }
        return m
    }

    func lookupView(_ name: String) throws -> ViewDefinition? {
        guard let v = store?.views.first(where: { $0.name.lowercased() == name.lowercased() }) else { return nil }
        return ViewDefinition(name: v.name, sql: v.sql, columnNames: v.columnNames)
    }

    func lookupTable(_ name: String) throws -> TableSource? {
        if let t = tables.first(where: { $0.name == name })
            ?? tables.first(where: { $0.name.lowercased() == name.lowercased() })
        {
            return t
        }
        guard let store else { return nil }
        let key = name.lowercased()
        if let t = lock.withLock({ cache[key] }) { return t }
        guard store.tableNames.contains(where: { $0.lowercased() == key }) else { return nil }
        let t = try store.table(name)
        lock.withLock { cache[key] = t }
        return t
    }
}

/// Parses, binds, plans and runs SQL over a store.
///
/// Pipeline: `Parser.parse` -> `Binder` (names, types; Binder/) -> `Optimizer` (rules in order,
/// Optimizer/) -> `PhysicalPlanner` (operators, Physical/) -> pull batches.
public final class QueryEngine {
    /// The store queried, or nil for an engine over in-memory tables.
    /// (Contract change: was `Store`; optional so tests can run on `MemoryTable`s.)
    public let store: Store?
    public let options: QueryOptions
    let catalog: TableCatalog

    public init(store: Store, options: QueryOptions = QueryOptions()) {
        self.store = store
        self.options = options
        self.catalog = TableCatalog(store: store, tables: [])
    }

    /// An engine over `store` whose queries also see `macros` (the session's TEMP macros).
    init(store: Store?, tables: [TableSource], macros: [MacroDefinition], options: QueryOptions) {
        self.store = store
        self.options = options
        self.catalog = TableCatalog(store: store, tables: tables, sessionMacros: macros)
    }

    /// An engine over `catalog` (a store with in-memory tables in front: `with(tables:)`).
    init(store: Store?, catalog: TableCatalog, options: QueryOptions) {
        self.store = store
        self.options = options
        self.catalog = catalog
    }

    /// An engine over in-memory tables (each `TableSource.name` is its SQL name).
    public init(tables: [TableSource], options: QueryOptions = QueryOptions()) {
        self.store = nil
        self.options = options
        self.catalog = TableCatalog(store: nil, tables: tables)
    }

    var threads: Int { MorselScheduler.threadCount(options.threads) }

    /// Runs one statement. EXPLAIN returns one VARCHAR column `explain` with the plan's lines.
    /// - Throws: `KuaiError` of kind `.syntax`, `.binding`, `.execution`, `.corrupt` or `.io`.
    public func execute(_ sql: String) throws -> QueryResult {
        try execute(statement: try Parser.parse(sql))
    }

    /// Runs one parsed reading statement (see `execute(_:)`); writing statements need a `Session`.
    /// - Throws: as `execute(_:)`; `KuaiError.usage` for CREATE, DROP, ALTER, INSERT and COPY.
    func execute(statement stmt: Statement) throws -> QueryResult {
        MemoryGuard.setLimit(options.memoryLimitBytes)
        defer {
            MemoryGuard.setLimit(0)
            SpillDirectory.finish()
        }
        switch stmt {
        case .select:
            var fields: Schema = []
            var batches: [Batch] = []
            try execute("", statement: stmt, schema: { fields = $0 }, batch: { batches.append($0) })
            return QueryResult(fields: fields, batches: batches)
        case .explain(let q):
            let shared = SharedResults()
            let (plan, _) = try bind(q, shared)
            let lines = explainLines(plan, shared)
            return QueryResult(
                fields: [Field("explain", .varchar)], batches: [Batch(columns: [Column(strings: lines)])])
        case .explainAnalyze(let q):
            return try explainAnalyze(q)
        case .describe(let name, let pos):
            guard let t = try catalog.lookupTable(name) else {
                throw KuaiError(
                    .binding, "table \"\(name)\" not found; tables: \(catalog.tableNames.joined(separator: ", "))",
                    at: pos.description)
            }
            return QueryEngine.describe(t.schema)
        case .describeQuery(let q):
            let (_, cols) = try bind(q, SharedResults())
            return QueryEngine.describe(QueryEngine.uniqueNames(cols.map { Field($0.name, $0.type) }))
        case .summarize(let target):
            return try binder(catalog).summarize(target, at: nil)
        case .showTables:
            return QueryEngine.showTables(catalog.tableNames)
        case .set(let name, let value, let pos):
            try QueryEngine.applySetting(name, value, pos)
            return StatementOutcome(statement: "SET", changedRows: nil).duckDBResult
        case .createTable, .createView, .createMacro, .drop, .rename, .insert, .copy:
            throw KuaiError(
                .execution,
                "cannot run \(stmt.sqlDescription.prefix(40)) here: the store is open read-only (writing statements run in a Session)"
            )
        }
    }

    /// SHOW TABLES' answer: one VARCHAR column `name`, the names sorted.
    static func showTables(_ names: [String]) -> QueryResult {
        let sorted = names.sorted()
        return QueryResult(
            fields: [Field("name", .varchar)],
            batches: sorted.isEmpty ? [] : [Batch(columns: [Column(strings: sorted)])])
    }

    /// DESCRIBE's answer for columns `schema`: column_name, column_type, null (`YES`), key, default
    /// and extra (NULL), one row per column, as DuckDB (whose NULL type is named `"NULL"`, quoted, as
    /// typeof names it).
    static func describe(_ schema: Schema) -> QueryResult {
        let names = Column(strings: schema.map(\.name))
        let types = Column(strings: schema.map { $0.type == .null ? "\"NULL\"" : $0.type.description })
        let yes = Column(strings: schema.map { _ in "YES" })
        let nulls = Column.nulls(.varchar, count: schema.count)
        return QueryResult(
            fields: [
                Field("column_name", .varchar), Field("column_type", .varchar), Field("null", .varchar),
                Field("key", .varchar), Field("default", .varchar), Field("extra", .varchar),
            ],
            batches: schema.isEmpty ? [] : [Batch(columns: [names, types, yes, nulls, nulls, nulls])])
    }

    /// Runs one statement and hands its rows over batch by batch as they are computed (the
    /// result is never held whole for plain SELECTs: large outputs stream).
    /// - Parameters:
    ///   - schema: called once with the result columns before the first batch.
    ///   - batch: called with each non-empty batch, in order.
    public func execute(_ sql: String, schema: (Schema) throws -> Void, batch: (Batch) throws -> Void) throws {
        MemoryGuard.setLimit(options.memoryLimitBytes)
        defer {
            MemoryGuard.setLimit(0)
            SpillDirectory.finish()
        }
        try execute(sql, statement: try Parser.parse(sql), schema: schema, batch: batch)
    }

    func execute(_ sql: String, statement: Statement, schema: (Schema) throws -> Void, batch: (Batch) throws -> Void)
        throws
    {
        guard case .select(let q) = statement else {
            let r = try execute(statement: statement)
            try schema(r.fields)
            for b in r.batches { try batch(b) }
            return
        }
        let shared = SharedResults()
        let (plan, cols) = try bind(q, shared)
        let op = try physical(plan, shared)
        try schema(QueryEngine.uniqueNames(cols.map { Field($0.name, $0.type) }))
        while let b = try op.next() {
            try MemoryGuard.check()
            if b.count > 0 { try batch(b) }
        }
    }

    /// Result column names made unique as DuckDB does: a repeated name gets `_1`, `_2`, ...
    static func uniqueNames(_ fields: Schema) -> Schema {
        var seen = Set<String>()
        var out: Schema = []
        for f in fields {
            var name = f.name
            var k = 0
            while seen.contains(name.lowercased()) {
                k += 1
                name = "\(f.name)_\(k)"
            }
            seen.insert(name.lowercased())
            out.append(Field(name, f.type))
        }
        return out
    }

    /// The EXPLAIN lines of a query (for tests).
    public func explain(_ sql: String) throws -> [String] {
        let r = try execute(sql.hasPrefix("EXPLAIN") || sql.hasPrefix("explain") ? sql : "EXPLAIN " + sql)
        var out: [String] = []
        for b in r.batches { for i in 0..<b.count { out.append(Kernels.text(b.columns[0], i)) } }
        return out
    }

    /// Binds `q` (names, types; DuckDB's rules) into a logical plan and its result columns. Nothing runs
    /// (uncorrelated subqueries are planned; `physical` runs them).
    /// - Throws: `KuaiError.binding`.
    func bindLogical(_ q: Query, _ shared: SharedResults) throws -> (LogicalPlan, [ScopeColumn]) {
        let (query, ctes) = try materializingRecursiveCTEs(try Binder.expandingMacros(q, catalog))
        let tables =
            ctes.isEmpty
            ? catalog : TableCatalog(store: store, tables: ctes + catalog.tables, sessionMacros: catalog.sessionMacros)
        let (plan, cols) = try binder(tables).bindQuery(query)
        return (try ListPlanCheck.checked(plan), cols)
    }

    /// A binder over `tables` that may run plans while it binds (`Binder.run`: PIVOT values, SUMMARIZE in
    /// FROM), each checked, optimized and computed as a query of its own.
    func binder(_ tables: Catalog) -> Binder {
        let b = Binder(catalog: tables)
        b.run = { plan in
            let op = try self.physical(Optimizer.optimize(try ListPlanCheck.checked(plan)), SharedResults())
            var batches: [Batch] = []
            while let batch = try op.next() {
                try MemoryGuard.check()
                if batch.count > 0 { batches.append(batch) }
            }
            return batches
        }
        return b
    }

    /// Binds and optimizes `q`.
    func bind(_ q: Query, _ shared: SharedResults) throws -> (LogicalPlan, [ScopeColumn]) {
        let (plan, cols) = try bindLogical(q, shared)
        return (Optimizer.optimize(plan), cols)
    }

    /// The operators of an optimized plan without subqueries (`resolvingSubqueries`), as a tree EXPLAIN
    /// can print.
    func physicalPlan(_ plan: LogicalPlan, _ shared: SharedResults) -> PhysicalNode {
        PhysicalPlanner(threads: threads, shared: shared).plan(plan)
    }

    /// The operator that computes an optimized plan's rows; its uncorrelated subqueries run first.
    /// - Throws: what running a subquery throws (`resolvingSubqueries`).
    func physical(_ plan: LogicalPlan, _ shared: SharedResults) throws -> PhysicalOperator {
        let planner = PhysicalPlanner(threads: threads, shared: shared)
        return planner.pull(planner.plan(try resolvingSubqueries(plan, shared))).pulled
    }
}
