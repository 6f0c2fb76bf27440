/// How kuai-query shows a result: the box table's and the chart's limits, and whether csv and tsv
/// start with a header line (`--no-header`).
public struct DisplayOptions: Sendable {
    public var box: BoxOptions
    public var chart: ChartOptions
    /// csv and tsv: write the header line (DuckDB's CLI `-noheader` turns it off; markdown, line and
    /// the box table always name their columns, as in DuckDB).
    public var header: Bool
    public init(box: BoxOptions = BoxOptions(), chart: ChartOptions = ChartOptions(), header: Bool = true) {
        self.box = box
        self.chart = chart
        self.header = header
    }
}
