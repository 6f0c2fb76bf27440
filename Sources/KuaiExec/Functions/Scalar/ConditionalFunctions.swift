import KuaiCore

// coalesce, ifnull, nullif, greatest, least: generic over the arguments' common type (no fixed-type
// overloads in the registry table: the binder asks `generic(_:_:arity:)` once it knows that type).

extension FunctionRegistry {
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
            return ScalarFunction(name, params, t) { a, types, n, _ in
                let eq = Kernels.compare(.equal, a[0], t, a[1], t, count: n)
                return rowwise([a[0], eq], [t, .boolean], n, result: t, strict: false) { r, i in
                    if r[0].isNull(i) { return nil }
                    if !r[1].isNull(i) && r[1].int(i) != 0 { return nil }
                    return r[0].value(i)
                }
            }
        case "greatest", "least":
            let isMax = name == "greatest"
            return ScalarFunction(name, params, t) { a, types, n, _ in
                rowwise(a, types, n, result: t, strict: false) { r, i in
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
        default:
            return nil
        }
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
