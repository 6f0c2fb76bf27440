/// Grouped vertical bars: one group per category, one bar per series in each group.
///
/// The y axis is linear from 0 (bars grow from the zero line; negative values hang below it) or
/// logarithmic (bars grow from the bottom of the axis; values <= 0 are not drawn and a note says
/// how many). A legend names the series when there are two or more.
public struct BarChart: Sendable {
    public var categories: [String]
    public var series: [BarSeries]
    public var xTitle: String
    public var yTitle: String
    public var yScale: ScaleKind
    public var height: Double

    public init(
        categories: [String], series: [BarSeries], xTitle: String, yTitle: String, yScale: ScaleKind = .linear,
        height: Double = 400
    ) {
        self.categories = categories
        self.series = series
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.yScale = yScale
        self.height = height
    }

    /// The chart as an `<svg>` element with id `id` and accessible title `title`.
    public func render(id: String, title: String) -> ChartOutput {
        let width = ChartStyle.width
        var shown: [Double] = []
        var dropped = 0
        for s in series {
            for case let p? in s.values {
                if p.value.isFinite && (yScale == .linear || p.value > 0) {
                    shown.append(p.value)
                } else {
                    dropped += 1
                }
            }
        }
        let y = AxisTicks.scale(yScale, min: shown.min() ?? 1, max: shown.max() ?? 1)
        let legend = Legend(names: series.count > 1 ? series.map(\.name) : [], swatch: .box)
        let left = Axes.leftMargin(y)
        let legendHeight = legend.height(left: left, right: width - 12)
        let band = (width - 16 - left) / Double(max(categories.count, 1))
        let xLabels = Axes.categoryLayout(categories, band: band)
        let plot = PlotArea(
            left: left, top: 12 + legendHeight, right: width - 16,
            bottom: height - xLabels.height - ChartStyle.labelFontSize - 14)
        var svg = SVGWriter(width: width, height: height)
        legend.draw(&svg, left: left, right: width - 12, top: 8)
        Axes.drawY(&svg, y, plot, title: yTitle)
        drawBars(&svg, y, plot)
        Axes.drawFrame(&svg, plot)
        Axes.drawCategories(&svg, categories, plot)
        Axes.drawXTitle(&svg, xTitle, plot, y: height - 8)
        let notes = [droppedNote(dropped, axis: "y"), extraSeriesNote(series.count)].compactMap { $0 }
        return ChartOutput(svg: svg.finish(id: id, title: title), notes: notes)
    }

    func drawBars(_ svg: inout SVGWriter, _ y: AxisScale, _ plot: PlotArea) {
        guard !categories.isEmpty, !series.isEmpty else { return }
        let band = plot.width / Double(categories.count)
        let groupWidth = band * 0.8
        let barWidth = groupWidth / Double(series.count)
        let base = y.kind == .log ? plot.bottom : y.position(0, from: plot.bottom, to: plot.top)
        for (si, s) in series.enumerated() {
            svg.beginGroup([("class", "series"), ("fill", .string(Palette.seriesColor(si)))])
            for (ci, point) in s.values.prefix(categories.count).enumerated() {
                guard let p = point, y.canShow(p.value) else { continue }
                let top = y.position(p.value, from: plot.bottom, to: plot.top)
                let x = plot.left + band * Double(ci) + (band - groupWidth) / 2 + barWidth * Double(si)
                var attributes: [(String, SVGValue)] = [
                    ("x", .number(x)), ("y", .number(min(top, base))), ("width", .number(max(barWidth - 1, 1))),
                    ("height", .number(max(abs(base - top), 0.5))),
                ]
                attributes += sourceAttributes(p)
                let label =
                    (series.count > 1 ? s.name + ", " : "") + categories[ci] + ": " + NumberFormat.value(p.value)
                svg.element("rect", attributes, tooltip: label)
            }
            svg.endGroup()
        }
    }
}
