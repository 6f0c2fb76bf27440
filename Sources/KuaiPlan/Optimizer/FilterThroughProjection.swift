import KuaiCore
import KuaiExec

/// Moves the WHERE conjuncts over a projection that read only columns the projection passes through
/// unchanged below it (`SELECT * FROM (SELECT a, f(b) AS x FROM t) WHERE a > 5` filters t, so the scan
/// gets `a > 5` with its zone maps), as DuckDB's filter pushdown does through projections. A conjunct that
/// reads a computed column stays above. Runs top-down before `JoinConditionPushdown`, so a filter sinks
/// through a chain of projections (derived tables, views, CTEs inlined) to the join or scan below them,
/// where that rule and `FilterPushdown` take it further. The projection then computes its expressions
/// only for the rows that pass (a cast that would fail on a dropped row no longer fails, as in DuckDB).
struct FilterThroughProjection: OptimizerRule {
    var name: String { "FilterThroughProjection" }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        guard case .filter(.project(let child, let exprs, let names), let pred) = plan else {
            return plan.withChildren(plan.children.map(apply))
        }
        var pushed: [BoundExpr] = []
        var kept: [BoundExpr] = []
        for c in pred.conjuncts {
            let passThrough = c.referencedColumns.allSatisfy { exprs[$0].columnIndex != nil }
            if passThrough && !c.referencesOuterColumns {
                pushed.append(c.remapColumns { exprs[$0].columnIndex! })
            } else {
                kept.append(c)
            }
        }
        guard !pushed.isEmpty else { return .filter(.project(apply(child), exprs, names: names), pred) }
        let below = apply(.filter(child, BoundExpr.and(pushed)))
        let projected = LogicalPlan.project(below, exprs, names: names)
        return kept.isEmpty ? projected : .filter(projected, BoundExpr.and(kept))
    }
}
