import KuaiCore
import KuaiExec
import KuaiSQL

/// One window function call of a SELECT, bound over the pre-window columns.
struct WindowCall {
    /// The call's text, which identifies equal calls.
    var key: String
    var partition: [BoundExpr] = []
    var order: [(expr: BoundExpr, ascending: Bool, nullsFirst: Bool)] = []
    var frame: KuaiExec.WindowFrame? = nil
    var kind: WindowFunction.Kind = .rowNumber
    var argument: BoundExpr? = nil
    /// lag/lead: rows back or ahead.
    var offset = 1
    /// lag/lead: the value where the row is outside the partition.
    var defaultValue: Value = .null
    var type: DataType = .bigint
    var name: String
    /// first_value / last_value / nth_value / lag / lead IGNORE NULLS.
    var ignoreNulls = false
    /// An aggregate's FILTER condition (BOOLEAN).
    var filter: BoundExpr? = nil
    /// Kind `.aggregate`: the aggregate, DISTINCT, its second argument or ORDER BY terms, and its
    /// text without OVER.
    var aggregate: AggregateFunction? = nil
    var distinct = false
    var aggregateOrder: [BoundExpr] = []
    var aggregateKey = ""
}

/// The window calls found while binding a SELECT. A call is referenced by the placeholder
/// `windowCall(k)` until the window operators are placed and the final column is known.
final class WindowContext {
    let named: [(name: String, spec: WindowSpec)]
    var calls: [WindowCall] = []
    init(named: [(name: String, spec: WindowSpec)]) { self.named = named }
}

extension Binder {
    /// A window function call `f(...) OVER (...)` of the select list, ORDER BY or QUALIFY: recorded in `wc`
    /// (an equal call is recorded once) and referenced by a `windowCall` placeholder until the select binder
    /// places the window operators. PARTITION BY, ORDER BY and arguments bind like the clause around the
    /// call, without window functions; a named window (`OVER w`) fills what the call leaves out.
    /// - Throws: `KuaiError.binding` for an unknown function or window name, DISTINCT or FILTER, arguments
    ///   of the wrong type and non-constant offsets.
    func bindWindowCall(_ f: FunctionCall, _ ctx: ExprContext, _ wc: WindowContext) throws -> BoundExpr {
        let name = f.sqlDescription
        if f.name == "lag" || f.name == "lead", f.arguments.count == 3, f.ignoreNulls != true,
            (try? bind(f.arguments[2], ExprContext(scope: [], aggregate: nil, clause: "lag/lead default"))) == nil
        {
            return try bindLagLeadRowDefault(f, ctx, wc)
        }
        if let i = wc.calls.firstIndex(where: { $0.key == name }) {
            return BoundExpr(.windowCall(i), type: wc.calls[i].type, name: name)
        }
        var inner = ctx
        inner.window = nil
        inner.clause = "window function \(f.name)"
        var spec = f.over!
        if let baseName = spec.baseName {
            guard let base = wc.named.first(where: { $0.name.lowercased() == baseName.lowercased() })?.spec else {
                throw Binder.error("window \"\(baseName)\" is not defined", f.position)
            }
            if spec.partitionBy.isEmpty { spec.partitionBy = base.partitionBy }
            if spec.orderBy.isEmpty { spec.orderBy = base.orderBy }
            if spec.frame == nil { spec.frame = base.frame }
        }
        var call = WindowCall(key: name, name: name)
        call.partition = try correlationPartition(ctx, at: f.position) + spec.partitionBy.map { try bind($0, inner) }
        call.order = try spec.orderBy.map {
            (expr: try bind($0.expr, inner), ascending: $0.ascending, nullsFirst: $0.nullsFirst ?? false)
        }
        let rangeKey = call.order.count == 1 ? call.order[0].expr.type : nil
        call.frame = try spec.frame.map { try bindFrame($0, rangeKeyType: rangeKey) }
        try bindWindowFunction(f, inner, &call)
        try bindWindowModifiers(f, inner, &call)
        call.type =
            call.aggregate?.returnType ?? WindowFunction.resultType(call.kind, argumentType: call.argument?.type)
        wc.calls.append(call)
        return BoundExpr(.windowCall(wc.calls.count - 1), type: call.type, name: name)
    }

    /// The partition a window of a correlated subquery starts with: the inner sides of its correlations, so
    /// that the window sees the rows of one outer row (the subquery is decorrelated into a join, which then
    /// matches each outer row with the partition of its key); the group key columns in an aggregate query.
    /// - Throws: `KuaiError.binding` for a correlation other than `=` and `IS NOT DISTINCT FROM` (the rows of
    ///   one outer row are then no partition).
    func correlationPartition(_ ctx: ExprContext, at pos: SourcePosition) throws -> [BoundExpr] {
        try correlations.map { c in
            guard c.isKey else {
                throw Binder.error(
                    "window functions in a correlated subquery support only equalities with the outer query; found \(c.text)",
                    pos)
            }
            guard let ac = ctx.aggregate, let k = ac.keyIndex[c.inner.structuralKey] else { return c.inner }
            return BoundExpr.column(k, type: c.inner.type, name: c.inner.name)
        }
    }

    /// `ROWS | RANGE | GROUPS BETWEEN start AND end`; offsets are non-negative integer constants (larger ones mean
    /// the same as UNBOUNDED and are clamped, keeping the frame arithmetic in range). A RANGE offset over one
    /// DATE, TIMESTAMP or TIMESTAMPTZ ORDER BY key (`rangeKeyType`) may also be an INTERVAL constant without
    /// months (`rangeIntervalOffset`).
    func bindFrame(_ fr: KuaiSQL.FrameClause, rangeKeyType: DataType? = nil) throws -> KuaiExec.WindowFrame {
        func amount(_ e: Expr) throws -> Int64 {
            if fr.unit == .range, let k = rangeKeyType, let v = try rangeIntervalOffset(e, keyType: k) {
                return min(v, Int64(1) << 60)
            }
            guard let v = try nonNegativeIntConstant(e, clause: "window frame") else {
                throw Binder.error("window frame offsets must be non-negative constants", e.position)
            }
            return min(v, fr.unit == .range ? Int64(1) << 60 : Int64(Int32.max))
        }
        var frame = KuaiExec.WindowFrame(mode: fr.unit, start: try fr.start.map(amount), end: try fr.end.map(amount))
        frame.exclusion = fr.exclusion
        return frame
    }

    /// A RANGE frame offset that is an INTERVAL constant, in the units of the ORDER BY key of type `keyType`
    /// (`RANGE BETWEEN INTERVAL 3 DAY PRECEDING AND CURRENT ROW`, DuckDB semantics: the key moved by the
    /// interval): days for a DATE key (the interval a whole number of days), microseconds for a TIMESTAMP
    /// or TIMESTAMPTZ key (a day counts 24 hours). nil when `e` is not an INTERVAL or the key is not
    /// temporal (the caller then wants an integer).
    /// - Throws: `KuaiError.binding` for a NULL or negative interval, one with months (calendar steps are
    ///   no fixed distance: not supported), or hours beside a DATE key (not supported).
    func rangeIntervalOffset(_ e: Expr, keyType: DataType) throws -> Int64? {
        guard keyType == .date || keyType.isTimestamp else { return nil }
        let b = try bind(e, ExprContext(scope: [], aggregate: nil, clause: "window frame"))
        guard b.type == .interval else { return nil }
        guard let v = try? b.evaluateConstant(), let iv = IntervalValue(v) else {
            throw Binder.error("window frame offsets must be non-negative constants", e.position)
        }
        guard iv.months == 0 else {
            throw Binder.error("a RANGE frame offset of months is not supported", e.position)
        }
        let (dayMicros, o1) = Int64(iv.days).multipliedReportingOverflow(by: IntervalValue.microsPerDay)
        let (micros, o2) = dayMicros.addingReportingOverflow(iv.micros)
        guard !o1, !o2, micros >= 0 else {
            throw Binder.error("window frame offsets must be non-negative constants", e.position)
        }
        if keyType == .date {
            guard micros % IntervalValue.microsPerDay == 0 else {
                throw Binder.error("a RANGE frame offset over a DATE key must be whole days", e.position)
            }
            return micros / IntervalValue.microsPerDay
        }
        return micros
    }

    /// DISTINCT, FILTER and IGNORE NULLS of a window call, as DuckDB 2.0.1 allows them: DISTINCT and
    /// FILTER on aggregates only, IGNORE / RESPECT NULLS on the value functions only (ranking
    /// functions ignore it).
    /// - Throws: `KuaiError.binding` with DuckDB's messages for the combinations it refuses.
    func bindWindowModifiers(_ f: FunctionCall, _ inner: ExprContext, _ call: inout WindowCall) throws {
        let isAggregate: Bool
        switch call.kind {
        case .count, .countStar, .sum, .avg, .min, .max, .aggregate: isAggregate = true
        default: isAggregate = false
        }
        if f.distinct && !isAggregate {
            throw Binder.error("DISTINCT is not implemented for the window function \"\(f.name)\"", f.position)
        }
        if let filter = f.filter {
            guard isAggregate else {
                throw Binder.error("FILTER is not implemented for the window function \"\(f.name)\"", f.position)
            }
            call.filter = try bindBoolean(filter, inner)
        }
        if let ignore = f.ignoreNulls {
            if isAggregate {
                throw Binder.error("RESPECT/IGNORE NULLS is not supported for windowed aggregates", f.position)
            }
            call.ignoreNulls = ignore
        }
    }

    /// A window aggregate kuai computes through its `AggregateState` (kind `.aggregate`): any aggregate
    /// other than count/sum/avg/min/max, and those with DISTINCT. Arguments bind as in an aggregate query
    /// (`bindAggregateArguments`).
    /// - Throws: `KuaiError.binding` as `bindAggregateArguments`.
    func bindAggregateWindow(_ f: FunctionCall, _ inner: ExprContext, _ call: inout WindowCall) throws {
        if f.star && f.name != "count" {
            throw Binder.error(
                "No function matches the given name and argument types '\(f.name)()'. You might need to add explicit type casts.",
                f.position)
        }
        let bound = try bindAggregateArguments(f, inner, fromTop: false, name: call.name)
        call.kind = .aggregate
        call.argument = bound.argument
        call.aggregate = bound.function
        call.aggregateOrder = bound.order
        call.distinct = f.distinct
        var text = f
        text.over = nil
        text.filter = nil
        call.aggregateKey = text.sqlDescription
    }

    /// How many arguments each window-only function takes (DuckDB 2.0.1): more or fewer is its
    /// binder error "No function matches", never an argument ignored.
    static let windowArity: [String: ClosedRange<Int>] = [
        "row_number": 0...0, "rank": 0...0, "dense_rank": 0...0, "percent_rank": 0...0, "cume_dist": 0...0,
        "ntile": 1...1, "lag": 1...3, "lead": 1...3, "first_value": 1...1, "last_value": 1...1, "nth_value": 2...2,
    ]

    /// The function of a window call: its kind and argument; lag/lead take an offset (an integer
    /// constant, default 1; a negative one turns lag into lead and back) and a default value (a constant
    /// of the argument's type).
    func bindWindowFunction(_ f: FunctionCall, _ inner: ExprContext, _ call: inout WindowCall) throws {
        func arg(_ i: Int) throws -> BoundExpr {
            guard i < f.arguments.count else { throw Binder.error("\(f.name)() needs an argument", f.position) }
            let a = try bind(f.arguments[i], inner)
            return a.type == .null ? BoundExpr.constant(.null, type: .integer, name: a.name) : a
        }
        if f.distinct && ["count", "sum", "avg", "min", "max"].contains(f.name) && !f.star {
            return try bindAggregateWindow(f, inner, &call)
        }
        if let arity = Self.windowArity[f.name], !arity.contains(f.arguments.count) {
            let types = try f.arguments.map { try bind($0, inner).type.description }.joined(separator: ", ")
            throw Binder.error(
                "No function matches the given name and argument types '\(f.name)(\(types))'", f.position)
        }
        switch f.name {
        case "row_number": call.kind = .rowNumber
        case "rank": call.kind = .rank
        case "dense_rank": call.kind = .denseRank
        case "percent_rank": call.kind = .percentRank
        case "cume_dist": call.kind = .cumeDist
        case "ntile":
            // ntile(n): n a positive integer constant (DuckDB: "Argument for ntile must be greater than zero").
            call.kind = .ntile
            guard f.arguments.count == 1 else { throw Binder.error("ntile() takes one argument", f.position) }
            let b = try bind(f.arguments[0], ExprContext(scope: [], aggregate: nil, clause: "ntile"))
            guard b.type.isNumeric, case .int(let v)? = try? b.evaluateConstant() else {
                throw Binder.error("the argument of ntile must be an integer constant", f.arguments[0].position)
            }
            guard v > 0 else {
                throw KuaiError(.execution, "Argument for ntile must be greater than zero")
            }
            call.offset = Int(min(v, Int64(Int32.max)))
        case "lag", "lead":
            call.kind = f.name == "lag" ? .lag : .lead
            call.argument = try arg(0)
            try bindLagLeadOptions(f, &call)
        case "first_value", "last_value":
            call.kind = f.name == "first_value" ? .firstValue : .lastValue
            call.argument = try arg(0)
        case "nth_value":
            // nth_value(x, n): n an integer constant; n < 1 or NULL gives NULL rows (DuckDB 2.0.1).
            call.kind = .nthValue
            guard f.arguments.count == 2 else { throw Binder.error("nth_value() takes two arguments", f.position) }
            call.argument = try arg(0)
            let b = try bind(f.arguments[1], ExprContext(scope: [], aggregate: nil, clause: "nth_value"))
            switch try? b.evaluateConstant() {
            case .int(let v)? where b.type.isInteger || b.type == .null:
                call.offset = Int(max(0, min(v, Int64(Int32.max))))
            case .null? where b.type.isInteger || b.type == .null: call.offset = 0
            default:
                throw Binder.error("the position of nth_value must be an integer constant", f.arguments[1].position)
            }
        case "count":
            if f.star || f.arguments.isEmpty {
                call.kind = .countStar
            } else {
                call.kind = .count
                call.argument = try arg(0)
            }
        // (with more arguments: the aggregate's own overloads, or DuckDB's "no function matches")
        case "sum" where f.arguments.count < 2, "avg" where f.arguments.count < 2,
            "min" where f.arguments.count < 2, "max" where f.arguments.count < 2:
            call.kind = WindowFunction.Kind(rawValue: f.name)!
            let argument = try arg(0)
            call.argument = argument
            if (f.name == "sum" || f.name == "avg") && !(argument.type.isNumeric || argument.type == .boolean) {
                throw Binder.error("\(f.name)(\(argument.type)) is not defined in \(call.name)", f.position)
            }
        default:
            guard AggregateRegistry.isAggregate(f.name) && f.name != "count_star" else {
                throw Binder.error("window function \(f.name) is not supported", f.position)
            }
            try bindAggregateWindow(f, inner, &call)
        }
    }

    /// `lag(x, n, d)` / `lead(x, n, d)` with a default `d` over the row's columns (`lag(ts, 1, ts)`), as DuckDB
    /// takes it: `CASE WHEN lag(true, n, false) THEN lag(x, n) ELSE d END` over the same window, `d` cast to the
    /// type of `x` (not with IGNORE NULLS, where the partner is the n-th non-NULL value).
    func bindLagLeadRowDefault(_ f: FunctionCall, _ ctx: ExprContext, _ wc: WindowContext) throws -> BoundExpr {
        var value = f
        value.arguments = Array(f.arguments.prefix(2))
        var present = f
        let pos = f.position
        present.arguments = [.literal(.bool(true), pos), f.arguments[1], .literal(.bool(false), pos)]
        let v = try bindWindowCall(value, ctx, wc)
        let p = try bindWindowCall(present, ctx, wc)
        let d = try coerce(try bind(f.arguments[2], ctx), to: v.type, f.arguments[2].position)
        return BoundExpr(.caseWhen([(when: p, then: v)], elseExpr: d), type: v.type, name: f.sqlDescription)
    }

    /// lag / lead's offset (an integer constant, default 1; a negative one turns lag into lead and back)
    /// and default value (a constant of the argument's type).
    /// - Throws: `KuaiError.binding` for a non-constant offset or default.
    func bindLagLeadOptions(_ f: FunctionCall, _ call: inout WindowCall) throws {
        if f.arguments.count > 1 {
            let b = try bind(f.arguments[1], ExprContext(scope: [], aggregate: nil, clause: "lag/lead offset"))
            guard b.type.isInteger, case .int(let v)? = try? b.evaluateConstant() else {
                throw Binder.error("the offset of \(f.name) must be an integer constant", f.arguments[1].position)
            }
            // A negative offset looks the other way: lag(x, -1) is lead(x, 1), as in DuckDB.
            if v < 0 { call.kind = call.kind == .lag ? .lead : .lag }
            call.offset = Int(min(v.magnitude, UInt64(Int32.max)))
        }
        if f.arguments.count > 2 {
            let written: BoundExpr
            do {
                written = try bind(f.arguments[2], ExprContext(scope: [], aggregate: nil, clause: "lag/lead default"))
            } catch {
                // A column in the default (DuckDB takes any expression over the row) is not supported.
                throw Binder.error("the default of \(f.name) must be a constant", f.arguments[2].position)
            }
            let d = try coerce(written, to: call.argument!.type, f.arguments[2].position)
            guard let v = try? d.evaluateConstant() else {
                throw Binder.error("the default of \(f.name) must be a constant", f.arguments[2].position)
            }
            call.defaultValue = v
        }
    }

    /// Adds window operators above `plan` (extra input columns projected first; calls with the
    /// same PARTITION BY / ORDER BY share one operator). Returns the plan and the final column of
    /// each call.
    func placeWindows(_ plan0: LogicalPlan, _ wc: WindowContext) -> (LogicalPlan, [Int]) {
        var plan = plan0
        let schema = plan.schema
        let p = schema.count
        var extra: [BoundExpr] = []
        var extraIndex: [String: Int] = [:]
        func col(_ e: BoundExpr) -> Int {
            if let c = e.columnIndex { return c }
            if let i = extraIndex[e.structuralKey] { return p + i }
            extra.append(e)
            extraIndex[e.structuralKey] = extra.count - 1
            return p + extra.count - 1
        }
        var groups: [(key: String, partition: [Int], order: [SortKey], calls: [Int])] = []
        var functions: [WindowFunction] = []
        for (k, c) in wc.calls.enumerated() {
            let part = c.partition.map(col)
            let order = c.order.map {
                SortKey(column: col($0.expr), ascending: $0.ascending, nullsFirst: $0.nullsFirst)
            }
            let arg = c.argument.map(col)
            var function = WindowFunction(
                c.kind, argument: arg, offset: c.offset, defaultValue: c.defaultValue, frame: c.frame)
            function.ignoreNulls = c.ignoreNulls
            function.filter = c.filter.map(col)
            function.aggregate = c.aggregate.map {
                WindowAggregate(
                    function: $0, distinct: c.distinct, orderColumns: c.aggregateOrder.map(col), key: c.aggregateKey)
            }
            functions.append(function)
            let key = "\(part)|\(order.map(\.description))"
            if let g = groups.firstIndex(where: { $0.key == key }) {
                groups[g].calls.append(k)
            } else {
                groups.append((key, part, order, [k]))
            }
        }
        if !extra.isEmpty {
            let pass = schema.enumerated().map {
                BoundExpr.column($0.offset, type: $0.element.type, name: $0.element.name)
            }
            plan = .project(plan, pass + extra, names: schema.map(\.name) + extra.map(\.name))
        }
        var width = p + extra.count
        var final = [Int](repeating: 0, count: wc.calls.count)
        for g in groups {
            let fs = g.calls.map { functions[$0] }
            plan = .window(
                plan, partitionBy: g.partition, orderBy: g.order, functions: fs,
                names: g.calls.map { wc.calls[$0].name })
            for (j, k) in g.calls.enumerated() { final[k] = width + j }
            width += fs.count
        }
        return (plan, final)
    }
}

extension BoundExpr {
    /// A copy where the placeholder of window call `k` is the column `columns[k]`.
    func replacingWindowCalls(_ columns: [Int]) -> BoundExpr {
        transformed { e in
            if case .windowCall(let k) = e.kind { return BoundExpr.column(columns[k], type: e.type, name: e.name) }
            return e
        }
    }
}
