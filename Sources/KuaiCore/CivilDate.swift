/// Proleptic Gregorian calendar arithmetic on day numbers: days since 1970-01-01, the stored value
/// of a DATE (DuckDB's `date_t`). The conversions are Howard Hinnant's `days_from_civil` and
/// `civil_from_days` (https://howardhinnant.github.io/date_algorithms.html), exact for every year
/// whose day number fits Int64 with room to spare (callers bound years to about ±290,000). The
/// arithmetic wraps instead of trapping, so that a kernel may run over every row of a column,
/// NULL rows with arbitrary bits included.
public enum CivilDate {
    /// Days since 1970-01-01 of `year`-`month`-`day` (month 1-12, day 1-31, not checked against
    /// the month's length: see `daysInMonth`). Year 0 is 1 BC, as ISO 8601 and DuckDB count.
    @inlinable
    public static func days(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year &- 1 : year
        let era = (y >= 0 ? y : y &- 399) / 400
        let yoe = y &- era &* 400
        let m = Int64(month)
        let doy = (153 &* (m > 2 ? m &- 3 : m &+ 9) &+ 2) / 5 &+ Int64(day) &- 1
        let doe = yoe &* 365 &+ yoe / 4 &- yoe / 100 &+ doy
        return era &* 146_097 &+ doe &- 719_468
    }

    /// The calendar date (year, month 1-12, day 1-31) of `days` since 1970-01-01. Days within
    /// about ±32,000 years of 1970 take Neri and Schneider's 32-bit form of the same calendar
    /// ("Euclidean affine functions and their application to calendar algorithms", 2022: no
    /// division but by constants, unsigned), the others `civilWide`.
    @inlinable
    public static func civil(_ days: Int64) -> (year: Int64, month: Int, day: Int) {
        guard days >= -12_000_000 && days <= 12_000_000 else { return civilWide(days) }
        // shifted by 82 eras of 400 years, so that every value is unsigned
        let n = UInt32(truncatingIfNeeded: days &+ 719_468 &+ 146_097 &* 82)
        let n1 = 4 &* n &+ 3
        let c = n1 / 146_097
        let nc = n1 % 146_097 / 4
        let p2 = UInt64(2_939_745) &* UInt64(4 &* nc &+ 3)
        let z = UInt32(truncatingIfNeeded: p2 >> 32)
        let ny = UInt32(truncatingIfNeeded: p2) / 2_939_745 / 4
        let n3 = 2141 &* ny &+ 197_913
        let m = n3 >> 16
        let d = (n3 & 0xFFFF) / 2141
        let j: UInt32 = ny >= 306 ? 1 : 0
        let year = Int64(100 &* c &+ z) &- 400 &* 82 &+ Int64(j)
        return (year, Int(j == 1 ? m &- 12 : m), Int(d &+ 1))
    }

    /// `civil` for any day number (Hinnant's `civil_from_days`).
    @inlinable
    public static func civilWide(_ days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days &+ 719_468
        let era = (z >= 0 ? z : z &- 146_096) / 146_097
        let doe = z &- era &* 146_097
        let yoe = (doe &- doe / 1460 &+ doe / 36524 &- doe / 146_096) / 365
        let y = yoe &+ era &* 400
        let doy = doe &- (365 &* yoe &+ yoe / 4 &- yoe / 100)
        let mp = (5 &* doy &+ 2) / 153
        let d = doy &- (153 &* mp &+ 2) / 5 &+ 1
        let m = mp < 10 ? mp &+ 3 : mp &- 9
        return (m <= 2 ? y &+ 1 : y, Int(truncatingIfNeeded: m), Int(truncatingIfNeeded: d))
    }

    /// The day (days since 1970-01-01, rounded down) and the microseconds into it (0 up to
    /// 86,400,000,000, exclusive) of `micros` microseconds since the epoch (a TIMESTAMP's stored value).
    @inlinable
    public static func dayAndTime(ofMicros micros: Int64) -> (days: Int64, micros: Int64) {
        let perDay: Int64 = 86_400_000_000
        let days = micros / perDay
        let rem = micros % perDay
        return rem < 0 ? (days - 1, rem + perDay) : (days, rem)
    }

    /// Days in `month` (1-12) of `year`: February has 29 in a leap year (divisible by 4, and by
    /// 400 when divisible by 100).
    @inlinable
    public static func daysInMonth(year: Int64, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
