import KuaiCore
import KuaiExec

/// LIMIT below the projections under it (a projection keeps the row count): a LIMIT over the projection
/// that drops the hidden ORDER BY columns then sits right over the sort, which the physical planner turns
/// into a top-N sort.
struct LimitPushdown: OptimizerRule {
    var name: String { "LimitPushdown" }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        if case .limit(.project(let c, let exprs, let names), let limit, let offset) = plan {
            return .project(apply(.limit(c, limit: limit, offset: offset)), exprs, names: names)
        }
        return plan.withChildren(plan.children.map(apply))
    }
}
