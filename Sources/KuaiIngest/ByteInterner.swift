#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hash of a byte slice: 8-byte words mixed by multiply-xorshift (not cryptographic; only for
/// the interner's open-addressing table).
@inline(__always)
func hashBytes(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= n {
        let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
        i += 8
    }
    if i < n {
        var w: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            w |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 32
    }
    h = (h ^ (h >> 29)) &* 0xC4CE_B9FE_1A85_EC53
    return h ^ (h >> 32)
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
        arena = .allocate(capacity: arenaCapacity)
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
            if hashes[c] == h && lengths[c] == n && memcmp(arena + offsets[c], p, n) == 0 { return code }
            i = (i + 1) & mask
        }
        return insert(p, n, hash: h, slot: i)
    }

    private mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, slot: Int) -> Int32 {
        guard n == 0 || memchr(p, 0, n) == nil, let s = String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) else {
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
        hashes.deallocate(); hashes = h
        let o = UnsafeMutablePointer<Int>.allocate(capacity: cap)
        o.update(from: offsets, count: entryCapacity)
        offsets.deallocate(); offsets = o
        let l = UnsafeMutablePointer<Int>.allocate(capacity: cap)
        l.update(from: lengths, count: entryCapacity)
        lengths.deallocate(); lengths = l
        entryCapacity = cap
    }

    private mutating func growArena(_ need: Int) {
        var cap = arenaCapacity * 2
        while cap < need { cap *= 2 }
        let a = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        a.update(from: arena, count: arenaUsed)
        arena.deallocate()
        arena = a
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
