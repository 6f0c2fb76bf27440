import KuaiCore

/// The table of aggregate functions; new aggregates (median, string_agg, ...) are added as rows.
public enum AggregateRegistry {
    /// Resolves `name(argType)`; nil when no overload accepts it. `argType` nil means `*`.
    /// - Parameters:
    ///   - parameters: the constant arguments after the first (quantile fraction, separator).
    ///   - orderKeys: an ordered aggregate's ORDER BY, as keys over its order columns 0, 1, ...
    ///   - fromTop: quantile_cont / quantile_disc count the fraction from the largest value (DuckDB's
    ///     `quantile_cont(q ORDER BY x DESC)`, `percentile_disc(q) WITHIN GROUP (ORDER BY x DESC)`).
    public static func resolve(
        _ name: String, _ argType: DataType?, parameters: [Value] = [], orderKeys: [SortKey] = [],
        fromTop: Bool = false
    ) -> AggregateFunction? {
        func number(_ v: Value?) -> Double? {
            switch v {
            case .double(let d)?: return d
            case .int(let i)?: return Double(i)
            default: return nil
            }
        }
        switch (name, argType) {
        case ("median", let t?) where t.isNumeric || t == .null:
            return AggregateFunction(name: name, argumentType: t, returnType: .double) { at in
                QuantileState(q: 0.5, continuous: true, type: at)
            }
        case ("quantile_cont", let t?) where (t.isNumeric || t == .null) && number(parameters.first) != nil:
            let q = number(parameters.first)!
            guard q >= 0 && q <= 1 else { return nil }
            return AggregateFunction(name: name, argumentType: t, returnType: .double) { at in
                QuantileState(q: q, continuous: true, type: at, fromTop: fromTop)
            }
        case ("quantile_disc", let t?), ("quantile", let t?):
            // A discrete quantile is one of the values: DATE and TIMESTAMP too (as DuckDB).
            guard t.isNumeric || t == .null || t == .date || t == .timestamp,
                let q = number(parameters.first ?? .double(0.5)), q >= 0 && q <= 1
            else { return nil }
            return AggregateFunction(name: name, argumentType: t, returnType: t) { at in
                QuantileState(q: q, continuous: false, type: at, fromTop: fromTop)
            }
        case ("approx_quantile", let t?):
            // DuckDB: numbers, DATE and TIMESTAMP; the result has the input's type
            guard t.isNumeric || t == .date || t == .timestamp, let q = number(parameters.first), q >= 0 && q <= 1
            else { return nil }
            return AggregateFunction(name: name, argumentType: t, returnType: t) { at in
                ApproxQuantileState(q: q, type: at)
            }
        case ("approx_count_distinct", let t?):
            return AggregateFunction(name: name, argumentType: t, returnType: .bigint) { _ in
                ApproxCountDistinctState()
            }
        case ("string_agg", let t?), ("group_concat", let t?), ("listagg", let t?):
            var sep = ","
            if let p = parameters.first {
                guard case .string(let s) = p else { return nil }
                sep = s
            }
            _ = t
            return AggregateFunction(name: name, argumentType: t, returnType: .varchar, ordered: true) { _ in
                StringAggState(separator: sep, orderKeys: orderKeys)
            }
        case ("bool_and", .boolean?), ("bool_or", .boolean?), ("count_if", .boolean?):
            let kind: BoolState.Kind = name == "bool_and" ? .and : (name == "bool_or" ? .or : .countIf)
            return AggregateFunction(
                name: name, argumentType: .boolean, returnType: kind == .countIf ? .hugeint : .boolean
            ) { _ in BoolState(kind) }
        case ("any_value", let t?), ("first", let t?), ("arbitrary", let t?):
            return AggregateFunction(name: name, argumentType: t, returnType: t) { at in AnyValueState(type: at) }
        case ("stddev", let t?), ("stddev_samp", let t?), ("stddev_pop", let t?), ("var_samp", let t?),
            ("var_pop", let t?), ("variance", let t?):
            guard t.isNumeric else { return nil }
            let sample = !name.hasSuffix("_pop")
            let root = name.hasPrefix("stddev")
            return AggregateFunction(name: name, argumentType: t, returnType: .double) { _ in
                VarianceState(sample: sample, root: root)
            }
        case ("count_star", nil), ("count", nil):
            return AggregateFunction(name: "count_star", argumentType: nil, returnType: .bigint) { _ in
                CountState(star: true)
            }
        case ("count", let t?):
            return AggregateFunction(name: "count", argumentType: t, returnType: .bigint) { _ in CountState(star: false)
            }
        case ("sum", let t?) where t.isInteger || t == .boolean || t == .null:
            return AggregateFunction(name: "sum", argumentType: t, returnType: .hugeint) { _ in SumIntState(name: "sum")
            }
        case ("sum", .double?):
            return AggregateFunction(name: "sum", argumentType: .double, returnType: .double) { _ in SumDoubleState() }
        case ("avg", let t?) where t.isInteger || t == .null:
            return AggregateFunction(name: "avg", argumentType: t, returnType: .double) { at in
                AvgState(wide: at != .integer)
            }
        case ("mean", let t?) where t.isInteger:
            return AggregateFunction(name: "avg", argumentType: t, returnType: .double) { at in
                AvgState(wide: at != .integer)
            }
        case ("mean", .double?):
            return AggregateFunction(name: "avg", argumentType: .double, returnType: .double) { _ in AvgDoubleState() }
        case ("avg", .double?):
            return AggregateFunction(name: "avg", argumentType: .double, returnType: .double) { _ in AvgDoubleState() }
        case ("min", let t?), ("max", let t?):
            let isMax = name == "max"
            return AggregateFunction(name: name, argumentType: t, returnType: t) { at in
                MinMaxState(type: at, isMax: isMax)
            }
        default:
            return nil
        }
    }

    /// The value of a correlated scalar subquery per correlation key (grouped by the keys): the only
    /// row of each group, or DuckDB's error when a group has more than one (`SingleRowState`).
    public static func singleRow(_ type: DataType) -> AggregateFunction {
        AggregateFunction(name: "first", argumentType: type, returnType: type) { _ in SingleRowState(type: type) }
    }

    /// True when `name` is an aggregate function (used by the binder to classify calls).
    public static func isAggregate(_ name: String) -> Bool {
        [
            "count", "count_star", "sum", "avg", "mean", "min", "max", "median", "quantile_cont", "quantile_disc",
            "quantile",
            "string_agg", "group_concat", "listagg", "bool_and", "bool_or", "count_if", "any_value", "first",
            "arbitrary",
            "stddev", "stddev_samp", "stddev_pop", "var_samp", "var_pop", "variance", "approx_quantile",
            "approx_count_distinct",
        ].contains(name)
    }
}
