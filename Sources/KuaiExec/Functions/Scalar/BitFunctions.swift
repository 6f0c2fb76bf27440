import KuaiCore

// The bit operators `&`, `|`, `<<`, `>>`, `~` and the functions xor and bit_count over TINYINT, SMALLINT,
// INTEGER, BIGINT and HUGEINT, as DuckDB 2.0.1 (Formats/query-language.md, "Bit operators"). The operators
// are functions named by their symbol, as in DuckDB. Each type keeps its width: `1::TINYINT << 7` and
// `1 << 31` overflow, bit_count(-1) is 32 for INTEGER and 8 for TINYINT.

extension FunctionRegistry {
    static let bitFunctions: [ScalarFunction] = DataType.integerTypes.flatMap { t in
        [
            ScalarFunction("&", [t, t], t) { a, _, n, e in try bitBinary(a, n, t, e) { x, y in x & y } },
            ScalarFunction("|", [t, t], t) { a, _, n, e in try bitBinary(a, n, t, e) { x, y in x | y } },
            ScalarFunction("xor", [t, t], t) { a, _, n, e in try bitBinary(a, n, t, e) { x, y in x ^ y } },
            ScalarFunction("<<", [t, t], t) { a, _, n, e in
                try bitBinary(a, n, t, e) { x, y in try shiftLeft(x, y, bits: bitWidth(t)) }
            },
            ScalarFunction(">>", [t, t], t) { a, _, n, e in
                try bitBinary(a, n, t, e) { x, y in y >= 0 && y < bitWidth(t) ? x >> y : 0 }
            },
            ScalarFunction("~", [t], t) { a, _, n, e in try bitUnary(a[0], n, t, e, result: t) { ~$0 } },
            // DuckDB: TINYINT, SMALLINT for HUGEINT (128 does not fit a TINYINT).
            ScalarFunction("bit_count", [t], bitCountType(t)) { a, _, n, e in
                try bitUnary(a[0], n, t, e, result: bitCountType(t)) { x in
                    let bits = bitWidth(t)
                    let pattern = bits == 128 ? x : x & ((Int128(1) << bits) - 1)
                    return Int128(UInt128(bitPattern: pattern).nonzeroBitCount)
                }
            },
        ]
    }

    /// True for the functions of this family (their HUGEINT overloads compute on 128 bits).
    static func isBitFunction(_ name: String) -> Bool {
        ["&", "|", "xor", "<<", ">>", "~", "bit_count"].contains(name)
    }

    /// Bits of a value of the integer type `t`: 8 (TINYINT) ... 128 (HUGEINT).
    static func bitWidth(_ t: DataType) -> Int128 { Int128(t.integerBits ?? 128) }

    /// The type of bit_count(`t`): TINYINT, SMALLINT for HUGEINT (DuckDB 2.0.1).
    static func bitCountType(_ t: DataType) -> DataType { t == .hugeint ? .smallint : .tinyint }

    /// DuckDB's BitwiseShiftLeftOperator: a negative value or shift, a shift past the width (of a value other
    /// than 0) and a result past the type's maximum are errors.
    /// - Throws: `KuaiError.execution` ("Cannot left-shift negative number -1", "Overflow in left shift (1 << 31)").
    static func shiftLeft(_ x: Int128, _ s: Int128, bits: Int128) throws -> Int128 {
        if x < 0 { throw KuaiError(.execution, "Cannot left-shift negative number \(x)") }
        if s < 0 { throw KuaiError(.execution, "Cannot left-shift by negative number \(s)") }
        if s >= bits {
            if x == 0 { return 0 }
            throw KuaiError(.execution, "Left-shift value \(s) is out of range")
        }
        if s == 0 { return x }
        if bits - s - 1 < 127 && x >= Int128(1) << (bits - s - 1) {
            throw KuaiError(.execution, "Overflow in left shift (\(x) << \(s))")
        }
        return x << s
    }

    /// The rows of an integer operand as Int128 (`count` copies of a scalar).
    static func wideValues(_ o: Operand, _ n: Int) -> [Int128] {
        switch o {
        case .column(let c): return c.int128Values()
        case .scalar(.int(let v)): return [Int128](repeating: Int128(v), count: n)
        case .scalar(.hugeint(let v)): return [Int128](repeating: v, count: n)
        default: return [Int128](repeating: 0, count: n)
        }
    }

    /// The Int128 results of a bit kernel as an operand of type `t` (a scalar when every input was one).
    static func bitResult(_ v: [Int128], _ t: DataType, validity: [UInt8]?, scalar: Bool) -> Operand {
        if scalar {
            if t != .hugeint { return .scalar(.int(Int64(truncatingIfNeeded: v[0]))) }
            return Int64(exactly: v[0]).map { .scalar(.int($0)) } ?? .scalar(.hugeint(v[0]))
        }
        if t == .hugeint { return .column(Column(hugeints: v, validity: validity)) }
        return .column(Column(type: t, ints: v.map { Int64(truncatingIfNeeded: $0) }, validity: validity))
    }

    /// `f` on each row of two operands of type `t` (NULL where either is NULL; `f` is not called there).
    static func bitBinary(
        _ a: [Operand], _ n0: Int, _ t: DataType, _ e: ScalarExpr, _ f: (Int128, Int128) throws -> Int128
    ) throws -> Operand {
        if a[0].isNullScalar || a[1].isNullScalar { return .scalar(.null) }
        let scalar = a[0].isScalar && a[1].isScalar
        let n = scalar ? 1 : n0
        let validity = andValidity(a[0].validity, a[1].validity)
        let x = wideValues(a[0], n)
        let y = wideValues(a[1], n)
        var out = [Int128](repeating: 0, count: n)
        for i in 0..<n where validity?[i] ?? 1 != 0 { out[i] = try f(x[i], y[i]) }
        return bitResult(out, t, validity: validity, scalar: scalar)
    }

    /// `f` on each row of one operand of type `t`, giving `result` values.
    static func bitUnary(
        _ a: Operand, _ n0: Int, _ t: DataType, _ e: ScalarExpr, result: DataType, _ f: (Int128) -> Int128
    ) throws -> Operand {
        if a.isNullScalar { return .scalar(.null) }
        let n = a.isScalar ? 1 : n0
        let x = wideValues(a, n)
        let validity = a.validity
        var out = [Int128](repeating: 0, count: n)
        for i in 0..<n where validity?[i] ?? 1 != 0 { out[i] = f(x[i]) }
        return bitResult(out, result, validity: validity, scalar: a.isScalar)
    }
}
