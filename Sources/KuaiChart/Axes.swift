/// Axis drawing shared by the bar and line charts: grid, ticks, tick labels, axis titles.
enum Axes {
    /// Pixels left of the plot for the y axis: tick labels, gap, rotated title.
    static func leftMargin(_ y: AxisScale) -> Double {
        let widest = y.labels.map { ChartStyle.textWidth($0, fontSize: ChartStyle.tickFontSize) }.max() ?? 0
        return (widest + 8 + ChartStyle.labelFontSize + 14).rounded(.up)
    }

    /// Horizontal grid lines and labels of `y` (minor ticks: faint lines only), and the rotated
    /// axis title centred on the plot.
    static func drawY(_ svg: inout SVGWriter, _ y: AxisScale, _ plot: PlotArea, title: String) {
        for t in y.minorTicks where t > y.lower && t < y.upper {
            let py = y.position(t, from: plot.bottom, to: plot.top)
            svg.element(
                "line",
                [
                    ("x1", .number(plot.left)), ("x2", .number(plot.right)), ("y1", .number(py)),
                    ("y2", .number(py)), ("stroke", "#EEEEEE"), ("stroke-width", 1),
                ])
        }
        for (t, label) in zip(y.ticks, y.labels) {
            let py = y.position(t, from: plot.bottom, to: plot.top)
            svg.element(
                "line",
                [
                    ("x1", .number(plot.left)), ("x2", .number(plot.right)), ("y1", .number(py)),
                    ("y2", .number(py)), ("stroke", .string(ChartStyle.gridColor)), ("stroke-width", 1),
                ])
            svg.text(
                label,
                [
                    ("x", .number(plot.left - 6)), ("y", .number(py + 4)), ("text-anchor", "end"),
                    ("fill", .string(ChartStyle.textColor)),
                ])
        }
        drawYTitle(&svg, title, plot)
    }

    /// The y axis title, rotated, centred on the plot's height at the left edge of the image.
    static func drawYTitle(_ svg: inout SVGWriter, _ title: String, _ plot: PlotArea) {
        let cy = (plot.top + plot.bottom) / 2
        svg.text(
            title,
            [
                ("x", .number(ChartStyle.labelFontSize + 2)), ("y", .number(cy)), ("text-anchor", "middle"),
                (
                    "transform",
                    .string(
                        "rotate(-90 \(NumberFormat.coordinate(ChartStyle.labelFontSize + 2)) \(NumberFormat.coordinate(cy)))"
                    )
                ),
                ("font-size", .number(ChartStyle.labelFontSize)), ("fill", .string(ChartStyle.textColor)),
            ])
    }

    /// The x axis line, vertical grid lines and labels of a numeric `x` scale.
    static func drawX(_ svg: inout SVGWriter, _ x: AxisScale, _ plot: PlotArea) {
        for t in x.minorTicks where t > x.lower && t < x.upper {
            let px = x.position(t, from: plot.left, to: plot.right)
            svg.element(
                "line",
                [
                    ("x1", .number(px)), ("x2", .number(px)), ("y1", .number(plot.top)), ("y2", .number(plot.bottom)),
                    ("stroke", "#F2F2F2"), ("stroke-width", 1),
                ])
        }
        for (t, label) in zip(x.ticks, x.labels) {
            let px = x.position(t, from: plot.left, to: plot.right)
            svg.element(
                "line",
                [
                    ("x1", .number(px)), ("x2", .number(px)), ("y1", .number(plot.top)),
                    ("y2", .number(plot.bottom + 4)), ("stroke", .string(ChartStyle.gridColor)), ("stroke-width", 1),
                ])
            svg.text(
                label,
                [
                    ("x", .number(px)), ("y", .number(plot.bottom + 16)), ("text-anchor", "middle"),
                    ("fill", .string(ChartStyle.textColor)),
                ])
        }
    }

    /// How category labels fit under a band of `band` pixels: every `step`-th label is written,
    /// rotated by 40 degrees when the longest does not fit flat; `height` = pixels they take.
    static func categoryLayout(_ labels: [String], band: Double) -> (step: Int, rotated: Bool, height: Double) {
        let widest = labels.map { ChartStyle.textWidth($0, fontSize: ChartStyle.tickFontSize) }.max() ?? 0
        if widest <= band * Double(1) - 4 { return (1, false, 18) }
        let step = max(1, Int((ChartStyle.tickFontSize * 1.6 / max(band, 1)).rounded(.up)))
        let height = min(widest, 160) * 0.643 + ChartStyle.tickFontSize + 8
        return (step, true, height)
    }

    /// Labels of categories centred in equal bands across the plot, below it.
    static func drawCategories(_ svg: inout SVGWriter, _ labels: [String], _ plot: PlotArea) {
        guard !labels.isEmpty else { return }
        let band = plot.width / Double(labels.count)
        let layout = categoryLayout(labels, band: band)
        for (i, label) in labels.enumerated() where i % layout.step == 0 {
            let px = plot.left + band * (Double(i) + 0.5)
            let shown = label.count > 28 ? String(label.prefix(27)) + "\u{2026}" : label
            if layout.rotated {
                let py = plot.bottom + 12
                svg.text(
                    shown,
                    [
                        ("x", .number(px)), ("y", .number(py)), ("text-anchor", "end"),
                        (
                            "transform",
                            .string("rotate(-40 \(NumberFormat.coordinate(px)) \(NumberFormat.coordinate(py)))")
                        ),
                        ("fill", .string(ChartStyle.textColor)),
                    ])
            } else {
                svg.text(
                    shown,
                    [
                        ("x", .number(px)), ("y", .number(plot.bottom + 16)), ("text-anchor", "middle"),
                        ("fill", .string(ChartStyle.textColor)),
                    ])
            }
        }
    }

    /// The x axis title centred under the plot, at `y`.
    static func drawXTitle(_ svg: inout SVGWriter, _ title: String, _ plot: PlotArea, y: Double) {
        svg.text(
            title,
            [
                ("x", .number((plot.left + plot.right) / 2)), ("y", .number(y)), ("text-anchor", "middle"),
                ("font-size", .number(ChartStyle.labelFontSize)), ("fill", .string(ChartStyle.textColor)),
            ])
    }

    /// The frame's left and bottom axis lines.
    static func drawFrame(_ svg: inout SVGWriter, _ plot: PlotArea) {
        svg.element(
            "polyline",
            [
                (
                    "points",
                    .string(
                        "\(NumberFormat.coordinate(plot.left)),\(NumberFormat.coordinate(plot.top)) \(NumberFormat.coordinate(plot.left)),\(NumberFormat.coordinate(plot.bottom)) \(NumberFormat.coordinate(plot.right)),\(NumberFormat.coordinate(plot.bottom))"
                    )
                ),
                ("fill", "none"), ("stroke", .string(ChartStyle.axisColor)), ("stroke-width", 1),
            ])
    }
}
