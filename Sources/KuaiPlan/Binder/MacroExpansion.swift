import KuaiCore
import KuaiExec
import KuaiFormat
import KuaiSQL

/// A macro as the binder expands it (DuckDB 2.0.1's `CREATE MACRO`): its parameters, their defaults and
/// its parsed body. A call is replaced by the body with each parameter replaced by its argument before the
/// query is bound, so a macro costs nothing while rows flow.
public struct MacroDefinition: Sendable {
    /// The body: an expression (a scalar macro, called in expressions) or a query (a table macro, called
    /// in FROM).
    public enum Body: Sendable {
        case scalar(Expr)
        case table(Query)
    }
    public var name: String
    public var parameters: [String]
    /// Per parameter, its default value (a constant expression) or nil.
    public var defaults: [Expr?]
    public var body: Body

    public var isTable: Bool {
        if case .table = body { return true }
        return false
    }

    /// The definition of `CREATE MACRO` statement `m`.
    public init(_ m: CreateMacroStatement) {
        name = m.name.name
        parameters = m.parameters.map(\.name)
        defaults = m.parameters.map(\.defaultValue)
        switch m.body {
        case .scalar(let e): body = .scalar(e)
        case .table(let q): body = .table(q)
        }
    }

    /// The definition a store keeps (`MacroDefinitionRecord`), its texts parsed again.
    /// - Throws: `KuaiError.binding` naming the macro when a text no longer parses.
    public init(_ r: MacroDefinitionRecord) throws {
        name = r.name
        parameters = r.parameters
        do {
            defaults = try r.defaults.map { try $0.map(Parser.parseExpression) }
            if r.isTable {
                guard case .select(let q) = try Parser.parse(r.sql) else {
                    throw KuaiError(.syntax, "the body is not a query")
                }
                body = .table(q)
            } else {
                body = .scalar(try Parser.parseExpression(r.sql))
            }
        } catch let e as KuaiError {
            throw KuaiError(.binding, "macro \"\(r.name)\" cannot be read: \(e.message)")
        }
    }

    /// The record a store keeps for `m` (its texts as written).
    static func record(_ m: CreateMacroStatement) -> MacroDefinitionRecord {
        var isTable = false
        if case .table = m.body { isTable = true }
        return MacroDefinitionRecord(
            name: m.name.name, isTable: isTable, parameters: m.parameters.map(\.name),
            defaults: m.parameters.map(\.defaultText), sql: m.bodyText)
    }

    /// `f(a, b := 5)`, as DuckDB lists a candidate macro in its error.
    var signature: String {
        name + "("
            + zip(parameters, defaults).map { p, d in d.map { "\(p) := \($0.sqlDescription)" } ?? p }.joined(
                separator: ", ") + ")"
    }
}

extension Catalog {
    /// Default: a catalog without macros.
    public var hasMacros: Bool { false }
    /// Default: no macro.
    public func lookupMacro(_ name: String, table: Bool) throws -> MacroDefinition? { nil }
}

extension Binder {
    /// `q` with its macro calls replaced by the macros' bodies (the arguments in place of the parameters),
    /// nested calls included; `q` itself when the catalog has no macro. Column names of select items that
    /// called a macro stay as written (`f(1)`), as DuckDB names them.
    /// - Throws: `KuaiError.binding` at the call for a wrong argument list (DuckDB: "Macro f() does not
    ///   support the supplied arguments"), a table macro called as a scalar, DISTINCT / FILTER / ORDER BY on a
    ///   macro call, and a macro that calls itself (DuckDB stops at its expression depth limit).
    static func expandingMacros(_ q: Query, _ catalog: Catalog) throws -> Query {
        guard catalog.hasMacros else { return q }
        let expanded = try MacroExpander(catalog: catalog, expanding: []).rewriter(keepingNames: true).query(q)
        expanded.mentionsRowId = nil  // a macro's body may name rowid: the binder reads the expanded text
        return expanded
    }
}

/// Replaces macro calls (see `Binder.expandingMacros`).
struct MacroExpander {
    let catalog: Catalog
    /// The macros whose bodies are being expanded, outermost first.
    let expanding: [String]
    /// Inside a macro's body: the position of the outermost call, which every node of the body takes.
    var at: SourcePosition? = nil

    /// DuckDB's limit is its expression depth (1000); a chain of macros this deep is a cycle in practice.
    static let maxNesting = 64

    func rewriter(keepingNames: Bool = false, position: SourcePosition? = nil) -> SyntaxRewriter {
        var r = SyntaxRewriter()
        r.replaceExpr = { e in try expand(e) }
        r.replaceTable = { t in try expandTable(t) }
        r.keepItemNames = keepingNames
        if let position { r.position = { _ in position } }
        return r
    }

    /// A scalar macro call replaced by its body; nil for any other expression.
    func expand(_ e: Expr) throws -> Expr? {
        guard case .function(var f) = e else { return nil }
        f.position = at ?? f.position
        guard let m = try catalog.lookupMacro(f.name, table: false) else {
            if try catalog.lookupMacro(f.name, table: true) != nil { throw tableMacroInExpression(f) }
            return nil
        }
        if f.distinct || f.filter != nil || !f.orderBy.isEmpty || f.star {
            throw Binder.error(
                "function \"\(f.name)\" is a macro: DISTINCT, FILTER and ORDER BY apply to aggregate and window functions only",
                f.position)
        }
        let outer = rewriter()
        let values = try arguments(f.arguments, f.namedArguments, of: m, at: f.position, outer)
        guard case .scalar(let body) = m.body else { throw tableMacroInExpression(f) }
        var result = try substitute(values, into: try inner(m, f.position).rewriter(position: f.position).expr(body))
        if let over = f.over {
            // `m(x) OVER (...)` of a macro whose body is one aggregate call: the window applies to it (DuckDB)
            guard case .function(var g) = result, g.over == nil, AggregateRegistry.isAggregate(g.name) || g.star
            else {
                throw Binder.error("a window macro's body must be exactly one aggregate function", f.position)
            }
            g.over = try outer.window(over)
            result = .function(g)
        }
        return result
    }

    /// A table macro called in FROM replaced by its body as a subquery (`FROM t(3) AS x(a)`); nil for any
    /// other FROM item.
    func expandTable(_ t: TableRef) throws -> TableRef? {
        guard case .tableFunction(var f) = t, let name = f.name, let m = try catalog.lookupMacro(name, table: true),
            case .table(let body) = m.body
        else { return nil }
        f.position = at ?? f.position
        let values = try arguments(f.arguments, f.namedArguments, of: m, at: f.position, rewriter())
        let q = try inner(m, f.position).rewriter(position: f.position).query(body)
        return .subquery(
            try substituteQuery(values, into: q), alias: f.alias, columnNames: f.columnNames, position: f.position)
    }

    func tableMacroInExpression(_ f: FunctionCall) -> KuaiError {
        Binder.error(
            "function \"\(f.name)\" is a table macro: call it in FROM, as a table (FROM \(f.name)(...))", f.position)
    }

    /// The expander of `m`'s body.
    /// - Throws: `KuaiError.binding` when `m` is already being expanded (it calls itself) or the nesting is
    ///   too deep.
    func inner(_ m: MacroDefinition, _ at: SourcePosition) throws -> MacroExpander {
        let key = m.name.lowercased()
        let at = self.at ?? at
        if expanding.contains(key) || expanding.count >= Self.maxNesting {
            throw Binder.error(
                "macro \"\(m.name)\" calls itself (through \(expanding.joined(separator: " -> "))): the expansion never ends",
                at)
        }
        return MacroExpander(catalog: catalog, expanding: expanding + [key], at: at)
    }

    /// The value of each parameter (lower-cased name): the positional arguments in order, then the named
    /// ones, then the defaults; every argument expanded by `outer`.
    /// - Throws: `KuaiError.binding` at `position` for too many arguments, a named argument that is not a
    ///   parameter or repeats one already given, and a parameter without a value (DuckDB 2.0.1's errors).
    func arguments(
        _ positional: [Expr], _ named: [NamedArgument], of m: MacroDefinition, at position: SourcePosition,
        _ outer: SyntaxRewriter
    ) throws -> [String: Expr] {
        func unsupported() -> KuaiError {
            Binder.error(
                "macro \(m.name)() does not support the supplied arguments (candidate: \(m.signature))", position)
        }
        guard positional.count <= m.parameters.count else { throw unsupported() }
        var values: [String: Expr] = [:]
        for (p, a) in zip(m.parameters, positional) { values[p.lowercased()] = try outer.expr(a) }
        for a in named {
            guard m.parameters.contains(where: { $0.lowercased() == a.name }), values[a.name] == nil else {
                throw unsupported()
            }
            values[a.name] = try outer.expr(a.value)
        }
        for (p, d) in zip(m.parameters, m.defaults) where values[p.lowercased()] == nil {
            guard let d else { throw unsupported() }
            values[p.lowercased()] = try rewriter(position: position).expr(d)
        }
        return values
    }

    /// `e` with each unqualified column named like a parameter replaced by the parameter's value; a
    /// lambda's own parameters hide macro parameters of the same name inside its body.
    func substitute(_ values: [String: Expr], into e: Expr) throws -> Expr {
        try substitution(values).expr(e)
    }

    func substituteQuery(_ values: [String: Expr], into q: Query) throws -> Query {
        try substitution(values).query(q)
    }

    func substitution(_ values: [String: Expr]) -> SyntaxRewriter {
        var r = SyntaxRewriter()
        r.replaceExpr = { e in
            switch e {
            case .column(nil, let name, _): return values[name.lowercased()]
            case .lambda(let ps, let body, let p):
                var inner = values
                for x in ps { inner[x.lowercased()] = nil }
                return .lambda(parameters: ps, body: try substitute(inner, into: body), p)
            default: return nil
            }
        }
        return r
    }
}
