import KuaiChart
import Testing

@testable import KuaiReport

@Suite struct RecipeParserTests {
    static let good = """

        -- title: Clicks by hour
        -- chart: lines
        -- A free comment line: Not a field (capital letter).
        -- x: hour_cn
        -- x-label: hour (China time)
        -- y: clicks, watch
        -- y-label: count
        -- y-scale: log
        -- marker: note
        -- tables: click, room
        -- notes: first line
        -- notes: second line
        SELECT 1 AS hour_cn
        -- a comment inside the SQL
        """

    @Test func readsEveryField() throws {
        let r = try RecipeParser.parse(RecipeParserTests.good, name: "h", origin: "dir/h.sql")
        #expect(r.title == "Clicks by hour")
        #expect(r.chart == .lines)
        #expect(r.x == "hour_cn" && r.xLabel == "hour (China time)" && r.xScale == .linear)
        #expect(r.y == ["clicks", "watch"] && r.yLabel == "count" && r.yScale == .log)
        #expect(r.marker == "note" && r.series == nil && r.value == nil)
        #expect(r.tables == ["click", "room"])
        #expect(r.notes == "first line second line")
        #expect(r.sql == "SELECT 1 AS hour_cn\n-- a comment inside the SQL")
        #expect(r.sqlFirstLine == 14)
        #expect(r.columnsUsed == ["hour_cn", "clicks", "watch", "note"])
    }

    @Test func labelsDefaultToColumnNames() throws {
        let r = try RecipeParser.parse(
            "-- title: t\n-- chart: heatmap\n-- x: a\n-- y: b\n-- value: v\nSELECT 1\n", name: "n", origin: "o")
        #expect(r.xLabel == "a" && r.yLabel == "b" && r.valueLabel == "v" && r.tables.isEmpty)
    }

    @Test func crlfLinesAreRead() throws {
        let r = try RecipeParser.parse(
            "-- title: t\r\n-- chart: bars\r\n-- x: a\r\n-- y: b\r\nSELECT 1\r\n", name: "n", origin: "o")
        #expect(r.title == "t" && r.y == ["b"])
    }

    static let header = "-- title: t\n-- chart: bars\n-- x: a\n-- y: b\n"

    @Test(arguments: [
        (
            "-- title: t\n-- chart: bars\n-- x: a\n-- y: b\n-- colour: red\nSELECT 1",
            "o.sql:5: unknown header field \"colour\""
        ),
        (
            "-- title: t\n-- title: u\n-- chart: bars\n-- x: a\n-- y: b\nSELECT 1",
            "o.sql:2: header field \"title\" given twice (first on line 1)"
        ),
        ("-- title:\n-- chart: bars\n-- x: a\n-- y: b\nSELECT 1", "o.sql:1: header field \"title\" has no value"),
        ("-- chart: bars\n-- x: a\n-- y: b\nSELECT 1", "o.sql:1: missing header field \"title\""),
        ("-- title: t\n-- x: a\n-- y: b\nSELECT 1", "o.sql:1: missing header field \"chart\""),
        (
            "-- title: t\n-- chart: pie\n-- x: a\n-- y: b\nSELECT 1",
            "o.sql:2: unknown chart \"pie\" (charts: bars, lines, heatmap)"
        ),
        ("-- title: t\n-- chart: bars\n-- y: b\nSELECT 1", "o.sql:1: missing header field \"x\""),
        (header + "-- y-scale: sqrt\nSELECT 1", "o.sql:5: y-scale must be linear or log, not \"sqrt\""),
        (header + "-- x-scale: log\nSELECT 1", "o.sql:5: x-scale does not apply to bars (the x axis holds categories)"),
        (header + "-- marker: m\nSELECT 1", "o.sql:5: marker applies to lines only"),
        (header + "-- value: v\nSELECT 1", "o.sql:5: value applies to heatmaps only"),
        (
            "-- title: t\n-- chart: bars\n-- x: a\n-- y: b, c\n-- series: s\nSELECT 1",
            "o.sql:4: y must name one column when series is given"
        ),
        ("-- title: t\n-- chart: bars\n-- x: a\n-- y: b,,c\nSELECT 1", "o.sql:4: an empty column name in y"),
        (
            "-- title: t\n-- chart: heatmap\n-- x: a\n-- y: b\nSELECT 1",
            "o.sql:1: missing header field \"value\" (heatmaps)"
        ),
        (
            "-- title: t\n-- chart: heatmap\n-- x: a\n-- y: b\n-- value: v\n-- series: s\nSELECT 1",
            "o.sql:6: series does not apply to heatmaps"
        ),
        (
            "-- title: t\n-- chart: heatmap\n-- x: a\n-- y: b, c\n-- value: v\nSELECT 1",
            "o.sql:4: y must name one column for a heatmap"
        ),
        (header + "\n  \n-- only a comment\n", "o.sql:5: no SQL after the header"),
        (header, "o.sql:5: no SQL after the header"),
    ])
    func badHeadersAreErrorsWithTheirLine(text: String, expected: String) {
        #expect(throws: RecipeError.self) { try RecipeParser.parse(text, name: "o", origin: "o.sql") }
        do {
            _ = try RecipeParser.parse(text, name: "o", origin: "o.sql")
        } catch let e as RecipeError {
            #expect(e.description.hasPrefix(expected), "\(e.description)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
