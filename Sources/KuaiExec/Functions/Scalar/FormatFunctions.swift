import CNumberFormat
import KuaiCore

/// The rows of one argument of `format()` / `printf()`, read as its `FormatArgumentKind`:
/// integers and booleans as `IntRows`, floats as `DoubleRows`, the rest as VARCHAR views.
struct FormatArgumentRows: KernelArgument {
    let kind: FormatArgumentKind
    let ints: IntRows?
    let doubles: DoubleRows?
    let texts: StringArg?
    let step: Int
    let validity: [UInt8]?
    let isNullConstant: Bool

    init(_ op: Operand, _ kind: FormatArgumentKind) {
        self.kind = kind
        let arg: any KernelArgument
        switch kind {
        case .integer, .boolean:
            let r = IntRows(op)
            (ints, doubles, texts, arg) = (r, nil, nil, r)
        case .float:
            let r = DoubleRows(op)
            (ints, doubles, texts, arg) = (nil, r, nil, r)
        case .bigText, .text:
            let r = StringArg(op)
            (ints, doubles, texts, arg) = (nil, nil, r, r)
        }
        step = arg.step
        validity = arg.validity
        isNullConstant = arg.isNullConstant
    }
}

/// DuckDB's `format(fmt, args...)` and `printf(fmt, args...)`: each row's text written straight into a
/// flat VARCHAR column. A constant format string is parsed once (when the call is bound); another is
/// parsed per row, reusing the last parse while the text repeats. NULL when the format or any argument
/// is NULL (DuckDB semantics); a malformed format or a field that does not fit its argument is an
/// execution error on the first row formatted, as DuckDB raises it.
public enum FormatKernels {
    /// The function of one bound call: `argumentKinds` are the kinds of the arguments after the format
    /// (already cast by the binder: integers to BIGINT, DECIMAL to DOUBLE, other types to VARCHAR, as
    /// `FormatArgumentKind` says) and `argumentTypes` their types; `constant` is the parse of a constant
    /// format string (its error included).
    public static func function(
        printf: Bool, argumentTypes: [DataType], argumentKinds: [FormatArgumentKind],
        constant: Result<FormatProgram, KuaiError>?
    ) -> ScalarFunction {
        let checkedConstant = constant.map { r in
            r.flatMap { p -> Result<FormatProgram, KuaiError> in
                do {
                    try p.check(argumentKinds)
                    return .success(p)
                } catch {
                    return .failure(error as? KuaiError ?? KuaiError(.execution, "\(error)"))
                }
            }
        }
        return ScalarFunction(printf ? "printf" : "format", [.varchar] + argumentTypes, .varchar) { a, _, n, _ in
            try run(a, n, printf: printf, kinds: argumentKinds, constant: checkedConstant)
        }
    }

    static func run(
        _ a: [Operand], _ n: Int, printf: Bool, kinds: [FormatArgumentKind],
        constant: Result<FormatProgram, KuaiError>?
    ) throws -> Operand {
        let fmt = StringArg(a[0])
        let args = zip(a.dropFirst(), kinds).map { FormatArgumentRows($0, $1) }
        if fmt.isNullConstant || args.contains(where: \.isNullConstant) { return .scalar(.null) }
        let shape = KernelShape(
            count: n, steps: [fmt.step] + args.map(\.step), validities: [fmt.validity] + args.map(\.validity))
        let raw = args.map(RawFormatArgument.init)
        defer { for r in raw { r.deallocate() } }
        let writer = FormatWriter()
        var lastParse: (text: [UInt8], program: FormatProgram)? = nil
        // A constant format's error is raised only when a row is formatted (none for NULL rows).
        let constantProgram = try constant.map { c -> FormatProgram? in
            (0..<shape.rows).contains { !StringBuildKernels.isNull(shape, $0) } ? try c.get() : nil
        }
        // `args` owns the bytes of the long strings whose views `raw` copied: kept alive to the end.
        let col = try withExtendedLifetime(args) {
            try FlatStrings.build(shape.rows, validity: shape.validity) { views, heap in
                try raw.withUnsafeBufferPointer { rawArgs in
                    if let c = constantProgram, let fixed = c {
                        // one program for every row: its buffers taken once, not per row
                        try fixed.fields.withUnsafeBufferPointer { fields in
                            try fixed.literals.withUnsafeBufferPointer { literals in
                                try (shape.validity ?? []).withUnsafeBufferPointer { valid in
                                    let all = valid.isEmpty
                                    writer.printfStyle = fixed.printfStyle
                                    for i in 0..<shape.rows where all || valid[i] != 0 {
                                        writer.out.removeAll()
                                        try writer.write(fields, literals, tail: fixed.tail, rawArgs, row: i)
                                        views[i] = FlatStrings.copy(heap, writer.out.base, count: writer.out.count)
                                    }
                                }
                            }
                        }
                        return
                    }
                    for i in 0..<shape.rows where !StringBuildKernels.isNull(shape, i) {
                        // a format per row: parsed again only when its text changes
                        let program: FormatProgram
                        let text = fmt.views[i &* fmt.step].withBytes { Array($0) }
                        if let last = lastParse, last.text == text {
                            program = last.program
                        } else {
                            program = try text.withUnsafeBufferPointer { try FormatProgram.parse($0, printf: printf) }
                            try program.check(kinds)
                            lastParse = (text, program)
                        }
                        writer.out.removeAll()
                        try writer.write(program, rawArgs, row: i)
                        views[i] = FlatStrings.copy(heap, writer.out.base, count: writer.out.count)
                    }
                }
            }
        }
        return shape.result(col)
    }
}

/// One argument's rows copied into plain buffers for the row loop, so that reading a row takes no
/// reference counting (the arrays of `FormatArgumentRows` are copied once per batch).
struct RawFormatArgument {
    let kind: FormatArgumentKind
    let step: Int
    let ints: UnsafeMutableBufferPointer<Int64>?
    let doubles: UnsafeMutableBufferPointer<Double>?
    let views: UnsafeMutableBufferPointer<StringView>?

    init(_ r: FormatArgumentRows) {
        kind = r.kind
        step = r.step
        ints = r.ints.map { RawFormatArgument.copy($0.values) }
        doubles = r.doubles.map { RawFormatArgument.copy($0.values) }
        views = r.texts.map { RawFormatArgument.copy($0.views) }
    }

    static func copy<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
        let p = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
        _ = p.initialize(from: values)
        return p
    }

    func deallocate() {
        ints?.deallocate()
        doubles?.deallocate()
        if let views {
            views.deinitialize()
            views.deallocate()
        }
    }
}

/// Up to two bytes written between a number's sign and its digits (`0x`, `0b`, `0`).
struct NumberPrefix {
    var bytes: (UInt8, UInt8) = (0, 0)
    var count = 0
}

/// Writes one row's text into `out`, field by field (reusable buffers, no String per row).
final class FormatWriter {
    var out = ByteBuffer()
    /// A number's digits (with its sign in `sign`).
    var body = ByteBuffer()
    var cText = ByteBuffer(capacity: 512)
    /// True while writing a printf format (strings right-aligned by default).
    var printfStyle = false
    static let lowerDigits: StaticString = "0123456789abcdef"
    static let upperDigits: StaticString = "0123456789ABCDEF"

    deinit {
        out.free()
        body.free()
        cText.free()
    }

    func write(_ p: FormatProgram, _ args: UnsafeBufferPointer<RawFormatArgument>, row i: Int) throws {
        printfStyle = p.printfStyle
        try p.fields.withUnsafeBufferPointer { fields in
            try p.literals.withUnsafeBufferPointer { literals in
                try write(fields, literals, tail: p.tail, args, row: i)
            }
        }
    }

    /// Row `i` of a program given as its fields and literal bytes (`printfStyle` set by the caller).
    func write(
        _ fields: UnsafeBufferPointer<FormatField>, _ literals: UnsafeBufferPointer<UInt8>, tail: Range<Int>,
        _ args: UnsafeBufferPointer<RawFormatArgument>, row i: Int
    ) throws {
        for k in 0..<fields.count {
            var f = fields[k]
            out.write(UnsafeBufferPointer(rebasing: literals[f.literal]))
            if let w = f.widthArgument, let r = args[w].ints {
                let v = r[i &* args[w].step]
                if v < 0 { f.align = UInt8(ascii: "<") }
                f.width = Int(min(v.magnitude, 1 << 20))
            }
            try field(f, args[f.argument], row: i &* args[f.argument].step)
        }
        out.write(UnsafeBufferPointer(rebasing: literals[tail]))
    }

    /// One field of row `row` (already multiplied by the argument's step).
    private func field(_ f: FormatField, _ a: RawFormatArgument, row: Int) throws {
        switch FormatProgram.effectiveKind(f, a.kind) {
        case .integer: try integer(f, a.ints![row], printf: printfStyle)
        case .bigText:
            body.removeAll()
            a.views![row].withBytes { body.write($0) }
            var sign = f.sign
            if body.first == UInt8(ascii: "-") {
                sign = UInt8(ascii: "-")
                body.removeFirst()
            }
            try number(f, sign: sign, prefix: NumberPrefix())
        case .float: try float(f, a.doubles![row], printf: printfStyle)
        case .boolean:
            let t: StaticString = a.ints![row] != 0 ? "true" : "false"
            text(f, UnsafeBufferPointer(start: t.utf8Start, count: t.utf8CodeUnitCount))
        case .text:
            a.views![row].withBytes { text(f, $0) }
        }
    }

    /// An integer in the field's radix; printf's `x X o u` write a negative value's 64 bits.
    func integer(_ f: FormatField, _ v: Int64, printf: Bool) throws {
        if f.character {
            guard v >= 0, v < 0x80 else { throw FormatProgram.error("kuai formats %c of the codes 0 to 127 only") }
            var byte = UInt8(v)
            withUnsafePointer(to: &byte) { text(f, UnsafeBufferPointer(start: $0, count: 1)) }
            return
        }
        var sign = f.sign
        var magnitude = v.magnitude
        if v < 0 {
            if f.unsignedConversion {
                magnitude = UInt64(bitPattern: v)
            } else {
                sign = UInt8(ascii: "-")
            }
        }
        let c = f.conversion
        let radix: UInt64
        var prefix = NumberPrefix()
        switch c {
        case UInt8(ascii: "x"), UInt8(ascii: "X"):
            radix = 16
            if f.alternate && !(printf && magnitude == 0) {
                prefix = NumberPrefix(bytes: (UInt8(ascii: "0"), c), count: 2)
            }
        case UInt8(ascii: "b"), UInt8(ascii: "B"):
            radix = 2
            if f.alternate { prefix = NumberPrefix(bytes: (UInt8(ascii: "0"), c), count: 2) }
        case UInt8(ascii: "o"):
            radix = 8
            if f.alternate && magnitude != 0 { prefix = NumberPrefix(bytes: (UInt8(ascii: "0"), 0), count: 1) }
        default: radix = 10
        }
        if f.grouping != 0 && radix != 10 {
            throw FormatProgram.error("kuai formats a thousands separator on decimal numbers only")
        }
        let digits = (c == UInt8(ascii: "X") ? FormatWriter.upperDigits : FormatWriter.lowerDigits).utf8Start
        body.removeAll()
        if radix == 10 {
            repeat {
                body.write(digits[Int(magnitude % 10)])
                magnitude /= 10
            } while magnitude > 0
        } else {
            repeat {
                body.write(digits[Int(magnitude % radix)])
                magnitude /= radix
            } while magnitude > 0
        }
        body.reverse()
        try number(f, sign: sign, prefix: prefix)
    }

    /// A DOUBLE: fmt's shortest text for `{}`, else C's conversion with the field's precision.
    func float(_ f: FormatField, _ d: Double, printf: Bool) throws {
        body.removeAll()
        if f.conversion == 0 && f.precision < 0 {
            var buf: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &buf) { raw in
                let p = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                let n = TextBytes.double(d, p)
                body.write(UnsafeBufferPointer(start: p, count: n))
            }
        } else {
            cFormat(f, d)
            if f.conversion == 0
                && !body.contains({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "n") })
            {
                body.write(UInt8(ascii: "."))  // fmt's general format keeps a decimal point
                body.write(UInt8(ascii: "0"))
            }
        }
        var sign = f.sign
        if let first = body.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: " ")
        {
            sign = first
            body.removeFirst()
        }
        if f.zeroPad && !d.isFinite { throw FormatProgram.error("kuai does not zero-pad inf or nan") }
        try number(f, sign: sign, prefix: NumberPrefix())
    }

    /// C's `%<flags>.<precision><conversion>` of `d` into `body`.
    private func cFormat(_ f: FormatField, _ d: Double) {
        var flags: (CChar, CChar, CChar) = (0, 0, 0)
        withUnsafeMutableBytes(of: &flags) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var k = 0
            if f.sign != 0 {
                p[k] = CChar(bitPattern: f.sign)
                k += 1
            }
            if f.alternate { p[k] = CChar(bitPattern: UInt8(ascii: "#")) }
        }
        let conversion = CChar(bitPattern: f.conversion == 0 ? UInt8(ascii: "g") : f.conversion)
        let precision = Int32(clamping: f.precision)
        var cap = 512
        while true {
            cText.removeAll()
            cText.reserve(cap)
            let size = cap
            let n = withUnsafePointer(to: &flags) { fp in
                fp.withMemoryRebound(to: CChar.self, capacity: 3) { flagText in
                    cText.base.withMemoryRebound(to: CChar.self, capacity: size) { buffer in
                        Int(kuai_format_double(buffer, size, flagText, precision, conversion, d))
                    }
                }
            }
            if n < cap {
                body.write(UnsafeBufferPointer(start: cText.base, count: n))
                return
            }
            cap = n + 1
        }
    }

    /// `sign`, `prefix` and `body` (digits, grouped when asked) padded to the width: zeros after the
    /// sign and prefix with the `0` flag, else the fill, right-aligned by default.
    func number(_ f: FormatField, sign: UInt8, prefix: NumberPrefix) throws {
        if f.grouping != 0 { groupLeadingDigits(f.grouping) }
        let length = (sign != 0 ? 1 : 0) + prefix.count + body.count
        let padding = max(0, f.width - length)
        if f.zeroPad {
            if sign != 0 { out.write(sign) }
            appendPrefix(prefix)
            out.write(repeating: UInt8(ascii: "0"), count: padding)
            out.write(body.bytes)
            return
        }
        pad(f, padding, defaultAlign: UInt8(ascii: ">")) { w in
            if sign != 0 { w.out.write(sign) }
            w.appendPrefix(prefix)
            w.out.write(w.body.bytes)
        }
    }

    private func appendPrefix(_ p: NumberPrefix) {
        if p.count > 0 { out.write(p.bytes.0) }
        if p.count > 1 { out.write(p.bytes.1) }
    }

    /// Inserts `separator` every three digits of the leading run of digits of `body`.
    func groupLeadingDigits(_ separator: UInt8) {
        var run = 0
        while run < body.count && body.base[run] >= UInt8(ascii: "0") && body.base[run] <= UInt8(ascii: "9") {
            run += 1
        }
        body.groupLeading(run, separator: separator)
    }

    /// A string cut to the precision and padded to the width, both in code points (as DuckDB's fmt
    /// counts them: a wide character is one); left-aligned by default, right-aligned under printf.
    func text(_ f: FormatField, _ b0: UnsafeBufferPointer<UInt8>) {
        var b = b0
        if f.precision >= 0 {
            b = UnsafeBufferPointer(rebasing: b0[0..<UTF8Bytes.offsetOfCodePoint(b0, f.precision)])
        }
        let width = f.width > 0 ? UTF8Bytes.codePointCount(b) : 0
        let align = printfStyle ? UInt8(ascii: ">") : UInt8(ascii: "<")
        pad(f, max(0, f.width - width), defaultAlign: align) { w in w.out.write(b) }
    }

    /// `content` with `padding` fill characters before, after or around it (`^`: the odd one after).
    func pad(_ f: FormatField, _ padding: Int, defaultAlign: UInt8, _ content: (FormatWriter) -> Void) {
        let align = f.align == 0 ? defaultAlign : f.align
        let before =
            align == UInt8(ascii: ">") ? padding : align == UInt8(ascii: "^") ? padding / 2 : 0
        out.write(repeating: f.fill, count: before)
        content(self)
        if padding > before { out.write(repeating: f.fill, count: padding - before) }
    }
}
