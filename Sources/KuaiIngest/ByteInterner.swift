#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `n` (0...8) bytes at `p` as a little-endian word, bytes past `n` zeroed. Reads 8 bytes:
/// the caller guarantees they are readable.
@inline(__always)
func loadMasked(_ p: UnsafeRawPointer, _ n: Int) -> UInt64 {
    let w = p.loadUnaligned(as: UInt64.self)
    return n >= 8 ? w : w & ((UInt64(1) &<< UInt64(truncatingIfNeeded: n &* 8)) &- 1)
}

/// Hash of a byte slice: 8-byte words mixed by multiply-xorshift (not cryptographic; only for
/// the interner's open-addressing table). Reads whole words: 8 bytes past `p + n` must be
/// readable (chunk buffers, the extractor's scratch and the interner's arena are padded).
@inline(__always)
func hashBytes(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    let raw = UnsafeRawPointer(p)
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
    var i = 0
    while i &+ 8 < n {
        h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h &>> 32
        i &+= 8
    }
    h = (h ^ loadMasked(raw + i, n &- i)) &* 0xFF51_AFD7_ED55_8CCD
    h = (h ^ (h &>> 29)) &* 0xC4CE_B9FE_1A85_EC53
    return h ^ (h &>> 32)
}

/// True when the `n` bytes at `a` and `b` are equal (both padded as for `hashBytes`).
@inline(__always)
func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    if n <= 8 { return loadMasked(a, n) == loadMasked(b, n) }
    return memcmp(a, b, n) == 0
}

/// Maps distinct byte slices of one VARCHAR column to dense `Int32` codes, creating a Swift
/// `String` only for a value not seen before (the dictionary of one batch).
///
/// Open addressing with linear probing over a power-of-two table of codes; the bytes of each
/// distinct value live in one arena. Single-threaded: one per column per parser.
struct ByteInterner {
    /// Result code meaning the bytes are not valid UTF-8 or contain NUL.
    static let binary: Int32 = -1

    private var slots: UnsafeMutablePointer<Int32>
    private var mask: Int
    private var hashes: UnsafeMutablePointer<UInt64>
    private var offsets: UnsafeMutablePointer<Int>
    private var lengths: UnsafeMutablePointer<Int>
    private var entryCapacity: Int
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private var arenaUsed: Int
    /// The distinct strings, indexed by code.
    private(set) var strings: [String]
    var count: Int { strings.count }

    init() {
        mask = 63
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: -1, count: mask + 1)
        entryCapacity = 32
        hashes = .allocate(capacity: entryCapacity)
        offsets = .allocate(capacity: entryCapacity)
        lengths = .allocate(capacity: entryCapacity)
        arenaCapacity = 1024
        arena = .allocate(capacity: arenaCapacity + 8)
        arena.initialize(repeating: 0, count: arenaCapacity + 8)
        arenaUsed = 0
        strings = []
    }

    func deallocate() {
        slots.deallocate()
        hashes.deallocate()
        offsets.deallocate()
        lengths.deallocate()
        arena.deallocate()
    }

    /// Forgets every value (keeps the allocations) for the next batch.
    mutating func reset() {
        if strings.isEmpty { return }
        if mask > 4095 {
            // A big table from a high-cardinality batch: start small again.
            slots.deallocate()
            mask = 63
            slots = .allocate(capacity: mask + 1)
        }
        slots.update(repeating: -1, count: mask + 1)
        arenaUsed = 0
        strings.removeAll(keepingCapacity: true)
    }

    /// The code of the bytes `p[0..<n]` with hash `h` (from `hashBytes`), adding them when new;
    /// `ByteInterner.binary` when a new value contains NUL or is not valid UTF-8.
    @inline(__always)
    mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> Int32 {
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let code = slots[i]
            if code < 0 { break }
            let c = Int(code)
            if hashes[c] == h && lengths[c] == n && bytesEqual(arena + offsets[c], p, n) { return code }
            i = (i + 1) & mask
        }
        return insert(p, n, hash: h, slot: i)
    }

    private mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, slot: Int) -> Int32 {
        guard n == 0 || memchr(p, 0, n) == nil,
            let s = String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        else {
            return ByteInterner.binary
        }
        let code = strings.count
        if code == entryCapacity { growEntries() }
        if arenaUsed + n > arenaCapacity { growArena(arenaUsed + n) }
        arena.advanced(by: arenaUsed).update(from: p, count: n)
        hashes[code] = h
        offsets[code] = arenaUsed
        lengths[code] = n
        arenaUsed += n
        strings.append(s)
        if (code + 1) * 2 > mask + 1 {
            rehash(capacity: (mask + 1) * 2)
        } else {
            slots[slot] = Int32(code)
        }
        return Int32(code)
    }

    private mutating func growEntries() {
        let cap = entryCapacity * 2
        let h = UnsafeMutablePointer<UInt64>.allocate(capacity: cap)
        h.update(from: hashes, count: entryCapacity)
        hashes.deallocate()
        hashes = h
        let o = UnsafeMutablePointer<Int>.allocate(capacity: cap)
        o.update(from: offsets, count: entryCapacity)
        offsets.deallocate()
        offsets = o
        let l = UnsafeMutablePointer<Int>.allocate(capacity: cap)
        l.update(from: lengths, count: entryCapacity)
        lengths.deallocate()
        lengths = l
        entryCapacity = cap
    }

    private mutating func growArena(_ need: Int) {
        var cap = arenaCapacity * 2
        while cap < need { cap *= 2 }
        arena = regrownBytes(arena, keeping: arenaUsed, capacity: cap)
        arenaCapacity = cap
    }

    /// Rebuilds the slot table at `capacity` (a power of two) holding every code.
    private mutating func rehash(capacity: Int) {
        slots.deallocate()
        mask = capacity - 1
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: -1, count: capacity)
        for c in 0..<strings.count {
            var i = Int(truncatingIfNeeded: hashes[c]) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(c)
        }
    }
}

/// A new zeroed buffer of `capacity` bytes plus 8 spare (hashBytes reads whole words) that starts with
/// the first `count` bytes of `old`; `old` is deallocated.
func regrownBytes(_ old: UnsafeMutablePointer<UInt8>, keeping count: Int, capacity: Int) -> UnsafeMutablePointer<UInt8>
{
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 8)
    bytes.initialize(repeating: 0, count: capacity + 8)
    bytes.update(from: old, count: count)
    old.deallocate()
    return bytes
}
