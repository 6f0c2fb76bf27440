/// One value a chart draws, and where it came from.
public struct DataPoint: Sendable, Equatable {
    public var value: Double
    /// Written as the mark's `data-ref` attribute (the report writes `rowIndex:columnIndex` of the
    /// query result), so the numbers drawn can be checked against their source; nil writes none.
    public var ref: String?

    public init(_ value: Double, ref: String? = nil) {
        self.value = value
        self.ref = ref
    }
}

/// A named series of a bar chart: one optional value per category (nil draws no bar).
public struct BarSeries: Sendable, Equatable {
    public var name: String
    public var values: [DataPoint?]

    public init(name: String, values: [DataPoint?]) {
        self.name = name
        self.values = values
    }
}

/// A point of a line series: `x` is a number on a numeric x axis, or a 0-based category index
/// when the chart has categories.
public struct LinePoint: Sendable, Equatable {
    public var x: Double
    public var y: DataPoint

    public init(x: Double, y: DataPoint) {
        self.x = x
        self.y = y
    }
}

/// A named series of a line chart, drawn in the order of its points.
public struct LineSeries: Sendable, Equatable {
    public var name: String
    public var points: [LinePoint]

    public init(name: String, points: [LinePoint]) {
        self.name = name
        self.points = points
    }
}

/// A vertical rule across a line chart at `x`, labelled with `label` (e.g. "top 1%: 45% of clicks").
public struct LineMarker: Sendable, Equatable {
    public var x: Double
    public var label: String
    public var ref: String?

    public init(x: Double, label: String, ref: String? = nil) {
        self.x = x
        self.label = label
        self.ref = ref
    }
}

/// A drawn chart: the `<svg>` element, and notes about what could not be drawn (values <= 0 on a
/// log axis, series past the palette), for the page to print under the chart.
public struct ChartOutput: Sendable, Equatable {
    public var svg: String
    public var notes: [String]
}

/// A rectangle in SVG pixels (y grows downwards).
struct PlotArea {
    var left: Double
    var top: Double
    var right: Double
    var bottom: Double
    var width: Double { right - left }
    var height: Double { bottom - top }
}

/// Attributes naming the source of a drawn value: `data-ref` (when known) and `data-v`, the value
/// as Swift's shortest round-trip text, so a checker can compare it with the query's answer.
func sourceAttributes(_ p: DataPoint) -> [(String, SVGValue)] {
    var a: [(String, SVGValue)] = [("data-v", .string(String(p.value)))]
    if let ref = p.ref { a.append(("data-ref", .string(ref))) }
    return a
}

/// The note for values a log axis cannot show (nil when none was dropped).
func droppedNote(_ count: Int, axis: String) -> String? {
    guard count > 0 else { return nil }
    return "\(count) value\(count == 1 ? "" : "s") <= 0 not drawn: the \(axis) axis is logarithmic."
}

/// The note for series past the palette (nil when there are none).
func extraSeriesNote(_ count: Int) -> String? {
    guard count > Palette.maxSeries else { return nil }
    return "\(count) series: colours repeat after \(Palette.maxSeries); see the table."
}
