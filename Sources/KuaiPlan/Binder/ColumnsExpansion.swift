import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// A select item holding `COLUMNS(...)` as one item per column it selects, nil when it holds none
    /// (DuckDB semantics). `COLUMNS('regex')`: the FROM columns whose name the regular expression matches
    /// anywhere (case sensitive); `COLUMNS(*)` / `COLUMNS(t.*)`: every column (of `t`);
    /// `COLUMNS(['a', 'b'])`: those columns, in the FROM clause's order. Each item is the expression with the
    /// column in place of `COLUMNS(...)`, named by the column (`max(COLUMNS('.*_num'))` gives columns
    /// `a_num`, `b_num`), or by the alias, which then names every item.
    /// - Throws: `KuaiError.binding`: no column matches ("No matching columns found that match regex"),
    ///   a listed column is missing, two different COLUMNS in one expression, an argument that is not
    ///   a VARCHAR or a list of them, an alias using the regex's groups (`\1`, not provided).
    func expandColumnsExpression(_ e: Expr, _ alias: String?, _ scope: [ScopeColumn]) throws
        -> [(expr: Expr, alias: String?)]?
    {
        var selectors: [FunctionCall] = []
        _ = e.rewritten { node in
            if case .function(let f) = node, Binder.isColumnsSelector(f) { selectors.append(f) }
            return node
        }
        guard let first = selectors.first else { return nil }
        let key = Expr.function(first).sqlDescription
        if selectors.contains(where: { Expr.function($0).sqlDescription != key }) {
            throw Binder.error(
                "Multiple different STAR/COLUMNS in the same expression are not supported", first.position)
        }
        if let alias, alias.contains("\\") {
            throw Binder.error("an alias naming the groups of a COLUMNS regex is not supported", first.position)
        }
        let columns = try columnsSelection(first, scope)
        return columns.map { c in
            let ref = Expr.column(qualifier: c.qualifier, name: c.name, first.position)
            let item = e.rewritten { node in
                if case .function(let f) = node, Binder.isColumnsSelector(f) { return ref }
                return node
            }
            return (item, alias ?? c.name)
        }
    }

    /// `COLUMNS(...)` or a star filter (`* LIKE 'p'`, which the parser writes as the call `*like`;
    /// `**` is the power operator `a ** b`).
    static func isColumnsSelector(_ f: FunctionCall) -> Bool {
        (f.name == "columns" || (f.name.hasPrefix("*") && f.name != "**")) && f.over == nil
    }

    /// The columns `COLUMNS(arg)` or a star filter selects from `scope` (see `expandColumnsExpression`).
    func columnsSelection(_ f: FunctionCall, _ scope: [ScopeColumn]) throws -> [ScopeColumn] {
        let visible = scope.filter { !$0.hidden && !$0.virtual }
        if f.star { return visible }
        if f.name == "*lambda", f.arguments.count == 2, case .literal(.string(let parameter), _) = f.arguments[0] {
            return try lambdaSelection(f, parameter, f.arguments[1], visible)
        }
        if f.name.hasPrefix("*"), case .literal(.string(let pattern), _)? = f.arguments.first {
            return try starFilter(f, pattern, visible)
        }
        guard f.arguments.count == 1, !f.distinct else {
            throw Binder.error("COLUMNS takes one argument", f.position)
        }
        let wrongArgument = Binder.error(
            "COLUMNS expects either a VARCHAR argument (regex) or a LIST of VARCHAR (list of columns)", f.position)
        switch f.arguments[0] {
        case .literal(.string(let pattern), _):
            let hits: [Bool]
            do {
                hits = try NameMatch.regex(pattern, visible.map(\.name))
            } catch let error as KuaiError {
                throw Binder.error("Failed to compile regex \"\(pattern)\": \(error.message)", f.position)
            }
            let chosen = zip(visible, hits).filter(\.1).map(\.0)
            if chosen.isEmpty {
                throw Binder.error("No matching columns found that match regex \"\(pattern)\"", f.position)
            }
            return chosen
        case .function(let list) where list.name == "list_value":
            var chosen = Set<String>()
            for item in list.arguments {
                guard case .literal(.string(let name), let pos) = item else { throw wrongArgument }
                guard let i = resolve(nil, name, scope) else {
                    throw Binder.error("Column \"\(name)\" was selected but was not found in the FROM clause", pos)
                }
                chosen.insert(scope[i].name.lowercased())
            }
            return visible.filter { chosen.contains($0.name.lowercased()) }
        default:
            throw wrongArgument
        }
    }

    /// The columns of `* [NOT] LIKE / ILIKE / SIMILAR TO 'pattern'`, matched as those operators match
    /// (SIMILAR TO: the whole name, a regular expression).
    /// - Throws: `KuaiError.binding` when no column remains (DuckDB's error for an empty star).
    func starFilter(_ f: FunctionCall, _ pattern: String, _ visible: [ScopeColumn]) throws -> [ScopeColumn] {
        let negated = f.name.hasPrefix("*not ")
        let kind = negated ? String(f.name.dropFirst(5)) : String(f.name.dropFirst())
        let names = visible.map(\.name)
        let hits: [Bool]
        do {
            switch kind {
            case "similar": hits = try NameMatch.regex(pattern, names, whole: true)
            default: hits = try NameMatch.like(pattern, caseInsensitive: kind == "ilike", names)
            }
        } catch let error as KuaiError {
            throw Binder.error(error.message, f.position)
        }
        let chosen = zip(visible, hits).filter { $0.1 != negated }.map(\.0)
        if chosen.isEmpty {
            throw Binder.error("No matching columns found for the star filter \"\(pattern)\"", f.position)
        }
        return chosen
    }

    /// The columns of `COLUMNS(lambda c: body)`: those whose name, as the VARCHAR `c`, makes `body` true
    /// (NULL and false leave the column out). `body` may read only `c`.
    /// - Throws: `KuaiError.binding` for another name in `body`, a body that is not BOOLEAN, or an empty
    ///   selection (DuckDB's errors).
    func lambdaSelection(_ f: FunctionCall, _ parameter: String, _ body: Expr, _ visible: [ScopeColumn]) throws
        -> [ScopeColumn]
    {
        let chosen = try visible.filter { c in
            let substituted = body.rewritten { node in
                if case .column(nil, let n, let pos) = node, n.lowercased() == parameter.lowercased() {
                    return .literal(.string(c.name), pos)
                }
                return node
            }
            let bound = try bind(substituted, ExprContext(scope: [], aggregate: nil, clause: "COLUMNS"))
            guard bound.type == .boolean || bound.type == .null else {
                throw Binder.error("the COLUMNS lambda must give a BOOLEAN for each column name", f.position)
            }
            if case .bool(let b) = try bound.evaluateConstant() { return b }
            return false
        }
        if chosen.isEmpty {
            throw Binder.error("Star expression \"COLUMNS(lambda)\" resulted in an empty set of columns", f.position)
        }
        return chosen
    }
}
