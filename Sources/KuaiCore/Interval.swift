/// One INTERVAL value as DuckDB 2.0.1's `interval_t`: months and days (32-bit each) and
/// microseconds (64-bit), kept as written (`INTERVAL 36 HOUR` is 0 months, 0 days, 129,600,000,000
/// microseconds; `INTERVAL '1 day 12 hours'` is 0, 1, 43,200,000,000). The parts may have any sign.
///
/// In a `Column` of INTERVAL: `ints` holds the microseconds; `highs` is nil while every row has
/// months = days = 0 (the common case: every INTERVAL of microseconds alone, the fast paths reading
/// `ints` as they did); otherwise row i's high word is `packed &+ (micros >> 63)`, where `packed` =
/// months << 32 | UInt32(days). With that offset a row without months or days has the high word
/// `ints[i] >> 63`, the same as a narrow HUGEINT row, so the generic code that widens narrow
/// chunks with sign bits (concatenation, scatter, sort keys) gives a correct interval too.
/// As one Int128 (`Value.hugeint`, `Column.int128(at:)`) the value is `packed << 64 + micros`;
/// an interval without months and days is `Value.int(micros)`.
///
/// Order and equality are DuckDB's: by `normalizedKey`, so `INTERVAL 36 HOUR = INTERVAL '1 day 12 hours'`
/// and `INTERVAL 1 MONTH = INTERVAL 30 DAY`.
public struct IntervalValue: Sendable, Hashable {
    public var months: Int32
    public var days: Int32
    public var micros: Int64

    public init(months: Int32 = 0, days: Int32 = 0, micros: Int64 = 0) {
        self.months = months
        self.days = days
        self.micros = micros
    }

    /// DuckDB's unit sizes (`Interval::MICROS_PER_DAY`, `DAYS_PER_MONTH` for comparisons, ...).
    public static let microsPerDay: Int64 = 86_400_000_000
    public static let microsPerHour: Int64 = 3_600_000_000
    public static let daysPerMonth: Int64 = 30
    public static let microsPerMonth: Int64 = microsPerDay * daysPerMonth

    /// Months and days in one word: months in the high 32 bits, days in the low 32.
    @inlinable
    public var packed: Int64 { Int64(months) << 32 | Int64(UInt32(bitPattern: days)) }

    /// The value from its packed months and days and its microseconds.
    @inlinable
    public init(packed: Int64, micros: Int64) {
        self.months = Int32(truncatingIfNeeded: packed >> 32)
        self.days = Int32(truncatingIfNeeded: packed)
        self.micros = micros
    }

    /// The value from a column's high word and microseconds (see the type's doc).
    @inlinable
    public init(high: Int64, micros: Int64) {
        self.init(packed: high &- (micros >> 63), micros: micros)
    }

    /// The high word a column stores for this value.
    @inlinable
    public var high: Int64 { packed &+ (micros >> 63) }

    /// True when months and days are both 0 (the value fits a column without `highs`).
    @inlinable
    public var isMicrosOnly: Bool { months == 0 && days == 0 }

    /// The boxed form: `.int(micros)` without months and days, else `.hugeint(packed << 64 + micros)`.
    public var value: Value {
        if isMicrosOnly { return .int(micros) }
        return .hugeint(Int128(high) << 64 | Int128(UInt64(bitPattern: micros)))
    }

    /// The interval a boxed INTERVAL value holds (`.int` micros or `.hugeint`); nil for other values.
    public init?(_ v: Value) {
        switch v {
        case .int(let m): self.init(micros: m)
        case .hugeint(let e):
            self.init(high: Int64(truncatingIfNeeded: e >> 64), micros: Int64(truncatingIfNeeded: e))
        default: return nil
        }
    }

    /// DuckDB's comparison key (`Interval::Normalize`): the length with a month taken as 30 days
    /// and a day as 24 hours, in microseconds. Two intervals are equal (and hash and group alike)
    /// exactly when their keys are, and order as their keys.
    @inlinable
    public var normalizedKey: Int128 {
        (Int128(months) * Int128(IntervalValue.daysPerMonth) + Int128(days)) * Int128(IntervalValue.microsPerDay)
            + Int128(micros)
    }
}

extension Column {
    /// Row `i` of an INTERVAL column as its three parts.
    @inlinable
    public func interval(at i: Int) -> IntervalValue {
        if let h = highs { return IntervalValue(high: h[i], micros: ints[i]) }
        return IntervalValue(micros: ints[i])
    }

    /// An INTERVAL column from microseconds and packed months/days (`IntervalValue.packed`, one per
    /// row, or nil when every row has none); `highs` is set only when some valid row has months or days.
    public init(intervalMicros micros: [Int64], packed: [Int64]?, validity: [UInt8]? = nil) {
        self.init(type: .interval, ints: micros, validity: validity)
        guard let packed else { return }
        var any = false
        for i in 0..<packed.count where packed[i] != 0 && (validity == nil || validity![i] != 0) {
            any = true
            break
        }
        guard any else { return }
        highs = (0..<packed.count).map { packed[$0] &+ (micros[$0] >> 63) }
    }
}
