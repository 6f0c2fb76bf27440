import KuaiCore

/// One side of a binary kernel: a column's values or one value for every row.
enum Arg<T> {
    case col([T])
    case scalar(T)

    /// The value at row `i` (the constant for a scalar).
    @inline(__always)
    func at(_ i: Int) -> T {
        switch self {
        case .col(let x): return x[i]
        case .scalar(let v): return v
        }
    }
}

/// Applies `f` to every row; specialised loops for column/column, column/scalar, scalar/column.
@inline(__always)
func binaryMap<A, B, R>(_ n: Int, _ a: Arg<A>, _ b: Arg<B>, _ f: (A, B) -> R) -> [R] {
    [R](unsafeUninitializedCapacity: n) { out, filled in
        switch (a, b) {
        case (.col(let x), .col(let y)):
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    for i in 0..<n { out.initializeElement(at: i, to: f(xp[i], yp[i])) }
                }
            }
        case (.col(let x), .scalar(let c)):
            x.withUnsafeBufferPointer { xp in
                for i in 0..<n { out.initializeElement(at: i, to: f(xp[i], c)) }
            }
        case (.scalar(let c), .col(let y)):
            y.withUnsafeBufferPointer { yp in
                for i in 0..<n { out.initializeElement(at: i, to: f(c, yp[i])) }
            }
        case (.scalar(let c), .scalar(let d)):
            let r = f(c, d)
            for i in 0..<n { out.initializeElement(at: i, to: r) }
        }
        filled = n
    }
}

/// Row-wise AND of two validity masks (nil = all valid).
func andValidity(_ a: [UInt8]?, _ b: [UInt8]?) -> [UInt8]? {
    guard let a else { return b }
    guard let b else { return a }
    var out = a
    out.withUnsafeMutableBufferPointer { o in
        b.withUnsafeBufferPointer { bp in
            for i in 0..<o.count { o[i] &= bp[i] }
        }
    }
    return out
}

/// The vectorised kernels behind `ScalarExpr` (one loop per (operator, physical type)).
public enum Kernels {
    // MARK: operand access

    static func intArg(_ o: Operand) -> Arg<Int64> {
        switch o {
        case .column(let c):
            if c.type == .double { return .col(c.doubles.map { Int64($0) }) }
            return .col(c.ints)
        case .scalar(let v):
            switch v {
            case .int(let i): return .scalar(i)
            case .bool(let b): return .scalar(b ? 1 : 0)
            case .double(let d): return .scalar(Int64(d))
            default: return .scalar(0)
            }
        }
    }

    static func doubleArg(_ o: Operand) -> Arg<Double> {
        switch o {
        case .column(let c):
            if c.type == .double { return .col(c.doubles) }
            if c.highs != nil { return .col(c.int128Doubles()) }
            return .col(c.ints.map { Double($0) })
        case .scalar(let v):
            switch v {
            case .int(let i): return .scalar(Double(i))
            case .hugeint(let i): return .scalar(Double(i))
            case .double(let d): return .scalar(d)
            case .bool(let b): return .scalar(b ? 1 : 0)
            default: return .scalar(0)
            }
        }
    }

    /// Wraps kernel output as a scalar when both inputs were scalars, else as a column.
    static func result(_ ints: [Int64], type: DataType, validity: [UInt8]?, scalar: Bool) -> Operand {
        if scalar {
            if type == .boolean { return .scalar(.bool(ints[0] != 0)) }
            return .scalar(.int(ints[0]))
        }
        return .column(Column(type: type, ints: ints, validity: validity))
    }

    static func result(_ doubles: [Double], validity: [UInt8]?, scalar: Bool) -> Operand {
        if scalar { return .scalar(.double(doubles[0])) }
        return .column(Column(doubles: doubles, validity: validity))
    }

    /// DuckDB's physical type name in overflow and cast errors: INT8 ... INT128, DOUBLE; INT64 for
    /// the other types held in Int64.
    static func physicalName(_ t: DataType) -> String {
        if let name = t.integerPhysicalName { return name }
        return t == .double ? "DOUBLE" : "INT64"
    }

    // MARK: arithmetic

    /// `x op y` with DuckDB's rules: integer `+ - *` raise an overflow error (INTEGER results must
    /// fit 32 bits), `/` is DOUBLE division, `//` and `%` raise on a zero divisor.
    static func arithmetic(
        _ op: ArithmeticOp, _ x: Operand, _ xt: DataType, _ y: Operand, _ yt: DataType,
        resultType: DataType, count n0: Int, expr: ScalarExpr
    ) throws -> Operand {
        if x.isNullScalar || y.isNullScalar { return .scalar(.null) }
        if resultType.isDecimal {
            return try decimalArithmetic(op, x, y, resultType: resultType, count: n0, expr: expr)
        }
        let bothScalar = x.isScalar && y.isScalar
        let n = bothScalar ? 1 : n0
        let validity = andValidity(x.validity, y.validity)
        if resultType == .double || op == .divide {
            let a = doubleArg(x)
            let b = doubleArg(y)
            let vals: [Double]
            switch op {
            case .add: vals = binaryMap(n, a, b, +)
            case .subtract: vals = binaryMap(n, a, b, -)
            case .multiply: vals = binaryMap(n, a, b, *)
            case .divide: vals = binaryMap(n, a, b, /)
            case .integerDivide:
                vals = binaryMap(n, a, b, /)
                try checkZeroDivisor(b, validity: validity, n: n, expr: expr)
            case .modulo: vals = binaryMap(n, a, b) { $0.truncatingRemainder(dividingBy: $1) }
            }
            return result(vals, validity: validity, scalar: bothScalar)
        }
        // Values beyond Int64 (wide HUGEINT columns): 128-bit arithmetic.
        if isWide(x) || isWide(y) {
            return try wideArithmetic(op, x, y, resultType: resultType, count: n0, expr: expr)
        }
        let a = intArg(x)
        let b = intArg(y)
        var bad: UInt8 = 0
        let vals: [Int64]
        // TINYINT, SMALLINT and INTEGER results must fit their width: a value survives the shift
        // of its sign bit to bit 63 and back only when it does.
        let narrow = resultType.isNarrowInteger
        let spare = Int64(64 - (resultType.integerBits ?? 64))
        /// The row-by-row path: `f`'s partial value a row, any overflow noted in `bad`.
        @inline(__always) func checkedRows(_ f: (Int64, Int64) -> (partialValue: Int64, overflow: Bool)) -> [Int64] {
            binaryMap(n, a, b) { p, q in
                let r = f(p, q)
                bad |= r.overflow ? 1 : 0
                return r.partialValue
            }
        }
        switch op {
        case .add:
            let r = addOrSubtract(subtract: false, n, a, b)
            vals = r.values
            bad = r.overflow ? 1 : 0
        case .subtract:
            let r = addOrSubtract(subtract: true, n, a, b)
            vals = r.values
            bad = r.overflow ? 1 : 0
        case .multiply:
            vals = multiplyInRange(x, y, n) ?? checkedRows { p, q in p.multipliedReportingOverflow(by: q) }
        case .integerDivide, .divide:
            vals = divideByConstant(op, a, b, count: n) ?? checkedRows { p, q in p.dividedReportingOverflow(by: q) }
        case .modulo:
            // DuckDB: x % -1 is 0 for every x, Int64.min included (Swift reports overflow).
            vals =
                divideByConstant(op, a, b, count: n)
                ?? checkedRows { p, q in q == -1 ? (0, false) : p.remainderReportingOverflow(dividingBy: q) }
        }
        if narrow && bad == 0 {
            vals.withUnsafeBufferPointer { vp in
                var outside: Int64 = 0
                for i in 0..<n { outside |= vp[i] ^ ((vp[i] << spare) >> spare) }
                bad = outside != 0 ? 1 : 0
            }
        }
        if bad != 0 && resultType == .hugeint {
            // A HUGEINT result past Int64 (or a zero divisor): redo the batch in 128 bits.
            return try wideArithmetic(op, x, y, resultType: resultType, count: n0, expr: expr)
        }
        if bad != 0 {
            try reportIntegerError(
                op, a, b, vals, validity: validity, n: n, narrow: narrow, resultType: resultType, expr: expr)
        }
        return result(vals, type: resultType, validity: validity, scalar: bothScalar)
    }

    /// `x * y` of an integer-stored column and a constant (either order) when every valid value
    /// times the constant fits Int64, as checked once on the column's smallest and largest valid
    /// values (a product is monotonic in the value): a wrapping multiply a row, which vectorises
    /// (a NULL row's arbitrary bits wrap). nil otherwise (the caller checks row by row).
    static func multiplyInRange(_ x: Operand, _ y: Operand, _ n: Int) -> [Int64]? {
        let (col, c): (Column, Int64)
        switch (x, y) {
        case (.column(let k), .scalar(.int(let v))), (.scalar(.int(let v)), .column(let k)): (col, c) = (k, v)
        default: return nil
        }
        guard col.type != .double, col.highs == nil, n > 0, col.ints.count >= n else { return nil }
        if let (lo, hi) = valueRange(col, count: n) {
            guard !lo.multipliedReportingOverflow(by: c).overflow, !hi.multipliedReportingOverflow(by: c).overflow
            else { return nil }
        }
        return col.ints.withUnsafeBufferPointer { src in
            [Int64](unsafeUninitializedCapacity: n) { out, filled in
                for i in 0..<n { out[i] = src[i] &* c }
                filled = n
            }
        }
    }

    /// `a // b` or `a % b` (`op`) of a column by a constant through `ConstantDivisor`, or nil when
    /// `b` is no constant it takes (then no row can overflow or divide by zero). With AVX-512, when
    /// every row (NULL rows' bits included) and the constant lie within ±2^52, through
    /// `VectorKernels.divide` (the same results, eight rows a step).
    static func divideByConstant(_ op: ArithmeticOp, _ a: Arg<Int64>, _ b: Arg<Int64>, count n: Int) -> [Int64]? {
        guard case .col(let xs) = a, case .scalar(let c) = b, let d = ConstantDivisor(c) else { return nil }
        if VectorKernels.isAvailable, n > 0, c.magnitude < VectorKernels.divideLimit {
            let fits = xs.withUnsafeBufferPointer { x in
                let (lo, hi) = valueRange(x.baseAddress!, n, valid: nil)
                return lo.magnitude < VectorKernels.divideLimit && hi.magnitude < VectorKernels.divideLimit
            }
            if fits { return VectorKernels.divide(xs, count: n, by: c, remainder: op == .modulo) }
        }
        return d.apply(op, xs, count: n)
    }

    /// `a + b` or `a - b` wrapping, and whether some row overflowed (two's complement sign rule,
    /// accumulated without branches so that the loops vectorise).
    static func addOrSubtract(subtract: Bool, _ n: Int, _ a: Arg<Int64>, _ b: Arg<Int64>) -> (
        values: [Int64], overflow: Bool
    ) {
        var signs: Int64 = 0
        let values = [Int64](unsafeUninitializedCapacity: n) { out, filled in
            filled = n
            guard n > 0, let o = out.baseAddress else { return }
            @inline(__always) func run<Op: IntAddOrSubtract>(
                _: Op.Type, _ x: (Int) -> Int64, _ y: (Int) -> Int64
            ) -> Int64 {
                var acc: Int64 = 0
                for i in 0..<n {
                    let p = x(i)
                    let q = y(i)
                    let r = Op.apply(p, q)
                    acc |= Op.overflowSign(p, q, r)
                    o[i] = r
                }
                return acc
            }
            @inline(__always) func run(_ x: (Int) -> Int64, _ y: (Int) -> Int64) -> Int64 {
                subtract ? run(Minus.self, x, y) : run(Plus.self, x, y)
            }
            switch (a, b) {
            case (.col(let x), .col(let y)):
                signs = x.withUnsafeBufferPointer { xp in
                    y.withUnsafeBufferPointer { yp in run({ xp[$0] }, { yp[$0] }) }
                }
            case (.col(let x), .scalar(let c)):
                signs = x.withUnsafeBufferPointer { xp in run({ xp[$0] }, { _ in c }) }
            case (.scalar(let c), .col(let y)):
                signs = y.withUnsafeBufferPointer { yp in run({ _ in c }, { yp[$0] }) }
            case (.scalar(let c), .scalar(let d)):
                signs = run({ _ in c }, { _ in d })
            }
        }
        return (values, signs < 0)
    }

    static func checkZeroDivisor(_ b: Arg<Double>, validity: [UInt8]?, n: Int, expr: ScalarExpr) throws {
        switch b {
        case .scalar(let d):
            if d == 0 { throw divisionByZero(expr) }
        case .col(let ds):
            for i in 0..<n where ds[i] == 0 && (validity?[i] ?? 1) != 0 { throw divisionByZero(expr) }
        }
    }

    static func divisionByZero(_ expr: ScalarExpr) -> KuaiError {
        KuaiError(.execution, "Division by zero in expression \(expr.name)")
    }

    /// Finds the first valid row whose operation overflowed (NULL rows may hold any bits) and throws.
    static func reportIntegerError(
        _ op: ArithmeticOp, _ a: Arg<Int64>, _ b: Arg<Int64>, _ vals: [Int64],
        validity: [UInt8]?, n: Int, narrow: Bool, resultType: DataType,
        expr: ScalarExpr
    ) throws {
        func at(_ x: Arg<Int64>, _ i: Int) -> Int64 {
            switch x {
            case .col(let c): return c[i]
            case .scalar(let s): return s
            }
        }
        for i in 0..<n {
            if let v = validity, v[i] == 0 { continue }
            let p = at(a, i)
            let q = at(b, i)
            let overflow: Bool
            switch op {
            case .add: overflow = p.addingReportingOverflow(q).overflow
            case .subtract: overflow = p.subtractingReportingOverflow(q).overflow
            case .multiply: overflow = p.multipliedReportingOverflow(by: q).overflow
            case .integerDivide, .divide:
                if q == 0 { throw divisionByZero(expr) }
                overflow = p.dividedReportingOverflow(by: q).overflow
            case .modulo:
                if q == 0 { throw divisionByZero(expr) }
                overflow = false
            }
            let outOfRange = narrow && !overflow && !resultType.integerRange.contains(vals[i])
            if overflow || outOfRange {
                throw overflowError(op, resultType, "\(p)", "\(q)", expr)
            }
        }
    }

    static func negate(_ x: Operand, type: DataType, count n0: Int, expr: ScalarExpr) throws -> Operand {
        if x.isNullScalar { return .scalar(.null) }
        let n = x.isScalar ? 1 : n0
        if type == .double {
            let vals = binaryMap(n, doubleArg(x), Arg<Double>.scalar(0)) { p, _ in -p }
            return result(vals, validity: x.validity, scalar: x.isScalar)
        }
        // 0 - x overflows only for the type's smallest value: DuckDB's negation error.
        do {
            return try arithmetic(.subtract, .scalar(.int(0)), type, x, type, resultType: type, count: n0, expr: expr)
        } catch let e as KuaiError where e.message.hasPrefix("Overflow in subtraction") {
            throw KuaiError(.execution, "Overflow in negation of numeric value! in expression \(expr.name)")
        }
    }

    // MARK: comparison

    enum Category { case int, double, string }

    static func category(_ t: DataType) -> Category {
        switch t {
        case .double: return .double
        case .varchar: return .string
        default: return .int
        }
    }

    /// `x op y` as BOOLEAN; NULL when either side is NULL. Integer/double mixes compare as double, in
    /// DuckDB's order (`DoubleOrder`).
    static func compare(_ op: CompareOp, _ x: Operand, _ xt: DataType, _ y: Operand, _ yt: DataType, count n0: Int)
        -> Operand
    {
        if x.isNullScalar || y.isNullScalar { return .scalar(.null) }
        if xt == .interval && yt == .interval && (hasIntervalParts(x) || hasIntervalParts(y)) {
            return compare(op, intervalKeys(x), .hugeint, intervalKeys(y), .hugeint, count: n0)
        }
        let bothScalar = x.isScalar && y.isScalar
        let n = bothScalar ? 1 : n0
        let validity = andValidity(x.validity, y.validity)
        let cx = category(xt)
        let cy = category(yt)
        let vals: [Int64]
        if cx == .string || cy == .string {
            vals = compareStrings(op, x, y, n: n)
        } else if cx == .double || cy == .double {
            vals = compareDoubles(op, n, doubleArg(x), doubleArg(y))
        } else if isWide(x) || isWide(y) {
            vals = compareLoop(op, n, int128Arg(x), int128Arg(y))
        } else {
            vals = compareLoop(op, n, intArg(x), intArg(y))
        }
        return result(vals, type: .boolean, validity: validity, scalar: bothScalar)
    }

    @inline(__always)
    static func compareLoop<T: Comparable>(_ op: CompareOp, _ n: Int, _ a: Arg<T>, _ b: Arg<T>) -> [Int64] {
        switch op {
        case .equal: return binaryMap(n, a, b) { $0 == $1 ? 1 : 0 }
        case .notEqual: return binaryMap(n, a, b) { $0 != $1 ? 1 : 0 }
        case .less: return binaryMap(n, a, b) { $0 < $1 ? 1 : 0 }
        case .lessEqual: return binaryMap(n, a, b) { $0 <= $1 ? 1 : 0 }
        case .greater: return binaryMap(n, a, b) { $0 > $1 ? 1 : 0 }
        case .greaterEqual: return binaryMap(n, a, b) { $0 >= $1 ? 1 : 0 }
        }
    }

    /// `compareLoop` for DOUBLE in DuckDB's order (`DoubleOrder`: NaN = NaN, NaN above +inf).
    static func compareDoubles(_ op: CompareOp, _ n: Int, _ a: Arg<Double>, _ b: Arg<Double>) -> [Int64] {
        switch op {
        case .equal: return binaryMap(n, a, b) { DoubleOrder.equal($0, $1) ? 1 : 0 }
        case .notEqual: return binaryMap(n, a, b) { DoubleOrder.equal($0, $1) ? 0 : 1 }
        case .less: return binaryMap(n, a, b) { DoubleOrder.less($0, $1) ? 1 : 0 }
        case .lessEqual: return binaryMap(n, a, b) { DoubleOrder.less($1, $0) ? 0 : 1 }
        case .greater: return binaryMap(n, a, b) { DoubleOrder.less($1, $0) ? 1 : 0 }
        case .greaterEqual: return binaryMap(n, a, b) { DoubleOrder.less($0, $1) ? 0 : 1 }
        }
    }

    // MARK: logic

    /// Kleene AND / OR over two or more BOOLEAN operands.
    static func logic(isAnd: Bool, _ ops: [Operand], count n: Int) -> Operand {
        // Scalars first: a FALSE in AND (TRUE in OR) decides everything.
        var hasNullScalar = false
        var cols: [Column] = []
        for o in ops {
            switch o {
            case .scalar(let v):
                switch v {
                case .null: hasNullScalar = true
                case .bool(let b): if b != isAnd { return .scalar(.bool(b)) }
                case .int(let i): if (i != 0) != isAnd { return .scalar(.bool(i != 0)) }
                default: break
                }
            case .column(let c): cols.append(c)
            }
        }
        if cols.isEmpty { return hasNullScalar ? .scalar(.null) : .scalar(.bool(isAnd)) }
        // decided[i]: a deciding value (false for AND, true for OR) was seen; unknown[i]: a NULL was seen.
        var decided = [UInt8](repeating: 0, count: n)
        var unknown = [UInt8](repeating: hasNullScalar ? 1 : 0, count: n)
        let target: Int64 = isAnd ? 0 : 1
        for c in cols {
            c.ints.withUnsafeBufferPointer { vp in
                decided.withUnsafeMutableBufferPointer { dp in
                    if let v = c.validity {
                        v.withUnsafeBufferPointer { vv in
                            unknown.withUnsafeMutableBufferPointer { up in
                                for i in 0..<n {
                                    let valid = vv[i]
                                    dp[i] |= valid & ((vp[i] != 0 ? 1 : 0) == target ? 1 : 0)
                                    up[i] |= 1 &- valid
                                }
                            }
                        }
                    } else {
                        for i in 0..<n { dp[i] |= (vp[i] != 0 ? 1 : 0) == target ? 1 : 0 }
                    }
                }
            }
        }
        var vals = [Int64](repeating: 0, count: n)
        var validity = [UInt8](repeating: 1, count: n)
        var anyNull = false
        for i in 0..<n {
            if decided[i] != 0 {
                vals[i] = isAnd ? 0 : 1
            } else if unknown[i] != 0 {
                validity[i] = 0
                anyNull = true
            } else {
                vals[i] = isAnd ? 1 : 0
            }
        }
        return .column(Column(type: .boolean, ints: vals, validity: anyNull ? validity : nil))
    }

    static func not(_ x: Operand, count n: Int) -> Operand {
        switch x {
        case .scalar(let v):
            switch v {
            case .bool(let b): return .scalar(.bool(!b))
            case .int(let i): return .scalar(.bool(i == 0))
            default: return .scalar(.null)
            }
        case .column(let c):
            let vals = c.ints.map { $0 == 0 ? Int64(1) : 0 }
            return .column(Column(type: .boolean, ints: vals, validity: c.validity))
        }
    }

    static func isNull(_ x: Operand, negated: Bool, count n: Int) -> Operand {
        switch x {
        case .scalar(let v): return .scalar(.bool(v.isNull != negated))
        case .column(let c):
            guard let v = c.validity else { return .scalar(.bool(negated)) }
            let vals = v.map { (($0 == 0) != negated) ? Int64(1) : 0 }
            return .column(Column(type: .boolean, ints: vals))
        }
    }

    static func isDistinctFrom(_ x: Operand, _ xt: DataType, _ y: Operand, _ yt: DataType, negated: Bool, count n0: Int)
        -> Operand
    {
        let eq = compare(.equal, x, xt, y, yt, count: n0)
        let n = x.isScalar && y.isScalar ? 1 : n0
        func nulls(_ o: Operand) -> [UInt8] {
            switch o {
            case .scalar(let v): return [UInt8](repeating: v.isNull ? 0 : 1, count: n)
            case .column(let c): return c.validity ?? [UInt8](repeating: 1, count: n)
            }
        }
        let vx = nulls(x)
        let vy = nulls(y)
        let eqCol: [Int64]
        switch eq {
        case .scalar(let v):
            if case .bool(let b) = v {
                eqCol = [Int64](repeating: b ? 1 : 0, count: n)
            } else {
                eqCol = [Int64](repeating: 0, count: n)
            }
        case .column(let c): eqCol = c.ints
        }
        var vals = [Int64](repeating: 0, count: n)
        for i in 0..<n {
            let same: Bool
            if vx[i] == 0 || vy[i] == 0 { same = vx[i] == vy[i] } else { same = eqCol[i] != 0 }
            vals[i] = (same == negated) ? 1 : 0
        }
        if x.isScalar && y.isScalar { return .scalar(.bool(vals[0] != 0)) }
        return .column(Column(type: .boolean, ints: vals))
    }

    /// `x IN (constants)`: TRUE when found; else NULL when x is NULL or the list holds NULL; else FALSE.
    static func inList(
        _ x: Operand, _ xt: DataType, _ values: [Value], negated: Bool, count n0: Int, intSet: IntHashSet? = nil
    ) -> Operand {
        if x.isNullScalar { return .scalar(.null) }
        if xt == .interval && (hasIntervalParts(x) || values.contains(where: { hasIntervalParts(.scalar($0)) })) {
            return wideInList(intervalKeys(x), values.map(intervalKey), negated: negated, count: n0)
        }
        if category(xt) == .int
            && (isWide(x)
                || values.contains(where: {
                    if case .hugeint = $0 { return true }
                    return false
                }))
        {
            return wideInList(x, values, negated: negated, count: n0)
        }
        let listHasNull = values.contains { $0.isNull }
        let n = x.isScalar ? 1 : n0
        let col: Column
        switch x {
        case .scalar(let v): col = Column.broadcast(v, type: xt, count: 1)
        case .column(let c): col = c
        }
        var found = [Int64](repeating: 0, count: n)
        switch category(xt) {
        case .string:
            found = stringMembership(col, values, n: n)
        case .double:
            var ds: [Double] = []
            for v in values {
                switch v {
                case .double(let d): ds.append(d)
                case .int(let i): ds.append(Double(i))
                case .hugeint(let i): ds.append(Double(i))
                default: break
                }
            }
            // Keys by DuckDB's DOUBLE equality (DoubleOrder): NaN IN (NaN) is TRUE, -0.0 IN (0.0) too.
            let set = IntHashSet(ds.map { Int64(bitPattern: doubleKey($0)) })
            let src = col.type == .double ? col.doubles : col.int128Doubles()
            let keys = [Int64](unsafeUninitializedCapacity: n) { k, filled in
                for i in 0..<n { k[i] = Int64(bitPattern: doubleKey(src[i])) }
                filled = n
            }
            keys.withUnsafeBufferPointer { kp in found.withUnsafeMutableBufferPointer { set.contains(kp, into: $0) } }
        case .int:
            var list: [Int64] = []
            for v in values where intSet == nil {
                switch v {
                case .int(let i): list.append(i)
                case .bool(let b): list.append(b ? 1 : 0)
                case .double(let d): list.append(Int64(d))
                default: break
                }
            }
            col.ints.withUnsafeBufferPointer { vp in
                if let intSet {
                    found.withUnsafeMutableBufferPointer {
                        intSet.contains(UnsafeBufferPointer(rebasing: vp[0..<n]), into: $0)
                    }
                } else if list.count <= 8 {
                    for i in 0..<n {
                        var hit: Int64 = 0
                        for c in list where c == vp[i] { hit = 1 }
                        found[i] = hit
                    }
                } else {
                    let set = IntHashSet(list)
                    found.withUnsafeMutableBufferPointer {
                        set.contains(UnsafeBufferPointer(rebasing: vp[0..<n]), into: $0)
                    }
                }
            }
        }
        return inListResult(
            found: found, inputValidity: col.validity, listHasNull: listHasNull, negated: negated, scalar: x.isScalar)
    }

    /// The result of `x [NOT] IN (list)` from the membership flags `found` (1 = x equals an item) of
    /// the first `found.count` rows, by SQL's rules (DuckDB's too): NULL when x is NULL, or when x is
    /// not found and the list holds a NULL; NOT IN negates the rest.
    static func inListResult(found: [Int64], inputValidity: [UInt8]?, listHasNull: Bool, negated: Bool, scalar: Bool)
        -> Operand
    {
        let n = found.count
        var found = found
        var validity = inputValidity.map { Array($0.prefix(n)) }
        if listHasNull {
            var v = validity ?? [UInt8](repeating: 1, count: n)
            for i in 0..<n where found[i] == 0 { v[i] = 0 }
            validity = v
        }
        if negated { for i in 0..<n { found[i] = 1 - found[i] } }
        if scalar {
            if let v = validity, v[0] == 0 { return .scalar(.null) }
            return .scalar(.bool(found[0] != 0))
        }
        return .column(Column(type: .boolean, ints: found, validity: validity))
    }

    /// Splits the rows of a BOOLEAN operand into (TRUE rows, other rows).
    static func splitTrue(_ cond: Operand, count n: Int) -> (taken: [Int32], rest: [Int32]) {
        switch cond {
        case .scalar(let v):
            let t: Bool
            switch v {
            case .bool(let b): t = b
            case .int(let i): t = i != 0
            default: t = false
            }
            return t ? (Array(0..<Int32(n)), []) : ([], Array(0..<Int32(n)))
        case .column(let c):
            // without branches: each row is written to both lists, and the list it belongs to
            // advances (a CASE condition splits rows unpredictably)
            var kept = 0
            var rest: [Int32] = []
            let taken = [Int32](unsafeUninitializedCapacity: n) { t, takenCount in
                rest = [Int32](unsafeUninitializedCapacity: n) { r, restCount in
                    c.ints.withUnsafeBufferPointer { x in
                        c.validity.withUnsafeBufferPointerOrNil { v in
                            var nt = 0
                            var nr = 0
                            for i in 0..<n {
                                var b = x[i] != 0 ? 1 : 0
                                if let v { b &= Int(v[i]) }
                                t[nt] = Int32(truncatingIfNeeded: i)
                                r[nr] = Int32(truncatingIfNeeded: i)
                                nt &+= b
                                nr &+= 1 &- b
                            }
                            kept = nt
                            restCount = nr
                        }
                    }
                }
                takenCount = kept
            }
            return (taken, rest)
        }
    }
}

extension Kernels {
    /// DuckDB's integer overflow error: "Overflow in addition of INT64 (9223372036854775807 + 1)",
    /// "Overflow in division of -128 / -1", with the expression kuai was evaluating.
    static func overflowError(_ op: ArithmeticOp, _ resultType: DataType, _ p: String, _ q: String, _ expr: ScalarExpr)
        -> KuaiError
    {
        if op == .integerDivide || op == .divide {
            return KuaiError(.execution, "Overflow in division of \(p) / \(q) in expression \(expr.name)")
        }
        let word: String
        switch op {
        case .add: word = "addition"
        case .subtract: word = "subtraction"
        case .multiply: word = "multiplication"
        case .integerDivide, .divide: word = "division"
        case .modulo: word = "modulo"
        }
        return KuaiError(
            .execution,
            "Overflow in \(word) of \(physicalName(resultType)) (\(p) \(op.rawValue) \(q)) in expression \(expr.name)")
    }
}
