import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// WHERE: its conjuncts filter the FROM plan. No aggregates; select-list aliases of expressions
    /// without aggregates may be used (DuckDB). `[NOT] EXISTS (correlated subquery)`, `(a, b) [NOT] IN
    /// (subquery)` and `x IN (correlated subquery)` conjuncts become semi (anti) joins, and in a correlated
    /// subquery the `inner = outer` equalities become correlations (`takeCorrelations`).
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
            if case .inSubquery(let a, let q, let negated, let pos) = c, let members = Binder.rowMembers(a) {
                s.target.plan = try rowInSubqueryJoin(members, q, negated: negated, pos, ctx, s.target)
                continue
            }
            if case .inSubquery(let a, let q, false, let pos) = c,
                let joined = try correlatedInJoin(a, q, at: pos, ctx, s.target)
            {
                s.target.plan = joined
                continue
            }
            // An uncorrelated `x IN (subquery)` conjunct of the outermost query is a semi join on
            // x: its values are not turned into an IN list of constants (millions of boxed values
            // for a large subquery). NOT IN keeps the list (its NULL rule).
            if case .inSubquery(let a, let q, false, let pos) = c, outer == nil || lateral,
                let joined = try rowInSubqueryJoin([a], q, negated: false, pos, ctx, s.target, narrowKeysOnly: true)
            {
                s.target.plan = joined
                continue
            }
            parts.append(contentsOf: try bindBoolean(c, ctx).factoringSharedConjuncts.conjuncts)
        }
        if outer != nil && !lateral { parts = try takeCorrelations(parts, at: w.position) }
        if !parts.isEmpty {
            s.target.plan = .filter(
                s.target.plan, parts.count == 1 ? parts[0] : BoundExpr(.and(parts), type: .boolean, name: "WHERE"))
        }
    }

    /// Takes the comparisons `inner op outer` (also `IS [NOT] DISTINCT FROM`) out of a correlated
    /// subquery's WHERE conjuncts into `correlations` (the outer side as an expression over the outer
    /// query's columns); returns the conjuncts that do not read the outer query.
    /// - Throws: `KuaiError.binding` for any other use of an outer column, and for a comparison other
    ///   than `=` and `IS NOT DISTINCT FROM` outside an EXISTS subquery (`allowsNonKeyCorrelations`).
    func takeCorrelations(_ parts: [BoundExpr], at pos: SourcePosition) throws -> [BoundExpr] {
        var kept: [BoundExpr] = []
        for p in parts.flatMap(\.conjuncts) {
            if !p.referencesOuterColumns {
                kept.append(p)
                continue
            }
            let a: BoundExpr
            let b: BoundExpr
            var test: Correlation.Test
            switch p.kind {
            case .compare(let op, let x, let y):
                (a, b, test) = (x, y, .compare(op))
            case .isDistinctFrom(let x, let y, let negated):
                (a, b, test) = (x, y, .distinct(negated: negated))
            default:
                throw Binder.error(
                    "correlated subqueries support only comparisons with the outer query (inner = outer) in WHERE; found \(p.name)",
                    pos)
            }
            let correlation: Correlation
            if b.referencesOuterColumns && !b.referencesInnerColumns && !a.referencesOuterColumns {
                if case .compare(let op) = test { test = .compare(op.flipped) }
                correlation = Correlation(inner: a, outer: b.outerColumnsAsInput(), test: test, text: p.name)
            } else if a.referencesOuterColumns && !a.referencesInnerColumns && !b.referencesOuterColumns {
                correlation = Correlation(inner: b, outer: a.outerColumnsAsInput(), test: test, text: p.name)
            } else {
                throw Binder.error("unsupported correlated condition \(p.name)", pos)
            }
            guard correlation.isKey || allowsNonKeyCorrelations else {
                throw Binder.error(
                    "correlated subqueries other than EXISTS support only equalities with the outer query (inner = outer) in WHERE; found \(p.name)",
                    pos)
            }
            correlations.append(correlation)
        }
        return kept
    }
}
