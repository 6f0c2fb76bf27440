import KuaiCore

/// Interns the byte strings of one VARCHAR column chunk and makes its `Column`, the one place where the reader decides the
/// physical form of strings. Today that is dictionary codes (`Column(codes:dictionary:)`): equal
/// byte strings are interned into one code, in a byte arena with an open-addressing table, and a
/// Swift `String` is made once per distinct value. When KuaiCore's flat string vectors can be used
/// everywhere, only this type changes.
struct StringColumnBuilder {
    private var arena: [UInt8] = []
    private var starts: [Int] = [0]  // value k is arena[starts[k]..<starts[k + 1]]
    private var hashes: [UInt64] = []
    private var table: [Int32]  // slot -> code + 1 (0 = empty)
    private var mask: Int

    init() {
        table = [Int32](repeating: 0, count: 1024)
        mask = 1023
    }

    var distinctCount: Int { starts.count - 1 }

    /// FNV-1a over 8-byte words, finished with a 64-bit mixer: cheap and good enough for a table.
    @inline(__always)
    private static func hash(_ p: UnsafeRawPointer?, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(n)
        guard let p else { return h }
        var i = 0
        while i + 8 <= n {
            h = (h ^ p.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x100_0000_01b3
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }

    /// The code of the byte string (interning it when new).
    mutating func intern(_ p: UnsafeRawPointer?, _ n: Int) -> Int32 {
        let h = Self.hash(p, n)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = table[slot]
            if entry == 0 { break }
            let code = Int(entry - 1)
            if hashes[code] == h && starts[code + 1] - starts[code] == n {
                let equal = arena.withUnsafeBytes { a in
                    n == 0 || memcmpBytes(a.baseAddress! + starts[code], p!, n)
                }
                if equal { return Int32(code) }
            }
            slot = (slot + 1) & mask
        }
        let code = Int32(hashes.count)
        if n > 0 { arena.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n)) }
        starts.append(arena.count)
        hashes.append(h)
        table[slot] = code + 1
        if hashes.count * 2 > table.count { grow() }
        return code
    }

    /// Calls `body` with the bytes of value `code`.
    func withValue<R>(_ code: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try arena.withUnsafeBytes { a in try body(UnsafeRawBufferPointer(rebasing: a[starts[code]..<starts[code + 1]]))
        }
    }

    /// Total bytes of the distinct values.
    var arenaBytes: Int { arena.count }

    private mutating func grow() {
        let size = table.count * 2
        table = [Int32](repeating: 0, count: size)
        mask = size - 1
        for (code, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while table[slot] != 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(code + 1)
        }
    }

    /// The column. Byte strings that are not valid UTF-8 are repaired (U+FFFD), as Swift strings
    /// must be; DuckDB refuses such files, kuai reads them.
    func makeColumn(codes: [Int32], validity: [UInt8]?) -> Column {
        var values: [String] = []
        values.reserveCapacity(distinctCount)
        var repaired = false
        arena.withUnsafeBytes { a in
            for k in 0..<distinctCount {
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: a[starts[k]..<starts[k + 1]]), as: UTF8.self)
                if s.utf8.count != starts[k + 1] - starts[k] { repaired = true }
                values.append(s)
            }
        }
        if repaired {
            // Two byte strings may repair to one string: rebuild distinct codes.
            let dict = StringDictionary()
            let remap = values.map { dict.intern($0) }
            return Column(codes: codes.map { remap[Int($0)] }, dictionary: dict, validity: validity)
        }
        return Column(codes: codes, dictionary: StringDictionary(values), validity: validity)
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i + 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}
