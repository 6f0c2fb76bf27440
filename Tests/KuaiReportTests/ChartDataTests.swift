import KuaiChart
import KuaiCore
import Testing

@testable import KuaiReport

/// A result table from columns of text; a column is numeric when every value parses as a Double.
func table(_ columns: [(String, DataType, [String?])]) -> ResultTable {
    ResultTable(
        names: columns.map(\.0), types: columns.map(\.1), texts: columns.map(\.2),
        numbers: columns.map { c in c.2.map { t in c.1.isNumeric ? t.flatMap(Double.init) : nil } })
}

func recipe(_ header: String) throws -> Recipe {
    try RecipeParser.parse(header + "\nSELECT 1\n", name: "r", origin: "r.sql")
}

@Suite struct ChartDataTests {
    let long = table([
        ("age", .varchar, ["18-23", "18-23", "24-30", "24-30"]),
        ("who", .varchar, ["users", "streamers", "users", "streamers"]),
        ("pct", .double, ["10.5", "20", nil, "30"]),
    ])

    @Test func longFormatBarsPivotBySeries() throws {
        let r = try recipe("-- title: t\n-- chart: bars\n-- x: age\n-- series: who\n-- y: pct")
        let plan = try ChartData.plan(r, long)
        guard case .bars(let chart) = plan.drawing else {
            Issue.record("not bars")
            return
        }
        #expect(chart.categories == ["18-23", "24-30"])
        #expect(chart.series.map(\.name) == ["users", "streamers"])
        #expect(chart.series[0].values == [DataPoint(10.5, ref: "0:2"), nil])
        #expect(chart.series[1].values == [DataPoint(20, ref: "1:2"), DataPoint(30, ref: "3:2")])
        let pivot = try #require(plan.pivot)
        #expect(pivot.rowLabels == ["18-23", "24-30"] && pivot.columnLabels == ["users", "streamers"])
        #expect(pivot.cells[1][0] == PivotTable.Cell(text: nil, ref: "2:2"))
    }

    @Test func wideFormatBarsHaveOneSeriesPerColumn() throws {
        let t = table([("k", .varchar, ["a", "b"]), ("x", .bigint, ["1", "2"]), ("y", .hugeint, ["3", "4"])])
        let plan = try ChartData.plan(try recipe("-- title: t\n-- chart: bars\n-- x: k\n-- y: x, Y"), t)
        guard case .bars(let chart) = plan.drawing else {
            Issue.record("not bars")
            return
        }
        #expect(chart.series.map(\.name) == ["x", "Y"])
        #expect(chart.series[1].values == [DataPoint(3, ref: "0:2"), DataPoint(4, ref: "1:2")])
        #expect(plan.pivot == nil)
    }

    @Test func linesOverTextXUseCategoriesAndMarkersComeFromTheirColumn() throws {
        let t = table([
            ("day", .varchar, ["D0", "D1", "D2"]), ("v", .double, ["1", "2", "3"]),
            ("m", .varchar, [nil, "here", nil]),
        ])
        let plan = try ChartData.plan(try recipe("-- title: t\n-- chart: lines\n-- x: day\n-- y: v\n-- marker: m"), t)
        guard case .lines(let chart) = plan.drawing else {
            Issue.record("not lines")
            return
        }
        #expect(chart.categories == ["D0", "D1", "D2"])
        #expect(chart.series[0].points.map(\.x) == [0, 1, 2])
        #expect(chart.markers == [LineMarker(x: 1, label: "here", ref: "1:2")])
    }

    @Test func heatmapCellsByRowAndColumn() throws {
        let t = table([
            ("cohort", .varchar, ["05-05", "05-05", "05-06"]), ("day", .varchar, ["D0", "D1", "D0"]),
            ("rate", .double, ["100", "40", "100"]),
        ])
        let r = try recipe("-- title: t\n-- chart: heatmap\n-- x: day\n-- y: cohort\n-- value: rate")
        let plan = try ChartData.plan(r, t)
        guard case .heatmap(let chart) = plan.drawing else {
            Issue.record("not a heatmap")
            return
        }
        #expect(chart.rows == ["05-05", "05-06"] && chart.columns == ["D0", "D1"])
        #expect(chart.cells[1] == [DataPoint(100, ref: "2:2"), nil])
    }

    @Test(arguments: [
        (
            "-- title: t\n-- chart: bars\n-- x: age\n-- y: nope",
            "column \"nope\" is not in the result (columns: age, who, pct)"
        ),
        (
            "-- title: t\n-- chart: bars\n-- x: pct\n-- y: who",
            "column \"who\" is VARCHAR, not a number: it cannot give a height"
        ),
        ("-- title: t\n-- chart: bars\n-- x: age\n-- y: pct", ""),
        (
            "-- title: t\n-- chart: heatmap\n-- x: age\n-- y: age\n-- value: pct",
            "two rows for y and x (18-23, 18-23): each pair must occur once"
        ),
        (
            "-- title: t\n-- chart: lines\n-- x: age\n-- x-scale: log\n-- y: pct",
            "column \"age\" is VARCHAR: a log x axis needs numbers"
        ),
    ])
    func resultsThatDoNotFitAreErrors(header: String, expected: String) throws {
        let r = try recipe(header)
        if expected.isEmpty {
            _ = try ChartData.plan(r, long)
        } else {
            #expect(throws: ChartShapeError(message: expected)) { try ChartData.plan(r, long) }
        }
    }

    @Test func moreSeriesThanColoursIsAnError() throws {
        let names = (0..<9).map { "s\($0)" }
        let t = table([
            ("x", .varchar, names.map { _ in "a" }), ("s", .varchar, names), ("v", .bigint, names.map { _ in "1" }),
        ])
        let r = try recipe("-- title: t\n-- chart: bars\n-- x: x\n-- series: s\n-- y: v")
        #expect(throws: ChartShapeError(message: "9 series; a chart draws at most 8 (one colour each)")) {
            try ChartData.plan(r, t)
        }
    }
}
