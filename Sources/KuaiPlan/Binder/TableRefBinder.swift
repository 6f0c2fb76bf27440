import KuaiCore
import KuaiExec
import KuaiFormat
import KuaiSQL

extension Binder {
    /// FROM: a table, CTE or view by name, a table function, a subquery, or a join of two of these; no FROM
    /// is one row of no columns.
    /// - Returns: the plan and the columns it makes visible, qualified by the alias or table name.
    /// - Throws: `KuaiError.binding` for unknown names and bad join conditions.
    func bindFrom(_ ref: TableRef?) throws -> (plan: LogicalPlan, scope: [ScopeColumn]) {
        guard let ref else {
            return (.values(schema: [], batches: [Batch(columns: [], count: 1)], label: "OneRow"), [])
        }
        switch ref {
        case .table(let name, let alias, let pos):
            return try bindNamedTable(name, qualifier: alias ?? name, at: pos, rowId: true)
        case .tableFunction(let call):
            return try bindTableFunction(call)
        case .subquery(let query, let alias, let names, _):
            // A FROM subquery cannot see the columns of an enclosing query, except those of the FROM items
            // before a LATERAL subquery it is part of (`bindJoinRight`).
            let savedOuter = outer
            if !lateral { outer = nil }
            defer { outer = savedOuter }
            let (plan, cols) = try bindQuery(query)
            var out = cols.map { ScopeColumn(qualifier: alias, name: $0.name, type: $0.type) }
            for (i, n) in names.enumerated() where i < out.count { out[i].name = n }
            return (plan, out)
        case .join(let kind, let left, let right, let condition, let pos):
            return try bindJoin(kind, left, right, condition, at: pos)
        case .sample(let inner, let clause):
            // the rows of the item, sampled; its columns and qualifiers unchanged
            let (plan, scope) = try bindFrom(inner)
            return (.sample(plan, SampleSpec(clause)), scope)
        }
    }

    /// A name in FROM: the innermost CTE of that name, else a view, else a table of the catalog.
    /// `rowId`: a base table of the catalog (a store or in-memory table) without a column named `rowid`
    /// gets DuckDB's `rowid` pseudo-column as a last, `virtual` scope column (`RowIdTable`); CTEs, views,
    /// subqueries, table functions and files have none.
    /// - Throws: `KuaiError.binding` naming the closest table when there is none of that name.
    func bindNamedTable(_ name: String, qualifier q: String, at pos: SourcePosition, rowId: Bool = false) throws -> (
        plan: LogicalPlan, scope: [ScopeColumn]
    ) {
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
        var scope = table.schema.map { ScopeColumn(qualifier: q, name: $0.name, type: $0.type) }
        let key = RowIdTable.columnName
        if rowId, namesRowId ?? true, table is MemoryTable || table is StoreTable,
            !scope.contains(where: { $0.name.lowercased() == key })
        {
            let wrapped = RowIdTable(table)
            var column = ScopeColumn(qualifier: q, name: key, type: .bigint)
            column.virtual = true
            scope.append(column)
            return (.scan(table: wrapped, columns: Array(0..<wrapped.schema.count), conjuncts: []), scope)
        }
        return (.scan(table: table, columns: Array(0..<table.schema.count), conjuncts: []), scope)
    }

    /// `left [kind] JOIN right [ON cond | USING (cols)]`: a join whose ON condition (or USING equalities) is
    /// its residual; the optimizer turns equalities into hash keys. An INNER JOIN without condition is a
    /// CROSS JOIN. SEMI and ANTI joins output the left columns only.
    /// - Throws: `KuaiError.binding` for an outer join without condition, a non-BOOLEAN ON condition, or a
    ///   USING column missing on one side.
    func bindJoin(
        _ kind: JoinKind, _ left: TableRef, _ right: TableRef, _ condition0: JoinCondition, at pos: SourcePosition
    ) throws -> (plan: LogicalPlan, scope: [ScopeColumn]) {
        var (lp, ls) = try bindFrom(left)
        let rightSide = try bindJoinRight(right, left: ls)
        if rightSide.lateral { return try bindLateralJoin(kind, lp, ls, rightSide, condition0, at: pos) }
        var (rp, rs) = (rightSide.plan, rightSide.scope)
        let type = JoinType(kind)
        var residual: BoundExpr? = nil
        var condition = condition0
        if case .natural = condition { condition = .using(try naturalColumns(ls, rs, at: pos)) }
        switch condition {
        case .natural: break
        case .asof(let inner): return try bindAsofJoin(type, lp, ls, rp, rs, inner, at: pos)
        case .none:
            if type != .cross && type != .inner {
                throw Binder.error("\(kind.sqlName) JOIN needs an ON or USING condition", pos)
            }
        case .on(let e):
            residual = try bindBoolean(e, ExprContext(scope: ls + rs, aggregate: nil, clause: "JOIN ... ON"))
                .factoringSharedConjuncts
        case .using(let cols):
            var parts: [BoundExpr] = []
            var pairs: [(left: Int, right: Int)] = []
            var setTypes: [DataType?] = []
            for c in cols {
                // Unqualified names skip hidden columns: after `a JOIN b USING (x)`, x is a's.
                guard let li = resolve(nil, c, ls), let ri = resolve(nil, c, rs) else {
                    throw Binder.error("column \"\(c)\" in USING must exist on both sides of the join", pos)
                }
                let a = BoundExpr.column(li, type: ls[li].type, name: ls[li].name)
                let b = BoundExpr.column(ls.count + ri, type: rs[ri].type, name: rs[ri].name)
                parts.append(try makeCompare(.equal, a, b, pos, "(\(c) = \(c))"))
                rs[ri].hidden = true
                pairs.append((li, ls.count + ri))
                setTypes.append(commonType(ls[li].usingSetType ?? ls[li].type, rs[ri].usingSetType ?? rs[ri].type))
            }
            residual = parts.count == 1 ? parts[0] : BoundExpr(.and(parts), type: .boolean, name: "USING")
            let coalescedLeft = pairs.contains { ls[$0.left].usingCoalesced }
            if type == .right || type == .full || (coalescedLeft && (type == .inner || type == .left)) {
                let join = LogicalPlan.join(lp, rp, type: type, leftKeys: [], rightKeys: [], residual: residual)
                return try mergeUsingColumns(join, ls + rs, pairs, setTypes: setTypes, type: type, at: pos)
            }
            if type == .inner || type == .left {
                for (k, p) in pairs.enumerated() { ls[p.left].usingSetType = setTypes[k] }
            }
        }
        let scope = (type == .semi || type == .anti) ? ls : ls + rs
        let planned: JoinType = type == .inner && residual == nil ? .cross : type
        return (.join(lp, rp, type: planned, leftKeys: [], rightKeys: [], residual: residual), scope)
    }

    /// `left ASOF [LEFT] JOIN right ON eq AND ... AND ineq` (or `USING (k, ..., t)`: equal keys, then
    /// `left.t >= right.t`), as DuckDB's: each conjunct compares an expression of one side with one of
    /// the other; the equalities are keys, the one inequality (`>=`, `>`, `<=`, `<`) picks the nearest
    /// right row. Planned as an `asofJoin` over projections that append the keys and the order value to
    /// each input (in their common types), under a projection that drops them again.
    /// - Throws: `KuaiError.binding` for another kind of conjunct, no inequality ("Missing ASOF JOIN
    ///   inequality") or several ("Multiple ASOF JOIN inequalities").
    func bindAsofJoin(
        _ type: JoinType, _ lp: LogicalPlan, _ ls: [ScopeColumn], _ rp: LogicalPlan, _ rs0: [ScopeColumn],
        _ condition: JoinCondition, at pos: SourcePosition
    ) throws -> (plan: LogicalPlan, scope: [ScopeColumn]) {
        var rs = rs0
        var conjuncts: [BoundExpr] = []
        switch condition {
        case .on(let e):
            let c = try bindBoolean(e, ExprContext(scope: ls + rs, aggregate: nil, clause: "JOIN ... ON"))
            if case .and(let parts) = c.kind { conjuncts = parts } else { conjuncts = [c] }
        case .using(let cols):
            for (i, c) in cols.enumerated() {
                guard let li = resolve(nil, c, ls), let ri = resolve(nil, c, rs) else {
                    throw Binder.error("column \"\(c)\" in USING must exist on both sides of the join", pos)
                }
                let a = BoundExpr.column(li, type: ls[li].type, name: ls[li].name)
                let b = BoundExpr.column(ls.count + ri, type: rs[ri].type, name: rs[ri].name)
                let op: CompareOp = i == cols.count - 1 ? .greaterEqual : .equal
                conjuncts.append(try makeCompare(op, a, b, pos, "(\(c) \(op.rawValue) \(c))"))
                rs[ri].hidden = true
            }
        default: throw Binder.error("ASOF JOIN needs an ON or USING condition", pos)
        }
        let (lkeys, rkeys, order) = try asofConditions(conjuncts, leftWidth: ls.count, at: pos)
        let lexprs = BoundExpr.columns(of: lp.schema) + lkeys + [order.left]
        let rexprs = BoundExpr.columns(of: rp.schema) + rkeys + [order.right]
        let join = LogicalPlan.asofJoin(
            .project(lp, lexprs, names: lexprs.map(\.name)), .project(rp, rexprs, names: rexprs.map(\.name)),
            keys: lkeys.count, op: order.op, keepUnmatched: type == .left)
        let top =
            ls.indices.map { BoundExpr.column($0, type: ls[$0].type, name: ls[$0].name) }
            + rs.indices.map { BoundExpr.column(lexprs.count + $0, type: rs[$0].type, name: rs[$0].name) }
        return (.project(join, top, names: top.map(\.name)), ls + rs)
    }

    /// The equality keys (left and right, the right over the right input's own columns) and the one
    /// inequality of an ASOF join's conjuncts, each written left side first.
    func asofConditions(_ conjuncts: [BoundExpr], leftWidth lw: Int, at pos: SourcePosition) throws -> (
        [BoundExpr], [BoundExpr], (left: BoundExpr, right: BoundExpr, op: CompareOp)
    ) {
        var lkeys: [BoundExpr] = []
        var rkeys: [BoundExpr] = []
        var order: (left: BoundExpr, right: BoundExpr, op: CompareOp)? = nil
        for c in conjuncts {
            guard case .compare(let op, let a, let b) = c.kind, op != .notEqual else {
                throw Binder.error("Missing ASOF JOIN inequality", pos)
            }
            let (ar, br) = (a.referencedColumns, b.referencedColumns)
            let leftOnly = { (s: [Int]) in !s.isEmpty && s.allSatisfy { $0 < lw } }
            let rightOnly = { (s: [Int]) in !s.isEmpty && s.allSatisfy { $0 >= lw } }
            var (x, y, o) = (a, b, op)
            if rightOnly(ar) && leftOnly(br) {
                (x, y, o) = (b, a, op.flipped)
            } else if !(leftOnly(ar) && rightOnly(br)) {
                throw Binder.error(
                    "an ASOF JOIN condition must compare an expression of each side: \(c.name) is not supported", pos)
            }
            if x.type != y.type {
                // keys of different types (INTEGER = BIGINT, DECIMAL = DOUBLE) compare in their common type
                guard let t = commonType(x.type, y.type) else {
                    throw Binder.error(
                        "an ASOF JOIN condition must compare an expression of each side: \(c.name) is not supported",
                        pos)
                }
                (x, y) = (try coerce(x, to: t, pos), try coerce(y, to: t, pos))
            }
            let yr = y.remapColumns { $0 - lw }
            if o == .equal {
                lkeys.append(x)
                rkeys.append(yr)
            } else {
                guard order == nil else { throw Binder.error("Multiple ASOF JOIN inequalities", pos) }
                order = (x, yr, o)
            }
        }
        guard let order else { throw Binder.error("Missing ASOF JOIN inequality", pos) }
        return (lkeys, rkeys, order)
    }

    /// The columns of a NATURAL join, as DuckDB's: the visible left columns (in their order) that a visible
    /// right column names alike (letter case ignored).
    /// - Throws: DuckDB's `No columns found to join on in NATURAL JOIN` when there are none.
    func naturalColumns(_ ls: [ScopeColumn], _ rs: [ScopeColumn], at pos: SourcePosition) throws -> [String] {
        var names: [String] = []
        for c in ls where !c.hidden && !c.virtual {
            let key = c.name.lowercased()
            guard rs.contains(where: { !$0.hidden && !$0.virtual && $0.name.lowercased() == key }),
                !names.contains(where: { $0.lowercased() == key })
            else { continue }
            names.append(c.name)
        }
        guard !names.isEmpty else {
            throw Binder.error(
                "No columns found to join on in NATURAL JOIN; use CROSS JOIN if you intended for this to be a cross-product",
                pos)
        }
        return names
    }

    /// The USING columns of a RIGHT or FULL join, as DuckDB binds them: an unqualified `k` (and `*`) is the
    /// right side's `k` after a RIGHT JOIN, and the coalesce of the left and right `k` after a FULL JOIN (so
    /// the keys of unmatched right rows are not lost), typed as the common type of every column USING joins
    /// equated with them (DuckDB's using column set: `a LEFT JOIN z USING (k) FULL JOIN b USING (k)` is in
    /// the type of a.k, z.k and b.k). INNER and LEFT joins keep the left column, except that a left column
    /// which is such a coalesce takes the right column in too (its type widening to the set's). The merged
    /// column comes just before the left column, which stays in place, hidden, for `a.k` and `a.*`.
    /// - Parameters:
    ///   - join: the join, whose output is `scope` (left columns, then right columns).
    ///   - pairs: per USING column, its index on the left and on the right (into `scope`).
    ///   - setTypes: per USING column, the common type of its using set (nil: none).
    /// - Throws: `KuaiError.binding` when a FULL join's key columns have no common type.
    func mergeUsingColumns(
        _ join: LogicalPlan, _ scope: [ScopeColumn], _ pairs: [(left: Int, right: Int)], setTypes: [DataType?],
        type: JoinType, at pos: SourcePosition
    ) throws -> (plan: LogicalPlan, scope: [ScopeColumn]) {
        var exprs: [BoundExpr] = []
        var out: [ScopeColumn] = []
        for (i, c) in scope.enumerated() {
            let column = BoundExpr.column(i, type: c.type, name: c.name)
            if let k = pairs.firstIndex(where: { $0.left == i }) {
                let r = pairs[k].right
                var merged = type == .right ? BoundExpr.column(r, type: scope[r].type, name: c.name) : column
                let coalesced = type == .full || (type != .right && c.usingCoalesced)
                if coalesced {
                    let right = BoundExpr.column(r, type: scope[r].type, name: c.name)
                    guard let t = setTypes[k] ?? commonType(c.type, right.type),
                        let co = FunctionRegistry.generic("coalesce", t, arity: 2)
                    else {
                        throw Binder.error(
                            "USING column \"\(c.name)\" has types \(c.type) and \(right.type) without a common type",
                            pos)
                    }
                    let args = [try coerce(column, to: t, pos), try coerce(right, to: t, pos)]
                    merged = BoundExpr(.function(co, args), type: t, name: c.name)
                }
                exprs.append(merged)
                var visible = ScopeColumn(qualifier: nil, name: c.name, type: merged.type)
                visible.usingSetType = setTypes[k]
                visible.usingCoalesced = coalesced
                out.append(visible)
                var raw = c
                raw.hidden = true
                raw.usingSetType = nil
                raw.usingCoalesced = false
                out.append(raw)
            } else {
                out.append(c)
            }
            exprs.append(column)
        }
        return (.project(join, exprs, names: out.map(\.name)), out)
    }
}

extension JoinType {
    /// The join type of a FROM clause's join.
    /// Both enums name the same seven kinds by the same raw values.
    init(_ kind: JoinKind) {
        guard let type = JoinType(rawValue: kind.rawValue) else {
            preconditionFailure("no join type for \(kind)")
        }
        self = type
    }
}

extension SampleSpec {
    /// The executor's sample for a parsed `USING SAMPLE` / `TABLESAMPLE` clause (a random seed
    /// when the query gives none).
    init(_ clause: SampleClause) {
        let method: SampleSpec.Method
        switch clause.method {
        case .bernoulli: method = .bernoulli
        case .system: method = .system
        case .reservoir: method = .reservoir
        }
        self.init(method: method, size: clause.size, isPercentage: clause.isPercentage, seed: clause.seed)
    }
}
