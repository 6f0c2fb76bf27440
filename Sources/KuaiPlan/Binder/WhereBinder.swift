import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// WHERE: its conjuncts filter the FROM plan. No aggregates; select-list aliases of expressions
    /// without aggregates may be used (DuckDB). `[NOT] EXISTS (correlated subquery)` conjuncts become
    /// semi (anti) joins, and in a correlated subquery the `inner = outer` equalities become
    /// correlations (`takeCorrelations`).
    /// - Throws: `KuaiError.binding` for aggregates, a non-BOOLEAN condition, names and types.
    func bindWhere(_ s: SelectBinding) throws {
        guard let w = s.core.whereClause else { return }
        if Binder.containsAggregate(w) { throw Binder.error("WHERE clause cannot contain aggregates", w.position) }
        var ctx = ExprContext(scope: s.scope, aggregate: nil, clause: "WHERE")
        ctx.aliases = s.aliases.filter { !Binder.containsAggregate($0.value) }
        ctx.aliasScopes = s.lateral.scopes
        ctx.correlation = s.target
        var parts: [BoundExpr] = []
        for c in Binder.astConjuncts(w) {
            if case .exists(let q, let negated, let pos) = c,
                let joined = try correlatedExists(q, negated, pos, s.scope, s.target)
            {
                s.target.plan = joined
                continue
            }
            parts.append(try bindBoolean(c, ctx))
        }
        if outer != nil { parts = try takeCorrelations(parts, at: w.position) }
        if !parts.isEmpty {
            s.target.plan = .filter(
                s.target.plan, parts.count == 1 ? parts[0] : BoundExpr(.and(parts), type: .boolean, name: "WHERE"))
        }
    }

    /// Takes the `inner = outer` equalities out of a correlated subquery's WHERE conjuncts into
    /// `correlations` (the outer side as an expression over the outer query's columns); returns the
    /// conjuncts that do not read the outer query.
    /// - Throws: `KuaiError.binding` for any other use of an outer column.
    func takeCorrelations(_ parts: [BoundExpr], at pos: SourcePosition) throws -> [BoundExpr] {
        var kept: [BoundExpr] = []
        for p in parts.flatMap(\.conjuncts) {
            if !p.referencesOuterColumns {
                kept.append(p)
                continue
            }
            guard case .compare(.equal, let a, let b) = p.kind else {
                throw Binder.error(
                    "correlated subqueries support only equalities with the outer query (inner = outer) in WHERE; found \(p.name)",
                    pos)
            }
            let aOuter = a.referencesOuterColumns
            let bOuter = b.referencesOuterColumns
            if bOuter && !b.referencesInnerColumns && !aOuter {
                correlations.append((a, b.outerColumnsAsInput()))
            } else if aOuter && !a.referencesInnerColumns && !bOuter {
                correlations.append((b, a.outerColumnsAsInput()))
            } else {
                throw Binder.error("unsupported correlated condition \(p.name)", pos)
            }
        }
        return kept
    }
}
