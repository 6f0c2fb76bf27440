import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    func bindCase(
        _ operand: Expr?, _ whens: [(when: Expr, then: Expr)], _ elseExpr: Expr?, _ pos: SourcePosition,
        _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        let op = try operand.map { try bind($0, ctx) }
        var conds: [BoundExpr] = []
        var thens: [BoundExpr] = []
        for w in whens {
            let wb = try bind(w.when, ctx)
            if let op {
                conds.append(
                    try makeCompare(
                        .equal, op, wb, w.when.position, "(\(operand!.sqlDescription) = \(w.when.sqlDescription))"))
            } else {
                try requireBoolean(wb, w.when, "CASE WHEN")
                conds.append(wb)
            }
            thens.append(try bind(w.then, ctx))
        }
        var els = try elseExpr.map { try bind($0, ctx) }
        // Result type: common type of the branches; string constants adapt to a typed branch.
        let t = try unifiedType(thens + (els.map { [$0] } ?? []), adaptingStringConstants: true) { t, u in
            Binder.error("CASE branches have incompatible types \(t) and \(u) in \(name)", pos)
        }
        if t == .null {
            // Every branch is the NULL literal: DuckDB types the CASE as NULL, so it adapts to what it meets
            // (`coalesce(CASE WHEN c THEN NULL END, true)` is a BOOLEAN).
            return BoundExpr.constant(.null, type: .null, name: name)
        }
        thens = try thens.map { try coerce($0, to: t, pos) }
        els = try els.map { try coerce($0, to: t, pos) }
        return
            BoundExpr(
                .caseWhen(Array(zip(conds, thens)).map { (when: $0.0, then: $0.1) }, elseExpr: els), type: t, name: name
            )
    }
}
