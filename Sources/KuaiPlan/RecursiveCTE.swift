import KuaiCore
import KuaiExec
import KuaiSQL

extension QueryEngine {
    /// An engine over the same store with `extra` in-memory tables in front of its tables (they shadow
    /// tables of the same name).
    func with(tables extra: [TableSource]) -> QueryEngine {
        QueryEngine(
            store: store,
            catalog: TableCatalog(store: store, tables: extra + catalog.tables, sessionMacros: catalog.sessionMacros),
            options: options)
    }

    /// `WITH RECURSIVE` at the top of a statement (DuckDB semantics), computed before the query binds:
    /// the CTEs are materialized in order as in-memory tables, which the query then reads under their
    /// names. A CTE whose body is `anchor UNION [ALL] step` and whose step reads the CTE itself iterates:
    /// the anchor's rows first; then the step runs over the rows of the previous round (the working table)
    /// until a round adds none; each round's rows are cast to the anchor's column types; with UNION (not
    /// ALL) the anchor's duplicates and every row already in the result are dropped. Other CTEs are run
    /// once. Returns the query without its CTEs and the tables standing for them.
    /// - Throws: `KuaiError.binding` for a step whose column count differs from the anchor's; the errors of
    ///   the CTEs' queries.
    func materializingRecursiveCTEs(_ q: Query) throws -> (Query, [TableSource]) {
        guard q.recursive else { return (q, []) }
        var tables: [TableSource] = []
        for cte in q.ctes {
            var refs: [String: Int] = [:]
            Binder.countTableRefs(cte.query, &refs)
            let name = cte.name
            if refs[name.lowercased(), default: 0] > 0, cte.query.ctes.isEmpty, cte.query.orderBy.isEmpty,
                cte.query.limit == nil, cte.query.offset == nil,
                case .setOperation(.union, let all, let anchor, let step, _) = cte.query.body
            {
                tables.insert(try iterate(cte, anchor: anchor, step: step, all: all, tables), at: 0)
            } else {
                let (schema, batches) = try with(tables: tables).rows(of: cte.query, names: cte.columnNames)
                tables.insert(MemoryTable(name: name, schema: schema, batches: batches), at: 0)
            }
        }
        let rest = Query(ctes: [], body: q.body, position: q.position)
        rest.orderBy = q.orderBy
        rest.orderByAll = q.orderByAll
        rest.limit = q.limit
        rest.limitPercent = q.limitPercent
        rest.offset = q.offset
        return (rest, tables)
    }

    /// The rows of a recursive CTE (see `materializingRecursiveCTEs`).
    private func iterate(
        _ cte: CommonTableExpression, anchor: QueryBody, step: QueryBody, all: Bool, _ tables: [TableSource]
    ) throws -> MemoryTable {
        let name = cte.name
        let engine = with(tables: tables)
        var (schema, batches) = try engine.rows(
            of: Query(ctes: [], body: anchor, position: cte.position), names: cte.columnNames)
        var seen = Set<[Value]>()
        if !all, schema.contains(where: { if case .list = $0.type { return true } else { return false } }) {
            throw KuaiError(
                .binding, "a LIST column in a WITH RECURSIVE ... UNION is not supported (UNION ALL is)",
                at: cte.position.description)
        }
        if !all { batches = QueryEngine.newRows(batches, &seen) }
        var result = batches
        var working = batches
        while working.contains(where: { $0.count > 0 }) {
            try QueryControl.checkInterrupt()
            let round = with(tables: [MemoryTable(name: name, schema: schema, batches: working)] + tables)
            var (_, added) = try round.rows(of: Query(ctes: [], body: step, position: cte.position), castTo: schema)
            if !all { added = QueryEngine.newRows(added, &seen) }
            result += added
            working = added
        }
        return MemoryTable(name: name, schema: schema, batches: result)
    }

    /// The rows of `batches` not yet in `seen` (UNION's duplicates: NULLs equal), which it then holds.
    /// Plan-time work over the CTE's rows (a boxed row key per row, once per round), not an operator loop.
    private static func newRows(_ batches: [Batch], _ seen: inout Set<[Value]>) -> [Batch] {
        batches.compactMap { b -> Batch? in
            var keep: [Int32] = []
            for i in 0..<b.count where seen.insert(b.columns.map { $0.value(at: i) }).inserted {
                keep.append(Int32(i))
            }
            if keep.count == b.count { return b }
            return keep.isEmpty ? nil : keep.withUnsafeBufferPointer { b.gather($0) }
        }
    }

    /// Runs `query` to the end: its schema (renamed by `names` where given) and batches; with `castTo`,
    /// each column is cast to that schema's type (a column count other than the schema's is an error).
    func rows(of query: Query, names: [String] = [], castTo target: Schema? = nil) throws -> (Schema, [Batch]) {
        let shared = SharedResults()
        var (plan, cols) = try bindLogical(query, shared)
        if let target {
            guard cols.count == target.count else {
                throw KuaiError(
                    .binding,
                    "the recursive part of a WITH RECURSIVE query gives \(cols.count) columns, its first part \(target.count)",
                    at: query.position.description)
            }
            let exprs = cols.enumerated().map { i, c -> BoundExpr in
                let col = BoundExpr.column(i, type: c.type, name: c.name)
                return c.type == target[i].type
                    ? col : BoundExpr(.cast(col, isTry: false), type: target[i].type, name: c.name)
            }
            plan = .project(plan, exprs, names: target.map(\.name))
            for i in cols.indices { cols[i].type = target[i].type }
        }
        let op = try physical(Optimizer.optimize(plan), shared)
        var batches: [Batch] = []
        while let b = try op.next() { batches.append(b) }
        var schema = cols.map { Field($0.name, $0.type) }
        for (i, n) in names.enumerated() where i < schema.count { schema[i].name = n }
        return (target ?? schema, batches)
    }
}
