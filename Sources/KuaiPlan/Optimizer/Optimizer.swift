import KuaiCore
import KuaiExec

/// One rewrite of the logical plan. Each rule lives in a file of its own in this folder and keeps the
/// plan's meaning: the same rows, columns and types for every input.
protocol OptimizerRule: Sendable {
    /// The rule's name, as tests and plan dumps show it.
    var name: String { get }
    /// The rewritten plan.
    func apply(_ plan: LogicalPlan) -> LogicalPlan
}

/// The optimizer: a list of rules applied in order, each once over the whole plan. A shared CTE's plan
/// (`LogicalPlan.shared`) is optimized on its own first, as a plan whose every column is read.
///
/// To add a rule: a type conforming to `OptimizerRule` in a new file here, a place in `rules` (the
/// order matters: folding before the rules that look for constants, pushdown before pruning), and tests
/// in Tests/KuaiPlanTests that show the plan before and after it (`RewriteCase` rows).
enum Optimizer {
    static let rules: [any OptimizerRule] = [
        ConstantFolding(),
        HourOfEpochMsFusion(),
        FilterThroughProjection(),
        JoinConditionPushdown(),
        SemiJoinPushdown(),
        FilterPushdown(),
        AggregateBelowJoin(),
        LimitPushdown(),
        ProjectionPruning(),
        LateMaterialization(),
    ]

    /// `plan` rewritten by every rule of `rules`, in order. The plans of shared CTEs and of uncorrelated
    /// subqueries in expressions are optimized on their own first.
    static func optimize(_ plan: LogicalPlan, rules: [any OptimizerRule] = Optimizer.rules) -> LogicalPlan {
        let inner = plan.transformedUp { node in
            if case .shared(let id, let p) = node { return .shared(id: id, optimize(p, rules: rules)) }
            return node.mapExpressions { e in
                e.transformed { x in
                    switch x.kind {
                    case .subquery(var q):
                        q.plan = optimize(q.plan, rules: rules)
                        return BoundExpr(.subquery(q), type: x.type, name: x.name)
                    case .inSubquery(let a, var q, let negated):
                        q.plan = optimize(q.plan, rules: rules)
                        return BoundExpr(.inSubquery(a, q, negated: negated), type: x.type, name: x.name)
                    default:
                        return x
                    }
                }
            }
        }
        return rules.reduce(inner) { $1.apply($0) }
    }
}
