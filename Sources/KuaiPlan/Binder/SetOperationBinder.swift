import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// A query body without its ORDER BY: a SELECT, a parenthesised query, a set operation or VALUES.
    /// - Returns: the plan and its output columns.
    func bindBody(_ body: QueryBody) throws -> (plan: LogicalPlan, columns: [ScopeColumn]) {
        switch body {
        case .select(let core): return try bindSelect(core, orderBy: [], orderByAll: nil)
        case .nested(let q): return try bindQuery(q)
        case .setOperation(let op, let all, let left, let right, let pos):
            return try bindSetOperation(op, all: all, left, right, at: pos)
        case .values(let rows, let pos):
            return try bindValues(rows, at: pos)
        }
    }

    /// `left UNION [ALL] | EXCEPT [ALL] | INTERSECT [ALL] right`: both inputs cast to the common type of
    /// each column (VARCHAR when one side is VARCHAR and no other common type exists, INTEGER for NULL
    /// columns); the names are the left input's. UNION (not ALL) is UNION ALL then DISTINCT; nested UNION
    /// ALLs flatten into one.
    /// - Throws: `KuaiError.binding` for inputs of different widths or column types that do not unify.
    func bindSetOperation(
        _ op: SetOperator, all: Bool, _ left: QueryBody, _ right: QueryBody, at pos: SourcePosition
    ) throws -> (plan: LogicalPlan, columns: [ScopeColumn]) {
        if op == .union && all { return try bindUnionAll(left, right, at: pos) }
        if op == .unionByName { return try bindUnionByName(all: all, left, right, at: pos) }
        let (lp0, lc) = try bindBody(left)
        let (rp0, rc) = try bindBody(right)
        let types = try unifiedTypes(lc.map(\.type), rc, pos)
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
        case .unionByName: preconditionFailure("bound by bindUnionByName")
        case .except: return (.setOp(.except, all: all, lp, rp), cols)
        case .intersect: return (.setOp(.intersect, all: all, lp, rp), cols)
        }
    }

    /// The column types of `left UNION right` from the left input's types `left`: per column the common
    /// type (VARCHAR when one side is VARCHAR and no other common type exists; NULL for columns that are
    /// the NULL literal on both sides, as DuckDB 2.0.1 types them).
    /// - Throws: `KuaiError.binding` at `pos` for inputs of different widths or types that do not unify.
    func unifiedTypes(_ left: [DataType], _ right: [ScopeColumn], _ pos: SourcePosition) throws -> [DataType] {
        guard left.count == right.count else {
            throw Binder.error(
                "set operation inputs have \(left.count) and \(right.count) columns; they must have the same number",
                pos)
        }
        var types: [DataType] = []
        for i in 0..<left.count {
            let a = left[i]
            let b = right[i].type
            if let t = commonType(a, b, combining: true) ?? Binder.booleanBesideNumber(a, b) {
                types.append(t)  // NULL beside NULL stays DuckDB's NULL type (typeof '"NULL"')
            } else if a == .varchar || b == .varchar {
                types.append(.varchar)
            } else {
                throw Binder.error("set operation column \(i + 1) has types \(a) and \(b) that do not unify", pos)
            }
        }
        return types
    }

    /// A tree of `UNION ALL`s (the parser balances a run of them) as one n-ary union: the operands in order,
    /// their types unified left to right as the left-deep `((a UNION ALL b) UNION ALL c)` would, each operand
    /// cast once to the final types. Collected with an explicit stack, bound one after another.
    /// - Throws: `KuaiError.binding` at the `UNION` before the first operand that does not fit.
    func bindUnionAll(_ left: QueryBody, _ right: QueryBody, at pos: SourcePosition) throws
        -> (plan: LogicalPlan, columns: [ScopeColumn])
    {
        var operands: [(body: QueryBody, position: SourcePosition)] = []
        var pending: [(body: QueryBody, position: SourcePosition)] = [(right, pos), (left, pos)]
        while let (body, p) = pending.popLast() {
            if case .setOperation(.union, true, let l, let r, let at) = body {
                pending.append((r, at))
                pending.append((l, p))
            } else {
                operands.append((body, p))
            }
        }
        var bound: [(plan: LogicalPlan, columns: [ScopeColumn])] = []
        var types: [DataType] = []
        for (i, operand) in operands.enumerated() {
            let b = try bindBody(operand.body)
            types = i == 0 ? b.columns.map(\.type) : try unifiedTypes(types, b.columns, operand.position)
            bound.append(b)
        }
        var kids: [LogicalPlan] = []
        for (b, operand) in zip(bound, operands) {
            let p = try castColumns(b.plan, b.columns, types, operand.position)
            if case .union(let inner) = p { kids += inner } else { kids.append(p) }
        }
        let cols = zip(bound[0].columns, types).map { ScopeColumn(qualifier: nil, name: $0.name, type: $1) }
        return (.union(kids), cols)
    }

    /// `left UNION [ALL] BY NAME right`, as DuckDB: columns are matched by name (case-insensitively);
    /// the result has the left input's columns, then the right input's others, each input giving NULL
    /// for the columns it lacks; a column both have takes their common type (as `unifiedTypes`).
    /// - Throws: `KuaiError.binding` for a name twice in one input (DuckDB's message) or types that do
    ///   not unify.
    func bindUnionByName(all: Bool, _ left: QueryBody, _ right: QueryBody, at pos: SourcePosition) throws
        -> (plan: LogicalPlan, columns: [ScopeColumn])
    {
        let l = try bindBody(left)
        let r = try bindBody(right)
        for side in [l.columns, r.columns] {
            var seen: Set<String> = []
            for c in side where !seen.insert(c.name.lowercased()).inserted {
                throw Binder.error(
                    "UNION (ALL) BY NAME operation doesn't support duplicate names in the SELECT list - the name \"\(c.name)\" occurs multiple times",
                    pos)
            }
        }
        func index(_ cols: [ScopeColumn], _ name: String) -> Int? {
            cols.firstIndex { $0.name.lowercased() == name.lowercased() }
        }
        let names = l.columns.map(\.name) + r.columns.map(\.name).filter { index(l.columns, $0) == nil }
        var types: [DataType] = []
        for name in names {
            let a = index(l.columns, name).map { l.columns[$0] }
            let b = index(r.columns, name).map { r.columns[$0] }
            if let a, let b {
                types.append(try unifiedTypes([a.type], [b], pos)[0])
            } else {
                types.append((a ?? b)!.type)  // a NULL column of one input stays NULL (DuckDB)
            }
        }
        func aligned(_ side: (plan: LogicalPlan, columns: [ScopeColumn])) throws -> LogicalPlan {
            let exprs = try names.enumerated().map { k, name -> BoundExpr in
                guard let i = index(side.columns, name) else {
                    return BoundExpr.constant(.null, type: types[k], name: name)
                }
                let c = side.columns[i]
                let e = BoundExpr.column(i, type: c.type, name: name)
                if c.type == types[k] { return e }
                if c.type == .null { return BoundExpr.constant(.null, type: types[k], name: name) }
                guard Kernels.canCast(from: c.type, to: types[k]) else {
                    throw Binder.error("cannot cast \(c.type) to \(types[k]) in a set operation", pos)
                }
                return BoundExpr(.cast(e, isTry: false), type: types[k], name: name)
            }
            return .project(side.plan, exprs, names: names)
        }
        let u: LogicalPlan = .union([try aligned(l), try aligned(r)])
        let cols = zip(names, types).map { ScopeColumn(qualifier: nil, name: $0, type: $1) }
        return (all ? u : .distinct(u), cols)
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
}
