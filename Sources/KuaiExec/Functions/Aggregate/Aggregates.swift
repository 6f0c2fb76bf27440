import KuaiCore

/// Per-group state of one aggregate function, stored column-wise (one array entry per group).
///
/// `update` is called once per batch with the dense group id of every row (from `GroupKeyTable`);
/// NULL inputs are ignored by every aggregate except count(*). Per-thread states are combined
/// with `merge`, whose `mapping[g]` is the group id in `self` of group `g` of `other`.
public protocol AggregateState: AnyObject {
    /// Makes room for `groups` groups (new groups start empty).
    func resize(_ groups: Int)
    /// Adds the rows of `input` (nil for count(*)) to the groups `ids` (`count` rows).
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count: Int) throws
    /// Adds `other`'s groups into this state's groups `mapping`.
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws
    /// The result column for groups 0..<groups.
    func finalize(groups: Int) throws -> Column
    /// A fresh, empty state of the same function (for another thread).
    func makeEmpty() -> AggregateState
    /// `update` for ordered aggregates (`string_agg(x, ',' ORDER BY y)`): `order` holds the
    /// ORDER BY columns of the same rows. The default ignores them.
    func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count: Int) throws
    /// True when `update` computes correctly on HUGEINT input beyond Int64 (`Column.highs`); the
    /// aggregate operator raises an error before any other state sees such a value.
    var acceptsWideInput: Bool { get }
}

extension AggregateState {
    public func update(_ input: Column?, order: [Column], ids: UnsafeBufferPointer<Int32>, count: Int) throws {
        try update(input, ids: ids, count: count)
    }
    public var acceptsWideInput: Bool { false }
}

/// An aggregate function: name, accepted argument types, result type and state factory.
public struct AggregateFunction: @unchecked Sendable {
    public let name: String
    /// nil = count(*) (no argument).
    public let argumentType: DataType?
    public let returnType: DataType
    let make: (_ argumentType: DataType) -> AggregateState
    /// True for aggregates that honour an ORDER BY inside the call (string_agg).
    public var ordered = false
    init(
        name: String, argumentType: DataType?, returnType: DataType, ordered: Bool = false,
        make: @escaping (_ argumentType: DataType) -> AggregateState
    ) {
        self.name = name
        self.argumentType = argumentType
        self.returnType = returnType
        self.make = make
        self.ordered = ordered
    }
}

/// The table of aggregate functions; new aggregates (median, string_agg, ...) are added as rows.
public enum AggregateRegistry {
    /// Resolves `name(argType)`; nil when no overload accepts it. `argType` nil means `*`.
    /// - Parameters:
    ///   - parameters: the constant arguments after the first (quantile fraction, separator).
    ///   - orderKeys: an ordered aggregate's ORDER BY, as keys over its order columns 0, 1, ...
    ///   - fromTop: quantile_cont / quantile_disc count the fraction from the largest value (DuckDB's
    ///     `quantile_cont(q ORDER BY x DESC)`, `percentile_disc(q) WITHIN GROUP (ORDER BY x DESC)`).
    public static func resolve(
        _ name: String, _ argType: DataType?, parameters: [Value] = [], orderKeys: [SortKey] = [],
        fromTop: Bool = false
    ) -> AggregateFunction? {
        func number(_ v: Value?) -> Double? {
            switch v {
            case .double(let d)?: return d
            case .int(let i)?: return Double(i)
            default: return nil
            }
        }
        switch (name, argType) {
        case ("median", let t?) where t.isNumeric || t == .null:
            return AggregateFunction(name: name, argumentType: t, returnType: .double) { at in
                QuantileState(q: 0.5, continuous: true, type: at)
            }
        case ("quantile_cont", let t?) where (t.isNumeric || t == .null) && number(parameters.first) != nil:
            let q = number(parameters.first)!
            guard q >= 0 && q <= 1 else { return nil }
            return AggregateFunction(name: name, argumentType: t, returnType: .double) { at in
                QuantileState(q: q, continuous: true, type: at, fromTop: fromTop)
            }
        case ("quantile_disc", let t?), ("quantile", let t?):
            // A discrete quantile is one of the values: DATE and TIMESTAMP too (as DuckDB).
            guard t.isNumeric || t == .null || t == .date || t == .timestamp,
                let q = number(parameters.first ?? .double(0.5)), q >= 0 && q <= 1
            else { return nil }
            return AggregateFunction(name: name, argumentType: t, returnType: t) { at in
                QuantileState(q: q, continuous: false, type: at, fromTop: fromTop)
            }
        case ("string_agg", let t?), ("group_concat", let t?), ("listagg", let t?):
            var sep = ","
            if let p = parameters.first {
                guard case .string(let s) = p else { return nil }
                sep = s
            }
            _ = t
            return AggregateFunction(name: name, argumentType: t, returnType: .varchar, ordered: true) { _ in
                StringAggState(separator: sep, orderKeys: orderKeys)
            }
        case ("bool_and", .boolean?), ("bool_or", .boolean?), ("count_if", .boolean?):
            let kind: BoolState.Kind = name == "bool_and" ? .and : (name == "bool_or" ? .or : .countIf)
            return AggregateFunction(
                name: name, argumentType: .boolean, returnType: kind == .countIf ? .hugeint : .boolean
            ) { _ in BoolState(kind) }
        case ("any_value", let t?), ("first", let t?), ("arbitrary", let t?):
            return AggregateFunction(name: name, argumentType: t, returnType: t) { at in AnyValueState(type: at) }
        case ("stddev", let t?), ("stddev_samp", let t?), ("stddev_pop", let t?), ("var_samp", let t?),
            ("var_pop", let t?), ("variance", let t?):
            guard t.isNumeric else { return nil }
            let sample = !name.hasSuffix("_pop")
            let root = name.hasPrefix("stddev")
            return AggregateFunction(name: name, argumentType: t, returnType: .double) { _ in
                VarianceState(sample: sample, root: root)
            }
        case ("count_star", nil), ("count", nil):
            return AggregateFunction(name: "count_star", argumentType: nil, returnType: .bigint) { _ in
                CountState(star: true)
            }
        case ("count", let t?):
            return AggregateFunction(name: "count", argumentType: t, returnType: .bigint) { _ in CountState(star: false)
            }
        case ("sum", let t?) where t.isInteger || t == .boolean || t == .null:
            return AggregateFunction(name: "sum", argumentType: t, returnType: .hugeint) { _ in SumIntState(name: "sum")
            }
        case ("sum", .double?):
            return AggregateFunction(name: "sum", argumentType: .double, returnType: .double) { _ in SumDoubleState() }
        case ("avg", let t?) where t.isInteger || t == .null:
            return AggregateFunction(name: "avg", argumentType: t, returnType: .double) { at in
                AvgState(wide: at != .integer)
            }
        case ("mean", let t?) where t.isInteger:
            return AggregateFunction(name: "avg", argumentType: t, returnType: .double) { at in
                AvgState(wide: at != .integer)
            }
        case ("mean", .double?):
            return AggregateFunction(name: "avg", argumentType: .double, returnType: .double) { _ in AvgDoubleState() }
        case ("avg", .double?):
            return AggregateFunction(name: "avg", argumentType: .double, returnType: .double) { _ in AvgDoubleState() }
        case ("min", let t?), ("max", let t?):
            let isMax = name == "max"
            return AggregateFunction(name: name, argumentType: t, returnType: t) { at in
                MinMaxState(type: at, isMax: isMax)
            }
        default:
            return nil
        }
    }

    /// The value of a correlated scalar subquery per correlation key (grouped by the keys): the only
    /// row of each group, or DuckDB's error when a group has more than one (`SingleRowState`).
    public static func singleRow(_ type: DataType) -> AggregateFunction {
        AggregateFunction(name: "first", argumentType: type, returnType: type) { _ in SingleRowState(type: type) }
    }

    /// True when `name` is an aggregate function (used by the binder to classify calls).
    public static func isAggregate(_ name: String) -> Bool {
        [
            "count", "count_star", "sum", "avg", "mean", "min", "max", "median", "quantile_cont", "quantile_disc",
            "quantile",
            "string_agg", "group_concat", "listagg", "bool_and", "bool_or", "count_if", "any_value", "first",
            "arbitrary",
            "stddev", "stddev_samp", "stddev_pop", "var_samp", "var_pop", "variance",
        ].contains(name)
    }
}

// MARK: - small group counts

/// Up to this many groups, count and sum update 4 independent lanes of accumulators, so that
/// consecutive rows of the same group (sorted data, few groups) do not wait on each other's store.
let smallGroupLimit = 1024

@inline(__always)
func laneCount(_ c: UnsafeMutableBufferPointer<Int64>, _ ids: UnsafeBufferPointer<Int32>, _ n: Int) {
    let g = c.count
    let lanes = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 4 * g)
    lanes.initialize(repeating: 0)
    defer { lanes.deallocate() }
    var i = 0
    while i + 4 <= n {
        lanes[Int(ids[i])] &+= 1
        lanes[g + Int(ids[i + 1])] &+= 1
        lanes[2 * g + Int(ids[i + 2])] &+= 1
        lanes[3 * g + Int(ids[i + 3])] &+= 1
        i += 4
    }
    while i < n {
        lanes[Int(ids[i])] &+= 1
        i += 1
    }
    for k in 0..<g { c[k] &+= lanes[k] &+ lanes[g + k] &+ lanes[2 * g + k] &+ lanes[3 * g + k] }
}

/// Sums `x` per group in 4 Int64 lanes; returns false (and changes nothing) on Int64 overflow.
@inline(__always)
func laneSum(
    _ s: UnsafeMutableBufferPointer<Int128>, _ seen: UnsafeMutableBufferPointer<UInt8>,
    _ x: UnsafeBufferPointer<Int64>, _ ids: UnsafeBufferPointer<Int32>, _ n: Int
) -> Bool {
    let g = s.count
    let lanes = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 4 * g)
    lanes.initialize(repeating: 0)
    defer { lanes.deallocate() }
    var bad = false
    var i = 0
    @inline(__always) func add(_ slot: Int, _ v: Int64) {
        let r = lanes[slot].addingReportingOverflow(v)
        lanes[slot] = r.partialValue
        bad = bad || r.overflow
    }
    while i + 4 <= n {
        add(Int(ids[i]), x[i])
        add(g + Int(ids[i + 1]), x[i + 1])
        add(2 * g + Int(ids[i + 2]), x[i + 2])
        add(3 * g + Int(ids[i + 3]), x[i + 3])
        i += 4
    }
    while i < n {
        add(Int(ids[i]), x[i])
        i += 1
    }
    if bad { return false }
    for i in 0..<n { seen[Int(ids[i])] = 1 }
    for k in 0..<g {
        s[k] &+= Int128(lanes[k]) &+ Int128(lanes[g + k]) &+ Int128(lanes[2 * g + k]) &+ Int128(lanes[3 * g + k])
    }
    return true
}

/// The exact sum of `x`, without overflow checks: the high and low 32-bit halves of every value
/// are summed separately (chunks of 2^30 values, so neither Int64 sum can overflow).
@inline(__always)
func sumInt64(_ x: UnsafeBufferPointer<Int64>) -> Int128 {
    var total: Int128 = 0
    var start = 0
    while start < x.count {
        let end = min(x.count, start + (1 << 30))
        var hi0: Int64 = 0
        var hi1: Int64 = 0
        var lo0: Int64 = 0
        var lo1: Int64 = 0
        var i = start
        while i &+ 2 <= end {
            let a = x[i]
            let b = x[i &+ 1]
            hi0 &+= a &>> 32
            lo0 &+= a & 0xFFFF_FFFF
            hi1 &+= b &>> 32
            lo1 &+= b & 0xFFFF_FFFF
            i &+= 2
        }
        if i < end {
            hi0 &+= x[i] &>> 32
            lo0 &+= x[i] & 0xFFFF_FFFF
        }
        total &+= (Int128(hi0) &+ Int128(hi1)) << 32 &+ Int128(lo0) &+ Int128(lo1)
        start = end
    }
    return total
}

/// The smallest value of a non-empty buffer (4 independent lanes).
@inline(__always)
func minOf(_ x: UnsafeBufferPointer<Int64>) -> Int64 {
    var m0 = x[0]
    var m1 = x[0]
    var m2 = x[0]
    var m3 = x[0]
    var i = 0
    while i &+ 4 <= x.count {
        m0 = min(m0, x[i])
        m1 = min(m1, x[i &+ 1])
        m2 = min(m2, x[i &+ 2])
        m3 = min(m3, x[i &+ 3])
        i &+= 4
    }
    while i < x.count {
        m0 = min(m0, x[i])
        i &+= 1
    }
    return min(min(m0, m1), min(m2, m3))
}

/// The largest value of a non-empty buffer (4 independent lanes).
@inline(__always)
func maxOf(_ x: UnsafeBufferPointer<Int64>) -> Int64 {
    var m0 = x[0]
    var m1 = x[0]
    var m2 = x[0]
    var m3 = x[0]
    var i = 0
    while i &+ 4 <= x.count {
        m0 = max(m0, x[i])
        m1 = max(m1, x[i &+ 1])
        m2 = max(m2, x[i &+ 2])
        m3 = max(m3, x[i &+ 3])
        i &+= 4
    }
    while i < x.count {
        m0 = max(m0, x[i])
        i &+= 1
    }
    return max(max(m0, m1), max(m2, m3))
}

// MARK: - count

final class CountState: AggregateState {
    let star: Bool
    var counts: [Int64] = []
    init(star: Bool) { self.star = star }
    var acceptsWideInput: Bool { true }  // reads validity only
    func resize(_ groups: Int) {
        if counts.count < groups { counts.append(contentsOf: repeatElement(0, count: groups - counts.count)) }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        counts.withUnsafeMutableBufferPointer { c in
            if !star, let input, let v = input.validity {
                v.withUnsafeBufferPointer { vp in
                    for i in 0..<n { c[Int(ids[i])] &+= Int64(vp[i]) }
                }
            } else if !star, let input, input.type == .null {
                return
            } else if c.count == 1 {
                c[0] &+= Int64(n)  // one group (no GROUP BY): every id is 0
            } else if c.count <= smallGroupLimit && n >= 1024 {
                laneCount(c, ids, n)
            } else {
                for i in 0..<n { c[Int(ids[i])] &+= 1 }
            }
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! CountState
        for g in 0..<o.counts.count { counts[Int(mapping[g])] &+= o.counts[g] }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        return Column(type: .bigint, ints: Array(counts.prefix(groups)))
    }
    func makeEmpty() -> AggregateState { CountState(star: star) }
}

// MARK: - sum / avg

/// sum of integers, accumulated in Int128 (DuckDB: sum(INTEGER/BIGINT/HUGEINT) is HUGEINT). The
/// result column is narrow (`ints`) when every sum fits Int64, else wide (`Column.highs`).
/// Narrow input cannot overflow 128 bits (fewer than 2^63 rows of 64-bit values) and adds
/// unchecked; once HUGEINT input beyond Int64 is seen (`checked`), every addition is checked and
/// overflow raises DuckDB's "Overflow in HUGEINT addition".
final class SumIntState: AggregateState {
    let name: String
    var sums: [Int128] = []
    var seen: [UInt8] = []
    var checked = false
    init(name: String) { self.name = name }
    var acceptsWideInput: Bool { true }
    func resize(_ groups: Int) {
        if sums.count < groups {
            sums.append(contentsOf: repeatElement(0, count: groups - sums.count))
            seen.append(contentsOf: repeatElement(0, count: groups - seen.count))
        }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        guard let input, input.type != .null else { return }
        if input.highs != nil { checked = true }
        if checked {
            try sums.withUnsafeMutableBufferPointer { s in
                try seen.withUnsafeMutableBufferPointer { seen in
                    try addChecked(input, ids: ids, count: n, sums: s, seen: seen, counts: nil)
                }
            }
            return
        }
        sums.withUnsafeMutableBufferPointer { s in
            seen.withUnsafeMutableBufferPointer { seen in
                input.ints.withUnsafeBufferPointer { x in
                    if let v = input.validity {
                        v.withUnsafeBufferPointer { vp in
                            for i in 0..<n where vp[i] != 0 {
                                let g = Int(ids[i])
                                s[g] &+= Int128(x[i])
                                seen[g] = 1
                            }
                        }
                    } else if s.count == 1 {
                        // One group (no GROUP BY): every id is 0.
                        if n > 0 {
                            s[0] &+= sumInt64(UnsafeBufferPointer(rebasing: x[0..<n]))
                            seen[0] = 1
                        }
                    } else if s.count <= smallGroupLimit && n >= 1024 && laneSum(s, seen, x, ids, n) {
                        // done in 4 lanes of Int64 (no overflow in this batch)
                    } else {
                        for i in 0..<n {
                            let g = Int(ids[i])
                            s[g] &+= Int128(x[i])
                            seen[g] = 1
                        }
                    }
                }
            }
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws {
        let o = other as! SumIntState
        checked = checked || o.checked
        for g in 0..<o.sums.count where o.seen[g] != 0 {
            let t = Int(mapping[g])
            sums[t] = checked ? try addChecked(sums[t], o.sums[g]) : sums[t] &+ o.sums[g]
            seen[t] = 1
        }
    }
    func finalize(groups: Int) throws -> Column {
        resize(groups)
        var out = [Int64](repeating: 0, count: groups)
        var validity = [UInt8](repeating: 1, count: groups)
        var anyNull = false
        var wide = false
        for g in 0..<groups {
            if seen[g] == 0 {
                validity[g] = 0
                anyNull = true
                continue
            }
            guard let v = Int64(exactly: sums[g]) else {
                wide = true
                break
            }
            out[g] = v
        }
        if wide {
            // some sum beyond Int64: a 128-bit column
            for g in 0..<groups where seen[g] == 0 {
                validity[g] = 0
                anyNull = true
            }
            return Column(hugeints: Array(sums.prefix(groups)), validity: anyNull ? validity : nil)
        }
        return Column(type: .hugeint, ints: out, validity: anyNull ? validity : nil)
    }
    func makeEmpty() -> AggregateState { SumIntState(name: name) }
}

final class SumDoubleState: AggregateState {
    var sums: [Double] = []
    var seen: [UInt8] = []
    func resize(_ groups: Int) {
        if sums.count < groups {
            sums.append(contentsOf: repeatElement(0, count: groups - sums.count))
            seen.append(contentsOf: repeatElement(0, count: groups - seen.count))
        }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type == .double else { return }
        sums.withUnsafeMutableBufferPointer { s in
            seen.withUnsafeMutableBufferPointer { seen in
                input.doubles.withUnsafeBufferPointer { x in
                    for i in 0..<n where input.validity?[i] ?? 1 != 0 {
                        let g = Int(ids[i])
                        s[g] += x[i]
                        seen[g] = 1
                    }
                }
            }
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! SumDoubleState
        for g in 0..<o.sums.count where o.seen[g] != 0 {
            let t = Int(mapping[g])
            sums[t] += o.sums[g]
            seen[t] = 1
        }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        let anyNull = seen.prefix(groups).contains(0)
        return Column(doubles: Array(sums.prefix(groups)), validity: anyNull ? Array(seen.prefix(groups)) : nil)
    }
    func makeEmpty() -> AggregateState { SumDoubleState() }
}

/// avg of integers: Int128 sum and count. DuckDB divides in long double for BIGINT/HUGEINT input
/// (`wide`) and in double for INTEGER input; kuai does the same (Float80 on x86).
final class AvgState: AggregateState {
    let wide: Bool
    var sums: [Int128] = []
    var counts: [Int64] = []
    /// HUGEINT input beyond Int64 was seen: additions are checked (see `SumIntState`).
    var checked = false
    init(wide: Bool) { self.wide = wide }
    var acceptsWideInput: Bool { true }
    func resize(_ groups: Int) {
        if sums.count < groups {
            sums.append(contentsOf: repeatElement(0, count: groups - sums.count))
            counts.append(contentsOf: repeatElement(0, count: groups - counts.count))
        }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        guard let input, input.type != .null else { return }
        if input.highs != nil { checked = true }
        if checked {
            try sums.withUnsafeMutableBufferPointer { s in
                try counts.withUnsafeMutableBufferPointer { c in
                    try addChecked(input, ids: ids, count: n, sums: s, seen: nil, counts: c)
                }
            }
            return
        }
        sums.withUnsafeMutableBufferPointer { s in
            counts.withUnsafeMutableBufferPointer { c in
                input.ints.withUnsafeBufferPointer { x in
                    for i in 0..<n where input.validity?[i] ?? 1 != 0 {
                        let g = Int(ids[i])
                        s[g] &+= Int128(x[i])
                        c[g] &+= 1
                    }
                }
            }
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws {
        let o = other as! AvgState
        checked = checked || o.checked
        for g in 0..<o.sums.count where o.counts[g] != 0 {
            let t = Int(mapping[g])
            sums[t] = checked ? try addChecked(sums[t], o.sums[g]) : sums[t] &+ o.sums[g]
            counts[t] &+= o.counts[g]
        }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        var out = [Double](repeating: 0, count: groups)
        var validity = [UInt8](repeating: 1, count: groups)
        for g in 0..<groups {
            if counts[g] == 0 {
                validity[g] = 0
                continue
            }
            out[g] = AvgState.divide(sums[g], counts[g], wide: wide)
        }
        return Column(doubles: out, validity: validity.contains(0) ? validity : nil)
    }
    static func divide(_ sum: Int128, _ count: Int64, wide: Bool) -> Double {
        #if arch(x86_64) || arch(i386)
            if wide {
                let hi = Int64(truncatingIfNeeded: sum >> 64)
                let lo = UInt64(truncatingIfNeeded: sum)
                let s = Float80(hi) * 18446744073709551616.0 + Float80(lo)
                return Double(s / Float80(count))
            }
        #endif
        return Double(sum) / Double(count)
    }
    func makeEmpty() -> AggregateState { AvgState(wide: wide) }
}

final class AvgDoubleState: AggregateState {
    var sums: [Double] = []
    var counts: [Int64] = []
    func resize(_ groups: Int) {
        if sums.count < groups {
            sums.append(contentsOf: repeatElement(0, count: groups - sums.count))
            counts.append(contentsOf: repeatElement(0, count: groups - counts.count))
        }
    }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type == .double else { return }
        for i in 0..<n where input.validity?[i] ?? 1 != 0 {
            let g = Int(ids[i])
            sums[g] += input.doubles[i]
            counts[g] += 1
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! AvgDoubleState
        for g in 0..<o.sums.count where o.counts[g] != 0 {
            let t = Int(mapping[g])
            sums[t] += o.sums[g]
            counts[t] += o.counts[g]
        }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        var out = [Double](repeating: 0, count: groups)
        var validity = [UInt8](repeating: 1, count: groups)
        for g in 0..<groups {
            if counts[g] == 0 {
                validity[g] = 0
                continue
            }
            out[g] = sums[g] / Double(counts[g])
        }
        return Column(doubles: out, validity: validity.contains(0) ? validity : nil)
    }
    func makeEmpty() -> AggregateState { AvgDoubleState() }
}

// MARK: - min / max

/// min/max of any type. VARCHAR inputs are interned into the state's own dictionary and
/// compared by string (byte order).
final class MinMaxState: AggregateState {
    let type: DataType
    let isMax: Bool
    var ints: [Int64] = []
    var doubles: [Double] = []
    var seen: [UInt8] = []
    // VARCHAR: best string per group as a code into `interner.target`.
    let interner = StringInterner()
    var codes: [Int32] = []
    /// HUGEINT beyond Int64: the best value per group in 128 bits (replaces `ints` from the first
    /// such input on; nil before).
    var wideBest: [Int128]?

    init(type: DataType, isMax: Bool) {
        self.type = type
        self.isMax = isMax
    }
    var acceptsWideInput: Bool { true }
    func resize(_ groups: Int) {
        guard seen.count < groups else { return }
        let k = groups - seen.count
        seen.append(contentsOf: repeatElement(0, count: k))
        switch type {
        case .double: doubles.append(contentsOf: repeatElement(0, count: k))
        case .varchar: codes.append(contentsOf: repeatElement(0, count: k))
        default:
            ints.append(contentsOf: repeatElement(0, count: k))
            if wideBest != nil { wideBest!.append(contentsOf: repeatElement(0, count: k)) }
        }
    }

    /// Switches the integer accumulators to 128 bits.
    func makeWide() {
        if wideBest == nil { wideBest = ints.map { Int128($0) } }
    }

    @inline(__always)
    func better(_ a: Int64, _ b: Int64) -> Bool { isMax ? a > b : a < b }

    /// DuckDB orders doubles with NaN above every number.
    @inline(__always)
    func betterDouble(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN { return isMax && !b.isNaN }
        if b.isNaN { return !isMax }
        return isMax ? a > b : a < b
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        switch type {
        case .double:
            input.doubles.withUnsafeBufferPointer { xs in
                doubles.withUnsafeMutableBufferPointer { best in
                    seen.withUnsafeMutableBufferPointer { seen in
                        if let validity = input.validity {
                            validity.withUnsafeBufferPointer { valid in
                                for i in 0..<n where valid[i] != 0 {
                                    let g = Int(ids[i])
                                    let x = xs[i]
                                    if seen[g] == 0 || betterDouble(x, best[g]) {
                                        best[g] = x
                                        seen[g] = 1
                                    }
                                }
                            }
                        } else {
                            for i in 0..<n {
                                let g = Int(ids[i])
                                let x = xs[i]
                                if seen[g] == 0 || betterDouble(x, best[g]) {
                                    best[g] = x
                                    seen[g] = 1
                                }
                            }
                        }
                    }
                }
            }
        case .varchar:
            // Best code per group within the batch by the batch dictionary's ranks, then compare strings.
            let dict = input.dictionary!
            let ranks = dict.sortRanks
            var bestInBatch = [Int32: Int32]()  // group -> code of batch dictionary
            for i in 0..<n where input.validity?[i] ?? 1 != 0 {
                let g = ids[i]
                let c = input.codes[i]
                if let b = bestInBatch[g] {
                    let rc = ranks[Int(c)]
                    let rb = ranks[Int(b)]
                    if isMax ? rc > rb : rc < rb { bestInBatch[g] = c }
                } else {
                    bestInBatch[g] = c
                }
            }
            for (g, c) in bestInBatch { offerString(Int(g), dict[c]) }
        default:
            if input.highs != nil || wideBest != nil {
                makeWide()
                var wb = wideBest!
                wideBest = nil
                for i in 0..<n where input.isValid(i) {
                    let g = Int(ids[i])
                    let v = input.int128(at: i)
                    if seen[g] == 0 || (isMax ? v > wb[g] : v < wb[g]) {
                        wb[g] = v
                        seen[g] = 1
                    }
                }
                wideBest = wb
                return
            }
            input.ints.withUnsafeBufferPointer { x in
                ints.withUnsafeMutableBufferPointer { best in
                    seen.withUnsafeMutableBufferPointer { seen in
                        if input.validity == nil && best.count == 1 && n > 0 {
                            // One group (no GROUP BY): a plain min / max of the batch.
                            let v =
                                isMax
                                ? maxOf(UnsafeBufferPointer(rebasing: x[0..<n]))
                                : minOf(UnsafeBufferPointer(rebasing: x[0..<n]))
                            if seen[0] == 0 || better(v, best[0]) {
                                best[0] = v
                                seen[0] = 1
                            }
                        } else if let validity = input.validity {
                            validity.withUnsafeBufferPointer { valid in
                                for i in 0..<n where valid[i] != 0 {
                                    let g = Int(ids[i])
                                    let v = x[i]
                                    if seen[g] == 0 || better(v, best[g]) {
                                        best[g] = v
                                        seen[g] = 1
                                    }
                                }
                            }
                        } else {
                            for i in 0..<n {
                                let g = Int(ids[i])
                                let v = x[i]
                                if seen[g] == 0 || better(v, best[g]) {
                                    best[g] = v
                                    seen[g] = 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func offerString(_ g: Int, _ s: String) {
        if seen[g] != 0 {
            let cur = interner.target[codes[g]]
            let wins = isMax ? StringDictionary.less(cur, s) : StringDictionary.less(s, cur)
            if !wins { return }
        }
        codes[g] = interner.target.intern(s)
        seen[g] = 1
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! MinMaxState
        if o.wideBest != nil || wideBest != nil {
            makeWide()
            for g in 0..<o.seen.count where o.seen[g] != 0 {
                let t = Int(mapping[g])
                let v = o.wideBest?[g] ?? Int128(o.ints[g])
                if seen[t] == 0 || (isMax ? v > wideBest![t] : v < wideBest![t]) {
                    wideBest![t] = v
                    seen[t] = 1
                }
            }
            return
        }
        for g in 0..<o.seen.count where o.seen[g] != 0 {
            let t = Int(mapping[g])
            switch type {
            case .double:
                if seen[t] == 0 || betterDouble(o.doubles[g], doubles[t]) {
                    doubles[t] = o.doubles[g]
                    seen[t] = 1
                }
            case .varchar:
                offerString(t, o.interner.target[o.codes[g]])
            default:
                if seen[t] == 0 || better(o.ints[g], ints[t]) {
                    ints[t] = o.ints[g]
                    seen[t] = 1
                }
            }
        }
    }

    func finalize(groups: Int) -> Column {
        resize(groups)
        let validity: [UInt8]? = seen.prefix(groups).contains(0) ? Array(seen.prefix(groups)) : nil
        switch type {
        case .double: return Column(doubles: Array(doubles.prefix(groups)), validity: validity)
        case .varchar:
            return Column(codes: Array(codes.prefix(groups)), dictionary: interner.target, validity: validity)
        default:
            if let wb = wideBest {
                var c = Column(hugeints: Array(wb.prefix(groups)), validity: validity)
                c.type = type
                return c
            }
            return Column(type: type, ints: Array(ints.prefix(groups)), validity: validity)
        }
    }
    func makeEmpty() -> AggregateState { MinMaxState(type: type, isMax: isMax) }
}

// MARK: - DISTINCT

/// `agg(DISTINCT x)`: remembers the distinct (group, value) pairs and feeds each pair once to
/// the wrapped aggregate at the end (count(DISTINCT x) = count of pairs).
///
/// Up to `hashLimit` distinct pairs live in an open-addressing set. Past that (high-cardinality
/// keys such as room ids, where every insert is a cache miss), new pairs are appended as they
/// come and duplicates are removed once at the end by sorting (group, value) with
/// `sortPermutation`; memory stays bounded by the input rows.
final class DistinctState: AggregateState {
    nonisolated(unsafe) static var hashLimit = 1 << 20
    let inner: AggregateState
    let type: DataType
    let interner = StringInterner()
    let set = PairSet()
    /// Appended pairs once the set is full (may repeat).
    var rawGroups: [Int32] = []
    var rawValues: [UInt64] = []
    var spilled = false

    init(inner: AggregateState, type: DataType) {
        self.inner = inner
        self.type = type
    }
    func resize(_ groups: Int) {}

    /// Key word of each valid row (strings as codes of `interner.target`).
    func words(_ input: Column, count n: Int) -> [UInt64] {
        var w = [UInt64](repeating: 0, count: n)
        switch type {
        case .double:
            for i in 0..<n { w[i] = doubleKey(input.doubles[i]) }
        case .varchar:
            var out = [Int32](repeating: 0, count: n)
            input.codes.withUnsafeBufferPointer { c in
                out.withUnsafeMutableBufferPointer { o in
                    if let v = input.validity {
                        v.withUnsafeBufferPointer { vp in
                            interner.intern(c, dictionary: input.dictionary!, validity: vp, into: o)
                        }
                    } else {
                        interner.intern(c, dictionary: input.dictionary!, validity: nil, into: o)
                    }
                }
            }
            for i in 0..<n { w[i] = UInt64(UInt32(bitPattern: out[i])) }
        default:
            input.ints.withUnsafeBufferPointer { x in
                for i in 0..<n { w[i] = UInt64(bitPattern: x[i]) }
            }
        }
        return w
    }

    @inline(__always)
    func add(_ g: Int32, _ v: UInt64) {
        if spilled {
            rawGroups.append(g)
            rawValues.append(v)
        } else {
            set.insert(group: g, value: v)
            if set.count > DistinctState.hashLimit { spill() }
        }
    }

    /// Moves the set's pairs into the append-only arrays.
    func spill() {
        spilled = true
        rawGroups.reserveCapacity(set.count * 2)
        rawValues.reserveCapacity(set.count * 2)
        set.forEachEntry { g, v in
            rawGroups.append(g)
            rawValues.append(v)
        }
        set.removeAll()
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        let w = words(input, count: n)
        if spilled {
            // Append the whole batch to local arrays (one exclusivity check per batch, not per row).
            var gs: [Int32] = []
            var vs: [UInt64] = []
            swap(&gs, &rawGroups)
            swap(&vs, &rawValues)
            defer {
                swap(&gs, &rawGroups)
                swap(&vs, &rawValues)
            }
            if gs.capacity < gs.count + n {  // grow geometrically (reserveCapacity alone is exact)
                gs.reserveCapacity(max(gs.count + n, 2 * gs.capacity))
                vs.reserveCapacity(max(vs.count + n, 2 * vs.capacity))
            }
            if let valid = input.validity {
                for i in 0..<n where valid[i] != 0 {
                    gs.append(ids[i])
                    vs.append(w[i])
                }
            } else {
                for i in 0..<n {
                    gs.append(ids[i])
                    vs.append(w[i])
                }
            }
            return
        }
        if let valid = input.validity {
            for i in 0..<n where valid[i] != 0 { add(ids[i], w[i]) }
        } else {
            for i in 0..<n { add(ids[i], w[i]) }
        }
    }

    func forEachPair(_ body: (Int32, UInt64) -> Void) {
        set.forEachEntry(body)
        for i in 0..<rawGroups.count { body(rawGroups[i], rawValues[i]) }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! DistinctState
        if !spilled && set.count + o.set.count + o.rawGroups.count > DistinctState.hashLimit { spill() }
        if type == .varchar {
            // Re-code the other state's strings into this state's dictionary.
            var map = [Int32](repeating: -1, count: o.interner.target.count)
            o.forEachPair { g, v in
                let c = Int(v)
                if map[c] < 0 { map[c] = interner.target.intern(o.interner.target[Int32(c)]) }
                add(mapping[Int(g)], UInt64(UInt32(bitPattern: map[c])))
            }
        } else {
            o.forEachPair { g, v in add(mapping[Int(g)], v) }
        }
    }

    func finalize(groups: Int) throws -> Column {
        inner.resize(groups)
        var ids: [Int32] = []
        var values: [UInt64] = []
        if spilled, let (g, v) = packedDistinctPairs() {
            ids = g
            values = v
            rawGroups = []
            rawValues = []
        } else if spilled {
            // Sort (group, value) and keep the first of each run of equal pairs.
            let n = rawGroups.count
            let cols = [
                Column(type: .bigint, ints: rawGroups.map { Int64($0) }),
                Column(type: .bigint, ints: rawValues.map { Int64(bitPattern: $0) }),
            ]
            let perm = try sortPermutation(cols, count: n, keys: [SortKey(column: 0), SortKey(column: 1)])
            ids.reserveCapacity(n / 2)
            values.reserveCapacity(n / 2)
            var lastG: Int32 = -1
            var lastV: UInt64 = 0
            for r in perm {
                let g = rawGroups[Int(r)]
                let v = rawValues[Int(r)]
                if g == lastG && v == lastV && !ids.isEmpty { continue }
                ids.append(g)
                values.append(v)
                lastG = g
                lastV = v
            }
            rawGroups = []
            rawValues = []
        } else {
            ids.reserveCapacity(set.count)
            values.reserveCapacity(set.count)
            set.forEachEntry { g, v in
                ids.append(g)
                values.append(v)
            }
        }
        let col: Column
        switch type {
        case .double: col = Column(doubles: values.map { Double(bitPattern: $0) })
        case .varchar: col = Column(codes: values.map { Int32(truncatingIfNeeded: $0) }, dictionary: interner.target)
        default: col = Column(type: type, ints: values.map { Int64(bitPattern: $0) })
        }
        try ids.withUnsafeBufferPointer { try inner.update(col, order: [col], ids: $0, count: col.count) }
        return try inner.finalize(groups: groups)
    }
    func makeEmpty() -> AggregateState { DistinctState(inner: inner.makeEmpty(), type: type) }

    /// The distinct pairs of the spilled arrays, sorted by (group, signed value word) as the
    /// general path sorts them, when group and value offset fit one 64-bit word together:
    /// `(group << valueBits) | (value - minValue)` radix-sorted, then equal neighbours dropped
    /// (sequential passes, no gathers). nil when they do not fit.
    func packedDistinctPairs() -> ([Int32], [UInt64])? {
        let n = rawGroups.count
        if n == 0 { return ([], []) }
        var gmax: Int32 = 0
        var lo = Int64.max
        var hi = Int64.min
        rawGroups.withUnsafeBufferPointer { g in for i in 0..<n { gmax = max(gmax, g[i]) } }
        rawValues.withUnsafeBufferPointer { v in
            for i in 0..<n {
                let x = Int64(bitPattern: v[i])
                lo = min(lo, x)
                hi = max(hi, x)
            }
        }
        let span = hi.subtractingReportingOverflow(lo)
        if span.overflow { return nil }
        let vbits = 64 - UInt64(span.partialValue).leadingZeroBitCount
        let gbits = 64 - UInt64(gmax).leadingZeroBitCount
        if vbits + gbits > 64 { return nil }
        let keys = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        let tmp = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: n)
        defer {
            keys.deallocate()
            tmp.deallocate()
        }
        let vshift = UInt64(vbits)
        rawGroups.withUnsafeBufferPointer { g in
            rawValues.withUnsafeBufferPointer { v in
                for i in 0..<n {
                    let off = UInt64(bitPattern: Int64(bitPattern: v[i]) &- lo)
                    // vbits == 64 only when gbits == 0 (all groups 0): no group bits to shift in
                    keys[i] = (vbits >= 64 ? 0 : UInt64(UInt32(bitPattern: g[i])) << vshift) | off
                }
            }
        }
        radixSortPacked(keys, tmp: tmp, lowBit: 0, bits: vbits + gbits)
        var distinct = n > 0 ? 1 : 0
        for i in 1..<n where keys[i] != keys[i - 1] { distinct += 1 }
        let vmask: UInt64 = vbits >= 64 ? .max : (1 << vshift) - 1
        var ids = [Int32](repeating: 0, count: distinct)
        var values = [UInt64](repeating: 0, count: distinct)
        ids.withUnsafeMutableBufferPointer { ip in
            values.withUnsafeMutableBufferPointer { vp in
                var o = 0
                for i in 0..<n where i == 0 || keys[i] != keys[i - 1] {
                    let k = keys[i]
                    ip[o] = vbits >= 64 ? 0 : Int32(truncatingIfNeeded: k >> vshift)
                    vp[o] = UInt64(bitPattern: lo &+ Int64(bitPattern: k & vmask))
                    o += 1
                }
            }
        }
        return (ids, values)
    }
}

/// An open-addressing set of (group id, 64-bit value) pairs; linear probing, power-of-two
/// capacity, load <= 1/2, raw buffers (no bounds or uniqueness checks in the probe loop).
final class PairSet {
    private var values: UnsafeMutablePointer<UInt64>
    private var groups: UnsafeMutablePointer<Int32>  // -1 = empty slot
    private var capacity: Int
    private(set) var count = 0

    init() {
        capacity = 1024
        values = .allocate(capacity: capacity)
        groups = .allocate(capacity: capacity)
        groups.initialize(repeating: -1, count: capacity)
        values.initialize(repeating: 0, count: capacity)
    }

    deinit {
        values.deallocate()
        groups.deallocate()
    }

    @inline(__always)
    private static func slot(_ group: Int32, _ value: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: fmix(value ^ (UInt64(UInt32(bitPattern: group)) &* goldenRatio64))) & mask
    }

    private func grow() {
        let oldV = values
        let oldG = groups
        let oldCap = capacity
        capacity *= 2
        values = .allocate(capacity: capacity)
        groups = .allocate(capacity: capacity)
        groups.initialize(repeating: -1, count: capacity)
        values.initialize(repeating: 0, count: capacity)
        let mask = capacity - 1
        for i in 0..<oldCap where oldG[i] >= 0 {
            var s = PairSet.slot(oldG[i], oldV[i], mask)
            while groups[s] >= 0 { s = (s + 1) & mask }
            groups[s] = oldG[i]
            values[s] = oldV[i]
        }
        oldV.deallocate()
        oldG.deallocate()
    }

    @inline(__always)
    func insert(group: Int32, value: UInt64) {
        if (count + 1) * 2 > capacity { grow() }
        let mask = capacity - 1
        var s = PairSet.slot(group, value, mask)
        while true {
            let g = groups[s]
            if g < 0 { break }
            if g == group && values[s] == value { return }
            s = (s + 1) & mask
        }
        groups[s] = group
        values[s] = value
        count += 1
    }

    func forEachEntry(_ body: (Int32, UInt64) -> Void) {
        for i in 0..<capacity where groups[i] >= 0 { body(groups[i], values[i]) }
    }

    /// Empties the set and returns its memory (back to the initial capacity).
    func removeAll() {
        values.deallocate()
        groups.deallocate()
        capacity = 1024
        values = .allocate(capacity: capacity)
        groups = .allocate(capacity: capacity)
        groups.initialize(repeating: -1, count: capacity)
        values.initialize(repeating: 0, count: capacity)
        count = 0
    }
}
