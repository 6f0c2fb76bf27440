import Testing

@testable import KuaiChart

@Suite struct AxisTicksTests {
    @Test(arguments: [
        (0.7, false, 1.0), (1.0, false, 1.0), (1.2, false, 2.0), (3.0, false, 5.0), (7.0, false, 10.0),
        (1.2, true, 1.0), (1.6, true, 2.0), (2.9, true, 2.0), (3.0, true, 5.0), (7.5, true, 10.0),
        (0.023, true, 0.02), (4200.0, true, 5000.0),
    ])
    func niceNumbers(x: Double, round: Bool, expected: Double) {
        #expect(abs(AxisTicks.niceNumber(x, round: round) - expected) < 1e-12)
    }

    @Test func linearTicksAreNiceAndCoverTheValues() {
        let s = AxisTicks.linear(min: 0, max: 97)
        #expect(s.ticks == [0, 20, 40, 60, 80, 100])
        #expect(s.labels == ["0", "20", "40", "60", "80", "100"])
        #expect(s.lower == 0 && s.upper == 100)
        let neg = AxisTicks.linear(min: -3, max: 17)
        #expect(neg.lower <= -3 && neg.upper >= 17)
        #expect(neg.ticks.contains(0))
        let frac = AxisTicks.linear(min: 0.12, max: 0.93, includeZero: false)
        #expect(frac.ticks.first! <= 0.12 && frac.ticks.last! >= 0.93)
        #expect(frac.labels.allSatisfy { $0.count <= 3 })
    }

    @Test func linearTicksIncludeZeroOnlyWhenAsked() {
        #expect(AxisTicks.linear(min: 40, max: 90).lower == 0)
        #expect(AxisTicks.linear(min: 40, max: 90, includeZero: false).lower == 40)
    }

    @Test func tightAxisEndsAtTheData() {
        let hours = AxisTicks.linear(min: 0, max: 23, count: 9, includeZero: false, tight: true)
        #expect(hours.lower == 0 && hours.upper == 23)
        #expect(hours.ticks == [0, 5, 10, 15, 20])
    }

    @Test func emptyAndBadRanges() {
        let zero = AxisTicks.linear(min: 0, max: 0)
        #expect(zero.lower == 0 && zero.upper == 1)
        let one = AxisTicks.linear(min: 5, max: 5, includeZero: false)
        #expect(one.lower < 5 && one.upper > 5)
        let nan = AxisTicks.linear(min: .nan, max: 3)
        #expect(nan.lower == 0 && nan.upper == 1)
    }

    @Test func logTicksArePowersOfTen() {
        let s = AxisTicks.log(min: 3, max: 4500)
        #expect(s.kind == .log)
        #expect(s.lower == 1 && s.upper == 10000)
        #expect(s.ticks == [1, 10, 100, 1000, 10000])
        #expect(s.labels == ["1", "10", "100", "1k", "10k"])
        #expect(s.minorTicks.contains(2) && s.minorTicks.contains(9000))
    }

    @Test func shortLogAxesLabel2And5() {
        let s = AxisTicks.log(min: 2, max: 40)
        #expect(s.ticks == [1, 2, 5, 10, 20, 50, 100])
        #expect(!s.minorTicks.contains(2) && s.minorTicks.contains(3))
    }

    @Test func longLogAxesLabelEveryOtherPower() {
        let s = AxisTicks.log(min: 1, max: 1e12)
        #expect(s.ticks == [1, 100, 1e4, 1e6, 1e8, 1e10, 1e12])
        #expect(s.minorTicks.contains(10))
        #expect(s.labels.last == "1T")
    }

    @Test func logAxisOfAPowerOfTenHasOneDecade() {
        let s = AxisTicks.log(min: 100, max: 100)
        #expect(s.lower == 100 && s.upper == 1000)
    }

    @Test func positionsMapTheDomainOntoPixels() {
        let lin = AxisTicks.linear(min: 0, max: 100)
        #expect(lin.position(50, from: 0, to: 200) == 100)
        #expect(lin.position(0, from: 300, to: 100) == 300)
        let log = AxisTicks.log(min: 1, max: 1000)
        #expect(abs(log.position(10, from: 0, to: 300) - 100) < 1e-9)
        #expect(abs(log.position(100, from: 0, to: 300) - 200) < 1e-9)
        #expect(!log.canShow(0) && !log.canShow(-1) && log.canShow(0.5))
        #expect(lin.canShow(-1) && !lin.canShow(.infinity))
    }
}
