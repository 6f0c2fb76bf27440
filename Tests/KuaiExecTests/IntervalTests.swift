import KuaiCore
import Testing

@testable import KuaiExec

// Expected values come from DuckDB 2.0.1 (`SELECT CAST(... AS VARCHAR)` in python duckdb).

/// INTERVAL text read as DuckDB's CAST(VARCHAR AS INTERVAL), printed back as DuckDB prints it.
@Test(arguments: [
    ("1 year 2 months 3 days 04:05:06.5", "1 year 2 months 3 days 04:05:06.5"),
    ("36 hours", "36:00:00"),
    ("1 day 12 hours", "1 day 12:00:00"),
    ("1 year -2 months 3 days -04:05:06.5", "10 months 3 days -04:05:06.5"),
    ("1.5 years", "1 year 6 months"),
    ("1.5 months", "1 month 15 days"),
    ("-1.5 months", "-1 month -15 days"),
    ("1.7 quarters", "5 months 3 days"),
    ("1.5 weeks", "10 days 12:00:00"),
    ("@ 1 day ago", "-1 day"),
    (" 5 ", "00:00:05"),
    ("100:00", "100:00:00"),
    ("01:02:03 xyz", "01:02:03"),
    ("9223372036854775807 us", "2562047788:00:54.775807"),
    (
        "2147483647 months 2147483647 days 9223372036854775807 microseconds",
        "178956970 years 7 months 2147483647 days 2562047788:00:54.775807"
    ),
])
func intervalTextRoundTrip(text: String, printed: String) {
    var s = text
    guard case .value(let v) = s.withUTF8({ IntervalText.parse($0) }) else {
        Issue.record("\(text) did not parse")
        return
    }
    #expect(ValueFormatter.interval(v) == printed)
}

/// Texts DuckDB refuses, with its message when it has one of its own.
@Test(arguments: [
    ("abc", nil), ("+1 day", nil), ("1 day ago ago", nil), ("1:60", nil), ("", nil),
    ("1 foo", "extract specifier \"foo\" not recognized"),
    ("1 dow", "extract specifier \"dow\" not supported for interval"),
    ("1 day 2", "extract specifier \"\" not recognized"),
    (
        "2147483648 days",
        "Type INT64 with value 2147483648 can't be cast because the value is out of range for the destination type INT32"
    ),
    ("9223372036854775807 s", "interval value is out of range"),
])
func intervalTextRefused(text: String, message: String?) {
    var s = text
    switch s.withUTF8({ IntervalText.parse($0) }) {
    case .value(let v): Issue.record("\(text) parsed as \(v)")
    case .invalid: #expect(message == nil)
    case .error(let f): #expect(f.message == message)
    }
}

/// The column encoding: months and days in the high word, offset so that a value without them has
/// the high word of a sign-extended Int64.
@Test func intervalHighWord() {
    for v in [
        IntervalValue(micros: -5), IntervalValue(micros: 7), IntervalValue(months: -1, days: 3, micros: -1),
        IntervalValue(months: .min, days: .max, micros: .min), IntervalValue(months: 1),
    ] {
        #expect(IntervalValue(high: v.high, micros: v.micros) == v)
        #expect(IntervalValue(v.value) == v)
        #expect((v.high == v.micros >> 63) == v.isMicrosOnly)
    }
    #expect(
        IntervalValue(micros: 36 * 3_600_000_000).normalizedKey
            == IntervalValue(days: 1, micros: 43_200_000_000).normalizedKey)
    #expect(IntervalValue(months: 1).normalizedKey == IntervalValue(days: 30).normalizedKey)
}

/// TIMESTAMP + INTERVAL with month-end clamping, and age().
@Test func intervalCalendarArithmetic() throws {
    let day: Int64 = 86_400_000_000
    let jan31 = CivilDate.days(year: 2020, month: 1, day: 31) * day
    let feb29 = CivilDate.days(year: 2020, month: 2, day: 29) * day
    #expect(try IntervalMath.addToTimestamp(jan31, IntervalValue(months: 1), subtract: false) == feb29)
    #expect(
        try IntervalMath.addToTimestamp(feb29, IntervalValue(months: 12), subtract: false)
            == CivilDate.days(year: 2021, month: 2, day: 28) * day)
    #expect(throws: KuaiError.self) {
        try IntervalMath.addToTimestamp(Int64.max / 2, IntervalValue(months: .max), subtract: false)
    }
    let a = CivilDate.days(year: 2021, month: 3, day: 1) * day
    let b = CivilDate.days(year: 2020, month: 1, day: 31) * day
    #expect(ValueFormatter.interval(IntervalMath.age(a, b)) == "1 year 1 month 1 day")
    #expect(ValueFormatter.interval(try IntervalMath.difference(b, a)) == "-395 days")
    #expect(
        ValueFormatter.interval(
            IntervalMath.multiply(IntervalValue(months: 1, days: 1, micros: 3_600_000_000), 1.0 / 7)!)
            == "4 days 10:25:42.832457")
}
