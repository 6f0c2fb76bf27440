import KuaiCore

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
            out[g] = avgDivide(sums[g], counts[g], wide: wide)
        }
        return Column(doubles: out, validity: validity.contains(0) ? validity : nil)
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

/// avg's division as DuckDB 2.0.1 computes it: the exact integer sum rounded to a DOUBLE, divided
/// by the count (checked against DuckDB: avg(timestamp) of KuaiLive's click at scale 0.01 is
/// 1747293412761.4937 = double(sum) / n, where the correctly rounded quotient is ...761.494). `wide`
/// (BIGINT/HUGEINT input) is kept for the callers; the division is the same.
func avgDivide(_ sum: Int128, _ count: Int64, wide: Bool) -> Double {
    Double(sum) / Double(count)
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
