import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// `x op ANY | SOME | ALL (subquery)` for the comparisons other than `= ANY` and `<> ALL` (IN and NOT
    /// IN), with DuckDB 2.0.1's three-valued answer: `x op ALL (q)` is `NOT (x negop ANY (q))`, and
    /// `x op ANY (q)` is true when `x op s` is true for some row s of q, false over no rows, else NULL when
    /// x is NULL or q holds a NULL, else false. `= ALL` is `NOT (x <> ANY (q))`.
    ///
    /// Bound as a CASE over scalar subqueries of q's one column e: its row count, its non-NULL count and
    /// the bound that decides (`x > ANY` and `x >= ANY` compare x with min(e), `x < ANY` and `x <= ANY`
    /// with max(e), `x <> ANY` with both). An uncorrelated q is read as a FROM subquery (each
    /// aggregate runs once); a correlated one must be a plain `SELECT e FROM ... WHERE ...`, whose
    /// aggregates are decorrelated as `correlatedScalar` does.
    /// - Throws: `KuaiError.binding` for a subquery of several columns, a column not comparable with x
    ///   (DuckDB's `Cannot compare values of type ... in IN/ANY/ALL clause`), or a correlated subquery of
    ///   another shape.
    func bindQuantified(
        _ op0: CompareOp, _ a: Expr, _ q: Query, all: Bool, _ ctx: ExprContext, at pos: SourcePosition,
        name: String
    ) throws -> BoundExpr {
        let op = all ? op0.negated : op0
        var test: Expr
        if op == .equal {
            test = .inSubquery(a, q, negated: false, pos)
        } else {
            let aggregate = try quantifiedAggregates(q, ctx, at: pos)
            let x = try bind(a, ctx)
            // each aggregate its own subquery: positions told apart by their offset (`subqueryPlan`)
            func scalar(_ f: String, _ star: Bool) -> Expr {
                var at = pos
                at.offset = f == "min" ? -1 : f == "max" ? -2 : star ? -3 : -4
                return .scalarSubquery(aggregate(f, star), at)
            }
            let element = try bind(scalar("min", false), ctx)
            if x.type != .null && element.type != .null && commonType(x.type, element.type) == nil {
                throw Binder.error(
                    "Cannot compare values of type \(x.type) and \(element.type) in IN/ANY/ALL clause - an explicit cast is required",
                    pos)
            }
            func compare(_ bound: String) -> Expr {
                .binary(.compare(op), a, scalar(bound, false), pos)
            }
            let hit: Expr
            switch op {
            case .greater, .greaterEqual: hit = compare("min")
            case .less, .lessEqual: hit = compare("max")
            default: hit = .binary(.or, compare("min"), compare("max"), pos)
            }
            func counted(_ star: Bool) -> Expr {
                let call = FunctionCall(
                    name: "coalesce",
                    arguments: [scalar("count", star), .literal(.integer(0), pos)],
                    position: pos)
                return .function(call)
            }
            let empty = Expr.binary(.compare(.equal), counted(true), .literal(.integer(0), pos), pos)
            let unknown = Expr.binary(
                .or, .isNull(a, negated: false, pos), .binary(.compare(.greater), counted(true), counted(false), pos),
                pos)
            test = .caseWhen(
                operand: nil,
                whens: [
                    (empty, .literal(.bool(false), pos)), (hit, .literal(.bool(true), pos)),
                    (unknown, .literal(.null, pos)),
                ], elseExpr: .literal(.bool(false), pos), pos)
        }
        if all { test = .unary(.not, test, pos) }
        let value = try bind(test, ctx)
        return BoundExpr(value.kind, type: value.type, name: name)
    }

    /// The maker of `SELECT f(e) ...` over the rows of q (`f` = min, max, count; `star`: count(*)).
    /// - Throws: `KuaiError.binding` when q has several columns, or is correlated and not a plain
    ///   `SELECT e FROM ... WHERE ...` (its own binding error).
    func quantifiedAggregates(_ q: Query, _ ctx: ExprContext, at pos: SourcePosition) throws -> (String, Bool) -> Query
    {
        func call(_ f: String, _ star: Bool, _ e: Expr) -> SelectItem {
            .expr(.function(FunctionCall(name: f, arguments: star ? [] : [e], star: star, position: pos)), alias: nil)
        }
        do {
            let (_, cols) = try subBinder().bindQuery(q)
            guard cols.count == 1 else {
                throw Binder.error("Subquery returns \(cols.count) columns - expected 1", pos)
            }
            let from = TableRef.subquery(q, alias: "__quantified", columnNames: ["__v"], position: pos)
            let v = Expr.column(qualifier: "__quantified", name: "__v", pos)
            return { f, star in
                Query(body: .select(SelectCore(items: [call(f, star, v)], from: from, position: pos)), position: pos)
            }
        } catch let error as KuaiError where error.kind == .binding && ctx.correlation != nil {
            guard countingQuery(q) != nil, case .select(let core) = q.body, core.items.count == 1,
                case .expr(let e, _) = core.items[0]
            else { throw error }
            return { f, star in
                let c = SelectCore(items: [call(f, star, e)], from: core.from, position: core.position)
                c.whereClause = core.whereClause
                return Query(ctes: q.ctes, body: .select(c), position: q.position)
            }
        }
    }
}
