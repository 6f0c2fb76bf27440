import KuaiCore

// substring, left, right, split_part, replace, strpos, contains, starts_with and concatenation:
// the kernels that cut, search and join strings. Positions count code points, as DuckDB's do.

extension StringKernels {
    /// A strict function of one VARCHAR and up to two BIGINT arguments returning a substring view
    /// of its input (`f` gets the bytes and the integers of the row).
    static func sliceWithInts(
        _ x: Operand, _ ints: [Operand], _ n: Int,
        _ f: (UnsafeBufferPointer<UInt8>, Int64, Int64) -> (from: Int, to: Int)
    ) -> Operand {
        let s = StringArg(x)
        let k = ints.map(IntRows.init)
        if s.isNullConstant || k.contains(where: \.isNullConstant) { return .scalar(.null) }
        let shape = KernelShape(
            count: n, steps: [s.step] + k.map(\.step), validities: [s.validity] + k.map(\.validity))
        let rows = shape.rows
        let a = k.first ?? IntRows(.scalar(.int(0)))
        let b = k.count > 1 ? k[1] : IntRows(.scalar(.int(0)))
        let col = FlatStrings.build(rows, validity: shape.validity, extraOwners: s.owners) { out, _ in
            s.views.withUnsafeBufferPointer { v in
                for i in 0..<rows {
                    out[i] = v[i &* s.step].withBytes { bytes in
                        let r = f(bytes, a.values[i &* a.step], b.values[i &* b.step])
                        return StringView(bytes: bytes.baseAddress! + r.from, count: r.to - r.from)
                    }
                }
            }
        }
        return shape.result(col)
    }

    /// DuckDB's substring over code points: 1-based `start` (0 counts as the position before
    /// the first; negative from the end); `length` nil takes the rest, negative takes characters
    /// before `start`. Returns the byte range of `b`.
    @inline(__always)
    static func substringRange(_ b: UnsafeBufferPointer<UInt8>, _ start0: Int64, _ length0: Int64?) -> (Int, Int) {
        // Clamped so that no arithmetic below can overflow (positions beyond the string are empty).
        let start = Swift.max(Swift.min(start0, 1 << 40), -(1 << 40))
        let length = length0.map { Swift.max(Swift.min($0, 1 << 40), -(1 << 40)) }
        let ascii = UTF8Bytes.isASCII(b)
        let len = Int64(ascii ? b.count : UTF8Bytes.codePointCount(b))
        var begin: Int64
        var end: Int64
        if start > 0 { begin = start - 1 } else if start == 0 { begin = -1 } else { begin = len + start }
        if let length {
            if length >= 0 {
                end = begin + length
            } else {
                end = begin
                begin = begin + length
            }
        } else {
            end = len
        }
        begin = Swift.max(0, Swift.min(begin, len))
        end = Swift.max(0, Swift.min(end, len))
        if end <= begin { return (0, 0) }
        if ascii { return (Int(begin), Int(end)) }
        let from = UTF8Bytes.offsetOfCodePoint(b, Int(begin))
        let rest = UnsafeBufferPointer(rebasing: b[from...])
        return (from, from + UTF8Bytes.offsetOfCodePoint(rest, Int(end - begin)))
    }

    /// substring(s, start[, length]).
    static func substring(_ a: [Operand], _ n: Int) -> Operand {
        let hasLength = a.count > 2
        return sliceWithInts(a[0], Array(a[1...]), n) { b, start, length in
            substringRange(b, start, hasLength ? length : nil)
        }
    }

    /// left(s, k): the first k characters; negative k drops the last -k.
    static func left(_ a: [Operand], _ n: Int) -> Operand {
        sliceWithInts(a[0], [a[1]], n) { b, k0, _ in
            let k = Swift.max(Swift.min(k0, 1 << 40), -(1 << 40))
            if k >= 0 { return substringRange(b, 1, k) }
            let len = Int64(UTF8Bytes.codePointCount(b))
            return substringRange(b, 1, Swift.max(0, len + k))
        }
    }

    /// right(s, k): the last k characters; negative k drops the first -k.
    static func right(_ a: [Operand], _ n: Int) -> Operand {
        sliceWithInts(a[0], [a[1]], n) { b, k0, _ in
            let k = Swift.max(Swift.min(k0, 1 << 40), -(1 << 40))
            let len = Int64(UTF8Bytes.codePointCount(b))
            return k >= 0 ? substringRange(b, Swift.max(1, len - k + 1), k) : substringRange(b, -k + 1, nil)
        }
    }

    /// Byte offset of the first occurrence of `p` in `s` at or after `from`, or nil.
    @inline(__always)
    static func find(_ s: UnsafeBufferPointer<UInt8>, _ p: UnsafeBufferPointer<UInt8>, from: Int = 0) -> Int? {
        let m = p.count
        if m == 0 { return from <= s.count ? from : nil }
        if m > s.count { return nil }
        let first = p[0]
        var i = from
        let last = s.count - m
        while i <= last {
            if s[i] == first {
                var k = 1
                while k < m && s[i + k] == p[k] { k += 1 }
                if k == m { return i }
            }
            i += 1
        }
        return nil
    }

    /// split_part(s, separator, index): the index-th part (1-based; negative from the end; 0 or
    /// beyond the parts: ''); an empty separator splits into characters (DuckDB).
    static func splitPart(_ a: [Operand], _ n: Int) -> Operand {
        let s = StringArg(a[0])
        let sep = StringArg(a[1])
        let idx = IntRows(a[2])
        return KernelShape.strings(count: n, [s, sep, idx], owners: s.owners) { i, _ in
            let v = s.views[i &* s.step]
            let r = v.withBytes { b in
                sep.views[i &* sep.step].withBytes { p in partRange(b, p, idx.values[i &* idx.step]) }
            }
            return v.slice(r.0, r.1)
        }
    }

    /// Byte range of part `index` of `b` split at `p` (see `splitPart`); (0, 0) when there is no
    /// such part. One pass from the start for a positive index, a counting pass first for a
    /// negative one; no allocation.
    static func partRange(_ b: UnsafeBufferPointer<UInt8>, _ p: UnsafeBufferPointer<UInt8>, _ index: Int64) -> (
        Int, Int
    ) {
        if index == 0 || (p.count == 0 && b.count == 0) { return (0, 0) }
        // (index - 1 only for a positive index: Int64.min - 1 would overflow)
        var k = index > 0 ? index - 1 : 0
        if index < 0 {
            var count: Int64 = 0
            forEachPart(b, p) { _, _ in
                count += 1
                return true
            }
            k = count + index
            if k < 0 { return (0, 0) }
        }
        var found = (0, 0)
        var j: Int64 = 0
        forEachPart(b, p) { start, end in
            if j == k {
                found = (start, end)
                return false
            }
            j += 1
            return true
        }
        return found
    }

    /// Calls `body(start, end)` for each part of `b` split at `p` (characters when `p` is empty),
    /// in order, until it returns false.
    @inline(__always)
    private static func forEachPart(
        _ b: UnsafeBufferPointer<UInt8>, _ p: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Bool
    ) {
        if p.count == 0 {
            var i = 0
            while i < b.count {
                let e = i + UTF8Bytes.sequenceLength(b, i)
                if !body(i, e) { return }
                i = e
            }
            return
        }
        var start = 0
        while true {
            guard let at = find(b, p, from: start) else {
                _ = body(start, b.count)
                return
            }
            if !body(start, at) { return }
            start = at + p.count
        }
    }

    /// replace(s, from, to): every non-overlapping occurrence of `from`, left to right; an empty
    /// `from` leaves `s` as it is.
    static func replace(_ a: [Operand], _ n: Int) -> Operand {
        let s = StringArg(a[0])
        let f = StringArg(a[1])
        let t = StringArg(a[2])
        return KernelShape.strings(count: n, [s, f, t]) { i, heap in
            s.views[i &* s.step].withBytes { b in
                f.views[i &* f.step].withBytes { p in
                    t.views[i &* t.step].withBytes { r in replaced(b, p, r, heap) }
                }
            }
        }
    }

    static func replaced(
        _ b: UnsafeBufferPointer<UInt8>, _ p: UnsafeBufferPointer<UInt8>, _ r: UnsafeBufferPointer<UInt8>,
        _ heap: StringHeap
    ) -> StringView {
        if p.count == 0 { return FlatStrings.copy(heap, b.baseAddress!, count: b.count) }
        var hits = 0
        var from = 0
        while let at = find(b, p, from: from) {
            hits += 1
            from = at + p.count
        }
        if hits == 0 { return FlatStrings.copy(heap, b.baseAddress!, count: b.count) }
        let total = b.count + hits * (r.count - p.count)
        return FlatStrings.make(heap, count: total) { o in
            var src = 0
            var dst = 0
            while let at = find(b, p, from: src) {
                (o + dst).update(from: b.baseAddress! + src, count: at - src)
                dst += at - src
                if r.count > 0 { (o + dst).update(from: r.baseAddress!, count: r.count) }
                dst += r.count
                src = at + p.count
            }
            (o + dst).update(from: b.baseAddress! + src, count: b.count - src)
        }
    }

    /// strpos(s, p): 1-based code point position of the first occurrence (0: none; 1 for '').
    static func strpos(_ a: [Operand], _ n: Int) -> Operand {
        pairToInt(a[0], a[1], n, type: .bigint) { s, p in
            guard let at = find(s, p) else { return 0 }
            return Int64(UTF8Bytes.codePointCount(UnsafeBufferPointer(rebasing: s[0..<at])) + 1)
        }
    }

    /// contains(s, p).
    static func contains(_ a: [Operand], _ n: Int) -> Operand {
        pairToInt(a[0], a[1], n, type: .boolean) { s, p in find(s, p) == nil ? 0 : 1 }
    }

    /// starts_with(s, p).
    static func startsWith(_ a: [Operand], _ n: Int) -> Operand {
        pairToInt(a[0], a[1], n, type: .boolean) { s, p in
            if p.count > s.count { return 0 }
            for k in 0..<p.count where s[k] != p[k] { return 0 }
            return 1
        }
    }

    /// ends_with(s, suffix) and its alias suffix: whether the bytes of `s` end with those of
    /// `suffix` (DuckDB compares bytes; the empty suffix ends every string).
    static func endsWith(_ a: [Operand], _ n: Int) -> Operand {
        pairToInt(a[0], a[1], n, type: .boolean) { s, p in
            if p.count > s.count { return 0 }
            let offset = s.count - p.count
            for k in 0..<p.count where s[offset + k] != p[k] { return 0 }
            return 1
        }
    }

    /// Concatenation of VARCHAR operands, row by row. `strict` (`||`): NULL when any part is
    /// NULL; otherwise (concat) NULL parts are skipped and the result is never NULL. (A NULL
    /// row of a `StringArg` reads as the empty string, so both add up the parts the same way.)
    static func concat(_ a: [Operand], _ n: Int, strict: Bool) -> Operand {
        let parts = a.map(StringArg.init)
        if strict && parts.contains(where: \.isNullConstant) { return .scalar(.null) }
        let live = parts.filter { !$0.isNullConstant }
        let shape = KernelShape(
            count: n, steps: parts.map(\.step), validities: strict ? parts.map(\.validity) : [])
        let rows = shape.rows
        let steps = live.map(\.step)
        let m = live.count
        let col = FlatStrings.build(rows, validity: shape.validity) { out, heap in
            withViewPointers(live) { pointers in
                pointers.withUnsafeBufferPointer { v in
                    steps.withUnsafeBufferPointer { st in
                        for i in 0..<rows {
                            var total = 0
                            for k in 0..<m { total += Int(v[k][i &* st[k]].length) }
                            out[i] = FlatStrings.make(heap, count: total) { o in
                                var at = 0
                                for k in 0..<m {
                                    v[k][i &* st[k]].withBytes { b in
                                        if b.count > 0 { (o + at).update(from: b.baseAddress!, count: b.count) }
                                        at += b.count
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return shape.result(col)
    }

    /// Calls `body` with a pointer to each argument's views.
    static func withViewPointers<R>(_ args: [StringArg], _ body: ([UnsafePointer<StringView>]) -> R) -> R {
        var pointers: [UnsafePointer<StringView>] = []
        func next(_ k: Int) -> R {
            if k == args.count { return body(pointers) }
            return args[k].views.withUnsafeBufferPointer { p in
                pointers.append(p.baseAddress!)
                return next(k + 1)
            }
        }
        return next(0)
    }
}
