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
