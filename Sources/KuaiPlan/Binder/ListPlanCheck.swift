import KuaiCore
import KuaiExec

/// Where a bound plan may hold LIST values. A list as a key (GROUP BY, DISTINCT, ORDER BY, joins,
/// INTERSECT / EXCEPT, window partitions), a comparison, IN and CASE / coalesce results go through
/// the list's order-preserving key (ListKeyRewrite.swift); the argument of an aggregate other than
/// count / list and the functions kuai does not have for lists are refused with a binding error
/// (never a wrong answer). IS [NOT] DISTINCT FROM between lists (and `=` / `<>` of lists without
/// a key) compare their text (DuckDB's CAST to VARCHAR, one text per list value of a type, so
/// equal texts are equal lists; NULL elements compare equal, as DuckDB's list equality).
enum ListPlanCheck {
    /// The list functions whose arguments or results may be lists (ListBinder.swift).
    static let listFunctions: Set<String> = [
        "list_value", "len", "array_extract", "array_slice", "list_contains", "list_position", "string_split",
        "list_sort", "list_reverse_sort", "array_to_string", "list_key", "list_from_key", "list_concat", "list_append",
        "list_prepend", "list_reverse", "flatten",
        "list_distinct", "list_unique", "list_has_any", "list_has_all", "list_aggregate", "range", "generate_series",
        "list_slice", "array_push_front", "list_transform", "list_filter", "list_reduce", "regexp_extract_all",
        "regexp_split_to_array",
        "string_split_regex", "str_split_regex", "struct_pack", "struct_extract", "map", "map_extract",
        "map_extract_value", "map_keys", "map_values", "map_entries", "cardinality", "histogram", "map_concat",
    ]

    /// `plan` with list equality rewritten to text equality, shared CTE plans and subquery plans
    /// included (as `Optimizer.optimize` walks them).
    /// - Throws: `KuaiError.binding` for a use of a list kuai does not support.
    static func checked(_ plan: LogicalPlan) throws -> LogicalPlan {
        var failure: KuaiError?
        func note(_ error: Error) { if failure == nil { failure = error as? KuaiError } }
        let out = plan.transformedUp { node in
            if case .shared(let id, let p) = node {
                do { return .shared(id: id, try checked(p)) } catch {
                    note(error)
                    return node
                }
            }
            if failure == nil { failure = nodeFailure(node) }
            let mapped = node.mapExpressions { e in
                do { return try e.transformed(rewrittenWithSubqueries) } catch {
                    note(error)
                    return e
                }
            }
            do { return try ListKeyRewrite.rewritten(mapped) ?? mapped } catch {
                note(error)
                return mapped
            }
        }
        if let failure { throw failure }
        return out
    }

    /// `rewritten`, after checking the plan of a subquery node.
    static func rewrittenWithSubqueries(_ x: BoundExpr) throws -> BoundExpr {
        switch x.kind {
        case .subquery(var q):
            q.plan = try checked(q.plan)
            return BoundExpr(.subquery(q), type: x.type, name: x.name)
        case .inSubquery(let a, var q, let negated):
            q.plan = try checked(q.plan)
            guard a.type.isNested else {
                return BoundExpr(.inSubquery(a, q, negated: negated), type: x.type, name: x.name)
            }
            try ListKeyRewrite.requireKeyable(a.type, "IN")
            let (keyed, _) = try ListKeyRewrite.keyed(q.plan, [0], append: false, "IN")
            q.plan = keyed
            return BoundExpr(.inSubquery(ListKeyRewrite.key(a), q, negated: negated), type: x.type, name: x.name)
        default:
            return try rewritten(x)
        }
    }

    static func unsupported(_ what: String) -> KuaiError {
        KuaiError(.binding, "\(what) is not supported for LIST, STRUCT or MAP values")
    }

    /// The error of a node that would use a list as a key.
    static func nodeFailure(_ node: LogicalPlan) -> KuaiError? {
        func anyList(_ schema: Schema, _ columns: [Int]) -> Bool { columns.contains { schema[$0].type.isNested } }
        switch node {
        case .aggregate(let c, let groups, _, let aggs):
            for a in aggs where a.function.argumentType?.isNested == true {
                let name = a.function.name
                let native = !a.distinct && (name == "count" || name == "list" || name == "array_agg")
                if !native && ListKeyRewrite.keyedAggregate(a) == nil { return unsupported("\(name)()") }
            }
            for a in aggs where a.orderColumns.contains(where: { c.schema[$0].type.isNested }) {
                return unsupported("ORDER BY in an aggregate")
            }
        case .window(let c, _, _, let fs, _):
            let other = fs.filter { !ListKeyRewrite.keyedWindowFunction($0, c.schema) }
            if anyList(c.schema, other.compactMap(\.argument)) { return unsupported("a window function") }
        default: break
        }
        return nil
    }

    /// One expression node: list equality as text equality; an error for the unsupported forms.
    static func rewritten(_ e: BoundExpr) throws -> BoundExpr {
        let listChild = e.children.contains { $0.type.isNested }
        switch e.kind {
        case .compare(let op, let a, let b) where a.type.isNested || b.type.isNested:
            if ListKeyRewrite.keyable(a.type) && ListKeyRewrite.keyable(b.type) {
                return BoundExpr(.compare(op, ListKeyRewrite.key(a), ListKeyRewrite.key(b)), type: e.type, name: e.name)
            }
            guard op == .equal || op == .notEqual else { throw unsupported("comparison \(op.rawValue)") }
            return BoundExpr(.compare(op, text(a), text(b)), type: e.type, name: e.name)
        case .isDistinctFrom(let a, let b, let negated) where a.type.isNested || b.type.isNested:
            return BoundExpr(.isDistinctFrom(text(a), text(b), negated: negated), type: e.type, name: e.name)
        case .inList(let a, let xs, let negated) where listChild:
            try ListKeyRewrite.requireKeyable(a.type, "IN")
            let k = { ListKeyRewrite.key($0) }
            return BoundExpr(.inList(k(a), xs.map(k), negated: negated), type: e.type, name: e.name)
        case .caseWhen(let ws, let other) where e.type.isNested:
            try ListKeyRewrite.requireKeyable(e.type, "CASE")
            let k = { ListKeyRewrite.key($0, normalized: false) }
            let keyed = BoundExpr(
                .caseWhen(ws.map { ($0.when, k($0.then)) }, elseExpr: other.map(k)), type: .varchar, name: e.name)
            return ListKeyRewrite.fromKey(keyed, e.type)
        case .function(let f, let args)
        where e.type.isNested && ["coalesce", "ifnull", "greatest", "least"].contains(f.name):
            try ListKeyRewrite.requireKeyable(e.type, f.name)
            guard let g = FunctionRegistry.generic(f.name, .varchar, arity: args.count) else {
                throw unsupported("\(f.name)()")
            }
            // coalesce and ifnull only carry values: every bit kept; greatest and least compare
            let normalized = f.name == "greatest" || f.name == "least"
            let keyed = BoundExpr(
                .function(g, args.map { ListKeyRewrite.key($0, normalized: normalized) }), type: .varchar, name: e.name)
            return ListKeyRewrite.fromKey(keyed, e.type)
        case .function(let f, _) where (listChild || e.type.isNested) && !listFunctions.contains(f.name):
            throw unsupported("\(f.name)()")
        case .function(let f, let args) where ["concat_op", "concat", "concat_ws"].contains(f.name):
            // `l || x` and concat of a list: DuckDB concatenates lists (or refuses a list beside text);
            // kuai does not, so the list must not silently become its text here
            for a in args {
                // the binder's implicit cast keeps the operand's name; an explicit CAST is named for itself
                if case .cast(let x, _) = a.kind, x.type.isNested, a.name == x.name { throw unsupported("|| / concat") }
            }
            return e
        case .arithmetic where listChild, .negate where listChild, .like where listChild:
            throw unsupported("\(e.name)")
        default: return e
        }
    }

    /// A list as its text (a NULL-typed operand stays NULL).
    static func text(_ x: BoundExpr) -> BoundExpr {
        if x.type == .varchar { return x }
        if x.type == .null { return BoundExpr.constant(.null, type: .varchar, name: x.name) }
        return BoundExpr(.cast(x, isTry: false), type: .varchar, name: x.name)
    }
}
