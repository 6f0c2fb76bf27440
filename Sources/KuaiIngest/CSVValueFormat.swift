import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A date or timestamp format given to the CSV reader (read_csv's `dateformat` /
/// `timestampformat`): its text, for messages, and the strptime that reads a field by it.
public struct CSVTemporalFormat: Sendable {
    /// The format as written (`%d/%m/%Y`).
    public var text: String
    /// Reads a whole field (white space around it allowed, as DuckDB's strptime): microseconds since
    /// 1970-01-01 of the wall time, or nil when the field does not match.
    public var parse: @Sendable (UnsafeBufferPointer<UInt8>) -> Int64?

    public init(text: String, parse: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Int64?) {
        self.text = text
        self.parse = parse
    }
}

/// How the CSV reader turns field text into values where read_csv is told otherwise than by
/// default; each setting applies both to type inference (the sniffer's candidates read fields the
/// same way) and to parsing, as in DuckDB 2.0.1.
///
/// A reader with any setting other than the default parses every field on the general path (the
/// fast paths assume the defaults), so the defaults cost nothing.
public struct CSVValueFormat: Sendable {
    /// read_csv's `nullstr`: nil (the default) reads an empty field as NULL; given, a field equal
    /// to one of these texts (quoted or not) is NULL and an empty field is an empty string
    /// (an error for a column of another type, whose type it does not read).
    public var nullStrings: [[UInt8]]? = nil
    /// The byte between a DOUBLE's integer and fractional digits (`decimal_separator`: `.` or `,`).
    public var decimalSeparator: UInt8 = UInt8(ascii: ".")
    /// How a DATE is written (`dateformat`; nil: `YYYY-MM-DD`).
    public var dateFormat: CSVTemporalFormat? = nil
    /// How a TIMESTAMP is written (`timestampformat`; nil: ISO 8601 as `TemporalText.csvTimestamp`).
    public var timestampFormat: CSVTemporalFormat? = nil

    public init() {}

    /// True when nothing differs from the default reading.
    var isDefault: Bool {
        nullStrings == nil && decimalSeparator == UInt8(ascii: ".") && dateFormat == nil && timestampFormat == nil
    }

    /// Whether the field of `n` bytes at `p` is one of `nullStrings`; with none given, whether it is empty.
    @inline(__always)
    func isNull(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        guard let nullStrings else { return n == 0 }
        for s in nullStrings where s.count == n {
            if s.withUnsafeBufferPointer({ n == 0 || memcmp($0.baseAddress!, p, n) == 0 }) { return true }
        }
        return false
    }

    /// A DATE field read by `dateFormat` (days since 1970-01-01), nil when the field does not match.
    func date(_ p: UnsafePointer<UInt8>, _ n: Int, _ f: CSVTemporalFormat) -> Int64? {
        guard let micros = f.parse(UnsafeBufferPointer(start: p, count: n)) else { return nil }
        let perDay: Int64 = 86_400_000_000
        // a format that reads a time of day gives a DATE only for midnight (DuckDB's cast)
        return micros % perDay == 0 ? micros / perDay : nil
    }

    /// A DOUBLE field written with `decimalSeparator` `,`: the text with `,` for `.`, read as usual;
    /// a `.` in it does not read.
    func commaDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> FieldParse.Outcome<Double> {
        if n > 64 || memchr(p, Int32(UInt8(ascii: ".")), n) != nil {
            return .failure(
                "expected a DOUBLE (decimal number, ',' before the fraction), found \(describeField(p, n))")
        }
        var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (
            0, 0, 0, 0, 0, 0, 0, 0, 0
        )
        return withUnsafeMutableBytes(of: &buffer) { raw in
            let b = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n { b[i] = p[i] == decimalSeparator ? UInt8(ascii: ".") : p[i] }
            switch FieldParse.double(UnsafePointer(b), n) {
            case .value(let v): return .value(v)
            case .failure:
                return .failure(
                    "expected a DOUBLE (decimal number, ',' before the fraction), found \(describeField(p, n))")
            }
        }
    }
}
