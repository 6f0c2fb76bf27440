import KuaiCore

/// How a cell's text sits in its column.
enum BoxAlign { case left, middle, right }

/// One cell: its text and display width (DisplayWidth).
struct BoxCell {
    var text: String
    var width: Int
    var align: BoxAlign
    init(_ text: String, _ align: BoxAlign, width: Int? = nil) {
        self.text = text
        self.width = width ?? DisplayWidth.of(text)
        self.align = align
    }
}

/// A line of the box body: cells of the shown columns, or a `├──┼──┤` separator.
struct BoxRow {
    var cells: [BoxCell]
    var isSeparator = false
    static let separator = BoxRow(cells: [], isSeparator: true)
}

/// The footer texts under the box (DuckDB's BoxRendererFooter).
struct BoxFooter {
    var rowCountText = ""
    var readableRows = ""
    var shown = ""
    var columnCountText = ""
    var renderLength = 0
    var mustShow = false
    var hasHiddenRows = false
    var hasHiddenColumns = false
}

/// Draws a box table the way DuckDB 2.0.1's box renderer does (src/common/box_renderer.cpp):
/// column widths from the names, types and shown values; when the box is wider than the maximum,
/// columns over 20 characters are shortened (widest first, to equal widths), then columns are
/// dropped from the middle outwards behind a `…` column; long values are cut with `…`, or wrapped
/// over several lines when few rows are shown and no column was dropped; hidden rows become three
/// `·` lines between the top and bottom rows; the footer says `N rows (M shown)` and
/// `C columns (K shown)`.
struct BoxDrawing {
    let fields: Schema
    let options: BoxOptions
    let rowCount: Int
    let top: [[String?]]
    let bottom: [[String?]]
    var largeNumbers: Bool
    var headerRows: [BoxRow] = []
    var topRows: [BoxRow] = []
    var bottomRows: [BoxRow] = []
    /// Widths of the drawn columns (the `…` column included), their right boundaries, and for each
    /// drawn column the result column it shows (nil = the `…` column).
    var widths: [Int] = []
    var boundaries: [Int] = []
    var columnMap: [Int?] = []
    var pruned: Set<Int> = []
    var total = 0
    var footer = BoxFooter()
    var expandRows = false
    var linesPerRow = 1
    var out = ""

    init(fields: Schema, options: BoxOptions, rowCount: Int, top: [[String?]], bottom: [[String?]]) {
        self.fields = fields
        self.options = options
        self.rowCount = rowCount
        self.top = top
        self.bottom = bottom
        self.largeNumbers = options.largeNumbers
    }

    mutating func draw() -> String {
        let maxWidth = max(80, options.maxWidth)
        computeFooter(shownRows: top.count + bottom.count)
        if largeNumbers && rowCount != 1 { largeNumbers = false }
        topRows = top.map { BoxRow(cells: valueCells($0)) }
        bottomRows = bottom.map { BoxRow(cells: valueCells($0)) }
        if largeNumbers { addLargeNumberRow() }
        computeWidths(minWidth: footer.mustShow ? footer.renderLength : 0, maxWidth: maxWidth)
        var position = 0
        for (c, w) in widths.enumerated() {
            position += c == 0 ? w + 2 : w + 3
            boundaries.append(position)
        }
        drawHeader()
        drawValues()
        drawFooter()
        return out
    }

    // MARK: - cells

    func valueCells(_ texts: [String?]) -> [BoxCell] {
        texts.enumerated().map { c, text in
            let numeric = fields[c].type.isNumeric
            let align: BoxAlign = largeNumbers ? .middle : (numeric ? .right : .left)
            guard let text else { return BoxCell(options.nullText, align) }
            return BoxCell(numeric ? text : escapeControls(text), align)
        }
    }

    /// DuckDB's CLI on a terminal: under a single row whose every value is a number of a million or
    /// more, a second row with the readable forms `(1.23 million)`.
    mutating func addLargeNumberRow() {
        guard let row = top.first else { return }
        var cells: [BoxCell] = []
        for (c, text) in row.enumerated() {
            guard fields[c].type.isNumeric, let text, let readable = readableLargeNumber(text) else {
                largeNumbers = false
                topRows = top.map { BoxRow(cells: valueCells($0)) }
                return
            }
            cells.append(BoxCell("(" + readable + ")", .middle))
        }
        topRows.append(BoxRow(cells: cells))
    }

    // MARK: - footer texts

    mutating func computeFooter(shownRows: Int) {
        let n = fields.count
        footer.columnCountText = "\(n) column" + (n > 1 ? "s" : "")
        footer.rowCountText = "\(rowCount) rows"
        if largeNumbers, let readable = readableLargeNumber(String(rowCount)) {
            footer.readableRows = "\(rowCount) total"
            footer.rowCountText = readable + " rows"
        }
        footer.hasHiddenRows = shownRows < rowCount
        if footer.hasHiddenRows { footer.shown = "\(shownRows) shown" }
        footer.mustShow = footer.hasHiddenRows || rowCount == 0
        footer.renderLength =
            max(footer.rowCountText.utf8.count, footer.shown.utf8.count + 2, footer.readableRows.utf8.count + 2) + 4
    }
}
