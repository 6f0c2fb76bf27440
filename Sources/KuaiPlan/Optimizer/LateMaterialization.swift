import KuaiCore
import KuaiExec

/// A projection over a filtered scan: the scan outputs only the columns the projection reads, so a
/// column read only by the filter is never gathered to the selected rows (and one a zone map proves
/// every conjunct true for is not even decoded). The projection then reads the scan's output positions.
/// Runs last: after pruning, the scan reads exactly the columns of its conjuncts and of the projection.
struct LateMaterialization: OptimizerRule {
    var name: String { "LateMaterialization" }

    func apply(_ plan: LogicalPlan) -> LogicalPlan {
        plan.transformedUp { node in
            guard case .project(.scan(let t, let cols, let conj, nil), let exprs, let names) = node, !conj.isEmpty
            else { return node }
            let used = Set(exprs.flatMap(\.referencedColumns)).sorted()
            guard used.count < cols.count else { return node }
            var position: [Int: Int] = [:]
            for (n, o) in used.enumerated() { position[o] = n }
            return .project(
                .scan(table: t, columns: cols, conjuncts: conj, output: used),
                exprs.map { $0.remapColumns { position[$0]! } }, names: names)
        }
    }
}
