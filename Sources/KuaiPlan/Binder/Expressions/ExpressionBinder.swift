import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// Binds a predicate; it must be BOOLEAN (or NULL).
    func bindBoolean(_ e: Expr, _ ctx: ExprContext) throws -> BoundExpr {
        let b = try bind(e, ctx)
        if b.type != .boolean && b.type != .null {
            throw Binder.error(
                "\(ctx.clause) clause must be a BOOLEAN expression, but \(e.sqlDescription) is \(b.type)", e.position)
        }
        return b
    }

    /// Binds an expression: resolves names, checks and infers types, folds constants.
    func bind(_ e: Expr, _ ctx: ExprContext) throws -> BoundExpr {
        if case .function(let f) = e, let a = f.namedArguments.first, !Binder.structEditNames.contains(f.name) {
            // macro calls are expanded before binding (MacroExpansion.swift): this is a built-in function
            throw Binder.error(
                "function \(f.name) takes no named arguments (`name := value` is for macros)", a.position)
        }
        if case .function(let f) = e, f.over != nil {
            guard let wc = ctx.window else {
                throw Binder.error("window functions are not allowed in \(ctx.clause)", f.position)
            }
            return try bindWindowCall(f, ctx, wc)
        }
        if let ac = ctx.aggregate {
            // Aggregate query: aggregates become references to their result column, GROUP BY
            // expressions to their key column; anything else must be built from those.
            if case .function(let f) = e, f.over == nil, AggregateRegistry.isAggregate(f.name) || f.star {
                return try bindAggregateCall(f, ac)
            }
            if case .function(let f) = e, f.over == nil, f.name == "grouping" || f.name == "grouping_id" {
                return try bindGroupingCall(f, ac, e.sqlDescription)
            }
            if case .column(nil, let n, _) = e, resolve(nil, n, ac.preScope) == nil,
                let aliased = ctx.aliases[n.lowercased()]
            {
                return try bind(aliased, ctx.aliasContext(n.lowercased()))
            }
            if !Binder.containsAggregate(e), !Binder.containsGroupingCall(e), !containsWindow(e), !isConstantTree(e),
                !usesAlias(e, ctx)
            {
                let plain = try bind(e, ExprContext(scope: ac.preScope, aggregate: nil, clause: ctx.clause))
                if let k = ac.keyIndex[plain.structuralKey] {
                    return BoundExpr.column(k, type: plain.type, name: Binder.outputName(e, alias: nil))
                }
                // a LATERAL subquery's outer column is one value per group (the decorrelation groups by it)
                if lateral, plain.referencedColumns.isEmpty, plain.referencesOuterColumns { return plain }
                if case .column(let q, let name, let pos) = e {
                    // HAVING / ORDER BY: a column that is not a key may name a select alias (`SELECT a % 2
                    // AS a ... GROUP BY 1 HAVING a > 0` is the alias, as DuckDB binds it)
                    if q == nil, let aliased = ctx.aliases[name.lowercased()] {
                        return try bind(aliased, ctx.aliasContext(name.lowercased()))
                    }
                    throw Binder.error(
                        "column \"\(name)\" must appear in the GROUP BY clause or must be part of an aggregate function",
                        pos)
                }
                if plain.referencedColumns.isEmpty { return plain }
            }
            if usesAlias(e, ctx), !Binder.containsAggregate(e), !containsWindow(e),
                let k = try aliasedKey(e, ctx, ac)
            {
                return k
            }
        }
        // A chain outside an aggregate query (there each sub-chain may be a GROUP BY key: node by node).
        if ctx.aggregate == nil, case .binary(let op, .binary(let inner, _, _, _), _, _) = e, op != .and, op != .or,
            inner != .and, inner != .or
        {
            return try bindLeftChain(e, ctx)
        }
        return try bindNode(e, ctx)
    }

    /// The key column of an aggregate query that `e` (which names lateral aliases of earlier select items)
    /// equals once the aliases stand for their items (`a AS k, k || b AS d ... GROUP BY ALL`: the key is
    /// `a || b`), or nil when it equals no key or cannot bind outside the aggregate (an alias of an
    /// aggregate item).
    private func aliasedKey(_ e: Expr, _ ctx: ExprContext, _ ac: AggregateContext) throws -> BoundExpr? {
        var plainCtx = ctx
        plainCtx.aggregate = nil
        plainCtx.window = nil
        guard let plain = try? bind(e, plainCtx), let k = ac.keyIndex[plain.structuralKey] else { return nil }
        return BoundExpr.column(k, type: plain.type, name: Binder.outputName(e, alias: nil))
    }

    /// One node of an expression (see `bind`): dispatches to the binder of its family.
    func bindNode(_ e: Expr, _ ctx: ExprContext) throws -> BoundExpr {
        let name = e.sqlDescription
        switch e {
        case .literal(let lit, let pos):
            return try bindLiteral(lit, pos, name, ctx)
        case .column(let q, let n, let pos):
            return try bindColumnRef(q, n, at: pos, ctx)
        case .unary(let op, let a, let pos):
            return try bindUnary(op, a, pos, name, ctx)
        case .binary(let op, let a, let b, let pos):
            if Binder.isRowComparison(e) { return try bindRowComparison(op, a, b, pos, name, ctx) }
            return try bindBinary(op, a, b, pos, name, ctx)
        case .like(let a, let p, let escape, let negated, let ci, let pos):
            return try bindLike(a, p, escape, negated: negated, caseInsensitive: ci, pos, name, ctx)
        case .row(let members, _):
            return try bindRowValue(members, name, ctx)
        case .isNull(let a, let negated, _):
            let x = try bind(a, ctx)
            return BoundExpr(.isNull(x, negated: negated), type: .boolean, name: name)
        case .between(let a, let lo, let hi, let negated, let pos):
            return try bindBetween(a, lo, hi, negated: negated, pos, name, ctx)
        case .inList(let a, let list, let negated, let pos):
            if Binder.rowMembers(a) != nil { return try bindRowInList(a, list, negated: negated, pos, name, ctx) }
            return try bindInList(a, list, negated, pos, name, ctx)
        case .caseWhen(let operand, let whens, let elseExpr, let pos):
            return try bindCase(operand, whens, elseExpr, pos, name, ctx)
        case .cast(let a, let t, let isTry, let pos):
            return try bindCast(a, to: t, isTry: isTry, pos, name, ctx)
        case .function(let f):
            return try bindFunctionCall(f, name, ctx)
        case .lambda(_, _, let pos):
            throw Binder.error(
                "a lambda is only allowed as an argument of list_transform, list_filter or list_reduce", pos)
        case .extract(let field, let a, let pos):
            let x = try bind(a, ctx)
            let part = BoundExpr.constant(.string(field.lowercased()), type: .varchar)
            return try bindFunction("date_part", [part, x], pos, name)
        case .scalarSubquery(let q, let pos):
            return try bindScalarSubquery(q, ctx, at: pos, name: name)
        case .exists(let q, let negated, let pos):
            return try bindExists(q, negated: negated, ctx, at: pos, name: name)
        case .inSubquery(let a, let q, let negated, let pos):
            return try bindInSubquery(a, q, negated: negated, ctx, at: pos, name: name)
        case .quantified(let op, let a, let q, let all, let pos):
            return try bindQuantified(op, a, q, all: all, ctx, at: pos, name: name)
        }
    }

    /// A column name: an input column, a select-list alias where the clause allows them and no input
    /// column has the name (bound in that alias's own context, so aliases may chain), or (in a correlated subquery) a column of the enclosing query.
    /// - Throws: `KuaiError.binding` for an unknown or ambiguous name.
    func bindColumnRef(_ q: String?, _ n: String, at pos: SourcePosition, _ ctx: ExprContext) throws -> BoundExpr {
        if q == nil, resolve(nil, n, ctx.scope) == nil, let aliased = ctx.aliases[n.lowercased()] {
            return try bind(aliased, ctx.aliasContext(n.lowercased()))
        }
        if q == nil, let type = Binder.currentValueKeywords[n.lowercased()], resolve(nil, n, ctx.scope) == nil,
            outer.map({ resolve(nil, n, $0) == nil }) ?? true
        {
            return try currentValue(type, pos, name: n)
        }
        if let q, resolve(q, n, ctx.scope) == nil, let field = try structFieldReference(q, n, at: pos, ctx) {
            return field
        }
        let reference: ColumnReference
        do {
            reference = try resolveColumn(q, n, pos, ctx.scope)
        } catch is KuaiError where q == nil && ctx.forwardAliases.contains(n.lowercased()) {
            throw Binder.error(
                "column \"\(n)\" referenced that exists in the SELECT clause - but this column cannot be referenced before it is defined",
                pos)
        }
        switch reference {
        case .input(let i): return BoundExpr.column(i, type: ctx.scope[i].type, name: ctx.scope[i].name)
        case .outer(let depth, let i):
            let c = outer![i]
            return BoundExpr(.outerColumn(depth: depth, index: i), type: c.type, name: c.name)
        }
    }
}
