import KuaiCore
import KuaiExec
import KuaiSQL

/// A column visible to expressions: where it comes from (qualifier = table name or alias) and its
/// type. The position in the scope array is the column index in the plan's output.
struct ScopeColumn {
    var qualifier: String?
    var name: String
    var type: DataType
    /// The right-hand copy of a USING column: reachable only with its qualifier, not in `*`.
    var hidden = false
    /// For the visible column of USING joins: the common type of every column those joins equated with
    /// it (DuckDB's using column set); nil when no USING join named it.
    var usingSetType: DataType? = nil
    /// True when the column is the coalesce of its using set (after a FULL JOIN): a later INNER or LEFT
    /// join USING the same name coalesces its column in too, in the set's common type (DuckDB).
    var usingCoalesced = false
    /// DuckDB's `rowid` pseudo-column of a base table: bound by name (qualified or not, ambiguous like
    /// any column) but never part of `*`, `t.*`, `COLUMNS(*)` or a NATURAL join.
    var virtual = false

    /// The column as a plan output field.
    var field: Field { Field(name, type) }
}

/// What an expression may contain where it is bound.
struct ExprContext {
    var scope: [ScopeColumn]
    /// Non-nil while binding select items, HAVING and ORDER BY of an aggregate query.
    var aggregate: AggregateContext?
    /// The clause, for error messages ("WHERE", "GROUP BY", ...).
    var clause: String
    /// Non-nil where window functions are allowed (select list, ORDER BY, QUALIFY).
    var window: WindowContext? = nil
    /// Select-list aliases a bare name may refer to when no input column has that name
    /// (DuckDB allows them in WHERE, HAVING, QUALIFY and ORDER BY expressions).
    var aliases: [String: Expr] = [:]
    /// The aliases each alias's own expression may use (the select items before it: `LateralAliases`).
    var aliasScopes: [String: [String: Expr]] = [:]
    /// Aliases of the current select item and those after it, which it may not use (DuckDB's error).
    var forwardAliases: Set<String> = []

    /// The context to bind the expression of alias `name` in: that alias's own lateral aliases.
    func aliasContext(_ name: String) -> ExprContext {
        var inner = self
        inner.aliases = aliasScopes[name] ?? [:]
        inner.forwardAliases = []
        return inner
    }
    /// Where a correlated scalar subquery adds its LEFT JOIN (WHERE and select list of a query
    /// without aggregation); nil elsewhere.
    var correlation: CorrelationTarget? = nil
}

/// The plan under construction that correlated subqueries join onto; each join appends the
/// subquery's columns after the current ones, so bound column indexes stay valid.
final class CorrelationTarget {
    var plan: LogicalPlan
    var width: Int
    init(plan: LogicalPlan, width: Int) {
        self.plan = plan
        self.width = width
    }
}

/// What a column name resolves to: a column of the input, or of an enclosing query's scope.
enum ColumnReference {
    case input(Int)
    case outer(depth: Int, index: Int)
}

/// DuckDB's lateral column aliases: an item of the select list may use the alias of an earlier item
/// (`SELECT x / 1000 AS s, s / 60 AS m`); an alias names the last item that has it, and an item may not use
/// an alias of itself or of a later item. A real column of the same name wins over an alias.
struct LateralAliases {
    /// Lower-cased alias -> index of the last item with it.
    let index: [String: Int]
    /// Lower-cased alias -> its expression.
    let exprs: [String: Expr]
    /// Lower-cased alias -> the aliases its expression may use.
    let scopes: [String: [String: Expr]]

    init(_ items: [(expr: Expr, alias: String?)]) {
        var index: [String: Int] = [:]
        for (i, it) in items.enumerated() { if let a = it.alias { index[a.lowercased()] = i } }
        var exprs: [String: Expr] = [:]
        for (a, i) in index { exprs[a] = items[i].expr }
        var scopes: [String: [String: Expr]] = [:]
        for (a, i) in index { scopes[a] = exprs.filter { index[$0.key]! < i } }
        self.index = index
        self.exprs = exprs
        self.scopes = scopes
    }

    /// `ctx` for select item `i`: the aliases of earlier items usable, those of item i and later refused.
    func context(_ ctx: ExprContext, item i: Int) -> ExprContext {
        var c = ctx
        c.aliases = exprs.filter { index[$0.key]! < i }
        c.forwardAliases = Set(index.filter { $0.value >= i }.keys)
        c.aliasScopes = scopes
        return c
    }
}
