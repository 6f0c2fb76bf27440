import KuaiChart

/// Reads recipe files: a header of `-- field: value` comment lines, then the SQL.
///
/// Rules (normative in Formats/report-recipe.md, "Header"): the header is the run of lines from
/// the top of the file that start with `--` (blank lines before it are skipped). A header line
/// `-- name: value` whose name is lowercase letters and `-` is a field; other comment lines are free
/// text. Field names are the ones in `RecipeParser.fields`; an unknown name, a repeated field
/// (except `notes`, whose lines are joined), an empty value or a bad value is an error naming the
/// file and line. The SQL is everything after the header.
public enum RecipeParser {
    /// The header fields, in the order the spec lists them.
    public static let fields = [
        "title", "chart", "x", "x-label", "x-scale", "y", "y-label", "y-scale", "series", "value",
        "value-label", "marker", "tables", "notes",
    ]

    /// Parses the text of one recipe file.
    /// - Parameters:
    ///   - name: the recipe's name (file name without `.sql`).
    ///   - origin: "built-in" or the path, used in `RecipeError.location` as `origin:line`.
    /// - Throws: `RecipeError` at the offending line (or line 1 for a missing field).
    public static func parse(_ text: String, name: String, origin: String) throws -> Recipe {
        // "\r\n" is one Character in Swift: split at either line end.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(
            String.init)
        var fieldValues: [String: (value: String, line: Int)] = [:]
        var index = 0
        while index < lines.count, lines[index].allSatisfy(\.isWhitespace) { index += 1 }
        while index < lines.count, lines[index].hasPrefix("--") {
            let lineNumber = index + 1
            if let (field, value) = headerField(lines[index]) {
                let at = origin + ":" + String(lineNumber)
                guard fields.contains(field) else {
                    throw RecipeError(
                        "unknown header field \"\(field)\" (fields: \(fields.joined(separator: ", ")))", at: at)
                }
                guard !value.isEmpty else { throw RecipeError("header field \"\(field)\" has no value", at: at) }
                if let previous = fieldValues[field] {
                    guard field == "notes" else {
                        throw RecipeError(
                            "header field \"\(field)\" given twice (first on line \(previous.line))", at: at)
                    }
                    fieldValues[field] = (previous.value + " " + value, previous.line)
                } else {
                    fieldValues[field] = (value, lineNumber)
                }
            }
            index += 1
        }
        let sql = lines[index...].joined(separator: "\n")  // CRLF files give LF SQL
        return try recipe(fieldValues, sql: sql, sqlFirstLine: index + 1, name: name, origin: origin)
    }

    /// `(name, value)` when `line` is `-- name: value` with a lowercase name, else nil.
    static func headerField(_ line: String) -> (String, String)? {
        let body = line.dropFirst(2).drop { $0 == " " || $0 == "\t" }
        guard let colon = body.firstIndex(of: ":") else { return nil }
        let field = body[..<colon]
        guard let first = field.first, first.isASCII, first.isLowercase,
            field.allSatisfy({ ($0.isASCII && $0.isLowercase) || $0 == "-" })
        else { return nil }
        let value = body[body.index(after: colon)...].trimming(" \t")
        return (String(field), value)
    }

    /// Builds and checks the recipe from its fields.
    static func recipe(
        _ f: [String: (value: String, line: Int)], sql: String, sqlFirstLine: Int, name: String, origin: String
    ) throws -> Recipe {
        func at(_ field: String) -> String { origin + ":" + String(f[field]?.line ?? 1) }
        func required(_ field: String) throws -> String {
            guard let v = f[field]?.value else {
                throw RecipeError("missing header field \"\(field)\"", at: origin + ":1")
            }
            return v
        }
        guard let chart = ChartKind(rawValue: try required("chart")) else {
            throw RecipeError(
                "unknown chart \"\(f["chart"]!.value)\" (charts: \(ChartKind.allCases.map(\.rawValue).joined(separator: ", ")))",
                at: at("chart"))
        }
        func scale(_ field: String) throws -> ScaleKind {
            guard let text = f[field]?.value else { return .linear }
            guard let s = ScaleKind(rawValue: text) else {
                throw RecipeError("\(field) must be linear or log, not \"\(text)\"", at: at(field))
            }
            return s
        }
        let x = try required("x")
        let y = try required("y").split(separator: ",", omittingEmptySubsequences: false).map { $0.trimming(" \t") }
        guard !y.contains(where: \.isEmpty) else { throw RecipeError("an empty column name in y", at: at("y")) }
        let tables = f["tables"].map {
            $0.value.split(separator: ",").map { $0.trimming(" \t") }.filter { !$0.isEmpty }
        }
        let recipe = Recipe(
            name: name, origin: origin, title: try required("title"), chart: chart, x: x,
            xLabel: f["x-label"]?.value ?? x, xScale: try scale("x-scale"), y: y,
            yLabel: f["y-label"]?.value ?? y.joined(separator: ", "), yScale: try scale("y-scale"),
            series: f["series"]?.value, value: f["value"]?.value,
            valueLabel: f["value-label"]?.value ?? f["value"]?.value ?? "", marker: f["marker"]?.value,
            tables: tables ?? [], notes: f["notes"]?.value ?? "", sql: sql, sqlFirstLine: sqlFirstLine)
        try check(recipe, fields: f, at: at)
        return recipe
    }

    /// The rules between fields: which fields each chart kind takes, and that there is SQL.
    static func check(_ r: Recipe, fields f: [String: (value: String, line: Int)], at: (String) -> String) throws {
        func refuse(_ field: String, _ why: String) throws {
            if f[field] != nil { throw RecipeError("\(field) \(why)", at: at(field)) }
        }
        switch r.chart {
        case .bars:
            try refuse("x-scale", "does not apply to bars (the x axis holds categories)")
            try refuse("value", "applies to heatmaps only")
            try refuse("marker", "applies to lines only")
        case .lines:
            try refuse("value", "applies to heatmaps only")
        case .heatmap:
            for field in ["x-scale", "y-scale", "series", "marker"] { try refuse(field, "does not apply to heatmaps") }
            if r.value == nil { throw RecipeError("missing header field \"value\" (heatmaps)", at: r.origin + ":1") }
            if r.y.count != 1 { throw RecipeError("y must name one column for a heatmap", at: at("y")) }
        }
        if r.series != nil && r.y.count != 1 {
            throw RecipeError("y must name one column when series is given", at: at("y"))
        }
        let code = r.sql.split(separator: "\n").filter {
            let t = $0.trimming(" \t\r")
            return !t.isEmpty && !t.hasPrefix("--")
        }
        if code.isEmpty { throw RecipeError("no SQL after the header", at: r.origin + ":" + String(r.sqlFirstLine)) }
    }
}

extension StringProtocol {
    /// The text without leading and trailing characters from `set` (a String of characters).
    func trimming(_ set: String) -> String {
        let trimmedFront = drop { set.contains($0) }
        var end = trimmedFront.endIndex
        while end > trimmedFront.startIndex, set.contains(trimmedFront[trimmedFront.index(before: end)]) {
            end = trimmedFront.index(before: end)
        }
        return String(trimmedFront[trimmedFront.startIndex..<end])
    }
}
