import KuaiCore
import KuaiExec

/// Lists as keys: every operator that groups, hashes, sorts or compares values handles a LIST
/// column through its order-preserving VARCHAR key (`Kernels.listKeys`, DuckDB's list order), put
/// in by a projection below the operator and decoded back (`Kernels.listsFromKeys`) by a projection
/// above it. Expressions that compare lists or choose between them (`<`, IN, CASE, coalesce) work
/// on the keys the same way. One mechanism for every operator, no operator knows about lists.
enum ListKeyRewrite {
    /// The key of a list expression (a NULL-typed operand is a NULL key); `normalized` keys compare
    /// as DuckDB compares lists (-0.0 equal to 0.0), the others keep every bit of the value.
    static func key(_ e: BoundExpr, normalized: Bool = true) -> BoundExpr {
        if e.type == .varchar { return e }
        if e.type == .null { return BoundExpr.constant(.null, type: .varchar, name: e.name) }
        let f = ListFunctions.make("list_key", .key(normalized: normalized), [e.type], .varchar)
        return BoundExpr(.function(f, [e]), type: .varchar, name: e.name)
    }

    /// The list of `type` whose key `e` is.
    static func fromKey(_ e: BoundExpr, _ type: DataType) -> BoundExpr {
        let f = ListFunctions.make("list_from_key", .fromKey, [.varchar], type)
        return BoundExpr(.function(f, [e]), type: type, name: e.name)
    }

    /// True when values of `t` (a list or not) can be keyed.
    static func keyable(_ t: DataType) -> Bool {
        guard t.isNested else { return true }
        return Kernels.listKeyable(t)
    }

    /// - Throws: `KuaiError.binding` when a list of `t` has no key (INTERVAL elements).
    static func requireKeyable(_ t: DataType, _ what: String) throws {
        guard keyable(t) else { throw ListPlanCheck.unsupported("\(what) over INTERVAL elements") }
    }

    /// `child` projected to its columns with the list columns of `columns` replaced by their keys
    /// (in place) or, with `append`, with those keys added after the columns; returns the plan and
    /// the key column of each list column.
    static func keyed(_ child: LogicalPlan, _ columns: [Int], append: Bool, _ what: String) throws
        -> (LogicalPlan, [Int: Int])
    {
        let schema = child.schema
        var exprs = BoundExpr.columns(of: schema)
        var names = schema.map(\.name)
        var keyOf: [Int: Int] = [:]
        for c in columns where schema[c].type.isNested && keyOf[c] == nil {
            try requireKeyable(schema[c].type, what)
            if append {
                keyOf[c] = exprs.count
                exprs.append(key(exprs[c]))
                names.append(names[c])
            } else {
                keyOf[c] = c
                exprs[c] = key(exprs[c])
            }
        }
        return (.project(child, exprs, names: names), keyOf)
    }

    /// A projection over `node` giving its first `count` columns, decoding the columns of `lists`
    /// (column index to list type).
    static func decoded(_ node: LogicalPlan, count: Int? = nil, lists: [Int: DataType] = [:], drop: Range<Int>? = nil)
        -> LogicalPlan
    {
        let schema = node.schema
        var exprs: [BoundExpr] = []
        var names: [String] = []
        for (i, f) in schema.enumerated() where i < (count ?? schema.count) && !(drop?.contains(i) ?? false) {
            let col = BoundExpr.column(i, type: f.type, name: f.name)
            exprs.append(lists[i].map { fromKey(col, $0) } ?? col)
            names.append(f.name)
        }
        return .project(node, exprs, names: names)
    }

    /// `node` with its list keys (GROUP BY, DISTINCT, ORDER BY, joins, set operations, window
    /// PARTITION BY / ORDER BY) going through list keys; nil when it has none.
    /// - Throws: `KuaiError.binding` for a list of INTERVAL elements as a key.
    static func rewritten(_ node: LogicalPlan) throws -> LogicalPlan? {
        func lists(_ schema: Schema, _ columns: [Int]) -> [Int] { columns.filter { schema[$0].type.isNested } }
        switch node {
        case .aggregate(let c, let groups, let names, let aggs):
            let keyedAggs = aggs.indices.filter { k in
                aggs[k].function.argumentType?.isNested == true && keyedAggregate(aggs[k]) != nil
            }
            let keys = lists(c.schema, groups + keyedAggs.compactMap { aggs[$0].inputColumn })
            guard !keys.isEmpty else { return nil }
            let (input, keyOf) = try keyed(c, keys, append: true, "GROUP BY")
            var specs = aggs
            var types: [Int: DataType] = [:]
            for k in keyedAggs {
                let t = c.schema[aggs[k].inputColumn!].type
                specs[k] = keyedAggregate(aggs[k])!
                specs[k].inputColumn = keyOf[aggs[k].inputColumn!]
                if specs[k].function.returnType == .varchar { types[groups.count + k] = t }
            }
            let agg = LogicalPlan.aggregate(
                input, groupColumns: groups.map { keyOf[$0] ?? $0 }, groupNames: names, aggregates: specs)
            for (j, g) in groups.enumerated() where keyOf[g] != nil { types[j] = c.schema[g].type }
            return decoded(agg, lists: types)
        case .distinct(let c):
            let keys = lists(c.schema, Array(c.schema.indices))
            guard !keys.isEmpty else { return nil }
            let (input, _) = try keyed(c, keys, append: false, "DISTINCT")
            return decoded(
                .distinct(input), lists: Dictionary(uniqueKeysWithValues: keys.map { ($0, c.schema[$0].type) }))
        case .setOp(let kind, let all, let l, let r):
            let keys = lists(l.schema, Array(l.schema.indices))
            guard !keys.isEmpty else { return nil }
            let (left, _) = try keyed(l, keys, append: false, "INTERSECT / EXCEPT")
            let (right, _) = try keyed(r, keys, append: false, "INTERSECT / EXCEPT")
            let types = Dictionary(uniqueKeysWithValues: keys.map { ($0, l.schema[$0].type) })
            return decoded(.setOp(kind, all: all, left, right), lists: types)
        case .sort(let c, let sortKeys):
            let keys = lists(c.schema, sortKeys.map(\.column))
            guard !keys.isEmpty else { return nil }
            let (input, keyOf) = try keyed(c, keys, append: true, "ORDER BY")
            let remapped = sortKeys.map { k in
                SortKey(column: keyOf[k.column] ?? k.column, ascending: k.ascending, nullsFirst: k.nullsFirst)
            }
            return decoded(.sort(input, remapped), count: c.schema.count)
        case .window(let c, let p, let o, let fs, let names):
            let keyedFns = fs.indices.filter { keyedWindowFunction(fs[$0], c.schema) }
            let keys = lists(c.schema, p + o.map(\.column) + keyedFns.compactMap { fs[$0].argument })
            guard !keys.isEmpty else { return nil }
            let (input, keyOf) = try keyed(c, keys, append: true, "a window's PARTITION BY / ORDER BY")
            let order = o.map { k in
                SortKey(column: keyOf[k.column] ?? k.column, ascending: k.ascending, nullsFirst: k.nullsFirst)
            }
            let n = c.schema.count
            var functions = fs
            var types: [Int: DataType] = [:]
            for k in keyedFns {
                let t = c.schema[fs[k].argument!].type
                functions[k] = fs[k].remapped { keyOf[$0] ?? $0 }
                if fs[k].kind != .count { types[n + keyOf.count + k] = t }
            }
            let w = LogicalPlan.window(
                input, partitionBy: p.map { keyOf[$0] ?? $0 }, orderBy: order, functions: functions, names: names)
            return decoded(w, lists: types, drop: n..<(n + keyOf.count))
        case .join(let l, let r, let type, let lk, let rk, let residual):
            let keys = lk.indices.filter { l.schema[lk[$0]].type.isNested || r.schema[rk[$0]].type.isNested }
            guard !keys.isEmpty else { return nil }
            let (left, lkeyOf) = try keyed(l, keys.map { lk[$0] }, append: true, "a join key")
            let (right, rkeyOf) = try keyed(r, keys.map { rk[$0] }, append: true, "a join key")
            let nl = l.schema.count
            let extra = lkeyOf.count
            let shifted = residual?.remapColumns { $0 >= nl ? $0 + extra : $0 }
            let join = LogicalPlan.join(
                left, right, type: type, leftKeys: lk.map { lkeyOf[$0] ?? $0 }, rightKeys: rk.map { rkeyOf[$0] ?? $0 },
                residual: shifted)
            if type == .semi || type == .anti { return decoded(join, count: nl) }
            let nr = r.schema.count
            let keep = Array(0..<nl) + Array((nl + extra)..<(nl + extra + nr))
            let s = join.schema
            return .project(
                join, keep.map { BoundExpr.column($0, type: s[$0].type, name: s[$0].name) },
                names: keep.map { s[$0].name })
        default:
            return nil
        }
    }

    /// The aggregates of a list computed over its key: min, max, first, last, any_value (the key's
    /// value decoded after: the list order is the key order) and count(DISTINCT l); nil for others.
    static func keyedAggregate(_ a: AggregateSpec) -> AggregateSpec? {
        guard let t = a.function.argumentType, t.isNested, keyable(t), a.orderColumns.isEmpty else { return nil }
        let name = a.function.name
        let valued = ["min", "max", "first", "last", "any_value", "arbitrary"].contains(name) && !a.distinct
        guard valued || (name == "count" && a.distinct), let f = AggregateRegistry.resolve(name, .varchar) else {
            return nil
        }
        var spec = a
        spec.function = f
        return spec
    }

    /// True for a window function over a list computed over its key (the value decoded after):
    /// lag, lead, first_value, last_value, nth_value, min, max (the list order) and count, without
    /// a lag / lead default.
    static func keyedWindowFunction(_ f: WindowFunction, _ schema: Schema) -> Bool {
        guard let a = f.argument, schema[a].type.isNested, keyable(schema[a].type), f.aggregate == nil,
            f.defaultValue.isNull
        else { return false }
        return [.lag, .lead, .firstValue, .lastValue, .nthValue, .min, .max, .count].contains(f.kind)
    }
}
