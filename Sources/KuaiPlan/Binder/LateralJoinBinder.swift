import KuaiCore
import KuaiExec
import KuaiSQL

/// How the right side of a join was bound: `lateral` when it reads columns of the left side.
struct JoinRightSide {
    var plan: LogicalPlan
    var scope: [ScopeColumn]
    var lateral: Bool
}

extension Binder {
    /// The right side of a join. A subquery, or one of the table functions `unnest`, `range` and
    /// `generate_series` with arguments that name columns, may read the columns of the left side `ls`
    /// (DuckDB's LATERAL, which DuckDB applies with or without the keyword): its plan then holds
    /// `outerColumn(depth: 1, index:)` references into `ls`, and `lateral` is true. Inside a LATERAL subquery
    /// (`lateral`), the right side also sees the enclosing outer columns, after `ls` (the nearer name wins):
    /// its references to those are put back to the enclosing numbering (index - `ls.count`), so that the
    /// enclosing decorrelation handles them (`LateralDecorrelation.enclosingOuter`).
    /// - Throws: as `bindFrom`.
    func bindJoinRight(_ right: TableRef, left ls: [ScopeColumn]) throws -> JoinRightSide {
        var query: Query
        var alias: String?
        var names: [String]
        switch right {
        case .subquery(let q, let a, let n, _):
            (query, alias, names) = (q, a, n)
        case .tableFunction(let call):
            guard let q = lateralTableFunctionQuery(call) else { fallthrough }
            // a one-column table function's alias names its column too (DuckDB: `range(t.n) g` gives g)
            (query, alias, names) = (q, call.alias ?? call.name, call.columnNames)
            if names.isEmpty, let a = call.alias { names = [a] }
        default:
            let (plan, scope) = try bindFrom(right)
            return JoinRightSide(plan: plan, scope: scope, lateral: false)
        }
        let sub = subBinder()
        let enclosing = lateral ? (outer ?? []) : []
        sub.outer = ls + enclosing
        sub.lateral = true
        var (plan, cols) = try sub.bindQuery(query)
        var out = cols.map { ScopeColumn(qualifier: alias, name: $0.name, type: $0.type) }
        for (i, n) in names.enumerated() where i < out.count { out[i].name = n }
        let reads = Binder.outerColumnsRead(plan)
        if !reads.isEmpty, Binder.sharedPlanReadsOuter(plan) {
            throw Binder.error(
                "a LATERAL subquery with outer columns in a CTE used more than once is not supported", query.position)
        }
        if !reads.contains(where: { $0 < ls.count }) {
            if !reads.isEmpty { plan = LateralDecorrelation.enclosingOuter(plan, shift: ls.count) }
            return JoinRightSide(plan: plan, scope: out, lateral: false)
        }
        return JoinRightSide(plan: plan, scope: out, lateral: true)
    }

    /// The outer columns (depth 1) the expressions of `plan` read, shared plans included (ascending).
    static func outerColumnsRead(_ plan: LogicalPlan) -> [Int] {
        var refs = Set<Int>()
        func collect(_ p: LogicalPlan) {
            if case .shared(_, let inner) = p { collect(inner) }
            _ = p.mapExpressions { e in
                _ = e.transformed { x in
                    if case .outerColumn(1, let i) = x.kind { refs.insert(i) }
                    return x
                }
                return e
            }
            for c in p.children { collect(c) }
        }
        collect(plan)
        return refs.sorted()
    }

    /// `unnest(list)`, `range(...)` or `generate_series(...)` in FROM with an argument that names a column:
    /// the query `SELECT unnest(f(args)) AS f` (`SELECT unnest(list) AS unnest`), which gives the rows the
    /// table function gives (none for a NULL or empty list). nil for other calls.
    func lateralTableFunctionQuery(_ call: TableFunctionRef) -> Query? {
        guard let name = call.name, ["unnest", "range", "generate_series"].contains(name), call.namedArguments.isEmpty,
            call.arguments.contains(where: { Binder.namesColumn($0) })
        else { return nil }
        let pos = call.position
        var list = Expr.function(FunctionCall(name: name, arguments: call.arguments, position: pos))
        if name == "unnest" {
            guard call.arguments.count == 1 else { return nil }
            list = call.arguments[0]
        }
        let unnest = FunctionCall(name: "unnest", arguments: [list], position: pos)
        let core = SelectCore(items: [.expr(.function(unnest), alias: name)], from: nil, position: pos)
        return Query(body: .select(core), position: pos)
    }

    /// True when the expression names a column somewhere (not inside a subquery).
    static func namesColumn(_ e: Expr) -> Bool {
        var found = false
        Binder.walk(e) { x in
            if case .column = x { found = true }
        }
        return found
    }

    /// True when a shared plan (a CTE read more than once) inside `plan` reads an outer column.
    static func sharedPlanReadsOuter(_ plan: LogicalPlan) -> Bool {
        if case .shared(_, let inner) = plan, !outerColumnsRead(inner).isEmpty { return true }
        return plan.children.contains { sharedPlanReadsOuter($0) }
    }

    /// True when some expression of `plan` (or of a shared plan inside it) reads an outer column.
    static func readsOuterColumns(_ plan: LogicalPlan) -> Bool {
        var found = false
        func visit(_ p: LogicalPlan) {
            if found { return }
            if case .shared(_, let inner) = p { visit(inner) }
            _ = p.mapExpressions { e in
                if e.referencesOuterColumns { found = true }
                return e
            }
            for c in p.children { visit(c) }
        }
        visit(plan)
        return found
    }

    /// `left [INNER | CROSS | LEFT] JOIN LATERAL right [ON cond]`, where `right` reads columns of `left`, as
    /// DuckDB plans a dependent join: D, the distinct values of the left columns the right side reads, is
    /// joined into the right side's plan (`LateralDecorrelation`), which then gives, for every row of D,
    /// the right side's rows for it (D's columns first); the left side joins that on its columns being
    /// `IS NOT DISTINCT FROM` D's (a NULL is a value of its own), and an ON condition joins them too.
    /// Each row of the left side so meets exactly the rows the right side gives for it; LEFT keeps a row
    /// that meets none with NULLs.
    /// - Throws: `KuaiError.binding` for a RIGHT, FULL, SEMI, ANTI, ASOF, NATURAL or USING join (DuckDB: "The
    ///   combining JOIN type must be INNER or LEFT for a LATERAL reference"), a non-BOOLEAN ON condition,
    ///   and the shapes `LateralDecorrelation` cannot plan.
    func bindLateralJoin(
        _ kind: JoinKind, _ lp: LogicalPlan, _ ls: [ScopeColumn], _ right: JoinRightSide, _ condition: JoinCondition,
        at pos: SourcePosition
    ) throws -> (plan: LogicalPlan, scope: [ScopeColumn]) {
        let type = JoinType(kind)
        guard type == .inner || type == .cross || type == .left else {
            throw Binder.error("The combining JOIN type must be INNER or LEFT for a LATERAL reference", pos)
        }
        var on: BoundExpr? = nil
        switch condition {
        case .none: break
        case .on(let e):
            on = try bindBoolean(
                e, ExprContext(scope: ls + right.scope, aggregate: nil, clause: "JOIN ... ON"))
        default:
            throw Binder.error(
                "a LATERAL join takes an ON condition or none; USING, NATURAL and ASOF are not supported", pos)
        }
        // The left side is read twice (for D and for the join): once only when it is not deterministic.
        let left = Binder.isDeterministic(lp) ? lp : LogicalPlan.shared(id: cteIds.next(), lp)
        let nl = ls.count
        let refs = Binder.outerColumnsRead(right.plan).filter { $0 < nl }
        let dFields = refs.map { Field(ls[$0].name, ls[$0].type) }
        let d = LogicalPlan.distinct(
            .project(
                left, refs.map { BoundExpr.column($0, type: ls[$0].type, name: ls[$0].name) },
                names: dFields.map(\.name)))
        var slot: [Int: Int] = [:]
        for (k, i) in refs.enumerated() { slot[i] = k }
        let decorrelation = LateralDecorrelation(d: d, fields: dFields, slot: slot, position: pos, binder: self)
        var dependent = try decorrelation.plan(right.plan)
        if !Binder.outerColumnsRead(dependent).isEmpty {
            dependent = LateralDecorrelation.enclosingOuter(dependent, shift: nl)
        }
        let k = refs.count
        var parts: [BoundExpr] = refs.enumerated().map { j, i in
            BoundExpr(
                .isDistinctFrom(
                    BoundExpr.column(i, type: ls[i].type, name: ls[i].name),
                    BoundExpr.column(nl + j, type: dFields[j].type, name: dFields[j].name), negated: true),
                type: .boolean, name: "lateral")
        }
        if let on { parts.append(contentsOf: on.remapColumns { $0 < nl ? $0 : $0 + k }.conjuncts) }
        let join = LogicalPlan.join(
            left, dependent, type: type == .left ? .left : .inner, leftKeys: [], rightKeys: [],
            residual: BoundExpr.and(parts))
        let schema = join.schema
        let kept = Array(0..<nl) + Array((nl + k)..<schema.count)
        let exprs = kept.map { BoundExpr.column($0, type: schema[$0].type, name: schema[$0].name) }
        return (.project(join, exprs, names: exprs.map(\.name)), ls + right.scope)
    }

    /// False when some expression of `plan` calls a function whose result may differ between calls
    /// (random(), uuid()).
    static func isDeterministic(_ plan: LogicalPlan) -> Bool {
        var volatile = false
        _ = plan.mapAllExpressions { e in
            if e.contains(where: { x in
                if case .function(let f, _) = x.kind { return !f.deterministic }
                return false
            }) {
                volatile = true
            }
            return e
        }
        return !volatile
    }
}

/// The dependent join of a LATERAL subquery's plan with D, the distinct values of the outer columns it
/// reads (Neumann and Kemper's unnesting, as DuckDB's `FlattenDependentJoins`): `plan(p)` gives, for every
/// row of D, the rows `p` gives when its outer columns hold that row's values, with D's columns first.
/// The rewrite goes down the plan: a part that reads no outer column is crossed with D; a filter or
/// projection reads D's columns where it read outer ones; an aggregate, window, DISTINCT and set
/// operation also group by D; LIMIT / OFFSET become a row_number() per D row; a join of two parts that
/// both need D joins them on D as well.
struct LateralDecorrelation {
    /// D: one row per distinct combination of the outer columns read.
    let d: LogicalPlan
    /// D's columns.
    let fields: [Field]
    /// Outer column index (into the left side's scope) -> D column.
    let slot: [Int: Int]
    let position: SourcePosition
    let binder: Binder

    var k: Int { fields.count }

    /// D's columns as expressions at the start of an input.
    var dColumns: [BoundExpr] {
        fields.enumerated().map { BoundExpr.column($0.offset, type: $0.element.type, name: $0.element.name) }
    }

    /// `e` over an input that now has D's columns first: input column i -> i + k, outer column -> D's.
    func lift(_ e: BoundExpr, shift: Int? = nil) -> BoundExpr {
        let by = shift ?? k
        return e.transformed { x in
            switch x.kind {
            case .column(let i): return BoundExpr.column(i + by, type: x.type, name: x.name)
            case .outerColumn(1, let i):
                guard let j = slot[i] else { return x }  // an enclosing query's column: `enclosingOuter`
                return BoundExpr.column(j, type: x.type, name: x.name)
            default: return x
            }
        }
    }

    func unsupported(_ what: String) -> KuaiError {
        Binder.error("a LATERAL subquery with outer columns in \(what) is not supported", position)
    }

    /// The rows of `p` for every row of D, D's columns first (see the type's doc).
    /// - Throws: `KuaiError.binding` for outer columns in an ASOF join, a shared CTE or a scan's filter.
    func plan(_ p: LogicalPlan) throws -> LogicalPlan {
        if !dependsOnD(p) {
            return .join(d, p, type: .cross, leftKeys: [], rightKeys: [], residual: nil)
        }
        switch p {
        case .filter(let c, let pred):
            return .filter(try plan(c), lift(pred))
        case .project(let c, let exprs, let names):
            return .project(try plan(c), dColumns + exprs.map { lift($0) }, names: fields.map(\.name) + names)
        case .aggregate(let c, let groups, let names, let aggs):
            return try aggregate(c, groups, names, aggs)
        case .sort(let c, let keys):
            return .sort(try plan(c), keys.map { shifted($0) })
        case .limit(let c, let limit, let offset):
            return try limited(c, limit: limit, offset: offset)
        case .distinct(let c):
            return .distinct(try plan(c))
        case .window(let c, let partition, let order, let fns, let names):
            return .window(
                try plan(c), partitionBy: Array(0..<k) + partition.map { $0 + k }, orderBy: order.map { shifted($0) },
                functions: fns.map { $0.remapped { $0 + k } }, names: names)
        case .union(let cs):
            return .union(try cs.map { try plan($0) })
        case .setOp(let kind, let all, let l, let r):
            return .setOp(kind, all: all, try plan(l), try plan(r))
        case .unnest(let c, let columns):
            return .unnest(try plan(c), columns: columns.map { $0 + k })
        case .join(let l, let r, let type, let lk, let rk, let residual):
            guard lk.isEmpty, rk.isEmpty else { throw unsupported("a keyed join") }
            return try join(l, r, type, residual)
        case .scan: throw unsupported("a table scan's filter")
        case .shared: throw unsupported("a CTE used more than once")
        case .asofJoin: throw unsupported("an ASOF join")
        // (a sample of rows that depend on the outer row would be drawn per outer row)
        case .sample: throw unsupported("a sampled FROM item")
        case .values: return .join(d, p, type: .cross, leftKeys: [], rightKeys: [], residual: nil)
        }
    }

    /// True when `p` reads one of D's outer columns.
    func dependsOnD(_ p: LogicalPlan) -> Bool {
        Binder.outerColumnsRead(p).contains { slot[$0] != nil }
    }

    /// `plan` with its outer column references `outerColumn(1, i)` (all of the enclosing LATERAL subquery's
    /// outer scope, which follows the `shift` columns of the nearer left side) renumbered `i - shift`.
    static func enclosingOuter(_ plan: LogicalPlan, shift: Int) -> LogicalPlan {
        plan.mapAllExpressions { e in
            e.transformed { x in
                if case .outerColumn(1, let i) = x.kind {
                    return BoundExpr(.outerColumn(depth: 1, index: i - shift), type: x.type, name: x.name)
                }
                return x
            }
        }
    }

    func shifted(_ key: SortKey) -> SortKey {
        SortKey(column: key.column + k, ascending: key.ascending, nullsFirst: key.nullsFirst)
    }

    /// An aggregate grouped by D too. Without GROUP BY, the aggregate gives one row for every row of D
    /// even when no input row belongs to it: D LEFT JOIN the grouped rows, and a D row that met none
    /// takes each aggregate's value over no rows (count() 0, sum() NULL, as the function gives it: an
    /// uncorrelated subquery aggregating an empty input, computed once).
    func aggregate(_ c: LogicalPlan, _ groups: [Int], _ names: [String], _ aggs: [AggregateSpec]) throws
        -> LogicalPlan
    {
        let input = try plan(c)
        let moved = aggs.map { a -> AggregateSpec in
            var b = a
            b.inputColumn = a.inputColumn.map { $0 + k }
            b.filterColumn = a.filterColumn.map { $0 + k }
            b.orderColumns = a.orderColumns.map { $0 + k }
            return b
        }
        let dNames = fields.map(\.name)
        if !groups.isEmpty {
            return .aggregate(
                input, groupColumns: Array(0..<k) + groups.map { $0 + k }, groupNames: dNames + names, aggregates: moved
            )
        }
        let marker = AggregateSpec(function: AggregateRegistry.countStar, inputColumn: nil, name: "__lateral_rows")
        let grouped = LogicalPlan.aggregate(
            input, groupColumns: Array(0..<k), groupNames: dNames, aggregates: moved + [marker])
        // D ++ (D ++ aggregates ++ marker)
        let on = (0..<k).map { i in
            BoundExpr(
                .isDistinctFrom(
                    BoundExpr.column(i, type: fields[i].type, name: fields[i].name),
                    BoundExpr.column(k + i, type: fields[i].type, name: fields[i].name), negated: true),
                type: .boolean, name: "lateral")
        }
        let joined = LogicalPlan.join(d, grouped, type: .left, leftKeys: [], rightKeys: [], residual: BoundExpr.and(on))
        let empty = LogicalPlan.values(schema: c.schema, batches: [], label: "Empty")
        let rows = BoundExpr.column(2 * k + aggs.count, type: .bigint, name: "__lateral_rows")
        let none = BoundExpr(.isNull(rows, negated: false), type: .boolean, name: "__lateral_none")
        var exprs = dColumns
        for (j, a) in aggs.enumerated() {
            let t = a.function.returnType
            let value = BoundExpr.column(2 * k + j, type: t, name: a.name)
            let overNothing = LogicalPlan.aggregate(empty, groupColumns: [], groupNames: [], aggregates: [a])
            let sub = SubqueryPlan(
                id: binder.cteIds.next(), use: .scalar, plan: overNothing, position: position.description)
            let fallback = BoundExpr(.subquery(sub), type: t, name: a.name)
            exprs.append(BoundExpr(.caseWhen([(none, fallback)], elseExpr: value), type: t, name: a.name))
        }
        return .project(joined, exprs, names: dNames + aggs.map(\.name))
    }

    /// LIMIT / OFFSET per row of D: `row_number()` over D's partitions in the order of the sort right
    /// below (if any), keeping rows `offset + 1 ... offset + limit`; a projection right above that sort
    /// (which drops hidden ORDER BY columns) is kept above.
    func limited(_ c: LogicalPlan, limit: Int?, offset: Int) throws -> LogicalPlan {
        let (input, keys, output) = Binder.trailingSort(c)
        let lifted = try plan(input)
        let kept = Binder.rowsPerPartition(
            lifted, partitionBy: Array(0..<k), orderBy: keys.map { shifted($0) }, offset: offset, limit: limit,
            rowName: "__lateral_row")
        if let output {
            return .project(kept, dColumns + output.exprs.map { lift($0) }, names: fields.map(\.name) + output.names)
        }
        let schema = lifted.schema
        return .project(kept, BoundExpr.columns(of: schema), names: schema.map(\.name))
    }

    /// A join inside the subquery. Only the left input reads outer columns (and the join keeps left rows):
    /// D goes into the left input alone. Otherwise both inputs get D and are joined on it as well; after a
    /// RIGHT or FULL join D's columns are the coalesce of both sides'.
    func join(_ l: LogicalPlan, _ r: LogicalPlan, _ type: JoinType, _ residual: BoundExpr?) throws -> LogicalPlan {
        let nl = l.schema.count
        if !dependsOnD(r), [.inner, .cross, .left, .semi, .anti].contains(type) {
            return .join(try plan(l), r, type: type, leftKeys: [], rightKeys: [], residual: residual.map { lift($0) })
        }
        let lp = try plan(l)
        let rp = try plan(r)
        var parts: [BoundExpr] = (0..<k).map { i in
            BoundExpr(
                .isDistinctFrom(
                    BoundExpr.column(i, type: fields[i].type, name: fields[i].name),
                    BoundExpr.column(k + nl + i, type: fields[i].type, name: fields[i].name), negated: true),
                type: .boolean, name: "lateral")
        }
        if let residual {
            parts.append(contentsOf: lift(residual.remapColumns { $0 < nl ? $0 : $0 + k }).conjuncts)
        }
        let joinType: JoinType = type == .cross ? .inner : type
        let joined = LogicalPlan.join(
            lp, rp, type: joinType, leftKeys: [], rightKeys: [], residual: BoundExpr.and(parts))
        if type == .semi || type == .anti { return joined }
        let schema = joined.schema
        var exprs: [BoundExpr] = []
        for i in 0..<k {
            let a = BoundExpr.column(i, type: fields[i].type, name: fields[i].name)
            if type == .right || type == .full {
                let b = BoundExpr.column(k + nl + i, type: fields[i].type, name: fields[i].name)
                guard let co = FunctionRegistry.generic("coalesce", fields[i].type, arity: 2) else {
                    throw unsupported("a RIGHT or FULL join")
                }
                exprs.append(BoundExpr(.function(co, [a, b]), type: fields[i].type, name: fields[i].name))
            } else {
                exprs.append(a)
            }
        }
        let rest = Array(k..<(k + nl)) + Array((2 * k + nl)..<schema.count)
        exprs += rest.map { BoundExpr.column($0, type: schema[$0].type, name: schema[$0].name) }
        return .project(joined, exprs, names: exprs.map(\.name))
    }
}
