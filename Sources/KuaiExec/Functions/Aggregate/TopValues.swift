import KuaiCore

/// The first `rows` values of `c` (integer-stored or DOUBLE) as heap keys: order words (`orderedDouble`:
/// -0.0 equals 0.0, NaN above every number, as DuckDB compares them), complemented when the smallest are
/// wanted.
func topNKeys(_ c: Column, rows: Int, smallest: Bool) -> [UInt64] {
    let flip: UInt64 = smallest ? .max : 0
    if c.type == .double { return c.doubles.prefix(rows).map { orderedDouble($0) ^ flip } }
    return c.ints.prefix(rows).map { (UInt64(bitPattern: $0) ^ (1 << 63)) ^ flip }
}

/// The first `rows` values of `c` (integer-stored or DOUBLE) as heap payloads: their bits.
func topNPayloads(_ c: Column, rows: Int) -> [UInt64] {
    if c.type == .double { return c.doubles.prefix(rows).map(\.bitPattern) }
    return c.ints.prefix(rows).map { UInt64(bitPattern: $0) }
}

/// The list column of `heaps`' groups 0..<groups, each group's payloads best first, as values of
/// `type` (integer-stored or DOUBLE); NULL for a group without any.
func topNListColumn(_ heaps: TopNHeaps, groups: Int, type: DataType) -> Column {
    var packed = [Int64](repeating: 0, count: groups)
    var valid = [UInt8](repeating: 0, count: groups)
    var kept: [UInt64] = []
    var scratch: (keys: [UInt64], payloads: [UInt64]) = ([], [])
    for g in 0..<min(groups, heaps.groups) where heaps.counts[g] > 0 {
        packed[g] = Column.packList(offset: kept.count, length: Int(heaps.counts[g]))
        valid[g] = 1
        heaps.sortedPayloads(g, into: &kept, scratch: &scratch)
    }
    let child =
        type == .double
        ? Column(doubles: kept.map { Double(bitPattern: $0) })
        : Column(type: type, ints: kept.map { Int64(bitPattern: $0) })
    return Column(listOf: type, packed: packed, child: child, validity: valid.contains(0) ? valid : nil)
}

/// min(x, n) / max(x, n): each group's n smallest / largest values, duplicates kept and NULLs
/// skipped, as a list in that order (largest first for max), DuckDB 2.0.1; NULL for a group without
/// values. Values of integer-stored types and DOUBLE, kept in one bounded heap per group
/// (`TopNHeaps`, n slots per group in flat buffers), so ties (-0.0 and 0.0) come out as DuckDB's.
/// - Throws: `KuaiError.execution` at the first value when n is not in 1..<1,000,000 (DuckDB's check).
final class TopValuesState: AggregateState {
    let type: DataType
    let isMax: Bool
    /// DuckDB's error for an invalid n, raised when a value arrives; nil for a valid n.
    let problem: String?
    private var heaps: TopNHeaps

    init(type: DataType, isMax: Bool, n: Int, problem: String?) {
        (self.type, self.isMax, self.problem) = (type, isMax, problem)
        heaps = TopNHeaps(n: max(n, 1))
    }

    func resize(_ groups: Int) { heaps.resize(groups) }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count rows: Int) throws {
        guard let input, input.type != .null, rows > 0 else { return }
        if let problem, input.validity.map({ $0.prefix(rows).contains(1) }) ?? true {
            throw KuaiError(.execution, problem)
        }
        let (keys, bits) = (topNKeys(input, rows: rows, smallest: !isMax), topNPayloads(input, rows: rows))
        let valid = input.validity ?? []
        heaps.withInserter { ins in
            for i in 0..<rows where valid.isEmpty || valid[i] != 0 { ins.offer(Int(ids[i]), keys[i], bits[i]) }
        }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        heaps.merge((other as! TopValuesState).heaps, mapping: mapping)
    }

    func finalize(groups: Int) throws -> Column { topNListColumn(heaps, groups: groups, type: type) }

    func makeEmpty() -> AggregateState {
        TopValuesState(type: type, isMax: isMax, n: heaps.n, problem: problem)
    }
}

extension AggregateRegistry {
    /// Whether values of `t` are one 64-bit word each for the top-n heaps: integer-stored types that
    /// cannot hold 128-bit values, and DOUBLE.
    public static func topNWordType(_ t: DataType) -> Bool {
        t == .double
            || (!t.mayBeWide
                && (t.isInteger || t.isDecimal || t == .boolean || t == .date || t.isTimestamp || t == .time))
    }

    /// min(x, n) / max(x, n) with n a constant: `T[]` for x of an integer-stored type or DOUBLE
    /// (`TopValuesState`); nil (no such function) for other types and an n that is not an integer. An
    /// integer n out of DuckDB's range (NULL, ≤ 0, ≥ 1,000,000) is DuckDB's error once a value arrives.
    static func topValues(_ c: AggregateCall, _ t: DataType, isMax: Bool) -> AggregateFunction? {
        guard c.parameters.count == 1, topNWordType(t) else { return nil }
        let n: Int
        switch c.parameters[0] {
        case .int(let v): n = v > 0 && v < TopNLimit.bound ? Int(v) : 1
        case .null: n = 1
        default: return nil
        }
        let problem = TopNLimit.problem(c.parameters[0], "MIN/MAX")
        return AggregateFunction(name: c.name, argumentType: t, returnType: .list(t)) { at in
            TopValuesState(type: at, isMax: isMax, n: n, problem: problem)
        }
    }
}
