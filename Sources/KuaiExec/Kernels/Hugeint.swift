import KuaiCore

// HUGEINT values beyond Int64 (wide columns, `Column.highs`): the kernels that compute on them
// and the guard of the operators that do not.
//
// Wide columns come from sum() of integers (and sums of sums, window sums), HUGEINT arithmetic
// and CAST to HUGEINT. Supported on them: output (every format), CAST to VARCHAR / DOUBLE /
// BOOLEAN / integer types (range-checked), comparisons, IN lists, + - * // % (128-bit range,
// overflow is an error as in DuckDB), `/` and arithmetic with DOUBLE, negation, abs, round,
// IS [NOT] NULL, IS [NOT] DISTINCT FROM, CASE, ORDER BY (also window ORDER BY / PARTITION BY),
// sum / avg / min / max / count / any_value / string_agg, window sum / avg / count / first_value /
// last_value / lag / lead. Everything else (GROUP BY, DISTINCT, join and set-operation keys,
// other functions and aggregates, RANGE frames with offsets, window min/max) raises
// `wideError` instead of computing on the low 64 bits.

/// The execution error for a HUGEINT value beyond Int64 reaching code that only computes on
/// 64-bit integers: names the value and where it was met.
func wideError(_ value: Int128, _ what: String) -> KuaiError {
    KuaiError(.execution, "HUGEINT value \(value) outside the BIGINT range is not supported in \(what)")
}

/// Throws `wideError` when a valid row of `col` holds a value outside Int64; otherwise the
/// column's `ints` hold every value and 64-bit code may read them.
@inline(__always)
func requireNarrow(_ col: Column, _ what: @autoclosure () -> String) throws {
    guard col.highs != nil else { return }
    if let r = col.firstRowOutsideInt64() { throw wideError(col.int128(at: r), what()) }
}

extension Column {
    /// `count` copies of a 128-bit value as a HUGEINT (or `type`: a DECIMAL's unscaled value)
    /// column (narrow when it fits Int64).
    static func broadcastHugeint(_ v: Int128, count: Int, type: DataType = .hugeint) -> Column {
        if let x = Int64(exactly: v) { return Column(type: type, ints: [Int64](repeating: x, count: count)) }
        var c = Column(type: type, ints: [Int64](repeating: Int64(truncatingIfNeeded: v), count: count))
        c.highs = [Int64](repeating: Int64(truncatingIfNeeded: v >> 64), count: count)
        return c
    }

    /// Every row as Int128 (integer-stored columns).
    func int128Values() -> [Int128] {
        let n = count
        return ints.withUnsafeBufferPointer { lo in
            [Int128](unsafeUninitializedCapacity: n) { out, filled in
                if let h = highs {
                    h.withUnsafeBufferPointer { hi in
                        for i in 0..<n {
                            out.initializeElement(at: i, to: Int128(hi[i]) << 64 | Int128(UInt64(bitPattern: lo[i])))
                        }
                    }
                } else {
                    for i in 0..<n { out.initializeElement(at: i, to: Int128(lo[i])) }
                }
                filled = n
            }
        }
    }

    /// Every row as Double (nearest; integer-stored columns, wide or not).
    func int128Doubles() -> [Double] {
        guard highs != nil else { return ints.map { Double($0) } }
        return (0..<count).map { Double(int128(at: $0)) }
    }
}

extension Kernels {
    /// True for a column operand holding values beyond Int64.
    @inline(__always)
    static func isWide(_ o: Operand) -> Bool {
        if case .column(let c) = o { return c.highs != nil }
        return false
    }

    /// An integer operand as 128-bit values.
    static func int128Arg(_ o: Operand) -> Arg<Int128> {
        switch o {
        case .column(let c):
            if c.type == .double { return .col(c.doubles.map { Int128(exactly: $0.rounded(.towardZero)) ?? 0 }) }
            return .col(c.int128Values())
        case .scalar(let v):
            switch v {
            case .int(let i): return .scalar(Int128(i))
            case .hugeint(let i): return .scalar(i)
            case .bool(let b): return .scalar(b ? 1 : 0)
            case .double(let d): return .scalar(Int128(exactly: d.rounded(.towardZero)) ?? 0)
            default: return .scalar(0)
            }
        }
    }

    /// `x op y` over 128-bit operands, row by row, for the valid rows (`+ - *`, `//` and `/` as
    /// integer division, `%`; `-1` as a divisor of `%` gives 0): the results, the rows' validity
    /// and whether both operands were scalars (then one row). `check(u, v, r)` sees every valid
    /// row's operands and its result (nil when 128 bits overflowed) and throws to reject it; a zero
    /// divisor is `divisionByZero(expr)`. Shared by HUGEINT and wide DECIMAL arithmetic.
    static func int128Rows(
        _ op: ArithmeticOp, _ x: Operand, _ y: Operand, count n0: Int, expr: ScalarExpr,
        check: (Int128, Int128, Int128?) throws -> Void
    ) throws -> (values: [Int128], validity: [UInt8]?, bothScalar: Bool) {
        let bothScalar = x.isScalar && y.isScalar
        let n = bothScalar ? 1 : n0
        let validity = andValidity(x.validity, y.validity)
        let a = int128Arg(x)
        let b = int128Arg(y)
        @inline(__always) func at(_ v: Arg<Int128>, _ i: Int) -> Int128 {
            switch v {
            case .col(let c): return c[i]
            case .scalar(let s): return s
            }
        }
        var out = [Int128](repeating: 0, count: n)
        for i in 0..<n {
            if let v = validity, v[i] == 0 { continue }
            let p = at(a, i)
            let q = at(b, i)
            let r: (partialValue: Int128, overflow: Bool)
            switch op {
            case .add: r = p.addingReportingOverflow(q)
            case .subtract: r = p.subtractingReportingOverflow(q)
            case .multiply: r = p.multipliedReportingOverflow(by: q)
            case .integerDivide, .divide:
                if q == 0 { throw divisionByZero(expr) }
                r = p.dividedReportingOverflow(by: q)
            case .modulo:
                if q == 0 { throw divisionByZero(expr) }
                r = q == -1 ? (0, false) : p.remainderReportingOverflow(dividingBy: q)
            }
            try check(p, q, r.overflow ? nil : r.partialValue)
            out[i] = r.partialValue
        }
        return (out, validity, bothScalar)
    }

    /// `x op y` computed in 128 bits (`+ - * // %`; `/` is DOUBLE and never comes here), for a
    /// HUGEINT result or a wide operand. Overflow of the 128-bit range (or of `resultType`'s range
    /// when it is narrower) and division by zero are execution errors naming the expression, as in
    /// DuckDB; NULL rows are skipped. Scalar inputs give a scalar when the result fits Int64, else
    /// a column of `count` rows.
    static func wideArithmetic(
        _ op: ArithmeticOp, _ x: Operand, _ y: Operand, resultType: DataType,
        count n0: Int, expr: ScalarExpr
    ) throws -> Operand {
        let range: ClosedRange<Int128>? =
            resultType == .hugeint
            ? nil
            : Int128(integerRange(resultType).lowerBound)...Int128(integerRange(resultType).upperBound)
        let (out, validity, bothScalar) = try int128Rows(op, x, y, count: n0, expr: expr) { p, q, r in
            guard let r, range?.contains(r) ?? true else { throw overflowError(op, resultType, "\(p)", "\(q)", expr) }
        }
        if bothScalar {
            if let v = validity, v[0] == 0 { return .scalar(.null) }
            if let s = Int64(exactly: out[0]) { return .scalar(.int(s)) }
            return .column(Column.broadcastHugeint(out[0], count: n0))
        }
        var col = Column(hugeints: out, validity: validity)
        col.type = resultType
        return .column(col)
    }

    /// `x [NOT] IN (constants)` when `x` is wide or a constant is beyond Int64: 128-bit equality.
    static func wideInList(_ x: Operand, _ values: [Value], negated: Bool, count n0: Int) -> Operand {
        let listHasNull = values.contains { $0.isNull }
        var list: [Int128] = []
        for v in values {
            switch v {
            case .int(let i): list.append(Int128(i))
            case .hugeint(let i): list.append(i)
            case .bool(let b): list.append(b ? 1 : 0)
            case .double(let d): if let i = Int128(exactly: d) { list.append(i) }
            default: break
            }
        }
        let set = Set(list)
        let n = x.isScalar ? 1 : n0
        var found = [Int64](repeating: 0, count: n)
        switch int128Arg(x) {
        case .col(let xs): for i in 0..<n { found[i] = set.contains(xs[i]) ? 1 : 0 }
        case .scalar(let s): found[0] = set.contains(s) ? 1 : 0
        }
        return inListResult(
            found: found, inputValidity: x.validity, listHasNull: listHasNull, negated: negated, scalar: x.isScalar)
    }

    /// CAST of a wide HUGEINT column (values beyond Int64) to `to`.
    static func castWide(_ c: Column, to: DataType, isTry: Bool, expr: ScalarExpr) throws -> Column {
        let n = c.count
        var validity = c.validity
        switch to {
        case .varchar: return castToVarchar(c, from: .hugeint)
        case .double: return Column(doubles: c.int128Doubles(), validity: validity)
        case .boolean:
            var out = [Int64](repeating: 0, count: n)
            let h = c.highs!
            for i in 0..<n where c.ints[i] != 0 || h[i] != 0 { out[i] = 1 }
            return Column(type: .boolean, ints: out, validity: validity)
        case .hugeint: return c
        default:
            // integer types: rows beyond Int64 are out of range; the others as any integer cast
            let range = integerRange(to)
            var out = c.ints
            for i in 0..<n where c.isValid(i) {
                let v = c.int128(at: i)
                if let x = Int64(exactly: v), range.contains(x) { continue }
                if isTry {
                    if validity == nil { validity = [UInt8](repeating: 1, count: n) }
                    validity![i] = 0
                    out[i] = 0
                } else {
                    throw KuaiError(
                        .execution,
                        "Type INT128 with value \(v) can't be cast because the value is out of range for the destination type \(physicalName(to)) in expression \(expr.name)"
                    )
                }
            }
            return Column(type: to, ints: out, validity: validity)
        }
    }
}

/// `a + b` of two partial 128-bit sums, with DuckDB's overflow error.
@inline(__always)
func addChecked(_ a: Int128, _ b: Int128) throws -> Int128 {
    let r = a.addingReportingOverflow(b)
    if r.overflow { throw KuaiError(.execution, "Overflow in HUGEINT addition: \(a) + \(b)") }
    return r.partialValue
}
