import CVector

/// XXH64 (xxHash, 64-bit variant, by Yann Collet): the checksum of blocks, headers and footers
/// (Formats/column-file.md, "Checksums"); blocks written since XXH3 (below) use it for their
/// header seed only.
///
/// Test vectors: XXH64("", 0) = 0xEF46DB3751D8E999, XXH64("abc", 0) = 0x44BC2CF5AD770999.
public enum XXH64 {
    @usableFromInline static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    @usableFromInline static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    @usableFromInline static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    @usableFromInline static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    @usableFromInline static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always) @usableFromInline
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) @usableFromInline
    static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var a = acc &+ input &* p2
        a = rotl(a, 31)
        return a &* p1
    }

    @inline(__always) @usableFromInline
    static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        let v = round(0, val)
        let a = acc ^ v
        return a &* p1 &+ p4
    }

    /// XXH64 of `count` bytes at `ptr` with `seed`.
    public static func hash(_ ptr: UnsafeRawPointer, _ count: Int, seed: UInt64 = 0) -> UInt64 {
        var p = 0
        var h: UInt64
        if count >= 32 {
            var v1 = seed &+ p1 &+ p2
            var v2 = seed &+ p2
            var v3 = seed
            var v4 = seed &- p1
            let limit = count - 32
            while p <= limit {
                v1 = round(v1, UInt64(littleEndian: ptr.loadUnaligned(fromByteOffset: p, as: UInt64.self)))
                v2 = round(v2, UInt64(littleEndian: ptr.loadUnaligned(fromByteOffset: p + 8, as: UInt64.self)))
                v3 = round(v3, UInt64(littleEndian: ptr.loadUnaligned(fromByteOffset: p + 16, as: UInt64.self)))
                v4 = round(v4, UInt64(littleEndian: ptr.loadUnaligned(fromByteOffset: p + 24, as: UInt64.self)))
                p += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1)
            h = merge(h, v2)
            h = merge(h, v3)
            h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        h = h &+ UInt64(count)
        while p + 8 <= count {
            let k = round(0, UInt64(littleEndian: ptr.loadUnaligned(fromByteOffset: p, as: UInt64.self)))
            h ^= k
            h = rotl(h, 27) &* p1 &+ p4
            p += 8
        }
        if p + 4 <= count {
            h ^= UInt64(UInt32(littleEndian: ptr.loadUnaligned(fromByteOffset: p, as: UInt32.self))) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            p += 4
        }
        while p < count {
            h ^= UInt64(ptr.load(fromByteOffset: p, as: UInt8.self)) &* p5
            h = rotl(h, 11) &* p1
            p += 1
        }
        h ^= h >> 33
        h = h &* p2
        h ^= h >> 29
        h = h &* p3
        h ^= h >> 32
        return h
    }

    /// XXH64 of a byte array.
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { b in
            guard let base = b.baseAddress else {
                var z: UInt8 = 0
                return withUnsafeBytes(of: &z) { hash($0.baseAddress!, 0, seed: seed) }
            }
            return hash(base, b.count, seed: seed)
        }
    }
}

/// XXH3-64 (xxHash 0.8, from the xxhash library's header), the block checksum of column files
/// whose block header sets `FormatConstants.blockFlagXXH3` (Formats/column-file.md section 12):
/// about 3x XXH64's speed with AVX2, which matters because every block read is verified.
public enum XXH3 {
    /// XXH3-64 of `count` bytes at `ptr` with `seed`.
    public static func hash(_ ptr: UnsafeRawPointer, _ count: Int, seed: UInt64 = 0) -> UInt64 {
        kuai_xxh3_64(ptr, count, seed)
    }

    /// XXH3-64 of a byte array.
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { b in
            var z: UInt8 = 0
            guard let base = b.baseAddress else {
                return withUnsafeBytes(of: &z) { hash($0.baseAddress!, 0, seed: seed) }
            }
            return hash(base, b.count, seed: seed)
        }
    }
}
