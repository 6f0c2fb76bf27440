import KuaiCore

/// A strftime format compiled into literal bytes and fields, written as bytes for every row (no
/// Swift `String` per row): once per batch for a constant format (`strftimeColumn`), once per row
/// for a format that differs from row to row (`FunctionRegistry.strftime`). Every specifier of
/// DuckDB 2.0.1's strftime: %Y %y %m %d %H %I %M %S %f %g %n %p %j %a %A %b %h %B %w %u %V %G
/// %U %W %c %x %X %T %z %Z %%, and the unpadded `%-d %-j %-m %-y %-H %-I %-M %-S`. Any other
/// specifier (%e, %s, %D, %F, %Q, `%-Y`, ...) and a trailing `%` are DuckDB's error, kept in
/// `error` (strftime.cpp, StrfTimeFormat::ParseFormatSpecifier).
struct StrftimePattern {
    /// One field (`spec` a specifier letter) or a run of literal bytes (`spec` 0).
    struct Piece {
        var spec: UInt8
        var noPad: Bool
        var start: Int
        var count: Int
    }

    private(set) var pieces: [Piece] = []
    private(set) var literals: [UInt8] = []
    /// An upper bound of the bytes one row's text takes.
    private(set) var maxBytes = 0
    /// The finest unit the text depends on, in microseconds: a day for date fields only, an hour
    /// with %H %I %p, a minute with %M, a second with %S %T %X %c, 1 with %f %g %n. Two instants
    /// in the same such unit (the same floor of micros / granularity) have the same text.
    private(set) var granularity: Int64 = 86_400_000_000
    /// DuckDB's message for the first specifier it does not accept ("Failed to parse format
    /// specifier %Q: Unrecognized format for strftime/strptime: %Q"); nil for a valid format.
    private(set) var error: String?

    init(_ format: String) {
        func reject(_ why: String) {
            if error == nil { error = "Failed to parse format specifier \(format): \(why)" }
        }
        var it = Array(format.unicodeScalars)[...]
        func literal(_ s: String) {
            let bytes = Array(s.utf8)
            if let last = pieces.last, last.spec == 0 {
                pieces[pieces.count - 1].count += bytes.count
            } else {
                pieces.append(Piece(spec: 0, noPad: false, start: literals.count, count: bytes.count))
            }
            literals += bytes
            maxBytes += bytes.count
        }
        while let ch = it.first {
            it = it.dropFirst()
            if ch != "%" {
                literal(String(ch))
                continue
            }
            guard var spec = it.first else {
                reject("Trailing format character %")
                break
            }
            it = it.dropFirst()
            var noPad = false
            if spec == "-" {
                guard let next = it.first, "djmyHIMS".unicodeScalars.contains(next) else {
                    reject("Unrecognized format for strftime/strptime: %-" + (it.first.map { String($0) } ?? ""))
                    break
                }
                noPad = true
                spec = next
                it = it.dropFirst()
            }
            switch spec {
            case "Y", "y", "m", "d", "H", "I", "M", "S", "f", "g", "n", "p", "j", "a", "A", "b", "h", "B", "w",
                "u", "V", "G", "U", "W", "c", "x", "X", "T":
                pieces.append(Piece(spec: UInt8(spec.value), noPad: noPad, start: 0, count: 0))
                maxBytes += 48
                switch spec {
                case "H", "I", "p": granularity = min(granularity, 3_600_000_000)
                case "M": granularity = min(granularity, 60_000_000)
                case "S", "T", "X", "c": granularity = min(granularity, 1_000_000)
                case "f", "g", "n": granularity = 1
                default: break
                }
            case "z": literal("+00")
            case "Z": break
            case "%": literal("%")
            default: reject("Unrecognized format for strftime/strptime: %" + String(spec))
            }
        }
    }

    /// The compiled `format`.
    /// - Throws: `KuaiError.execution` with DuckDB's message when `error` is set.
    static func checked(_ format: String) throws -> StrftimePattern {
        let p = StrftimePattern(format)
        if let e = p.error { throw KuaiError(.execution, e) }
        return p
    }

    /// The text of `micros` (microseconds since 1970-01-01).
    func text(_ micros: Int64) -> String {
        pieces.withUnsafeBufferPointer { pieces in
            literals.withUnsafeBufferPointer { literals in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxBytes + 1) { out in
                    let n = write(micros, pieces, literals, out.baseAddress!)
                    return String(decoding: UnsafeBufferPointer(rebasing: out[0..<n]), as: UTF8.self)
                }
            }
        }
    }

    /// Writes the text of `micros` (microseconds since 1970-01-01) at `out` (at least `maxBytes`
    /// free); returns the bytes written.
    func write(
        _ micros: Int64, _ pieces: UnsafeBufferPointer<Piece>, _ literals: UnsafeBufferPointer<UInt8>,
        _ out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        let perDay = FunctionRegistry.microsPerDay
        let days = FunctionRegistry.floorDiv(micros, perDay)
        let rem = micros - days * perDay
        let (year, month, day) = CivilDate.civil(days)
        let h = rem / 3_600_000_000
        let dow = Int(FunctionRegistry.floorMod(days + 4, 7))
        var n = 0
        @inline(__always) func number(_ v: Int64, _ width: Int) {
            n += TextBytes.unsigned(UInt64(v), out + n, minDigits: width)
        }
        /// A year as DuckDB writes %Y and %G: four digits from 0 to 9999, else the signed value.
        @inline(__always) func year4(_ y: Int64) {
            if y >= 0 && y <= 9999 { number(y, 4) } else { n += TextBytes.int64(y, out + n) }
        }
        @inline(__always) func name(_ bytes: [UInt8], prefix: Int = Int.max) {
            let k = Swift.min(prefix, bytes.count)
            bytes.withUnsafeBufferPointer { (out + n).update(from: $0.baseAddress!, count: k) }
            n += k
        }
        @inline(__always) func weekOfYear(mondayFirst: Bool) {
            let doy = days &- CivilDate.days(year: year, month: 1, day: 1)
            number((doy &+ 7 &- Int64(mondayFirst ? (dow + 6) % 7 : dow)) / 7, 2)
        }
        for p in pieces {
            let two = p.noPad ? 1 : 2
            switch p.spec {
            case 0:
                (out + n).update(from: literals.baseAddress! + p.start, count: p.count)
                n += p.count
            case UInt8(ascii: "Y"): year4(year)
            case UInt8(ascii: "y"): number(abs(year % 100), two)  // DuckDB: year -1 (2 BC) is '01', -150 '50'
            case UInt8(ascii: "m"): number(Int64(month), two)
            case UInt8(ascii: "d"): number(Int64(day), two)
            case UInt8(ascii: "H"): number(h, two)
            case UInt8(ascii: "I"): number(h % 12 == 0 ? 12 : h % 12, two)
            case UInt8(ascii: "M"): number((rem / 60_000_000) % 60, two)
            case UInt8(ascii: "S"): number((rem / 1_000_000) % 60, two)
            case UInt8(ascii: "f"): number(rem % 1_000_000, 6)
            case UInt8(ascii: "g"): number(rem % 1_000_000 / 1000, 3)
            case UInt8(ascii: "n"): number(rem % 1_000_000 * 1000, 9)
            case UInt8(ascii: "p"): n += TextBytes.ascii(h < 12 ? "AM" : "PM", out + n)
            case UInt8(ascii: "j"):
                number(days - CivilDate.days(year: year, month: 1, day: 1) + 1, p.noPad ? 1 : 3)
            case UInt8(ascii: "a"): name(CalendarKernels.dayNames[dow], prefix: 3)
            case UInt8(ascii: "A"): name(CalendarKernels.dayNames[dow])
            case UInt8(ascii: "b"), UInt8(ascii: "h"): name(CalendarKernels.monthNames[month - 1], prefix: 3)
            case UInt8(ascii: "B"): name(CalendarKernels.monthNames[month - 1])
            case UInt8(ascii: "w"): number(Int64(dow), 1)
            case UInt8(ascii: "V"): number(FunctionRegistry.isoWeek(days).week, 2)
            case UInt8(ascii: "G"): year4(FunctionRegistry.isoWeek(days).year)
            case UInt8(ascii: "U"): weekOfYear(mondayFirst: false)
            case UInt8(ascii: "W"): weekOfYear(mondayFirst: true)
            case UInt8(ascii: "c"):
                n += TextBytes.date(days, out + n)
                out[n] = UInt8(ascii: " ")
                n += 1
                n += TextBytes.time(UInt64(rem - rem % 1_000_000), out + n)
            case UInt8(ascii: "x"): n += TextBytes.date(days, out + n)
            case UInt8(ascii: "X"), UInt8(ascii: "T"): n += TextBytes.time(UInt64(rem - rem % 1_000_000), out + n)
            default: number(Int64(dow == 0 ? 7 : dow), 1)  // "u"
            }
        }
        return n
    }
}

extension FunctionRegistry {
    /// strftime of a TIMESTAMP (`unit` 1) or DATE (`unit` microseconds per day) column with a
    /// constant format, as a flat string column; nil when the arguments are not a column and a
    /// constant string.
    /// - Throws: `KuaiError.execution` for a format DuckDB rejects (`StrftimePattern.error`).
    static func strftimeColumn(_ args: [Operand], unit: Int64) throws -> Operand? {
        guard case .column(let c) = args[0], let format = args[1].stringValue else { return nil }
        let pattern = try StrftimePattern.checked(format)
        let n = c.count
        let column = FlatStrings.build(n, validity: c.validity) { out, heap in
            let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: pattern.maxBytes + 1)
            defer { scratch.deallocate() }
            pattern.pieces.withUnsafeBufferPointer { pieces in
                pattern.literals.withUnsafeBufferPointer { literals in
                    let valid = c.validity ?? []
                    // the texts of the last instants seen, per unit of `granularity` (a direct-mapped
                    // cache: rows of a log in time order write each day's or minute's text once)
                    let g = pattern.granularity
                    var memoKey = [Int64](repeating: .min, count: 256)
                    var memoText = [StringView](repeating: StringView(), count: 256)
                    c.ints.withUnsafeBufferPointer { x in
                        for i in 0..<n where valid.isEmpty || valid[i] != 0 {
                            let micros = x[i] &* unit
                            let key = g == 1 ? micros : floorDiv(micros, g)
                            let slot = Int(truncatingIfNeeded: UInt64(bitPattern: key) & 255)
                            if memoKey[slot] == key {
                                out[i] = memoText[slot]
                                continue
                            }
                            let k = pattern.write(micros, pieces, literals, scratch)
                            out[i] = FlatStrings.copy(heap, scratch, count: k)
                            (memoKey[slot], memoText[slot]) = (key, out[i])
                        }
                    }
                }
            }
        }
        return .column(column)
    }
}
