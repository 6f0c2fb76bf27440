import KuaiCore
import KuaiSQL

extension Binder {
    /// `SELECT DISTINCT ON (terms) ... ORDER BY o`, as DuckDB 2.0.1: of each distinct value of the terms, the
    /// first row in the ORDER BY order (some row of it without ORDER BY). Rewritten as the SELECT with
    /// `QUALIFY row_number() OVER (PARTITION BY terms ORDER BY o) = 1` (joined by AND to its own QUALIFY),
    /// which sees the select-list aliases; a position (`DISTINCT ON (1)`, `ORDER BY 2`) names its select item
    /// and `ORDER BY ALL` every select item. Returns `core` itself when it has no DISTINCT ON. An ORDER BY
    /// term that is a window function (or the alias of one) is a binding error here (DuckDB answers it).
    static func distinctOnAsQualify(_ core: SelectCore, orderBy: [OrderItem], orderByAll: OrderItem?) -> SelectCore {
        guard let written = core.distinctOn else { return core }
        let pos = core.position
        // A select-list position (`DISTINCT ON (1)`, `ORDER BY 2`) as its item's expression.
        func item(_ e: Expr) -> Expr {
            if case .literal(.integer(let k), _) = e, k >= 1, k <= Int64(core.items.count),
                case .expr(let x, _) = core.items[Int(k) - 1]
            {
                return x
            }
            return e
        }
        let on = written.map(item)
        var order: [OrderItem] = []
        if let all = orderByAll {
            for case .expr(let e, _) in core.items {
                var item = all
                item.expr = e
                order.append(item)
            }
        }
        for o in orderBy {
            var term = o
            term.expr = item(o.expr)
            order.append(term)
        }
        var call = FunctionCall(name: "row_number", arguments: [], position: pos)
        call.over = WindowSpec(partitionBy: on, orderBy: order)
        let first = Expr.binary(.compare(.equal), .function(call), .literal(.integer(1), pos), pos)
        let out = SelectCore(distinct: false, items: core.items, from: core.from, position: pos)
        out.whereClause = core.whereClause
        out.groupBy = core.groupBy
        out.groupByAll = core.groupByAll
        out.groupingSets = core.groupingSets
        out.having = core.having
        out.windows = core.windows
        out.qualify = core.qualify.map { .binary(.and, $0, first, pos) } ?? first
        return out
    }
}

extension Binder {
    /// `SELECT unnest(l) AS p, count(*) FROM t [WHERE w] GROUP BY p`: DuckDB unnests before grouping, so a
    /// select item `unnest(l)` of a query with a GROUP BY (by alias or position) over one table is taken from
    /// `(SELECT *, unnest(l) AS __unnest<i> FROM t [WHERE w]) t`, keeping its name; the core as written
    /// otherwise (GROUP BY ALL and GROUP BY unnest(...) stay errors, as DuckDB's "Cannot group on an UNNEST").
    static func groupedUnnestAsSubquery(_ core: SelectCore) -> SelectCore {
        guard !core.groupBy.isEmpty, !core.groupByAll, case .table(let name, let alias, let tpos)? = core.from,
            !core.groupBy.contains(where: isUnnestCall)
        else { return core }
        var inner: [SelectItem] = [.star(table: nil, exclude: [], position: core.position)]
        var items = core.items
        for (i, item) in core.items.enumerated() {
            // (unnest of an aggregate, `unnest(list(x))`, unnests the groups' lists after the grouping)
            guard case .expr(let e, let a) = item, isUnnestCall(e), !containsAggregate(e) else { continue }
            let column = "__unnest\(i)"
            inner.append(.expr(e, alias: column))
            items[i] = .expr(.column(qualifier: nil, name: column, e.position), alias: a ?? e.sqlDescription)
        }
        guard inner.count > 1, !core.items.contains(where: { if case .star = $0 { return true } else { return false } })
        else { return core }
        let innerCore = SelectCore(distinct: false, items: inner, from: core.from, position: core.position)
        innerCore.whereClause = core.whereClause
        let query = Query(ctes: [], body: .select(innerCore), position: core.position)
        let out = SelectCore(
            distinct: core.distinct, items: items,
            from: .subquery(query, alias: alias ?? name, columnNames: [], position: tpos), position: core.position)
        out.distinctOn = core.distinctOn
        out.groupBy = core.groupBy
        out.groupingSets = core.groupingSets
        out.having = core.having
        out.windows = core.windows
        out.qualify = core.qualify
        return out
    }

    static func isUnnestCall(_ e: Expr) -> Bool {
        if case .function(let f) = e, f.name == "unnest", f.over == nil, f.arguments.count == 1 { return true }
        return false
    }
}
