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
            if case .column(nil, let n, _) = e, resolve(nil, n, ac.preScope) == nil,
                let aliased = ctx.aliases[n.lowercased()]
            {
                var inner = ctx
                inner.aliases = [:]
                return try bind(aliased, inner)
            }
            if !Binder.containsAggregate(e), !containsWindow(e), !isConstantTree(e), !usesAlias(e, ctx) {
                let plain = try bind(e, ExprContext(scope: ac.preScope, aggregate: nil, clause: ctx.clause))
                if let k = ac.keyIndex[plain.structuralKey] {
                    return BoundExpr.column(k, type: plain.type, name: Binder.outputName(e, alias: nil))
                }
                if case .column(_, let name, let pos) = e {
                    throw Binder.error(
                        "column \"\(name)\" must appear in the GROUP BY clause or must be part of an aggregate function",
                        pos)
                }
                if plain.referencedColumns.isEmpty { return plain }
            }
        }
        return try bindNode(e, ctx)
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

    func containsWindow(_ e: Expr) -> Bool {
        var found = false
        Binder.walk(e) { x in if case .function(let f) = x, f.over != nil { found = true } }
        return found
    }

    func bindWindowCall(_ f: FunctionCall, _ ctx: ExprContext, _ wc: WindowContext) throws -> BoundExpr {
        let name = f.sqlDescription
        if let i = wc.calls.firstIndex(where: { $0.key == name }) {
            return BoundExpr(.windowCall(i), type: wc.calls[i].type, name: name)
        }
        var inner = ctx
        inner.window = nil
        inner.clause = "window function \(f.name)"
        var spec = f.over!
        if let baseName = spec.baseName {
            guard let base = wc.named.first(where: { $0.name.lowercased() == baseName.lowercased() })?.spec else {
                throw Binder.error("window \"\(baseName)\" is not defined", f.position)
            }
            if spec.partitionBy.isEmpty { spec.partitionBy = base.partitionBy }
            if spec.orderBy.isEmpty { spec.orderBy = base.orderBy }
            if spec.frame == nil { spec.frame = base.frame }
        }
        let partition = try spec.partitionBy.map { try bind($0, inner) }
        let order = try spec.orderBy.map {
            (expr: try bind($0.expr, inner), ascending: $0.ascending, nullsFirst: $0.nullsFirst ?? false)
        }
        var frame: KuaiExec.WindowFrame? = nil
        if let fr = spec.frame {
            func bound(_ b: KuaiSQL.WindowFrame.Bound) throws -> KuaiExec.WindowFrame.Bound {
                func amount(_ e: Expr) throws -> Int64 {
                    let x = try bind(e, ExprContext(scope: [], aggregate: nil, clause: "window frame"))
                    guard case .int(let v)? = try? x.evaluateConstant(), v >= 0 else {
                        throw Binder.error("window frame offsets must be non-negative constants", e.position)
                    }
                    // Larger offsets mean the same as UNBOUNDED; clamping keeps frame arithmetic in range.
                    return min(v, fr.unit == .rows ? Int64(Int32.max) : Int64(1) << 60)
                }
                switch b {
                case .unboundedPreceding: return .unboundedPreceding
                case .preceding(let e): return .preceding(try amount(e))
                case .currentRow: return .currentRow
                case .following(let e): return .following(try amount(e))
                case .unboundedFollowing: return .unboundedFollowing
                }
            }
            frame = KuaiExec.WindowFrame(
                mode: fr.unit == .rows ? .rows : .range, start: try bound(fr.start), end: try bound(fr.end))
        }
        var kind: WindowFunction.Kind
        var argument: BoundExpr? = nil
        var offset = 1
        var defaultValue: Value = .null
        func arg(_ i: Int) throws -> BoundExpr {
            guard i < f.arguments.count else { throw Binder.error("\(f.name)() needs an argument", f.position) }
            let a = try bind(f.arguments[i], inner)
            return a.type == .null ? BoundExpr.constant(.null, type: .integer, name: a.name) : a
        }
        switch f.name {
        case "row_number": kind = .rowNumber
        case "rank": kind = .rank
        case "dense_rank": kind = .denseRank
        case "lag", "lead":
            kind = f.name == "lag" ? .lag : .lead
            argument = try arg(0)
            if f.arguments.count > 1 {
                let o = try bind(f.arguments[1], ExprContext(scope: [], aggregate: nil, clause: "lag/lead offset"))
                guard case .int(let v)? = try? o.evaluateConstant(), v >= 0 else {
                    throw Binder.error(
                        "the offset of \(f.name) must be a non-negative integer constant", f.arguments[1].position)
                }
                offset = Int(min(v, Int64(Int32.max)))
            }
            if f.arguments.count > 2 {
                let d = try coerce(
                    try bind(f.arguments[2], ExprContext(scope: [], aggregate: nil, clause: "lag/lead default")),
                    to: argument!.type, f.arguments[2].position)
                guard let v = try? d.evaluateConstant() else {
                    throw Binder.error("the default of \(f.name) must be a constant", f.arguments[2].position)
                }
                defaultValue = v
            }
        case "first_value", "last_value":
            kind = f.name == "first_value" ? .firstValue : .lastValue
            argument = try arg(0)
        case "count":
            if f.star || f.arguments.isEmpty {
                kind = .countStar
            } else {
                kind = .count
                argument = try arg(0)
            }
        case "sum", "avg", "min", "max":
            kind = WindowFunction.Kind(rawValue: f.name)!
            argument = try arg(0)
            if (f.name == "sum" || f.name == "avg") && !(argument!.type.isNumeric || argument!.type == .boolean) {
                throw Binder.error("\(f.name)(\(argument!.type)) is not defined in \(name)", f.position)
            }
        default:
            throw Binder.error("window function \(f.name) is not supported", f.position)
        }
        if f.distinct { throw Binder.error("DISTINCT in window functions is not supported", f.position) }
        if f.filter != nil { throw Binder.error("FILTER in window functions is not supported", f.position) }
        let type = WindowFunction.resultType(kind, argumentType: argument?.type)
        wc.calls.append(
            WindowCall(
                key: name, partition: partition, order: order, frame: frame, kind: kind, argument: argument,
                offset: offset, defaultValue: defaultValue, type: type, name: name))
        return BoundExpr(.windowCall(wc.calls.count - 1), type: type, name: name)
    }

    func isDecimalLiteral(_ e: Expr) -> Bool {
        switch e {
        case .literal(.decimal(let t), _): return !t.lowercased().contains("e")
        case .unary(.minus, let x, _), .unary(.plus, let x, _): return isDecimalLiteral(x)
        default: return false
        }
    }

    func isConstantTree(_ e: Expr) -> Bool {
        var constant = true
        Binder.walk(e) { x in
            switch x {
            case .column, .scalarSubquery, .exists, .inSubquery: constant = false
            default: break
            }
        }
        return constant
    }

    func bindAggregateCall(_ call: FunctionCall, _ ac: AggregateContext) throws -> BoundExpr {
        var f = call
        let key = FunctionCall(
            name: f.name, arguments: f.arguments, distinct: f.distinct, star: f.star,
            orderBy: f.orderBy, filter: f.filter, over: nil, position: f.position
        ).sqlDescription
        let name = f.sqlDescription
        if let i = ac.aggregates.firstIndex(where: { $0.key == key }) {
            return BoundExpr.column(ac.keys.count + i, type: ac.aggregates[i].function.returnType, name: name)
        }
        // DuckDB's ordered-set form: `quantile_cont(0.5 ORDER BY x)`, which is also what the parser
        // makes of `percentile_cont(0.5) WITHIN GROUP (ORDER BY x)`, is the quantile 0.5 of x, and
        // ORDER BY x DESC counts the fraction from the largest value. Bound as quantile_cont(x, 0.5)
        // (the name stays DuckDB's printed form).
        var fromTop = false
        if f.name == "quantile_cont" || f.name == "quantile_disc", f.arguments.count == 1, f.orderBy.count == 1,
            !f.distinct
        {
            fromTop = !f.orderBy[0].ascending
            f.arguments = [f.orderBy[0].expr, f.arguments[0]]
            f.orderBy = []
        }
        let inner = ExprContext(scope: ac.preScope, aggregate: nil, clause: "aggregate \(f.name)")
        for a in f.arguments where Binder.containsAggregate(a) {
            throw Binder.error("aggregate function calls cannot be nested", a.position)
        }
        var argument: BoundExpr? = nil
        let function: AggregateFunction
        var order: [BoundExpr] = []
        if f.star || (f.name == "count" && f.arguments.isEmpty) {
            function = AggregateRegistry.resolve("count_star", nil)!
        } else if f.name == "count", f.arguments.count == 1, case .row = f.arguments[0] {
            // count((a, b)): a row value is never NULL, so this counts rows; count(DISTINCT (a, b)) counts
            // distinct row values (NULL members included, NULL matching NULL), as DuckDB does.
            if f.distinct, !f.orderBy.isEmpty,
                !(f.orderBy.count == 1 && f.orderBy[0].expr.sqlDescription == f.arguments[0].sqlDescription)
            {
                throw Binder.error(
                    "in an aggregate with DISTINCT, ORDER BY must be the aggregated expression", f.position)
            }
            if f.distinct {
                // Constant members do not change which rows are equal; nested rows flatten.
                order = try Binder.rowMembers(f.arguments[0]).map { try bind($0, inner) }.filter {
                    $0.constantValue == nil
                }
                function = AggregateRegistry.countDistinctRows(order.map(\.type))
            } else {
                _ = try Binder.rowMembers(f.arguments[0]).map { try bind($0, inner) }  // names and types must bind
                function = AggregateRegistry.resolve("count_star", nil)!
            }
        } else {
            guard !f.arguments.isEmpty else {
                throw Binder.error("\(f.name)() needs an argument", f.position)
            }
            var arg = try bind(f.arguments[0], inner)
            if arg.type == .null && f.name != "count" {
                arg = BoundExpr.constant(.null, type: .integer, name: arg.name)
            }
            var parameters: [Value] = []
            for p in f.arguments.dropFirst() {
                let b = try bind(p, inner)
                guard b.referencedColumns.isEmpty, let v = try? b.evaluateConstant() else {
                    throw Binder.error("argument \(p.sqlDescription) of \(f.name) must be a constant", p.position)
                }
                parameters.append(v)
            }
            var orderKeys: [SortKey] = []
            for (k, o) in f.orderBy.enumerated() {
                order.append(try bind(o.expr, inner))
                orderKeys.append(SortKey(column: k, ascending: o.ascending, nullsFirst: o.nullsFirst ?? false))
            }
            if f.name == "string_agg" || f.name == "group_concat" || f.name == "listagg" {
                arg = try toVarchar(arg, f.position)
            }
            guard
                let fn = AggregateRegistry.resolve(
                    f.name, arg.type, parameters: parameters, orderKeys: orderKeys, fromTop: fromTop)
            else {
                throw Binder.error(
                    "no function matches \(f.name)(\(([arg.type.description] + parameters.map { "\($0)" }).joined(separator: ", "))) in \(name)",
                    f.position)
            }
            if !order.isEmpty && !fn.ordered {
                order = []  // ORDER BY does not change min/max/sum/count
            }
            if f.distinct && !order.isEmpty && !(f.orderBy.count == 1 && order[0].structuralKey == arg.structuralKey) {
                throw Binder.error(
                    "in an aggregate with DISTINCT, ORDER BY must be the aggregated expression", f.position)
            }
            if f.distinct { order = [] }
            function = fn
            argument = arg
        }
        let filter = try f.filter.map {
            try bindBoolean($0, ExprContext(scope: ac.preScope, aggregate: nil, clause: "FILTER"))
        }
        ac.aggregates.append((key, f, function, argument, filter, name, order))
        return BoundExpr.column(ac.keys.count + ac.aggregates.count - 1, type: function.returnType, name: name)
    }

    // MARK: - nodes

    func bindNode(_ e: Expr, _ ctx: ExprContext) throws -> BoundExpr {
        let name = e.sqlDescription
        switch e {
        case .literal(let lit, let pos):
            return try bindLiteral(lit, pos, name, ctx)
        case .column(let q, let n, let pos):
            if q == nil, resolve(nil, n, ctx.scope) == nil, let aliased = ctx.aliases[n.lowercased()] {
                var inner = ctx
                inner.aliases = [:]
                return try bind(aliased, inner)
            }
            switch try resolveColumn(q, n, pos, ctx.scope) {
            case .input(let i): return BoundExpr.column(i, type: ctx.scope[i].type, name: ctx.scope[i].name)
            case .outer(let depth, let i):
                let c = outer![i]
                return BoundExpr(.outerColumn(depth: depth, index: i), type: c.type, name: c.name)
            }
        case .unary(let op, let a, let pos):
            let x = try bind(a, ctx)
            switch op {
            case .not:
                try requireBoolean(x, a, "NOT")
                return fold(BoundExpr(.not(x), type: .boolean, name: name))
            case .plus:
                guard x.type.isNumeric || x.type == .null else {
                    throw Binder.error("cannot apply unary + to \(x.type) in \(name)", pos)
                }
                if x.type == .null { return BoundExpr.constant(.null, type: .bigint, name: name) }  // as DuckDB
                return x
            case .minus:
                if x.type == .interval { return fold(BoundExpr(.negate(x), type: .interval, name: name)) }
                guard x.type.isNumeric || x.type == .null else {
                    throw Binder.error("cannot negate \(x.type) in \(name)", pos)
                }
                return fold(BoundExpr(.negate(x), type: x.type == .null ? .bigint : x.type, name: name))
            }
        case .binary(let op, let a, let b, let pos):
            return try bindBinary(op, a, b, pos, name, ctx)
        case .like(let a, let p, let escape, let negated, let ci, let pos):
            return try bindLike(a, p, escape, negated: negated, caseInsensitive: ci, pos, name, ctx)
        case .row(_, let pos):
            throw Binder.error(
                "row values (a, b, ...) are only supported as the argument of count(...) and count(DISTINCT ...)", pos)
        case .isNull(let a, let negated, _):
            let x = try bind(a, ctx)
            return fold(BoundExpr(.isNull(x, negated: negated), type: .boolean, name: name))
        case .between(let a, let lo, let hi, let negated, let pos):
            let x = try bind(a, ctx)
            let ge = try makeCompare(.greaterEqual, x, try bind(lo, ctx), pos, name)
            let le = try makeCompare(.lessEqual, x, try bind(hi, ctx), pos, name)
            let both = fold(
                BoundExpr(
                    .and([ge, le]), type: .boolean,
                    name: negated ? "(\(a.sqlDescription) BETWEEN \(lo.sqlDescription) AND \(hi.sqlDescription))" : name
                ))
            return negated ? fold(BoundExpr(.not(both), type: .boolean, name: name)) : both
        case .inList(let a, let list, let negated, let pos):
            return try bindInList(a, list, negated, pos, name, ctx)
        case .caseWhen(let operand, let whens, let elseExpr, let pos):
            return try bindCase(operand, whens, elseExpr, pos, name, ctx)
        case .cast(let a, let t, let isTry, let pos):
            let x = try bind(a, ctx)
            if x.type == t { return x }
            // DuckDB types 2.5 as DECIMAL, whose cast to an integer rounds halves away from zero.
            if t.isInteger, isDecimalLiteral(a), case .double(let d)? = x.constantValue {
                let r = d.rounded(.toNearestOrAwayFromZero)
                if r >= -9.2e18 && r <= 9.2e18 && Kernels.integerRange(t).contains(Int64(r)) {
                    return BoundExpr.constant(.int(Int64(r)), type: t, name: name)
                }
            }
            guard Kernels.canCast(from: x.type, to: t) else {
                throw Binder.error("cannot cast \(x.type) to \(t) in \(name)", pos)
            }
            return fold(BoundExpr(.cast(x, isTry: isTry), type: t, name: name))
        case .function(let f):
            if AggregateRegistry.isAggregate(f.name) || f.star {
                throw Binder.error("aggregate function calls are not allowed in \(ctx.clause)", f.position)
            }
            if f.distinct { throw Binder.error("DISTINCT is only allowed in aggregate functions", f.position) }
            if let form = Binder.likeEscapeFunctions[f.name] {
                // like_escape(s, p, e) and friends: DuckDB's functions behind LIKE ... ESCAPE.
                guard f.arguments.count == 3 else {
                    throw Binder.error("\(f.name)() takes three arguments", f.position)
                }
                return try bindLike(
                    f.arguments[0], f.arguments[1], f.arguments[2], negated: form.negated,
                    caseInsensitive: form.caseInsensitive, f.position, name, ctx)
            }
            let args = try f.arguments.map { try bind($0, ctx) }
            return try bindFunction(f.name, args, f.position, name)
        case .extract(let field, let a, let pos):
            let x = try bind(a, ctx)
            return try bindFunction("date_part", [BoundExpr.constant(.string(field), type: .varchar), x], pos, name)
        case .scalarSubquery(let q, let pos):
            if let target = ctx.correlation {
                let (cplan, ccols, outerExprs) = try bindCorrelated(q, ctx.scope)
                if !outerExprs.isEmpty {
                    let visible = ccols.count - outerExprs.count
                    guard visible == 1 else {
                        throw Binder.error("a scalar subquery must return exactly one column, found \(visible)", pos)
                    }
                    var parts: [BoundExpr] = []
                    for (i, o) in outerExprs.enumerated() {
                        let inner = BoundExpr.column(
                            target.width + visible + i, type: ccols[visible + i].type, name: ccols[visible + i].name)
                        parts.append(try makeCompare(.equal, o, inner, pos, "(\(o.name) = \(inner.name))"))
                    }
                    let residual =
                        parts.count == 1 ? parts[0] : BoundExpr(.and(parts), type: .boolean, name: "subquery")
                    var sub = cplan
                    if !Binder.oneRowPerCorrelation(q) {
                        // Several rows for one outer row would repeat that outer row (the LEFT JOIN):
                        // group by the correlation keys; a key with two rows is DuckDB's error.
                        let k = outerExprs.count
                        let keys = Array(visible..<ccols.count)
                        let spec = AggregateSpec(
                            function: AggregateRegistry.singleRow(ccols[0].type), inputColumn: 0, name: ccols[0].name)
                        let grouped = LogicalPlan.aggregate(
                            cplan, groupColumns: keys, groupNames: keys.map { ccols[$0].name }, aggregates: [spec])
                        // Its output is the keys, then the value: back to the value, then the keys.
                        sub = .project(
                            grouped,
                            [BoundExpr.column(k, type: ccols[0].type, name: ccols[0].name)]
                                + (0..<k).map {
                                    BoundExpr.column(
                                        $0, type: ccols[visible + $0].type, name: ccols[visible + $0].name)
                                },
                            names: ccols.map(\.name))
                    }
                    target.plan = .join(target.plan, sub, type: .left, leftKeys: [], rightKeys: [], residual: residual)
                    var value = BoundExpr.column(target.width, type: ccols[0].type, name: name)
                    target.width += ccols.count
                    // count() of no rows is 0, not NULL (the LEFT JOIN finds no group).
                    if case .select(let core) = q.body, core.items.count == 1,
                        case .expr(.function(let f), _) = core.items[0],
                        f.name == "count" || f.star, let co = FunctionRegistry.generic("coalesce", value.type, arity: 2)
                    {
                        value = BoundExpr(
                            .function(co, [value, BoundExpr.constant(.int(0), type: value.type)]), type: value.type,
                            name: name)
                    }
                    return value
                }
            }
            let (plan, cols) = try subBinder().bindQuery(q)
            guard cols.count == 1 else {
                throw Binder.error("a scalar subquery must return exactly one column, found \(cols.count)", pos)
            }
            let batches = try runSubquery(plan)
            let rows = batches.reduce(0) { $0 + $1.count }
            if rows > 1 {
                throw KuaiError(
                    .execution, "More than one row returned by a subquery used as an expression", at: pos.description)
            }
            let v: Value = batches.first(where: { $0.count > 0 }).map { $0.columns[0].value(at: 0) } ?? .null
            return BoundExpr.constant(v, type: cols[0].type, name: name)
        case .exists(let q, let negated, _):
            let (plan, _) = try subBinder().bindQuery(q)
            let batches = try runSubquery(.limit(plan, limit: 1, offset: 0))
            let found = batches.contains { $0.count > 0 }
            return BoundExpr.constant(.bool(found != negated), type: .boolean, name: name)
        case .inSubquery(let a, let q, let negated, let pos):
            let x = try bind(a, ctx)
            let (plan, cols) = try subBinder().bindQuery(q)
            guard cols.count == 1 else {
                throw Binder.error("a subquery in IN must return exactly one column, found \(cols.count)", pos)
            }
            let batches = try runSubquery(.distinct(plan))
            var items: [BoundExpr] = []
            for b in batches {
                for i in 0..<b.count {
                    items.append(BoundExpr.constant(b.columns[0].value(at: i), type: cols[0].type))
                }
            }
            return try makeInList(x, items, negated, pos, name)
        }
    }

    /// True when a correlated scalar subquery gives at most one row per outer row: a SELECT with an
    /// aggregate and no GROUP BY, which the decorrelation groups by the correlation keys alone.
    static func oneRowPerCorrelation(_ q: Query) -> Bool {
        guard case .select(let core) = q.body, core.groupBy.isEmpty, !core.groupByAll else { return false }
        return core.items.contains { item in
            if case .expr(let e, _) = item { return Binder.containsAggregate(e) }
            return false
        }
    }

    func withCTEs(_ c: [[String: (plan: LogicalPlan, columns: [ScopeColumn])]]) -> Binder {
        ctes = c
        return self
    }

    /// A binder for a subquery: same catalog, CTEs in scope and CTE numbering.
    func subBinder() -> Binder {
        let b = Binder(catalog: catalog, runSubquery: runSubquery).withCTEs(ctes)
        b.cteIds = cteIds
        return b
    }

    func requireBoolean(_ x: BoundExpr, _ e: Expr, _ what: String) throws {
        if x.type != .boolean && x.type != .null {
            throw Binder.error("\(what) needs a BOOLEAN operand, but \(e.sqlDescription) is \(x.type)", e.position)
        }
    }

    /// Replaces a subtree without column inputs by its value (kept as is when evaluation fails,
    /// so an error in a branch no row takes is not raised at plan time).
    func fold(_ e: BoundExpr) -> BoundExpr {
        if !e.isEvaluableWithoutInput || e.constantValue != nil { return e }
        guard let v = try? e.evaluateConstant() else { return e }
        return BoundExpr(.constant(v), type: e.type, name: e.name)
    }

    // MARK: - literals

    func bindLiteral(_ lit: Literal, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext) throws -> BoundExpr {
        switch lit {
        case .null: return BoundExpr.constant(.null, type: .null, name: name)
        case .bool(let b): return BoundExpr.constant(.bool(b), type: .boolean, name: name)
        case .integer(let v):
            let t: DataType = (v >= Int64(Int32.min) && v <= Int64(Int32.max)) ? .integer : .bigint
            return BoundExpr.constant(.int(v), type: t, name: name)
        case .decimal(let text):
            // An integer beyond Int64 that fits 128 bits is a HUGEINT, as in DuckDB.
            if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let h = Int128(text) {
                if let i = Int64(exactly: h) { return BoundExpr.constant(.int(i), type: .bigint, name: name) }
                return BoundExpr.constant(.hugeint(h), type: .hugeint, name: name)
            }
            // DuckDB types 1.5 as DECIMAL(2,1); kuai computes it as DOUBLE (see README, "Numbers").
            guard let d = Double(text) else { throw Binder.error("invalid number \(text)", pos) }
            if let i = Int64(exactly: d), !text.contains("."), !text.lowercased().contains("e") {
                return BoundExpr.constant(.int(i), type: .bigint, name: name)
            }
            return BoundExpr.constant(.double(d), type: .double, name: name)
        case .string(let s): return BoundExpr.constant(.string(s), type: .varchar, name: name)
        case .typed(let t, let s):
            return try castConstantString(s, to: t, pos, name)
        case .interval(let q, let unit):
            let x = try bind(q, ctx)
            guard case .int(let n)? = (try? x.evaluateConstant()) ?? nil else {
                throw Binder.error("INTERVAL needs an integer constant quantity", pos)
            }
            let micros: Int64
            switch unit.lowercased() {
            case "microsecond", "microseconds", "us": micros = 1
            case "millisecond", "milliseconds", "ms": micros = 1_000
            case "second", "seconds", "s": micros = 1_000_000
            case "minute", "minutes", "m": micros = 60_000_000
            case "hour", "hours", "h": micros = 3_600_000_000
            case "day", "days", "d": micros = 86_400_000_000
            case "week", "weeks", "w": micros = 7 * 86_400_000_000
            default: throw Binder.error("INTERVAL unit \(unit) is not supported (use microsecond .. week)", pos)
            }
            let (r, o) = n.multipliedReportingOverflow(by: micros)
            if o { throw Binder.error("INTERVAL \(n) \(unit) is out of range", pos) }
            return BoundExpr.constant(.int(r), type: .interval, name: name)
        }
    }

    /// A VARCHAR constant converted to `t` at plan time (typed literals, comparisons with a column).
    func castConstantString(_ s: String, to t: DataType, _ pos: SourcePosition, _ name: String) throws -> BoundExpr {
        let src = BoundExpr.constant(.string(s), type: .varchar)
        let c = BoundExpr(.cast(src, isTry: false), type: t, name: name)
        do {
            return BoundExpr.constant(try c.evaluateConstant(), type: t, name: name)
        } catch let e as KuaiError {
            throw KuaiError(
                .binding, e.message.replacingOccurrences(of: " in expression \(name)", with: ""), at: pos.description)
        }
    }

    // MARK: - operators

    /// The common type two operands are compared or combined in (nil when incompatible).
    func commonType(_ a: DataType, _ b: DataType) -> DataType? {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        if a.isNumeric && b.isNumeric {
            if a == .double || b == .double { return .double }
            let rank: [DataType: Int] = [.integer: 0, .bigint: 1, .hugeint: 2]
            return rank[a]! >= rank[b]! ? a : b
        }
        if (a == .boolean && b.isInteger) || (b == .boolean && a.isInteger) { return a == .boolean ? b : a }
        if (a == .date && b == .timestamp) || (a == .timestamp && b == .date) { return .timestamp }
        return nil
    }

    /// Converts `x` to `t`: string constants are parsed at plan time, others get a CAST node.
    func coerce(_ x: BoundExpr, to t: DataType, _ pos: SourcePosition) throws -> BoundExpr {
        if x.type == t || t == .null { return x }
        if case .constant(let v) = x.kind {
            if v.isNull { return BoundExpr.constant(.null, type: t, name: x.name) }
            if case .string(let s) = v, t != .varchar { return try castConstantString(s, to: t, pos, x.name) }
        }
        return fold(BoundExpr(.cast(x, isTry: false), type: t, name: x.name))
    }

    func isStringConstant(_ x: BoundExpr) -> Bool {
        if case .constant(.string) = x.kind { return true }
        return false
    }

    func makeCompare(_ op: CompareOp, _ l: BoundExpr, _ r: BoundExpr, _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr
    {
        var x = l
        var y = r
        if x.type == .null || y.type == .null { return BoundExpr.constant(.null, type: .boolean, name: name) }
        if x.type != y.type {
            if isStringConstant(y) && x.type != .varchar {
                y = try coerce(y, to: x.type, pos)
            } else if isStringConstant(x) && y.type != .varchar {
                x = try coerce(x, to: y.type, pos)
            } else if let t = commonType(x.type, y.type) {
                // numbers compare across widths in the kernel; DATE vs TIMESTAMP needs a cast
                if !(x.type.isNumeric && y.type.isNumeric) {
                    x = try coerce(x, to: t, pos)
                    y = try coerce(y, to: t, pos)
                }
            } else {
                throw Binder.error(
                    "cannot compare values of type \(x.type) and type \(y.type) in \(name) - an explicit cast is required",
                    pos)
            }
        }
        return fold(BoundExpr(.compare(op, x, y), type: .boolean, name: name))
    }

    func bindBinary(
        _ op: BinaryOperator, _ a: Expr, _ b: Expr, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        switch op {
        case .and, .or:
            let x = try bind(a, ctx)
            let y = try bind(b, ctx)
            try requireBoolean(x, a, op.rawValue)
            try requireBoolean(y, b, op.rawValue)
            var parts: [BoundExpr] = []
            for p in [x, y] {
                switch (op, p.kind) {
                case (.and, .and(let xs)), (.or, .or(let xs)): parts.append(contentsOf: xs)
                default: parts.append(p)
                }
            }
            return fold(BoundExpr(op == .and ? .and(parts) : .or(parts), type: .boolean, name: name))
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            let cop: CompareOp
            switch op {
            case .equal: cop = .equal
            case .notEqual: cop = .notEqual
            case .less: cop = .less
            case .lessEqual: cop = .lessEqual
            case .greater: cop = .greater
            default: cop = .greaterEqual
            }
            return try makeCompare(cop, try bind(a, ctx), try bind(b, ctx), pos, name)
        case .isDistinctFrom, .isNotDistinctFrom:
            var x = try bind(a, ctx)
            var y = try bind(b, ctx)
            if x.type != y.type && x.type != .null && y.type != .null {
                if isStringConstant(y) {
                    y = try coerce(y, to: x.type, pos)
                } else if isStringConstant(x) {
                    x = try coerce(x, to: y.type, pos)
                } else if let t = commonType(x.type, y.type) {
                    if !(x.type.isNumeric && y.type.isNumeric) {
                        x = try coerce(x, to: t, pos)
                        y = try coerce(y, to: t, pos)
                    }
                } else {
                    throw Binder.error("cannot compare values of type \(x.type) and type \(y.type) in \(name)", pos)
                }
            }
            return fold(
                BoundExpr(.isDistinctFrom(x, y, negated: op == .isNotDistinctFrom), type: .boolean, name: name))
        case .concat:
            let x = try bind(a, ctx)
            let y = try bind(b, ctx)
            // DuckDB types `x || NULL` (an untyped NULL on either side) as NULL, not VARCHAR.
            if x.type == .null || y.type == .null { return BoundExpr.constant(.null, type: .null, name: name) }
            return try bindFunction("concat_op", [try toVarchar(x, pos), try toVarchar(y, pos)], pos, name)
        case .add, .subtract, .multiply, .divide, .integerDivide, .modulo:
            let x = try bind(a, ctx)
            let y = try bind(b, ctx)
            let aop: ArithmeticOp
            switch op {
            case .add: aop = .add
            case .subtract: aop = .subtract
            case .multiply: aop = .multiply
            case .divide: aop = .divide
            case .integerDivide: aop = .integerDivide
            default: aop = .modulo
            }
            return try makeArithmetic(aop, x, y, pos, name)
        }
    }

    /// `x op y` for the arithmetic operators, typed as DuckDB does: the common numeric type of the operands
    /// (`/` is DOUBLE); an untyped NULL takes the other side's type, and NULL op NULL is BIGINT (DOUBLE for `/`).
    /// Also `mod(x, y)`, which DuckDB types exactly like `x % y`. Temporal operands go through functions.
    func makeArithmetic(_ aop: ArithmeticOp, _ x0: BoundExpr, _ y0: BoundExpr, _ pos: SourcePosition, _ name: String)
        throws -> BoundExpr
    {
        var x = x0
        var y = y0
        let temporal: Set<DataType> = [.date, .timestamp, .interval]
        if temporal.contains(x.type) || temporal.contains(y.type) {
            return try bindTemporalArithmetic(aop, x, y, pos, name)
        }
        if isStringConstant(x) && y.type.isNumeric { x = try coerce(x, to: y.type, pos) }
        if isStringConstant(y) && x.type.isNumeric { y = try coerce(y, to: x.type, pos) }
        if x.type == .null && y.type == .null {
            return BoundExpr.constant(.null, type: aop == .divide ? .double : .bigint, name: name)
        }
        let xt = x.type == .null ? y.type : x.type
        let yt = y.type == .null ? x.type : y.type
        guard xt.isNumeric || xt == .boolean, yt.isNumeric || yt == .boolean,
            var t = commonType(xt == .boolean ? .integer : xt, yt == .boolean ? .integer : yt)
        else {
            throw Binder.error("cannot apply \(aop.rawValue) to \(x.type) and \(y.type) in \(name)", pos)
        }
        if aop == .divide { t = .double }
        return fold(BoundExpr(.arithmetic(aop, x, y), type: t, name: name))
    }

    /// The members of a row value, nested rows flattened (`(a, (b, c))` has members a, b, c: two such rows are
    /// equal exactly when these are).
    static func rowMembers(_ e: Expr) -> [Expr] {
        guard case .row(let members, _) = e else { return [e] }
        return members.flatMap { rowMembers($0) }
    }

    /// DuckDB's function forms of `[NOT] [I]LIKE ... ESCAPE`.
    static let likeEscapeFunctions: [String: (negated: Bool, caseInsensitive: Bool)] = [
        "like_escape": (false, false), "not_like_escape": (true, false),
        "ilike_escape": (false, true), "not_ilike_escape": (true, true),
    ]

    /// `a [NOT] [I]LIKE p [ESCAPE e]`: `a` must be VARCHAR; the pattern and the escape must be constant strings
    /// (a NULL one makes the result NULL). The escape string is checked when rows are evaluated, as DuckDB does
    /// (`Kernels.like`).
    func bindLike(
        _ a: Expr, _ p: Expr, _ escape: Expr?, negated: Bool, caseInsensitive ci: Bool, _ pos: SourcePosition,
        _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        let x = try bind(a, ctx)
        let pat = try bind(p, ctx)
        let esc = try escape.map { try bind($0, ctx) }
        if x.type == .null { return BoundExpr.constant(.null, type: .boolean, name: name) }
        guard x.type == .varchar else {
            throw Binder.error("LIKE needs a VARCHAR operand, but \(a.sqlDescription) is \(x.type)", pos)
        }
        var escapeText: String? = nil
        if let esc, let escape {
            guard esc.type == .varchar || esc.type == .null else {
                throw Binder.error(
                    "the ESCAPE operand must be a string, but \(escape.sqlDescription) is \(esc.type)", escape.position)
            }
            switch esc.constantValue {
            case .string(let e)?: escapeText = e
            case .null?: return BoundExpr.constant(.null, type: .boolean, name: name)
            default: throw Binder.error("the ESCAPE operand must be a constant string in \(name)", escape.position)
            }
        }
        guard case .string(let s)? = pat.constantValue else {
            if pat.constantValue?.isNull == true { return BoundExpr.constant(.null, type: .boolean, name: name) }
            throw Binder.error("the LIKE pattern must be a constant string in \(name)", p.position)
        }
        return fold(
            BoundExpr(
                .like(x, pattern: s, negated: negated, caseInsensitive: ci, escape: escapeText), type: .boolean,
                name: name))
    }

    func bindTemporalArithmetic(
        _ op: ArithmeticOp, _ x: BoundExpr, _ y: BoundExpr, _ pos: SourcePosition, _ name: String
    ) throws -> BoundExpr {
        let fn: String?
        switch (op, x.type, y.type) {
        case (.add, .date, let t) where t.isInteger: fn = "date_add_days"
        case (.add, let t, .date) where t.isInteger: return try bindTemporalArithmetic(op, y, x, pos, name)
        case (.subtract, .date, let t) where t.isInteger: fn = "date_sub_days"
        case (.subtract, .date, .date): fn = "date_diff_days"
        case (.subtract, .timestamp, .timestamp): fn = "timestamp_diff"
        case (.add, .timestamp, .interval), (.add, .date, .interval): fn = "timestamp_add_interval"
        case (.add, .interval, .timestamp), (.add, .interval, .date):
            return try bindTemporalArithmetic(op, y, x, pos, name)
        case (.subtract, .timestamp, .interval), (.subtract, .date, .interval): fn = "timestamp_sub_interval"
        case (.add, .interval, .interval): fn = "interval_add"
        case (.subtract, .interval, .interval): fn = "interval_sub"
        default: fn = nil
        }
        guard let fn, FunctionRegistry.isScalarFunction(fn) else {
            throw Binder.error("cannot apply \(op.rawValue) to \(x.type) and \(y.type) in \(name)", pos)
        }
        return try bindFunction(fn, [x, y], pos, name)
    }

    func bindInList(
        _ a: Expr, _ list: [Expr], _ negated: Bool, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        let x = try bind(a, ctx)
        let items = try list.map { try bind($0, ctx) }
        return try makeInList(x, items, negated, pos, name)
    }

    func makeInList(_ x0: BoundExpr, _ items0: [BoundExpr], _ negated: Bool, _ pos: SourcePosition, _ name: String)
        throws -> BoundExpr
    {
        var x = x0
        if x.type == .null { return BoundExpr.constant(.null, type: .boolean, name: name) }
        var t = x.type
        for it in items0 where !(isStringConstant(it) && x.type != .varchar) && it.type != .null {
            guard let c = commonType(t, it.type) else {
                throw Binder.error("cannot compare values of type \(x.type) and type \(it.type) in \(name)", pos)
            }
            t = c
        }
        if t != x.type { x = try coerce(x, to: t, pos) }
        let items = try items0.map { try coerce($0, to: t, pos) }
        if items.isEmpty { return BoundExpr.constant(.bool(negated), type: .boolean, name: name) }
        return fold(BoundExpr(.inList(x, items, negated: negated), type: .boolean, name: name))
    }

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
        var t: DataType = .null
        for r in thens + (els.map { [$0] } ?? [])
        where r.type != .null && !(isStringConstant(r) && t != .null && t != .varchar) {
            if t == .null {
                t = r.type
                continue
            }
            guard let c = commonType(t, r.type) else {
                throw Binder.error("CASE branches have incompatible types \(t) and \(r.type) in \(name)", pos)
            }
            t = c
        }
        if t == .null { t = .integer }
        thens = try thens.map { try coerce($0, to: t, pos) }
        els = try els.map { try coerce($0, to: t, pos) }
        return fold(
            BoundExpr(
                .caseWhen(Array(zip(conds, thens)).map { (when: $0.0, then: $0.1) }, elseExpr: els), type: t, name: name
            ))
    }

    // MARK: - functions

    /// `x` as VARCHAR (every type casts to VARCHAR).
    func toVarchar(_ x: BoundExpr, _ pos: SourcePosition) throws -> BoundExpr {
        if x.type == .varchar { return x }
        if x.type == .null { return BoundExpr.constant(.null, type: .varchar, name: x.name) }
        return fold(BoundExpr(.cast(x, isTry: false), type: .varchar, name: x.name))
    }

    func bindFunction(_ fname: String, _ args0: [BoundExpr], _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr
    {
        var args = args0
        switch fname {
        case "typeof":
            guard args.count == 1 else { throw Binder.error("typeof() takes one argument", pos) }
            return BoundExpr.constant(.string(args[0].type.description), type: .varchar, name: name)
        case "date_part":
            // date_part('epoch', x), also EXTRACT(epoch FROM x), is DuckDB's epoch(x): seconds as a
            // DOUBLE with the fraction (1746406923.456), not whole seconds like the BIGINT parts.
            if args.count == 2, case .string(let part)? = args[0].constantValue, part.lowercased() == "epoch",
                args[1].type == .timestamp || args[1].type == .date
            {
                return try bindFunction("epoch", [try coerce(args[1], to: .timestamp, pos)], pos, name)
            }
        case "mod":
            guard args.count == 2 else { throw Binder.error("mod() takes two arguments", pos) }
            return try makeArithmetic(.modulo, args[0], args[1], pos, name)
        case "concat":
            let cast = try args.map { try toVarchar($0, pos) }
            guard let f = FunctionRegistry.resolve("concat", cast.map(\.type)) else {
                throw Binder.error("concat() needs arguments", pos)
            }
            return fold(BoundExpr(.function(f, cast), type: .varchar, name: name))
        case "coalesce", "ifnull", "nullif", "greatest", "least":
            if fname == "nullif" && args.count != 2 { throw Binder.error("nullif() takes two arguments", pos) }
            if fname == "ifnull" && args.count != 2 { throw Binder.error("ifnull() takes two arguments", pos) }
            if args.isEmpty { throw Binder.error("\(fname)() needs at least one argument", pos) }
            var t: DataType = .null
            for a in args where a.type != .null && !(isStringConstant(a) && t != .null && t != .varchar) {
                if t == .null {
                    t = a.type
                    continue
                }
                guard let c = commonType(t, a.type) else {
                    throw Binder.error(
                        "\(fname)() arguments have incompatible types \(t) and \(a.type) in \(name)", pos)
                }
                t = c
            }
            if t == .null { return BoundExpr.constant(.null, type: .integer, name: name) }
            let cast = try args.map { try coerce($0, to: t, pos) }
            guard let f = FunctionRegistry.generic(fname, t, arity: cast.count) else {
                throw Binder.error("\(fname)() is not supported here", pos)
            }
            return fold(BoundExpr(.function(f, cast), type: t, name: name))
        default:
            break
        }
        // hour(epoch_ms(x)) over BIGINT milliseconds: one fused integer kernel.
        if fname == "hour", args.count == 1, case .function(let inner, let innerArgs) = args[0].kind,
            inner.name == "epoch_ms", innerArgs.count == 1, innerArgs[0].type.isInteger,
            let fused = FunctionRegistry.resolve("hour_of_epoch_ms", [innerArgs[0].type])
        {
            // ... and hour(epoch_ms(ms + constant)): the addition folds into the same loop.
            if case .arithmetic(.add, let x, let y) = innerArgs[0].kind, innerArgs[0].type == .bigint,
                let plus = FunctionRegistry.resolve("hour_of_epoch_ms_plus", [.bigint, .bigint])
            {
                let (col, k) = y.constantValue != nil ? (x, y) : (y, x)
                if case .int? = k.constantValue, col.type.isInteger, col.constantValue == nil {
                    let args = [
                        try coerce(col, to: .bigint, pos), BoundExpr.constant(k.constantValue!, type: .bigint),
                    ]
                    return fold(BoundExpr(.function(plus, args), type: .bigint, name: name))
                }
            }
            let a = try coerce(innerArgs[0], to: fused.parameters[0], pos)
            return fold(BoundExpr(.function(fused, [a]), type: fused.returnType, name: name))
        }
        // String constants adapt to the parameter type of the only overload taking that many arguments.
        let candidates = FunctionRegistry.overloads(fname)
        guard !candidates.isEmpty else {
            if AggregateRegistry.isAggregate(fname) {
                throw Binder.error("aggregate function \(fname) is not allowed here", pos)
            }
            var msg = "function \(fname) does not exist"
            if let s = closest(fname, FunctionRegistry.names) { msg += "; did you mean \(s)?" }
            throw Binder.error(msg, pos)
        }
        let sameArity = candidates.filter { $0.parameters.count == args.count || $0.variadic }
        if sameArity.count == 1 {
            let f = sameArity[0]
            for i in args.indices where isStringConstant(args[i]) {
                let p = i < f.parameters.count ? f.parameters[i] : f.parameters.last!
                if p != .varchar { args[i] = try coerce(args[i], to: p, pos) }
            }
        }
        guard let f = FunctionRegistry.resolve(fname, args.map(\.type)) else {
            let sig = "\(fname)(" + args.map(\.type.description).joined(separator: ", ") + ")"
            throw Binder.error(
                "no function matches \(sig) in \(name); candidates: "
                    + candidates.map(\.signature).joined(separator: "; "), pos)
        }
        let cast = try args.enumerated().map { i, a in
            try coerce(a, to: i < f.parameters.count ? f.parameters[i] : f.parameters.last!, pos)
        }
        return fold(BoundExpr(.function(f, cast), type: f.returnType, name: name))
    }
}

extension String {
    /// Replaces every occurrence of `target` with `replacement` (no Foundation).
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    /// The first range of `target` (naive search; short strings only).
    func range(of target: String) -> Range<Substring.Index>? {
        let t = Array(target)
        guard !t.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            var j = i
            var k = 0
            while k < t.count, j < endIndex, self[j] == t[k] {
                j = index(after: j)
                k += 1
            }
            if k == t.count { return i..<j }
            i = index(after: i)
        }
        return nil
    }
}

extension BoundExpr {
    /// A copy where the placeholder of window call `k` is the column `columns[k]`.
    func replacingWindowCalls(_ columns: [Int]) -> BoundExpr {
        transformed { e in
            if case .windowCall(let k) = e.kind { return BoundExpr.column(columns[k], type: e.type, name: e.name) }
            return e
        }
    }
}
