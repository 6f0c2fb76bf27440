import KuaiCore

/// A scalar function overload: parameter types, result type and the vectorised kernel.
///
/// Arguments reach the kernel already cast to `parameters` (the binder inserts the casts), as
/// operands of the batch's row count; the kernel returns `returnType` values, NULL where any
/// argument is NULL unless the function says otherwise (coalesce).
public struct ScalarFunction: @unchecked Sendable {
    public typealias Kernel = (_ args: [Operand], _ types: [DataType], _ count: Int, _ expr: ScalarExpr) throws ->
        Operand
    /// Lowercase SQL name.
    public let name: String
    /// Parameter types; with `variadic`, the last one repeats.
    public let parameters: [DataType]
    public let variadic: Bool
    public let returnType: DataType
    /// False for functions whose result may differ between calls with equal arguments.
    public let deterministic: Bool
    let kernel: Kernel
    /// For a runtime filter of one column (`TopNFilter`): false when no row of a block with the
    /// given zone map of that column can pass now, so the scan skips the block unread; nil for
    /// other functions.
    var zoneRule: ((ZoneMap) -> Bool)? = nil
    /// For a runtime filter with a `zoneRule`: the rank of a block by its zone map of that column,
    /// smaller first (nil: last). A scan reads its blocks in this order, so the blocks most likely
    /// to tighten the filter come first and the rule then skips more of the others.
    var zoneOrder: ((ZoneMap) -> Double?)? = nil
    /// For a runtime filter of one column (`JoinKeyFilter`): the rows that pass, ascending, among
    /// `rows` (nil = every row) of the `count` rows of the column, or nil when every one of them
    /// passes. A conjunct of a scan or filter calls it instead of the kernel, so the filter writes
    /// the passing rows directly (no BOOLEAN column per row); nil for other functions.
    var selectRows: ((_ column: Column, _ count: Int, _ rows: [Int32]?) -> [Int32]?)? = nil

    init(
        _ name: String, _ parameters: [DataType], _ returnType: DataType, variadic: Bool = false,
        deterministic: Bool = true, _ kernel: @escaping Kernel
    ) {
        self.name = name
        self.parameters = parameters
        self.variadic = variadic
        self.returnType = returnType
        self.deterministic = deterministic
        self.kernel = kernel
    }

    /// `name(T1, T2) -> R`, for error messages.
    public var signature: String {
        "\(name)(" + parameters.map(\.description).joined(separator: ", ") + (variadic ? ", ..." : "")
            + ") -> \(returnType)"
    }
}

/// The table of scalar functions, gathered from one array per function family (one file each:
/// NumericFunctions.swift, StringFunctions.swift, DatePartFunctions.swift, ...). Adding a function
/// is adding a row to its family's array (and, for a new shape of computation, a helper to
/// ScalarKernels.swift); a new family is a new file and one more entry in `table`.
public enum FunctionRegistry {
    /// Cost of implicitly casting `from` to `to` in a function call; nil when not allowed.
    /// Mirrors DuckDB's implicit cast preferences: wider integers first (the nearest width first),
    /// then DOUBLE. BOOLEAN casts to no number (DuckDB 2.0.1: `abs(true)`, `round(true)`, `chr(true)`
    /// are "No function matches" binder errors).
    public static func implicitCastCost(from: DataType, to: DataType) -> Int? {
        if from == to { return 0 }
        if from == .tinyint || from == .smallint, let r = from.integerRank {
            if let s = to.integerRank { return s > r ? s - r : nil }
            return to == .double ? 5 : nil
        }
        switch (from, to) {
        case (.null, _): return 1
        case (.integer, .bigint): return 1
        case (.integer, .hugeint), (.bigint, .hugeint): return 2
        case (.integer, .double), (.bigint, .double), (.hugeint, .double): return 3
        case (.decimal, .double): return 3
        case (.date, .timestamp): return 1
        default: return nil
        }
    }

    /// The overload of `name` that accepts `argumentTypes` with the cheapest implicit casts.
    public static func resolve(_ name: String, _ argumentTypes: [DataType]) -> ScalarFunction? {
        var best: (ScalarFunction, Int)? = nil
        for f in table[name] ?? [] {
            if !f.variadic && f.parameters.count != argumentTypes.count { continue }
            if f.variadic && argumentTypes.count < f.parameters.count - 1 { continue }
            var cost = 0
            var ok = true
            for (i, t) in argumentTypes.enumerated() {
                let p = i < f.parameters.count ? f.parameters[i] : f.parameters.last!
                guard let c = implicitCastCost(from: t, to: p) else {
                    ok = false
                    break
                }
                cost += c
            }
            if ok && (best == nil || cost < best!.1) { best = (f, cost) }
        }
        return best?.0
    }

    /// True when a scalar function of this name exists.
    public static func isScalarFunction(_ name: String) -> Bool { table[name] != nil }

    /// The overloads of `name`, for "candidates" in error messages.
    public static func overloads(_ name: String) -> [ScalarFunction] { table[name] ?? [] }

    /// Every scalar function name SQL can call (for "did you mean" suggestions and the function
    /// listing); the `operatorNames` are left out.
    public static var names: [String] { table.keys.filter { !operatorNames.contains($0) }.sorted() }

    /// The registry's functions that stand for operators and are bound only from them (`a || b`,
    /// `date - date`, `timestamp + interval`, `date + integer`, ...; and the fused `hour(epoch_ms(x))`
    /// of the optimizer). DuckDB has no function of these names, so a call by name from SQL is an
    /// unknown function (`isCallableByName`).
    public static let operatorNames: Set<String> = [
        "concat_op", "date_add_days", "date_add_time", "date_diff_days", "date_sub_days", "hour_of_epoch_ms",
        "hour_of_epoch_ms_plus", "interval_add", "interval_div", "interval_mul", "interval_mul_double",
        "interval_negate", "interval_sub", "timestamp_diff", "timestamptz_diff", "timestamp_add_interval",
        "timestamp_sub_interval", "timestamptz_add_interval", "timestamptz_sub_interval", "time_add_interval",
        "time_sub_interval",
    ]

    /// False for a name SQL cannot call: one of the `operatorNames`.
    public static func isCallableByName(_ name: String) -> Bool { !operatorNames.contains(name) }

    static let table: [String: [ScalarFunction]] = {
        var t: [String: [ScalarFunction]] = [:]
        let families = [
            numericFunctions, stringFunctions, datePartFunctions, dateFormatFunctions,
            epochFunctions, dateArithmeticFunctions, intervalFunctions, barFunctions, regexpFunctions,
            regexpListFunctions,
            stringBuildFunctions, calendarFunctions, bitFunctions, timeZoneFunctions, similarityFunctions,
            stringCodeFunctions, numberTheoryFunctions, eraJulianFunctions, pathFunctions,
            timeFunctions, errorFunctions,
        ]
        for r in families.joined() { t[r.name, default: []].append(r) }
        return t
    }()
}
