import KuaiChart

/// Writes a report as one self-contained HTML5 page: inline CSS (`PageStyle`), inline SVG charts,
/// no script, no external resource (no link, image, font or stylesheet is loaded), printable.
///
/// Per recipe, one `<section class="chart" id="c-NAME">`: the title (`h2`), the chart or a box saying
/// why there is none (class `problem` for a failure, `missing` for absent tables, `empty` for no
/// rows), the notes, the numbers (`HTMLTable`) and the SQL in a collapsed `<details class="sql">`.
public enum HTMLPage {
    /// An HTML id fragment from a recipe name: lowercase ASCII letters and digits, other runs of
    /// characters as one `-` ("01 Users/Age" -> "01-users-age").
    public static func anchor(_ name: String) -> String {
        var out = ""
        for ch in name.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) {
                out.append(ch)
            } else if !out.isEmpty && out.last != "-" {
                out.append("-")
            }
        }
        while out.last == "-" { out.removeLast() }
        return out.isEmpty ? "recipe" : out
    }

    static func escape(_ s: String) -> String { SVGWriter.escape(s) }

    /// The page.
    /// - Parameters:
    ///   - title: the page's `<title>` and `h1`.
    ///   - version: the tool's version line, printed in the header.
    public static func render(_ report: Report, title: String, version: String) -> String {
        var s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        s += "<title>" + escape(title) + "</title>\n<style>\n" + PageStyle.css + "</style>\n</head>\n<body>\n"
        s += header(report, title: title, version: version)
        s += contents(report)
        for outcome in report.outcomes { s += section(outcome) }
        s += "<footer><p>Charts drawn as SVG by kuai-report; colours: Okabe-Ito (series) and viridis (heatmaps). "
        s += "Every chart's numbers are in the table under it and its SQL in the block below that.</p></footer>\n"
        return s + "</body>\n</html>\n"
    }

    static func header(_ report: Report, title: String, version: String) -> String {
        let drawn = report.outcomes.filter { if case .drawn = $0.status { return true } else { return false } }.count
        let failed = report.outcomes.filter(\.isFailure).count
        let missing = report.outcomes.filter {
            if case .missingTables = $0.status { return true } else { return false }
        }.count
        let rows = report.tables.reduce(0) { $0 + $1.rows }
        var s = "<header>\n<h1>" + escape(title) + "</h1>\n<p class=\"meta\">Store <code>" + escape(report.storePath)
        s += "</code>: \(report.tables.count) table\(report.tables.count == 1 ? "" : "s"), "
        s += NumberFormat.grouped(Double(rows)) + " rows ("
        s += report.tables.map { escape($0.name) + " " + NumberFormat.grouped(Double($0.rows)) }.joined(separator: ", ")
        s += ").<br>\(report.outcomes.count) recipes: \(drawn) drawn"
        if missing > 0 { s += ", \(missing) skipped for missing tables" }
        if failed > 0 { s += ", <strong>\(failed) failed</strong>" }
        s += ". Built in " + NumberFormat.fixed(report.seconds, decimals: 2) + " s by " + escape(version) + ".</p>\n"
        let failures = report.outcomes.filter(\.isFailure)
        if !failures.isEmpty {
            s += "<div class=\"problem\" role=\"alert\"><p><strong>Recipes that failed</strong> (the rest of the "
            s += "report is complete):</p><ul>\n"
            for o in failures {
                s += "<li><a href=\"#c-" + anchor(o.name) + "\">" + escape(o.name) + "</a> ("
                s += escape(o.origin) + ")</li>\n"
            }
            s += "</ul></div>\n"
        }
        return s + "</header>\n"
    }

    static func contents(_ report: Report) -> String {
        var s = "<nav aria-label=\"Charts\"><ol>\n"
        for o in report.outcomes {
            let label = o.recipe?.title ?? o.name
            var badge = ""
            switch o.status {
            case .failed: badge = " <span class=\"badge failed\">failed</span>"
            case .missingTables: badge = " <span class=\"badge missing\">tables missing</span>"
            case .empty: badge = " <span class=\"badge\">no rows</span>"
            case .drawn: badge = ""
            }
            s += "<li><a href=\"#c-" + anchor(o.name) + "\">" + escape(label) + "</a>" + badge + "</li>\n"
        }
        return s + "</ol></nav>\n"
    }

    static func section(_ o: ChartOutcome) -> String {
        let status: String
        switch o.status {
        case .drawn: status = "drawn"
        case .empty: status = "empty"
        case .missingTables: status = "missing"
        case .failed: status = "failed"
        }
        var s =
            "<section class=\"chart\" id=\"c-" + anchor(o.name) + "\" data-recipe=\"" + escape(o.name)
            + "\" data-status=\"" + status + "\" data-seconds=\"" + NumberFormat.fixed(o.seconds, decimals: 4) + "\">\n"
        s += "<h2>" + escape(o.recipe?.title ?? o.name) + "</h2>\n"
        let kind = o.recipe.map { " \u{00B7} " + $0.chart.rawValue } ?? ""
        s += "<p class=\"meta\">Recipe <code>" + escape(o.name) + "</code> (" + escape(o.origin) + ")" + kind
        s += " \u{00B7} " + NumberFormat.fixed(o.seconds, decimals: 3) + " s</p>\n"
        switch o.status {
        case .drawn(let chart):
            s += "<figure>\n" + chart.svg + "</figure>\n"
            s += notes(o.recipe?.notes ?? "", chart.notes)
            if let table = o.table { s += HTMLTable.numbers(o, table) }
        case .empty:
            s += "<div class=\"empty\"><p>The query returned no rows: nothing to draw.</p></div>\n"
            s += notes(o.recipe?.notes ?? "", [])
            if let table = o.table { s += HTMLTable.result(table, rows: [], caption: "The query's columns (no rows)") }
        case .missingTables(let tables):
            s += "<div class=\"missing\"><p>Not drawn: this chart needs the table"
            s += tables.count == 1 ? " " : "s "
            s += tables.map { "<code>" + escape($0) + "</code>" }.joined(separator: ", ")
            s += ", which the store does not have. Convert the CSV"
            s += tables.count == 1 ? "" : "s"
            s += " into the store (kuai-convert) to draw it.</p></div>\n"
        case .failed(let message):
            s += "<div class=\"problem\" role=\"alert\"><p><strong>This chart could not be drawn.</strong></p>\n"
            s += "<pre>" + escape(message) + "</pre></div>\n"
        }
        s += "<details class=\"sql\"><summary>SQL</summary>\n<pre><code>"
        s += escape(o.sqlText.trimmingNewlines()) + "</code></pre></details>\n"
        return s + "</section>\n"
    }

    static func notes(_ recipeNotes: String, _ chartNotes: [String]) -> String {
        var s = ""
        if !recipeNotes.isEmpty { s += "<p class=\"notes\">" + escape(recipeNotes) + "</p>\n" }
        for n in chartNotes { s += "<p class=\"notes chart-note\">" + escape(n) + "</p>\n" }
        return s
    }
}

extension String {
    /// The text without blank lines at its start and end.
    func trimmingNewlines() -> String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false)
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}
