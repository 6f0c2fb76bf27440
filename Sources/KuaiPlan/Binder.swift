import KuaiCore
import KuaiExec
import KuaiSQL

/// The tables a query can name.
public protocol Catalog: AnyObject {
    /// Table names, for error messages and SHOW TABLES.
    var tableNames: [String] { get }
    /// The table called `name` (case-insensitive), or nil.
    func lookupTable(_ name: String) throws -> TableSource?
    /// The view called `name` (case-insensitive), or nil (BinderViews.swift; default: no views).
    func lookupView(_ name: String) throws -> ViewDefinition?
}

/// A column visible to expressions: where it comes from (qualifier = table name or alias) and its
/// type. The position in the scope array is the column index in the plan's output.
struct ScopeColumn {
    var qualifier: String?
    var name: String
    var type: DataType
    /// The right-hand copy of a USING column: reachable only with its qualifier, not in `*`.
    var hidden = false
}

/// State of binding one aggregate query: the GROUP BY keys (pre-aggregate expressions) and the
/// aggregate calls found so far. After aggregation, key k is column k and aggregate j is column
/// `keys.count + j`.
final class AggregateContext {
    let preScope: [ScopeColumn]
    var keys: [BoundExpr] = []
    var keyIndex: [String: Int] = [:]
    var aggregates:
        [(
            key: String, call: FunctionCall, function: AggregateFunction, argument: BoundExpr?, filter: BoundExpr?,
            name: String, order: [BoundExpr]
        )] = []

    init(preScope: [ScopeColumn]) { self.preScope = preScope }
}

/// What an expression may contain where it is bound.
struct ExprContext {
    var scope: [ScopeColumn]
    /// Non-nil while binding select items, HAVING and ORDER BY of an aggregate query.
    var aggregate: AggregateContext?
    /// The clause, for error messages ("WHERE", "GROUP BY", ...).
    var clause: String
    /// Non-nil where window functions are allowed (select list, ORDER BY, QUALIFY).
    var window: WindowContext? = nil
    /// Select-list aliases a bare name may refer to when no input column has that name
    /// (DuckDB allows them in WHERE, HAVING, QUALIFY and ORDER BY expressions).
    var aliases: [String: Expr] = [:]
    /// Where a correlated scalar subquery adds its LEFT JOIN (WHERE and select list of a query
    /// without aggregation); nil elsewhere.
    var correlation: CorrelationTarget? = nil
}

/// The plan under construction that correlated subqueries join onto; each join appends the
/// subquery's columns after the current ones, so bound column indexes stay valid.
final class CorrelationTarget {
    var plan: LogicalPlan
    var width: Int
    init(plan: LogicalPlan, width: Int) {
        self.plan = plan
        self.width = width
    }
}

/// One window function call of a SELECT, bound over the pre-window columns.
struct WindowCall {
    var key: String
    var partition: [BoundExpr]
    var order: [(expr: BoundExpr, ascending: Bool, nullsFirst: Bool)]
    var frame: KuaiExec.WindowFrame?
    var kind: WindowFunction.Kind
    var argument: BoundExpr?
    var offset: Int
    var defaultValue: Value
    var type: DataType
    var name: String
}

/// The window calls found while binding a SELECT. A call is referenced by the placeholder
/// `windowCall(k)` until the window operators are placed and the final column is known.
final class WindowContext {
    let named: [(name: String, spec: WindowSpec)]
    var calls: [WindowCall] = []
    init(named: [(name: String, spec: WindowSpec)]) { self.named = named }
}

/// What a column name resolves to: a column of the input, or of an enclosing query's scope.
enum ColumnReference {
    case input(Int)
    case outer(depth: Int, index: Int)
}

/// Resolves names and types: turns the AST of KuaiSQL into a `LogicalPlan` with `BoundExpr`s
/// (DuckDB's type rules; see `bindBinary`).
final class Binder {
    let catalog: Catalog
    /// Runs an uncorrelated subquery at bind time (scalar subqueries, IN (subquery), EXISTS).
    let runSubquery: (LogicalPlan) throws -> [Batch]
    /// CTEs in scope, innermost last.
    var ctes: [[String: (plan: LogicalPlan, columns: [ScopeColumn])]] = []
    /// For a correlated subquery: the enclosing query's columns. A name found only there binds to
    /// `outerColumn(depth: 1, index:)` and must appear in a WHERE equality `inner = outer`.
    var outer: [ScopeColumn]? = nil
    /// The `inner = outer` equalities taken out of a correlated subquery's WHERE; the subquery's
    /// output gets the inner expressions as extra trailing columns (GROUP BY keys if it aggregates).
    var correlations: [(inner: BoundExpr, outer: BoundExpr)] = []

    /// Numbers shared CTEs; one per statement, handed to sub-binders.
    var cteIds = CTECounter()

    init(catalog: Catalog, runSubquery: @escaping (LogicalPlan) throws -> [Batch]) {
        self.catalog = catalog
        self.runSubquery = runSubquery
    }

    static func error(_ message: String, _ pos: SourcePosition) -> KuaiError {
        KuaiError(.binding, message, at: pos.description)
    }

    // MARK: - queries

    /// Binds a full query; returns the plan and its output columns (qualifier nil).
    func bindQuery(_ q: Query) throws -> (plan: LogicalPlan, columns: [ScopeColumn]) {
        var frame: [String: (plan: LogicalPlan, columns: [ScopeColumn])] = [:]
        ctes.append(frame)
        defer { ctes.removeLast() }
        var refs: [String: Int] = [:]
        if !q.ctes.isEmpty { Binder.countTableRefs(q, &refs) }
        for cte in q.ctes {
            var (plan, cols) = try bindQuery(cte.query)
            if refs[cte.name.lowercased(), default: 0] >= 2 {
                // Referenced more than once: compute once per query.
                plan = .shared(id: cteIds.next(), plan)
            }
            if !cte.columnNames.isEmpty {
                for (i, n) in cte.columnNames.enumerated() where i < cols.count { cols[i].name = n }
                plan = .project(
                    plan,
                    cols.enumerated().map {
                        BoundExpr.column($0.offset, type: $0.element.type, name: $0.element.name)
                    },
                    names: cols.map(\.name))
            }
            frame[cte.name.lowercased()] = (plan, cols)
            ctes[ctes.count - 1] = frame
        }
        var plan: LogicalPlan
        var cols: [ScopeColumn]
        let correlationsBefore = correlations.count
        switch q.body {
        case .select(let core):
            (plan, cols) = try bindSelect(core, orderBy: q.orderBy, orderByAll: q.orderByAll)
        default:
            (plan, cols) = try bindBody(q.body)
            if !q.orderBy.isEmpty || q.orderByAll != nil {
                let keys = try outputSortKeys(q.orderBy, q.orderByAll, cols)
                plan = .sort(plan, keys)
            }
        }
        let limit = try q.limit.map { try constantInt($0, "LIMIT") }
        let offset = try q.offset.map { try constantInt($0, "OFFSET") } ?? 0
        if (limit != nil || offset != 0) && correlations.count > correlationsBefore {
            // The subquery is decorrelated into one plan over all outer rows, so a LIMIT here would
            // keep n rows in all, not n per outer row (it gave silently wrong answers).
            throw Binder.error(
                "LIMIT and OFFSET are not supported in a correlated subquery", (q.limit ?? q.offset)!.position)
        }
        if limit != nil || offset != 0 {
            plan = .limit(plan, limit: limit, offset: offset)
        }
        return (plan, cols.map { ScopeColumn(qualifier: nil, name: $0.name, type: $0.type) })
    }

    func constantInt(_ e: Expr, _ clause: String) throws -> Int {
        let b = try bind(e, ExprContext(scope: [], aggregate: nil, clause: clause))
        guard case .int(let v)? = try? b.evaluateConstant(), v >= 0 else {
            throw Binder.error(
                "\(clause) must be a non-negative integer constant, found \(e.sqlDescription)", e.position)
        }
        return Int(v)
    }

    /// Sort keys over output columns only (set operations): positions or output names.
    func outputSortKeys(_ items: [OrderItem], _ all: OrderItem?, _ cols: [ScopeColumn]) throws -> [SortKey] {
        if let all {
            return cols.indices.map {
                SortKey(column: $0, ascending: all.ascending, nullsFirst: all.nullsFirst ?? false)
            }
        }
        return try items.map { item in
            let idx: Int
            if case .literal(.integer(let k), let p) = item.expr {
                guard k >= 1 && Int(k) <= cols.count else {
                    throw Binder.error("ORDER term out of range - should be between 1 and \(cols.count)", p)
                }
                idx = Int(k) - 1
            } else if case .column(nil, let name, let p) = item.expr {
                guard let i = cols.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else {
                    throw Binder.error(
                        "column \"\(name)\" not found in the result; columns: \(cols.map(\.name).joined(separator: ", "))",
                        p)
                }
                idx = i
            } else {
                throw Binder.error(
                    "ORDER BY after a set operation must name an output column or position", item.expr.position)
            }
            return SortKey(column: idx, ascending: item.ascending, nullsFirst: item.nullsFirst ?? false)
        }
    }

    func bindBody(_ body: QueryBody) throws -> (plan: LogicalPlan, columns: [ScopeColumn]) {
        switch body {
        case .select(let core): return try bindSelect(core, orderBy: [], orderByAll: nil)
        case .nested(let q): return try bindQuery(q)
        case .setOperation(let op, let all, let left, let right, let pos):
            let (lp0, lc) = try bindBody(left)
            let (rp0, rc) = try bindBody(right)
            guard lc.count == rc.count else {
                throw Binder.error(
                    "set operation inputs have \(lc.count) and \(rc.count) columns; they must have the same number", pos
                )
            }
            var types: [DataType] = []
            for i in 0..<lc.count {
                let a = lc[i].type
                let b = rc[i].type
                if let t = commonType(a, b) {
                    types.append(t == .null ? .integer : t)
                    continue
                }
                if a == .varchar || b == .varchar {
                    types.append(.varchar)
                    continue
                }
                throw Binder.error("set operation column \(i + 1) has types \(a) and \(b) that do not unify", pos)
            }
            let lp = try castColumns(lp0, lc, types, pos)
            let rp = try castColumns(rp0, rc, types, pos)
            let cols = zip(lc, types).map { ScopeColumn(qualifier: nil, name: $0.name, type: $1) }
            switch op {
            case .union:
                var kids: [LogicalPlan] = []
                for p in [lp, rp] {
                    if case .union(let inner) = p { kids += inner } else { kids.append(p) }
                }
                let u: LogicalPlan = .union(kids)
                return (all ? u : .distinct(u), cols)
            case .except: return (.setOp(.except, all: all, lp, rp), cols)
            case .intersect: return (.setOp(.intersect, all: all, lp, rp), cols)
            }
        case .values(let rows, let pos):
            guard let width = rows.first?.count, width > 0 else {
                throw Binder.error("VALUES needs at least one row", pos)
            }
            var bound: [[BoundExpr]] = []
            for r in rows {
                guard r.count == width else { throw Binder.error("VALUES rows must all have \(width) values", pos) }
                bound.append(try r.map { try bind($0, ExprContext(scope: [], aggregate: nil, clause: "VALUES")) })
            }
            var types: [DataType] = []
            for c in 0..<width {
                var t: DataType = .null
                for r in bound where r[c].type != .null {
                    if t == .null {
                        t = r[c].type
                        continue
                    }
                    guard let u = commonType(t, r[c].type) else {
                        throw Binder.error("VALUES column \(c + 1) mixes \(t) and \(r[c].type)", pos)
                    }
                    t = u
                }
                types.append(t == .null ? .integer : t)
            }
            var columns: [Column] = []
            for c in 0..<width {
                var values: [Value] = []
                for r in bound {
                    let e = try coerce(r[c], to: types[c], pos)
                    guard e.referencedColumns.isEmpty else {
                        throw Binder.error("VALUES entries must be constants", pos)
                    }
                    // A constant that cannot be computed ('abc' cast to INTEGER) is DuckDB's conversion error.
                    values.append(try e.evaluateConstant())
                }
                columns.append(Binder.column(values, types[c]))
            }
            let names = (0..<width).map { "col\($0)" }
            return (
                .values(
                    schema: zip(names, types).map { Field($0, $1) },
                    batches: [Batch(columns: columns, count: rows.count)], label: "Values"),
                zip(names, types).map { ScopeColumn(qualifier: nil, name: $0, type: $1) }
            )
        }
    }

    /// A column of boxed constants (VALUES).
    static func column(_ values: [Value], _ t: DataType) -> Column {
        switch t {
        case .varchar:
            return Column(
                strings: values.map { v -> String? in
                    if case .string(let s) = v { return s }
                    return nil
                })
        case .double:
            let d = values.map { v -> Double in
                switch v {
                case .double(let x): return x
                case .int(let i): return Double(i)
                default: return 0
                }
            }
            let valid = values.map { $0.isNull ? UInt8(0) : 1 }
            return Column(doubles: d, validity: valid.contains(0) ? valid : nil)
        default:
            let valid = values.map { $0.isNull ? UInt8(0) : 1 }
            if values.contains(where: {
                if case .hugeint = $0 { return true }
                return false
            }) {
                // HUGEINT values beyond Int64: a wide column (see Column.highs)
                var c = Column(
                    hugeints: values.map { v -> Int128 in
                        switch v {
                        case .int(let x): return Int128(x)
                        case .hugeint(let x): return x
                        default: return 0
                        }
                    }, validity: valid.contains(0) ? valid : nil)
                c.type = t
                return c
            }
            let i = values.map { v -> Int64 in
                switch v {
                case .int(let x): return x
                case .bool(let b): return b ? 1 : 0
                case .double(let d): return Int64(d)
                default: return 0
                }
            }
            return Column(type: t, ints: i, validity: valid.contains(0) ? valid : nil)
        }
    }

    /// Projects `plan` so that column i has type `types[i]` (no-op when already so).
    func castColumns(_ plan: LogicalPlan, _ cols: [ScopeColumn], _ types: [DataType], _ pos: SourcePosition) throws
        -> LogicalPlan
    {
        if zip(cols, types).allSatisfy({ $0.type == $1 }) { return plan }
        let exprs = try cols.enumerated().map { i, c -> BoundExpr in
            let e = BoundExpr.column(i, type: c.type, name: c.name)
            if c.type == types[i] { return e }
            if c.type == .null { return BoundExpr.constant(.null, type: types[i], name: c.name) }
            guard Kernels.canCast(from: c.type, to: types[i]) else {
                throw Binder.error("cannot cast \(c.type) to \(types[i]) in a set operation", pos)
            }
            return BoundExpr(.cast(e, isTry: false), type: types[i], name: c.name)
        }
        return .project(plan, exprs, names: cols.map(\.name))
    }

    // MARK: - FROM

    func bindFrom(_ ref: TableRef?) throws -> (plan: LogicalPlan, scope: [ScopeColumn]) {
        guard let ref else {
            return (.values(schema: [], batches: [Batch(columns: [], count: 1)], label: "OneRow"), [])
        }
        switch ref {
        case .table(let name, let alias, let pos):
            let q = alias ?? name
            for frame in ctes.reversed() {
                if let cte = frame[name.lowercased()] {
                    return (cte.plan, cte.columns.map { ScopeColumn(qualifier: q, name: $0.name, type: $0.type) })
                }
            }
            if let view = try catalog.lookupView(name) { return try bindView(view, qualifier: q, at: pos) }
            guard let table = try catalog.lookupTable(name) else {
                let names = catalog.tableNames
                var msg = "table \"\(name)\" not found"
                if let s = closest(name, names) { msg += "; did you mean \"\(s)\"?" }
                msg += " (tables: " + names.joined(separator: ", ") + ")"
                throw Binder.error(msg, pos)
            }
            let cols = Array(0..<table.schema.count)
            return (
                .scan(table: table, columns: cols, conjuncts: []),
                table.schema.map { ScopeColumn(qualifier: q, name: $0.name, type: $0.type) }
            )
        case .tableFunction(let call):
            return try bindTableFunction(call)
        case .subquery(let query, let alias, let names, _):
            let savedOuter = outer
            outer = nil
            defer { outer = savedOuter }
            let (plan, cols) = try bindQuery(query)
            var out = cols.map { ScopeColumn(qualifier: alias, name: $0.name, type: $0.type) }
            for (i, n) in names.enumerated() where i < out.count { out[i].name = n }
            return (plan, out)
        case .join(let kind, let left, let right, let condition, let pos):
            let (lp, ls) = try bindFrom(left)
            let (rp, rs0) = try bindFrom(right)
            var rs = rs0
            let type: JoinType
            switch kind {
            case .inner: type = .inner
            case .left: type = .left
            case .right: type = .right
            case .full: type = .full
            case .cross: type = .cross
            case .semi: type = .semi
            case .anti: type = .anti
            }
            var residual: BoundExpr? = nil
            switch condition {
            case .none:
                if type != .cross && type != .inner {
                    throw Binder.error("\(kind.rawValue) JOIN needs an ON or USING condition", pos)
                }
            case .on(let e):
                residual = try bindBoolean(e, ExprContext(scope: ls + rs, aggregate: nil, clause: "JOIN ... ON"))
            case .using(let cols):
                var parts: [BoundExpr] = []
                for c in cols {
                    guard let li = resolve(nil, c, ls.filter { !$0.hidden }), let ri = resolve(nil, c, rs) else {
                        throw Binder.error("column \"\(c)\" in USING must exist on both sides of the join", pos)
                    }
                    let a = BoundExpr.column(li, type: ls[li].type, name: ls[li].name)
                    let b = BoundExpr.column(ls.count + ri, type: rs[ri].type, name: rs[ri].name)
                    parts.append(try makeCompare(.equal, a, b, pos, "(\(c) = \(c))"))
                    rs[ri].hidden = true
                }
                residual = parts.count == 1 ? parts[0] : BoundExpr(.and(parts), type: .boolean, name: "USING")
            }
            let scope = (type == .semi || type == .anti) ? ls : ls + rs
            return (
                .join(
                    lp, rp, type: type == .inner && residual == nil ? .cross : type, leftKeys: [], rightKeys: [],
                    residual: residual), scope
            )
        }
    }

    // MARK: - SELECT

    static func containsAggregate(_ e: Expr) -> Bool {
        var found = false
        walk(e) { x in
            if case .function(let f) = x, f.over == nil, AggregateRegistry.isAggregate(f.name) || f.star {
                found = true
            }
        }
        return found
    }

    /// Visits `e` and its sub-expressions (not descending into subqueries).
    static func walk(_ e: Expr, _ visit: (Expr) -> Void) {
        visit(e)
        switch e {
        case .literal, .column, .exists, .scalarSubquery: break
        case .unary(_, let a, _), .isNull(let a, _, _), .cast(let a, _, _, _), .extract(_, let a, _),
            .inSubquery(let a, _, _, _):
            walk(a, visit)
        case .binary(_, let a, let b, _):
            walk(a, visit)
            walk(b, visit)
        case .like(let a, let p, let esc, _, _, _):
            walk(a, visit)
            walk(p, visit)
            if let esc { walk(esc, visit) }
        case .row(let xs, _): for x in xs { walk(x, visit) }
        case .between(let a, let l, let h, _, _):
            walk(a, visit)
            walk(l, visit)
            walk(h, visit)
        case .inList(let a, let xs, _, _):
            walk(a, visit)
            for x in xs { walk(x, visit) }
        case .caseWhen(let op, let ws, let el, _):
            if let op { walk(op, visit) }
            for w in ws {
                walk(w.when, visit)
                walk(w.then, visit)
            }
            if let el { walk(el, visit) }
        case .function(let f):
            for x in f.arguments { walk(x, visit) }
            if let fl = f.filter { walk(fl, visit) }
        }
    }

    /// The name DuckDB gives a result column: the alias, the bare column name, or the expression text.
    static func outputName(_ e: Expr, alias: String?) -> String {
        if let alias { return alias }
        if case .column(_, let name, _) = e { return name }
        return e.sqlDescription
    }

    func bindSelect(_ core: SelectCore, orderBy: [OrderItem], orderByAll: OrderItem?) throws -> (
        plan: LogicalPlan, columns: [ScopeColumn]
    ) {
        var (plan, scope) = try bindFrom(core.from)
        var aliases: [String: Expr] = [:]
        for item in core.items {
            if case .expr(let e, let a?) = item, aliases[a.lowercased()] == nil { aliases[a.lowercased()] = e }
        }
        let target = CorrelationTarget(plan: plan, width: scope.count)
        if let w = core.whereClause {
            if Binder.containsAggregate(w) { throw Binder.error("WHERE clause cannot contain aggregates", w.position) }
            var wctx = ExprContext(scope: scope, aggregate: nil, clause: "WHERE")
            wctx.aliases = aliases.filter { !Binder.containsAggregate($0.value) }
            wctx.correlation = target
            var parts: [BoundExpr] = []
            for c in Binder.astConjuncts(w) {
                if case .exists(let q, let negated, let pos) = c,
                    let joined = try correlatedExists(q, negated, pos, scope, target)
                {
                    target.plan = joined
                    continue
                }
                parts.append(try bindBoolean(c, wctx))
            }
            if outer != nil {
                // A correlated subquery: take out the inner = outer equalities.
                var kept: [BoundExpr] = []
                for p in parts.flatMap(Optimizer.conjuncts) {
                    if !p.referencesOuterColumns {
                        kept.append(p)
                        continue
                    }
                    guard case .compare(.equal, let a, let b) = p.kind else {
                        throw Binder.error(
                            "correlated subqueries support only equalities with the outer query (inner = outer) in WHERE; found \(p.name)",
                            w.position)
                    }
                    let aOuter = a.referencesOuterColumns
                    let bOuter = b.referencesOuterColumns
                    if bOuter && !b.referencesInnerColumns && !aOuter {
                        correlations.append((a, b.outerColumnsAsInput()))
                    } else if aOuter && !a.referencesInnerColumns && !bOuter {
                        correlations.append((b, a.outerColumnsAsInput()))
                    } else {
                        throw Binder.error("unsupported correlated condition \(p.name)", w.position)
                    }
                }
                parts = kept
            }
            if !parts.isEmpty {
                target.plan = .filter(
                    target.plan, parts.count == 1 ? parts[0] : BoundExpr(.and(parts), type: .boolean, name: "WHERE"))
            }
        }
        plan = target.plan
        // Expand stars.
        var items: [(expr: Expr, alias: String?)] = []
        for item in core.items {
            switch item {
            case .expr(let e, let alias): items.append((e, alias))
            case .star(let table, let exclude, let pos):
                let ex = Set(exclude.map { $0.lowercased() })
                var any = false
                for c in scope
                where (table == nil && !c.hidden) || (table != nil && c.qualifier?.lowercased() == table!.lowercased())
                {
                    any = true
                    if ex.contains(c.name.lowercased()) { continue }
                    items.append((.column(qualifier: c.qualifier, name: c.name, pos), nil))
                }
                if !any {
                    if let table { throw Binder.error("table \"\(table)\" not found in FROM clause", pos) }
                    throw Binder.error("SELECT * with no tables specified is not valid", pos)
                }
            }
        }
        let isAggregate =
            !core.groupBy.isEmpty || core.groupByAll || core.having != nil
            || items.contains { Binder.containsAggregate($0.expr) }
            || orderBy.contains { Binder.containsAggregate($0.expr) }
        var aggContext: AggregateContext? = nil
        if isAggregate {
            let ac = AggregateContext(preScope: scope)
            let plain = ExprContext(scope: scope, aggregate: nil, clause: "GROUP BY")
            var groupExprs: [Expr] = []
            if core.groupByAll {
                groupExprs = items.filter { !Binder.containsAggregate($0.expr) }.map(\.expr)
            }
            for g in core.groupBy {
                if case .literal(.integer(let k), let p) = g {
                    guard k >= 1 && Int(k) <= items.count else {
                        throw Binder.error("GROUP BY term out of range - should be between 1 and \(items.count)", p)
                    }
                    groupExprs.append(items[Int(k) - 1].expr)
                    continue
                }
                if case .column(nil, let name, _) = g, resolve(nil, name, scope) == nil,
                    let item = items.first(where: { $0.alias?.lowercased() == name.lowercased() })
                {
                    groupExprs.append(item.expr)  // GROUP BY an alias of the select list
                    continue
                }
                groupExprs.append(g)
            }
            for c in correlations where ac.keyIndex[c.inner.structuralKey] == nil {
                ac.keyIndex[c.inner.structuralKey] = ac.keys.count
                ac.keys.append(c.inner)
            }
            for g in groupExprs {
                if Binder.containsAggregate(g) {
                    throw Binder.error("GROUP BY clause cannot contain aggregates", g.position)
                }
                let b = try bind(g, plain)
                if ac.keyIndex[b.structuralKey] == nil {
                    ac.keyIndex[b.structuralKey] = ac.keys.count
                    ac.keys.append(BoundExpr(b.kind, type: b.type, name: Binder.outputName(g, alias: nil)))
                }
            }
            aggContext = ac
        }
        let windows = WindowContext(named: core.windows)
        var ctx = ExprContext(scope: scope, aggregate: aggContext, clause: "SELECT", window: windows)
        if aggContext == nil {
            ctx.correlation = target
        }
        var aliasCtx = ctx
        aliasCtx.aliases = aliases
        var exprs: [BoundExpr] = []
        var names: [String] = []
        for it in items {
            exprs.append(try bind(it.expr, ctx))
            names.append(Binder.outputName(it.expr, alias: it.alias))
        }
        plan = target.plan
        // A correlated subquery outputs its inner key expressions after the select list.
        for c in correlations {
            if let ac = aggContext {
                let k = ac.keyIndex[c.inner.structuralKey]!
                exprs.append(BoundExpr.column(k, type: c.inner.type, name: c.inner.name))
            } else {
                exprs.append(c.inner)
            }
            names.append("__key\(names.count)")
        }
        for e in exprs where e.referencesOuterColumns {
            throw Binder.error(
                "a correlated subquery may use outer columns only in WHERE equalities; found \(e.name)", core.position)
        }
        var having: BoundExpr? = nil
        if let h = core.having {
            var hctx = ExprContext(scope: scope, aggregate: aggContext, clause: "HAVING")
            hctx.aliases = aliases
            having = try bindBoolean(h, hctx)
        }
        // ORDER BY: output positions, output names, or expressions (hidden extra columns).
        var sortKeys: [SortKey] = []
        let visible = exprs.count
        if let all = orderByAll {
            sortKeys = (0..<visible).map {
                SortKey(column: $0, ascending: all.ascending, nullsFirst: all.nullsFirst ?? false)
            }
        }
        for item in orderBy {
            var idx: Int? = nil
            if case .literal(.integer(let k), let p) = item.expr {
                guard k >= 1 && Int(k) <= visible else {
                    throw Binder.error("ORDER term out of range - should be between 1 and \(visible)", p)
                }
                idx = Int(k) - 1
            } else if case .column(nil, let name, _) = item.expr,
                let i = names.firstIndex(where: { $0.lowercased() == name.lowercased() })
            {
                idx = i
            } else {
                var octx = aliasCtx
                octx.clause = "ORDER BY"
                let b = try bind(item.expr, octx)
                if let i = exprs.firstIndex(where: { $0.structuralKey == b.structuralKey }) {
                    idx = i
                } else {
                    exprs.append(b)
                    names.append(item.expr.sqlDescription)
                    idx = exprs.count - 1
                }
            }
            sortKeys.append(SortKey(column: idx!, ascending: item.ascending, nullsFirst: item.nullsFirst ?? false))
        }
        // Assemble: [pre-aggregate projection -> aggregate -> HAVING] -> projection -> DISTINCT -> sort -> drop hidden.
        if let ac = aggContext {
            var pre: [BoundExpr] = ac.keys
            var preNames: [String] = ac.keys.map(\.name)
            var specs: [AggregateSpec] = []
            for a in ac.aggregates {
                var input: Int? = nil
                var filter: Int? = nil
                if let arg = a.argument {
                    pre.append(arg)
                    preNames.append(arg.name)
                    input = pre.count - 1
                }
                if let f = a.filter {
                    pre.append(f)
                    preNames.append(f.name)
                    filter = pre.count - 1
                }
                var orderCols: [Int] = []
                for o in a.order {
                    pre.append(o)
                    preNames.append(o.name)
                    orderCols.append(pre.count - 1)
                }
                specs.append(
                    AggregateSpec(
                        function: a.function, inputColumn: input, distinct: a.call.distinct,
                        filterColumn: filter, name: a.name, orderColumns: orderCols))
            }
            plan = .project(plan, pre, names: preNames)
            plan = .aggregate(
                plan, groupColumns: Array(0..<ac.keys.count), groupNames: ac.keys.map(\.name), aggregates: specs)
            if let h = having { plan = .filter(plan, h) }
        }
        var qualify: BoundExpr? = nil
        if let q = core.qualify {
            var qctx = aliasCtx
            qctx.clause = "QUALIFY"
            qualify = try bindBoolean(q, qctx)
        }
        if !windows.calls.isEmpty {
            let (wplan, final) = placeWindows(plan, windows)
            plan = wplan
            exprs = exprs.map { $0.replacingWindowCalls(final) }
            qualify = qualify?.replacingWindowCalls(final)
        }
        if let q = qualify {
            if windows.calls.isEmpty { throw Binder.error("QUALIFY needs a window function", core.qualify!.position) }
            plan = .filter(plan, q)
        }
        plan = .project(plan, exprs, names: names)
        if core.distinct && exprs.count > visible {
            // SELECT DISTINCT with ORDER BY terms outside the select list: as DuckDB 2.0.1, group by the select
            // list and order by first(term) of each group (the answer is well defined when the term has one
            // value per distinct row, e.g. an expression of the selected columns).
            var specs: [AggregateSpec] = []
            for k in visible..<exprs.count {
                guard let first = AggregateRegistry.resolve("first", exprs[k].type) else {
                    throw Binder.error(
                        "for SELECT DISTINCT, ORDER BY expressions must appear in select list", core.position)
                }
                specs.append(AggregateSpec(function: first, inputColumn: k, name: names[k]))
            }
            plan = .aggregate(
                plan, groupColumns: Array(0..<visible), groupNames: Array(names.prefix(visible)), aggregates: specs)
        } else if core.distinct {
            plan = .distinct(plan)
        }
        if !sortKeys.isEmpty { plan = .sort(plan, sortKeys) }
        if exprs.count > visible {
            plan = .project(
                plan, (0..<visible).map { BoundExpr.column($0, type: exprs[$0].type, name: names[$0]) },
                names: Array(names.prefix(visible)))
        }
        let cols = (0..<visible).map { ScopeColumn(qualifier: nil, name: names[$0], type: exprs[$0].type) }
        return (plan, cols)
    }

    // MARK: - table references

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
        case .tableFunction: break
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
            case .scalarSubquery(let q, _), .exists(let q, _, _), .inSubquery(_, let q, _, _): subqueries.append(q)
            default: break
            }
        }
        for q in subqueries { countTableRefs(q, &refs) }
    }

    // MARK: - correlated subqueries

    /// The AND-ed parts of a predicate.
    static func astConjuncts(_ e: Expr) -> [Expr] {
        if case .binary(.and, let a, let b, _) = e { return astConjuncts(a) + astConjuncts(b) }
        return [e]
    }

    /// Binds a subquery that may reference `outerScope`; returns its plan, columns (the select
    /// list, then one key column per correlation) and the outer sides of the correlations.
    func bindCorrelated(_ q: Query, _ outerScope: [ScopeColumn]) throws -> (
        plan: LogicalPlan, columns: [ScopeColumn], outer: [BoundExpr]
    ) {
        let sub = Binder(catalog: catalog, runSubquery: runSubquery).withCTEs(ctes)
        sub.cteIds = cteIds
        sub.outer = outerScope
        let (plan, cols) = try sub.bindQuery(q)
        return (plan, cols, sub.correlations.map(\.outer))
    }

    /// `[NOT] EXISTS (correlated subquery)` as a semi (anti) join onto `target`; nil when the
    /// subquery is not correlated (then it is bound as a constant).
    func correlatedExists(
        _ q0: Query, _ negated: Bool, _ pos: SourcePosition, _ scope: [ScopeColumn],
        _ target: CorrelationTarget
    ) throws -> LogicalPlan? {
        // `EXISTS (SELECT 1 ... LIMIT 1)`: a LIMIT of at least 1 without OFFSET cannot change whether
        // a row exists, so it is dropped (bindQuery refuses LIMIT in a correlated subquery).
        var q = q0
        if q.offset == nil, let l = q.limit, case .literal(.integer(let n), _) = l, n >= 1 { q.limit = nil }
        let (plan, cols, outerExprs) = try bindCorrelated(q, scope)
        if outerExprs.isEmpty { return nil }
        let visible = cols.count - outerExprs.count
        var parts: [BoundExpr] = []
        for (i, o) in outerExprs.enumerated() {
            let inner = BoundExpr.column(
                target.width + visible + i, type: cols[visible + i].type, name: cols[visible + i].name)
            parts.append(try makeCompare(.equal, o, inner, pos, "(\(o.name) = \(inner.name))"))
        }
        let residual = parts.count == 1 ? parts[0] : BoundExpr(.and(parts), type: .boolean, name: "EXISTS")
        return .join(target.plan, plan, type: negated ? .anti : .semi, leftKeys: [], rightKeys: [], residual: residual)
    }

    // MARK: - windows

    /// Adds window operators above `plan` (extra input columns projected first; calls with the
    /// same PARTITION BY / ORDER BY share one operator). Returns the plan and the final column of
    /// each call.
    func placeWindows(_ plan0: LogicalPlan, _ wc: WindowContext) -> (LogicalPlan, [Int]) {
        var plan = plan0
        let schema = plan.schema
        let p = schema.count
        var extra: [BoundExpr] = []
        var extraIndex: [String: Int] = [:]
        func col(_ e: BoundExpr) -> Int {
            if let c = e.columnIndex { return c }
            if let i = extraIndex[e.structuralKey] { return p + i }
            extra.append(e)
            extraIndex[e.structuralKey] = extra.count - 1
            return p + extra.count - 1
        }
        var groups: [(key: String, partition: [Int], order: [SortKey], calls: [Int])] = []
        var functions: [WindowFunction] = []
        for (k, c) in wc.calls.enumerated() {
            let part = c.partition.map(col)
            let order = c.order.map {
                SortKey(column: col($0.expr), ascending: $0.ascending, nullsFirst: $0.nullsFirst)
            }
            let arg = c.argument.map(col)
            functions.append(
                WindowFunction(c.kind, argument: arg, offset: c.offset, defaultValue: c.defaultValue, frame: c.frame))
            let key = "\(part)|\(order.map(\.description))"
            if let g = groups.firstIndex(where: { $0.key == key }) {
                groups[g].calls.append(k)
            } else {
                groups.append((key, part, order, [k]))
            }
        }
        if !extra.isEmpty {
            let pass = schema.enumerated().map {
                BoundExpr.column($0.offset, type: $0.element.type, name: $0.element.name)
            }
            plan = .project(plan, pass + extra, names: schema.map(\.name) + extra.map(\.name))
        }
        var width = p + extra.count
        var final = [Int](repeating: 0, count: wc.calls.count)
        for g in groups {
            let fs = g.calls.map { functions[$0] }
            plan = .window(
                plan, partitionBy: g.partition, orderBy: g.order, functions: fs,
                names: g.calls.map { wc.calls[$0].name })
            for (j, k) in g.calls.enumerated() { final[k] = width + j }
            width += fs.count
        }
        return (plan, final)
    }

    // MARK: - names

    /// Index of the column `qualifier.name` in `scope`, nil when absent; throws when ambiguous.
    func resolve(_ qualifier: String?, _ name: String, _ scope: [ScopeColumn]) -> Int? {
        let n = name.lowercased()
        let q = qualifier?.lowercased()
        return scope.firstIndex {
            $0.name.lowercased() == n && (q == nil ? !$0.hidden : $0.qualifier?.lowercased() == q)
        }
    }

    func resolveColumn(_ qualifier: String?, _ name: String, _ pos: SourcePosition, _ scope: [ScopeColumn]) throws
        -> ColumnReference
    {
        let n = name.lowercased()
        let q = qualifier?.lowercased()
        let matches = scope.indices.filter {
            scope[$0].name.lowercased() == n && (q == nil ? !scope[$0].hidden : scope[$0].qualifier?.lowercased() == q)
        }
        if matches.count == 1 { return .input(matches[0]) }
        if matches.count > 1 {
            throw Binder.error("column reference \"\(name)\" is ambiguous; qualify it with a table name", pos)
        }
        if let outer, let i = resolve(qualifier, name, outer) { return .outer(depth: 1, index: i) }
        if let q, !scope.contains(where: { $0.qualifier?.lowercased() == q }) {
            let tables = Array(Set(scope.compactMap(\.qualifier))).sorted()
            throw Binder.error(
                "table \"\(qualifier!)\" not found in FROM clause; tables: \(tables.joined(separator: ", "))", pos)
        }
        let display = qualifier.map { "\($0).\(name)" } ?? name
        var msg = "column \"\(display)\" not found"
        if let s = closest(name, scope.map(\.name)) { msg += "; did you mean \"\(s)\"?" }
        msg += " (columns: " + scope.map(\.name).joined(separator: ", ") + ")"
        throw Binder.error(msg, pos)
    }

    /// The candidate with the smallest edit distance to `name` (case-insensitive), if close enough.
    func closest(_ name: String, _ candidates: [String]) -> String? {
        let a = Array(name.lowercased().utf8)
        var best: (String, Int)? = nil
        for c in candidates {
            let b = Array(c.lowercased().utf8)
            var prev = Array(0...b.count)
            for i in 1...max(a.count, 1) where a.count > 0 {
                var cur = [i] + [Int](repeating: 0, count: b.count)
                for j in stride(from: 1, through: b.count, by: 1) {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            var d = a.isEmpty ? b.count : prev[b.count]
            // A name typed with letters left out ("wach_time" for "watch_live_time") is close too:
            // every letter of it appears in order in the candidate, which is at most twice as long.
            if d > max(2, a.count / 2), a.count >= 4, 2 * a.count >= b.count, Self.isSubsequence(a, of: b) {
                d = max(2, a.count / 2)
            }
            if best == nil || d < best!.1 { best = (c, d) }
        }
        if let best, best.1 <= max(2, a.count / 2) { return best.0 }
        return nil
    }

    /// True when the bytes of `a` appear in `b` in order (not necessarily adjacent).
    static func isSubsequence(_ a: [UInt8], of b: [UInt8]) -> Bool {
        var i = 0
        for x in b where i < a.count && a[i] == x { i += 1 }
        return i == a.count
    }
}

/// Hands out CTE ids, shared by a binder and its sub-binders.
final class CTECounter {
    private var n = 0
    func next() -> Int {
        n += 1
        return n
    }
}
