import KuaiCore
import KuaiExec

/// Moves a filter into the scan below it (its conjuncts become the scan's, which zone maps check per
/// block and which run before any column is gathered) and merges a filter into the filter below it.
/// Filters over joins are split by `JoinConditionPushdown`, which runs first.
struct FilterPushdown: OptimizerRule {
    var name: String { "FilterPushdown" }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        plan.transformedUp { node in
            guard case .filter(let child, let pred) = node else { return node }
            switch child {
            case .scan(let t, let cols, let conj, let output):
                return .scan(table: t, columns: cols, conjuncts: conj + pred.conjuncts, output: output)
            case .filter(let below, let p2):
                let merged = BoundExpr(
                    .and(p2.conjuncts + pred.conjuncts), type: .boolean, name: "\(p2.name) AND \(pred.name)")
                return .filter(below, merged)
            default:
                return node
            }
        }
    }
}
