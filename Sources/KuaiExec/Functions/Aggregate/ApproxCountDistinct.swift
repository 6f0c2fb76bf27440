import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// approx_count_distinct(x): the number of distinct non-NULL values, estimated with a HyperLogLog
/// of 4,096 registers per group (standard error about 1.6%; DuckDB's sketch is coarser, so the two
/// estimates agree within DuckDB's error, not digit for digit). Values are hashed by content:
/// integers and dates by value, DOUBLE by its bits (0.0 and -0.0 alike), VARCHAR by its UTF-8 bytes.
final class ApproxCountDistinctState: AggregateState {
    static let bits = 12
    static let registers = 1 << bits
    /// Registers of all groups, `registers` bytes per group.
    var sketch: [UInt8] = []

    func resize(_ groups: Int) {
        let need = groups * Self.registers
        if sketch.count < need { sketch.append(contentsOf: repeatElement(0, count: need - sketch.count)) }
    }

    func update(_ input: Column?, ids: UnsafeBufferPointer<Int32>, count n: Int) {
        guard let input, input.type != .null else { return }
        // flat strings (computed, sorted) are hashed through a dictionary of their distinct values
        if input.isFlatString { return update(input.dictionaryEncoded(), ids: ids, count: n) }
        if input.type == .varchar, let d = input.dictionary {
            // hash each dictionary value once
            var hashes = [UInt64](repeating: 0, count: d.count)
            var done = [Bool](repeating: false, count: d.count)
            for i in 0..<n where input.isValid(i) {
                let k = Int(input.codes[i])
                if !done[k] {
                    hashes[k] = Self.hash(bytes: d.values[k])
                    done[k] = true
                }
                insert(hashes[k], group: Int(ids[i]))
            }
            return
        }
        for i in 0..<n where input.isValid(i) {
            let h: UInt64
            switch input.type {
            case .double:
                let d = input.doubles[i]
                h = Self.mix(d == 0 ? 0 : d.bitPattern)
            case .hugeint:
                let v = input.int128(at: i)
                h = Self.mix(UInt64(truncatingIfNeeded: v) ^ Self.mix(UInt64(truncatingIfNeeded: v >> 64)))
            case .interval where input.highs != nil:
                // equal intervals (DuckDB's normalized value) hash alike; one without months and
                // days hashes as its microseconds
                let v = input.interval(at: i).normalizedKey
                if let small = Int64(exactly: v) {
                    h = Self.mix(UInt64(bitPattern: small))
                } else {
                    h = Self.mix(UInt64(truncatingIfNeeded: v) ^ Self.mix(UInt64(truncatingIfNeeded: v >> 64)))
                }
            default:
                h = Self.mix(UInt64(bitPattern: input.ints[i]))
            }
            insert(h, group: Int(ids[i]))
        }
    }

    @inline(__always)
    func insert(_ h: UInt64, group: Int) {
        let index = Int(h >> UInt64(64 - Self.bits))
        let rest = h << UInt64(Self.bits) | (1 << UInt64(Self.bits - 1))  // a stop bit bounds the run
        let rank = UInt8(rest.leadingZeroBitCount + 1)
        let slot = group * Self.registers + index
        if rank > sketch[slot] { sketch[slot] = rank }
    }

    func merge(_ other: AggregateState, mapping: UnsafeBufferPointer<Int32>) {
        let o = other as! ApproxCountDistinctState
        let groups = o.sketch.count / Self.registers
        for g in 0..<groups {
            let t = Int(mapping[g]) * Self.registers
            let s = g * Self.registers
            for r in 0..<Self.registers where o.sketch[s + r] > sketch[t + r] { sketch[t + r] = o.sketch[s + r] }
        }
    }

    /// The HyperLogLog estimate, with linear counting while registers are still empty.
    func finalize(groups: Int) -> Column {
        resize(groups)
        let m = Double(Self.registers)
        let alpha = 0.7213 / (1 + 1.079 / m)
        var out = [Int64](repeating: 0, count: groups)
        for g in 0..<groups {
            var sum = 0.0
            var zeros = 0
            for r in 0..<Self.registers {
                let v = sketch[g * Self.registers + r]
                sum += 1.0 / Double(UInt64(1) << UInt64(v))
                if v == 0 { zeros += 1 }
            }
            var estimate = alpha * m * m / sum
            if estimate <= 2.5 * m && zeros > 0 { estimate = m * log(m / Double(zeros)) }
            out[g] = Int64(estimate.rounded())
        }
        return Column(type: .bigint, ints: out)
    }

    func makeEmpty() -> AggregateState { ApproxCountDistinctState() }
    /// HUGEINT beyond Int64 hashes its 128 bits, INTERVAL its normalized value.
    var acceptsWideInput: Bool { true }

    /// splitmix64's finaliser: spreads the bits of an integer.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a over the UTF-8 bytes, then mixed.
    static func hash(bytes s: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return mix(h)
    }
}

extension AggregateRegistry {
    /// approx_count_distinct(x) of any type: BIGINT.
    static func approxCountDistinct(_ c: AggregateCall) -> AggregateFunction? {
        guard c.name == "approx_count_distinct", let t = c.argumentType else { return nil }
        return AggregateFunction(name: c.name, argumentType: t, returnType: .bigint) { _ in
            ApproxCountDistinctState()
        }
    }
}
