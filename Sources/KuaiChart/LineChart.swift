/// Lines through points, one per series, with a dot at every point.
///
/// The x axis is numeric (linear or log) or, when `categories` is given, one band per category
/// (points' x are category indexes). The y axis is linear (from 0 when every value is >= 0) or log.
/// Points a log axis cannot show are left out, the line breaking there, and counted in a note.
/// Series differ by colour and by dash pattern; markers draw labelled vertical rules.
public struct LineChart: Sendable {
    public var series: [LineSeries]
    public var categories: [String]?
    public var markers: [LineMarker]
    public var xTitle: String
    public var yTitle: String
    public var xScale: ScaleKind
    public var yScale: ScaleKind
    public var height: Double

    public init(
        series: [LineSeries], categories: [String]? = nil, markers: [LineMarker] = [], xTitle: String, yTitle: String,
        xScale: ScaleKind = .linear, yScale: ScaleKind = .linear, height: Double = 400
    ) {
        self.series = series
        self.categories = categories
        self.markers = markers
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.xScale = categories == nil ? xScale : .linear
        self.yScale = yScale
        self.height = height
    }

    /// True when `p` can be placed on both axes.
    func drawable(_ p: LinePoint) -> Bool {
        p.x.isFinite && p.y.value.isFinite && (xScale == .linear || p.x > 0) && (yScale == .linear || p.y.value > 0)
    }

    /// The chart as an `<svg>` element with id `id` and accessible title `title`.
    public func render(id: String, title: String) -> ChartOutput {
        let width = ChartStyle.width
        let points = series.flatMap(\.points).filter(drawable)
        let dropped = series.reduce(0) { $0 + $1.points.count } - points.count
        let ys = points.map(\.y.value)
        let y = AxisTicks.scale(yScale, min: ys.min() ?? 1, max: ys.max() ?? 1, includeZero: (ys.min() ?? 0) >= 0)
        let xs = points.map(\.x) + markers.map(\.x).filter { $0.isFinite && (xScale == .linear || $0 > 0) }
        let x = AxisTicks.scale(
            xScale, min: xs.min() ?? 1, max: xs.max() ?? 1, count: 9, includeZero: false, tight: true)
        let legend = Legend(names: series.count > 1 ? series.map(\.name) : [], swatch: .line)
        let left = Axes.leftMargin(y)
        let legendHeight = legend.height(left: left, right: width - 12)
        let markerHeight = Double(markers.count) * 15
        let bottomLabels: Double
        if let categories {
            bottomLabels =
                Axes.categoryLayout(categories, band: (width - 24 - left) / Double(max(categories.count, 1)))
                .height
        } else {
            bottomLabels = 18
        }
        let plot = PlotArea(
            left: left, top: 12 + legendHeight + markerHeight, right: width - 24,
            bottom: height - bottomLabels - ChartStyle.labelFontSize - 14)
        var svg = SVGWriter(width: width, height: height)
        legend.draw(&svg, left: left, right: width - 12, top: 8)
        Axes.drawY(&svg, y, plot, title: yTitle)
        if let categories { Axes.drawCategories(&svg, categories, plot) } else { Axes.drawX(&svg, x, plot) }
        let place: (Double) -> Double = { v in
            if let categories {
                let band = plot.width / Double(max(categories.count, 1))
                return plot.left + band * (v + 0.5)
            }
            return x.position(v, from: plot.left, to: plot.right)
        }
        drawMarkers(&svg, plot, place, labelTop: 12 + legendHeight)
        for (i, s) in series.enumerated() { drawSeries(&svg, s, index: i, y: y, plot: plot, place: place) }
        Axes.drawFrame(&svg, plot)
        Axes.drawXTitle(&svg, xTitle, plot, y: height - 8)
        let notes =
            [droppedNote(dropped, axis: xScale == .log && yScale == .log ? "x or y" : xScale == .log ? "x" : "y")]
            .compactMap { $0 } + [extraSeriesNote(series.count)].compactMap { $0 }
        return ChartOutput(svg: svg.finish(id: id, title: title), notes: notes)
    }

    func drawSeries(
        _ svg: inout SVGWriter, _ s: LineSeries, index: Int, y: AxisScale, plot: PlotArea, place: (Double) -> Double
    ) {
        let colour = SVGValue.string(Palette.seriesColor(index))
        svg.beginGroup([("class", "series")])
        var run: [String] = []
        func flush() {
            if run.count > 1 {
                var line: [(String, SVGValue)] = [
                    ("points", .string(run.joined(separator: " "))), ("fill", "none"), ("stroke", colour),
                    ("stroke-width", 2), ("stroke-linejoin", "round"),
                ]
                let dash = Palette.dashPattern(index)
                if !dash.isEmpty { line.append(("stroke-dasharray", .string(dash))) }
                svg.element("polyline", line)
            }
            run = []
        }
        for p in s.points {
            guard drawable(p) else {
                flush()
                continue
            }
            run.append(
                NumberFormat.coordinate(place(p.x)) + ","
                    + NumberFormat.coordinate(y.position(p.y.value, from: plot.bottom, to: plot.top)))
        }
        flush()
        let xText: (Double) -> String = { v in
            if let categories = self.categories, let i = Int(exactly: v), categories.indices.contains(i) {
                return categories[i]
            }
            return NumberFormat.value(v)
        }
        for p in s.points where drawable(p) {
            var dot: [(String, SVGValue)] = [
                ("cx", .number(place(p.x))), ("cy", .number(y.position(p.y.value, from: plot.bottom, to: plot.top))),
                ("r", 2.5), ("fill", colour),
            ]
            dot += sourceAttributes(p.y)
            let label = (series.count > 1 ? s.name + ", " : "") + xText(p.x) + ": " + NumberFormat.value(p.y.value)
            svg.element("circle", dot, tooltip: label)
        }
        svg.endGroup()
    }

    /// Dashed vertical rules with their labels stacked above the plot, one line each.
    func drawMarkers(_ svg: inout SVGWriter, _ plot: PlotArea, _ place: (Double) -> Double, labelTop: Double) {
        for (i, m) in markers.enumerated() where m.x.isFinite && (xScale == .linear || m.x > 0) {
            let px = place(m.x)
            let ly = labelTop + Double(i) * 15 + 11
            var rule: [(String, SVGValue)] = [
                ("x1", .number(px)), ("x2", .number(px)), ("y1", .number(ly + 3)), ("y2", .number(plot.bottom)),
                ("stroke", .string(ChartStyle.axisColor)), ("stroke-width", 1), ("stroke-dasharray", "4 3"),
            ]
            if let ref = m.ref { rule.append(("data-ref", .string(ref))) }
            svg.element("line", rule)
            let leftHalf = px < (plot.left + plot.right) / 2
            svg.text(
                m.label,
                [
                    ("x", .number(leftHalf ? px + 4 : px - 4)), ("y", .number(ly)),
                    ("text-anchor", leftHalf ? "start" : "end"), ("font-size", .number(ChartStyle.labelFontSize)),
                    ("fill", .string(ChartStyle.textColor)),
                ])
        }
    }
}
