import KuaiCore
import KuaiExec

/// A result as a Markdown (GitHub) table, as DuckDB's CLI `.mode markdown` writes it:
///
///     |  a   |  bb   | dd  |
///     |-----:|-------|----:|
///     | 1    | xy\|z | 2.5 |
///
/// Every column is as wide as its widest name or value (display width); names are centred, values
/// left-aligned; the rule under the header ends in `:` for numeric columns (right-aligned when
/// rendered); `|` inside a value or name is written `\|`; NULL is `NULL`. The header is always written
/// (DuckDB ignores `-noheader` in this mode). Needs every row for the widths, so the result is held.
public final class MarkdownTable {
    let fields: Schema
    let nullText: String
    private var rows: [[String]] = []

    public init(fields: Schema, nullText: String = "NULL") {
        self.fields = fields
        self.nullText = nullText
    }

    public func append(_ batch: Batch) {
        for r in 0..<batch.count {
            rows.append(
                batch.columns.map { c in
                    if c.type == .null { return nullText }
                    if let v = c.validity, v[r] == 0 { return nullText }
                    return MarkdownTable.escapePipes(Kernels.text(c, r))
                })
        }
    }

    public func render() -> String {
        if fields.isEmpty { return "" }
        let names = fields.map { MarkdownTable.escapePipes($0.name) }
        var widths = names.map(DisplayWidth.of)
        for row in rows {
            for (c, v) in row.enumerated() { widths[c] = max(widths[c], DisplayWidth.of(v)) }
        }
        var out = "| "
        for (c, name) in names.enumerated() {
            if c > 0 { out += " | " }
            let space = widths[c] - DisplayWidth.of(name)
            out += String(repeating: " ", count: space / 2) + name + String(repeating: " ", count: (space + 1) / 2)
        }
        out += " |\n"
        for (c, f) in fields.enumerated() {
            out += "|"
            out +=
                f.type.isNumeric
                ? String(repeating: "-", count: widths[c] + 1) + ":" : String(repeating: "-", count: widths[c] + 2)
        }
        out += "|\n"
        for row in rows {
            out += "| "
            for (c, v) in row.enumerated() {
                if c > 0 { out += " | " }
                out += v + String(repeating: " ", count: max(0, widths[c] - DisplayWidth.of(v)))
            }
            out += " |\n"
        }
        return out
    }

    static func escapePipes(_ s: String) -> String {
        s.contains("|") ? s.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") : s
    }
}

/// A result in DuckDB's CLI `.mode line`: one `name = value` line per column, names right-aligned
/// to the longest name (at least 5 bytes; lengths in bytes, as DuckDB counts them), a blank line
/// between rows; NULL is `NULL`. Streams: each batch is written as it comes.
public struct LineWriter {
    let fields: Schema
    let nullText: String
    let nameWidth: Int
    private var rowsWritten = 0

    public init(fields: Schema, nullText: String = "NULL") {
        self.fields = fields
        self.nullText = nullText
        self.nameWidth = max(5, fields.map(\.name.utf8.count).max() ?? 0)
    }

    /// The text of the rows of `batch`.
    public mutating func text(_ batch: Batch) -> String {
        var out = ""
        for r in 0..<batch.count {
            if rowsWritten > 0 { out += "\n" }
            rowsWritten += 1
            for (c, f) in fields.enumerated() {
                let col = batch.columns[c]
                let isNull = col.type == .null || (col.validity.map { $0[r] == 0 } ?? false)
                out += String(repeating: " ", count: nameWidth - f.name.utf8.count) + f.name + " = "
                out += (isNull ? nullText : Kernels.text(col, r)) + "\n"
            }
        }
        return out
    }
}
