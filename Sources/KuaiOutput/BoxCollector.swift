import KuaiCore
import KuaiExec

/// Settings of the box ("duckbox") table output, as DuckDB's CLI passes them to its box renderer.
public struct BoxOptions: Sendable {
    /// Rows shown at most (DuckDB's CLI: 40): the first half and the last half of a longer result,
    /// with a `N rows (M shown)` footer. A result at most 3 rows longer is shown whole.
    public var maxRows: Int
    /// Columns of the output in characters; columns are shortened and then elided (`…`) to fit.
    /// Values under 80 count as 80, as in DuckDB. `Int.max` = no limit (output that is not a terminal).
    public var maxWidth: Int
    /// The width a column is first shortened to when the table does not fit (DuckDB: 20).
    public var maxColumnWidth: Int
    /// The text of a NULL value.
    public var nullText: String
    /// DuckDB's CLI on a terminal: a single-row result of large numbers gets a second row
    /// `(1.23 million)`, and a count of a million rows or more is written `11.82 million rows`.
    public var largeNumbers: Bool

    public init(
        maxRows: Int = 40, maxWidth: Int = Int.max, maxColumnWidth: Int = 20, nullText: String = "NULL",
        largeNumbers: Bool = false
    ) {
        self.maxRows = max(1, maxRows)
        self.maxWidth = maxWidth
        self.maxColumnWidth = maxColumnWidth
        self.nullText = nullText
        self.largeNumbers = largeNumbers
    }
}

/// Collects a streamed result for the box table output: it keeps the text of the first rows and
/// only the last batches that hold the bottom rows; every other row is counted and dropped, so
/// memory stays flat whatever the result size (DuckDB's box renderer reads the top and bottom
/// rows of a materialised result; kuai never materialises it).
public final class BoxCollector {
    public let fields: Schema
    public let options: BoxOptions
    /// Rows appended so far.
    public private(set) var rowCount = 0
    /// Texts of the first `headLimit` rows (nil = NULL).
    private var head: [[String?]] = []
    /// The last batches, together holding at least `bottomCount` rows.
    private var tail: [Batch] = []
    private var tailRows = 0
    /// A result of at most `maxRows + 3` rows is shown whole (hiding rows would add 3 lines).
    private var headLimit: Int { options.maxRows + 3 }
    /// Rows shown above and below the `·` divider when rows are hidden (top gets the odd one).
    var topCount: Int { (options.maxRows + 1) / 2 }
    var bottomCount: Int { options.maxRows - topCount }

    public init(fields: Schema, options: BoxOptions) {
        self.fields = fields
        self.options = options
    }

    /// Takes the next rows of the result.
    public func append(_ batch: Batch) {
        var r = 0
        while head.count < headLimit && r < batch.count {
            head.append(BoxCollector.rowTexts(batch, r))
            r += 1
        }
        rowCount += batch.count
        guard bottomCount > 0, batch.count > 0 else { return }
        tail.append(batch)
        tailRows += batch.count
        while let first = tail.first, tailRows - first.count >= bottomCount {
            tail.removeFirst()
            tailRows -= first.count
        }
    }

    /// Rows kept as text (at most `maxRows + 3`).
    var headRows: Int { head.count }
    /// Rows of the batches kept for the bottom rows.
    var retainedRows: Int { tailRows }

    /// The rows to draw: every row when the result is short, else the top rows and the bottom rows.
    func shownRows() -> (top: [[String?]], bottom: [[String?]]) {
        if rowCount <= headLimit { return (head, []) }
        var bottom: [[String?]] = []
        var skip = tailRows - bottomCount
        for b in tail {
            for r in 0..<b.count {
                if skip > 0 {
                    skip -= 1
                    continue
                }
                bottom.append(BoxCollector.rowTexts(b, r))
            }
        }
        return (Array(head.prefix(topCount)), bottom)
    }

    /// The drawn table (lines ending in `\n`).
    public func render() -> String {
        let (top, bottom) = shownRows()
        var box = BoxDrawing(fields: fields, options: options, rowCount: rowCount, top: top, bottom: bottom)
        return box.draw()
    }

    /// DuckDB's text of each value of row `r` (nil for NULL).
    static func rowTexts(_ b: Batch, _ r: Int) -> [String?] {
        b.columns.map { c in
            if c.type == .null { return nil }
            if let v = c.validity, v[r] == 0 { return nil }
            return Kernels.text(c, r)
        }
    }
}

/// The type names DuckDB's box renderer shows under the column names (`int64` for BIGINT, `int32[]` for
/// INTEGER[], ...).
public func boxTypeName(_ t: DataType) -> String {
    if case .list(let e) = t { return boxTypeName(e) + "[]" }  // int32[], varchar[][]
    if let bits = t.integerBits { return "int\(bits)" }  // int8 ... int128
    if t == .null { return "\"null\"" }
    return t.description.lowercased()
}

/// Control characters (below U+0020) written as escapes, as DuckDB's box renderer shows values:
/// `\a \b \t \n \v \f \r \e`, other codes as `\` and their decimal number.
func escapeControls(_ s: String) -> String {
    if !s.utf8.contains(where: { $0 < 32 }) { return s }
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count + 8)
    for b in s.utf8 {
        guard b < 32 else {
            out.append(b)
            continue
        }
        out.append(UInt8(ascii: "\\"))
        switch b {
        case 7: out.append(UInt8(ascii: "a"))
        case 8: out.append(UInt8(ascii: "b"))
        case 9: out.append(UInt8(ascii: "t"))
        case 10: out.append(UInt8(ascii: "n"))
        case 11: out.append(UInt8(ascii: "v"))
        case 12: out.append(UInt8(ascii: "f"))
        case 13: out.append(UInt8(ascii: "r"))
        case 27: out.append(UInt8(ascii: "e"))
        default: out.append(contentsOf: String(b).utf8)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// DuckDB's readable form of a number of a million or more: `1234567` -> `1.23 million` (two
/// decimals, rounded half up; million ... quintillion); nil for smaller numbers, text that is not
/// a plain decimal number, or numbers of 10^18 or more digits before the point.
public func readableLargeNumber(_ numeric: String) -> String? {
    let bytes = Array(numeric.utf8)
    if bytes.count <= 5 { return nil }
    var i = 0
    let negative = bytes[0] == UInt8(ascii: "-")
    if negative { i = 1 }
    var number: UInt64 = 0
    while i < bytes.count {
        let c = bytes[i]
        if c == UInt8(ascii: ".") { break }
        guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
        if number >= 1_000_000_000_000_000_000 { return nil }
        number = number * 10 + UInt64(c - UInt8(ascii: "0"))
        i += 1
    }
    let units: [(UInt64, String)] = [
        (1_000_000, "million"), (1_000_000_000, "billion"), (1_000_000_000_000, "trillion"),
        (1_000_000_000_000_000, "quadrillion"), (1_000_000_000_000_000_000, "quintillion"),
    ]
    var base: UInt64 = 0
    var unit = ""
    for (b, name) in units where number + b / 200 >= b {
        base = b
        unit = name
    }
    if unit.isEmpty { return nil }
    let hundredths = String((number + base / 200) / (base / 100))
    return (negative ? "-" : "") + hundredths.dropLast(2) + "." + hundredths.suffix(2) + " " + unit
}
