import KuaiChart

/// The chart kinds a recipe can ask for (Formats/report-recipe.md, "Chart kinds").
public enum ChartKind: String, Sendable, CaseIterable {
    /// Grouped vertical bars: categories from `x`, one bar per y column or per `series` value.
    case bars
    /// Lines with dots: `x` numeric (linear or log axis) or categorical.
    case lines
    /// A matrix of coloured cells: columns from `x`, rows from `y`, colour from `value`.
    case heatmap
}

/// One chart of the report: what to draw (the header fields of the recipe file) and the SQL that
/// computes it. Normative description: Formats/report-recipe.md.
public struct Recipe: Sendable, Equatable {
    /// The file name without `.sql` ("01-demographics"); identifies the recipe (`--only`,
    /// replacing a built-in recipe, the HTML anchor).
    public var name: String
    /// Where the recipe came from: "built-in" or the file's path (for messages).
    public var origin: String
    public var title: String
    public var chart: ChartKind
    /// The x column (bars, lines: categories or numbers; heatmap: the columns of the matrix).
    public var x: String
    public var xLabel: String
    public var xScale: ScaleKind
    /// The y columns (bars, lines: one or more numeric columns; with `series` exactly one; heatmap:
    /// exactly one, the rows of the matrix).
    public var y: [String]
    public var yLabel: String
    public var yScale: ScaleKind
    /// Long format: the column whose values name the series (bars, lines).
    public var series: String?
    /// Heatmap: the numeric column that colours the cells.
    public var value: String?
    public var valueLabel: String
    /// Lines: a column whose non-NULL values label a vertical rule at the row's x.
    public var marker: String?
    /// The store tables the SQL reads; a chart whose tables are missing is not run.
    public var tables: [String]
    /// Text printed under the chart.
    public var notes: String
    /// The query: the file after the header, unchanged (run by kuai, shown in the page).
    public var sql: String
    /// The 1-based line of the file where `sql` starts (to place query errors in the file).
    public var sqlFirstLine: Int

    /// Every column the chart reads, in header order.
    public var columnsUsed: [String] { [x] + y + [series, value, marker].compactMap { $0 } }
}

/// A recipe file that does not follow Formats/report-recipe.md: where (`origin:line`) and what.
public struct RecipeError: Error, CustomStringConvertible, Sendable, Equatable {
    public let location: String
    public let message: String

    public init(_ message: String, at location: String) {
        self.location = location
        self.message = message
    }

    public var description: String { location + ": " + message }
}
