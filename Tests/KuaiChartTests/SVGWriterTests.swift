import Foundation
import Testing

@testable import KuaiChart

/// The number of occurrences of `needle` in `text`.
func occurrences(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

@Suite struct SVGWriterTests {
    @Test(arguments: [
        "<svg><text>a</svg>", "<a>", "x<a/>", "<a b=c/>", "<a b=\"<\"/>", "<a>&nope;</a>", "<a>&</a>", "<a/><b/>",
        "<a b=\"1\"", "</a>",
    ])
    func theCheckerRejectsMalformedXML(xml: String) {
        #expect(!isWellFormedXML(xml))
    }

    @Test func theCheckerAcceptsWellFormedXML() {
        #expect(xmlProblem("<a x=\"1 &amp; 2\">t &lt; u &#39;<b/><c></c></a>\n") == nil)
    }

    @Test(arguments: [
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("say \"hi\" it's", "say &quot;hi&quot; it&#39;s"),
        ("</svg><script>alert(1)</script>", "&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("tab\tnew\nline", "tab\tnew\nline"),
        ("bell\u{07}nul\u{00}", "bell\u{FFFD}nul\u{FFFD}"),
        ("Zürich 北京 👍", "Zürich 北京 👍"),
        ("", ""),
    ])
    func escape(text: String, expected: String) {
        #expect(SVGWriter.escape(text) == expected)
    }

    @Test func elementsTextAndTooltipsAreEscaped() {
        var svg = SVGWriter(width: 100, height: 50)
        svg.element("rect", [("x", 1.5), ("y", .number(2.0 / 3)), ("fill", "#000\"><x")], tooltip: "a<b")
        svg.text("x & y", [("x", 3)])
        let out = svg.finish(id: "t1", title: "title <1>")
        #expect(out.contains("<rect x=\"1.5\" y=\"0.67\" fill=\"#000&quot;&gt;&lt;x\"><title>a&lt;b</title></rect>"))
        #expect(out.contains("<text x=\"3\">x &amp; y</text>"))
        #expect(out.contains("<title id=\"t1-title\">title &lt;1&gt;</title>"))
        #expect(out.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"t1\" viewBox=\"0 0 100 50\""))
        #expect(isWellFormedXML(out))
    }

    /// Data that looks like markup stays text in every chart kind, and the result is well-formed XML.
    @Test func hostileLabelsStayText() {
        let evil = "</svg><script>alert('x')</script>&amp;"
        let bars = BarChart(
            categories: [evil, "b"], series: [BarSeries(name: evil, values: [DataPoint(1), DataPoint(2)])],
            xTitle: evil, yTitle: evil
        ).render(id: "c1", title: evil)
        let lines = LineChart(
            series: [
                LineSeries(name: evil, points: [LinePoint(x: 0, y: DataPoint(1)), LinePoint(x: 1, y: DataPoint(3))])
            ],
            categories: [evil, "z"], markers: [LineMarker(x: 1, label: evil)], xTitle: evil, yTitle: evil
        ).render(id: "c2", title: evil)
        let heat = Heatmap(
            columns: [evil], rows: [evil], cells: [[DataPoint(5)]], xTitle: evil, yTitle: evil, valueTitle: evil
        ).render(id: "c3", title: evil)
        for out in [bars.svg, lines.svg, heat.svg] {
            #expect(!out.contains("<script"))
            #expect(isWellFormedXML(out))
        }
    }
}

@Suite struct ChartTests {
    @Test func barsDrawOneMarkPerValueWithItsSource() {
        let chart = BarChart(
            categories: ["a", "b", "c"],
            series: [
                BarSeries(name: "s1", values: [DataPoint(1, ref: "0:1"), DataPoint(2, ref: "1:1"), nil]),
                BarSeries(
                    name: "s2", values: [DataPoint(3, ref: "0:2"), DataPoint(0, ref: "1:2"), DataPoint(-1, ref: "2:2")]),
            ], xTitle: "x", yTitle: "y")
        let out = chart.render(id: "b", title: "t")
        #expect(occurrences("data-ref=", in: out.svg) == 5)
        #expect(out.svg.contains("data-v=\"-1.0\" data-ref=\"2:2\""))
        #expect(out.svg.contains(">s1<") && out.svg.contains(">s2<"))  // the legend
        #expect(out.notes.isEmpty)
        #expect(isWellFormedXML(out.svg))
    }

    @Test func logBarsLeaveOutValuesBelowOneAndSaySo() {
        let chart = BarChart(
            categories: ["a", "b", "c"],
            series: [BarSeries(name: "s", values: [DataPoint(10), DataPoint(0), DataPoint(1000)])],
            xTitle: "x", yTitle: "y", yScale: .log)
        let out = chart.render(id: "b", title: "t")
        #expect(occurrences("data-v=", in: out.svg) == 2)
        #expect(out.notes == ["1 value <= 0 not drawn: the y axis is logarithmic."])
        #expect(!out.svg.contains("legend\">\n<rect"))  // one series: no legend items
    }

    @Test func linesBreakAtMissingPointsAndDrawMarkers() {
        let s = LineSeries(
            name: "s",
            points: [
                LinePoint(x: 1, y: DataPoint(5)), LinePoint(x: 2, y: DataPoint(4)), LinePoint(x: 3, y: DataPoint(0)),
                LinePoint(x: 4, y: DataPoint(2)), LinePoint(x: 5, y: DataPoint(1)),
            ])
        let out = LineChart(
            series: [s], markers: [LineMarker(x: 2, label: "top 1%", ref: "1:3")], xTitle: "rank", yTitle: "clicks",
            xScale: .log, yScale: .log
        ).render(id: "l", title: "t")
        #expect(occurrences("<polyline points=", in: out.svg) == 2 + 1)  // two runs + the axis frame
        #expect(occurrences("<circle", in: out.svg) == 4)
        #expect(out.svg.contains(">top 1%</text>"))
        #expect(out.svg.contains("data-ref=\"1:3\""))
        #expect(out.notes.first == "1 value <= 0 not drawn: the x or y axis is logarithmic.")
        #expect(isWellFormedXML(out.svg))
    }

    @Test func heatmapColoursCellsAndCountsBlanks() {
        let out = Heatmap(
            columns: ["D0", "D1"], rows: ["r1", "r2"],
            cells: [[DataPoint(100, ref: "0:3"), DataPoint(50, ref: "1:3")], [DataPoint(0, ref: "2:3"), nil]],
            xTitle: "day", yTitle: "cohort", valueTitle: "rate (%)"
        ).render(id: "h", title: "t")
        #expect(out.svg.contains("fill=\"#FDE725\""))  // 100 is the top of the 0...100 scale
        #expect(out.svg.contains("fill=\"#440154\""))  // 0 is the bottom
        #expect(occurrences("data-ref=", in: out.svg) == 3)
        #expect(out.notes == ["1 blank cell: no row in the result."])
        #expect(out.svg.contains("url(#h-scale)"))
        #expect(isWellFormedXML(out.svg))
    }

    @Test func renderingIsDeterministic() {
        let chart = Heatmap(
            columns: ["a"], rows: ["b"], cells: [[DataPoint(1)]], xTitle: "x", yTitle: "y", valueTitle: "v")
        #expect(chart.render(id: "h", title: "t") == chart.render(id: "h", title: "t"))
    }
}
