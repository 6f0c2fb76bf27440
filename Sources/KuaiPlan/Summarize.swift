import KuaiCore
import KuaiExec
import KuaiSQL

extension Binder {
    /// SUMMARIZE: one row per column of the table or query, with DuckDB 2.0.1's columns and values
    /// (its Binder::BindSummarize): column_name, column_type, min and max (as VARCHAR),
    /// approx_unique (approx_count_distinct), avg (numbers: avg as DOUBLE text; DATE: the mean as a
    /// nanosecond timestamp; TIMESTAMP: the mean rounded to the microsecond), std (stddev_samp of
    /// numbers), q25 / q50 / q75 (approx_quantile of numbers, DATE and TIMESTAMP), count (count(*))
    /// and null_percentage (100 * (1 - count(x) / count(*)) rounded to 2 decimals; DuckDB's
    /// DECIMAL(9,2)). Everything is computed in one aggregate query over the input, run by `run`; a
    /// table name may be a CTE in scope or a view.
    /// - Throws: `KuaiError.binding` for a table or query that does not bind, or where nothing may run.
    func summarize(_ target: SummarizeTarget, at position: SourcePosition?) throws -> QueryResult {
        guard let run else {
            throw KuaiError(.binding, "SUMMARIZE cannot be computed here", at: position?.description)
        }
        let inner: String
        let cols: [ScopeColumn]
        switch target {
        case .table(let name, let position):
            cols = try bindNamedTable(name, qualifier: name, at: position).scope
            inner = "SELECT * FROM " + quotedIdentifier(name)
        case .query(let query):
            let q = try Binder.expandingMacros(query, catalog)  // the text below must not call macros
            cols = try bindQuery(q).columns  // errors at the query's own positions
            inner = q.sqlDescription
        }
        let fields = QueryEngine.uniqueNames(cols.map { Field($0.name, $0.type) })
        var plan = SummaryPlan(fields: fields)
        let sql =
            "SELECT " + plan.expressions().joined(separator: ", ") + " FROM (" + inner + ") AS summarize_tbl("
            + fields.indices.map { "c\($0)" }.joined(separator: ", ") + ")"
        let (aggregate, aggregateColumns) = try bindQuery(try Parser.parseQuery(sql))
        let result = QueryResult(fields: aggregateColumns.map(\.field), batches: try run(aggregate))
        return plan.rows(result)
    }
}

extension Parser {
    /// Parses a SELECT statement's query (SUMMARIZE's generated text).
    static func parseQuery(_ sql: String, at position: SourcePosition? = nil) throws -> Query {
        guard case .select(let q) = try Parser.parse(sql) else {
            throw KuaiError(.syntax, "not a query: \(sql)", at: position?.description)
        }
        return q
    }
}

/// The aggregate expressions of SUMMARIZE, and the summary rows built from their values.
struct SummaryPlan {
    let fields: Schema
    /// For each input column, the position of each of its aggregates in the result row.
    var slots: [[String: Int]] = []

    init(fields: Schema) { self.fields = fields }

    static func isNumeric(_ t: DataType) -> Bool { t.isNumeric }
    static func isTemporal(_ t: DataType) -> Bool { t == .date || t.isTimestamp }

    mutating func expressions() -> [String] {
        var out: [String] = []
        for (i, f) in fields.enumerated() {
            let c = "c\(i)"
            var s: [String: Int] = [:]
            func add(_ key: String, _ e: String) {
                s[key] = out.count
                out.append(e)
            }
            add("min", "min(\(c))")
            add("max", "max(\(c))")
            add("unique", "approx_count_distinct(\(c))")
            add("count", "count(\(c))")
            if SummaryPlan.isNumeric(f.type) {
                add("avg", "avg(\(c))")
                add("std", "stddev_samp(\(c))")
            } else if f.type == .date {
                add("sum", "sum(\(c) - DATE '1970-01-01')")
            } else if f.type.isTimestamp {
                add("sum", "sum(epoch_us(\(c)))")
            }
            if SummaryPlan.isNumeric(f.type) || SummaryPlan.isTemporal(f.type) {
                for q in ["25", "50", "75"] { add("q" + q, "approx_quantile(\(c), 0.\(q))") }
            }
            slots.append(s)
        }
        slots.append(["count_star": out.count])
        out.append("count(*)")
        return out
    }

    /// DuckDB's type of SUMMARIZE's null_percentage.
    static let nullPercentageType = DataType.decimal(precision: 9, scale: 2)

    func rows(_ result: QueryResult) -> QueryResult {
        let row =
            result.batches.first.map { b in (0..<b.columns.count).map { SummaryValue(column: b.columns[$0]) } } ?? []
        let total = row[slots[fields.count]["count_star"]!].int ?? 0
        var texts: [[String?]] = Array(repeating: [], count: 8)
        var unique: [Int64] = []
        var counts: [Int64] = []
        var nulls: [Double?] = []
        for (i, f) in fields.enumerated() {
            let s = slots[i]
            let nonNull = row[s["count"]!].int ?? 0
            texts[0].append(f.name)
            texts[1].append(f.type == .null ? "\"NULL\"" : f.type.description)
            texts[2].append(row[s["min"]!].text)
            texts[3].append(row[s["max"]!].text)
            texts[4].append(average(f.type, s, row, nonNull))
            texts[5].append(s["std"].flatMap { row[$0].text })
            texts[6].append(s["q25"].flatMap { row[$0].text })
            texts[7].append(s["q50"].flatMap { row[$0].text })
            unique.append(row[s["unique"]!].int ?? 0)
            counts.append(total)
            nulls.append(total > 0 ? ((1 - Double(nonNull) / Double(total)) * 100 * 100).rounded() / 100 : nil)
            _ = s["q75"]
        }
        let q75 = fields.indices.map { i in slots[i]["q75"].flatMap { row[$0].text } }
        let columns: [Column] = [
            Column(strings: texts[0]), Column(strings: texts[1]), Column(strings: texts[2]), Column(strings: texts[3]),
            Column(type: .bigint, ints: unique), Column(strings: texts[4]), Column(strings: texts[5]),
            Column(strings: texts[6]), Column(strings: texts[7]), Column(strings: q75),
            Column(type: .bigint, ints: counts),
            Column(
                type: SummaryPlan.nullPercentageType, ints: nulls.map { Int64((($0 ?? 0) * 100).rounded()) },
                validity: nulls.contains(where: { $0 == nil }) ? nulls.map { $0 == nil ? 0 : 1 } : nil),
        ]
        let names = [
            ("column_name", DataType.varchar), ("column_type", .varchar), ("min", .varchar), ("max", .varchar),
            ("approx_unique", .bigint), ("avg", .varchar), ("std", .varchar), ("q25", .varchar), ("q50", .varchar),
            ("q75", .varchar), ("count", .bigint), ("null_percentage", SummaryPlan.nullPercentageType),
        ]
        return QueryResult(
            fields: names.map { Field($0.0, $0.1) }, batches: fields.isEmpty ? [] : [Batch(columns: columns)])
    }

    /// avg as DuckDB prints it: a DOUBLE's text for numbers; for DATE the mean of the days as a
    /// TIMESTAMP_NS (nanoseconds, rounded as DuckDB's integer average: up when the remainder is over
    /// half the count); for TIMESTAMP and TIMESTAMPTZ the mean in microseconds, rounded the same way.
    func average(_ type: DataType, _ s: [String: Int], _ row: [SummaryValue], _ count: Int64) -> String? {
        if let a = s["avg"] { return row[a].text }
        guard let k = s["sum"], let sum = row[k].wide, count > 0 else { return nil }
        let scale: Int128 = type == .date ? 86_400_000_000_000 : 1
        let total = sum * scale
        var q = total / Int128(count)
        if total % Int128(count) > Int128(count) / 2 { q += 1 }
        if type == .timestamp { return ValueFormatter.timestamp(Int64(q)) }
        if type == .timestamptz { return ValueFormatter.timestamptz(Int64(q)) }
        return SummaryPlan.nanosecondTimestamp(q)
    }

    /// `YYYY-MM-DD HH:MM:SS[.fffffffff]` of nanoseconds since 1970 (fraction without trailing zeros).
    static func nanosecondTimestamp(_ ns: Int128) -> String {
        var seconds = ns / 1_000_000_000
        var fraction = ns % 1_000_000_000
        if fraction < 0 {
            seconds -= 1
            fraction += 1_000_000_000
        }
        var text = ValueFormatter.timestamp(Int64(seconds) * 1_000_000)
        if fraction > 0 {
            var digits = String(Int(fraction))
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }
}

/// One value of the aggregate row: its text (DuckDB's cast to VARCHAR), or its integer.
struct SummaryValue {
    let text: String?
    let int: Int64?
    let wide: Int128?
    init(column c: Column) {
        let valid = c.count > 0 && c.type != .null && c.isValid(0)
        text = valid ? Kernels.text(c, 0) : nil
        int = valid && c.type != .double && c.type != .varchar ? c.ints[0] : nil
        wide = valid && c.type.isInteger ? c.int128(at: 0) : nil
    }
}
