/// The legend of a chart with several series: a swatch and the series name per item, in rows
/// that wrap at the image width, above the plot.
struct Legend {
    enum Swatch {
        /// A filled square (bars).
        case box
        /// A short line in the series' dash pattern with a dot (lines).
        case line
    }

    let names: [String]
    let swatch: Swatch

    static let rowHeight = 18.0
    static let swatchWidth = 22.0

    func itemWidth(_ name: String) -> Double {
        Legend.swatchWidth + 6 + ChartStyle.textWidth(name, fontSize: ChartStyle.labelFontSize) + 16
    }

    /// The (x, row) of each item when the legend starts at `left` and wraps before `right`.
    func positions(left: Double, right: Double) -> [(x: Double, row: Int)] {
        var out: [(x: Double, row: Int)] = []
        var x = left
        var row = 0
        for name in names {
            let w = itemWidth(name)
            if x > left && x + w > right {
                x = left
                row += 1
            }
            out.append((x, row))
            x += w
        }
        return out
    }

    /// Pixels the legend takes between `left` and `right` (0 without names).
    func height(left: Double, right: Double) -> Double {
        guard let last = positions(left: left, right: right).last else { return 0 }
        return Double(last.row + 1) * Legend.rowHeight + 6
    }

    /// Draws the items with their top at `top`.
    func draw(_ svg: inout SVGWriter, left: Double, right: Double, top: Double) {
        svg.beginGroup([("class", "legend")])
        for (i, (name, pos)) in zip(names, positions(left: left, right: right)).enumerated() {
            let y = top + Double(pos.row) * Legend.rowHeight
            let colour = SVGValue.string(Palette.seriesColor(i))
            switch swatch {
            case .box:
                svg.element(
                    "rect",
                    [
                        ("x", .number(pos.x + 5)), ("y", .number(y + 2)), ("width", 12), ("height", 12),
                        ("fill", colour),
                    ])
            case .line:
                var line: [(String, SVGValue)] = [
                    ("x1", .number(pos.x)), ("x2", .number(pos.x + Legend.swatchWidth)), ("y1", .number(y + 8)),
                    ("y2", .number(y + 8)), ("stroke", colour), ("stroke-width", 2),
                ]
                let dash = Palette.dashPattern(i)
                if !dash.isEmpty { line.append(("stroke-dasharray", .string(dash))) }
                svg.element("line", line)
                svg.element(
                    "circle",
                    [
                        ("cx", .number(pos.x + Legend.swatchWidth / 2)), ("cy", .number(y + 8)), ("r", 3),
                        ("fill", colour),
                    ])
            }
            svg.text(
                name,
                [
                    ("x", .number(pos.x + Legend.swatchWidth + 6)), ("y", .number(y + 12.5)),
                    ("font-size", .number(ChartStyle.labelFontSize)), ("fill", .string(ChartStyle.textColor)),
                ])
        }
        svg.endGroup()
    }
}
