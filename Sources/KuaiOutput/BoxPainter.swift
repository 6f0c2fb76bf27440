/// Lines of the box: DuckDB 2.0.1's RenderHeader, RenderValues, RenderDivider and RenderFooter.
extension BoxDrawing {
    mutating func drawHeader() {
        layoutLine("─", "┬", "┌", "┐")
        var lines: [BoxRow] = []
        for row in headerRows {
            if expandRows {
                expand(row, into: &lines, first: true)
            } else {
                lines.append(row)
            }
        }
        for line in lines { drawRow(line) }
        if rowCount > 0 { layoutLine("─", "┼", "├", "┤") }
    }

    mutating func drawValues() {
        var first = true
        var last: BoxRow? = nil
        for (part, rows) in [topRows, bottomRows].enumerated() where !rows.isEmpty {
            var lines: [BoxRow] = []
            for (i, row) in rows.enumerated() {
                if part == 1 && i == 0, let last { drawDivider(last, row) }
                if expandRows {
                    expand(row, into: &lines, first: first)
                } else {
                    lines.append(row)
                }
                first = false
            }
            for line in lines { drawRow(line) }
            last = lines.last
        }
    }

    /// The three `·` lines between the top and the bottom rows: for a left- or right-aligned column the
    /// dot sits in the middle of the shorter of the two neighbouring values. As DuckDB 2.0.1 does, the
    /// width of value i is taken from drawn column i, which is a different column after a `…` column.
    mutating func drawDivider(_ above: BoxRow, _ below: BoxRow) {
        var cells: [BoxCell] = []
        for c in above.cells.indices {
            let prev = above.cells[c]
            var align = prev.align
            var text = "·"
            if align != .middle {
                let topLength = min(widths[c], prev.width)
                let bottomLength = min(widths[c], below.cells[c].width)
                var dots = min(topLength, bottomLength)
                if topLength == 0 {
                    dots = bottomLength
                } else if bottomLength == 0 {
                    dots = topLength
                }
                if dots > 1 {
                    let padding = dots - 1
                    let left = align == .left ? padding / 2 : padding - padding / 2
                    text = String(repeating: " ", count: left) + "·" + String(repeating: " ", count: padding - left)
                } else if dots == 0 {
                    align = .middle
                }
            }
            cells.append(BoxCell(text, align))
        }
        for _ in 0..<3 { drawRow(BoxRow(cells: cells)) }
    }

    mutating func drawRow(_ row: BoxRow) {
        if row.isSeparator {
            layoutLine("─", "┼", "├", "┤")
            return
        }
        var v = 0
        for (c, source) in columnMap.enumerated() {
            if source == nil {
                drawCell(BoxCell("…", .middle, width: 1), width: widths[c])
            } else {
                drawCell(row.cells[v], width: widths[c])
                v += 1
            }
        }
        out += "│\n"
    }

    /// `│` and the cell padded to `width`; a value wider than the column is cut and ends in `…`.
    mutating func drawCell(_ cell: BoxCell, width: Int, border: String = "│") {
        var text = cell.text
        var w = cell.width
        if w > width {
            let cut = DisplayWidth.prefix(text, width: width - 1)
            text = cut.text + "…"
            w = cut.width + 1
        }
        let padding = width - w + 2
        let left: Int
        switch cell.align {
        case .left: left = 1
        case .middle: left = padding / 2
        case .right: left = padding - 1
        }
        out += border + String(repeating: " ", count: left) + text + String(repeating: " ", count: padding - left)
    }

    mutating func layoutLine(_ fill: String, _ boundary: String, _ left: String, _ right: String) {
        var line = left
        var b = 0
        for k in 0..<max(0, total - 2) {
            if b < boundaries.count && k == boundaries[b] {
                line += boundary
                b += 1
            } else {
                line += fill
            }
        }
        out += line + right + "\n"
    }

    /// A row whose values were cut, spread over up to `linesPerRow + 1` lines (a separator line comes
    /// before every row but the first).
    func expand(_ row: BoxRow, into lines: inout [BoxRow], first: Bool) {
        var row = row
        var extra: [BoxRow] = []
        for c in row.cells.indices where row.cells[c].width > widths[c] {
            let full = row.cells[c].text
            var rest = Substring(full)
            let head = DisplayWidth.prefix(String(rest), width: widths[c])
            row.cells[c] = BoxCell(String(head.text), row.cells[c].align, width: head.width)
            rest = rest.dropFirst(head.text.count)
            var line = 0
            while !rest.isEmpty {
                if line >= extra.count {
                    if extra.count >= linesPerRow + 1 { break }
                    extra.append(BoxRow(cells: row.cells.map { BoxCell("", $0.align, width: 0) }))
                }
                let canAddLine = line + 1 < extra.count || extra.count < linesPerRow
                if canAddLine {
                    let piece = DisplayWidth.prefix(String(rest), width: widths[c])
                    extra[line].cells[c] = BoxCell(String(piece.text), row.cells[c].align, width: piece.width)
                    rest = rest.dropFirst(piece.text.count)
                } else {
                    extra[line].cells[c] = BoxCell(String(rest), row.cells[c].align)
                    rest = ""
                }
                line += 1
            }
        }
        if !first { lines.append(.separator) }
        lines.append(row)
        lines.append(contentsOf: extra)
    }

    mutating func drawFooter() {
        let minimum = footer.rowCountText.utf8.count + footer.columnCountText.utf8.count + 6
        let rowsAndColumns =
            total >= minimum && ((footer.hasHiddenColumns && rowCount > 0) || (rowCount >= 10 && fields.count > 1))
        let rowsOnly = total >= footer.renderLength && (rowCount == 0 || rowCount >= 10)
        layoutLine("─", "┴", "└", "┘")
        guard rowsAndColumns || rowsOnly else { return }
        var padding = total - footer.rowCountText.utf8.count - 4
        if rowsAndColumns { padding -= footer.columnCountText.utf8.count }
        var extra = ""
        let shownSize =
            footer.readableRows.utf8.count + footer.shown.utf8.count + (footer.readableRows.isEmpty ? 3 : 5)
        if footer.hasHiddenRows && padding >= shownSize {
            extra = " (" + footer.shown + (footer.readableRows.isEmpty ? "" : ", " + footer.readableRows) + ")"
            padding -= shownSize
            footer.readableRows = ""
            footer.shown = ""
        }
        out += "  "
        if rowsAndColumns {
            out += footer.rowCountText + extra + String(repeating: " ", count: padding) + footer.columnCountText
        } else {
            let left = padding / 2
            out +=
                String(repeating: " ", count: left) + footer.rowCountText + extra
                + String(repeating: " ", count: padding - left)
        }
        out += "\n"
        drawFooterRest(rowsAndColumns: rowsAndColumns)
    }

    /// The `(M shown)` and `(N total)` texts that did not fit on the footer line.
    mutating func drawFooterRest(rowsAndColumns: Bool) {
        guard !footer.readableRows.isEmpty || !footer.shown.isEmpty else { return }
        let combined = footer.readableRows.utf8.count + footer.shown.utf8.count + 4
        if !footer.readableRows.isEmpty && !footer.shown.isEmpty && combined <= total {
            out += "  " + footer.shown + String(repeating: " ", count: total - combined) + footer.readableRows + "\n"
            return
        }
        let align: BoxAlign = rowsAndColumns ? .left : .middle
        for text in [footer.shown, footer.readableRows] where !text.isEmpty {
            drawCell(BoxCell("(" + text + ")", align), width: total - 4, border: " ")
            out += "\n"
        }
    }
}
