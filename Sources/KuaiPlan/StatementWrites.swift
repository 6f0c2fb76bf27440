import KuaiCore
import KuaiExec
import KuaiFormat
import KuaiSQL

/// The catalog as a writing statement sees it: the tables and views of the transaction's generation.
struct WriteCatalogView {
    let tx: StoreTransaction

    func table(_ name: String) -> String? {
        tx.tableNames.first { $0 == name } ?? tx.tableNames.first { $0.lowercased() == name.lowercased() }
    }
    func view(_ name: String) -> String? { tx.viewNames.first { $0.lowercased() == name.lowercased() } }

    /// `table "x" does not exist` (or view), with the closest existing name when one is near.
    func missing(_ kind: CatalogObjectKind, _ name: ObjectName) -> KuaiError {
        let word = kind == .table ? "table" : "view"
        let names = kind == .table ? tx.tableNames : tx.viewNames
        var msg = "\(word) \"\(name.name)\" does not exist"
        if let s = Session.closestName(name.name, names) { msg += "; did you mean \"\(s)\"?" }
        return KuaiError(.binding, msg, at: name.position.description)
    }

    /// DuckDB's error for an entry of the other kind: `"v" is a view, not a table`.
    func wrongKind(_ name: ObjectName, is actual: CatalogObjectKind, wanted: CatalogObjectKind) -> KuaiError {
        KuaiError(
            .binding,
            "\"\(name.name)\" is a \(actual.rawValue.lowercased()), not a \(wanted.rawValue.lowercased())",
            at: name.position.description)
    }
}

extension Session {
    /// Runs CREATE, DROP, ALTER or INSERT as one transaction on the store: the write lock is taken,
    /// the statement reads the current generation, and its change is committed as a new one; on any
    /// error nothing is changed (Formats/column-file.md, "Generations and commits").
    func executeWrite(_ statement: Statement) throws -> StatementOutcome {
        guard let path = storePath else {
            throw KuaiError(.execution, "a session without a store cannot run writing statements")
        }
        let tx = try StoreTransaction.begin(at: path, create: true, lockTimeout: settings.lockTimeoutSeconds)
        defer { tx.abort() }
        let options = QueryOptions(threads: settings.threads, memoryLimitBytes: settings.memoryLimitBytes)
        let engine = QueryEngine(store: tx.base, tables: [], macros: sessionMacros, options: options)
        let catalog = WriteCatalogView(tx: tx)
        let outcome: StatementOutcome
        let changed: Bool
        switch statement {
        case .createTable(let c): (outcome, changed) = try createTable(c, tx, engine, catalog)
        case .createView(let v): (outcome, changed) = try createView(v, tx, engine, catalog)
        case .createMacro(let m): (outcome, changed) = try createStoreMacro(m, tx)
        case .drop(let d) where d.kind == .macro || d.kind == .tableMacro:
            (outcome, changed) = try dropStoreMacro(d, tx)
        case .drop(let d): (outcome, changed) = try drop(d, tx, catalog)
        case .rename(let r): (outcome, changed) = try rename(r, tx, catalog)
        case .insert(let i): (outcome, changed) = try insert(i, tx, engine, catalog)
        default: throw KuaiError(.execution, "not a writing statement")
        }
        if changed {
            try tx.commit()
            store = nil
            try refresh()
        }
        return outcome
    }

    /// Appends every row of `rows` to `writer` and finishes the table; returns the row count.
    func write(_ rows: ResultRows, to writer: TableWriter) throws -> Int {
        while let b = try rows.next() { try writer.append(b) }
        return try writer.finish().rows
    }

    func createTable(
        _ c: CreateTableStatement, _ tx: StoreTransaction, _ engine: QueryEngine, _ catalog: WriteCatalogView
    ) throws -> (StatementOutcome, Bool) {
        let name = c.name
        if catalog.view(name.name) != nil {
            throw KuaiError(.binding, "view \"\(name.name)\" already exists", at: name.position.description)
        }
        let existing = catalog.table(name.name)
        if existing != nil && !c.orReplace {
            if c.ifNotExists { return (StatementOutcome(statement: "CREATE TABLE", changedRows: nil), false) }
            throw KuaiError(.binding, "table \"\(name.name)\" already exists", at: name.position.description)
        }
        switch c.source {
        case .columns(let defs):
            if let f = defs.first(where: { $0.type.isNested }) {
                throw KuaiError(
                    .binding, "a store table cannot hold the \(f.type.nestedKind) column \(f.name) \(f.type)",
                    at: name.position.description)
            }
            if let existing { try tx.dropTable(existing) }
            let writer = try tx.createTable(name: name.name, schema: defs.map { Field($0.name, $0.type) })
            _ = try writer.finish()
            return (StatementOutcome(statement: "CREATE TABLE", changedRows: nil), true)
        case .query(let q):
            // Bind before dropping anything: a bad query leaves the old table.
            let rows = try engine.openQuery(q)
            if let f = rows.schema.first(where: { $0.type.isNested }) {
                throw KuaiError(
                    .binding, "a store table cannot hold the \(f.type.nestedKind) column \(f.name) \(f.type)",
                    at: name.position.description)
            }
            if let existing { try tx.dropTable(existing) }
            let writer = try tx.createTable(name: name.name, schema: rows.schema)
            let n = try write(rows, to: writer)
            return (StatementOutcome(statement: "CREATE TABLE", changedRows: n), true)
        }
    }

    func createView(
        _ v: CreateViewStatement, _ tx: StoreTransaction, _ engine: QueryEngine, _ catalog: WriteCatalogView
    ) throws -> (StatementOutcome, Bool) {
        let outcome = StatementOutcome(statement: "CREATE VIEW", changedRows: nil)
        if catalog.table(v.name.name) != nil {
            throw KuaiError(.binding, "table \"\(v.name.name)\" already exists", at: v.name.position.description)
        }
        let existing = catalog.view(v.name.name)
        if existing != nil && !v.orReplace {
            if v.ifNotExists { return (outcome, false) }
            throw KuaiError(.binding, "view \"\(v.name.name)\" already exists", at: v.name.position.description)
        }
        // Bound now, as DuckDB does, so a view over a missing table is refused at once.
        let rows = try engine.openQuery(v.query)
        if v.columnNames.count > rows.schema.count {
            throw KuaiError(
                .binding,
                "view \"\(v.name.name)\" names \(v.columnNames.count) columns, its query has \(rows.schema.count)",
                at: v.name.position.description)
        }
        if let existing { try tx.dropView(existing) }
        try tx.createView(name: v.name.name, sql: v.queryText, columnNames: v.columnNames)
        return (outcome, true)
    }

    func drop(_ d: DropStatement, _ tx: StoreTransaction, _ catalog: WriteCatalogView) throws -> (
        StatementOutcome, Bool
    ) {
        let outcome = StatementOutcome(statement: "DROP \(d.kind.rawValue)", changedRows: nil)
        let table = catalog.table(d.name.name)
        let view = catalog.view(d.name.name)
        switch d.kind {
        case .table:
            if let table {
                try tx.dropTable(table)
                return (outcome, true)
            }
            if view != nil { throw catalog.wrongKind(d.name, is: .view, wanted: .table) }
        case .view:
            if let view {
                try tx.dropView(view)
                return (outcome, true)
            }
            if table != nil { throw catalog.wrongKind(d.name, is: .table, wanted: .view) }
        case .macro, .tableMacro:
            throw KuaiError(.execution, "DROP MACRO runs in the session (Session.dropMacro)")
        }
        if d.ifExists { return (outcome, false) }
        throw catalog.missing(d.kind, d.name)
    }

    func rename(_ r: RenameStatement, _ tx: StoreTransaction, _ catalog: WriteCatalogView) throws -> (
        StatementOutcome, Bool
    ) {
        let found = r.kind == .table ? catalog.table(r.name.name) : catalog.view(r.name.name)
        guard let old = found else {
            if r.kind == .table, catalog.view(r.name.name) != nil {
                throw catalog.wrongKind(r.name, is: .view, wanted: .table)
            }
            if r.kind == .view, catalog.table(r.name.name) != nil {
                throw catalog.wrongKind(r.name, is: .table, wanted: .view)
            }
            throw catalog.missing(r.kind, r.name)
        }
        let target = r.newName.name
        if old.lowercased() != target.lowercased() && (catalog.table(target) != nil || catalog.view(target) != nil) {
            throw KuaiError(
                .binding, "cannot rename \"\(old)\" to \"\(target)\": another table or view has that name",
                at: r.newName.position.description)
        }
        try tx.rename(old, to: target)
        return (StatementOutcome(statement: "ALTER \(r.kind.rawValue)", changedRows: nil), true)
    }

    func insert(_ i: InsertStatement, _ tx: StoreTransaction, _ engine: QueryEngine, _ catalog: WriteCatalogView)
        throws -> (StatementOutcome, Bool)
    {
        guard let name = catalog.table(i.table.name) else {
            if catalog.view(i.table.name) != nil { throw catalog.wrongKind(i.table, is: .view, wanted: .table) }
            throw catalog.missing(.table, i.table)
        }
        let table = try tx.base.table(name)
        // Which query column goes to each table column (nil = NULL).
        var source = [Int?](repeating: nil, count: table.schema.count)
        if let cols = i.columns {
            for (k, c) in cols.enumerated() {
                guard let t = table.schema.firstIndex(where: { $0.name.lowercased() == c.name.lowercased() }) else {
                    throw KuaiError(
                        .binding,
                        "table \"\(name)\" has no column \"\(c.name)\" (columns: \(table.schema.map(\.name).joined(separator: ", ")))",
                        at: c.position.description)
                }
                guard source[t] == nil else {
                    throw KuaiError(
                        .binding, "column \"\(c.name)\" is named twice in INSERT", at: c.position.description)
                }
                source[t] = k
            }
        } else {
            for t in table.schema.indices { source[t] = t }
        }
        let want = i.columns?.count ?? table.schema.count
        var targetTypes = [DataType](repeating: .null, count: want)
        for (t, k) in source.enumerated() { if let k { targetTypes[k] = table.schema[t].type } }
        let query = Session.valuesCastTo(targetTypes, i.query)
        let rows = try engine.openQuery(query) { plan, cols in
            guard cols.count == want else {
                throw KuaiError(
                    .binding,
                    "table \"\(name)\" has \(want) columns but \(cols.count) values were supplied",
                    at: i.query.position.description)
            }
            return try Session.insertProjection(plan, cols, table.schema, source, query)
        }
        let writer = try tx.appendRows(to: name)
        let n = try write(rows, to: writer)
        return (StatementOutcome(statement: "INSERT", changedRows: n), n > 0)
    }

    /// The projection that turns the query's columns into the table's: each table column gets its
    /// query column cast to the column's type (DuckDB's implicit INSERT cast; values that do not
    /// convert fail while rows flow), or NULL.
    /// - Throws: `KuaiError.binding` at the value's position for a cast DuckDB does not have
    ///   (`DATE` into `INTEGER`).
    static func insertProjection(
        _ plan: LogicalPlan, _ cols: [ScopeColumn], _ schema: Schema, _ source: [Int?], _ query: Query
    ) throws -> (LogicalPlan, [ScopeColumn]) {
        var exprs: [BoundExpr] = []
        for (t, field) in schema.enumerated() {
            guard let k = source[t] else {
                exprs.append(.constant(.null, type: field.type, name: field.name))
                continue
            }
            let c = cols[k]
            let e = BoundExpr.column(k, type: c.type, name: c.name)
            if c.type == field.type {
                exprs.append(e)
            } else if c.type == .null {
                exprs.append(.constant(.null, type: field.type, name: field.name))
            } else {
                guard Kernels.canCast(from: c.type, to: field.type) else {
                    throw KuaiError(
                        .binding,
                        "cannot insert a \(c.type) value into column \"\(field.name)\" of type \(field.type)",
                        at: valuePosition(query, k).description)
                }
                exprs.append(BoundExpr(.cast(e, isTry: false), type: field.type, name: field.name))
            }
        }
        let out = schema.map { ScopeColumn(qualifier: nil, name: $0.name, type: $0.type) }
        return (.project(plan, exprs, names: schema.map(\.name)), out)
    }

    /// `INSERT ... VALUES` binds each value cast to its column's type, as DuckDB does (so `'abc'` into an
    /// INTEGER column fails as a conversion, and `NULL` fits any column); other queries are unchanged.
    static func valuesCastTo(_ types: [DataType], _ query: Query) -> Query {
        guard case .values(let rows, let pos) = query.body, rows.allSatisfy({ $0.count == types.count }) else {
            return query
        }
        let cast = rows.map { row in
            row.enumerated().map { k, e -> Expr in .cast(e, types[k], isTry: false, e.position) }
        }
        return query.copy(body: .values(cast, position: pos))
    }

    /// Where the `k`-th value of an INSERT's query is written (the first VALUES row's or the select
    /// item's expression), else the query's start.
    static func valuePosition(_ query: Query, _ k: Int) -> SourcePosition {
        switch query.body {
        case .values(let rows, _): if let row = rows.first, k < row.count { return row[k].position }
        case .select(let core):
            if k < core.items.count, case .expr(let e, _) = core.items[k] { return e.position }
        default: break
        }
        return query.position
    }

    /// The name in `names` closest to `name` (at most a third of its letters different), for "did you mean".
    static func closestName(_ name: String, _ names: [String]) -> String? {
        let a = Array(name.lowercased())
        var best: (String, Int)? = nil
        for n in names {
            let b = Array(n.lowercased())
            var prev = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var cur = [i] + [Int](repeating: 0, count: b.count)
                for j in 1..<(b.count + 1) {
                    cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            let d = prev[b.count]
            if d <= Swift.max(1, a.count / 3), best == nil || d < best!.1 { best = (n, d) }
        }
        return best?.0
    }
}
