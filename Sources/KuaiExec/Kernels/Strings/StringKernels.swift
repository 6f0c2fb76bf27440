import KuaiCore

/// The integers of one BIGINT operand of a string function (positions, lengths, indexes), with
/// the same row convention as `StringArg`: row `i` is `values[i &* step]`.
struct IntRows {
    let values: [Int64]
    let step: Int
    let validity: [UInt8]?
    let isNullConstant: Bool

    init(_ op: Operand) {
        switch op {
        case .scalar(let v):
            step = 0
            validity = nil
            switch v {
            case .int(let x):
                values = [x]
                isNullConstant = false
            case .bool(let b):
                values = [b ? 1 : 0]
                isNullConstant = false
            case .double(let d):
                values = [Int64(d)]
                isNullConstant = false
            default:
                values = [0]
                isNullConstant = true
            }
        case .column(let c):
            step = 1
            isNullConstant = false
            validity = c.type == .null ? [UInt8](repeating: 0, count: c.count) : c.validity
            values = c.type == .null ? [Int64](repeating: 0, count: c.count) : c.ints
        }
    }
}

/// An operand of a kernel as `KernelShape` sees it: how far row `i` reads into its values (0 for
/// a constant), its validity and whether it is a NULL constant.
protocol KernelArgument {
    var step: Int { get }
    var validity: [UInt8]? { get }
    var isNullConstant: Bool { get }
}

extension IntRows: KernelArgument {}
extension StringArg: KernelArgument {}

/// How many rows a kernel computes and the validity of a strict result: NULL where any
/// argument is NULL. All-constant arguments compute one row, returned as a constant.
struct KernelShape {
    let rows: Int
    let allConstant: Bool
    let validity: [UInt8]?

    /// Arguments with row steps `steps` (0: a constant) over `count` rows; `validities` are ANDed.
    init(count: Int, steps: [Int], validities: [[UInt8]?]) {
        allConstant = steps.allSatisfy { $0 == 0 }
        rows = allConstant ? 1 : count
        var v: [UInt8]? = nil
        for x in validities { v = andValidity(v, x) }
        validity = v
    }

    /// The shape of the strict arguments `args` over `count` rows, or nil when one of them is a NULL
    /// constant (the result is NULL then).
    init?(count: Int, _ args: [any KernelArgument]) {
        if args.contains(where: \.isNullConstant) { return nil }
        self.init(count: count, steps: args.map(\.step), validities: args.map(\.validity))
    }

    /// The kernel's column as the operand to return (a constant for constant arguments).
    func result(_ c: Column) -> Operand {
        allConstant ? .scalar(c.value(at: 0)) : .column(c)
    }

    /// The result of a strict VARCHAR function of `args` over `count` rows: NULL when one of them
    /// is a NULL constant, else the view `row(i, heap)` of each row i (`owners`: the inputs whose
    /// bytes the views may point into).
    @inline(__always)
    static func strings(
        count: Int, _ args: [any KernelArgument], owners: [StringOwner] = [],
        _ row: (_ i: Int, _ heap: StringHeap) -> StringView
    ) -> Operand {
        guard let shape = KernelShape(count: count, args) else { return .scalar(.null) }
        let col = FlatStrings.build(shape.rows, validity: shape.validity, extraOwners: owners) { out, heap in
            for i in 0..<shape.rows { out[i] = row(i, heap) }
        }
        return shape.result(col)
    }
}

/// The string functions' loops over bytes (DuckDB 2.0.1 semantics, checked against DuckDB in
/// Tests/KuaiExecTests/StringKernelTests.swift and the corpus file 09-strings.slt). Inputs are
/// VARCHAR operands in either form; results are flat vectors written in place (`FlatStrings`), or
/// integers and booleans. Functions over one dictionary column reach these kernels once per
/// dictionary entry (`ScalarExpr.eval`).
enum StringKernels {
    /// A strict VARCHAR -> VARCHAR function. `passThrough`: `f` may return views into its input's
    /// bytes (substrings longer than 12 bytes), so the result keeps the input's owners.
    static func unary(
        _ x: Operand, _ n: Int, passThrough: Bool = false,
        _ f: (UnsafeBufferPointer<UInt8>, StringHeap) -> StringView
    ) -> Operand {
        let s = StringArg(x)
        guard let shape = KernelShape(count: n, [s]) else { return .scalar(.null) }
        let rows = shape.rows
        let col = FlatStrings.build(rows, validity: shape.validity, extraOwners: passThrough ? s.owners : []) {
            out, heap in
            s.views.withUnsafeBufferPointer { v in
                for i in 0..<rows { out[i] = v[i].withBytes { f($0, heap) } }
            }
        }
        return shape.result(col)
    }

    /// A strict VARCHAR -> integer (or BOOLEAN, 0/1) function.
    static func toInt(_ x: Operand, _ n: Int, type: DataType, _ f: (UnsafeBufferPointer<UInt8>) -> Int64) -> Operand {
        let s = StringArg(x)
        guard let shape = KernelShape(count: n, [s]) else { return .scalar(.null) }
        let rows = shape.rows
        let vals = s.views.withUnsafeBufferPointer { v in
            [Int64](unsafeUninitializedCapacity: rows) { out, filled in
                for i in 0..<rows { out[i] = v[i].withBytes(f) }
                filled = rows
            }
        }
        return shape.result(Column(type: type, ints: vals, validity: shape.validity))
    }

    /// A strict (VARCHAR, VARCHAR) -> integer or BOOLEAN function.
    static func pairToInt(
        _ a: Operand, _ b: Operand, _ n: Int, type: DataType,
        _ f: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Int64
    ) -> Operand {
        let x = StringArg(a)
        let y = StringArg(b)
        guard let shape = KernelShape(count: n, [x, y]) else { return .scalar(.null) }
        let rows = shape.rows
        let (sx, sy) = (x.step, y.step)
        let vals = x.views.withUnsafeBufferPointer { xv in
            y.views.withUnsafeBufferPointer { yv in
                [Int64](unsafeUninitializedCapacity: rows) { out, filled in
                    for i in 0..<rows { out[i] = xv[i &* sx].withBytes { p in yv[i &* sy].withBytes { q in f(p, q) } } }
                    filled = rows
                }
            }
        }
        return shape.result(Column(type: type, ints: vals, validity: shape.validity))
    }

    /// upper() / lower(): DuckDB's one-to-one mapping per code point (`CaseMapping`); ASCII
    /// strings map byte by byte.
    static func changeCase(_ x: Operand, _ n: Int, toUpper: Bool) -> Operand {
        unary(x, n) { b, heap in
            if UTF8Bytes.isASCII(b) {
                return FlatStrings.make(heap, count: b.count) { o in
                    for k in 0..<b.count { o[k] = CaseMapping.asciiMap(b[k], toUpper: toUpper) }
                }
            }
            let len = CaseMapping.mappedLength(b, toUpper: toUpper)
            return FlatStrings.make(heap, count: len) { CaseMapping.write(b, toUpper: toUpper, $0) }
        }
    }

    /// reverse(): by grapheme cluster as DuckDB does ('e' + U+0301 stays one unit); ASCII strings
    /// byte by byte (DuckDB reverses CR LF into LF CR too). Non-ASCII rows go through Swift's
    /// grapheme breaking (`Character`), the one place a kernel makes a Swift `String`.
    static func reverse(_ x: Operand, _ n: Int) -> Operand {
        unary(x, n) { b, heap in
            if UTF8Bytes.isASCII(b) {
                return FlatStrings.make(heap, count: b.count) { o in
                    for k in 0..<b.count { o[k] = b[b.count - 1 - k] }
                }
            }
            var out: [UInt8] = []
            out.reserveCapacity(b.count)
            for ch in String(decoding: b, as: UTF8.self).reversed() {
                if ch == "\r\n" {
                    out.append(10)
                    out.append(13)
                } else {
                    out.append(contentsOf: ch.utf8)
                }
            }
            return out.withUnsafeBufferPointer { FlatStrings.copy(heap, $0.baseAddress!, count: $0.count) }
        }
    }

    /// trim / ltrim / rtrim without a character list: removes DuckDB's whitespace, the Unicode
    /// space separators (category Zs: ' ', U+00A0, U+3000, ...; not tabs or newlines).
    static func trimSpaces(_ x: Operand, _ n: Int, left: Bool, right: Bool) -> Operand {
        unary(x, n, passThrough: true) { b, _ in
            let (from, to) = trimmedRange(b, left: left, right: right) { UTF8Bytes.isSpaceSeparator($0) }
            return StringView(bytes: b.baseAddress! + from, count: to - from)
        }
    }

    /// trim / ltrim / rtrim with a character list: removes the code points of `chars` from the ends.
    static func trimChars(_ x: Operand, _ chars: Operand, _ n: Int, left: Bool, right: Bool) -> Operand {
        let s = StringArg(x)
        let c = StringArg(chars)
        var set: [UInt32] = []
        return KernelShape.strings(count: n, [s, c], owners: s.owners) { i, _ in
            if i == 0 || c.step != 0 { set = c.views[i &* c.step].withBytes { codePoints($0) } }
            // The closure only measures; the view is cut outside it (see `StringView.slice`).
            let v = s.views[i &* s.step]
            let (from, to) = v.withBytes { b in
                trimmedRange(b, left: left, right: right) { set.contains($0) }
            }
            return v.slice(from, to)
        }
    }

    /// The code points of `b`.
    static func codePoints(_ b: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        var out: [UInt32] = []
        var i = 0
        while i < b.count {
            let len = UTF8Bytes.sequenceLength(b, i)
            out.append(UTF8Bytes.decode(b, i, len))
            i += len
        }
        return out
    }

    /// Byte range of `b` left after removing code points that satisfy `drop` from the chosen ends.
    @inline(__always)
    static func trimmedRange(
        _ b: UnsafeBufferPointer<UInt8>, left: Bool, right: Bool, _ drop: (UInt32) -> Bool
    ) -> (Int, Int) {
        var from = 0
        var to = b.count
        if left {
            while from < to {
                let len = UTF8Bytes.sequenceLength(b, from)
                if !drop(UTF8Bytes.decode(b, from, len)) { break }
                from += len
            }
        }
        if right {
            while to > from {
                var k = to - 1
                while k > from && to - k < 4 && b[k] & 0xC0 == 0x80 { k -= 1 }
                var len = UTF8Bytes.sequenceLength(b, k)
                if k + len != to {
                    k = to - 1
                    len = 1
                }
                if !drop(UTF8Bytes.decode(b, k, len)) { break }
                to = k
            }
        }
        return (from, to)
    }
}
