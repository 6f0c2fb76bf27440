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
