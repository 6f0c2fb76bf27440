import KuaiCore
import KuaiSQL

/// A copy of a syntax tree with some of its expressions and FROM items replaced, used by macro expansion
/// (`MacroExpander`): every node of a query is rebuilt (`Query` and `SelectCore` are classes, so the
/// original, which may be a macro's stored body, is never changed).
///
/// `replaceExpr` is asked about each expression before its children, and `replaceTable` about each FROM
/// item; a non-nil answer takes the node's place as is (the closure rewrites its children itself when it
/// needs to). `position`, when set, maps every position of the rebuilt nodes (a macro's body takes the
/// position of the call). Queries holding a PIVOT or UNPIVOT spec or a table statement (`FROM (DESCRIBE t)`)
/// are kept as they are.
struct SyntaxRewriter {
    var replaceExpr: (Expr) throws -> Expr? = { _ in nil }
    var replaceTable: (TableRef) throws -> TableRef? = { _ in nil }
    var position: ((SourcePosition) -> SourcePosition)? = nil
    /// When true, a select item without an alias whose text the rewrite changes is named by its original
    /// text (`SELECT f(1)` keeps the column name `f(1)` once the macro call is expanded, as DuckDB names it).
    var keepItemNames = false

    func pos(_ p: SourcePosition) -> SourcePosition { position?(p) ?? p }

    func query(_ q: Query) throws -> Query {
        if q.pivot != nil || q.unpivot != nil || q.tableStatement != nil { return q }
        let out = Query(
            ctes: try q.ctes.map { cte in
                var c = cte
                c.query = try query(cte.query)
                c.position = pos(cte.position)
                return c
            },
            body: try body(q.body), position: pos(q.position))
        out.orderBy = try q.orderBy.map(orderItem)
        out.orderByAll = try q.orderByAll.map(orderItem)
        out.limit = try q.limit.map(expr)
        out.limitPercent = q.limitPercent
        out.offset = try q.offset.map(expr)
        out.recursive = q.recursive
        return out
    }

    func body(_ b: QueryBody) throws -> QueryBody {
        switch b {
        case .select(let c): return .select(try core(c))
        case .setOperation(let op, let all, let l, let r, let p):
            return .setOperation(op, all: all, left: try body(l), right: try body(r), position: pos(p))
        case .nested(let q): return .nested(try query(q))
        case .values(let rows, let p): return .values(try rows.map { try $0.map(expr) }, position: pos(p))
        }
    }

    func core(_ c: SelectCore) throws -> SelectCore {
        let items = try c.items.map { item -> SelectItem in
            switch item {
            case .star(let t, let ex, let rep, let p):
                return .star(
                    table: t, exclude: ex,
                    replace: try rep.map { r in
                        var out = r
                        out.expr = try expr(r.expr)
                        return out
                    },
                    position: pos(p))
            case .expr(let e, let alias):
                let r = try expr(e)
                if alias == nil && keepItemNames {
                    let before = e.sqlDescription
                    if before != r.sqlDescription { return .expr(r, alias: before) }
                }
                return .expr(r, alias: alias)
            }
        }
        let out = SelectCore(distinct: c.distinct, items: items, from: try c.from.map(table), position: pos(c.position))
        out.distinctOn = try c.distinctOn.map { try $0.map(expr) }
        out.whereClause = try c.whereClause.map(expr)
        out.groupBy = try c.groupBy.map(expr)
        out.groupByAll = c.groupByAll
        out.groupingSets = c.groupingSets
        out.having = try c.having.map(expr)
        out.windows = try c.windows.map { (name: $0.name, spec: try window($0.spec)) }
        out.qualify = try c.qualify.map(expr)
        return out
    }

    func table(_ t: TableRef) throws -> TableRef {
        if let r = try replaceTable(t) { return r }
        switch t {
        case .table(let name, let alias, let p): return .table(name: name, alias: alias, position: pos(p))
        case .subquery(let q, let alias, let cols, let p):
            return .subquery(try query(q), alias: alias, columnNames: cols, position: pos(p))
        case .join(let kind, let l, let r, let cond, let p):
            return .join(
                kind: kind, left: try table(l), right: try table(r), condition: try condition(cond), position: pos(p))
        case .tableFunction(var f):
            f.arguments = try f.arguments.map(expr)
            f.namedArguments = try f.namedArguments.map(named)
            f.position = pos(f.position)
            return .tableFunction(f)
        case .sample(let inner, var clause):
            clause.position = pos(clause.position)
            return .sample(try inner.map(table), clause)
        }
    }

    func condition(_ c: JoinCondition) throws -> JoinCondition {
        switch c {
        case .none, .using, .natural: return c
        case .on(let e): return .on(try expr(e))
        case .asof(let inner): return .asof(try condition(inner))
        }
    }

    func named(_ a: NamedArgument) throws -> NamedArgument {
        NamedArgument(name: a.name, value: try expr(a.value), position: pos(a.position))
    }

    func orderItem(_ o: OrderItem) throws -> OrderItem {
        OrderItem(expr: try expr(o.expr), ascending: o.ascending, nullsFirst: o.nullsFirst)
    }

    func window(_ w: WindowSpec) throws -> WindowSpec {
        var out = w
        out.partitionBy = try w.partitionBy.map(expr)
        out.orderBy = try w.orderBy.map(orderItem)
        if var f = w.frame {
            f.start = try f.start.map(expr)
            f.end = try f.end.map(expr)
            out.frame = f
        }
        return out
    }

    func call(_ f: FunctionCall) throws -> FunctionCall {
        var out = f
        out.arguments = try f.arguments.map(expr)
        out.namedArguments = try f.namedArguments.map(named)
        out.orderBy = try f.orderBy.map(orderItem)
        out.filter = try f.filter.map(expr)
        out.over = try f.over.map(window)
        out.position = pos(f.position)
        return out
    }

    func expr(_ e: Expr) throws -> Expr {
        if let r = try replaceExpr(e) { return r }
        switch e {
        case .literal(let l, let p):
            if case .interval(let q, let unit) = l { return .literal(.interval(try expr(q), unit: unit), pos(p)) }
            return .literal(l, pos(p))
        case .column(let q, let n, let p): return .column(qualifier: q, name: n, pos(p))
        case .unary(let op, let a, let p): return .unary(op, try expr(a), pos(p))
        case .binary(let op, let a, let b, let p): return .binary(op, try expr(a), try expr(b), pos(p))
        case .like(let a, let pattern, let esc, let neg, let ci, let p):
            return .like(
                try expr(a), pattern: try expr(pattern), escape: try esc.map(expr), negated: neg, caseInsensitive: ci,
                pos(p))
        case .row(let xs, let p): return .row(try xs.map(expr), pos(p))
        case .isNull(let a, let neg, let p): return .isNull(try expr(a), negated: neg, pos(p))
        case .between(let a, let lo, let hi, let neg, let p):
            return .between(try expr(a), low: try expr(lo), high: try expr(hi), negated: neg, pos(p))
        case .inList(let a, let xs, let neg, let p): return .inList(try expr(a), try xs.map(expr), negated: neg, pos(p))
        case .inSubquery(let a, let q, let neg, let p):
            return .inSubquery(try expr(a), try query(q), negated: neg, pos(p))
        case .quantified(let op, let a, let q, let all, let p):
            return .quantified(op, try expr(a), try query(q), all: all, pos(p))
        case .exists(let q, let neg, let p): return .exists(try query(q), negated: neg, pos(p))
        case .scalarSubquery(let q, let p): return .scalarSubquery(try query(q), pos(p))
        case .caseWhen(let op, let whens, let el, let p):
            return .caseWhen(
                operand: try op.map(expr), whens: try whens.map { (when: try expr($0.when), then: try expr($0.then)) },
                elseExpr: try el.map(expr), pos(p))
        case .cast(let a, let t, let isTry, let p): return .cast(try expr(a), t, isTry: isTry, pos(p))
        case .function(let f): return .function(try call(f))
        case .extract(let field, let a, let p): return .extract(field: field, try expr(a), pos(p))
        case .lambda(let ps, let b, let p): return .lambda(parameters: ps, body: try expr(b), pos(p))
        }
    }
}
