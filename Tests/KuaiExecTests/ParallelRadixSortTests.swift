import KuaiTestSupport
import Testing

@testable import KuaiExec

/// `parallelRadixSortRecords` against the standard library's sort: keys with few and many
/// varying bits, many equal keys (stability: row ids stay in order within equal keys), one key
/// value for all, and both record layouts (packed words, keys with row ids); two and three threads.
@Suite struct ParallelRadixSortTests {
    func checkKeyed(_ keys: [UInt64], bits: Int, threads: Int) {
        checkKeyedSort(keys) { k, p, tk, tp in
            parallelRadixSortRecords(
                KeyedRows(keys: k, perm: p), scratch: KeyedRows(keys: tk, perm: tp), bits: bits, threads: threads)
        }
    }

    func checkPacked(_ keys: [UInt64], bits: Int, threads: Int) {
        // key above 20 bits of row index, as the sort of a first key word packs them
        var words = keys.enumerated().map { ($0.element << 20) | UInt64($0.offset) }
        var tmp = [UInt64](repeating: 0, count: words.count)
        words.withUnsafeMutableBufferPointer { w in
            tmp.withUnsafeMutableBufferPointer { t in
                parallelRadixSortRecords(
                    PackedRows(words: w, shift: 20), scratch: PackedRows(words: t, shift: 20), bits: bits,
                    threads: threads)
            }
        }
        #expect(words == keys.enumerated().map { ($0.element << 20) | UInt64($0.offset) }.sorted())
    }

    @Test(arguments: [2, 3])
    func matchesStandardSort(threads: Int) {
        var rng = SplitMix64(seed: 21)
        let n = 300_000
        let wide = (0..<n).map { _ in rng.next() >> 24 }  // 40 bits
        let few = (0..<n).map { _ in rng.next() % 300 }  // many equal keys, under one digit
        let skewed = (0..<n).map { i in i % 10 == 0 ? rng.next() >> 30 : 7 }  // one big bucket
        let same = [UInt64](repeating: 12345, count: n)
        for (keys, bits) in [(wide, 40), (few, 40), (skewed, 34), (same, 20)] {
            checkKeyed(keys, bits: bits, threads: threads)
            checkPacked(keys, bits: bits, threads: threads)
        }
    }
}

/// `msdRadixSort` (runs being refined by a later key word) against the standard library's stable
/// order: sizes around the insertion-sort cut-off and the 8-bit digit, keys varying in few high,
/// few low and all 64 bits, many equal keys, one key for all.
@Suite struct MSDRadixSortTests {
    func check(_ keys: [UInt64]) {
        checkKeyedSort(keys) { k, p, tk, tp in msdRadixSort(keys: k, perm: p, tmpKeys: tk, tmpPerm: tp) }
    }

    @Test func matchesStandardSort() {
        var rng = SplitMix64(seed: 5)
        for n in [0, 1, 2, 31, 32, 33, 200, 257, 1000, 4096] {
            check((0..<n).map { _ in rng.next() })  // all 64 bits
            check((0..<n).map { _ in (rng.next() % 5) << 50 | 7 })  // few values in high bits
            check((0..<n).map { _ in 1 << 40 | rng.next() % 3 })  // a common prefix, 2 low bits
            check((0..<n).map { _ in rng.next() >> 9 })  // 55 bits, as a timestamp and an id
            check([UInt64](repeating: 9, count: n))
        }
    }
}

/// Runs `sort` over `keys` with row ids 0..<n and scratch of equal size, and expects the keys and
/// row ids in the standard library's stable order (row ids ascending within equal keys).
func checkKeyedSort(
    _ keys: [UInt64],
    _ sort: (
        UnsafeMutableBufferPointer<UInt64>, UnsafeMutableBufferPointer<Int32>, UnsafeMutableBufferPointer<UInt64>,
        UnsafeMutableBufferPointer<Int32>
    ) -> Void
) {
    var k = keys
    var perm = (0..<keys.count).map { Int32($0) }
    var tk = [UInt64](repeating: 0, count: keys.count)
    var tp = [Int32](repeating: 0, count: keys.count)
    k.withUnsafeMutableBufferPointer { k in
        perm.withUnsafeMutableBufferPointer { p in
            tk.withUnsafeMutableBufferPointer { tk in tp.withUnsafeMutableBufferPointer { tp in sort(k, p, tk, tp) } }
        }
    }
    let expected = keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }
    #expect(perm == expected.map { Int32($0) })
    #expect(k == expected.map { keys[$0] })
}
