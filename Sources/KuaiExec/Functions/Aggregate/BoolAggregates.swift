import KuaiCore

/// bool_and / bool_or over BOOLEAN; count_if counts TRUE rows (HUGEINT, as DuckDB; NULL when every
/// value is NULL or there are none).
final class BoolState: AggregateState {
    enum Kind { case and, or, countIf }
    let kind: Kind
    var acc: [Int64] = []
    var seen: [UInt8] = []
    init(_ kind: Kind) { self.kind = kind }
    func resize(_ groups: Int) {
        if acc.count < groups {
            acc.append(contentsOf: repeatElement(kind == .and ? 1 : 0, count: groups - acc.count))
            seen.append(contentsOf: repeatElement(0, count: groups - seen.count))
        }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        for i in 0..<n where input.validity?[i] ?? 1 != 0 {
            let g = Int(ids[i])
            let b = input.ints[i] != 0
            seen[g] = 1
            switch kind {
            case .and: if !b { acc[g] = 0 }
            case .or: if b { acc[g] = 1 }
            case .countIf: if b { acc[g] += 1 }
            }
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! BoolState
        for g in 0..<o.acc.count where o.seen[g] != 0 {
            let t = Int(mapping[g])
            seen[t] = 1
            switch kind {
            case .and: acc[t] = min(acc[t], o.acc[g])
            case .or: acc[t] = max(acc[t], o.acc[g])
            case .countIf: acc[t] += o.acc[g]
            }
        }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        // NULL for a group without a non-NULL value: count_if too (DuckDB 2.0.1 sums, it does not count).
        let v: [UInt8]? = seen.prefix(groups).contains(0) ? firstGroups(seen, groups) : nil
        return Column(type: kind == .countIf ? .hugeint : .boolean, ints: firstGroups(acc, groups), validity: v)
    }
    func makeEmpty() -> AggregateState { BoolState(kind) }
}

extension AggregateRegistry {
    /// bool_and / bool_or (BOOLEAN) and count_if / countif (HUGEINT) of a BOOLEAN argument.
    static func boolAggregate(_ c: AggregateCall) -> AggregateFunction? {
        guard c.argumentType == .boolean else { return nil }
        let kind: BoolState.Kind
        switch c.name {
        case "bool_and": kind = .and
        case "bool_or": kind = .or
        case "count_if", "countif": kind = .countIf
        default: return nil
        }
        return AggregateFunction(
            name: c.name, argumentType: .boolean, returnType: kind == .countIf ? .hugeint : .boolean
        ) {
            _ in BoolState(kind)
        }
    }
}

/// bit_and / bit_or / bit_xor over an integer column: the bitwise AND, OR or XOR of the non-NULL
/// values, in the argument's type (DuckDB 2.0.1); NULL for a group without one. The values are kept
/// as sign-extended Int64, whose low bits are those of every narrower integer type.
final class BitState: AggregateState {
    enum Kind { case and, or, xor }
    let kind: Kind
    let type: DataType
    var acc: [Int64] = []
    var seen: [UInt8] = []
    init(_ kind: Kind, _ type: DataType) {
        self.kind = kind
        self.type = type
    }
    func resize(_ groups: Int) {
        if acc.count < groups {
            acc.append(contentsOf: repeatElement(kind == .and ? -1 : 0, count: groups - acc.count))
            seen.append(contentsOf: repeatElement(0, count: groups - seen.count))
        }
    }
    @inline(__always) private func combine(_ a: Int64, _ b: Int64) -> Int64 {
        switch kind {
        case .and: return a & b
        case .or: return a | b
        case .xor: return a ^ b
        }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        input.ints.withUnsafeBufferPointer { xs in
            for i in 0..<n where input.validity?[i] ?? 1 != 0 {
                let g = Int(ids[i])
                seen[g] = 1
                acc[g] = combine(acc[g], xs[i])
            }
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! BitState
        for g in 0..<o.acc.count where o.seen[g] != 0 {
            let t = Int(mapping[g])
            seen[t] = 1
            acc[t] = combine(acc[t], o.acc[g])
        }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        let v: [UInt8]? = seen.prefix(groups).contains(0) ? firstGroups(seen, groups) : nil
        return Column(type: type, ints: firstGroups(acc, groups), validity: v)
    }
    func makeEmpty() -> AggregateState { BitState(kind, type) }
}

extension AggregateRegistry {
    /// bit_and / bit_or / bit_xor of an integer argument (TINYINT to HUGEINT), in its type.
    static func bitAggregate(_ c: AggregateCall) -> AggregateFunction? {
        guard let t = c.argumentType, t.isInteger else { return nil }
        let kind: BitState.Kind
        switch c.name {
        case "bit_and": kind = .and
        case "bit_or": kind = .or
        case "bit_xor": kind = .xor
        default: return nil
        }
        return AggregateFunction(name: c.name, argumentType: t, returnType: t) { _ in BitState(kind, t) }
    }
}
