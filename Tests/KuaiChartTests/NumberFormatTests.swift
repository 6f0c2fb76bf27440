import Testing

@testable import KuaiChart

@Suite struct NumberFormatTests {
    @Test(arguments: [
        (3.14159, 2, "3.14"), (2.5, 0, "3"), (-2.5, 0, "-3"), (0.005, 2, "0.01"), (-0.004, 2, "0.00"),
        (1234567.891, 1, "1234567.9"), (0.5, 3, "0.500"), (7, 0, "7"), (-0.0, 0, "0"),
    ])
    func fixed(value: Double, decimals: Int, expected: String) {
        #expect(NumberFormat.fixed(value, decimals: decimals) == expected)
    }

    @Test func fixedNonFinite() {
        #expect(NumberFormat.fixed(.infinity, decimals: 2) == "inf")
        #expect(NumberFormat.fixed(-.infinity, decimals: 2) == "-inf")
        #expect(NumberFormat.fixed(.nan, decimals: 2) == "nan")
    }

    @Test(arguments: [
        ("4909515", "4,909,515"), ("-1234.5", "-1,234.5"), ("999", "999"), ("1000", "1,000"),
        ("1234567.25", "1,234,567.25"), ("1e+20", "1e+20"), ("2025-05-05", "2025-05-05"), ("abc", "abc"),
        ("", ""), ("-", "-"), ("12.5.1", "12.5.1"), ("+12345", "+12,345"),
    ])
    func groupDigits(text: String, expected: String) {
        #expect(NumberFormat.groupDigits(text) == expected)
    }

    @Test(arguments: [(5.0, 0), (0.5, 1), (0.25, 2), (0.1, 1), (2e-3, 3), (1e6, 0)])
    func decimalsForStep(step: Double, expected: Int) {
        #expect(NumberFormat.decimals(forStep: step) == expected)
    }

    @Test func tickLabelsPickOneUnitForTheAxis() {
        #expect(NumberFormat.tickLabels([0, 250, 500], step: 250) == ["0", "250", "500"])
        #expect(NumberFormat.tickLabels([0, 2500, 5000], step: 2500) == ["0", "2,500", "5,000"])
        #expect(NumberFormat.tickLabels([0, 10000, 20000], step: 10000) == ["0", "10k", "20k"])
        #expect(
            NumberFormat.tickLabels([0, 500_000, 1_000_000, 1_500_000], step: 500_000) == ["0", "0.5M", "1.0M", "1.5M"])
        #expect(NumberFormat.tickLabels([0, 0.5, 1], step: 0.5) == ["0", "0.5", "1.0"])
        #expect(NumberFormat.tickLabels([-20, 0, 20], step: 20) == ["-20", "0", "20"])
    }

    @Test(arguments: [
        (0.05, "0.05"), (2.0, "2"), (15.0, "15"), (100.0, "100"), (1000.0, "1k"), (2500.0, "2.5k"),
        (10000.0, "10k"), (1_234_567.0, "1.23M"), (3e9, "3B"), (0.0, "0"), (-1500.0, "-1.5k"),
    ])
    func compact(value: Double, expected: String) {
        #expect(NumberFormat.compact(value) == expected)
    }

    @Test(arguments: [
        (1_234_567.0, "1,234,567"), (66.19, "66.19"), (8.33, "8.33"), (0.1234567, "0.12346"), (1234.5678, "1,234.6"),
        (-0.5, "-0.5"), (0.1 + 0.2, "0.3"),
    ])
    func value(value: Double, expected: String) {
        #expect(NumberFormat.value(value) == expected)
    }

    @Test func coordinatesHaveAtMostTwoDecimals() {
        #expect(NumberFormat.coordinate(12) == "12")
        #expect(NumberFormat.coordinate(12.5) == "12.5")
        #expect(NumberFormat.coordinate(1.0 / 3) == "0.33")
        #expect(NumberFormat.coordinate(-0.001) == "0")
    }
}
