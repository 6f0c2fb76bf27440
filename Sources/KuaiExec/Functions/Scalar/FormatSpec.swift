import KuaiCore

/// What an argument of `format()` / `printf()` is to the formatter: DuckDB hands its fmt library
/// integers (TINYINT ... BIGINT as int64), HUGEINT, BOOLEAN, floating point (DOUBLE, DECIMAL as
/// double) and strings (every other type as its VARCHAR text).
public enum FormatArgumentKind: Sendable, Equatable {
    /// TINYINT, SMALLINT, INTEGER, BIGINT (read as BIGINT).
    case integer
    /// HUGEINT, read as its decimal text (kuai formats it with the integer conversions `d` only).
    case bigText
    case boolean
    /// DOUBLE and DECIMAL (read as DOUBLE, as DuckDB does).
    case float
    /// Every other type, read as its VARCHAR text.
    case text
}

/// One replacement field of a format string, with the literal text before it (a plain value: no
/// reference-counted storage, so the row loop copies it for free).
struct FormatField {
    /// The literal bytes before the field, in `FormatProgram.literals`.
    var literal: Range<Int> = 0..<0
    /// The 0-based argument after the format string.
    var argument = 0
    /// printf's `*` width: the argument holding the width.
    var widthArgument: Int? = nil
    /// An ASCII fill character (DuckDB's fmt takes no other).
    var fill: UInt8 = 0x20
    /// 0 (the type's default), `<`, `>`, `^`.
    var align: UInt8 = 0
    /// 0, `+`, `-` or space.
    var sign: UInt8 = 0
    var alternate = false
    var zeroPad = false
    var width = 0
    /// -1: none.
    var precision = -1
    /// 0, `,` or `_`: the thousands separator.
    var grouping: UInt8 = 0
    /// The type character (0: none); printf's `i` is `d`.
    var conversion: UInt8 = 0
    /// printf's `x X o u`: the two's-complement bits of a negative integer.
    var unsignedConversion = false
    /// printf's `%c`.
    var character = false
}

/// A parsed format string of DuckDB's `format(fmt, ...)` (the fmt library's `{}` syntax) or
/// `printf(fmt, ...)` (C's `%` conversions, as fmt's printf implements them). The subset kuai
/// formats is in Formats/query-language.md "String formatting"; the rest is an error, never
/// another text.
public struct FormatProgram {
    var fields: [FormatField] = []
    /// Every field's literal text, then the text after the last field (`tail`).
    var literals: [UInt8] = []
    var tail: Range<Int> = 0..<0
    /// True for printf's syntax.
    let printfStyle: Bool

    /// Parses `bytes` in fmt's syntax (`printf` false) or printf's.
    /// - Throws: `KuaiError.execution` with DuckDB's message for a malformed string ("unmatched
    ///   '}' in format string", "invalid format string", ...) or one kuai does not format.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, printf: Bool) throws -> FormatProgram {
        var p = FormatProgram(printfStyle: printf)
        var parser = FormatParser(bytes: bytes)
        if printf { try parser.parsePrintf(&p) } else { try parser.parseFmt(&p) }
        return p
    }

    /// Parses a string (a constant format).
    public static func parse(_ s: String, printf: Bool) throws -> FormatProgram {
        var s = s
        return try s.withUTF8 { try parse($0, printf: printf) }
    }

    static func error(_ message: String) -> KuaiError { KuaiError(.execution, message) }

    /// Appends `pending` to `literals` (emptying it) and returns its range there.
    mutating func keep(_ pending: inout [UInt8]) -> Range<Int> {
        let start = literals.count
        literals += pending
        pending.removeAll()
        return start..<literals.count
    }

    /// Checks every field against the kinds of the arguments, as DuckDB's fmt does when it formats.
    /// - Throws: `KuaiError.execution`: an argument index out of range, a type character or option the
    ///   argument's kind does not take.
    public func check(_ kinds: [FormatArgumentKind]) throws {
        for f in fields {
            guard f.argument < kinds.count else {
                throw FormatProgram.error("Argument index \"\(f.argument)\" out of range")
            }
            if let w = f.widthArgument {
                guard w < kinds.count else { throw FormatProgram.error("Argument index \"\(w)\" out of range") }
                guard kinds[w] == .integer else { throw FormatProgram.error("width is not integer") }
            }
            try checkField(f, kinds[f.argument])
        }
    }

    private func checkField(_ f: FormatField, _ kind: FormatArgumentKind) throws {
        let c = f.conversion
        func invalid(_ typeName: String) -> KuaiError {
            let spec = c == 0 ? "" : String(UnicodeScalar(c))
            return FormatProgram.error("Invalid type specifier \"\(spec)\" for formatting a value of type \(typeName)")
        }
        switch FormatProgram.effectiveKind(f, kind) {
        case .integer:
            let ok: [UInt8] = printfStyle ? Array("dxXoc".utf8) : Array("dxXobB".utf8)
            guard c == 0 || ok.contains(c) else { throw invalid("int") }
            if f.precision >= 0 {
                throw FormatProgram.error(
                    printfStyle
                        ? "kuai does not format a precision on an integer conversion"
                        : "precision not allowed for this argument type")
            }
        case .bigText:
            guard c == 0 || c == UInt8(ascii: "d") else {
                throw FormatProgram.error("kuai formats a HUGEINT with the decimal conversion only")
            }
            if f.precision >= 0 { throw FormatProgram.error("precision not allowed for this argument type") }
        case .float:
            guard c == 0 || Array("eEfFgGaA".utf8).contains(c) else { throw invalid("float") }
            if printfStyle && c == 0 { throw invalid("float") }
        case .text, .boolean:
            guard c == 0 || c == UInt8(ascii: "s") else { throw invalid("string") }
            if !printfStyle && (f.sign != 0 || f.alternate || f.zeroPad) {
                throw FormatProgram.error("format specifier requires numeric argument")
            }
            if kind == .boolean && f.precision >= 0 {
                throw FormatProgram.error("precision not allowed for this argument type")
            }
        }
    }

    /// The kind a field formats its argument as: a BOOLEAN under an integer conversion is 0 or 1.
    static func effectiveKind(_ f: FormatField, _ kind: FormatArgumentKind) -> FormatArgumentKind {
        if kind == .boolean && f.conversion != 0 && f.conversion != UInt8(ascii: "s") { return .integer }
        return kind
    }
}

/// The byte-level parser of both syntaxes.
private struct FormatParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    var literal: [UInt8] = []
    var automatic: Bool? = nil
    var nextArgument = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { i >= bytes.count }
    var current: UInt8 { bytes[i] }

    func peek(_ k: Int) -> UInt8? { i + k < bytes.count ? bytes[i + k] : nil }

    mutating func digits() -> Int? {
        var v: Int? = nil
        while !atEnd, current >= 0x30, current <= 0x39 {
            v = min((v ?? 0) * 10 + Int(current - 0x30), 1 << 20)
            i += 1
        }
        return v
    }

    /// Takes the next automatic argument, or checks the switch between manual and automatic.
    mutating func argument(manual: Int?) throws -> Int {
        if let m = manual {
            if automatic == true {
                throw FormatProgram.error("cannot switch from automatic to manual argument indexing")
            }
            automatic = false
            return m
        }
        if automatic == false {
            throw FormatProgram.error("cannot switch from manual to automatic argument indexing")
        }
        automatic = true
        nextArgument += 1
        return nextArgument - 1
    }

    mutating func parseFmt(_ p: inout FormatProgram) throws {
        while !atEnd {
            let b = current
            if b == UInt8(ascii: "}") {
                guard peek(1) == UInt8(ascii: "}") else { throw FormatProgram.error("unmatched '}' in format string") }
                literal.append(b)
                i += 2
            } else if b == UInt8(ascii: "{") {
                if peek(1) == UInt8(ascii: "{") {
                    literal.append(b)
                    i += 2
                    continue
                }
                i += 1
                var f = FormatField()
                let manual = digits()
                f.argument = try argument(manual: manual)
                guard !atEnd else { throw FormatProgram.error("invalid format string") }
                if current == UInt8(ascii: ":") {
                    i += 1
                    try fmtSpec(&f)
                }
                guard !atEnd, current == UInt8(ascii: "}") else {
                    throw FormatProgram.error("missing '}' in format string")
                }
                i += 1
                f.literal = p.keep(&literal)
                p.fields.append(f)
            } else {
                literal.append(b)
                i += 1
            }
        }
        p.tail = p.keep(&literal)
    }

    /// `[[fill]align][,|_][sign][#][0][width][.precision][type]` (DuckDB's fmt takes the thousands
    /// separator right after the alignment only).
    mutating func fmtSpec(_ f: inout FormatField) throws {
        let aligns: [UInt8] = Array("<>^".utf8)
        let lead = atEnd ? 1 : UTF8Bytes.sequenceLength(bytes, i)
        if let a = peek(lead), aligns.contains(a), current != UInt8(ascii: "{"), current != UInt8(ascii: "}") {
            // DuckDB's fmt takes an ASCII fill character only.
            guard lead == 1 else { throw FormatProgram.error("missing '}' in format string") }
            f.fill = bytes[i]
            f.align = a
            i += lead + 1
        } else if !atEnd, aligns.contains(current) {
            f.align = current
            i += 1
        } else if !atEnd, current == UInt8(ascii: "=") || peek(lead) == UInt8(ascii: "=") {
            throw FormatProgram.error("kuai does not format the '=' alignment")
        }
        if !atEnd, current == UInt8(ascii: ",") || current == UInt8(ascii: "_") {
            f.grouping = current
            i += 1
        }
        if !atEnd, current == UInt8(ascii: "+") || current == UInt8(ascii: "-") || current == UInt8(ascii: " ") {
            f.sign = current == UInt8(ascii: "-") ? 0 : current
            i += 1
        }
        if !atEnd, current == UInt8(ascii: "#") {
            f.alternate = true
            i += 1
        }
        if !atEnd, current == UInt8(ascii: "0") {
            f.zeroPad = true
            i += 1
        }
        f.width = digits() ?? 0
        if !atEnd, current == UInt8(ascii: "{") { throw FormatProgram.error("kuai does not format nested arguments") }
        if !atEnd, current == UInt8(ascii: ".") {
            i += 1
            guard let pr = digits() else {
                if !atEnd, current == UInt8(ascii: "{") {
                    throw FormatProgram.error("kuai does not format nested arguments")
                }
                throw FormatProgram.error("missing precision specifier")
            }
            f.precision = pr
        }
        if !atEnd, current != UInt8(ascii: "}") {
            f.conversion = current
            i += 1
        }
    }

    mutating func parsePrintf(_ p: inout FormatProgram) throws {
        while !atEnd {
            let b = current
            guard b == UInt8(ascii: "%") else {
                literal.append(b)
                i += 1
                continue
            }
            if peek(1) == UInt8(ascii: "%") {
                literal.append(b)
                i += 2
                continue
            }
            i += 1
            var f = FormatField()
            try printfSpec(&f)
            f.literal = p.keep(&literal)
            p.fields.append(f)
        }
        p.tail = p.keep(&literal)
    }

    /// `[n$][flags][width|*][.precision][l|ll]conversion`.
    mutating func printfSpec(_ f: inout FormatField) throws {
        let start = i
        var manual: Int? = nil
        if let n = digits(), !atEnd, current == UInt8(ascii: "$") {
            guard n >= 1 else { throw FormatProgram.error("invalid argument index") }
            manual = n - 1
            i += 1
        } else {
            i = start
        }
        var left = false
        while !atEnd {
            switch current {
            case UInt8(ascii: "-"): left = true
            case UInt8(ascii: "+"): f.sign = UInt8(ascii: "+")
            case UInt8(ascii: " "): if f.sign == 0 { f.sign = UInt8(ascii: " ") }
            case UInt8(ascii: "#"): f.alternate = true
            case UInt8(ascii: "0"): f.zeroPad = true
            default: break
            }
            guard "-+ #0".utf8.contains(current) else { break }
            i += 1
        }
        if left && f.zeroPad { throw FormatProgram.error("kuai does not format the flags '-' and '0' together") }
        if left { f.align = UInt8(ascii: "<") }
        if !atEnd, current == UInt8(ascii: "*") {
            guard manual == nil else {
                throw FormatProgram.error("kuai does not format '*' with a positional argument")
            }
            f.widthArgument = try argument(manual: nil)
            i += 1
        } else {
            f.width = digits() ?? 0
        }
        if !atEnd, current == UInt8(ascii: ".") {
            i += 1
            if !atEnd, current == UInt8(ascii: "*") {
                throw FormatProgram.error("kuai does not format the precision '.*'")
            }
            f.precision = digits() ?? 0
        }
        var longs = 0
        while !atEnd, current == UInt8(ascii: "l") {
            longs += 1
            i += 1
        }
        if longs > 2 || (!atEnd && "hLjzt".utf8.contains(current)) {
            throw FormatProgram.error("kuai does not format this printf length modifier")
        }
        f.argument = try argument(manual: manual)
        guard !atEnd else { throw FormatProgram.error("Invalid type specifier \"%\" for formatting a value") }
        printfConversion(&f, current)
        i += 1
    }

    func printfConversion(_ f: inout FormatField, _ c: UInt8) {
        switch c {
        case UInt8(ascii: "d"), UInt8(ascii: "i"): f.conversion = UInt8(ascii: "d")
        case UInt8(ascii: "u"):
            f.conversion = UInt8(ascii: "d")
            f.unsignedConversion = true
        case UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "o"):
            f.conversion = c
            f.unsignedConversion = true
        case UInt8(ascii: "c"):
            f.conversion = c
            f.character = true
        default: f.conversion = c
        }
    }
}
