import KuaiCore

/// The keys of the groups of a multi-column table (`PackedKeyTable`, `GeneralKeyTable`), row-major:
/// group g owns words [g * stride, (g + 1) * stride), one key word per column (`keyWords`: the
/// integer value, `doubleKey` of a DOUBLE, an interned code of a VARCHAR, 0 for NULL) and a last
/// word whose bit c is set when column c is NULL.
final class RowKeyStore {
    /// Words per group: key columns + 1.
    let stride: Int
    private(set) var words: UnsafeMutablePointer<UInt64>
    /// Groups the storage has room for.
    private var capacity = 0

    init(keyColumns: Int) {
        stride = keyColumns + 1
        words = .allocate(capacity: 1)
    }

    deinit { words.deallocate() }

    /// Bytes `reserve(groups, used:)` would allocate (0 when `groups` fit).
    func growthBytes(toHold groups: Int) -> Int {
        groups <= capacity ? 0 : max(groups, capacity * 2, 256) * stride * 8
    }

    /// Makes room for `groups` groups, keeping the first `used`.
    func reserve(_ groups: Int, used: Int) {
        if groups <= capacity { return }
        let newCapacity = max(groups, capacity * 2, 256)
        MemoryGuard.noteAllocation(newCapacity * stride * 8)
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity * stride)
        if capacity > 0 { p.moveInitialize(from: words, count: used * stride) }
        words.deallocate()
        words = p
        capacity = newCapacity
    }

    /// The words of group `g`.
    @inline(__always)
    func row(_ g: Int) -> UnsafeMutablePointer<UInt64> { words + g &* stride }

    /// True when the keys `a` and `b` (`stride` words each) are equal.
    @inline(__always)
    static func equals(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ stride: Int) -> Bool {
        for c in 0..<stride where a[c] != b[c] { return false }
        return true
    }

    /// The hash of a key of `stride` words: the per-column words combined (`hashCombine`), then
    /// the NULL mask, then `fmix`; `GeneralKeyTable.prepare` computes the same column by column.
    @inline(__always)
    func hash(_ g: Int) -> UInt64 {
        let row = words + g &* stride
        var h = RowKeyStore.seed
        for c in 0..<(stride - 1) { h = hashCombine(h, row[c]) }
        return fmix(hashCombine(h, row[stride - 1]))
    }
    static let seed: UInt64 = 0x1234_5678_9ABC_DEF1

    /// The keys of groups 0..<count as columns of `types` (VARCHAR codes into `dictionary`).
    func keyColumns(_ types: [DataType], count n: Int, dictionary: StringDictionary) -> [Column] {
        var out: [Column] = []
        let k = types.count
        let ks = words
        let stride = self.stride
        for c in 0..<k {
            let bit = UInt64(1) << UInt64(c)
            var anyNull = false
            for g in 0..<n where ks[g * stride + k] & bit != 0 {
                anyNull = true
                break
            }
            let validity: [UInt8]? =
                anyNull
                ? [UInt8](unsafeUninitializedCapacity: n) { v, len in
                    for g in 0..<n { v[g] = ks[g * stride + k] & bit != 0 ? 0 : 1 }
                    len = n
                } : nil
            func words<T>(_ convert: (UInt64) -> T) -> [T] {
                [T](unsafeUninitializedCapacity: n) { v, len in
                    for g in 0..<n { v[g] = convert(ks[g * stride + c]) }
                    len = n
                }
            }
            switch types[c] {
            case .double: out.append(Column(doubles: words { Double(bitPattern: $0) }, validity: validity))
            case .varchar:
                out.append(
                    Column(codes: words { Int32(truncatingIfNeeded: $0) }, dictionary: dictionary, validity: validity))
            default: out.append(Column(type: types[c], ints: words { Int64(bitPattern: $0) }, validity: validity))
            }
        }
        return out
    }
}
