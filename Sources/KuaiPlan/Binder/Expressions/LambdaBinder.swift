import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// The functions that take a lambda (`lambda x: body`) and their form.
    static let lambdaFunctions: [String: String] = [
        "list_transform": "list_transform", "array_transform": "list_transform", "apply": "list_transform",
        "list_apply": "list_transform", "array_apply": "list_transform", "list_filter": "list_filter",
        "array_filter": "list_filter", "filter": "list_filter", "list_reduce": "list_reduce",
        "array_reduce": "list_reduce", "reduce": "list_reduce",
    ]

    /// A call with a lambda argument (`list_transform(l, lambda x: x + 1)`); nil when no argument is a
    /// lambda. The body is bound with the parameters as extra columns after the scope's (a parameter
    /// hides a column of the same name), checked for lists like the rest of the plan (ListPlanCheck),
    /// and lowered to KuaiExec's `ScalarExpr` over (parameters, captured columns); the captured
    /// columns become arguments of the call, so the planner sees and prunes them as any argument.
    /// - Throws: `KuaiError.binding` for a lambda elsewhere than the second argument of a lambda
    ///   function, a wrong number of parameters, a body with a subquery, an aggregate or a window
    ///   call, or (in an aggregate query) a body that reads the query's columns.
    func bindLambdaCall(_ f: FunctionCall, _ name: String, _ ctx: ExprContext) throws -> BoundExpr? {
        func isLambda(_ e: Expr) -> Bool {
            if case .lambda = e { return true }
            return false
        }
        guard f.arguments.contains(where: isLambda) else { return nil }
        let pos = f.position
        if f.name == "list_comprehension" {
            // [expr FOR x IN l IF cond]: list_apply(list_filter(l, lambda x: cond), lambda x: expr)
            var source = f.arguments[0]
            if f.arguments.count == 3 {
                source = .function(
                    FunctionCall(name: "list_filter", arguments: [source, f.arguments[2]], position: pos))
            }
            let apply = FunctionCall(name: "list_apply", arguments: [source, f.arguments[1]], position: pos)
            return try bindLambdaCall(apply, name, ctx)
        }
        guard let form = Binder.lambdaFunctions[f.name] else {
            throw Binder.error("\(f.name)() does not take a lambda", pos)
        }
        let reduce = form == "list_reduce"
        guard f.arguments.count == 2 || (reduce && f.arguments.count == 3),
            case .lambda(let params, let body, _) = f.arguments[1]
        else {
            throw Binder.error("\(f.name)() takes a list and a lambda\(reduce ? " (and an initial value)" : "")", pos)
        }
        var list = try listArgument(try bind(f.arguments[0], ctx), f.name, pos)
        var element = list.type.listElement ?? .null
        let count = reduce ? 2 : 1
        guard params.count == count || params.count == count + 1 else {
            throw Binder.error("the lambda of \(f.name)() takes \(count) or \(count + 1) parameters", pos)
        }
        guard Set(params.map { $0.lowercased() }).count == params.count else {
            throw Binder.error("a lambda has two parameters named alike", pos)
        }
        var (b, outer) = try bindLambdaBody(
            body, params, reduce ? [element, element, .bigint] : [element, .bigint], ctx, pos)
        let resultType: DataType
        switch form {
        case "list_transform": resultType = .list(b.type)
        case "list_filter":
            b = try coerce(b, to: .boolean, pos)
            resultType = list.type
        default:
            // DuckDB: the accumulator and the elements take the common type of the elements and the body
            guard let t = commonType(element, b.type) else {
                throw Binder.error(
                    "list_reduce(): no common type of the elements (\(element)) and the lambda (\(b.type))", pos)
            }
            if t != element {
                element = t
                list = try coerce(list, to: .list(t), pos)
                (b, outer) = try bindLambdaBody(body, params, [t, t, .bigint], ctx, pos)
            }
            b = try coerce(b, to: element, pos)
            resultType = element
        }
        let base = outer
        let captured = Set(b.referencedColumns.filter { $0 < base }).sorted()
        let remapped = b.remapColumns { i in i >= base ? i - base : params.count + captured.firstIndex(of: i)! }
        var args = [list]
        if f.arguments.count == 3 { args.append(try coerce(try bind(f.arguments[2], ctx), to: element, pos)) }
        args += captured.map { BoundExpr.column($0, type: ctx.scope[$0].type, name: ctx.scope[$0].name) }
        let lambdaForm: ListLambda.Form =
            form == "list_transform"
            ? .transform : form == "list_filter" ? .filter : .reduce(hasInitial: f.arguments.count == 3)
        let lambda = ListLambda(form: lambdaForm, body: remapped.lowered(), parameters: params.count)
        let fn = ListFunctions.make(form, .lambda(lambda), args.map(\.type), resultType)
        return BoundExpr(.function(fn, args), type: resultType, name: name)
    }

    /// A lambda's body bound with `params` (of `types`, in order) as columns after those of the
    /// scope (none in an aggregate query, whose columns are not those of the rows the aggregate
    /// reads), a parameter hiding a column of the same name; returns the body and the number of
    /// scope columns before the parameters.
    /// - Throws: `KuaiError.binding` for a body with a subquery, an aggregate or a window call.
    func bindLambdaBody(
        _ body: Expr, _ params: [String], _ types: [DataType], _ ctx: ExprContext, _ pos: SourcePosition
    ) throws -> (BoundExpr, Int) {
        let names = Set(params.map { $0.lowercased() })
        let outer =
            ctx.aggregate != nil
            ? []
            : ctx.scope.map { c in
                names.contains(c.name.lowercased())
                    ? ScopeColumn(qualifier: c.qualifier, name: "\u{1}" + c.name, type: c.type) : c
            }
        var inner = ctx
        inner.scope = outer + params.enumerated().map { ScopeColumn(qualifier: nil, name: $1, type: types[$0]) }
        inner.aggregate = nil
        inner.window = nil
        inner.aliases = [:]
        let b = try bind(body, inner).transformed(ListPlanCheck.rewrittenWithSubqueries)
        let refused = b.contains {
            switch $0.kind {
            case .subquery, .inSubquery, .outerColumn, .windowCall: return true
            default: return false
            }
        }
        if refused { throw Binder.error("a lambda's body cannot hold a subquery or a window call", pos) }
        return (b, outer.count)
    }
}
