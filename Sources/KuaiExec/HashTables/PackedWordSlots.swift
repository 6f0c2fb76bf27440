import CPrefetch

/// The hash index of a `PackedKeyTable` whose packed keys leave room for a group id in the same
/// word: each slot is one word `key << idBits | (id + 1)` (0 = empty), so that a probe reads one
/// cache line and compares no stored key (a `GeneralKeyTable` probe reads its slot, then the
/// stored key: two cache misses a row once the table outgrows the caches). Multiply-shift hash
/// of the packed key, linear probing, power-of-two capacity, load <= 1/2: 8 bytes a slot, as the
/// general layout's.
struct PackedWordSlots {
    /// Fewest id bits the layout is used with (keys wider than 64 - 16 bits take another index).
    static let minimumIdBits = 16
    let words: UnsafeMutablePointer<UInt64>
    /// Slots (a power of two, at least 1024).
    let capacity: Int
    /// Low bits of a word holding id + 1: 64 - the packed key's bits.
    let idBits: UInt64
    private let shift: UInt64

    /// Empty slots for `groups` groups of packed keys of `keyBits` bits.
    /// - Precondition: `keyBits <= 64 - minimumIdBits`.
    init(keyBits: Int, groups: Int) {
        precondition(keyBits <= 64 - Self.minimumIdBits)
        var c = 1024
        while c < 2 * groups { c *= 2 }
        capacity = c
        idBits = UInt64(64 - keyBits)
        shift = UInt64(64 - c.trailingZeroBitCount)
        MemoryGuard.noteAllocation(c * 8)
        words = .allocate(capacity: c)
        words.initialize(repeating: 0, count: c)
    }

    func deallocate() { words.deallocate() }

    /// Most groups the words can number (ids 0 ..< maxGroups).
    var maxGroups: Int { (1 << Int(idBits)) - 1 }

    /// Whether `groups` more groups fit without growing.
    @inline(__always) func fits(_ groups: Int) -> Bool { 2 * groups <= capacity }

    @inline(__always) private func home(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* goldenRatio64) >> shift)
    }

    /// The slot holding `key` and its group, or the empty slot where it belongs and -1.
    @inline(__always) func probe(_ key: Int64) -> (slot: Int, group: Int32) {
        let mask = capacity &- 1
        let idMask = (UInt64(1) << idBits) &- 1
        var s = home(key)
        while true {
            let w = words[s]
            if w == 0 { return (s, -1) }
            if w >> idBits == UInt64(bitPattern: key) { return (s, Int32(truncatingIfNeeded: w & idMask) &- 1) }
            s = (s &+ 1) & mask
        }
    }

    /// Puts `key` with group `id` into the empty `slot`.
    @inline(__always) func set(_ slot: Int, _ key: Int64, _ id: Int) {
        words[slot] = UInt64(bitPattern: key) << idBits | UInt64(id &+ 1)
    }

    /// Starts loading the cache line of `key`'s home slot (a hint).
    @inline(__always) func prefetch(_ key: Int64) { kuai_prefetch(words + home(key)) }

    /// Bytes `grown(toHold:)` would allocate for `groups` groups (0 when they fit).
    func growthBytes(toHold groups: Int) -> Int {
        var c = capacity
        while c < 2 * groups { c *= 2 }
        return c == capacity ? 0 : c * 8
    }

    /// These slots rehashed into a table for `groups` groups (self when they fit; else self is
    /// deallocated).
    func grown(toHold groups: Int) -> PackedWordSlots {
        if fits(groups) { return self }
        let bigger = PackedWordSlots(keyBits: 64 - Int(idBits), groups: groups)
        for s in 0..<capacity where words[s] != 0 {
            let key = Int64(bitPattern: words[s] >> idBits)
            bigger.words[bigger.probe(key).slot] = words[s]
        }
        deallocate()
        return bigger
    }
}
