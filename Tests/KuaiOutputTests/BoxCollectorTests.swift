import KuaiCore
import KuaiPlan
import Testing

@testable import KuaiOutput

/// A result of `count` BIGINT rows 0, 1, 2, ... in two equal columns, in batches of 2048 rows.
func countingBatches(_ count: Int) -> [Batch] {
    stride(from: 0, to: count, by: 2048).map { start in
        let values = (start..<min(count, start + 2048)).map(Int64.init)
        return Batch(columns: [Column(type: .bigint, ints: values), Column(type: .bigint, ints: values)])
    }
}

/// The rows not shown are counted, not held: after a million rows the collector keeps the 43 first
/// rows as text and only the batches that hold the last 20.
@Test func boxCollectorKeepsOnlyShownRows() {
    let box = BoxCollector(fields: [Field("range", .bigint), Field("r2", .bigint)], options: BoxOptions())
    for b in countingBatches(1_000_000) { box.append(b) }
    #expect(box.rowCount == 1_000_000)
    #expect(box.retainedRows <= 20 + 2048)
    #expect(box.headRows == 43)
    let shown = box.shownRows()
    #expect(shown.top.count == 20 && shown.bottom.count == 20)
    #expect(shown.top.first?.first == "0" && shown.bottom.last?.first == "999999")
}

/// DuckDB's CLI on a terminal (large number rendering "footer"): a single row of large numbers gets
/// their readable forms under it, and a count of a million rows or more is written in millions with
/// the exact count after it. Expected text: DuckDB 1.5.6's CLI at an 80-column terminal (colours
/// removed); the 2.0.1 Python API does not render in this mode.
@Test func boxLargeNumbersOnTerminal() throws {
    let one = try QueryEngine(tables: []).execute("SELECT 11819964::BIGINT AS n, 4909515 AS clicks")
    let box = BoxCollector(fields: one.fields, options: BoxOptions(maxWidth: 80, largeNumbers: true))
    for b in one.batches { box.append(b) }
    #expect(
        box.render() == """
            ┌─────────────────┬────────────────┐
            │        n        │     clicks     │
            │      int64      │     int32      │
            ├─────────────────┼────────────────┤
            │    11819964     │    4909515     │
            │ (11.82 million) │ (4.91 million) │
            └─────────────────┴────────────────┘

            """)
    let mixed = try QueryEngine(tables: []).execute("SELECT 5 AS small, 11819964 AS big")
    let box2 = BoxCollector(fields: mixed.fields, options: BoxOptions(maxWidth: 80, largeNumbers: true))
    for b in mixed.batches { box2.append(b) }
    #expect(
        box2.render() == """
            ┌───────┬──────────┐
            │ small │   big    │
            │ int32 │  int32   │
            ├───────┼──────────┤
            │     5 │ 11819964 │
            └───────┴──────────┘

            """)
    let many = BoxCollector(
        fields: [Field("range", .bigint), Field("r2", .bigint)], options: BoxOptions(maxWidth: 80, largeNumbers: true))
    for b in countingBatches(1_500_000) { many.append(b) }
    let text = many.render()
    #expect(
        text.hasSuffix("└─────────┴─────────┘\n  1.50 million rows\n     (40 shown)     \n   (1500000 total)  \n"),
        "\(text)")
}

@Test func readableLargeNumbers() {
    #expect(readableLargeNumber("994999") == nil)
    #expect(readableLargeNumber("999999") == "1.00 million")  // rounded to hundredths of a million
    #expect(readableLargeNumber("995000") == "1.00 million")
    #expect(readableLargeNumber("1234567") == "1.23 million")
    #expect(readableLargeNumber("-1234567.89") == "-1.23 million")
    #expect(readableLargeNumber("1999999999") == "2.00 billion")
    #expect(readableLargeNumber("1.5e7") == nil)
    #expect(readableLargeNumber("12345") == nil)
}

@Test func displayWidths() {
    #expect(DisplayWidth.of("abc") == 3)
    #expect(DisplayWidth.of("主播") == 4)
    #expect(DisplayWidth.of("ｆｕｌｌ") == 8)
    #expect(DisplayWidth.of("😀") == 2)
    #expect(DisplayWidth.of("e\u{301}") == 1)  // e + combining acute: one cluster
    #expect(DisplayWidth.of("👍🏽") == 2)  // emoji + skin tone: one cluster
    #expect(DisplayWidth.of("한국어") == 6)
    #expect(DisplayWidth.prefix("主播小王", width: 5).text == "主播")
}
