import KuaiCore

/// arg_max / max_by / argmax / arg_min / min_by / argmin(x, y, n): the `x` of the n rows with the
/// largest (smallest) `y`, best first, as a list, over the rows where neither is NULL (DuckDB 2.0.1);
/// NULL for a group without such a row. `x` and `y` of integer-stored types or DOUBLE: one bounded heap
/// per group (`TopNHeaps`: the order word of `y` as the key, the bits of `x` as the payload, n slots per
/// group in flat buffers), whose operations are DuckDB's, so rows with equal `y` come out in DuckDB's
/// order for the same row order.
/// - Throws: `KuaiError.execution` at the first row when n is not in 1..<1,000,000 (DuckDB's check).
final class ArgTopNState: AggregateState {
    let type: DataType
    let largest: Bool
    let problem: String?
    private var heaps: TopNHeaps

    init(type: DataType, largest: Bool, n: Int, problem: String?) {
        (self.type, self.largest, self.problem) = (type, largest, problem)
        heaps = TopNHeaps(n: max(n, 1))
    }

    func resize(_ groups: Int) { heaps.resize(groups) }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {}

    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count rows: Int) throws {
        guard let input, input.type != .null, order.count == 1, order[0].type != .null, rows > 0 else { return }
        let y = order[0]
        let (xv, yv) = (input.validity, y.validity)
        if let problem, (0..<rows).contains(where: { (xv?[$0] ?? 1) != 0 && (yv?[$0] ?? 1) != 0 }) {
            throw KuaiError(.execution, problem)
        }
        let keys = topNKeys(y, rows: rows, smallest: !largest)
        let bits = topNPayloads(input, rows: rows)
        let (xs, ys) = (xv ?? [], yv ?? [])
        heaps.withInserter { ins in
            keys.withUnsafeBufferPointer { k in
                bits.withUnsafeBufferPointer { b in
                    if xs.isEmpty && ys.isEmpty {
                        for i in 0..<rows { ins.offer(Int(ids[i]), k[i], b[i]) }
                    } else {
                        for i in 0..<rows where (xs.isEmpty || xs[i] != 0) && (ys.isEmpty || ys[i] != 0) {
                            ins.offer(Int(ids[i]), k[i], b[i])
                        }
                    }
                }
            }
        }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        heaps.merge((other as! ArgTopNState).heaps, mapping: mapping)
    }

    func finalize(groups: Int) throws -> Column { topNListColumn(heaps, groups: groups, type: type) }

    func makeEmpty() -> AggregateState { ArgTopNState(type: type, largest: largest, n: heaps.n, problem: problem) }
}

extension AggregateRegistry {
    /// arg_max(x, y, n) and its synonyms with n a constant: `T[]` for `x` of type T; nil (no such
    /// function) when `x` or `y` is not one word (`topNWordType`; the binder rewrites those calls as
    /// `list_slice(list(x ORDER BY y ...) FILTER (...), 1, n)`) or n is not an integer.
    static func argTopN(_ c: AggregateCall, _ t: DataType, largest: Bool) -> AggregateFunction? {
        guard c.parameters.count == 1, topNWordType(t), let y = c.secondArgumentType, topNWordType(y) else {
            return nil
        }
        let n: Int
        switch c.parameters[0] {
        case .int(let v): n = v > 0 && v < TopNLimit.bound ? Int(v) : 1
        case .null: n = 1
        default: return nil
        }
        let problem = TopNLimit.problem(c.parameters[0], "arg_min/arg_max")
        return AggregateFunction(name: c.name, argumentType: t, returnType: .list(t), ordered: true) { at in
            ArgTopNState(type: at, largest: largest, n: n, problem: problem)
        }
    }
}
