import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// A PIVOT statement without an IN list (`Query.pivot`), wherever it stands (the top of a statement,
    /// a FROM item, a CTE): the distinct non-NULL values of its ON expression are computed first, sorted
    /// (DuckDB runs the same query), then each becomes a column (`PivotSpec.sql(values:)`), and that
    /// query is bound. The values query sees the CTEs in scope.
    /// - Throws: `KuaiError.binding` where nothing may run while binding (`run` is nil); the errors of the
    ///   values query and of the query written from them.
    func bindPivot(_ spec: PivotSpec, _ q: Query) throws -> (plan: LogicalPlan, columns: [ScopeColumn]) {
        guard let run else { throw Binder.error("a PIVOT without an IN list cannot be computed here", q.position) }
        let (plan, _) = try bindQuery(try Parser.parseQuery(spec.valuesSQL))
        var values: [String] = []
        for b in try run(plan) {
            let c = b.columns[0]
            for i in 0..<b.count {
                if case .string(let s) = c.value(at: i) { values.append(s) }
            }
        }
        return try bindQuery(try Parser.parseQuery(spec.sql(values: values)))
    }

    /// An UNPIVOT (`Query.unpivot`, the statement or the SQL-standard form in FROM), bound as the UNION
    /// ALL it stands for: per entry, `SELECT <the columns no entry names>, 'entry' AS n, c1 AS v1, ... FROM
    /// source [WHERE c1 IS NOT NULL AND ...]`, under the query's own ORDER BY and LIMIT. The entries are
    /// resolved against the source's columns first: a name matches case-insensitively and the name column
    /// takes the column's own spelling; `COLUMNS(...)` and `* EXCLUDE (...)` give one entry per column they
    /// select; an entry of several columns without alias is named by its columns joined with `_`.
    /// - Throws: `KuaiError.binding` with DuckDB's errors: a column not in the source ("Column "x"
    ///   referenced in UNPIVOT but no matching entry was found in the table"), entries of different sizes
    ///   ("UNPIVOT value count mismatch"), as many VALUE names as entry columns ("UNPIVOT name count
    ///   mismatch"), and columns without a common type in one value position ("Cannot unpivot columns of
    ///   types VARCHAR and BIGINT - an explicit cast is required": one type, or numbers only).
    func bindUnpivot(_ spec: UnpivotSpec, _ q: Query) throws -> (plan: LogicalPlan, columns: [ScopeColumn]) {
        let pos = spec.position
        func select(_ items: [SelectItem]) -> Query {
            Query(body: .select(SelectCore(items: items, from: spec.source, position: pos)), position: pos)
        }
        let source = try bindQuery(select([.star(table: nil, exclude: [], position: pos)])).columns
        func index(_ name: String) -> Int? { source.firstIndex { $0.name.lowercased() == name.lowercased() } }
        var entries: [(columns: [Int], name: String)] = []
        for entry in spec.entries {
            if entry.items.count == 1, !entry.items[0].isColumnName {
                for c in try bindQuery(select(entry.items)).columns {
                    guard let i = index(c.name) else { continue }
                    entries.append(([i], entry.alias ?? source[i].name))
                }
                continue
            }
            var columns: [Int] = []
            for case .expr(.column(_, let name, let at), _) in entry.items {
                guard let i = index(name) else {
                    throw Binder.error(
                        "Column \"\(name)\" referenced in UNPIVOT but no matching entry was found in the table", at)
                }
                columns.append(i)
            }
            entries.append((columns, entry.alias ?? columns.map { source[$0].name }.joined(separator: "_")))
        }
        let width = entries.first?.columns.count ?? 0
        if let other = entries.first(where: { $0.columns.count != width }) {
            throw Binder.error(
                "UNPIVOT value count mismatch - entry has \(other.columns.count) values, but expected all entries to have \(width) values",
                pos)
        }
        if width != spec.values.count {
            throw Binder.error(
                "UNPIVOT name count mismatch - got \(spec.values.count) names but \(width) expressions", pos)
        }
        for k in 0..<width {
            let types = entries.map { source[$0.columns[k]].type }
            for t in types.dropFirst() where t != types[0] && !(t.isNumeric && types[0].isNumeric) {
                throw Binder.error(
                    "Cannot unpivot columns of types \(types[0]) and \(t) - an explicit cast is required", pos)
            }
        }
        let unpivoted = Set(entries.flatMap(\.columns))
        let kept = source.indices.filter { !unpivoted.contains($0) }
        func column(_ i: Int) -> Expr { .column(qualifier: nil, name: source[i].name, pos) }
        var union: QueryBody? = nil
        for entry in entries {
            var items = kept.map { SelectItem.expr(column($0), alias: nil) }
            items.append(.expr(.literal(.string(entry.name), pos), alias: spec.name))
            for (k, c) in entry.columns.enumerated() { items.append(.expr(column(c), alias: spec.values[k])) }
            let core = SelectCore(items: items, from: spec.source, position: pos)
            if !spec.includeNulls {
                core.whereClause = entry.columns.map { Expr.isNull(column($0), negated: true, pos) }
                    .reduce(nil) { all, e in all.map { .binary(.and, $0, e, pos) } ?? e }
            }
            union =
                union.map { .setOperation(.union, all: true, left: $0, right: .select(core), position: pos) }
                ?? .select(core)
        }
        guard let union else { throw Binder.error("UNPIVOT has no columns to unpivot", pos) }
        let star = SelectItem.star(table: nil, exclude: [], position: pos)
        let from = TableRef.subquery(Query(body: union, position: pos), alias: nil, columnNames: [], position: pos)
        return try bindQuery(q.copy(body: .select(SelectCore(items: [star], from: from, position: pos))))
    }
}

extension SelectItem {
    /// True for a plain column name (an UNPIVOT entry's column), false for `COLUMNS(...)` and `*`.
    fileprivate var isColumnName: Bool {
        if case .expr(.column, _) = self { return true }
        return false
    }
}
