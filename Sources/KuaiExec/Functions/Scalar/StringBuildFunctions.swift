import KuaiCore

// lpad, rpad, repeat, concat_ws, md5, chr (and its inverse ascii): functions that build a new string
// per row (DuckDB 2.0.1 semantics). Results are flat vectors written through one reused byte buffer per batch.

extension FunctionRegistry {
    static let stringBuildFunctions: [ScalarFunction] = [
        ScalarFunction("lpad", [.varchar, .integer, .varchar], .varchar) { a, _, n, _ in
            try StringBuildKernels.pad(a, n, left: true)
        },
        ScalarFunction("rpad", [.varchar, .integer, .varchar], .varchar) { a, _, n, _ in
            try StringBuildKernels.pad(a, n, left: false)
        },
        ScalarFunction("repeat", [.varchar, .bigint], .varchar) { a, _, n, _ in
            try StringBuildKernels.repeatString(a, n)
        },
        /// concat_ws(sep, x, ...): the non-NULL arguments joined by `sep`; NULL when `sep` is NULL.
        /// The binder casts every argument to VARCHAR (a special form, as concat).
        ScalarFunction("concat_ws", [.varchar, .varchar], .varchar, variadic: true) { a, _, n, _ in
            StringBuildKernels.concatWithSeparator(a, n)
        },
        /// chr(code): the one-character string of Unicode code point `code` (INTEGER only, as DuckDB).
        ScalarFunction("chr", [.integer], .varchar) { a, _, n, _ in try StringBuildKernels.chr(a[0], n) },
        /// ascii(s): the code point of the first character of `s` as an INTEGER; 0 for ''.
        ScalarFunction("ascii", [.varchar], .integer) { a, _, n, _ in
            StringKernels.toInt(a[0], n, type: .integer) { StringBuildKernels.firstCodePoint($0) }
        },
        ScalarFunction("md5", [.varchar], .varchar) { a, _, n, _ in
            StringKernels.unary(a[0], n) { b, heap in
                var digest = MD5.digest(b)
                return FlatStrings.make(heap, count: 32) { o in
                    let hex = StringBuildKernels.hexDigits
                    withUnsafeBytes(of: &digest) { d in
                        for k in 0..<16 {
                            o[2 * k] = hex[Int(d[k] >> 4)]
                            o[2 * k + 1] = hex[Int(d[k] & 15)]
                        }
                    }
                }
            }
        },
    ]
}

/// The per-row loops of the string-building functions.
enum StringBuildKernels {
    /// True when row `i` of a strict result is NULL.
    @inline(__always)
    static func isNull(_ shape: KernelShape, _ i: Int) -> Bool { shape.validity.map { $0[i] == 0 } ?? false }

    /// lpad / rpad(s, count, pad): `s` cut or padded with repetitions of `pad` to `count` code
    /// points (a negative count gives ''). DuckDB's PadCountChars + InsertPadding.
    /// - Throws: "Insufficient padding in LPAD." (RPAD) when padding is needed and `pad` is empty.
    static func pad(_ a: [Operand], _ n: Int, left: Bool) throws -> Operand {
        let s = StringArg(a[0])
        let w = IntRows(a[1])
        let p = StringArg(a[2])
        guard let shape = KernelShape(count: n, [s, w, p]) else { return .scalar(.null) }
        var buf: [UInt8] = []
        let col = try FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            for i in 0..<shape.rows where !isNull(shape, i) {
                let len = Int(clamping: max(0, w.values[i &* w.step]))
                buf.removeAll(keepingCapacity: true)
                try s.views[i &* s.step].withBytes { str in
                    try p.views[i &* p.step].withBytes { padding in
                        var bytes = 0
                        var chars = 0
                        while bytes < str.count && chars < len {
                            bytes += UTF8Bytes.sequenceLength(str, bytes)
                            chars += 1
                        }
                        if !left { buf.append(contentsOf: UnsafeBufferPointer(rebasing: str[0..<bytes])) }
                        guard len - chars == 0 || padding.count > 0 else {
                            throw KuaiError(.execution, "Insufficient padding in \(left ? "LPAD" : "RPAD").")
                        }
                        appendPadding(len - chars, padding, into: &buf)
                        if left { buf.append(contentsOf: UnsafeBufferPointer(rebasing: str[0..<bytes])) }
                    }
                }
                views[i] = buf.withUnsafeBufferPointer {
                    FlatStrings.copy(heap, $0.baseAddress ?? RegexProgram.emptyBytes, count: $0.count)
                }
            }
        }
        return shape.result(col)
    }

    /// Appends `chars` code points of `pad` repeated (`pad` non-empty when `chars` > 0).
    static func appendPadding(_ chars: Int, _ pad: UnsafeBufferPointer<UInt8>, into buf: inout [UInt8]) {
        var at = 0
        for _ in 0..<chars {
            if at >= pad.count { at = 0 }
            let len = UTF8Bytes.sequenceLength(pad, at)
            if len == 1 {
                buf.append(pad[at])
            } else {
                buf.append(contentsOf: UnsafeBufferPointer(rebasing: pad[at..<min(pad.count, at + len)]))
            }
            at += len
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// chr(code): `code` as one UTF-8 encoded character; 0 gives the one-byte string "\0", as DuckDB.
    /// - Throws: DuckDB's "Invalid UTF8 Codepoint n" for a negative code, a surrogate (U+D800 to
    ///   U+DFFF) or one beyond U+10FFFF.
    static func chr(_ a: Operand, _ n: Int) throws -> Operand {
        let c = IntRows(a)
        guard let shape = KernelShape(count: n, [c]) else { return .scalar(.null) }
        let col = try FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            for i in 0..<shape.rows where !isNull(shape, i) {
                let code = c.values[i &* c.step]
                guard let u = UInt32(exactly: code), let scalar = Unicode.Scalar(u) else {
                    throw KuaiError(.execution, "Invalid UTF8 Codepoint \(code)")
                }
                var utf8: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
                let count = withUnsafeMutableBytes(of: &utf8) { b in
                    var k = 0
                    UTF8.encode(scalar) { unit in
                        b[k] = unit
                        k += 1
                    }
                    return k
                }
                views[i] = withUnsafeBytes(of: &utf8) { b in
                    FlatStrings.copy(heap, b.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
                }
            }
        }
        return shape.result(col)
    }

    /// The code point of the first UTF-8 sequence of `b` (0 for no bytes; the byte itself when it
    /// does not start a complete sequence).
    static func firstCodePoint(_ b: UnsafeBufferPointer<UInt8>) -> Int64 {
        guard let lead = b.first else { return 0 }
        let len = min(UTF8Bytes.sequenceLength(b, 0), b.count)
        if len <= 1 { return Int64(lead) }
        var cp = UInt32(lead) & (0x7F >> UInt32(len))
        for k in 1..<len { cp = cp << 6 | UInt32(b[k] & 0x3F) }
        return Int64(cp)
    }

    /// repeat(s, count): `s` written `count` times ('' for count <= 0).
    /// - Throws: `KuaiError.execution` when a result would exceed 4 GiB.
    static func repeatString(_ a: [Operand], _ n: Int) throws -> Operand {
        let s = StringArg(a[0])
        let c = IntRows(a[1])
        guard let shape = KernelShape(count: n, [s, c]) else { return .scalar(.null) }
        let col = try FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            for i in 0..<shape.rows where !isNull(shape, i) {
                let times = Int(clamping: max(0, c.values[i &* c.step]))
                views[i] = try s.views[i &* s.step].withBytes { b in
                    let total = b.count.multipliedReportingOverflow(by: times)
                    guard !total.overflow, total.partialValue <= 1 << 32 else {
                        throw KuaiError(.execution, "repeat: the result would be larger than 4 GiB")
                    }
                    return FlatStrings.make(heap, count: b.count * times) { o in
                        for k in 0..<times { (o + k * b.count).update(from: b.baseAddress!, count: b.count) }
                    }
                }
            }
        }
        return shape.result(col)
    }

    /// concat_ws(sep, x1, ...): the non-NULL `x` joined by `sep`; NULL rows only where `sep` is NULL.
    static func concatWithSeparator(_ a: [Operand], _ n: Int) -> Operand {
        let sep = StringArg(a[0])
        if sep.isNullConstant { return .scalar(.null) }
        let parts = a.dropFirst().map(StringArg.init).filter { !$0.isNullConstant }
        let shape = KernelShape(
            count: n, steps: [sep.step] + parts.map(\.step), validities: [sep.validity])
        // Per row the parts are read through pointers (no part copied, no array retained) and the
        // text assembled in one reused byte buffer.
        let m = parts.count
        let steps = parts.map(\.step)
        let validities = parts.map { $0.validity ?? [] }
        // (the arrays stay alive in `validities` until the build below is done)
        let valid = validities.map { v in v.isEmpty ? nil : v.withUnsafeBufferPointer { $0.baseAddress } }
        var buf = ByteBuffer(capacity: 256)
        defer { buf.free() }
        let col = FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
            StringKernels.withViewPointers([sep] + parts) { pointers in
                let sepViews = pointers[0]
                for i in 0..<shape.rows where !isNull(shape, i) {
                    buf.count = 0
                    var first = true
                    for k in 0..<m {
                        let r = i &* steps[k]
                        if let v = valid[k], v[r] == 0 { continue }
                        if !first {
                            sepViews[i &* sep.step].withBytes {
                                buf.append($0.baseAddress ?? RegexProgram.emptyBytes, $0.count)
                            }
                        }
                        first = false
                        pointers[k + 1][r].withBytes { buf.append($0.baseAddress ?? RegexProgram.emptyBytes, $0.count) }
                    }
                    views[i] = FlatStrings.copy(heap, UnsafePointer(buf.base), count: buf.count)
                }
            }
        }
        withExtendedLifetime(validities) {}
        return shape.result(col)
    }
}
