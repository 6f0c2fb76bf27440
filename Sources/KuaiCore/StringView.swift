/// One VARCHAR value of a flat string vector: 16 bytes, the layout of DuckDB's `string_t`, Umbra's
/// strings and Arrow's StringView.
///
/// | bytes  | field    | meaning                                                                 |
/// |--------|----------|-------------------------------------------------------------------------|
/// | 0..<4  | `length` | UTF-8 byte length                                                       |
/// | 4..<8  | `prefix` | the first 4 bytes (zero-padded), in memory order                        |
/// | 8..<16 | `tail`   | length <= 12: bytes 4..<12 inline (zero-padded); else the address of all `length` bytes |
///
/// A view longer than `inlineLimit` points into a `StringHeap` (or another owner, such as a mapped
/// file) that the holding `Column` keeps alive in `Column.heaps`; a view never owns memory and is
/// valid only while an owner of its bytes is alive. Padding bytes are always zero, so two inline
/// views are equal exactly when their 16 bytes are equal, and `length` + `prefix` compared as one
/// 64-bit word rejects most unequal strings without touching the heap.
@frozen
public struct StringView: Sendable {
    public var length: UInt32
    public var prefix: UInt32
    public var tail: UInt64

    /// Strings of at most this many bytes are stored inside the view.
    public static let inlineLimit = 12

    /// The empty string.
    @inlinable
    public init() {
        length = 0
        prefix = 0
        tail = 0
    }

    /// A view of `count` bytes at `bytes`. Strings longer than `inlineLimit` keep the pointer:
    /// the caller guarantees the bytes outlive the view (store them in a `StringHeap`).
    @inlinable
    public init(bytes: UnsafePointer<UInt8>, count: Int) {
        length = UInt32(truncatingIfNeeded: count)
        prefix = 0
        tail = 0
        if count <= StringView.inlineLimit {
            #if _endian(little)
                // Short strings are most of a string vector's values: when the 12 bytes from `bytes`
                // lie in one 4 KiB page they can be read, so take them with two loads and clear the
                // bytes past `count` instead of calling memmove for a few bytes.
                let raw = UnsafeRawPointer(bytes)
                if UInt(bitPattern: raw) & 4095 <= 4096 - 12 {
                    let head = raw.loadUnaligned(as: UInt32.self)
                    let rest = raw.loadUnaligned(fromByteOffset: 4, as: UInt64.self)
                    prefix = count >= 4 ? head : head & ((1 << (8 * UInt32(truncatingIfNeeded: count))) &- 1)
                    let restCount = count - 4
                    tail =
                        restCount >= 8
                        ? rest : restCount <= 0 ? 0 : rest & ((1 << (8 * UInt64(truncatingIfNeeded: restCount))) &- 1)
                    return
                }
            #endif
            withUnsafeMutableBytes(of: &self) { raw in
                raw.baseAddress!.advanced(by: 4).copyMemory(from: bytes, byteCount: count)
            }
        } else {
            withUnsafeMutableBytes(of: &prefix) { raw in
                raw.copyMemory(from: UnsafeRawBufferPointer(start: bytes, count: 4))
            }
            tail = UInt64(UInt(bitPattern: bytes))
        }
    }

    /// True when the bytes are inside the view (length <= 12).
    @inlinable
    public var isInline: Bool { length <= UInt32(StringView.inlineLimit) }

    /// Byte count as `Int`.
    @inlinable
    public var count: Int { Int(length) }

    /// Calls `body` with the view's bytes (valid only inside `body`).
    @inlinable
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if isInline {
            var copy = self
            return try withUnsafeBytes(of: &copy) { raw in
                try body(
                    UnsafeBufferPointer(
                        start: raw.baseAddress!.advanced(by: 4).assumingMemoryBound(to: UInt8.self), count: count))
            }
        }
        return try body(UnsafeBufferPointer(start: UnsafePointer<UInt8>(bitPattern: UInt(tail)), count: count))
    }

    /// The value as a Swift `String` (invalid UTF-8 is repaired). For output and tests, never per row
    /// in operators.
    public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }

    /// Byte-wise equality (DuckDB's binary collation).
    @inlinable
    public static func equal(_ a: StringView, _ b: StringView) -> Bool {
        if a.length != b.length || a.prefix != b.prefix { return false }
        if a.isInline { return a.tail == b.tail }
        if a.tail == b.tail { return true }
        return memoryEqual(
            UnsafeRawPointer(bitPattern: UInt(a.tail))!, UnsafeRawPointer(bitPattern: UInt(b.tail))!, a.count)
    }

    /// Byte-wise three-way comparison of the UTF-8 bytes (memcmp order, shorter first on a tie),
    /// which is how DuckDB orders VARCHAR: negative, 0 or positive.
    @inlinable
    public static func compare(_ a: StringView, _ b: StringView) -> Int {
        if a.prefix != b.prefix {
            return a.prefix.bigEndian < b.prefix.bigEndian ? -1 : 1
        }
        return a.withBytes { x in
            b.withBytes { y in
                let n = min(x.count, y.count)
                if n > 4 {
                    let c = memoryCompare(x.baseAddress! + 4, y.baseAddress! + 4, n - 4)
                    if c != 0 { return c }
                }
                return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
            }
        }
    }

    /// True when the string has at most 8 bytes and none is 0: its `orderPrefix` is then the whole
    /// string, and two such strings are equal exactly when their prefixes are.
    @inlinable
    public var isShortWithoutNul: Bool {
        guard count <= 8 else { return false }
        let word = orderPrefix
        for k in 0..<count where (word >> UInt64(56 - 8 * k)) & 0xFF == 0 { return false }
        return true
    }

    /// The first 8 bytes as a big-endian word (zero-padded): unsigned order of two prefixes is the
    /// byte order of the strings, except that strings equal in their first 8 bytes (or one a
    /// zero-padded prefix of the other) tie and need `compare`.
    @inlinable
    public var orderPrefix: UInt64 {
        let high = UInt64(UInt32(bigEndian: prefix))
        if isInline { return high << 32 | UInt64(UInt32(bigEndian: UInt32(truncatingIfNeeded: tail))) }
        let next = UnsafeRawPointer(bitPattern: UInt(tail))!.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        return high << 32 | UInt64(UInt32(bigEndian: next))
    }

    /// A 64-bit hash of the bytes (equal strings hash equally whatever their storage).
    @inlinable
    public var hashValue64: UInt64 {
        if isInline {
            return ByteHash.mix(UInt64(length) << 32 | UInt64(prefix), tail)
        }
        return withBytes { ByteHash.hash($0) }
    }
}

/// Fast non-cryptographic hashing of bytes for hash tables (not for anything stored on disk).
/// Strings of at most 12 bytes hash their two packed words, so the hash of a `StringView` does not
/// depend on where its bytes live (`StringView.hashValue64`).
public enum ByteHash {
    /// Mixes two words (a multiply-xorshift finaliser of their combination).
    @inlinable
    public static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var h = (a ^ 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        h ^= b &+ 0x94D0_49BB_1331_11EB &+ (h << 6) &+ (h >> 2)
        h = (h ^ (h >> 31)) &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }

    /// Hash of a byte string; equal to `StringView(bytes:count:).hashValue64` for any length.
    @inlinable
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = bytes.count
        guard let p = bytes.baseAddress else { return mix(0, 0) }
        if n <= StringView.inlineLimit {
            let v = StringView(bytes: p, count: n)
            return mix(UInt64(v.length) << 32 | UInt64(v.prefix), v.tail)
        }
        let raw = UnsafeRawPointer(p)
        var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i + 8 <= n {
            h = mix(h, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        }
        if i < n {
            var last: UInt64 = 0
            withUnsafeMutableBytes(of: &last) {
                $0.copyMemory(from: UnsafeRawBufferPointer(start: raw + i, count: n - i))
            }
            h = mix(h, last)
        }
        return h
    }
}

/// memcmp-equality of `count` bytes.
@inlinable
func memoryEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    memoryCompare(a.assumingMemoryBound(to: UInt8.self), b.assumingMemoryBound(to: UInt8.self), count) == 0
}

/// memcmp of `count` bytes, 8 at a time: negative, 0 or positive.
@inlinable
func memoryCompare(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Int {
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    var i = 0
    while i + 8 <= count {
        let x = ra.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let y = rb.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        if x != y { return x.bigEndian < y.bigEndian ? -1 : 1 }
        i += 8
    }
    while i < count {
        if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        i += 1
    }
    return 0
}
