import CPrefetch

/// The distinct strings of a VARCHAR column; rows hold `Int32` codes into it (dictionary encoding).
///
/// A column file has one dictionary for the whole column (Formats/column-file.md, "Footer"), so
/// every block of a stored column shares one `StringDictionary` and equal strings have equal codes.
/// Functions over a dictionary column build a fresh dictionary per input dictionary.
///
/// Storage: one `StringView` per code. Bytes of views longer than 12 bytes live in the
/// dictionary's own `StringHeap` (strings added by `intern`) or in the owners given to
/// `init(views:owners:)`, which the dictionary keeps alive; so a column whose views come from
/// `views` lists the dictionary in `Column.heaps`. Lookup by value uses an open-addressing index
/// over `StringView.hashValue64` (no Swift `String` or `Dictionary`), built on first use.
/// `values` (Swift strings) is built on first use for output and tests.
///
/// Thread safety: `intern` is for the builder of the dictionary (not concurrent with anything);
/// after that the dictionary is read-only except for the lazily built index and caches, which
/// are guarded by a lock; share freely between threads.
public final class StringDictionary: @unchecked Sendable {
    private var storage: [StringView]
    private let heap = StringHeap()
    private var owners: [StringOwner]
    /// Open-addressing index, power-of-two size, empty until needed: per slot the high 32 bits of
    /// the value's hash and code + 1 in the low 32 bits (0 = empty), so that a probe compares
    /// the tag before it reads a stored hash or value (one cache miss per probe, not three).
    private var slots: [UInt64] = []
    private var hashes: [UInt64] = []
    private var stringCache: [String]?
    private var rankCache: [Int32]?
    /// (count when computed, sorted).
    private var sortedCache: (count: Int, sorted: Bool)?
    private let lock = Mutex()

    /// An empty dictionary to be filled with `intern`.
    public init() {
        storage = []
        owners = []
    }

    /// A dictionary over `values`; codes are positions. The strings should be distinct.
    public init(_ values: [String]) {
        storage = []
        owners = []
        storage.reserveCapacity(values.count)
        for var s in values {
            s.withUTF8 { storage.append(ownedView($0)) }
        }
    }

    /// A dictionary over `views` (codes are positions; the values should be distinct) whose long
    /// values live in `owners`, which the dictionary keeps alive. No bytes are copied.
    public init(views: [StringView], owners: [StringOwner]) {
        self.storage = views
        self.owners = owners
    }

    public var count: Int { storage.count }

    /// The values as string views, indexed by code (long values point into memory the
    /// dictionary keeps alive).
    public var views: [StringView] { storage }

    /// `StringView.hashValue64` of each value, indexed by code, when the lookup index has been
    /// built (always for a dictionary filled by `intern`); nil otherwise. Not while interning.
    public var storedHashes: [UInt64]? { hashes.count == storage.count && !slots.isEmpty ? hashes : nil }

    /// The value of `code` as a view (valid while the dictionary is alive).
    @inlinable
    public func view(_ code: Int32) -> StringView { views[Int(code)] }

    /// The value of `code` as a Swift `String` (output, messages and tests; not for row loops).
    public subscript(code: Int32) -> String { storage[Int(code)].string }

    /// The values as Swift strings, indexed by code; built once, then cached. For output and
    /// tests, never per row.
    public var values: [String] {
        lock.withLock {
            if let s = stringCache, s.count == storage.count { return s }
            let s = storage.map(\.string)
            stringCache = s
            return s
        }
    }

    /// Returns the code of `s`, appending it when new. Not thread-safe: use while building.
    @discardableResult
    public func intern(_ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { b in
            intern(StringView(bytes: b.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: b.count))
        }
    }

    /// Returns the code of the string `v` (whose bytes need only live during the call),
    /// appending a copy when new. Not thread-safe: use while building.
    @discardableResult
    public func intern(_ v: StringView) -> Int32 {
        ensureIndex()
        let h = v.hashValue64
        let s = Self.probe(v, h, slots, storage)
        return s.code >= 0 ? s.code : add(v, hash: h, slot: s.slot)
    }

    /// Appends a copy of `v` (hash `h`, not present) whose index entry goes to the empty `slot`,
    /// and doubles the index once it is half full. Returns the new code.
    private func add(_ v: StringView, hash h: UInt64, slot: Int) -> Int32 {
        let code = Int32(storage.count)
        storage.append(v.withBytes { ownedView($0) })
        hashes.append(h)
        slots[slot] = Self.entry(h, code)
        if storage.count * 2 > slots.count { rehash(slots.count * 2) }
        return code
    }

    /// The code of `s`, or nil when the dictionary does not contain it.
    public func code(of s: String) -> Int32? {
        var s = s
        return s.withUTF8 { b in
            code(of: StringView(bytes: b.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: b.count))
        }
    }

    /// The code of the string `v`, or nil when the dictionary does not contain it. Thread-safe.
    public func code(of v: StringView) -> Int32? {
        lock.withLock {
            ensureIndex()
            let code = Self.probe(v, v.hashValue64, slots, storage).code
            return code >= 0 ? code : nil
        }
    }

    /// The code of each valid view (interning new values, as `intern(_:)`); NULL rows (validity
    /// byte 0) get code 0. Not thread-safe: use while building.
    /// - Parameters:
    ///   - views: the values, one per row.
    ///   - validity: nil (all valid) or one byte per row, 1 = valid.
    ///   - out: receives one code per row.
    ///
    /// The rows go in chunks: the hashes of a chunk first, then each row probes while the slot of
    /// a row 16 ahead and the value of a row 8 ahead are prefetched, so that the cache misses of
    /// neighbouring rows overlap.
    public func intern(
        _ views: UnsafeBufferPointer<StringView>, validity: UnsafeBufferPointer<UInt8>?,
        into out: UnsafeMutableBufferPointer<Int32>
    ) {
        ensureIndex()
        let chunk = 1024
        var hs = [UInt64](repeating: 0, count: min(chunk, views.count))
        // The index and the values are read through pointers taken again after each insertion (which
        // may grow either array): the per-row loop retains no array.
        var sl = slots.withUnsafeBufferPointer { $0 }
        var st = storage.withUnsafeBufferPointer { $0 }
        var start = 0
        while start < views.count {
            let end = min(views.count, start + chunk)
            for i in start..<end { hs[i - start] = views[i].hashValue64 }
            hs.withUnsafeBufferPointer { hs in
                for i in start..<end {
                    let mask = sl.count - 1
                    // prefetch the slot of row i + 16 and the value the slot of row i + 8 points to
                    if i + 16 < end {
                        kuai_prefetch(sl.baseAddress! + (Int(truncatingIfNeeded: hs[i + 16 - start]) & mask))
                    }
                    if i + 8 < end {
                        let e = sl[Int(truncatingIfNeeded: hs[i + 8 - start]) & mask]
                        if e != 0 { kuai_prefetch(st.baseAddress! + Int(e & 0xFFFF_FFFF) - 1) }
                    }
                    if let validity, validity[i] == 0 {
                        out[i] = 0
                        continue
                    }
                    let h = hs[i - start]
                    let s = Self.probe(views[i], h, sl, st)
                    if s.code >= 0 {
                        out[i] = s.code
                    } else {
                        out[i] = add(views[i], hash: h, slot: s.slot)
                        sl = slots.withUnsafeBufferPointer { $0 }
                        st = storage.withUnsafeBufferPointer { $0 }
                    }
                }
            }
            start = end
        }
    }

    /// The code of each valid view, or -1 when the dictionary lacks it; NULL rows get -1.
    /// Thread-safe (one lock for the whole call).
    public func codes(
        of views: UnsafeBufferPointer<StringView>, validity: UnsafeBufferPointer<UInt8>?,
        into out: UnsafeMutableBufferPointer<Int32>
    ) {
        lock.withLock {
            ensureIndex()
            for i in 0..<views.count {
                if let validity, validity[i] == 0 {
                    out[i] = -1
                    continue
                }
                out[i] = Self.probe(views[i], views[i].hashValue64, slots, storage).code
            }
        }
    }

    /// For each code, its rank in byte-wise (UTF-8, memcmp) order of the strings, as DuckDB
    /// orders VARCHAR. Equal strings get equal ranks. Computed once, then cached.
    public var sortRanks: [Int32] {
        lock.withLock {
            if let r = rankCache, r.count == storage.count { return r }
            let v = storage
            let order = v.indices.sorted { StringView.compare(v[$0], v[$1]) < 0 }
            var ranks = [Int32](repeating: 0, count: v.count)
            var rank: Int32 = 0
            for (i, code) in order.enumerated() {
                if i > 0 && !StringView.equal(v[order[i - 1]], v[code]) { rank += 1 }
                ranks[code] = rank
            }
            rankCache = ranks
            return ranks
        }
    }

    /// True when codes are in byte-wise order of their strings (code a < code b exactly when
    /// string a < string b), so comparisons, min/max and sorting can use codes. Computed once.
    public var isSorted: Bool {
        lock.withLock {
            if let s = sortedCache, s.count == storage.count { return s.sorted }
            let v = storage
            var sorted = true
            var i = 1
            while i < v.count {
                if StringView.compare(v[i - 1], v[i]) >= 0 {
                    sorted = false
                    break
                }
                i += 1
            }
            sortedCache = (v.count, sorted)
            return sorted
        }
    }

    /// Byte-wise comparison of the UTF-8 encodings (DuckDB's VARCHAR collation "binary").
    @inlinable
    public static func less(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// A view of `bytes` whose long values are copied into the dictionary's heap.
    private func ownedView(_ bytes: UnsafeBufferPointer<UInt8>) -> StringView {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return StringView() }
        if bytes.count <= StringView.inlineLimit { return StringView(bytes: p, count: bytes.count) }
        return StringView(bytes: heap.store(p, count: bytes.count), count: bytes.count)
    }

    /// Builds the index over the values present (first occurrence wins for duplicates).
    private func ensureIndex() {
        if hashes.count == storage.count && !slots.isEmpty { return }
        hashes = storage.map(\.hashValue64)
        var cap = 16
        while cap < storage.count * 2 + 2 { cap <<= 1 }
        rehash(cap)
    }

    /// The slot entry of `code` for a value hashing to `h`.
    @inline(__always)
    private static func entry(_ h: UInt64, _ code: Int32) -> UInt64 { (h >> 32) << 32 | UInt64(code + 1) }

    /// The code of `v` (hash `h`) in the index `slots` over `storage`, or -1 with the empty slot
    /// where it belongs.
    @inline(__always)
    private static func probe(_ v: StringView, _ h: UInt64, _ slots: [UInt64], _ storage: [StringView]) -> (
        slot: Int, code: Int32
    ) {
        slots.withUnsafeBufferPointer { sl in storage.withUnsafeBufferPointer { st in probe(v, h, sl, st) } }
    }

    /// `probe` over the index `sl` and the values `st`.
    @inline(__always)
    private static func probe(
        _ v: StringView, _ h: UInt64, _ sl: UnsafeBufferPointer<UInt64>, _ st: UnsafeBufferPointer<StringView>
    ) -> (slot: Int, code: Int32) {
        let mask = sl.count - 1
        let tag = h >> 32
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = sl[s]
            if e == 0 { return (s, -1) }
            let c = Int(truncatingIfNeeded: e & 0xFFFF_FFFF) - 1
            if e >> 32 == tag && StringView.equal(st[c], v) { return (s, Int32(c)) }
            s = (s + 1) & mask
        }
    }

    private func rehash(_ capacity: Int) {
        slots = [UInt64](repeating: 0, count: capacity)
        for code in 0..<storage.count {
            let h = hashes[code]
            let s = Self.probe(storage[code], h, slots, storage)
            if s.code < 0 { slots[s.slot] = Self.entry(h, Int32(code)) }
        }
    }
}
