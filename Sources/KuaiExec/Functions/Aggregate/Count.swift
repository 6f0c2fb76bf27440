import KuaiCore

final class CountState: AggregateState {
    let star: Bool
    var counts: [Int64] = []
    init(star: Bool) { self.star = star }
    var acceptsWideInput: Bool { true }  // reads validity only
    var ignoresInputOrder: Bool { true }
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
    var usesRuns: Bool { true }
    /// A run adds its length (count(*), or count(x) of a column without NULLs) or its valid rows.
    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, runs: GroupRuns, count n: Int) {
        if !star, let input, input.type == .null { return }
        counts.withUnsafeMutableBufferPointer { c in
            if !star, let v = input?.validity {
                v.withUnsafeBufferPointer { vp in
                    runs.eachRun { g, rows in
                        var k: Int64 = 0
                        for i in rows { k &+= Int64(vp[i]) }
                        c[g] &+= k
                    }
                }
            } else {
                runs.eachRun { g, rows in c[g] &+= Int64(rows.count) }
            }
        }
    }
    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! CountState
        o.counts.withUnsafeBufferPointer { src in
            counts.withUnsafeMutableBufferPointer { dst in
                for g in 0..<src.count { dst[Int(mapping[g])] &+= src[g] }
            }
        }
    }
    func finalize(groups: Int) -> Column {
        resize(groups)
        return Column(type: .bigint, ints: firstGroups(counts, groups))
    }
    func makeEmpty() -> AggregateState { CountState(star: star) }
}

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

extension AggregateRegistry {
    /// count(*) (also `count()`, named count_star) and count(x): BIGINT.
    static func count(_ c: AggregateCall) -> AggregateFunction? {
        switch (c.name, c.argumentType) {
        case ("count_star", nil), ("count", nil):
            return countStar
        case ("count", let t?):
            return AggregateFunction(name: "count", argumentType: t, returnType: .bigint) { _ in CountState(star: false)
            }
        default: return nil
        }
    }
}
