import KuaiChart

/// The HTML tables of a chart's numbers. Every value cell carries `data-ref="row:column"` (0-based,
/// in the query result) and `data-v` (DuckDB's text of the value; absent for NULL), so a checker can
/// compare the page with another engine's answer to the same SQL (Tools/report_check.py).
enum HTMLTable {
    /// Results up to this many rows are shown whole; longer ones are sampled or pivoted, with the
    /// whole result in a collapsed block.
    static let shownRows = 30

    static func escape(_ s: String) -> String { SVGWriter.escape(s) }

    /// A value cell: numbers right-aligned with thousands grouped, NULL as a grey "NULL".
    static func cell(_ text: String?, ref: String, numeric: Bool) -> String {
        guard let text else { return "<td class=\"null\" data-ref=\"" + ref + "\">NULL</td>" }
        let shown = numeric ? NumberFormat.groupDigits(text) : text
        return "<td" + (numeric ? " class=\"n\"" : "") + " data-ref=\"" + ref + "\" data-v=\"" + escape(text) + "\">"
            + escape(shown) + "</td>"
    }

    /// The rows `rows` (indexes into the result) of `table`, all columns, with a header of the
    /// column names and their types.
    static func result(_ table: ResultTable, rows: [Int], caption: String) -> String {
        var s = "<div class=\"scroll\"><table class=\"data\"><caption>" + escape(caption) + "</caption>\n<thead><tr>"
        for (name, type) in zip(table.names, table.types) {
            s +=
                "<th scope=\"col\">" + escape(name) + "<span class=\"type\">" + escape(type.description.lowercased())
                + "</span></th>"
        }
        s += "</tr></thead>\n<tbody>\n"
        for r in rows {
            s += "<tr>"
            for c in table.names.indices {
                s += cell(table.texts[c][r], ref: ResultTable.ref(row: r, column: c), numeric: table.isNumeric(c))
            }
            s += "</tr>\n"
        }
        return s + "</tbody></table></div>\n"
    }

    /// The matrix form of a long-format result: row labels down, column labels across.
    static func pivot(_ p: PivotTable, numeric: Bool, caption: String) -> String {
        var s =
            "<div class=\"scroll\"><table class=\"data pivot\"><caption>" + escape(caption)
            + "</caption>\n<thead><tr><th scope=\"col\">" + escape(p.corner) + "</th>"
        for label in p.columnLabels { s += "<th scope=\"col\">" + escape(label) + "</th>" }
        s += "</tr></thead>\n<tbody>\n"
        for (r, label) in p.rowLabels.enumerated() {
            s += "<tr><th scope=\"row\">" + escape(label) + "</th>"
            for c in p.columnLabels.indices {
                if let cell = p.cells[r][c] {
                    s += HTMLTable.cell(cell.text, ref: cell.ref, numeric: numeric)
                } else {
                    s += "<td class=\"blank\"></td>"
                }
            }
            s += "</tr>\n"
        }
        return s + "</tbody></table></div>\n"
    }

    /// At most `limit` evenly spread row indexes of `0..<count`, always holding the first and last
    /// rows and every row in `keep` (e.g. rows that carry a marker).
    static func sample(count: Int, limit: Int, keep: Set<Int>) -> [Int] {
        guard count > limit else { return Array(0..<count) }
        var rows = keep.filter { $0 >= 0 && $0 < count }
        rows.insert(0)
        rows.insert(count - 1)
        let slots = max(limit - rows.count, 1)
        for k in 0..<slots { rows.insert(k * (count - 1) / max(slots - 1, 1)) }
        return rows.sorted()
    }

    /// The numbers block of a drawn chart: the long-format matrix when the result has one that fits
    /// (at most 40 rows and 25 columns), else the whole result when short, else a sample of rows;
    /// the whole result is always there, in a collapsed `<details>` when not shown whole.
    static func numbers(_ outcome: ChartOutcome, _ table: ResultTable) -> String {
        let n = table.rowCount
        var s = ""
        if let p = outcome.pivot, p.rowLabels.count <= 40, p.columnLabels.count <= 25 {
            let numeric = table.column(p.valueName).map(table.isNumeric) ?? true
            s += pivot(
                p, numeric: numeric,
                caption: "The numbers: \(p.valueName) by \(p.corner) (rows) and \(p.across) (columns)")
        } else if n <= shownRows {
            return result(table, rows: Array(0..<n), caption: "The numbers: the query's \(n) rows")
        } else {
            var keep = Set<Int>()
            if let marker = outcome.recipe?.marker, let m = table.column(marker) {
                keep = Set((0..<n).filter { table.texts[m][$0] != nil })
            }
            let rows = sample(count: n, limit: 20, keep: keep)
            s += result(table, rows: rows, caption: "The numbers: \(rows.count) of the query's \(n) rows")
        }
        s += "<details class=\"rows\"><summary>All \(n) rows of the result</summary>\n"
        s += result(table, rows: Array(0..<n), caption: "The query's \(n) rows")
        return s + "</details>\n"
    }
}
