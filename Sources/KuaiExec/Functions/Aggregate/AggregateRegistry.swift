import KuaiCore

/// The table of aggregate functions: one resolver per family (Count.swift, SumAvg.swift, MinMax.swift,
/// Quantile.swift, ...); a new family is a new file and one more entry in `families`.
public enum AggregateRegistry {
    /// Resolves `name(argType)`; nil when no overload accepts it. `argType` nil means `*`.
    /// - Parameters:
    ///   - parameters: the constant arguments after the first (quantile fraction, separator).
    ///   - orderKeys: an ordered aggregate's ORDER BY, as keys over its order columns 0, 1, ...
    ///   - secondArgumentType: the type of the second argument of a two-column aggregate
    ///     (`twoColumnAggregates`: arg_max(x, y), corr(y, x)), which reaches the state as its one
    ///     order column.
    ///   - fromTop: quantile_cont / quantile_disc count the fraction from the largest value (DuckDB's
    ///     `quantile_cont(q ORDER BY x DESC)`, `percentile_disc(q) WITHIN GROUP (ORDER BY x DESC)`).
    ///   - listParameter: the constant arguments were written as one list (`quantile_cont(x, [0.25,
    ///     0.5])`): the result is a list with one element per parameter.
    public static func resolve(
        _ name: String, _ argType: DataType?, parameters: [Value] = [], orderKeys: [SortKey] = [],
        orderTypes: [DataType] = [], fromTop: Bool = false, secondArgumentType: DataType? = nil,
        listParameter: Bool = false
    ) -> AggregateFunction? {
        // constant arguments a function does not take make no match (DuckDB's binder error), never ignored
        guard listParameter || constantArguments(name).contains(parameters.count) else { return nil }
        let call = AggregateCall(
            name: name, argumentType: argType, parameters: parameters, orderKeys: orderKeys, orderTypes: orderTypes,
            fromTop: fromTop, secondArgumentType: secondArgumentType, listParameter: listParameter)
        for family in families {
            if let f = family(call) { return f }
        }
        return nil
    }

    /// One resolver per aggregate family (each in the family's file); the families' names are
    /// disjoint, so at most one answers.
    static let families: [@Sendable (AggregateCall) -> AggregateFunction?] = [
        count, sumOrAverage, minOrMax, quantile, stringAgg, boolAggregate, bitAggregate, anyValue, variance,
        approxQuantile, approxCountDistinct, argMinMax, mode, covariance, moments, listAgg, kahanSum,
        medianAbsoluteDeviation, histogram,
    ]

    /// How many constant arguments after the first each aggregate takes (the others take none):
    /// the quantile fraction, string_agg's separator, min / max's and arg_max / arg_min's n (DuckDB 2.0.1's
    /// overloads). A switch, not a dictionary: a statement's first call would build the dictionary.
    static func constantArguments(_ name: String) -> ClosedRange<Int> {
        switch name {
        case "quantile_cont", "quantile_disc", "quantile", "approx_quantile": return 1...1
        case "string_agg", "group_concat", "listagg", "min", "max", "arg_max", "max_by", "argmax", "arg_min", "min_by",
            "argmin":
            return 0...1
        case "reservoir_quantile": return 1...2
        default: return 0...0
        }
    }

    /// Aggregates over two columns: the second argument is bound as the call's one order column.
    public static let twoColumnAggregates: Set<String> = [
        "arg_max", "max_by", "argmax", "arg_min", "min_by", "argmin", "arg_max_null", "arg_min_null", "covar_pop",
        "covar_samp", "corr",
        "regr_count", "regr_avgx", "regr_avgy", "regr_sxx", "regr_syy", "regr_sxy", "regr_slope", "regr_intercept",
        "regr_r2",
    ]

    /// The value of a correlated scalar subquery per correlation key (grouped by the keys): the only
    /// row of each group, one of its rows when it has several (`SingleRowState`; the plan counts the
    /// rows with `countStar` and checks the joined count).
    public static func singleRow(_ type: DataType) -> AggregateFunction {
        AggregateFunction(name: "first", argumentType: type, returnType: type) { _ in SingleRowState(type: type) }
    }

    /// count(*): BIGINT.
    public static var countStar: AggregateFunction {
        AggregateFunction(name: "count_star", argumentType: nil, returnType: .bigint) { _ in CountState(star: true) }
    }

    /// True when `name` is an aggregate function (used by the binder to classify calls).
    public static func isAggregate(_ name: String) -> Bool { names.contains(name) }

    /// Every aggregate function name (also listed by `duckdb_functions()`).
    public static let names: [String] = [
        "count", "count_star", "sum", "avg", "mean", "min", "max", "median", "quantile_cont", "quantile_disc",
        "quantile", "string_agg", "group_concat", "listagg", "bool_and", "bool_or", "bit_and", "bit_or", "bit_xor",
        "count_if", "countif",
        "any_value", "first", "arbitrary", "last", "stddev", "stddev_samp", "stddev_pop", "var_samp", "var_pop",
        "variance", "approx_quantile", "approx_count_distinct", "arg_max", "max_by", "argmax", "arg_min", "min_by",
        "argmin", "mode", "covar_pop", "covar_samp", "corr", "regr_count", "regr_avgx", "regr_avgy", "regr_sxx",
        "regr_syy", "regr_sxy", "regr_slope", "regr_intercept", "regr_r2", "product", "skewness", "kurtosis",
        "kurtosis_pop", "entropy", "list", "array_agg", "sem", "fsum", "sumkahan", "kahan_sum", "favg",
        "arg_max_null", "arg_min_null", "reservoir_quantile", "mad", "histogram",
    ]
}

/// An aggregate call to resolve: the function name, the argument type (nil for `*`), the
/// constant arguments after the first (quantile fraction, separator), an ordered aggregate's ORDER
/// BY keys, and `fromTop` (quantiles counted from the largest value).
struct AggregateCall {
    let name: String
    let argumentType: DataType?
    let parameters: [Value]
    let orderKeys: [SortKey]
    /// The types of the ORDER BY columns (`orderKeys[k].column` indexes them).
    var orderTypes: [DataType] = []
    let fromTop: Bool
    /// Two-column aggregates: the second argument's type (nil for the others).
    var secondArgumentType: DataType? = nil
    /// The `parameters` were written as one list constant (quantile_cont(x, [0.25, 0.5])).
    var listParameter = false

    /// Constant argument `i` as a number, nil when absent or not a number.
    func number(_ i: Int) -> Double? {
        guard i < parameters.count else { return nil }
        switch parameters[i] {
        case .double(let d): return d
        case .int(let x): return Double(x)
        default: return nil
        }
    }
}
