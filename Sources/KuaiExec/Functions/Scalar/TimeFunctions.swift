import KuaiCore

// TIME (microseconds since midnight, 0...86_400_000_000): make_time, its parts (hour ... epoch, date_part),
// and the operators the binder maps `TIME ± INTERVAL` and `DATE + TIME` onto. DuckDB 2.0.1 semantics.

extension FunctionRegistry {
    static let timeFunctions: [ScalarFunction] =
        [
            ScalarFunction("make_time", [.bigint, .bigint, .double], .time) { a, _, n, _ in
                let (h, m, s) = (IntRows(a[0]), IntRows(a[1]), DoubleRows(a[2]))
                return try intKernel([h, m, s], n, .time) {
                    try makeTime(h.values[$0 &* h.step], m.values[$0 &* m.step], s.at($0))
                }
            },
            timePlusInterval("time_add_interval", subtract: false),
            timePlusInterval("time_sub_interval", subtract: true),
            // DATE + TIME: the TIMESTAMP at that time of the day
            ScalarFunction("date_add_time", [.date, .time], .timestamp) { a, _, n, _ in
                let (d, t) = (IntRows(a[0]), IntRows(a[1]))
                return intKernel([d, t], n, .timestamp) {
                    d.values[$0 &* d.step] &* microsPerDay &+ t.values[$0 &* t.step]
                }
            },
            ScalarFunction("date_part", [.varchar, .time], .bigint) { a, _, n, e in
                let part = try timePart(a[0], e)
                return mapInt(a[1], n, .bigint) { timePart(part, $0) }
            },
            ScalarFunction("epoch", [.time], .double) { a, _, n, _ in mapDouble(a[0], n) { $0 / 1_000_000 } },
            ScalarFunction("epoch_ms", [.time], .bigint) { a, _, n, _ in mapInt(a[0], n, .bigint) { $0 / 1_000 } },
            ScalarFunction("epoch_us", [.time], .bigint) { a, _, n, _ in mapInt(a[0], n, .bigint) { $0 } },
            ScalarFunction("epoch_ns", [.time], .bigint) { a, _, n, _ in
                mapInt(a[0], n, .bigint) { $0 &* 1_000 }
            },
        ]
        + [
            ("hour", TimePart.hour), ("minute", .minute), ("second", .second), ("millisecond", .millisecond),
            ("microsecond", .microsecond),
        ].map { name, part in
            ScalarFunction(name, [.time], .bigint) { a, _, n, _ in mapInt(a[0], n, .bigint) { timePart(part, $0) } }
        }

    /// The parts DuckDB takes from a TIME (its `"time" units "DAY" not recognized` for the others).
    enum TimePart: Sendable {
        case hour, minute, second, millisecond, microsecond, zero
    }

    /// The TIME part named by a constant VARCHAR (the date-part words of `DatePart`; the time zone
    /// parts, always 0 for a TIME).
    /// - Throws: `KuaiError.execution` for a part a TIME does not have (`year`, `day`, ...).
    static func timePart(_ name: Operand, _ e: ScalarExpr) throws -> TimePart {
        let text = try constantString(name, "the date part", e)
        switch DatePart(text) {
        case .hour?: return .hour
        case .minute?: return .minute
        case .second?: return .second
        case .millisecond?: return .millisecond
        case .microsecond?: return .microsecond
        default:
            if ["timezone", "timezone_hour", "timezone_minute"].contains(text.lowercased()) { return .zero }
            throw KuaiError(.execution, "\"time\" units \"\(text.uppercased())\" not recognized")
        }
    }

    /// A part of `t` microseconds since midnight: hours (24 for `24:00:00`), minutes, seconds, and the
    /// seconds with their fraction in milliseconds or microseconds, as DuckDB's.
    @inline(__always)
    static func timePart(_ part: TimePart, _ t: Int64) -> Int64 {
        switch part {
        case .hour: return t / 3_600_000_000
        case .minute: return t / 60_000_000 % 60
        case .second: return t / 1_000_000 % 60
        case .millisecond: return t % 60_000_000 / 1_000
        case .microsecond: return t % 60_000_000
        case .zero: return 0
        }
    }

    /// `name(TIME, INTERVAL)`: the time moved by the interval's microseconds within one day, wrapping
    /// around midnight; its months and days are ignored (DuckDB's `Interval::Add(dtime_t, ...)`:
    /// `TIME '24:00:00' + INTERVAL 0 SECOND` is `00:00:00`).
    static func timePlusInterval(_ name: String, subtract: Bool) -> ScalarFunction {
        ScalarFunction(name, [.time, .interval], .time) { a, _, n, _ in
            let (t, x) = (IntRows(a[0]), IntervalRows(a[1]))
            return intKernel([t, x], n, .time) {
                let micros = x.at($0).micros
                var diff = micros % microsPerDay
                if subtract { diff = -diff }
                var r = t.values[$0 &* t.step] &+ diff
                if r >= microsPerDay { r -= microsPerDay } else if r < 0 { r += microsPerDay }
                return r
            }
        }
    }

    /// make_time(hour, minute, seconds) as DuckDB's `MakeTimeOperator`: whole seconds and the
    /// fraction rounded to microseconds; seconds up to 60 and a fraction up to a whole second carry
    /// (`make_time(12, 34, 60)` is 12:35:00), `24:00:00` is the last time.
    /// - Throws: `KuaiError.execution` "Time out of range: 25:0:0.000000" for other values.
    static func makeTime(_ h: Int64, _ m: Int64, _ s: Double) throws -> Int64 {
        guard h >= Int64(Int32.min), h <= Int64(Int32.max), m >= Int64(Int32.min), m <= Int64(Int32.max),
            s.isFinite, s > -2_147_483_648.5, s < 2_147_483_647.5
        else { throw KuaiError(.execution, "Time out of range: \(h):\(m):\(s)") }
        let whole = s < 0 || s > 60 ? Int64(s.rounded(.toNearestOrEven)) : Int64(s)
        let micros = Int64(((s - Double(whole)) * 1_000_000).rounded())
        let valid: Bool
        if h < 0 || h >= 24 {
            valid = h == 24 && m == 0 && whole == 0 && micros == 0
        } else {
            valid = m >= 0 && m < 60 && whole >= 0 && whole <= 60 && micros >= 0 && micros <= 1_000_000
        }
        guard valid else {
            throw KuaiError(.execution, "Time out of range: \(h):\(m):\(whole).\(sixDigits(micros))")
        }
        return ((h * 60 + m) * 60 + whole) * 1_000_000 + micros
    }

    /// `v` with at least six digits (`000000`), as C's `%06d`.
    static func sixDigits(_ v: Int64) -> String {
        let digits = String(v.magnitude)
        return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
}
