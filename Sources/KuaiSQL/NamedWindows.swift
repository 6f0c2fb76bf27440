import KuaiCore

extension Expr {
    /// The expression with every sub-expression replaced by `f` of it, children first (`f` sees a node
    /// whose children are already rewritten). Subqueries are not entered; the expressions of a window
    /// specification (PARTITION BY, ORDER BY) and of an aggregate's ORDER BY and FILTER are.
    public func rewritten(_ f: (Expr) throws -> Expr) rethrows -> Expr {
        func r(_ e: Expr) throws -> Expr { try e.rewritten(f) }
        let node: Expr
        switch self {
        case .literal, .column, .exists, .scalarSubquery:
            node = self
        case .unary(let op, let a, let p): node = .unary(op, try r(a), p)
        case .binary(let op, let a, let b, let p): node = .binary(op, try r(a), try r(b), p)
        case .like(let a, let pattern, let escape, let negated, let ci, let p):
            node = .like(
                try r(a), pattern: try r(pattern), escape: try escape.map(r), negated: negated, caseInsensitive: ci, p)
        case .row(let xs, let p): node = .row(try xs.map(r), p)
        case .isNull(let a, let negated, let p): node = .isNull(try r(a), negated: negated, p)
        case .between(let a, let lo, let hi, let negated, let p):
            node = .between(try r(a), low: try r(lo), high: try r(hi), negated: negated, p)
        case .inList(let a, let xs, let negated, let p): node = .inList(try r(a), try xs.map(r), negated: negated, p)
        case .inSubquery(let a, let q, let negated, let p): node = .inSubquery(try r(a), q, negated: negated, p)
        case .quantified(let op, let a, let q, let all, let p): node = .quantified(op, try r(a), q, all: all, p)
        case .caseWhen(let operand, let whens, let elseExpr, let p):
            node = .caseWhen(
                operand: try operand.map(r), whens: try whens.map { (try r($0.when), try r($0.then)) },
                elseExpr: try elseExpr.map(r), p)
        case .cast(let a, let t, let isTry, let p): node = .cast(try r(a), t, isTry: isTry, p)
        case .extract(let field, let a, let p): node = .extract(field: field, try r(a), p)
        case .lambda(let ps, let body, let p): node = .lambda(parameters: ps, body: try r(body), p)
        case .function(var call):
            call.arguments = try call.arguments.map(r)
            call.orderBy = try call.orderBy.map { try $0.rewritten(f) }
            call.filter = try call.filter.map(r)
            if var over = call.over {
                over.partitionBy = try over.partitionBy.map(r)
                over.orderBy = try over.orderBy.map { try $0.rewritten(f) }
                call.over = over
            }
            node = .function(call)
        }
        return try f(node)
    }
}

extension OrderItem {
    /// The item with its expression rewritten by `Expr.rewritten(f)`.
    func rewritten(_ f: (Expr) throws -> Expr) rethrows -> OrderItem {
        var item = self
        item.expr = try expr.rewritten(f)
        return item
    }
}

extension SelectCore {
    /// Replaces each reference to a named window of the WINDOW clause (`OVER w`, `OVER (w ORDER BY x)`) in
    /// the select list, HAVING and QUALIFY by the window it stands for, as DuckDB's transformer does: the
    /// call's own PARTITION BY, ORDER BY and frame are added to the named window's, so an unaliased result
    /// column is named by the whole window (`row_number() OVER (PARTITION BY a ORDER BY b)`).
    /// A window of the WINDOW clause defined over another (`w2 AS (w1 ORDER BY x)`) is expanded first; its
    /// base must be defined before it.
    /// - Throws: `KuaiError.syntax` (DuckDB's parser errors) for a window that is not defined (or defined
    ///   after the window built on it), a PARTITION BY or ORDER BY given twice, and a call that adds to a
    ///   window with a frame.
    func expandNamedWindows() throws {
        guard !windows.isEmpty else { return }
        for i in windows.indices {
            guard let base = windows[i].spec.baseName else { continue }
            windows[i].spec = try window(named: base, extendedBy: windows[i].spec, among: i, at: position)
        }
        let expand: (Expr) throws -> Expr = { e in
            guard case .function(var call) = e, let over = call.over, let name = over.baseName else { return e }
            call.over = try self.window(named: name, extendedBy: over, at: call.position)
            return .function(call)
        }
        items = try items.map { item in
            guard case .expr(let e, let alias) = item else { return item }
            return .expr(try e.rewritten(expand), alias: alias)
        }
        having = try having?.rewritten(expand)
        qualify = try qualify?.rewritten(expand)
    }

    /// The named window `name` (among the first `among` windows of the clause, all when nil) with what
    /// `spec` (a reference to it) adds.
    private func window(
        named name: String, extendedBy spec: WindowSpec, among: Int? = nil, at position: SourcePosition
    ) throws -> WindowSpec {
        let candidates = windows.prefix(among ?? windows.count)
        guard var base = candidates.first(where: { $0.name.lowercased() == name.lowercased() })?.spec else {
            throw KuaiError(.syntax, "window \"\(name)\" does not exist", at: position.description)
        }
        let addsNothing = spec.partitionBy.isEmpty && spec.orderBy.isEmpty && spec.frame == nil
        func refuse(_ message: String) -> KuaiError { KuaiError(.syntax, message, at: position.description) }
        if !addsNothing && base.frame != nil {
            throw refuse("cannot copy window \"\(name)\" because it has a frame clause")
        }
        if !spec.partitionBy.isEmpty {
            guard base.partitionBy.isEmpty else {
                throw refuse("Cannot override PARTITION BY clause of window \"\(name)\"")
            }
            base.partitionBy = spec.partitionBy
        }
        if !spec.orderBy.isEmpty {
            guard base.orderBy.isEmpty else { throw refuse("Cannot override ORDER BY clause of window \"\(name)\"") }
            base.orderBy = spec.orderBy
        }
        if let frame = spec.frame { base.frame = frame }
        base.baseName = nil
        return base
    }
}
