import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// The select list with `*`, `t.*`, `* EXCLUDE (...)` and `* REPLACE (expr AS col, ...)` expanded into the
    /// FROM columns they name (`*` skips the hidden right-hand copies of USING columns; a replaced column keeps
    /// its place and name).
    /// - Throws: `KuaiError.binding` for `t.*` of a table not in FROM, `*` without FROM, or a REPLACE column the
    ///   star does not give.
    func expandStars(_ list: [SelectItem], _ scope: [ScopeColumn]) throws -> [(expr: Expr, alias: String?)] {
        var items: [(expr: Expr, alias: String?)] = []
        for item in list {
            switch item {
            case .expr(let e, let alias):
                if let expanded = try expandColumnsExpression(e, alias, scope) {
                    items.append(contentsOf: expanded)
                } else {
                    items.append((e, alias))
                }
            case .star(let table, let exclude, let replace, let pos):
                let ex = Set(exclude.map { $0.lowercased() })
                var replacements: [String: Expr] = [:]
                for r in replace { replacements[r.column.lowercased()] = r.expr }
                var used = Set<String>()
                var any = false
                for c in scope
                where !c.virtual
                    && ((table == nil && !c.hidden)
                        || (table != nil && c.qualifier?.lowercased() == table!.lowercased()))
                {
                    any = true
                    let key = c.name.lowercased()
                    if ex.contains(key) { continue }
                    if let r = replacements[key] {
                        used.insert(key)
                        items.append((r, c.name))
                        continue
                    }
                    items.append((.column(qualifier: c.qualifier, name: c.name, pos), nil))
                }
                if !any, let table, let fields = structStarFields(table, scope) {
                    // `s.*` of a STRUCT column s (no table s in FROM): its fields as columns
                    for f in fields where !ex.contains(f.lowercased()) {
                        let access = FunctionCall(
                            name: FunctionCall.fieldAccessName,
                            arguments: [.column(qualifier: nil, name: table, pos), .literal(.string(f), pos)],
                            position: pos)
                        items.append((.function(access), f))
                    }
                    continue
                }
                if !any {
                    if let table { throw Binder.error("table \"\(table)\" not found in FROM clause", pos) }
                    throw Binder.error("SELECT * with no tables specified is not valid", pos)
                }
                if let missing = replace.first(where: { !used.contains($0.column.lowercased()) }) {
                    throw Binder.error(
                        "column \"\(missing.column)\" in REPLACE list not found in FROM clause", missing.expr.position)
                }
            }
        }
        return items
    }

    /// The field names of the STRUCT column `name` of `scope` (for `name.*`); nil when there is no
    /// such column.
    func structStarFields(_ name: String, _ scope: [ScopeColumn]) -> [String]? {
        guard let i = resolve(nil, name, scope), case .structure(let fields) = scope[i].type,
            fields.allSatisfy({ !$0.name.isEmpty })
        else { return nil }
        return fields.map(\.name)
    }

    /// Binds the select list into `s.exprs` and `s.names` (DuckDB's result column names). A correlated
    /// subquery then outputs the inner sides of its correlations as trailing key columns.
    /// - Throws: `KuaiError.binding` for names, types, misplaced aggregates, and outer columns used outside
    ///   WHERE equalities.
    func bindSelectList(_ s: SelectBinding) throws {
        let ctx = s.context("SELECT", aliases: false)
        for (i, it) in s.items.enumerated() {
            if case .function(let f) = it.expr, f.name == "unnest", f.over == nil {
                // unnest(list): the list here, its elements as rows after the projection
                guard f.arguments.count == 1, !f.distinct, !f.star else {
                    throw Binder.error("unnest() takes one argument", f.position)
                }
                let argument = try bind(f.arguments[0], s.lateral.context(ctx, item: i))
                if case .structure(let fields) = argument.type {
                    // unnest(struct): its fields as columns of their own (DuckDB), one row per row
                    for k in fields.indices {
                        let name = fields[k].name.isEmpty ? "element\(k + 1)" : fields[k].name
                        s.exprs.append(extractField(argument, k, name))
                        s.names.append(name)
                    }
                    continue
                }
                let list = try listArgument(argument, "unnest", f.position)
                s.unnested.append(s.exprs.count)
                s.exprs.append(list)
                s.names.append(Binder.outputName(it.expr, alias: it.alias))
                continue
            }
            s.exprs.append(try bind(it.expr, s.lateral.context(ctx, item: i)))
            s.names.append(Binder.outputName(it.expr, alias: it.alias))
        }
        for c in correlations {
            if let ac = s.aggregate {
                let k = ac.keyIndex[c.inner.structuralKey]!
                s.exprs.append(BoundExpr.column(k, type: c.inner.type, name: c.inner.name))
            } else {
                s.exprs.append(c.inner)
            }
            s.names.append("__key\(s.names.count)")
        }
        for e in s.exprs where e.referencesOuterColumns && !lateral {
            throw Binder.error(
                "a correlated subquery may use outer columns only in WHERE equalities; found \(e.name)",
                s.core.position)
        }
        s.visible = s.exprs.count
    }

    /// The name DuckDB gives a result column: the alias, the bare column name, or the expression text.
    static func outputName(_ e: Expr, alias: String?) -> String {
        if let alias { return alias }
        if case .column(_, let name, _) = e { return name }
        if case .function(let f) = e, f.name == FunctionCall.fieldAccessName, FunctionCall.isNameChain(e),
            case .literal(.string(let field), _) = f.arguments[1]
        {
            return field
        }
        return e.sqlDescription
    }
}
