import KuaiCore
import KuaiExec

/// Replaces every expression subtree that reads no column by its value, computed once at plan time
/// (`1 + 2` -> `3`, `CAST('2025-05-26' AS DATE)` -> the date, `'a' || 'b'` -> `'ab'`); the node keeps its
/// name, so result column names and EXPLAIN text do not change. A subtree whose evaluation fails (an
/// overflow, `1 // 0`) is kept as is: the error is raised only if a row reaches it, as DuckDB does for a
/// branch no row takes.
struct ConstantFolding: OptimizerRule {
    var name: String { "ConstantFolding" }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        plan.mapAllExpressions(Self.fold)
    }

    /// `e` with its constant subtrees folded, bottom-up.
    static func fold(_ e: BoundExpr) -> BoundExpr {
        e.transformed { node in
            guard node.constantValue == nil, node.isEvaluableWithoutInput,
                let v = try? node.evaluateConstant()
            else { return node }
            return BoundExpr(.constant(v), type: node.type, name: node.name)
        }
    }
}
