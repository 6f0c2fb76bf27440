import KuaiCore

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
            let input = input.dictionaryEncoded()
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
