import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// DuckDB's function forms of `[NOT] [I]LIKE ... ESCAPE`.
    static let likeEscapeFunctions: [String: (negated: Bool, caseInsensitive: Bool)] = [
        "like_escape": (false, false), "not_like_escape": (true, false),
        "ilike_escape": (false, true), "not_ilike_escape": (true, true),
    ]

    /// `l op r`: NULL when either side is an untyped NULL; operands of different types are made comparable
    /// (`comparisonOperands`).
    func makeCompare(_ op: CompareOp, _ l: BoundExpr, _ r: BoundExpr, _ pos: SourcePosition, _ name: String) throws
        -> BoundExpr
    {
        if l.type == .null || r.type == .null { return BoundExpr.constant(.null, type: .boolean, name: name) }
        let (x, y) = try comparisonOperands(
            l, r, pos, name, castHint: true, equality: op == .equal || op == .notEqual)
        return BoundExpr(.compare(op, x, y), type: .boolean, name: name)
    }

    /// Two typed operands made comparable: a string constant is parsed as the other side's type; numbers
    /// compare across widths in the kernel; DATE vs TIMESTAMP are cast to their common type. For `equality`
    /// (`=`, `<>`, `IS [NOT] DISTINCT FROM`) a VARCHAR operand against another type is cast to that type, as
    /// DuckDB 2.0.1 binds it (`s = i` reads `s` as an INTEGER, a text that is not one is its conversion
    /// error); DuckDB refuses `<`, `<=`, `>`, `>=` between them, so kuai does too.
    /// - Throws: `KuaiError.binding` for types without a common type (`castHint` adds DuckDB's
    ///   "an explicit cast is required").
    func comparisonOperands(
        _ l: BoundExpr, _ r: BoundExpr, _ pos: SourcePosition, _ name: String, castHint: Bool, equality: Bool = false
    ) throws -> (BoundExpr, BoundExpr) {
        var x = l
        var y = r
        if x.type == y.type { return (x, y) }
        if isStringLiteral(y) && x.type != .varchar {
            y = try coerce(y, to: x.type, pos)
        } else if isStringLiteral(x) && y.type != .varchar {
            x = try coerce(x, to: y.type, pos)
        } else if let t = commonType(x.type, y.type) ?? (equality ? Binder.booleanBesideNumber(x.type, y.type) : nil) {
            // Integers and DOUBLE mix in the kernels; a DECIMAL side is cast to the common type.
            if !(x.type.isNumeric && y.type.isNumeric) || x.type.isDecimal || y.type.isDecimal {
                x = try coerce(x, to: t, pos)
                y = try coerce(y, to: t, pos)
            }
        } else if equality && x.type == .varchar {
            x = try coerce(x, to: y.type, pos)
        } else if equality && y.type == .varchar {
            y = try coerce(y, to: x.type, pos)
        } else {
            throw Binder.error(
                "cannot compare values of type \(x.type) and type \(y.type) in \(name)"
                    + (castHint ? " - an explicit cast is required" : ""), pos)
        }
        return (x, y)
    }

    /// `a [NOT] [I]LIKE p [ESCAPE e]`: `a` must be VARCHAR; the pattern and the escape must be constant strings
    /// (a NULL one makes the result NULL). The escape string is checked when rows are evaluated, as DuckDB does
    /// (`Kernels.like`).
    func bindLike(
        _ a: Expr, _ p: Expr, _ escape: Expr?, negated: Bool, caseInsensitive ci: Bool, _ pos: SourcePosition,
        _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        let x = try bind(a, ctx)
        let pat = try bind(p, ctx)
        let esc = try escape.map { try bind($0, ctx) }
        if x.type == .null { return BoundExpr.constant(.null, type: .boolean, name: name) }
        guard x.type == .varchar else {
            throw Binder.error("LIKE needs a VARCHAR operand, but \(a.sqlDescription) is \(x.type)", pos)
        }
        var escapeText: String? = nil
        if let esc, let escape {
            guard esc.type == .varchar || esc.type == .null else {
                throw Binder.error(
                    "the ESCAPE operand must be a string, but \(escape.sqlDescription) is \(esc.type)", escape.position)
            }
            switch esc.foldedValue {
            case .string(let e)?: escapeText = e
            case .null?: return BoundExpr.constant(.null, type: .boolean, name: name)
            default: throw Binder.error("the ESCAPE operand must be a constant string in \(name)", escape.position)
            }
        }
        guard case .string(let s)? = pat.foldedValue else {
            if pat.foldedValue?.isNull == true { return BoundExpr.constant(.null, type: .boolean, name: name) }
            throw Binder.error("the LIKE pattern must be a constant string in \(name)", p.position)
        }
        return
            BoundExpr(
                .like(x, pattern: s, negated: negated, caseInsensitive: ci, escape: escapeText), type: .boolean,
                name: name)
    }

    /// `x [NOT] BETWEEN lo AND hi` as `x >= lo AND x <= hi` (NOT around it).
    func bindBetween(
        _ a: Expr, _ lo: Expr, _ hi: Expr, negated: Bool, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        let x = try bind(a, ctx)
        let ge = try makeCompare(.greaterEqual, x, try bind(lo, ctx), pos, name)
        let le = try makeCompare(.lessEqual, x, try bind(hi, ctx), pos, name)
        let both =
            BoundExpr(
                .and([ge, le]), type: .boolean,
                name: negated ? "(\(a.sqlDescription) BETWEEN \(lo.sqlDescription) AND \(hi.sqlDescription))" : name
            )
        return negated ? BoundExpr(.not(both), type: .boolean, name: name) : both
    }

    func bindInList(
        _ a: Expr, _ list: [Expr], _ negated: Bool, _ pos: SourcePosition, _ name: String, _ ctx: ExprContext
    ) throws -> BoundExpr {
        let x = try bind(a, ctx)
        let items = try list.map { try bind($0, ctx) }
        return try makeInList(x, items, negated, pos, name)
    }

    func makeInList(_ x0: BoundExpr, _ items0: [BoundExpr], _ negated: Bool, _ pos: SourcePosition, _ name: String)
        throws -> BoundExpr
    {
        var x = x0
        if x.type == .null { return BoundExpr.constant(.null, type: .boolean, name: name) }
        var t = x.type
        for it in items0 where !(isStringLiteral(it) && x.type != .varchar) && it.type != .null {
            let u = literalAdaptedType(it, beside: x.type)
            // IN is `=`: a VARCHAR against another type is read as that type (`comparisonOperands`).
            guard
                let c = commonType(t, u) ?? Binder.booleanBesideNumber(t, u)
                    ?? (t == .varchar ? u : u == .varchar ? t : nil)
            else {
                throw Binder.error("cannot compare values of type \(x.type) and type \(it.type) in \(name)", pos)
            }
            t = c
        }
        if t != x.type { x = try coerce(x, to: t, pos) }
        let items = try items0.map { try coerce($0, to: t, pos) }
        if items.isEmpty { return BoundExpr.constant(.bool(negated), type: .boolean, name: name) }
        return BoundExpr(.inList(x, items, negated: negated), type: .boolean, name: name)
    }

    func requireBoolean(_ x: BoundExpr, _ e: Expr, _ what: String) throws {
        if x.type != .boolean && x.type != .null {
            throw Binder.error("\(what) needs a BOOLEAN operand, but \(e.sqlDescription) is \(x.type)", e.position)
        }
    }
}
