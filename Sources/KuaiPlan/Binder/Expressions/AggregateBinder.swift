import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// An aggregate call of an aggregate query: recorded in `ac` (an equal call once) and referenced as its
    /// output column after the aggregation (keys first, then aggregates). Arguments, ORDER BY terms and FILTER
    /// bind over the pre-aggregation columns; aggregates do not nest.
    /// - Throws: `KuaiError.binding` for nested aggregates, a missing argument, non-constant parameters, or
    ///   no matching aggregate.
    /// In a LATERAL subquery, an aggregate whose arguments read outer columns and none of the subquery's
    /// own would aggregate the outer query's rows: DuckDB's binding error "LATERAL join cannot contain
    /// aggregates".
    func refuseOuterAggregate(_ f: FunctionCall, _ ac: AggregateContext) throws {
        let ctx = ExprContext(scope: ac.preScope, aggregate: nil, clause: "aggregate \(f.name)")
        let args = f.arguments.compactMap { try? bind($0, ctx) }
        guard args.count == f.arguments.count, args.contains(where: \.referencesOuterColumns),
            !args.contains(where: \.referencesInnerColumns)
        else { return }
        throw Binder.error("LATERAL join cannot contain aggregates", f.position)
    }

    func bindAggregateCall(_ call: FunctionCall, _ ac: AggregateContext) throws -> BoundExpr {
        var f = call
        var keyCall = call
        keyCall.over = nil
        let key = keyCall.sqlDescription
        let name = f.sqlDescription
        if let i = ac.aggregates.firstIndex(where: { $0.key == key }) {
            if ac.nullTypedKeys.contains(key) { return BoundExpr.constant(.null, type: .null, name: name) }
            return BoundExpr.column(ac.keys.count + i, type: ac.aggregates[i].function.returnType, name: name)
        }
        if lateral { try refuseOuterAggregate(f, ac) }
        if let top = try bindTopStrings(f, ac) { return top }
        if let agg = try bindDistinctStringAgg(f, ac) { return agg }
        // DuckDB's ordered-set form: `quantile_cont(0.5 ORDER BY x)`, which is also what the parser
        // makes of `percentile_cont(0.5) WITHIN GROUP (ORDER BY x)`, is the quantile 0.5 of x, and
        // ORDER BY x DESC counts the fraction from the largest value. Bound as quantile_cont(x, 0.5)
        // (the name stays DuckDB's printed form).
        var fromTop = false
        if f.name == "quantile_cont" || f.name == "quantile_disc", f.arguments.count == 1, f.orderBy.count == 1,
            !f.distinct
        {
            fromTop = !f.orderBy[0].ascending
            f.arguments = [f.orderBy[0].expr, f.arguments[0]]
            f.orderBy = []
        } else if f.name == "quantile_cont" || f.name == "quantile_disc", f.arguments.count == 2,
            f.orderBy.count == 1
        {
            // `quantile_cont(x, q ORDER BY k DESC)`: DuckDB 2.0.1 takes any one DESC key (whatever its
            // expression) as "count the fraction from the largest value"; two or more keys, an ASC key, and
            // the `quantile` spelling leave the quantile as it is.
            fromTop = !f.orderBy[0].ascending
            f.orderBy = []
        }
        // DuckDB refuses `string_agg(x, ',' ORDER BY 'a')` as it refuses the query's `ORDER BY 'a'`.
        for o in f.orderBy { try Self.refuseNonIntegerLiteral(o.expr) }
        // (a correlated subquery in an argument or FILTER joins onto the rows before the aggregation)
        var inner = ExprContext(scope: ac.preScope, aggregate: nil, clause: "aggregate \(f.name)")
        inner.correlation = ac.correlation
        for a in f.arguments where Binder.containsAggregate(a) {
            throw Binder.error("aggregate function calls cannot be nested", a.position)
        }
        var argument: BoundExpr? = nil
        var keepsNullType = false
        let function: AggregateFunction
        var order: [BoundExpr] = []
        if f.star && f.name != "count" && f.name != "count_star" {
            // DuckDB 2.0.1 reads `sum(*)` as sum() with no argument: only count takes `*`.
            throw Binder.error(
                "No function matches the given name and argument types '\(f.name)()'. You might need to add explicit type casts.",
                f.position)
        }
        if (f.name == "quantile" || f.name == "quantile_disc") && f.arguments.count == 1 && !f.star {
            throw Binder.error("QUANTILE requires a range argument between [0, 1]", f.position)
        }
        if f.star || (f.name == "count" && f.arguments.isEmpty) {
            function = AggregateRegistry.resolve("count_star", nil)!
        } else if f.name == "count", f.arguments.count == 1, case .row = f.arguments[0] {
            (function, order) = try bindCountOfRow(f, inner)
        } else {
            let bound = try bindAggregateArguments(f, inner, fromTop: fromTop, name: name)
            (function, order) = (bound.function, bound.order)
            argument = bound.argument
            // (a list result, `min(NULL, 2)`, is DuckDB's "NULL"[]: not this rule)
            keepsNullType =
                bound.nullTyped && Self.nullTypedAggregates.contains(f.name) && bound.function.returnType == .integer
        }
        var filterContext = ExprContext(scope: ac.preScope, aggregate: nil, clause: "FILTER")
        filterContext.correlation = ac.correlation
        let filter = try f.filter.map { try bindBoolean($0, filterContext) }
        ac.aggregates.append((key, f, function, argument, filter, name, order))
        // DuckDB: these aggregates of an argument of its NULL type are of that type (typeof '"NULL"'); the
        // aggregate stays in the plan (one row without GROUP BY), its value is NULL in every group
        if keepsNullType {
            ac.nullTypedKeys.insert(key)
            return BoundExpr.constant(.null, type: .null, name: name)
        }
        return BoundExpr.column(ac.keys.count + ac.aggregates.count - 1, type: function.returnType, name: name)
    }

    /// The aggregates whose result has DuckDB's NULL type when their (first) argument has it (`min(NULL)`,
    /// `max(c)` of a set operation's NULL column), as DuckDB 2.0.1 types them.
    static let nullTypedAggregates: Set<String> = [
        "min", "max", "first", "last", "any_value", "arbitrary", "mode", "arg_min", "arg_max", "min_by", "max_by",
        "argmin", "argmax", "quantile_disc", "quantile",
    ]

    /// The names of arg_max / arg_min and their synonyms that take an n (DuckDB 2.0.1's `arg_max(x, y, n)`).
    static let topNArgAggregates: Set<String> = ["arg_max", "max_by", "argmax", "arg_min", "min_by", "argmin"]

    /// min(x, n) / max(x, n) of a VARCHAR x, or of another type whose values are not one word (HUGEINT,
    /// INTERVAL, lists), and arg_max / arg_min(x, y, n) where x or y is such a type (n a positive integer
    /// constant below 1,000,000): the n smallest / largest values (the x of the rows of smallest / largest y),
    /// best first, NULLs skipped (rows where x or y is NULL), NULL for a group without values (DuckDB 2.0.1),
    /// bound as `list_slice(list(x ORDER BY y [DESC]) FILTER (WHERE x IS NOT NULL AND y IS NOT NULL [AND
    /// filter]), 1, n)`; nil for another call (one-word types are `AggregateRegistry.topValues` /
    /// `argTopN`'s bounded heaps). Rows with equal y keep their input order here, where DuckDB's heap may
    /// order them otherwise.
    func bindTopStrings(_ f: FunctionCall, _ ac: AggregateContext) throws -> BoundExpr? {
        let isArg = Self.topNArgAggregates.contains(f.name)
        guard f.name == "min" || f.name == "max" || isArg, f.arguments.count == (isArg ? 3 : 2), !f.distinct,
            !f.star, case .literal(.integer(let n), _) = f.arguments.last!, n > 0, n < 1_000_000
        else { return nil }
        var ctx = ExprContext(scope: ac.preScope, aggregate: nil, clause: "aggregate \(f.name)")
        ctx.correlation = ac.correlation
        let (x, pos) = (f.arguments[0], f.position)
        let y = isArg ? f.arguments[1] : x
        guard !Binder.containsAggregate(x), !Binder.containsAggregate(y) else { return nil }
        let types = [try bind(x, ctx).type, try bind(y, ctx).type]
        guard !types.contains(.null), types.contains(where: { !AggregateRegistry.topNWordType($0) }) else {
            return nil
        }
        if types[1] == .interval {
            // DuckDB 2.0.1 orders these by the interval's parts as stored (30 hours before 1 day), not as its
            // ORDER BY compares intervals
            throw Binder.error(
                "\(f.name)(..., n) ordered by an INTERVAL is not provided (DuckDB orders the parts unnormalized)", pos)
        }
        var list = FunctionCall(name: "list", arguments: [x], position: pos)
        let descending = f.name == "max" || ["arg_max", "max_by", "argmax"].contains(f.name)
        list.orderBy = [OrderItem(expr: y, ascending: !descending)]
        var present = Expr.isNull(x, negated: true, pos)
        if isArg { present = .binary(.and, present, .isNull(y, negated: true, pos), pos) }
        list.filter = f.filter.map { .binary(.and, $0, present, pos) } ?? present
        let slice = FunctionCall(
            name: "list_slice", arguments: [.function(list), .literal(.integer(1), pos), .literal(.integer(n), pos)],
            position: pos)
        ctx.aggregate = ac
        let b = try bind(.function(slice), ctx)
        return BoundExpr(b.kind, type: b.type, name: f.sqlDescription)
    }

    /// `string_agg(DISTINCT x, sep ORDER BY x)` of a non-VARCHAR x: the distinct values in x's own order
    /// (9 before 10), as DuckDB sorts them, bound as `array_to_string(list(DISTINCT x ORDER BY x) FILTER
    /// (WHERE x IS NOT NULL [AND filter]), sep)` (NULL without values); nil for another call.
    func bindDistinctStringAgg(_ f: FunctionCall, _ ac: AggregateContext) throws -> BoundExpr? {
        guard ["string_agg", "group_concat", "listagg"].contains(f.name), f.distinct, !f.star,
            f.arguments.count == 1 || f.arguments.count == 2, f.orderBy.count == 1,
            f.orderBy[0].expr.sqlDescription == f.arguments[0].sqlDescription
        else { return nil }
        // `ORDER BY NULL` (the argument's own text) is still DuckDB's "non-integer literal" error
        try Binder.refuseNonIntegerLiteral(f.orderBy[0].expr)
        var ctx = ExprContext(scope: ac.preScope, aggregate: nil, clause: "aggregate \(f.name)")
        ctx.correlation = ac.correlation
        guard !Binder.containsAggregate(f.arguments[0]) else { return nil }
        let type = try bind(f.arguments[0], ctx).type
        if type == .varchar { return nil }
        // an argument of DuckDB's NULL type (`age || NULL`) is NULL in every row: no value to join
        if type == .null { return BoundExpr.constant(.null, type: .varchar, name: f.sqlDescription) }
        let (x, pos) = (f.arguments[0], f.position)
        var list = FunctionCall(name: "list", arguments: [x], position: pos)
        list.distinct = true
        list.orderBy = f.orderBy
        let present = Expr.isNull(x, negated: true, pos)
        list.filter = f.filter.map { .binary(.and, $0, present, pos) } ?? present
        let sep = f.arguments.count == 2 ? f.arguments[1] : .literal(.string(","), pos)
        let joined = FunctionCall(name: "array_to_string", arguments: [.function(list), sep], position: pos)
        ctx.aggregate = ac
        let b = try bind(.function(joined), ctx)
        return BoundExpr(b.kind, type: b.type, name: f.sqlDescription)
    }

    /// `count((a, b))`: a row value is never NULL, so this counts rows; `count(DISTINCT (a, b))` counts
    /// distinct row values (NULL members included, NULL matching NULL), as DuckDB does. Returns the
    /// aggregate and, for DISTINCT, the row's non-constant members (its "order" inputs).
    func bindCountOfRow(_ f: FunctionCall, _ inner: ExprContext) throws -> (AggregateFunction, [BoundExpr]) {
        if f.distinct, !f.orderBy.isEmpty,
            !(f.orderBy.count == 1 && f.orderBy[0].expr.sqlDescription == f.arguments[0].sqlDescription)
        {
            throw Binder.error("in an aggregate with DISTINCT, ORDER BY must be the aggregated expression", f.position)
        }
        // Names and types must bind; constant members do not change which rows are equal; nested rows flatten.
        let members = try Binder.rowMembers(f.arguments[0]).map { try bind($0, inner) }
        guard f.distinct else { return (AggregateRegistry.resolve("count_star", nil)!, []) }
        let order = members.filter { $0.foldedValue == nil }
        return (AggregateRegistry.countDistinctRows(order.map(\.type)), order)
    }

    /// An aggregate over its first argument, with constant parameters after it (`quantile_cont(x, 0.5)`,
    /// `string_agg(x, ',')`) and ORDER BY terms where the aggregate's result depends on order.
    func bindAggregateArguments(_ f: FunctionCall, _ inner: ExprContext, fromTop: Bool, name: String) throws -> (
        function: AggregateFunction, argument: BoundExpr, order: [BoundExpr], nullTyped: Bool
    ) {
        guard !f.arguments.isEmpty else {
            throw Binder.error("\(f.name)() needs an argument", f.position)
        }
        var arg = try bind(f.arguments[0], inner)
        let nullTyped = arg.type == .null
        if arg.type == .null && f.name != "count" {
            // The NULL literal as DuckDB resolves it: BOOLEAN for the boolean aggregates, BIGINT for the bit
            // aggregates (bool_and(NULL) is a NULL BOOLEAN, bit_or(NULL) a NULL BIGINT), else INTEGER.
            let t: DataType =
                ["bool_and", "bool_or", "count_if", "countif"].contains(f.name)
                ? .boolean : ["bit_and", "bit_or", "bit_xor"].contains(f.name) ? .bigint : .integer
            arg = BoundExpr.constant(.null, type: t, name: arg.name)
        }
        if AggregateRegistry.twoColumnAggregates.contains(f.name) {
            let two = try bindTwoColumnAggregate(f, arg, inner, name: name)
            return (two.function, two.argument, two.order, nullTyped)
        }
        var parameters: [Value] = []
        var listParameter = false
        var constants = Array(f.arguments.dropFirst())
        if constants.count == 1, ["quantile_cont", "quantile_disc", "quantile"].contains(f.name),
            case .function(let list) = constants[0], list.name.lowercased() == "list_value"
        {
            // quantile_cont(x, [0.25, 0.5]): a list of fractions, one result element each (DuckDB)
            listParameter = true
            constants = list.arguments
        }
        for p in constants {
            let b = try decimalAsDouble(try bind(p, inner), p.position)
            guard b.referencedColumns.isEmpty, let v = try? b.evaluateConstant() else {
                throw Binder.error("argument \(p.sqlDescription) of \(f.name) must be a constant", p.position)
            }
            parameters.append(v)
        }
        var order: [BoundExpr] = []
        var orderKeys: [SortKey] = []
        for (k, o) in f.orderBy.enumerated() {
            order.append(try bind(o.expr, inner))
            orderKeys.append(SortKey(column: k, ascending: o.ascending, nullsFirst: o.nullsFirst ?? false))
        }
        if f.name == "string_agg" || f.name == "group_concat" || f.name == "listagg" {
            arg = try toVarchar(arg, f.position)
        }
        if arg.type.isDecimal && f.name == "mad" {
            // DuckDB's mad of a DECIMAL is a DECIMAL: not provided (read as DOUBLE it would change the type)
            throw Binder.error("mad() of a DECIMAL is not provided; cast the value to DOUBLE", f.position)
        }
        if arg.type.isDecimal && !Binder.decimalAggregates.contains(f.name) {
            // The statistical aggregates compute on DOUBLE, as DuckDB's do for DECIMAL input.
            arg = try coerce(arg, to: .double, f.position)
        }
        guard
            let fn = AggregateRegistry.resolve(
                f.name, arg.type, parameters: parameters, orderKeys: orderKeys, orderTypes: order.map(\.type),
                fromTop: fromTop, listParameter: listParameter)
        else {
            if listParameter, parameters.contains(where: \.isNull) {
                throw Binder.error("QUANTILE parameter cannot be NULL", f.position)
            }
            let signature = ([arg.type.description] + parameters.map { "\($0)" }).joined(separator: ", ")
            throw Binder.error("no function matches \(f.name)(\(signature)) in \(name)", f.position)
        }
        if !order.isEmpty && !fn.ordered {
            order = []  // ORDER BY does not change min/max/sum/count
        }
        if f.distinct && !order.isEmpty && !(f.orderBy.count == 1 && order[0].structuralKey == arg.structuralKey) {
            throw Binder.error("in an aggregate with DISTINCT, ORDER BY must be the aggregated expression", f.position)
        }
        return (fn, arg, f.distinct ? [] : order, nullTyped)
    }

    /// arg_max(x, y), corr(y, x) and the other `AggregateRegistry.twoColumnAggregates`: the second
    /// argument is the aggregate's one order column (any ORDER BY in the call does not change them).
    func bindTwoColumnAggregate(_ f: FunctionCall, _ first: BoundExpr, _ inner: ExprContext, name: String) throws -> (
        function: AggregateFunction, argument: BoundExpr, order: [BoundExpr]
    ) {
        guard f.arguments.count == 2 || (f.arguments.count == 3 && Self.topNArgAggregates.contains(f.name)) else {
            throw Binder.error("\(f.name)() takes two arguments", f.position)
        }
        if f.distinct { throw Binder.error("DISTINCT is not supported in \(f.name)", f.position) }
        var first = first
        var second = try bind(f.arguments[1], inner)
        if second.type == .null { second = BoundExpr.constant(.null, type: .integer, name: second.name) }
        // corr, covar_* and regr_* compute on DOUBLE (as DuckDB's); arg_max and the others order by a
        // DECIMAL as DOUBLE and return a DECIMAL value as it is.
        if AggregateRegistry.isCovariance(f.name) { first = try decimalAsDouble(first, f.position) }
        second = try decimalAsDouble(second, f.position)
        // arg_max(x, y, n): n a constant (its range is checked when rows arrive, as DuckDB does)
        var parameters: [Value] = []
        if f.arguments.count == 3 {
            let p = f.arguments[2]
            let b = try bind(p, inner)
            guard b.referencedColumns.isEmpty, let v = try? b.evaluateConstant() else {
                throw Binder.error("argument \(p.sqlDescription) of \(f.name) must be a constant", p.position)
            }
            // DuckDB's n is BIGINT: an integer type or NULL (a DECIMAL 2.5 matches no overload)
            guard b.type.isInteger || b.type == .null else {
                throw Binder.error(
                    "no function matches \(f.name)(\(first.type), \(second.type), \(b.type)) in \(name)", p.position)
            }
            parameters = [v]
        }
        guard
            let fn = AggregateRegistry.resolve(
                f.name, first.type, parameters: parameters, secondArgumentType: second.type)
        else {
            let n = parameters.map { ", \($0)" }.joined()
            throw Binder.error(
                "no function matches \(f.name)(\(first.type), \(second.type)\(n)) in \(name)", f.position)
        }
        return (fn, first, [second])
    }
}

extension Binder {
    /// The aggregates that take DECIMAL as it is (sum gives DECIMAL(38,s), avg DOUBLE, the others
    /// the argument's type); every other aggregate gets a DECIMAL argument as DOUBLE.
    static let decimalAggregates: Set<String> = [
        "sum", "avg", "mean", "min", "max", "any_value", "first", "arbitrary", "last", "count", "string_agg",
        "group_concat", "listagg", "median", "quantile_cont", "quantile_disc", "quantile", "mode", "list",
        "array_agg", "reservoir_quantile", "histogram",
    ]
}

extension Binder {
    /// `e` cast to DOUBLE when it is DECIMAL, else unchanged: for constants read as plain numbers
    /// (`Value` carries no scale: the DECIMAL 0.37 is the integer 37 beside its type).
    func decimalAsDouble(_ e: BoundExpr, _ pos: SourcePosition) throws -> BoundExpr {
        e.type.isDecimal ? try coerce(e, to: .double, pos) : e
    }
}
