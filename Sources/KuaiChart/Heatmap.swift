/// A matrix of coloured cells: one row per row label, one column per column label, the colour
/// from the sequential palette (viridis) over the values' nice range, a colour bar with ticks
/// above the matrix, and the value written in each cell where it fits (in short form, 12.3k, when
/// the full one does not). A nil cell stays blank.
public struct Heatmap: Sendable {
    public var columns: [String]
    public var rows: [String]
    /// `cells[r][c]` is the value of row `r`, column `c` (rows x columns; short rows are blank).
    public var cells: [[DataPoint?]]
    public var xTitle: String
    public var yTitle: String
    public var valueTitle: String

    public init(
        columns: [String], rows: [String], cells: [[DataPoint?]], xTitle: String, yTitle: String, valueTitle: String
    ) {
        self.columns = columns
        self.rows = rows
        self.cells = cells
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.valueTitle = valueTitle
    }

    static let cellHeight = 22.0
    static let colourBarWidth = 220.0

    /// The chart as an `<svg>` element with id `id` and accessible title `title`.
    public func render(id: String, title: String) -> ChartOutput {
        let width = ChartStyle.width
        let values = cells.flatMap { $0.compactMap { $0?.value } }.filter(\.isFinite)
        let scale = AxisTicks.linear(
            min: values.min() ?? 0, max: values.max() ?? 1, count: 5, includeZero: (values.min() ?? 0) >= 0)
        let rowLabelWidth = rows.map { ChartStyle.textWidth($0, fontSize: ChartStyle.tickFontSize) }.max() ?? 0
        // The rotated y title needs the matrix's height; beside a short matrix it goes above the
        // row labels instead, flat.
        let flatTitle =
            ChartStyle.textWidth(yTitle, fontSize: ChartStyle.labelFontSize) + 12
            > Heatmap.cellHeight * Double(rows.count)
        let left = ((flatTitle ? 4 : ChartStyle.labelFontSize + 14) + rowLabelWidth + 8).rounded(.up)
        let band = (width - 16 - left) / Double(max(columns.count, 1))
        let columnLabels = Axes.categoryLayout(columns, band: band)
        let top = flatTitle ? 80.0 : 62.0
        let plot = PlotArea(
            left: left, top: top, right: width - 16, bottom: top + Heatmap.cellHeight * Double(rows.count))
        let height = plot.bottom + columnLabels.height + ChartStyle.labelFontSize + 14
        var svg = SVGWriter(width: width, height: height)
        drawColourBar(&svg, scale, left: left, id: id + "-scale")
        drawCells(&svg, scale, plot)
        for (r, label) in rows.enumerated() {
            svg.text(
                label,
                [
                    ("x", .number(left - 6)), ("y", .number(plot.top + Heatmap.cellHeight * (Double(r) + 0.5) + 4)),
                    ("text-anchor", "end"), ("fill", .string(ChartStyle.textColor)),
                ])
        }
        Axes.drawCategories(&svg, columns, plot)
        if flatTitle {
            svg.text(
                yTitle,
                [
                    ("x", .number(4)), ("y", .number(plot.top - 8)), ("font-size", .number(ChartStyle.labelFontSize)),
                    ("fill", .string(ChartStyle.textColor)),
                ])
        } else {
            Axes.drawYTitle(&svg, yTitle, plot)
        }
        Axes.drawXTitle(&svg, xTitle, plot, y: height - 8)
        let missing = rows.indices.reduce(0) { n, r in
            n + columns.indices.filter { c in r >= cells.count || c >= cells[r].count || cells[r][c] == nil }.count
        }
        let notes = missing > 0 ? ["\(missing) blank cell\(missing == 1 ? "" : "s"): no row in the result."] : []
        return ChartOutput(svg: svg.finish(id: id, title: title), notes: notes)
    }

    /// The fraction of the colour scale `v` sits at.
    func fraction(_ v: Double, _ scale: AxisScale) -> Double {
        scale.upper == scale.lower ? 0.5 : (v - scale.lower) / (scale.upper - scale.lower)
    }

    func drawCells(_ svg: inout SVGWriter, _ scale: AxisScale, _ plot: PlotArea) {
        let w = plot.width / Double(max(columns.count, 1))
        let h = Heatmap.cellHeight
        svg.beginGroup([("class", "cells")])
        for r in rows.indices where r < cells.count {
            for c in columns.indices where c < cells[r].count {
                guard let p = cells[r][c], p.value.isFinite else { continue }
                let t = fraction(p.value, scale)
                let x = plot.left + w * Double(c)
                let y = plot.top + h * Double(r)
                var rect: [(String, SVGValue)] = [
                    ("x", .number(x)), ("y", .number(y)), ("width", .number(w)), ("height", .number(h)),
                    ("fill", .string(Palette.sequential(t))), ("stroke", "#FFFFFF"), ("stroke-width", 0.5),
                ]
                rect += sourceAttributes(p)
                let label = NumberFormat.value(p.value)
                svg.element("rect", rect, tooltip: rows[r] + ", " + columns[c] + ": " + label)
                // The value in the cell when it fits: in full, else in short form (12.3k).
                let fitting = [label, NumberFormat.compact(p.value)].first {
                    ChartStyle.textWidth($0, fontSize: 10) <= w - 3
                }
                if let fitting {
                    svg.text(
                        fitting,
                        [
                            ("x", .number(x + w / 2)), ("y", .number(y + h / 2 + 3.5)), ("text-anchor", "middle"),
                            ("font-size", 10), ("fill", .string(Palette.textColor(onSequential: t))),
                            ("pointer-events", "none"),
                        ])
                }
            }
        }
        svg.endGroup()
    }

    /// The colour bar: the value title, a gradient through the palette, ticks and labels below it.
    func drawColourBar(_ svg: inout SVGWriter, _ scale: AxisScale, left: Double, id gradientID: String) {
        let barLeft = left
        let barTop = 24.0
        var stops = "<defs><linearGradient id=\"" + gradientID + "\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"0\">"
        for i in 0...8 {
            let t = Double(i) / 8
            stops +=
                "<stop offset=\"" + NumberFormat.coordinate(t) + "\" stop-color=\"" + Palette.sequential(t) + "\"/>"
        }
        svg.raw(stops + "</linearGradient></defs>\n")
        svg.text(
            valueTitle,
            [
                ("x", .number(barLeft)), ("y", .number(16)), ("font-size", .number(ChartStyle.labelFontSize)),
                ("fill", .string(ChartStyle.textColor)),
            ])
        svg.element(
            "rect",
            [
                ("x", .number(barLeft)), ("y", .number(barTop)), ("width", .number(Heatmap.colourBarWidth)),
                ("height", 10), ("fill", .string("url(#" + gradientID + ")")),
            ])
        for (t, label) in zip(scale.ticks, scale.labels) {
            let x = barLeft + Heatmap.colourBarWidth * fraction(t, scale)
            svg.element(
                "line",
                [
                    ("x1", .number(x)), ("x2", .number(x)), ("y1", .number(barTop + 10)), ("y2", .number(barTop + 14)),
                    ("stroke", .string(ChartStyle.axisColor)),
                ])
            svg.text(label, [("x", .number(x)), ("y", .number(barTop + 25)), ("text-anchor", "middle")])
        }
    }
}
