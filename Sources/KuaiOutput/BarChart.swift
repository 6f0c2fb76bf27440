import KuaiCore
import KuaiExec

/// Settings of `--format chart`.
public struct ChartOptions: Sendable {
    /// Columns of the output (the terminal width; 80 when not a terminal).
    public var width: Int
    /// Rows drawn at most; the rest are counted (`N rows (M shown)`).
    public var maxRows: Int
    /// ANSI colours, one per measure (a terminal that has colours, NO_COLOR unset).
    public var colors: Bool
    public init(width: Int = 80, maxRows: Int = 40, colors: Bool = false) {
        self.width = max(40, width)
        self.maxRows = max(1, maxRows)
        self.colors = colors
    }
}

/// A horizontal bar chart of a `(label, measure, measure, ...)` result, drawn with Unicode blocks
/// in eighths (as `bar()`), scaled to the output width:
///
///     live_content_category  rooms
///     other                   9795 ██████████████████████████████████████████████████
///     shop                    1156 █████▉
///
/// The first column gives the labels (any type; a lone numeric column is labelled by row number);
/// every other column must be numeric and is a measure. Each measure is scaled to its own largest
/// magnitude among the drawn rows; a negative value is drawn with `░` by its magnitude; NULL draws
/// nothing. With several measures each row takes one line per measure, named, and each measure has
/// its own colour when `colors` is set.
public final class BarChart {
    let fields: Schema
    let options: ChartOptions
    let labelColumn: Int?
    let measures: [Int]
    private var labels: [String] = []
    private var texts: [[String]] = []
    private var values: [[Double?]] = []
    public private(set) var rowCount = 0

    /// ANSI colours of the measures, in turn: cyan, yellow, magenta, green, blue, red.
    static let palette = ["36", "33", "35", "32", "34", "31"]

    /// - Throws: `KuaiError.usage` when the result has no numeric column to draw or a column after
    ///   the first is not numeric.
    public init(fields: Schema, options: ChartOptions) throws {
        self.fields = fields
        self.options = options
        if fields.count == 1 && fields[0].type.isNumeric {
            labelColumn = nil
            measures = [0]
            return
        }
        guard fields.count >= 2 else {
            throw KuaiError(
                .usage, "--format chart draws a label column followed by numeric columns; the result has one column")
        }
        for f in fields.dropFirst() where !f.type.isNumeric {
            throw KuaiError(
                .usage,
                "--format chart draws a label column followed by numeric columns; column \"\(f.name)\" is \(f.type)")
        }
        labelColumn = 0
        measures = Array(1..<fields.count)
    }

    public func append(_ batch: Batch) {
        let keep = min(batch.count, options.maxRows - labels.count)
        rowCount += batch.count
        for r in 0..<max(0, keep) {
            if let l = labelColumn {
                let c = batch.columns[l]
                labels.append(BarChart.isNull(c, r) ? "NULL" : escapeControls(Kernels.text(c, r)))
            } else {
                labels.append(String(labels.count + 1))
            }
            var rowTexts: [String] = []
            var rowValues: [Double?] = []
            for m in measures {
                let c = batch.columns[m]
                if BarChart.isNull(c, r) {
                    rowTexts.append("NULL")
                    rowValues.append(nil)
                } else {
                    rowTexts.append(Kernels.text(c, r))
                    // DECIMAL: the unscaled integer over 10^s (0 for integer types)
                    let scale = DecimalMath.pow10Double[c.type.decimalScale]
                    rowValues.append(c.type == .double ? c.doubles[r] : Double(c.int128(at: r)) / scale)
                }
            }
            texts.append(rowTexts)
            values.append(rowValues)
        }
    }

    static func isNull(_ c: Column, _ r: Int) -> Bool {
        c.type == .null || (c.validity.map { $0[r] == 0 } ?? false)
    }

    /// The drawn chart (lines ending in `\n`).
    public func render() -> String {
        let many = measures.count > 1
        let labelName = labelColumn.map { fields[$0].name } ?? "#"
        let labelWidth = min(max(DisplayWidth.of(labelName), labels.map(DisplayWidth.of).max() ?? 0), options.width / 3)
        let nameWidth = many ? measures.map { DisplayWidth.of(fields[$0].name) }.max() ?? 0 : 0
        let valueWidth = max(
            texts.flatMap { $0 }.map(DisplayWidth.of).max() ?? 0, many ? 0 : DisplayWidth.of(fields[measures[0]].name))
        let barWidth = max(1, options.width - labelWidth - 2 - (many ? nameWidth + 2 : 0) - valueWidth - 1)
        let scale = measures.indices.map { m in values.compactMap { $0[m].map(Swift.abs) }.max() ?? 0 }
        var out = pad(labelName, labelWidth) + "  "
        if many {
            out += measures.enumerated().map { m, c in paint("■", m) + " " + fields[c].name }.joined(separator: "  ")
        } else {
            out += String(repeating: " ", count: valueWidth - DisplayWidth.of(fields[measures[0]].name))
            out += fields[measures[0]].name
        }
        out += "\n"
        for (r, label) in labels.enumerated() {
            for m in measures.indices {
                out += pad(m == 0 ? label : "", labelWidth) + "  "
                if many { out += pad(fields[measures[m]].name, nameWidth) + "  " }
                let text = texts[r][m]
                out += String(repeating: " ", count: valueWidth - DisplayWidth.of(text)) + text
                if let v = values[r][m], scale[m] > 0, v.isFinite {
                    out += " " + paint(BarChart.blocks(Swift.abs(v) / scale[m] * Double(barWidth), negative: v < 0), m)
                }
                out += "\n"
            }
        }
        if rowCount > labels.count { out += "\(rowCount) rows (\(labels.count) shown)\n" }
        return out
    }

    /// `text` cut with `…` or padded with spaces to `width` columns.
    func pad(_ text: String, _ width: Int) -> String {
        let w = DisplayWidth.of(text)
        if w <= width { return text + String(repeating: " ", count: width - w) }
        let cut = DisplayWidth.prefix(text, width: width - 1)
        return cut.text + "…" + String(repeating: " ", count: width - cut.width - 1)
    }

    /// `text` in the colour of measure `m` (when colours are on).
    func paint(_ text: String, _ m: Int) -> String {
        options.colors ? "\u{1B}[" + BarChart.palette[m % BarChart.palette.count] + "m" + text + "\u{1B}[0m" : text
    }

    /// A bar `length` characters long in eighths of full blocks (`░` cells for a negative value).
    static func blocks(_ length: Double, negative: Bool) -> String {
        let eighths = Int(length * 8)
        if negative { return String(repeating: "░", count: max(1, (eighths + 4) / 8)) }
        var s = String(repeating: "█", count: eighths / 8)
        if eighths % 8 != 0 { s += ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8] }
        return s
    }
}
