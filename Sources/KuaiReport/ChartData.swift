import KuaiChart

/// A result that does not have the shape its recipe's chart needs (a missing column, text where
/// a number is needed, two rows for one cell, too many series).
public struct ChartShapeError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public var description: String { message }
}

/// A chart's data in matrix form, for the page's compact table: `cells[r][c]` is the (text, ref)
/// of row label `r`, column label `c` (from a long-format result: x by series, or heatmap y by x).
public struct PivotTable: Sendable, Equatable {
    /// The column whose values label the rows, the one labelling the columns, the one in the cells.
    public var corner: String
    public var across: String
    public var valueName: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var cells: [[Cell?]]

    public struct Cell: Sendable, Equatable {
        /// DuckDB's text of the value; nil for NULL.
        public var text: String?
        public var ref: String
    }
}

/// A chart ready to draw, and its pivot table when the result is in long format.
public struct ChartPlan: Sendable {
    public enum Drawing: Sendable {
        case bars(BarChart)
        case lines(LineChart)
        case heatmap(Heatmap)
    }

    public var drawing: Drawing
    public var pivot: PivotTable?

    /// Draws the chart (`id` is the SVG element id).
    public func render(id: String, title: String) -> ChartOutput {
        switch drawing {
        case .bars(let c): return c.render(id: id, title: title)
        case .lines(let c): return c.render(id: id, title: title)
        case .heatmap(let c): return c.render(id: id, title: title)
        }
    }
}

/// Turns a recipe's result into chart data (the data side; drawing is KuaiChart's). Rules of the
/// result's shape: Formats/report-recipe.md, "Result shape".
public enum ChartData {
    /// - Throws: `ChartShapeError` when the result does not fit the chart.
    public static func plan(_ recipe: Recipe, _ table: ResultTable) throws -> ChartPlan {
        var index: [String: Int] = [:]
        for name in recipe.columnsUsed {
            guard let c = table.column(name) else {
                throw ChartShapeError(
                    message: "column \"\(name)\" is not in the result (columns: \(table.names.joined(separator: ", ")))"
                )
            }
            index[name] = c
        }
        let numeric = recipe.chart == .heatmap ? [recipe.value!] : recipe.y
        for name in numeric where !table.isNumeric(index[name]!) {
            throw ChartShapeError(
                message: "column \"\(name)\" is \(table.types[index[name]!]), not a number: it cannot give a height")
        }
        switch recipe.chart {
        case .bars: return try bars(recipe, table, index)
        case .lines: return try lines(recipe, table, index)
        case .heatmap: return try heatmap(recipe, table, index)
        }
    }

    /// The distinct texts of column `c` in order of first appearance (NULL reads "NULL"), and each
    /// row's position in that list.
    static func categories(_ table: ResultTable, _ c: Int) -> (labels: [String], position: [Int]) {
        var labels: [String] = []
        var seen: [String: Int] = [:]
        var position: [Int] = []
        for text in table.texts[c] {
            let label = text ?? "NULL"
            if let i = seen[label] {
                position.append(i)
            } else {
                seen[label] = labels.count
                position.append(labels.count)
                labels.append(label)
            }
        }
        return (labels, position)
    }

    static func point(_ table: ResultTable, row: Int, column: Int) -> DataPoint? {
        guard let v = table.numbers[column][row] else { return nil }
        return DataPoint(v, ref: ResultTable.ref(row: row, column: column))
    }

    /// Long format: the matrix of `valueColumn` by (row category, column category); two rows for
    /// one cell are an error.
    static func matrix(
        _ table: ResultTable, rows: Int, columns: Int, value: Int, what: String
    ) throws -> (rows: [String], columns: [String], cells: [[DataPoint?]], pivot: PivotTable) {
        let r = categories(table, rows)
        let c = categories(table, columns)
        var cells = [[DataPoint?]](
            repeating: [DataPoint?](repeating: nil, count: c.labels.count), count: r.labels.count)
        var pivotCells = [[PivotTable.Cell?]](
            repeating: [PivotTable.Cell?](repeating: nil, count: c.labels.count), count: r.labels.count)
        var filled = [[Bool]](repeating: [Bool](repeating: false, count: c.labels.count), count: r.labels.count)
        for row in 0..<table.rowCount {
            let (i, j) = (r.position[row], c.position[row])
            guard !filled[i][j] else {
                throw ChartShapeError(
                    message: "two rows for \(what) (\(r.labels[i]), \(c.labels[j])): each pair must occur once")
            }
            filled[i][j] = true
            cells[i][j] = point(table, row: row, column: value)
            pivotCells[i][j] = PivotTable.Cell(
                text: table.texts[value][row], ref: ResultTable.ref(row: row, column: value))
        }
        let pivot = PivotTable(
            corner: table.names[rows], across: table.names[columns], valueName: table.names[value], rowLabels: r.labels,
            columnLabels: c.labels, cells: pivotCells)
        return (r.labels, c.labels, cells, pivot)
    }

    static func checkSeriesCount(_ n: Int) throws {
        guard n <= Palette.maxSeries else {
            throw ChartShapeError(message: "\(n) series; a chart draws at most \(Palette.maxSeries) (one colour each)")
        }
    }

    static func bars(_ recipe: Recipe, _ table: ResultTable, _ index: [String: Int]) throws -> ChartPlan {
        let x = index[recipe.x]!
        if let s = recipe.series {
            let m = try matrix(table, rows: x, columns: index[s]!, value: index[recipe.y[0]]!, what: "x and series")
            try checkSeriesCount(m.columns.count)
            let series = m.columns.indices.map { j in BarSeries(name: m.columns[j], values: m.cells.map { $0[j] }) }
            let chart = BarChart(
                categories: m.rows, series: series, xTitle: recipe.xLabel, yTitle: recipe.yLabel, yScale: recipe.yScale)
            return ChartPlan(drawing: .bars(chart), pivot: m.pivot)
        }
        try checkSeriesCount(recipe.y.count)
        let labels = table.texts[x].map { $0 ?? "NULL" }
        let series = recipe.y.map { name in
            BarSeries(
                name: name, values: (0..<table.rowCount).map { point(table, row: $0, column: index[name]!) })
        }
        let chart = BarChart(
            categories: labels, series: series, xTitle: recipe.xLabel, yTitle: recipe.yLabel, yScale: recipe.yScale)
        return ChartPlan(drawing: .bars(chart), pivot: nil)
    }

    static func lines(_ recipe: Recipe, _ table: ResultTable, _ index: [String: Int]) throws -> ChartPlan {
        let x = index[recipe.x]!
        let numericX = table.isNumeric(x)
        if recipe.xScale == .log && !numericX {
            throw ChartShapeError(message: "column \"\(recipe.x)\" is \(table.types[x]): a log x axis needs numbers")
        }
        let cats = categories(table, x)
        func xValue(_ row: Int) -> Double? { numericX ? table.numbers[x][row] : Double(cats.position[row]) }
        var series: [LineSeries] = []
        var pivot: PivotTable? = nil
        if let s = recipe.series {
            let m = try matrix(table, rows: x, columns: index[s]!, value: index[recipe.y[0]]!, what: "x and series")
            try checkSeriesCount(m.columns.count)
            pivot = m.pivot
            let seriesOf = categories(table, index[s]!)
            series = seriesOf.labels.map { LineSeries(name: $0, points: []) }
            for row in 0..<table.rowCount {
                guard let xv = xValue(row), let p = point(table, row: row, column: index[recipe.y[0]]!) else {
                    continue
                }
                series[seriesOf.position[row]].points.append(LinePoint(x: xv, y: p))
            }
        } else {
            try checkSeriesCount(recipe.y.count)
            series = recipe.y.map { name in
                LineSeries(
                    name: name,
                    points: (0..<table.rowCount).compactMap { row in
                        guard let xv = xValue(row), let p = point(table, row: row, column: index[name]!) else {
                            return nil
                        }
                        return LinePoint(x: xv, y: p)
                    })
            }
        }
        var markers: [LineMarker] = []
        if let m = recipe.marker.flatMap({ index[$0] }) {
            for row in 0..<table.rowCount {
                guard let label = table.texts[m][row], let xv = xValue(row) else { continue }
                markers.append(LineMarker(x: xv, label: label, ref: ResultTable.ref(row: row, column: m)))
            }
        }
        let chart = LineChart(
            series: series, categories: numericX ? nil : cats.labels, markers: markers, xTitle: recipe.xLabel,
            yTitle: recipe.yLabel, xScale: recipe.xScale, yScale: recipe.yScale)
        return ChartPlan(drawing: .lines(chart), pivot: pivot)
    }

    static func heatmap(_ recipe: Recipe, _ table: ResultTable, _ index: [String: Int]) throws -> ChartPlan {
        let m = try matrix(
            table, rows: index[recipe.y[0]]!, columns: index[recipe.x]!, value: index[recipe.value!]!, what: "y and x")
        let chart = Heatmap(
            columns: m.columns, rows: m.rows, cells: m.cells, xTitle: recipe.xLabel, yTitle: recipe.yLabel,
            valueTitle: recipe.valueLabel)
        return ChartPlan(drawing: .heatmap(chart), pivot: m.pivot)
    }
}
