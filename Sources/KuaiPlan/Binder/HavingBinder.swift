import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// HAVING: a BOOLEAN condition over the groups (keys and aggregates; select-list aliases allowed), applied
    /// after the aggregation. A query with HAVING and no GROUP BY aggregates into one group.
    /// - Throws: `KuaiError.binding` for a non-BOOLEAN condition or a column neither grouped nor aggregated.
    func bindHaving(_ s: SelectBinding) throws {
        guard let h = s.core.having else { return }
        var ctx = ExprContext(scope: s.scope, aggregate: s.aggregate, clause: "HAVING")
        ctx.aliases = s.aliases
        ctx.aliasScopes = s.lateral.scopes
        s.having = try bindBoolean(h, ctx)
    }

    /// QUALIFY: a BOOLEAN condition over the rows after the window functions (select-list aliases allowed);
    /// it needs a window function somewhere in the query.
    /// - Throws: `KuaiError.binding` for a non-BOOLEAN condition or a query without window functions.
    func bindQualify(_ s: SelectBinding) throws {
        guard let q = s.core.qualify else { return }
        s.qualify = try bindBoolean(q, s.context("QUALIFY", aliases: true))
        if s.windows.calls.isEmpty { throw Binder.error("QUALIFY needs a window function", q.position) }
    }
}
