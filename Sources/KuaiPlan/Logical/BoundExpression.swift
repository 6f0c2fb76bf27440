import KuaiCore
import KuaiExec

/// The node kinds of a bound expression, generic over the type of its operands so that one `map`
/// serves every rewrite of the children (and the lowering into KuaiExec's `ScalarExpr.Kind`).
indirect enum ExprKind<Child> {
    /// Input column `index` of the plan node holding the expression.
    case column(Int)
    /// Column `index` of an enclosing query's scope, `depth` levels out (1 = the query directly around
    /// a correlated subquery). Decorrelation turns these into join conditions before planning ends.
    case outerColumn(depth: Int, index: Int)
    /// A constant (`Value` interpreted by the node's type: days for DATE, microseconds for TIMESTAMP).
    case constant(Value)
    case arithmetic(ArithmeticOp, Child, Child)
    case compare(CompareOp, Child, Child)
    /// Conjunction of two or more operands (three-valued logic).
    case and([Child])
    /// Disjunction of two or more operands (three-valued logic).
    case or([Child])
    case not(Child)
    /// Arithmetic negation.
    case negate(Child)
    case isNull(Child, negated: Bool)
    /// `a IS [NOT] DISTINCT FROM b`.
    case isDistinctFrom(Child, Child, negated: Bool)
    /// `x [NOT] IN (list)`; items have the type of `x`.
    case inList(Child, [Child], negated: Bool)
    /// `x [NOT] [I]LIKE pattern [ESCAPE escape]` with a constant pattern.
    case like(Child, pattern: String, negated: Bool, caseInsensitive: Bool, escape: String?)
    /// Searched CASE; `elseExpr` nil means ELSE NULL.
    case caseWhen([(when: Child, then: Child)], elseExpr: Child?)
    /// CAST to the node's type; `isTry` gives NULL instead of an error.
    case cast(Child, isTry: Bool)
    /// A scalar function from KuaiExec's `FunctionRegistry`; arguments already have its parameter types.
    case function(ScalarFunction, [Child])
    /// The result of window call `index` of the SELECT being bound: a placeholder the select binder
    /// replaces by a column once the window operators are placed.
    case windowCall(Int)
    /// An uncorrelated scalar subquery's value or `[NOT] EXISTS (subquery)`: planned, computed once
    /// per run before the physical planner lowers the expression (`SubqueryResolution`).
    case subquery(SubqueryPlan)
    /// `x [NOT] IN (subquery)`; the subquery's one column has the type of `x` (the binder casts both
    /// to their common type). Becomes an `inList` of the subquery's distinct values once it has run.
    case inSubquery(Child, SubqueryPlan, negated: Bool)

    /// The operands, in a fixed order (`map` visits them in the same order).
    var children: [Child] {
        switch self {
        case .column, .outerColumn, .constant, .windowCall, .subquery: return []
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .isDistinctFrom(let a, let b, _): return [a, b]
        case .and(let xs), .or(let xs): return xs
        case .not(let a), .negate(let a), .isNull(let a, _), .like(let a, _, _, _, _), .cast(let a, _),
            .inSubquery(let a, _, _):
            return [a]
        case .inList(let a, let xs, _): return [a] + xs
        case .caseWhen(let ws, let e): return ws.flatMap { [$0.when, $0.then] } + (e.map { [$0] } ?? [])
        case .function(_, let xs): return xs
        }
    }

    /// The same node with every operand replaced by `f(operand)`.
    func map<D>(_ f: (Child) throws -> D) rethrows -> ExprKind<D> {
        switch self {
        case .column(let i): return .column(i)
        case .outerColumn(let d, let i): return .outerColumn(depth: d, index: i)
        case .constant(let v): return .constant(v)
        case .windowCall(let k): return .windowCall(k)
        case .subquery(let q): return .subquery(q)
        case .inSubquery(let a, let q, let n): return .inSubquery(try f(a), q, negated: n)
        case .arithmetic(let op, let a, let b): return .arithmetic(op, try f(a), try f(b))
        case .compare(let op, let a, let b): return .compare(op, try f(a), try f(b))
        case .and(let xs): return .and(try xs.map(f))
        case .or(let xs): return .or(try xs.map(f))
        case .not(let a): return .not(try f(a))
        case .negate(let a): return .negate(try f(a))
        case .isNull(let a, let n): return .isNull(try f(a), negated: n)
        case .isDistinctFrom(let a, let b, let n): return .isDistinctFrom(try f(a), try f(b), negated: n)
        case .inList(let a, let xs, let n): return .inList(try f(a), try xs.map(f), negated: n)
        case .like(let a, let p, let n, let ci, let e):
            return .like(try f(a), pattern: p, negated: n, caseInsensitive: ci, escape: e)
        case .caseWhen(let ws, let e):
            return .caseWhen(try ws.map { (try f($0.when), try f($0.then)) }, elseExpr: try e.map(f))
        case .cast(let a, let t): return .cast(try f(a), isTry: t)
        case .function(let fn, let xs): return .function(fn, try xs.map(f))
        }
    }
}

/// A bound, typed scalar expression of the logical plan: what the binder builds and the optimizer
/// rewrites. Every name and type is resolved (DuckDB's rules, Binder/TypeRules.swift); `name` is the
/// expression as DuckDB prints it as a result column name (`(x + 1)`, `count_star()`).
///
/// A plain value: it holds no state of a run. The physical planner lowers it into KuaiExec's
/// `ScalarExpr` (`lowered()`), which carries the caches of evaluation, once per physical plan.
struct BoundExpr: CustomStringConvertible {
    typealias Kind = ExprKind<BoundExpr>
    let kind: Kind
    let type: DataType
    let name: String
    /// Every input column the expression reads (sorted, distinct).
    let referencedColumns: [Int]

    init(_ kind: Kind, type: DataType, name: String) {
        self.kind = kind
        self.type = type
        self.name = name
        if case .column(let i) = kind {
            referencedColumns = [i]
        } else {
            let kids = kind.children
            referencedColumns =
                kids.count == 1 ? kids[0].referencedColumns : Set(kids.flatMap(\.referencedColumns)).sorted()
        }
    }

    /// A column reference.
    static func column(_ index: Int, type: DataType, name: String) -> BoundExpr {
        BoundExpr(.column(index), type: type, name: name)
    }

    /// A constant, named as DuckDB prints the literal unless `name` is given.
    static func constant(_ value: Value, type: DataType, name: String? = nil) -> BoundExpr {
        BoundExpr(.constant(value), type: type, name: name ?? ScalarExpr.literalText(value, type: type))
    }

    /// References to every column of `schema`, in order.
    static func columns(of schema: Schema) -> [BoundExpr] {
        schema.enumerated().map { BoundExpr.column($0.offset, type: $0.element.type, name: $0.element.name) }
    }

    var description: String { name }

    /// True for a column, an outer column or a constant, possibly cast without TRY: values that
    /// cannot raise an error while rows are evaluated (a failing CAST of a constant fails at binding).
    var isPlainOperand: Bool {
        switch kind {
        case .column, .outerColumn, .constant: return true
        case .cast(let a, let isTry):
            guard a.isPlainOperand else { return false }
            if isTry || a.constantValue != nil { return true }
            // widening an integer or a date cannot fail
            let wider: [DataType] = [.bigint, .hugeint, .double]
            return (a.type.isInteger && wider.contains(type)) || (a.type == .date && type == .timestamp)
        default: return false
        }
    }

    var children: [BoundExpr] { kind.children }

    /// The constant value when this is a constant node.
    var constantValue: Value? {
        if case .constant(let v) = kind { return v }
        return nil
    }

    /// The input column when this is a bare column reference.
    var columnIndex: Int? {
        if case .column(let i) = kind { return i }
        return nil
    }

    /// The conjuncts of a predicate (`a AND b AND c` -> [a, b, c]).
    var conjuncts: [BoundExpr] {
        if case .and(let xs) = kind { return xs.flatMap(\.conjuncts) }
        return [self]
    }

    /// The expression with the conjuncts shared by every operand of its top-level OR taken out of it:
    /// `(a AND b) OR (a AND c)` is `a AND (b OR c)`, and `a OR (a AND b)` is `a` (DuckDB's distributivity
    /// rule; both identities hold in three-valued logic). A join condition written that way keeps its
    /// equalities as hash keys instead of a nested-loop join. Unchanged when no conjunct is shared or the
    /// expression reads a subquery or a function whose value differs between calls (`random()`).
    var factoringSharedConjuncts: BoundExpr {
        guard case .or(let operands) = kind, operands.count >= 2 else { return self }
        let unstable = contains {
            switch $0.kind {
            case .subquery, .inSubquery, .windowCall: return true
            case .function(let f, _): return !f.deterministic
            default: return false
            }
        }
        if unstable { return self }
        let lists = operands.map(\.conjuncts)
        let keySets = lists.map { Set($0.map(\.structuralKey)) }
        var shared: [BoundExpr] = []
        var sharedKeys = Set<String>()
        for c in lists[0] where keySets.dropFirst().allSatisfy({ $0.contains(c.structuralKey) }) {
            if sharedKeys.insert(c.structuralKey).inserted { shared.append(c) }
        }
        if shared.isEmpty { return self }
        var rest: [BoundExpr] = []
        for l in lists {
            let r = l.filter { !sharedKeys.contains($0.structuralKey) }
            if r.isEmpty { return BoundExpr.and(shared) }  // a OR (a AND b) is a
            rest.append(BoundExpr.and(r))
        }
        return BoundExpr.and(shared + [BoundExpr(.or(rest), type: .boolean, name: name)])
    }

    /// The conjunction of `parts` (a single part is itself), named `a AND b AND ...`.
    static func and(_ parts: [BoundExpr]) -> BoundExpr {
        if parts.count == 1 { return parts[0] }
        return BoundExpr(.and(parts), type: .boolean, name: parts.map(\.name).joined(separator: " AND "))
    }

    /// A copy with every node rewritten bottom-up by `f` (children first, then the node itself).
    func transformed(_ f: (BoundExpr) throws -> BoundExpr) rethrows -> BoundExpr {
        let kids = children
        let node = kids.isEmpty ? self : BoundExpr(try kind.map { try $0.transformed(f) }, type: type, name: name)
        return try f(node)
    }

    /// True when some node satisfies `test`.
    func contains(where test: (BoundExpr) -> Bool) -> Bool {
        if test(self) { return true }
        return children.contains { $0.contains(where: test) }
    }

    /// A copy with every column index `i` replaced by `map(i)`.
    func remapColumns(_ map: (Int) -> Int) -> BoundExpr {
        if referencedColumns.isEmpty { return self }
        return transformed { e in
            if case .column(let i) = e.kind { return BoundExpr(.column(map(i)), type: e.type, name: e.name) }
            return e
        }
    }

    /// True when the expression reads a column of an enclosing query.
    var referencesOuterColumns: Bool {
        contains {
            if case .outerColumn = $0.kind { return true }
            return false
        }
    }

    /// True when the expression reads a column of its own input.
    var referencesInnerColumns: Bool { !referencedColumns.isEmpty }

    /// A copy where the outer columns of depth 1 become input columns (`outerColumn(1, i)` -> `column(i)`):
    /// the outer side of a correlation, evaluated over the outer query's rows.
    func outerColumnsAsInput() -> BoundExpr {
        transformed { e in
            if case .outerColumn(1, let i) = e.kind { return BoundExpr(.column(i), type: e.type, name: e.name) }
            return e
        }
    }

    /// A structural key: equal keys mean equal expressions (used to match GROUP BY items and to share
    /// window arguments).
    var structuralKey: String {
        let kids = children
        let args = kids.isEmpty ? "" : "(" + kids.map(\.structuralKey).joined(separator: ",") + ")"
        return nodeKey + args + ":\(type)"
    }

    /// The node's own fields as text (its children are added by `structuralKey`).
    private var nodeKey: String {
        switch kind {
        case .column(let i): return "#\(i)"
        case .outerColumn(let d, let i): return "outer\(d)#\(i)"
        case .constant(let v): return "c(\(v))"
        case .windowCall(let k): return "window#\(k)"
        case .subquery(let q): return "subquery#\(q.id)"
        case .inSubquery(_, let q, let n): return "insubquery#\(q.id)\(n)"
        case .arithmetic(let op, _, _): return op.rawValue
        case .compare(let op, _, _): return "cmp" + op.rawValue
        case .and: return "and"
        case .or: return "or"
        case .not: return "not"
        case .negate: return "neg"
        case .isNull(_, let n): return "isnull\(n)"
        case .isDistinctFrom(_, _, let n): return "distinct\(n)"
        case .inList(_, _, let n): return "in\(n)"
        case .like(_, let p, let n, let ci, let e): return "like(\(p.debugDescription),\(n),\(ci),\(e ?? "-"))"
        case .caseWhen(_, let e): return e == nil ? "case" : "case-else"
        case .cast(_, let t): return "cast\(t)"
        case .function(let f, _): return "f:" + f.name
        }
    }

    /// True when the expression can be evaluated without input rows: no column of its own input or of an
    /// outer query, no placeholder, no subquery (those run only when the query runs), no function
    /// whose value differs between calls (`random()`: a value per row).
    var isEvaluableWithoutInput: Bool {
        referencedColumns.isEmpty
            && !contains {
                switch $0.kind {
                case .outerColumn, .windowCall, .subquery, .inSubquery: return true
                case .function(let f, _): return !f.deterministic
                default: return false
                }
            }
    }

    /// The value when the expression is a constant or computes one without input (`'a' || 'b'`, `-2.5`);
    /// nil otherwise, or when computing it fails. The binder's rules that depend on a constant operand use
    /// this; the tree itself is folded by the optimizer (`ConstantFolding`).
    var foldedValue: Value? {
        if let v = constantValue { return v }
        guard isEvaluableWithoutInput else { return nil }
        return try? evaluateConstant()
    }

    /// The value of an expression without inputs (see `isEvaluableWithoutInput`).
    /// - Throws: `KuaiError.execution` when evaluation fails (overflow, a failed cast), when the
    ///   expression reads columns, or when it is a LIST.
    func evaluateConstant() throws -> Value {
        guard isEvaluableWithoutInput else {
            throw KuaiError(.execution, "\(name) is not a constant expression")
        }
        // a LIST has no `Value`: list expressions are evaluated per batch, never folded
        if type.isNested {
            throw KuaiError(.execution, "\(name) is a nested value (LIST, STRUCT or MAP), not a constant value")
        }
        return try lowered().evaluateConstant()
    }

    /// The expression KuaiExec evaluates (a new object, with empty caches).
    /// - Precondition: no outer column or placeholder is left (the binder resolves them all), no subquery
    ///   (`QueryEngine.resolvingSubqueries` replaces them by their results).
    func lowered() -> ScalarExpr {
        let k: ScalarExpr.Kind
        switch kind.map({ $0.lowered() }) {
        case .column(let i): k = .column(i)
        case .constant(let v): k = .constant(v)
        case .arithmetic(let op, let a, let b): k = .arithmetic(op, a, b)
        case .compare(let op, let a, let b): k = .compare(op, a, b)
        case .and(let xs): k = .and(xs)
        case .or(let xs): k = .or(xs)
        case .not(let a): k = .not(a)
        case .negate(let a): k = .negate(a)
        case .isNull(let a, let n): k = .isNull(a, negated: n)
        case .isDistinctFrom(let a, let b, let n): k = .isDistinctFrom(a, b, negated: n)
        case .inList(let a, let xs, let n): k = .inList(a, xs, negated: n)
        case .like(let a, let p, let n, let ci, let e):
            k = .like(a, pattern: p, negated: n, caseInsensitive: ci, escape: e)
        case .caseWhen(let ws, let e): k = .caseWhen(ws, elseExpr: e)
        case .cast(let a, let t): k = .cast(a, isTry: t)
        case .function(let f, let xs): k = .function(f, xs)
        case .outerColumn, .windowCall, .subquery, .inSubquery:
            preconditionFailure("\(name): an unresolved reference or subquery reached the executor")
        }
        return ScalarExpr(k, type: type, name: name)
    }
}

/// An uncorrelated subquery inside an expression (`ExprKind.subquery`, `.inSubquery`): its plan, what the
/// expression takes of its rows, and where it was written (for its error).
struct SubqueryPlan {
    /// What the expression takes of the subquery's rows (DuckDB's subquery types).
    enum Use: Equatable {
        /// The one value of the one column: NULL for no row; more than one row is an error.
        case scalar
        /// Whether there is a row (`negated`: NOT EXISTS).
        case exists(negated: Bool)
        /// The distinct values of the one column (IN).
        case values
    }

    /// Numbered per statement, as shared CTEs (EXPLAIN prints `Subquery #id`).
    let id: Int
    let use: Use
    /// The subquery's plan (optimized with the query: `Optimizer.optimize` recurses into it).
    var plan: LogicalPlan
    /// The subquery's place in the statement, as KuaiError locations print it.
    let position: String
}
