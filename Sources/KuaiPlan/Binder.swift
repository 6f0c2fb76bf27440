import KuaiCore
import KuaiExec
import KuaiSQL

/// The tables a query can name.
public protocol Catalog: AnyObject {
    /// Table names, for error messages and SHOW TABLES.
    var tableNames: [String] { get }
    /// The table called `name` (case-insensitive), or nil.
    func lookupTable(_ name: String) throws -> TableSource?
}

/// A column visible to expressions: where it comes from (qualifier = table name or alias) and its
/// type. The position in the scope array is the column index in the plan's output.
struct ScopeColumn {
    var qualifier: String?
    var name: String
    var type: DataType
}

/// State of binding one aggregate query: the GROUP BY keys (pre-aggregate expressions) and the
/// aggregate calls found so far. After aggregation, key k is column k and aggregate j is column
/// `keys.count + j`.
final class AggregateContext {
    let preScope: [ScopeColumn]
    var keys: [ScalarExpr] = []
    var keyIndex: [String: Int] = [:]
    var aggregates: [(key: String, call: FunctionCall, function: AggregateFunction, argument: ScalarExpr?, filter: ScalarExpr?, name: String)] = []

    init(preScope: [ScopeColumn]) { self.preScope = preScope }
}

/// What an expression may contain where it is bound.
struct ExprContext {
    var scope: [ScopeColumn]
    /// Non-nil while binding select items, HAVING and ORDER BY of an aggregate query.
    var aggregate: AggregateContext?
    /// The clause, for error messages ("WHERE", "GROUP BY", ...).
    var clause: String
}

/// Resolves names and types: turns the AST of KuaiSQL into a `LogicalPlan` with `ScalarExpr`s
/// (DuckDB's type rules; see `bindBinary`).
final class Binder {
    let catalog: Catalog
    /// Runs an uncorrelated subquery at bind time (scalar subqueries, IN (subquery), EXISTS).
    let runSubquery: (LogicalPlan) throws -> [Batch]
    /// CTEs in scope, innermost last.
    var ctes: [[String: (plan: LogicalPlan, columns: [ScopeColumn])]] = []

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
        for cte in q.ctes {
            var (plan, cols) = try bindQuery(cte.query)
            if !cte.columnNames.isEmpty {
                for (i, n) in cte.columnNames.enumerated() where i < cols.count { cols[i].name = n }
                plan = .project(plan, cols.enumerated().map { ScalarExpr.column($0.offset, type: $0.element.type, name: $0.element.name) },
                                names: cols.map(\.name))
            }
            frame[cte.name.lowercased()] = (plan, cols)
            ctes[ctes.count - 1] = frame
        }
        var plan: LogicalPlan
        var cols: [ScopeColumn]
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
        if limit != nil || offset != 0 {
            plan = .limit(plan, limit: limit, offset: offset)
        }
        return (plan, cols.map { ScopeColumn(qualifier: nil, name: $0.name, type: $0.type) })
    }

    func constantInt(_ e: Expr, _ clause: String) throws -> Int {
        let b = try bind(e, ExprContext(scope: [], aggregate: nil, clause: clause))
        guard case .int(let v)? = try? b.evaluateConstant(), v >= 0 else {
            throw Binder.error("\(clause) must be a non-negative integer constant, found \(e.sqlDescription)", e.position)
        }
        return Int(v)
    }

    /// Sort keys over output columns only (set operations): positions or output names.
    func outputSortKeys(_ items: [OrderItem], _ all: OrderItem?, _ cols: [ScopeColumn]) throws -> [SortKey] {
        if let all {
            return cols.indices.map { SortKey(column: $0, ascending: all.ascending, nullsFirst: all.nullsFirst ?? false) }
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
                    throw Binder.error("column \"\(name)\" not found in the result; columns: \(cols.map(\.name).joined(separator: ", "))", p)
                }
                idx = i
            } else {
                throw Binder.error("ORDER BY after a set operation must name an output column or position", item.expr.position)
            }
            return SortKey(column: idx, ascending: item.ascending, nullsFirst: item.nullsFirst ?? false)
        }
    }

    func bindBody(_ body: QueryBody) throws -> (plan: LogicalPlan, columns: [ScopeColumn]) {
        switch body {
        case .select(let core): return try bindSelect(core, orderBy: [], orderByAll: nil)
        case .nested(let q): return try bindQuery(q)
        case .setOperation(_, _, _, _, let pos):
            throw Binder.error("UNION / EXCEPT / INTERSECT are not supported yet", pos)
        case .values(_, let pos):
            throw Binder.error("VALUES is not supported yet", pos)
        }
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
            guard let table = try catalog.lookupTable(name) else {
                let names = catalog.tableNames
                var msg = "table \"\(name)\" not found"
                if let s = closest(name, names) { msg += "; did you mean \"\(s)\"?" }
                msg += " tables: " + names.joined(separator: ", ")
                throw Binder.error(msg, pos)
            }
            let cols = Array(0..<table.schema.count)
            return (.scan(table: table, columns: cols, conjuncts: []),
                    table.schema.map { ScopeColumn(qualifier: q, name: $0.name, type: $0.type) })
        case .subquery(let query, let alias, let names, _):
            let (plan, cols) = try bindQuery(query)
            var out = cols.map { ScopeColumn(qualifier: alias, name: $0.name, type: $0.type) }
            for (i, n) in names.enumerated() where i < out.count { out[i].name = n }
            return (plan, out)
        case .join(_, _, _, _, let pos):
            throw Binder.error("joins are not supported yet", pos)
        }
    }

    // MARK: - SELECT

    static func containsAggregate(_ e: Expr) -> Bool {
        var found = false
        walk(e) { x in
            if case .function(let f) = x, f.over == nil, AggregateRegistry.isAggregate(f.name) || f.star { found = true }
        }
        return found
    }

    /// Visits `e` and its sub-expressions (not descending into subqueries).
    static func walk(_ e: Expr, _ visit: (Expr) -> Void) {
        visit(e)
        switch e {
        case .literal, .column, .exists, .scalarSubquery: break
        case .unary(_, let a, _), .isNull(let a, _, _), .cast(let a, _, _, _), .extract(_, let a, _), .inSubquery(let a, _, _, _):
            walk(a, visit)
        case .binary(_, let a, let b, _): walk(a, visit); walk(b, visit)
        case .like(let a, let p, _, _, _): walk(a, visit); walk(p, visit)
        case .between(let a, let l, let h, _, _): walk(a, visit); walk(l, visit); walk(h, visit)
        case .inList(let a, let xs, _, _): walk(a, visit); xs.forEach { walk($0, visit) }
        case .caseWhen(let op, let ws, let el, _):
            if let op { walk(op, visit) }
            for w in ws { walk(w.when, visit); walk(w.then, visit) }
            if let el { walk(el, visit) }
        case .function(let f):
            f.arguments.forEach { walk($0, visit) }
            if let fl = f.filter { walk(fl, visit) }
        }
    }

    /// The name DuckDB gives a result column: the alias, the bare column name, or the expression text.
    static func outputName(_ e: Expr, alias: String?) -> String {
        if let alias { return alias }
        if case .column(_, let name, _) = e { return name }
        return e.sqlDescription
    }

    func bindSelect(_ core: SelectCore, orderBy: [OrderItem], orderByAll: OrderItem?) throws -> (plan: LogicalPlan, columns: [ScopeColumn]) {
        var (plan, scope) = try bindFrom(core.from)
        if let w = core.whereClause {
            if Binder.containsAggregate(w) { throw Binder.error("WHERE clause cannot contain aggregates", w.position) }
            let pred = try bindBoolean(w, ExprContext(scope: scope, aggregate: nil, clause: "WHERE"))
            plan = .filter(plan, pred)
        }
        // Expand stars.
        var items: [(expr: Expr, alias: String?)] = []
        for item in core.items {
            switch item {
            case .expr(let e, let alias): items.append((e, alias))
            case .star(let table, let exclude, let pos):
                let ex = Set(exclude.map { $0.lowercased() })
                var any = false
                for c in scope where table == nil || c.qualifier?.lowercased() == table!.lowercased() {
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
        let isAggregate = !core.groupBy.isEmpty || core.groupByAll || core.having != nil
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
                   let item = items.first(where: { $0.alias?.lowercased() == name.lowercased() }) {
                    groupExprs.append(item.expr)  // GROUP BY an alias of the select list
                    continue
                }
                groupExprs.append(g)
            }
            for g in groupExprs {
                if Binder.containsAggregate(g) { throw Binder.error("GROUP BY clause cannot contain aggregates", g.position) }
                let b = try bind(g, plain)
                if ac.keyIndex[b.structuralKey] == nil {
                    ac.keyIndex[b.structuralKey] = ac.keys.count
                    ac.keys.append(ScalarExpr(b.kind, type: b.type, name: Binder.outputName(g, alias: nil)))
                }
            }
            aggContext = ac
        }
        let ctx = ExprContext(scope: scope, aggregate: aggContext, clause: "SELECT")
        var exprs: [ScalarExpr] = []
        var names: [String] = []
        for it in items {
            exprs.append(try bind(it.expr, ctx))
            names.append(Binder.outputName(it.expr, alias: it.alias))
        }
        var having: ScalarExpr? = nil
        if let h = core.having {
            having = try bindBoolean(h, ExprContext(scope: scope, aggregate: aggContext, clause: "HAVING"))
        }
        // ORDER BY: output positions, output names, or expressions (hidden extra columns).
        var sortKeys: [SortKey] = []
        let visible = exprs.count
        if let all = orderByAll {
            sortKeys = (0..<visible).map { SortKey(column: $0, ascending: all.ascending, nullsFirst: all.nullsFirst ?? false) }
        }
        for item in orderBy {
            var idx: Int? = nil
            if case .literal(.integer(let k), let p) = item.expr {
                guard k >= 1 && Int(k) <= visible else {
                    throw Binder.error("ORDER term out of range - should be between 1 and \(visible)", p)
                }
                idx = Int(k) - 1
            } else if case .column(nil, let name, _) = item.expr,
                      let i = names.firstIndex(where: { $0.lowercased() == name.lowercased() }) {
                idx = i
            } else {
                let b = try bind(item.expr, ExprContext(scope: scope, aggregate: aggContext, clause: "ORDER BY"))
                if let i = exprs.firstIndex(where: { $0.structuralKey == b.structuralKey }) {
                    idx = i
                } else {
                    if core.distinct {
                        throw Binder.error("for SELECT DISTINCT, ORDER BY expressions must appear in select list", item.expr.position)
                    }
                    exprs.append(b)
                    names.append(item.expr.sqlDescription)
                    idx = exprs.count - 1
                }
            }
            sortKeys.append(SortKey(column: idx!, ascending: item.ascending, nullsFirst: item.nullsFirst ?? false))
        }
        // Assemble: [pre-aggregate projection -> aggregate -> HAVING] -> projection -> DISTINCT -> sort -> drop hidden.
        if let ac = aggContext {
            var pre: [ScalarExpr] = ac.keys
            var preNames: [String] = ac.keys.map(\.name)
            var specs: [AggregateSpec] = []
            for a in ac.aggregates {
                var input: Int? = nil
                var filter: Int? = nil
                if let arg = a.argument {
                    pre.append(arg); preNames.append(arg.name); input = pre.count - 1
                }
                if let f = a.filter {
                    pre.append(f); preNames.append(f.name); filter = pre.count - 1
                }
                specs.append(AggregateSpec(function: a.function, inputColumn: input, distinct: a.call.distinct,
                                           filterColumn: filter, name: a.name))
            }
            plan = .project(plan, pre, names: preNames)
            plan = .aggregate(plan, groupColumns: Array(0..<ac.keys.count), groupNames: ac.keys.map(\.name), aggregates: specs)
            if let h = having { plan = .filter(plan, h) }
        }
        plan = .project(plan, exprs, names: names)
        if core.distinct { plan = .distinct(plan) }
        if !sortKeys.isEmpty { plan = .sort(plan, sortKeys) }
        if exprs.count > visible {
            plan = .project(plan, (0..<visible).map { ScalarExpr.column($0, type: exprs[$0].type, name: names[$0]) },
                            names: Array(names.prefix(visible)))
        }
        let cols = (0..<visible).map { ScopeColumn(qualifier: nil, name: names[$0], type: exprs[$0].type) }
        return (plan, cols)
    }

    // MARK: - names

    /// Index of the column `qualifier.name` in `scope`, nil when absent; throws when ambiguous.
    func resolve(_ qualifier: String?, _ name: String, _ scope: [ScopeColumn]) -> Int? {
        let n = name.lowercased()
        let q = qualifier?.lowercased()
        return scope.firstIndex { $0.name.lowercased() == n && (q == nil || $0.qualifier?.lowercased() == q) }
    }

    func resolveColumn(_ qualifier: String?, _ name: String, _ pos: SourcePosition, _ scope: [ScopeColumn]) throws -> Int {
        let n = name.lowercased()
        let q = qualifier?.lowercased()
        let matches = scope.indices.filter { scope[$0].name.lowercased() == n && (q == nil || scope[$0].qualifier?.lowercased() == q) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 {
            throw Binder.error("column reference \"\(name)\" is ambiguous; qualify it with a table name", pos)
        }
        if let q, !scope.contains(where: { $0.qualifier?.lowercased() == q }) {
            let tables = Array(Set(scope.compactMap(\.qualifier))).sorted()
            throw Binder.error("table \"\(qualifier!)\" not found in FROM clause; tables: \(tables.joined(separator: ", "))", pos)
        }
        let display = qualifier.map { "\($0).\(name)" } ?? name
        var msg = "column \"\(display)\" not found"
        if let s = closest(name, scope.map(\.name)) { msg += "; did you mean \"\(s)\"?" }
        msg += " columns: " + scope.map(\.name).joined(separator: ", ")
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
            let d = a.isEmpty ? b.count : prev[b.count]
            if best == nil || d < best!.1 { best = (c, d) }
        }
        if let best, best.1 <= max(2, a.count / 2) { return best.0 }
        return nil
    }
}
