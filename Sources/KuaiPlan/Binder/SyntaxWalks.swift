import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// Visits `e` and its sub-expressions (not descending into subqueries).
    static func walk(_ e: Expr, _ visit: (Expr) -> Void) {
        walk(e, into: { _ in true }, visit: visit)
    }

    /// Visits `e` and its sub-expressions (not descending into subqueries), and those of a visited
    /// expression only when `into` returns true for it (`into` is asked before `visit`).
    static func walk(_ e: Expr, into: (Expr) -> Bool, visit: (Expr) -> Void) {
        guard into(e) else { return }
        visit(e)
        func walk(_ x: Expr) { Binder.walk(x, into: into, visit: visit) }
        switch e {
        case .literal, .column, .exists, .scalarSubquery, .lambda: break
        case .unary(_, let a, _), .isNull(let a, _, _), .cast(let a, _, _, _), .extract(_, let a, _),
            .inSubquery(let a, _, _, _), .quantified(_, let a, _, _, _):
            walk(a)
        case .binary(_, let a, let b, _):
            walk(a)
            walk(b)
        case .like(let a, let p, let esc, _, _, _):
            walk(a)
            walk(p)
            if let esc { walk(esc) }
        case .row(let xs, _): for x in xs { walk(x) }
        case .between(let a, let l, let h, _, _):
            walk(a)
            walk(l)
            walk(h)
        case .inList(let a, let xs, _, _):
            walk(a)
            for x in xs { walk(x) }
        case .caseWhen(let op, let ws, let el, _):
            if let op { walk(op) }
            for w in ws {
                walk(w.when)
                walk(w.then)
            }
            if let el { walk(el) }
        case .function(let f):
            for x in f.arguments { walk(x) }
            if let fl = f.filter { walk(fl) }
        }
    }

    /// True for a call of an aggregate function outside a window (`count(*)`, `sum(x) FILTER (...)`).
    static func isAggregateCall(_ e: Expr) -> Bool {
        guard case .function(let f) = e, f.over == nil else { return false }
        return AggregateRegistry.isAggregate(f.name) || f.star
    }

    static func containsAggregate(_ e: Expr) -> Bool {
        var found = false
        walk(e) { x in if isAggregateCall(x) { found = true } }
        return found
    }

    /// True when `e` calls `grouping(...)` / `grouping_id(...)` (outside a window), which only an aggregate
    /// query's context binds: such an expression is not a GROUP BY key (`grouping(a) < 3` in HAVING).
    static func containsGroupingCall(_ e: Expr) -> Bool {
        var found = false
        walk(e) { x in
            if case .function(let f) = x, f.over == nil, f.name == "grouping" || f.name == "grouping_id" {
                found = true
            }
        }
        return found
    }

    /// The AND-ed parts of a predicate.
    static func astConjuncts(_ e: Expr) -> [Expr] {
        if case .binary(.and, let a, let b, _) = e { return astConjuncts(a) + astConjuncts(b) }
        return [e]
    }

    /// Counts `FROM name` references (lowercased) anywhere in `q`, subqueries included.
    static func countTableRefs(_ q: Query, _ refs: inout [String: Int]) {
        for c in q.ctes { countTableRefs(c.query, &refs) }
        countBody(q.body, &refs)
        for o in q.orderBy { countExpr(o.expr, &refs) }
    }

    static func countBody(_ b: QueryBody, _ refs: inout [String: Int]) {
        switch b {
        case .select(let core):
            if let f = core.from { countRef(f, &refs) }
            for item in core.items { if case .expr(let e, _) = item { countExpr(e, &refs) } }
            for e in [core.whereClause, core.having, core.qualify].compactMap({ $0 }) + core.groupBy {
                countExpr(e, &refs)
            }
        case .setOperation(_, _, let l, let r, _):
            countBody(l, &refs)
            countBody(r, &refs)
        case .nested(let q): countTableRefs(q, &refs)
        case .values(let rows, _): for r in rows { for e in r { countExpr(e, &refs) } }
        }
    }

    static func countRef(_ t: TableRef, _ refs: inout [String: Int]) {
        switch t {
        case .table(let name, _, _): refs[name.lowercased(), default: 0] += 1
        case .subquery(let q, _, _, _): countTableRefs(q, &refs)
        case .tableFunction, .sample(nil, _): break
        case .sample(let inner?, _): countRef(inner, &refs)
        case .join(_, let l, let r, let cond, _):
            countRef(l, &refs)
            countRef(r, &refs)
            if case .on(let e) = cond { countExpr(e, &refs) }
        }
    }

    static func countExpr(_ e: Expr, _ refs: inout [String: Int]) {
        var subqueries: [Query] = []
        walk(e) { x in
            switch x {
            case .scalarSubquery(let q, _), .exists(let q, _, _), .inSubquery(_, let q, _, _),
                .quantified(_, _, let q, _, _):
                subqueries.append(q)
            default: break
            }
        }
        for q in subqueries { countTableRefs(q, &refs) }
    }

    func containsWindow(_ e: Expr) -> Bool {
        var found = false
        Binder.walk(e) { x in if case .function(let f) = x, f.over != nil { found = true } }
        return found
    }

    func isConstantTree(_ e: Expr) -> Bool {
        var constant = true
        Binder.walk(e) { x in
            switch x {
            case .column, .scalarSubquery, .exists, .inSubquery, .quantified: constant = false
            default: break
            }
        }
        return constant
    }

    func isDecimalLiteral(_ e: Expr) -> Bool {
        switch e {
        case .literal(.decimal(let t), _): return !t.lowercased().contains("e")
        case .unary(.minus, let x, _), .unary(.plus, let x, _): return isDecimalLiteral(x)
        default: return false
        }
    }

    /// The members of a row value, nested rows flattened (`(a, (b, c))` has members a, b, c: two such rows are
    /// equal exactly when these are).
    static func rowMembers(_ e: Expr) -> [Expr] {
        guard case .row(let members, _) = e else { return [e] }
        return members.flatMap { rowMembers($0) }
    }

    /// True when `e` names a select alias that is not an input column.
    func usesAlias(_ e: Expr, _ ctx: ExprContext) -> Bool {
        if ctx.aliases.isEmpty { return false }
        var found = false
        let scope = ctx.aggregate?.preScope ?? ctx.scope
        Binder.walk(e) { x in
            if case .column(nil, let n, _) = x, self.resolve(nil, n, scope) == nil, ctx.aliases[n.lowercased()] != nil {
                found = true
            }
        }
        return found
    }
}
