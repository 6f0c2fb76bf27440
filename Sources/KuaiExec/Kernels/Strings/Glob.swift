// GLOB pattern matching (`s GLOB p`, DuckDB's `~~~`): `*` any bytes, `?` one (UTF-8) character, `[abc]`, `[a-z]` and `[!a]`
// byte classes, `\` makes the next pattern byte literal; case-sensitive. A port of DuckDB 2.0.1's Glob().

extension StringKernels {
    /// `s GLOB p` over two VARCHAR operands (BOOLEAN; NULL where either is NULL).
    static func glob(_ a: [Operand], _ n: Int) -> Operand {
        pairToInt(a[0], a[1], n, type: .boolean) { s, p in globMatch(s, p) ? 1 : 0 }
    }

    /// True when all of `s` matches all of `p`.
    static func globMatch(_ s: UnsafeBufferPointer<UInt8>, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        globMatch(s, 0, p, 0)
    }

    static func globMatch(_ s: UnsafeBufferPointer<UInt8>, _ s0: Int, _ p: UnsafeBufferPointer<UInt8>, _ p0: Int)
        -> Bool
    {
        var si = s0
        var pi = p0
        while pi < p.count && si < s.count {
            let c = s[si]
            switch p[pi] {
            case UInt8(ascii: "*"):
                while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
                if pi == p.count { return true }
                for start in si..<s.count where globMatch(s, start, p, pi) { return true }
                return false
            case UInt8(ascii: "?"):
                // One character: also its UTF-8 continuation bytes.
                while si + 1 < s.count && s[si + 1] & 0xC0 == 0x80 { si += 1 }
            case UInt8(ascii: "["):
                guard let next = globBracket(c, p, pi + 1) else { return false }
                pi = next
            case UInt8(ascii: "\\"):
                pi += 1
                if pi == p.count || p[pi] != c { return false }
            default:
                if p[pi] != c { return false }
            }
            pi += 1
            si += 1
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count && si == s.count
    }

    /// Matches byte `c` against the class starting at `p[start]` (after `[`): the index of its closing `]`, or
    /// nil when `c` is not in the class or the class is not closed.
    static func globBracket(_ c: UInt8, _ p: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        var pi = start
        if pi == p.count { return nil }
        let invert = p[pi] == UInt8(ascii: "!")
        if invert { pi += 1 }
        let first = pi
        var found = invert
        while pi < p.count {
            let b = p[pi]
            if b == UInt8(ascii: "]") && pi > first {
                return found ? pi : nil
            }
            if pi + 1 == p.count { return nil }
            let matches: Bool
            if p[pi + 1] == UInt8(ascii: "-") {
                if pi + 2 == p.count { return nil }
                matches = c >= b && c <= p[pi + 2]
                pi += 3
            } else {
                matches = b == c
                pi += 1
            }
            if found == invert && matches { found = !invert }
        }
        return nil
    }
}
