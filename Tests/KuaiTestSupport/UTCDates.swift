import Foundation

/// Dates as day numbers (days since 1970-01-01) and `YYYY-MM-DD` text, computed with Foundation's
/// Gregorian calendar in UTC: an oracle for the tests that is independent of kuai's own date code
/// (KuaiIngest's parser, the engine's formatter). Meant for dates after 1582 (Foundation's
/// calendar switches to Julian before the Gregorian reform; kuai is proleptic Gregorian).
public enum UTCDates {
    static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// The day number of year `y`, month `m` (1-12), day `d`.
    public static func days(_ y: Int, _ m: Int, _ d: Int) -> Int64 {
        let date = calendar.date(from: DateComponents(year: y, month: m, day: d))!
        return Int64((date.timeIntervalSince1970 / 86_400).rounded())
    }

    /// `YYYY-MM-DD` of day number `days`.
    public static func text(_ days: Int64) -> String {
        let c = calendar.dateComponents(
            [.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
        func pad(_ v: Int, _ width: Int) -> String {
            String(repeating: "0", count: max(0, width - String(v).count)) + String(v)
        }
        return "\(pad(c.year!, 4))-\(pad(c.month!, 2))-\(pad(c.day!, 2))"
    }
}
