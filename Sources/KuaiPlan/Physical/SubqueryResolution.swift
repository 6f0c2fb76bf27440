import KuaiCore
import KuaiExec

// Uncorrelated subqueries in expressions (`ExprKind.subquery`, `.inSubquery`) are planned with the query
// and run once, when the query runs, right before its operators are made: each becomes the constant or
// IN list of its result, then `ConstantFolding` folds what became constant. EXPLAIN runs none of them:
// it prints each subquery's plan under the query's (`QueryEngine.explainLines`).

extension LogicalPlan {
    /// The uncorrelated subqueries of the plan's expressions, the plans of shared CTEs included, outermost
    /// first; a subquery inside another's plan is not listed (it belongs to that plan).
    var subqueries: [SubqueryPlan] {
        var found: [SubqueryPlan] = []
        visit { node in found += node.expressions.flatMap(\.subqueries) }
        return found
    }

    /// Calls `f` on every node, a shared CTE's plan included.
    func visit(_ f: (LogicalPlan) -> Void) {
        f(self)
        if case .shared(_, let p) = self { p.visit(f) }
        for c in children { c.visit(f) }
    }

    /// The node's own expressions (scan conjuncts, filter predicate, projections, join residual).
    var expressions: [BoundExpr] {
        switch self {
        case .scan(_, _, let conj, _): return conj
        case .filter(_, let p): return [p]
        case .project(_, let e, _): return e
        case .join(_, _, _, _, _, let res): return res.map { [$0] } ?? []
        default: return []
        }
    }

    /// The plan with every subquery expression replaced by `f(node, subquery)` (shared CTE plans
    /// included).
    func replacingSubqueries(_ f: (BoundExpr, SubqueryPlan) -> BoundExpr) -> LogicalPlan {
        transformedUp { node in
            if case .shared(let id, let p) = node { return .shared(id: id, p.replacingSubqueries(f)) }
            return node.mapExpressions { e in
                e.transformed { x in
                    switch x.kind {
                    case .subquery(let q), .inSubquery(_, let q, _): return f(x, q)
                    default: return x
                    }
                }
            }
        }
    }
}

extension BoundExpr {
    /// The uncorrelated subqueries in the expression, in the order of its nodes.
    var subqueries: [SubqueryPlan] {
        var found: [SubqueryPlan] = []
        _ = contains { x in
            switch x.kind {
            case .subquery(let q), .inSubquery(_, let q, _): found.append(q)
            default: break
            }
            return false
        }
        return found
    }
}

/// The result of one subquery, as its expression needs it.
enum SubqueryResult {
    case value(Value)
    case values([Value])
}

extension QueryEngine {
    /// `plan` (optimized) with every uncorrelated subquery computed and replaced by its result: a scalar
    /// subquery by its value (NULL for no row), `[NOT] EXISTS` by TRUE or FALSE, `x [NOT] IN (subquery)` by
    /// an IN list of its distinct values (FALSE, or TRUE for NOT IN, when it has none). Each subquery runs
    /// once, nested ones first; the plan is returned unchanged when it has none.
    /// - Throws: `KuaiError.execution` "More than one row returned by a subquery used as an expression" at
    ///   the subquery (DuckDB's error); what running a subquery throws.
    func resolvingSubqueries(_ plan: LogicalPlan, _ shared: SharedResults) throws -> LogicalPlan {
        let subqueries = plan.subqueries
        if subqueries.isEmpty { return plan }
        var results: [Int: SubqueryResult] = [:]
        for q in subqueries { results[q.id] = try run(q, shared) }
        let resolved = plan.replacingSubqueries { node, q in
            switch (node.kind, results[q.id]!) {
            case (.subquery, .value(let v)):
                return BoundExpr(.constant(v), type: node.type, name: node.name)
            case (.inSubquery(let x, _, let negated), .values(let vs)):
                if vs.isEmpty { return BoundExpr.constant(.bool(negated), type: .boolean, name: node.name) }
                let items = vs.map { BoundExpr.constant($0, type: x.type) }
                return BoundExpr(.inList(x, items, negated: negated), type: .boolean, name: node.name)
            default:
                preconditionFailure("a subquery result of the wrong kind")
            }
        }
        return ConstantFolding().apply(resolved)
    }

    /// Runs one subquery (its own subqueries first) and takes what its expression needs of its rows.
    func run(_ q: SubqueryPlan, _ shared: SharedResults) throws -> SubqueryResult {
        var plan = q.plan
        switch q.use {
        case .scalar: break
        case .exists: plan = .limit(plan, limit: 1, offset: 0)
        case .values: plan = .distinct(plan)
        }
        let op = try physical(plan, shared)
        var batches: [Batch] = []
        while let b = try op.next() { if b.count > 0 { batches.append(b) } }
        switch q.use {
        case .scalar:
            if batches.reduce(0, { $0 + $1.count }) > 1 {
                throw KuaiError(
                    .execution, "More than one row returned by a subquery used as an expression", at: q.position)
            }
            return .value(batches.first.map { $0.columns[0].value(at: 0) } ?? .null)
        case .exists(let negated):
            return .value(.bool(batches.isEmpty == negated))
        case .values:
            return .values(batches.flatMap { b in (0..<b.count).map { b.columns[0].value(at: $0) } })
        }
    }

    /// EXPLAIN's text of an optimized plan: the query's operators, then each uncorrelated subquery's under
    /// a `Subquery #id (scalar | EXISTS | IN)` line. Nothing runs: the subqueries' values are shown by
    /// their names only.
    func explainLines(_ plan: LogicalPlan, _ shared: SharedResults) -> [String] {
        let placeholder = plan.replacingSubqueries { node, _ in
            BoundExpr(.constant(.null), type: node.type, name: node.name)
        }
        var lines = physicalPlan(placeholder, shared).explainLines()
        for q in plan.subqueries {
            let use: String
            switch q.use {
            case .scalar: use = "scalar"
            case .exists: use = "EXISTS"
            case .values: use = "IN"
            }
            lines.append("Subquery #\(q.id) (\(use))")
            lines += explainLines(q.plan, shared).map { "  " + $0 }
        }
        return lines
    }
}
