import KuaiCore

/// The per-group state sum() and avg() share: a sum per group (`Value`: Int128 of integers, Double
/// of DOUBLE) and a tally per group (`Tally`: sum keeps a flag, so that a group without values is
/// NULL; avg counts the values it divides by).
struct GroupSums<Value: SumValue, Tally: SumTally> {
    var sums: [Value] = []
    var tally: [Tally.Word] = []

    /// Makes room for `groups` groups (new groups start at 0, without values).
    mutating func resize(_ groups: Int) {
        if sums.count < groups {
            sums.append(contentsOf: repeatElement(.zero, count: groups - sums.count))
            tally.append(contentsOf: repeatElement(0, count: groups - tally.count))
        }
    }

    /// Calls `body` with the sums and the tallies.
    mutating func withBuffers<R>(
        _ body: (UnsafeMutableBufferPointer<Value>, UnsafeMutableBufferPointer<Tally.Word>) throws -> R
    ) rethrows -> R {
        try sums.withUnsafeMutableBufferPointer { s in try tally.withUnsafeMutableBufferPointer { t in try body(s, t) }
        }
    }

    /// Adds each valid row's value `value(x[i])` to its group `ids[i]`.
    @inline(__always)
    mutating func add<X>(
        _ x: [X], _ validity: [UInt8]?, _ ids: UnsafeBufferPointer<Int32>, _ n: Int, _ value: (X) -> Value
    ) {
        x.withUnsafeBufferPointer { x in
            withBuffers { s, t in
                @inline(__always) func rows<V: RowValidity>(_ valid: V) {
                    for i in 0..<n where valid.isValid(i) {
                        let g = Int(ids[i])
                        Value.accumulate(&s[g], value(x[i]))
                        Tally.note(&t[g])
                    }
                }
                if let validity {
                    validity.withUnsafeBufferPointer { rows(ValidBytes(valid: $0.baseAddress!)) }
                } else {
                    rows(NoNulls())
                }
            }
        }
    }

    /// Adds `other`'s groups with values into this state's groups `mapping` (`add` adds two sums).
    mutating func merge(
        _ other: GroupSums, mapping: UnsafeBufferPointer<Int32>, _ add: (Value, Value) throws -> Value
    ) rethrows {
        try other.sums.withUnsafeBufferPointer { os in
            try other.tally.withUnsafeBufferPointer { ot in
                try withBuffers { s, t in
                    for g in 0..<os.count where ot[g] != 0 {
                        let d = Int(mapping[g])
                        s[d] = try add(s[d], os[g])
                        Tally.combine(&t[d], ot[g])
                    }
                }
            }
        }
    }

    /// `merge(_:mapping:_:)` with `Value.accumulate` (no check).
    mutating func merge(_ other: GroupSums, mapping: UnsafeBufferPointer<Int32>) {
        other.sums.withUnsafeBufferPointer { os in
            other.tally.withUnsafeBufferPointer { ot in
                withBuffers { s, t in
                    for g in 0..<os.count where ot[g] != 0 {
                        let d = Int(mapping[g])
                        Value.accumulate(&s[d], os[g])
                        Tally.combine(&t[d], ot[g])
                    }
                }
            }
        }
    }

    /// The validity of groups 0..<groups: 0 where a group had no value; nil when all had.
    func validity(_ groups: Int) -> [UInt8]? {
        guard tally.prefix(groups).contains(0) else { return nil }
        return tally.prefix(groups).map { $0 != 0 ? 1 : 0 }
    }
}

extension GroupSums where Value == Int128 {
    /// Adds the valid rows of an integer-stored column (wide or not) with DuckDB's overflow check.
    /// - Throws: `KuaiError.execution` "Overflow in HUGEINT addition".
    mutating func addChecked(_ input: Column, _ ids: UnsafeBufferPointer<Int32>, _ n: Int) throws {
        for i in 0..<n where input.isValid(i) {
            let g = Int(ids[i])
            sums[g] = try KuaiExec.addChecked(sums[g], input.int128(at: i))
            Tally.note(&tally[g])
        }
    }

    /// What integer sums do with a batch first: nil when it is done (NULL-typed input adds nothing;
    /// once HUGEINT input beyond Int64 is seen, `checked` is set and every addition is checked, here),
    /// else `input`, whose narrow `ints` the caller adds unchecked.
    mutating func narrowInput(
        _ input: Column?, _ ids: UnsafeBufferPointer<Int32>, _ n: Int, checked: inout Bool
    ) throws -> Column? {
        guard let input, input.type != .null else { return nil }
        if input.highs != nil { checked = true }
        if checked {
            try addChecked(input, ids, n)
            return nil
        }
        return input
    }

    /// Adds the valid rows of the narrow integer column `input` (`narrowInput`), the rows given as
    /// runs of one group: each run's values are summed in one loop (`sumInt64`, or a loop over
    /// the valid rows), and its group's tally noted once per value.
    mutating func addRuns(_ input: Column, _ runs: GroupRuns) {
        input.ints.withUnsafeBufferPointer { x in
            withBuffers { s, t in
                if let validity = input.validity {
                    validity.withUnsafeBufferPointer { v in
                        runs.eachRun { g, rows in
                            var sum: Int128 = 0
                            var values: Int64 = 0
                            for i in rows where v[i] != 0 {
                                sum &+= Int128(x[i])
                                values &+= 1
                            }
                            s[g] &+= sum
                            Tally.note(&t[g], times: values)
                        }
                    }
                } else {
                    runs.eachRun { g, rows in
                        s[g] &+= sumInt64(UnsafeBufferPointer(rebasing: x[rows]))
                        Tally.note(&t[g], times: Int64(rows.count))
                    }
                }
            }
        }
    }

    /// Adds `other`'s groups (`otherChecked`: it saw wide input) into groups `mapping`, checked once
    /// either side saw wide input (`checked` is updated).
    mutating func merge(
        _ other: GroupSums, otherChecked: Bool, mapping: UnsafeBufferPointer<Int32>, checked: inout Bool
    ) throws {
        checked = checked || otherChecked
        if checked {
            try merge(other, mapping: mapping) { try KuaiExec.addChecked($0, $1) }
        } else {
            merge(other, mapping: mapping)
        }
    }
}

/// The sum type of `GroupSums`.
protocol SumValue {
    static var zero: Self { get }
    /// `a += b` (integers: 128 bits without overflow check; DOUBLE: IEEE addition).
    static func accumulate(_ a: inout Self, _ b: Self)
}
extension Int128: SumValue {
    @inline(__always) static func accumulate(_ a: inout Int128, _ b: Int128) { a &+= b }
}
extension Double: SumValue {
    @inline(__always) static func accumulate(_ a: inout Double, _ b: Double) { a += b }
}

/// What `GroupSums` keeps besides the sum.
protocol SumTally {
    associatedtype Word: FixedWidthInteger
    /// One more value in the group.
    static func note(_ w: inout Word)
    /// `a` and `b` together.
    static func combine(_ a: inout Word, _ b: Word)
    /// `times` more values in the group (none: unchanged).
    static func note(_ w: inout Word, times: Int64)
}
/// sum: 1 once the group has a value.
enum SeenFlag: SumTally {
    @inline(__always) static func note(_ w: inout UInt8) { w = 1 }
    @inline(__always) static func combine(_ a: inout UInt8, _ b: UInt8) { a = 1 }
    @inline(__always) static func note(_ w: inout UInt8, times: Int64) { if times > 0 { w = 1 } }
}
/// avg: the number of values.
enum ValueCount: SumTally {
    @inline(__always) static func note(_ w: inout Int64) { w &+= 1 }
    @inline(__always) static func combine(_ a: inout Int64, _ b: Int64) { a &+= b }
    @inline(__always) static func note(_ w: inout Int64, times: Int64) { w &+= times }
}

/// sum of integers, accumulated in Int128 (DuckDB: sum(INTEGER/BIGINT/HUGEINT) is HUGEINT). The
/// result column is narrow (`ints`) when every sum fits Int64, else wide (`Column.highs`).
/// Narrow input cannot overflow 128 bits (fewer than 2^63 rows of 64-bit values) and adds
/// unchecked; once HUGEINT input beyond Int64 is seen (`checked`), every addition is checked and
/// overflow raises DuckDB's "Overflow in HUGEINT addition".
final class SumIntState: AggregateState {
    var acc = GroupSums<Int128, SeenFlag>()
    var checked = false
    var acceptsWideInput: Bool { true }
    var ignoresInputOrder: Bool { true }  // exact sums
    func resize(_ groups: Int) { acc.resize(groups) }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        guard let input = try acc.narrowInput(input, ids, n, checked: &checked) else { return }
        if input.validity != nil || acc.sums.count > smallGroupLimit || (acc.sums.count > 1 && n < 1024) {
            return acc.add(input.ints, input.validity, ids, n) { Int128($0) }
        }
        // No NULLs and few groups: one group (no GROUP BY, every id is 0) sums the batch; a
        // batch of up to `smallGroupLimit` groups sums in 4 lanes of Int64 (else row by row).
        let done = acc.withBuffers { s, seen in
            input.ints.withUnsafeBufferPointer { x -> Bool in
                if s.count == 1 {
                    if n > 0 {
                        s[0] &+= sumInt64(UnsafeBufferPointer(rebasing: x[0..<n]))
                        seen[0] = 1
                    }
                    return true
                }
                return laneSum(s, seen, x, ids, n)
            }
        }
        if !done { acc.add(input.ints, nil, ids, n) { Int128($0) } }
    }
    var usesRuns: Bool { true }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, runs: GroupRuns, count n: Int) throws {
        guard let input = try acc.narrowInput(input, ids, n, checked: &checked) else { return }
        acc.addRuns(input, runs)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws {
        let o = other as! SumIntState
        try acc.merge(o.acc, otherChecked: o.checked, mapping: mapping, checked: &checked)
    }
    func finalize(groups: Int) throws -> Column {
        resize(groups)
        let validity = acc.validity(groups)
        var out = [Int64](repeating: 0, count: groups)
        for g in 0..<groups where acc.tally[g] != 0 {
            // some sum beyond Int64: a 128-bit column
            guard let v = Int64(exactly: acc.sums[g]) else {
                return Column(hugeints: firstGroups(acc.sums, groups), validity: validity)
            }
            out[g] = v
        }
        return Column(type: .hugeint, ints: out, validity: validity)
    }
    func makeEmpty() -> AggregateState { SumIntState() }
}

/// The states of sum and avg of DOUBLE: IEEE additions in input order per thread, with the tally
/// `Tally`. Both are concrete classes (behind `AggregateState` a generic class is not specialised,
/// and every row's tally would go through a witness table); this protocol's extension gives them
/// one resize, update, merge and makeEmpty, specialised for each.
protocol DoubleSums: AggregateState {
    associatedtype Tally: SumTally
    var acc: GroupSums<Double, Tally> { get set }
    init()
}

extension DoubleSums {
    func resize(_ groups: Int) { acc.resize(groups) }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type == .double else { return }
        acc.add(input.doubles, input.validity, ids, n) { $0 }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        acc.merge((other as! Self).acc, mapping: mapping)
    }
    func makeEmpty() -> AggregateState { Self() }
}

/// sum of DOUBLE.
final class SumDoubleState: DoubleSums {
    var acc = GroupSums<Double, SeenFlag>()
    func finalize(groups: Int) -> Column {
        resize(groups)
        return Column(doubles: firstGroups(acc.sums, groups), validity: acc.validity(groups))
    }
}

/// avg of integers: Int128 sum and count. DuckDB divides in long double for BIGINT/HUGEINT input
/// (`wide`) and in double for INTEGER input; kuai does the same (Float80 on x86).
final class AvgState: AggregateState {
    let wide: Bool
    /// The scale of DECIMAL input (its unscaled values are summed), nil for integers.
    let decimalScale: Int?
    /// DECIMAL input of an aggregate without GROUP BY (`decimalAvgDivide`, not the grouped
    /// `DecimalMath.average`: DuckDB 2.0.1 rounds the two differently).
    let ungrouped: Bool
    var acc = GroupSums<Int128, ValueCount>()
    /// HUGEINT input beyond Int64 was seen: additions are checked (see `SumIntState`).
    var checked = false
    init(wide: Bool, decimalScale: Int? = nil, ungrouped: Bool = false) {
        self.wide = wide
        self.decimalScale = decimalScale
        self.ungrouped = ungrouped
    }
    var acceptsWideInput: Bool { true }
    var ignoresInputOrder: Bool { true }  // exact sums and counts
    func resize(_ groups: Int) { acc.resize(groups) }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        guard let input = try acc.narrowInput(input, ids, n, checked: &checked) else { return }
        acc.add(input.ints, input.validity, ids, n) { Int128($0) }
    }
    var usesRuns: Bool { true }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, runs: GroupRuns, count n: Int) throws {
        guard let input = try acc.narrowInput(input, ids, n, checked: &checked) else { return }
        acc.addRuns(input, runs)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws {
        let o = other as! AvgState
        try acc.merge(o.acc, otherChecked: o.checked, mapping: mapping, checked: &checked)
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        let average = (0..<groups).map { g -> Double in
            if acc.tally[g] == 0 { return 0 }
            guard let scale = decimalScale else { return avgDivide(acc.sums[g], acc.tally[g], wide: wide) }
            if ungrouped { return decimalAvgDivide(acc.sums[g], acc.tally[g], scale: scale) }
            return DecimalMath.average(acc.sums[g], count: acc.tally[g], scale: scale)
        }
        return Column(doubles: average, validity: acc.validity(groups))
    }
    func makeEmpty() -> AggregateState { AvgState(wide: wide, decimalScale: decimalScale, ungrouped: ungrouped) }
}

/// avg of DOUBLE.
final class AvgDoubleState: DoubleSums {
    var acc = GroupSums<Double, ValueCount>()
    func finalize(groups: Int) -> Column {
        resize(groups)
        let average = (0..<groups).map { g in acc.tally[g] == 0 ? 0 : acc.sums[g] / Double(acc.tally[g]) }
        return Column(doubles: average, validity: acc.validity(groups))
    }
}

/// avg's division as DuckDB 2.0.1 computes it: the exact integer sum rounded to a DOUBLE, divided
/// by the count (checked against DuckDB: avg(timestamp) of KuaiLive's click at scale 0.01 is
/// 1747293412761.4937 = double(sum) / n, where the correctly rounded quotient is ...761.494). `wide`
/// (BIGINT/HUGEINT input) is kept for the callers; the division is the same. A sum within Int64
/// converts by the hardware's Int64 -> DOUBLE (the same correctly rounded value as
/// `Double(Int128)`, whose generic conversion cost about 100 ns a row in a framed window avg).
@inline(__always)
func avgDivide(_ sum: Int128, _ count: Int64, wide: Bool) -> Double {
    let low = Int64(truncatingIfNeeded: sum)
    if Int128(truncatingIfNeeded: low) == sum { return Double(low) / Double(count) }
    return Double(sum) / Double(count)
}

/// avg of DECIMAL(p, `scale`) without GROUP BY as DuckDB 2.0.1 computes it: the unscaled sum cast
/// to DOUBLE as a DECIMAL (`DecimalMath.double`), divided by the count. Grouped and window
/// averages divide in extended precision instead (`DecimalMath.average`). Both checked against
/// DuckDB over random DECIMAL(4,1), (9,3), (18,2) and (30,4) sets; any other order of the
/// divisions differed in the last bit for a tenth to a third of them.
func decimalAvgDivide(_ sum: Int128, _ count: Int64, scale: Int) -> Double {
    DecimalMath.double(sum, scale: scale) / Double(count)
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

extension AggregateRegistry {
    /// sum (HUGEINT of integers and BOOLEAN, DOUBLE of DOUBLE) and avg / mean (DOUBLE), as DuckDB.
    static func sumOrAverage(_ c: AggregateCall) -> AggregateFunction? {
        switch (c.name, c.argumentType) {
        case ("sum", let t?) where t.isInteger || t == .boolean || t == .null:
            return AggregateFunction(name: "sum", argumentType: t, returnType: .hugeint) { _ in SumIntState()
            }
        case ("sum", .double?):
            return AggregateFunction(name: "sum", argumentType: .double, returnType: .double) { _ in
                SumDoubleState()
            }
        case ("avg", let t?) where t.isInteger || t == .null, ("mean", let t?) where t.isInteger:
            return AggregateFunction(name: "avg", argumentType: t, returnType: .double) { at in
                AvgState(wide: !at.isNarrowInteger)
            }
        case ("sum", .decimal(_, let scale)?):
            // DuckDB: sum(DECIMAL(p,s)) is DECIMAL(38,s); the unscaled values add as integers.
            let out = DataType.decimal(precision: 38, scale: scale)
            return AggregateFunction(name: "sum", argumentType: c.argumentType, returnType: out) { _ in
                FinalizedState(SumIntState()) { col in
                    var r = col
                    r.type = out
                    return r
                }
            }
        case ("avg", .decimal(_, let scale)?), ("mean", .decimal(_, let scale)?):
            // DuckDB: avg(DECIMAL(p,s)) is DOUBLE, the sum cast to DOUBLE (`DecimalMath.double`) / count.
            return AggregateFunction(name: "avg", argumentType: c.argumentType, returnType: .double) { _ in
                AvgState(wide: true, decimalScale: Int(scale))
            }
        case ("avg", .double?), ("mean", .double?):
            return AggregateFunction(name: "avg", argumentType: .double, returnType: .double) { _ in
                AvgDoubleState()
            }
        default: return nil
        }
    }
}

extension AggregateRegistry {
    /// `f` as an aggregate without GROUP BY computes it: avg of DECIMAL rounds as DuckDB 2.0.1's
    /// ungrouped avg does (`decimalAvgDivide`); every other function is returned unchanged.
    public static func ungrouped(_ f: AggregateFunction) -> AggregateFunction {
        guard f.name == "avg", case .decimal(_, let scale)? = f.argumentType else { return f }
        return AggregateFunction(name: "avg", argumentType: f.argumentType, returnType: .double) { _ in
            AvgState(wide: true, decimalScale: Int(scale), ungrouped: true)
        }
    }
}

/// An aggregate state whose result column is `inner`'s, transformed by `finish` (sum and avg of
/// DECIMAL: the integer states with the result retyped or rescaled).
final class FinalizedState: AggregateState {
    let inner: AggregateState
    let finish: (Column) -> Column
    init(_ inner: AggregateState, _ finish: @escaping (Column) -> Column) {
        self.inner = inner
        self.finish = finish
    }
    var acceptsWideInput: Bool { inner.acceptsWideInput }
    func resize(_ groups: Int) { inner.resize(groups) }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) throws {
        try inner.update(input, ids: ids, count: n)
    }
    var usesRuns: Bool { inner.usesRuns }
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, runs: GroupRuns, count n: Int) throws {
        try inner.update(input, ids: ids, runs: runs, count: n)
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) throws {
        try inner.merge((other as! FinalizedState).inner, mapping: mapping)
    }
    func finalize(groups: Int) throws -> Column { finish(try inner.finalize(groups: groups)) }
    func makeEmpty() -> AggregateState { FinalizedState(inner.makeEmpty(), finish) }
}
