import KuaiCore

// coalesce, ifnull, nullif, greatest, least: generic over the arguments' common type (no fixed-type
// overloads in the registry table: the binder asks `generic(_:_:arity:)` once it knows that type).

extension FunctionRegistry {
    /// The value of a correlated scalar subquery joined to its outer rows, checked: `value` when every
    /// row's `rows` (the subquery's row count for the row's correlation key; NULL for an outer row
    /// without one) is at most 1, else DuckDB's error. Not callable by name from SQL.
    /// - Throws: `KuaiError.execution` "More than one row returned by a subquery used as an
    ///   expression" when some row's count is above 1.
    public static func singleRowCheck(_ t: DataType) -> ScalarFunction {
        ScalarFunction("single_row_check", [t, .bigint], t) { a, _, n, _ in
            var several = false
            switch a[1] {
            case .scalar(let v): if case .int(let k) = v { several = k > 1 }
            case .column(let c):
                // (a NULL count, an outer row without a match, is no error)
                guard c.type != .null, c.ints.count >= n else { break }
                for i in 0..<n where c.ints[i] > 1 && c.validity.map({ $0[i] != 0 }) ?? true { several = true }
            }
            if several {
                throw KuaiError(
                    .execution,
                    "More than one row returned by a subquery used as an expression - scalar subqueries can only return a single row."
                )
            }
            return a[0]
        }
    }

    /// coalesce, nullif, greatest, least, ifnull over arguments of one type `t` (chosen by the binder).
    public static func generic(_ name: String, _ t: DataType, arity: Int) -> ScalarFunction? {
        let params = [DataType](repeating: t, count: max(arity, 1))
        switch name {
        case "coalesce", "ifnull":
            return ScalarFunction(name, params, t) { a, _, n, e in
                if let first = a.first, case .scalar(let v) = first, !v.isNull { return first }
                if a.allSatisfy(\.isScalar) {
                    for x in a { if case .scalar(let v) = x, !v.isNull { return x } }
                    return .scalar(.null)
                }
                if let fixed = coalesceFixedWidth(a, t, n) { return fixed }
                var out = ColumnScatter(type: t, count: n, dictionary: e.stableDictionary)
                var remaining = Array(0..<Int32(n))
                for x in a {
                    if remaining.isEmpty { break }
                    var take: [Int32] = []
                    var rest: [Int32] = []
                    let r = ArgReader(op: x, type: t)
                    for i in remaining { if r.isNull(Int(i)) { rest.append(i) } else { take.append(i) } }
                    if !take.isEmpty {
                        switch x {
                        case .scalar: out.scatter(x, rows: take)
                        case .column(let c):
                            out.scatter(.column(take.withUnsafeBufferPointer { c.gather($0) }), rows: take)
                        }
                    }
                    remaining = rest
                }
                return .column(out.finish())
            }
        case "nullif":
            guard arity == 2 else { return nil }
            return ScalarFunction(name, params, t) { a, _, n, _ in nullIf(a[0], a[1], t, n) }
        case "greatest", "least":
            let isMax = name == "greatest"
            return ScalarFunction(name, params, t) { a, types, n, _ in
                // INTERVAL: DuckDB's greatest/least order (months, days, micros) lexicographically, not
                // by the normalized value of `<`; the row path compares the packed values so.
                if a.allSatisfy(\.isScalar) || t == .interval {
                    return rowwise(a, types, n, result: t, strict: false) { r, i in
                        var best: Value? = nil
                        for x in r where !x.isNull(i) {
                            let v = x.value(i)
                            if let b = best {
                                let c = compareValues(v, b, t)
                                if isMax ? c > 0 : c < 0 { best = v }
                            } else {
                                best = v
                            }
                        }
                        return best
                    }
                }
                return extreme(a, t, n, greatest: isMax)
            }
        default:
            return nil
        }
    }

    /// coalesce over fixed-width values held in 64 bits (integers, BOOLEAN, dates and times,
    /// DECIMAL up to 18 digits, DOUBLE) as a fold over whole columns: each argument fills the rows
    /// still NULL where it is valid (a select per row, no row lists); the first non-NULL argument
    /// wins, as DuckDB's COALESCE. nil for other types and for columns with 128-bit values (the
    /// scatter path takes them).
    static func coalesceFixedWidth(_ a: [Operand], _ t: DataType, _ n: Int) -> Operand? {
        guard t != .varchar, t != .interval, t != .null, !t.isNested, n > 0 else { return nil }
        for x in a { if case .column(let c) = x, c.highs != nil || c.count < n { return nil } }
        if t == .double {
            return coalesceFold(
                a, n, read: { $0.doubles },
                constant: { v in
                    switch v {
                    case .double(let d): return d
                    case .int(let i): return Double(i)
                    case .hugeint(let h): return Double(h)
                    default: return nil
                    }
                },
                make: { Column(doubles: $0, validity: $1) })
        }
        return coalesceFold(
            a, n, read: { $0.ints },
            constant: { v in
                switch v {
                case .int(let i): return i
                case .bool(let b): return b ? 1 : 0
                case .hugeint(let h): return Int64(exactly: h)
                default: return nil
                }
            },
            make: { Column(type: t, ints: $0, validity: $1) })
    }

    /// The fold of `coalesceFixedWidth` over values `read` from columns (`constant` converts a
    /// non-NULL scalar argument, nil when it cannot); nil when some scalar does not convert.
    private static func coalesceFold<T>(
        _ a: [Operand], _ n: Int, read: (Column) -> [T], constant: (Value) -> T?,
        make: ([T], [UInt8]?) -> Column
    ) -> Operand? {
        var values: [T]? = nil  // nil while every argument so far was a NULL constant
        var valid: [UInt8]? = nil  // the rows with a value so far (nil: every row)
        for x in a {
            switch x {
            case .scalar(let v):
                if v.isNull { continue }
                guard let c = constant(v) else { return nil }
                guard var out = values else { return x }
                if let have = valid {
                    out.withUnsafeMutableBufferPointer { o in for i in 0..<n where have[i] == 0 { o[i] = c } }
                }
                values = out
                valid = nil
            case .column(let c):
                guard var out = values else {
                    values = Array(read(c).prefix(n))
                    valid = c.validity.map { Array($0.prefix(n)) }
                    break
                }
                guard var have = valid else { break }
                values = nil  // (unique buffer for the writes below)
                read(c).withUnsafeBufferPointer { xs in
                    out.withUnsafeMutableBufferPointer { o in
                        have.withUnsafeMutableBufferPointer { h in
                            if let xv = c.validity {
                                xv.withUnsafeBufferPointer { xv in
                                    for i in 0..<n {
                                        o[i] = h[i] != 0 ? o[i] : xs[i]
                                        h[i] |= xv[i]
                                    }
                                }
                            } else {
                                for i in 0..<n where h[i] == 0 { o[i] = xs[i] }
                            }
                        }
                    }
                }
                values = out
                valid = c.validity == nil ? nil : have
            }
            if values != nil && valid == nil { break }
        }
        guard let out = values else { return .scalar(.null) }
        return .column(make(out, valid))
    }

    /// nullif(a, b): `a` with the rows where `a = b` holds made NULL (DuckDB: `CASE WHEN a = b
    /// THEN NULL ELSE a END`). The equality is the comparison kernel's, so strings, HUGEINT and
    /// INTERVAL compare as they do in WHERE; `a`'s values (dictionary codes, high words) are kept.
    static func nullIf(_ a: Operand, _ b: Operand, _ t: DataType, _ n: Int) -> Operand {
        if a.isNullScalar || t == .null { return .scalar(.null) }
        let eq = Kernels.compare(.equal, a, t, b, t, count: n)
        var c: Column
        switch (a, eq) {
        case (_, .scalar(let v)):
            // `b` is NULL or both are scalars: every row takes the same branch.
            if case .bool(true) = v { return .scalar(.null) }
            if case .int(let x) = v, x != 0 { return .scalar(.null) }
            return a
        case (.scalar(let v), .column): c = Column.broadcast(v, type: t, count: n)
        case (.column(let x), .column): c = x
        }
        guard case .column(let e) = eq else { return a }
        var valid = c.validity ?? [UInt8](repeating: 1, count: n)
        valid.withUnsafeMutableBufferPointer { v in
            e.ints.withUnsafeBufferPointer { same in
                if let ev = e.validity {
                    ev.withUnsafeBufferPointer { known in
                        for i in 0..<n { v[i] &= ~(known[i] & UInt8(truncatingIfNeeded: same[i])) & 1 }
                    }
                } else {
                    for i in 0..<n { v[i] &= ~UInt8(truncatingIfNeeded: same[i]) & 1 }
                }
            }
        }
        c.validity = valid
        return .column(c)
    }

    /// greatest / least over columns: a fold that replaces the running best at the rows where the
    /// next argument is valid and the best is NULL or compares below (above) it, so NULL arguments
    /// are skipped and the first of equal values is kept (DuckDB semantics). Comparisons use the
    /// comparison kernel (strings by bytes, NaN as the largest DOUBLE, INTERVAL normalized).
    static func extreme(_ a: [Operand], _ t: DataType, _ n: Int, greatest: Bool) -> Operand {
        var best = a[0]
        for x in a.dropFirst() {
            if x.isNullScalar { continue }
            let better = Kernels.compare(greatest ? .greater : .less, x, t, best, t, count: n)
            let xv = x.validity
            let bv: [UInt8]? = best.isNullScalar ? [UInt8](repeating: 0, count: n) : best.validity
            // wins[i]: x is valid and (the best is NULL or x compares better)
            var wins = [UInt8](repeating: 1, count: n)
            switch better {
            case .column(let c):
                c.ints.withUnsafeBufferPointer { b in for i in 0..<n { wins[i] = UInt8(truncatingIfNeeded: b[i]) } }
                if let cv = c.validity { for i in 0..<n { wins[i] &= cv[i] } }
            case .scalar(let v):
                let yes: Bool
                switch v {
                case .bool(let b): yes = b
                case .int(let i): yes = i != 0
                default: yes = false
                }
                if !yes { for i in 0..<n { wins[i] = 0 } }
            }
            if let bv { for i in 0..<n where bv[i] == 0 { wins[i] = 1 } }
            if let xv { for i in 0..<n { wins[i] &= xv[i] } }
            var take: [Int32] = []
            var keep: [Int32] = []
            take.reserveCapacity(n)
            keep.reserveCapacity(n)
            for i in 0..<n {
                if wins[i] != 0 { take.append(Int32(i)) } else { keep.append(Int32(i)) }
            }
            if take.isEmpty { continue }
            var out = ColumnScatter(type: t, count: n, dictionary: nil)
            out.scatter(gathered(x, take), rows: take)
            if !keep.isEmpty { out.scatter(gathered(best, keep), rows: keep) }
            best = .column(out.finish())
        }
        return best
    }

    /// `op`'s rows `rows` (a scalar stays itself).
    static func gathered(_ op: Operand, _ rows: [Int32]) -> Operand {
        guard case .column(let c) = op else { return op }
        return .column(rows.withUnsafeBufferPointer { c.gather($0) })
    }

    static func compareValues(_ a: Value, _ b: Value, _ t: DataType) -> Int {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.double(let x), .double(let y)): return DoubleOrder.compare(x, y)  // NaN is the largest
        case (.hugeint(let x), .hugeint(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.hugeint(let x), .int(let y)): return x < Int128(y) ? -1 : (x == Int128(y) ? 0 : 1)
        case (.int(let x), .hugeint(let y)): return Int128(x) < y ? -1 : (Int128(x) == y ? 0 : 1)
        case (.string(let x), .string(let y)): return x == y ? 0 : (StringDictionary.less(x, y) ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        default: return 0
        }
    }
}
