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

/// The table of scalar functions. Adding a function is adding rows to `rows` (and, for a new
/// shape of computation, a kernel helper below).
public enum FunctionRegistry {
    /// Cost of implicitly casting `from` to `to` in a function call; nil when not allowed.
    /// Mirrors DuckDB's implicit cast preferences: wider integers first, then DOUBLE.
    public static func implicitCastCost(from: DataType, to: DataType) -> Int? {
        if from == to { return 0 }
        switch (from, to) {
        case (.null, _): return 1
        case (.boolean, .integer), (.boolean, .bigint): return 10
        case (.integer, .bigint): return 1
        case (.integer, .hugeint), (.bigint, .hugeint): return 2
        case (.integer, .double), (.bigint, .double), (.hugeint, .double): return 3
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

    /// Every scalar function name (for "did you mean" suggestions).
    public static var names: [String] { Array(table.keys).sorted() }

    static let table: [String: [ScalarFunction]] = {
        var t: [String: [ScalarFunction]] = [:]
        for r in rows + stringRows + mathRows + timeRows + barRows { t[r.name, default: []].append(r) }
        return t
    }()

    static let rows: [ScalarFunction] = [
        // numeric
        ScalarFunction("abs", [.integer], .integer) { a, _, n, e in try absInt(a[0], n, e, .integer) },
        ScalarFunction("abs", [.bigint], .bigint) { a, _, n, e in try absInt(a[0], n, e, .bigint) },
        ScalarFunction("abs", [.hugeint], .hugeint) { a, _, n, e in try absInt(a[0], n, e, .hugeint) },
        ScalarFunction("abs", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { Swift.abs($0) } },
        ScalarFunction("round", [.integer], .integer) { a, _, _, _ in a[0] },
        ScalarFunction("round", [.bigint], .bigint) { a, _, _, _ in a[0] },
        ScalarFunction("round", [.hugeint], .hugeint) { a, _, _, _ in a[0] },
        ScalarFunction("round", [.double], .double) { a, _, n, _ in
            mapDouble(a[0], n) { $0.rounded(.toNearestOrAwayFromZero) }
        },
        ScalarFunction("round", [.double, .integer], .double) { a, _, n, _ in roundPrecision(a[0], a[1], n) },
        ScalarFunction("round", [.integer, .integer], .integer) { a, _, _, _ in a[0] },
        ScalarFunction("round", [.bigint, .integer], .bigint) { a, _, _, _ in a[0] },
        ScalarFunction("floor", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { $0.rounded(.down) } },
        ScalarFunction("ceil", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { $0.rounded(.up) } },
        ScalarFunction("ceiling", [.double], .double) { a, _, n, _ in mapDouble(a[0], n) { $0.rounded(.up) } },
        ScalarFunction("mod", [.bigint, .bigint], .bigint) { a, t, n, e in
            try Kernels.arithmetic(.modulo, a[0], t[0], a[1], t[1], resultType: .bigint, count: n, expr: e)
        },
        ScalarFunction("mod", [.double, .double], .double) { a, t, n, e in
            try Kernels.arithmetic(.modulo, a[0], t[0], a[1], t[1], resultType: .double, count: n, expr: e)
        },
        // time
        ScalarFunction("epoch_ms", [.bigint], .timestamp) { a, _, n, e in try epochMsToTimestamp(a[0], n, e) },
        ScalarFunction("epoch_ms", [.timestamp], .bigint) { a, _, n, _ in
            mapInt(a[0], n, .bigint) { floorDiv($0, 1000) }
        },
        ScalarFunction("hour", [.timestamp], .bigint) { a, _, n, _ in
            mapInt(a[0], n, .bigint) { floorMod($0, 86_400_000_000) / 3_600_000_000 }
        },
        ScalarFunction("hour", [.date], .bigint) { a, _, n, _ in mapInt(a[0], n, .bigint) { _ in 0 } },
        /// Fused `hour(epoch_ms(ms))`: hour of day straight from epoch milliseconds (no timestamp).
        ScalarFunction("hour_of_epoch_ms", [.bigint], .bigint) { a, _, n, e in try hourOfEpochMs(a[0], n, e) },
        /// Fused `hour(epoch_ms(ms + offset))` with a constant offset (the China-time idiom).
        ScalarFunction("hour_of_epoch_ms_plus", [.bigint, .bigint], .bigint) { a, t, n, e in
            guard case .scalar(.int(let offset)) = a[1], case .column(let c) = a[0] else {
                let sum = try Kernels.arithmetic(.add, a[0], t[0], a[1], t[1], resultType: .bigint, count: n, expr: e)
                return try hourOfEpochMs(sum, n, e)
            }
            return try hourOfEpochMsPlus(c, offset, n, e)
        },
    ]

    // MARK: kernel helpers

    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    @inline(__always)
    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        let r = a % b
        return r < 0 ? r + b : r
    }

    /// Applies `f` to each value of an integer-stored operand.
    @inline(__always)
    static func mapInt(_ x: Operand, _ n: Int, _ type: DataType, _ f: (Int64) -> Int64) -> Operand {
        switch x {
        case .scalar(let v):
            guard case .int(let i) = v else { return .scalar(.null) }
            return .scalar(.int(f(i)))
        case .column(let c):
            let vals = c.ints.withUnsafeBufferPointer { src in
                [Int64](unsafeUninitializedCapacity: n) { out, filled in
                    for i in 0..<n { out[i] = f(src[i]) }
                    filled = n
                }
            }
            return .column(Column(type: type, ints: vals, validity: c.validity))
        }
    }

    @inline(__always)
    static func mapDouble(_ x: Operand, _ n: Int, _ f: (Double) -> Double) -> Operand {
        switch x {
        case .scalar(let v):
            switch v {
            case .double(let d): return .scalar(.double(f(d)))
            case .int(let i): return .scalar(.double(f(Double(i))))
            default: return .scalar(.null)
            }
        case .column(let c):
            let src = c.type == .double ? c.doubles : c.ints.map { Double($0) }
            let vals = src.withUnsafeBufferPointer { s in
                [Double](unsafeUninitializedCapacity: n) { out, filled in
                    for i in 0..<n { out[i] = f(s[i]) }
                    filled = n
                }
            }
            return .column(Column(doubles: vals, validity: c.validity))
        }
    }

    static func firstInvalid(_ c: Column, where bad: (Int) -> Bool) -> Int? {
        for i in 0..<c.count where bad(i) && (c.validity?[i] ?? 1) != 0 { return i }
        return nil
    }

    static func absInt(_ x: Operand, _ n: Int, _ e: ScalarExpr, _ t: DataType) throws -> Operand {
        if t == .hugeint, case .scalar(.int(let i)) = x {
            let a = Int128(i).magnitude
            if let s = Int64(exactly: a) { return .scalar(.int(s)) }
            return .column(Column.broadcastHugeint(Int128(a), count: n))
        }
        if t == .hugeint, case .column(let c) = x {
            // HUGEINT: |x| in 128 bits (only Int128.min overflows).
            var out = c.int128Values()
            for i in 0..<n where c.isValid(i) && out[i] < 0 {
                if out[i] == Int128.min {
                    throw KuaiError(.execution, "Overflow on abs(\(out[i])) in expression \(e.name)")
                }
                out[i] = -out[i]
            }
            return .column(Column(hugeints: out, validity: c.validity))
        }
        if case .scalar(.int(let i)) = x, i == Int64.min {
            throw KuaiError(.execution, "Overflow on abs(\(i)) in expression \(e.name)")
        }
        if case .column(let c) = x, let i = firstInvalid(c, where: { c.ints[$0] == Int64.min }) {
            throw KuaiError(.execution, "Overflow on abs(\(c.ints[i])) in expression \(e.name)")
        }
        return mapInt(x, n, t) { $0 < 0 ? 0 &- $0 : $0 }
    }

    /// 10^p as DuckDB's std::pow(10, p) gives it (exact for |p| <= 22).
    static func powerOfTen(_ p: Int64) -> Double {
        var r = 1.0
        let m = Swift.min(Swift.abs(p), 400)
        for _ in 0..<m { r *= 10 }
        return p < 0 ? 1 / r : r
    }

    /// DuckDB's round(DOUBLE, INTEGER): round(x * 10^p) / 10^p (x / 10^-p for p < 0), halves away from zero.
    static func roundPrecision(_ x: Operand, _ p: Operand, _ n: Int) -> Operand {
        if p.isNullScalar || x.isNullScalar { return .scalar(.null) }
        func one(_ input: Double, _ precision: Int64) -> Double {
            if precision < 0 {
                let modifier = powerOfTen(-precision)
                let r = (input / modifier).rounded(.toNearestOrAwayFromZero) * modifier
                return r.isInfinite || r.isNaN ? 0 : r
            }
            let modifier = powerOfTen(precision)
            let r = (input * modifier).rounded(.toNearestOrAwayFromZero) / modifier
            return r.isInfinite || r.isNaN ? input : r
        }
        if case .scalar(.int(let prec)) = p {
            return mapDouble(x, n) { one($0, prec) }
        }
        let xs = Kernels.doubleArg(x)
        let ps = Kernels.intArg(p)
        let vals = binaryMap(n, xs, ps, one)
        return .column(Column(doubles: vals, validity: andValidity(x.validity, p.validity)))
    }

    static let maxEpochMs = Int64.max / 1000

    static func epochMsToTimestamp(_ x: Operand, _ n: Int, _ e: ScalarExpr) throws -> Operand {
        try checkEpochMsRange(x, e)
        return mapInt(x, n, .timestamp) { $0 &* 1000 }
    }

    static func checkEpochMsRange(_ x: Operand, _ e: ScalarExpr) throws {
        switch x {
        case .scalar(let v):
            if case .int(let i) = v, i > maxEpochMs || i < -maxEpochMs {
                throw KuaiError(
                    .execution,
                    "Overflow in epoch_ms: \(i) milliseconds is out of the TIMESTAMP range in expression \(e.name)")
            }
        case .column(let c):
            var lo = Int64.max
            var hi = Int64.min
            c.ints.withUnsafeBufferPointer { p in
                for v in p {
                    lo = Swift.min(lo, v)
                    hi = Swift.max(hi, v)
                }
            }
            if lo < -maxEpochMs || hi > maxEpochMs,
                let i = firstInvalid(c, where: { c.ints[$0] > maxEpochMs || c.ints[$0] < -maxEpochMs })
            {
                throw KuaiError(
                    .execution,
                    "Overflow in epoch_ms: \(c.ints[i]) milliseconds is out of the TIMESTAMP range in expression \(e.name)"
                )
            }
        }
    }

    /// hour(epoch_ms(ms + offset)) in one pass; the addition's overflow and the TIMESTAMP range
    /// are checked on the column's min and max (then exactly, row by row, only if they fail).
    static func hourOfEpochMsPlus(_ c: Column, _ offset: Int64, _ n: Int, _ e: ScalarExpr) throws -> Operand {
        var lo = Int64.max
        var hi = Int64.min
        let vals = c.ints.withUnsafeBufferPointer { src in
            [Int64](unsafeUninitializedCapacity: n) { out, filled in
                for i in 0..<n {
                    let x = src[i]
                    lo = Swift.min(lo, x)
                    hi = Swift.max(hi, x)
                    var r = (x &+ offset) % 86_400_000
                    r = r < 0 ? r + 86_400_000 : r
                    out[i] = r / 3_600_000
                }
                filled = n
            }
        }
        let (a, oa) = lo.addingReportingOverflow(offset)
        let (b, ob) = hi.addingReportingOverflow(offset)
        if n > 0 && (oa || ob || a < -maxEpochMs || b > maxEpochMs) {
            // Exact check on valid rows only (NULL rows may hold any bits).
            let sum = try Kernels.arithmetic(
                .add, .column(c), .bigint, .scalar(.int(offset)), .bigint, resultType: .bigint, count: n, expr: e)
            try checkEpochMsRange(sum, e)
        }
        return .column(Column(type: .bigint, ints: vals, validity: c.validity))
    }

    /// hour(epoch_ms(ms)) = floorMod(ms, 86_400_000) / 3_600_000: two integer operations per row,
    /// with the TIMESTAMP range check of epoch_ms folded into the same loop (the column case is
    /// `hourOfEpochMsPlus` with offset 0).
    static func hourOfEpochMs(_ x: Operand, _ n: Int, _ e: ScalarExpr) throws -> Operand {
        guard case .column(let c) = x else {
            try checkEpochMsRange(x, e)
            return mapInt(x, n, .bigint) { v in floorMod(v, 86_400_000) / 3_600_000 }
        }
        return try hourOfEpochMsPlus(c, 0, n, e)
    }
}
