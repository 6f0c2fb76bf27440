import KuaiCore

/// Reads one argument row by row (slow path for functions on strings and mixed arguments;
/// single-VARCHAR-column expressions reach these kernels once per dictionary value).
struct ArgReader {
    let op: Operand
    let type: DataType

    @inline(__always)
    func isNull(_ i: Int) -> Bool {
        switch op {
        case .scalar(let v): return v.isNull
        case .column(let c): return c.type == .null || (c.validity.map { $0[i] == 0 } ?? false)
        }
    }

    func int(_ i: Int) -> Int64 {
        switch op {
        case .scalar(let v):
            switch v {
            case .int(let x): return x
            case .bool(let b): return b ? 1 : 0
            case .double(let d): return Int64(d)
            default: return 0
            }
        case .column(let c): return c.type == .double ? Int64(c.doubles[i]) : c.ints[i]
        }
    }

    func double(_ i: Int) -> Double {
        switch op {
        case .scalar(let v):
            switch v {
            case .int(let x): return Double(x)
            case .double(let d): return d
            case .bool(let b): return b ? 1 : 0
            default: return 0
            }
        case .column(let c): return c.type == .double ? c.doubles[i] : Double(c.ints[i])
        }
    }

    func string(_ i: Int) -> String {
        switch op {
        case .scalar(let v):
            if case .string(let s) = v { return s }
            return ""
        case .column(let c):
            if c.type == .varchar { return c.stringView(at: i).string }
            return Kernels.text(c, i)
        }
    }

    func value(_ i: Int) -> Value {
        if isNull(i) { return .null }
        switch op {
        case .scalar(let v): return v
        case .column(let c): return c.value(at: i)
        }
    }
}

extension FunctionRegistry {
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
        case .scalar(let v): return .scalar(asDouble(v).map { .double(f($0)) } ?? .null)
        case .column(let c): return .column(Column(doubles: mapAsDoubles(c, n, f), validity: c.validity))
        }
    }

    /// Applies `f` to each value of a DOUBLE (or integer) operand, giving an integer-stored `type`
    /// (BOOLEAN as 0/1); NULL rows stay NULL.
    @inline(__always)
    static func mapDoubleToInt(_ x: Operand, _ n: Int, _ type: DataType, _ f: (Double) -> Int64) -> Operand {
        switch x {
        case .scalar(let v):
            guard let d = asDouble(v) else { return .scalar(.null) }
            let r = f(d)
            return .scalar(type == .boolean ? .bool(r != 0) : .int(r))
        case .column(let c): return .column(Column(type: type, ints: mapAsDoubles(c, n, f), validity: c.validity))
        }
    }

    /// A DOUBLE or integer constant as DOUBLE; nil for NULL (and other values).
    @inline(__always)
    static func asDouble(_ v: Value) -> Double? {
        switch v {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    /// `f` of each of the first `n` values of a DOUBLE (or integer-stored) column, read as DOUBLE.
    @inline(__always)
    static func mapAsDoubles<T>(_ c: Column, _ n: Int, _ f: (Double) -> T) -> [T] {
        [T](unsafeUninitializedCapacity: n) { out, filled in
            guard let o = out.baseAddress else { return }
            if c.type == .double {
                c.doubles.withUnsafeBufferPointer { s in for i in 0..<n { (o + i).initialize(to: f(s[i])) } }
            } else {
                c.ints.withUnsafeBufferPointer { s in for i in 0..<n { (o + i).initialize(to: f(Double(s[i]))) } }
            }
            filled = n
        }
    }

    static func firstInvalid(_ c: Column, where bad: (Int) -> Bool) -> Int? {
        for i in 0..<c.count where bad(i) && (c.validity?[i] ?? 1) != 0 { return i }
        return nil
    }

    /// A strict function (a NULL argument gives NULL) with an integer-stored result computed row by
    /// row from typed buffers (`Kernels.intArg`, `Kernels.doubleArg` read by the caller): `f(i)` runs
    /// only for rows whose every argument is valid, so its errors are those of real rows; all-scalar
    /// arguments give a scalar. No boxed value per row.
    static func strictInts(_ args: [Operand], _ n0: Int, result: DataType, _ f: (Int) throws -> Int64) rethrows
        -> Operand
    {
        if args.contains(where: \.isNullScalar) { return .scalar(.null) }
        let scalar = args.allSatisfy(\.isScalar)
        let n = scalar ? 1 : n0
        let validity = args.reduce(nil as [UInt8]?) { andValidity($0, $1.validity) }
        var out = [Int64](repeating: 0, count: n)
        try out.withUnsafeMutableBufferPointer { o in
            for i in 0..<n where validity == nil || validity![i] != 0 { o[i] = try f(i) }
        }
        return Kernels.result(out, type: result, validity: validity, scalar: scalar)
    }

    /// Evaluates `f` row by row; a nil result is NULL. With `strict`, a NULL argument gives NULL
    /// without calling `f`. Returns a scalar when every argument is a scalar.
    static func rowwise(
        _ args: [Operand], _ types: [DataType], _ n0: Int, result: DataType, strict: Bool = true,
        _ f: ([ArgReader], Int) throws -> Value?
    ) rethrows -> Operand {
        let allScalar = args.allSatisfy(\.isScalar)
        let n = allScalar ? 1 : n0
        let readers = zip(args, types).map { ArgReader(op: $0, type: $1) }
        var scatter = ColumnScatter(type: result, count: n, dictionary: nil)
        var values: [Value] = []
        values.reserveCapacity(n)
        for i in 0..<n {
            if strict && readers.contains(where: { $0.isNull(i) }) {
                values.append(.null)
                continue
            }
            values.append(try f(readers, i) ?? .null)
        }
        if allScalar { return .scalar(values[0]) }
        // Build the column (strings through one dictionary).
        switch result {
        case .varchar:
            var b = StringVectorBuilder(capacity: n)
            for v in values {
                if case .string(let s) = v { b.append(s) } else { b.appendNull() }
            }
            return .column(b.finish())
        default:
            for (i, v) in values.enumerated() where !v.isNull { scatter.scatter(.scalar(v), rows: [Int32(i)]) }
            return .column(scatter.finish())
        }
    }

    static func retype(_ x: Operand, _ t: DataType) -> Operand {
        if case .column(var c) = x {
            c.type = t
            return .column(c)
        }
        return x
    }

    /// Integer operator with an overflow check, result type `t`.
    static func checkedInt(
        _ x: Operand, _ y: Operand, _ n0: Int, _ t: DataType, _ e: ScalarExpr,
        _ f: (Int64, Int64) -> (partialValue: Int64, overflow: Bool)
    ) throws -> Operand {
        if x.isNullScalar || y.isNullScalar { return .scalar(.null) }
        let scalar = x.isScalar && y.isScalar
        let n = scalar ? 1 : n0
        let validity = andValidity(x.validity, y.validity)
        var bad = -1
        let vals = binaryMap(n, Kernels.intArg(x), Kernels.intArg(y)) { p, q -> Int64 in
            let r = f(p, q)
            return r.overflow ? Int64.min : r.partialValue
        }
        for i in 0..<n where vals[i] == Int64.min && (validity?[i] ?? 1) != 0 {
            bad = i
            break
        }
        if bad >= 0 { throw KuaiError(.execution, "Overflow in \(e.name): the result is out of range") }
        return Kernels.result(vals, type: t, validity: validity, scalar: scalar)
    }

    static func constantString(_ o: Operand, _ what: String, _ e: ScalarExpr) throws -> String {
        guard case .scalar(.string(let s)) = o else {
            throw KuaiError(.execution, "\(what) must be a constant string in \(e.name)")
        }
        return s
    }
}
