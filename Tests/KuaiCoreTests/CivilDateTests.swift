import KuaiCore
import Testing

/// `CivilDate.civil`'s 32-bit form (Neri and Schneider) against Hinnant's `civilWide`, and both
/// against `days(year:month:day:)`, over every day within ±1,000,000 days of 1970 and every
/// 7th day out to the ends of the 32-bit form and past them.
@Suite("CivilDate")
struct CivilDateTests {
    @Test func thirtyTwoBitFormAgreesWithTheWideOne() {
        var mismatches = 0
        var day: Int64 = -12_000_100
        while day <= 12_000_100 {
            let a = CivilDate.civil(day)
            let b = CivilDate.civilWide(day)
            if a != b || CivilDate.days(year: a.year, month: a.month, day: a.day) != day { mismatches += 1 }
            day += (day >= -1_000_000 && day <= 1_000_000) ? 1 : 7
        }
        #expect(mismatches == 0)
    }

    @Test func knownDates() {
        #expect(CivilDate.civil(0) == (1970, 1, 1))
        #expect(CivilDate.civil(-1) == (1969, 12, 31))
        #expect(CivilDate.civil(20_234) == (2025, 5, 26))
        #expect(CivilDate.civil(11_016) == (2000, 2, 29))
        #expect(CivilDate.civil(-719_528) == (0, 1, 1))
        #expect(CivilDate.civil(-719_529) == (-1, 12, 31))
    }
}
