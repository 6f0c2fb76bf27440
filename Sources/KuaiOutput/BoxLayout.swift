/// Column widths of the box: DuckDB 2.0.1's ComputeRenderWidths.
extension BoxDrawing {
    mutating func computeWidths(minWidth: Int, maxWidth: Int) {
        let n = fields.count
        let names = fields.map { BoxCell(escapeControls($0.name), .middle) }
        let types = fields.map { BoxCell(boxTypeName($0.type), .middle) }
        var w = (0..<n).map { max(names[$0].width, types[$0].width) }
        for row in topRows + bottomRows {
            for (c, cell) in row.cells.enumerated() where cell.width > w[c] { w[c] = cell.width }
        }
        total = 1 + w.reduce(0) { $0 + $1 + 3 }
        if total < minWidth {
            // rows are hidden (or there are none): widen the first column until the footer fits
            w[0] += minWidth - total
            total = minWidth
        }
        var shortened = false
        if total > maxWidth {
            let original = w
            shortened = shortenColumns(&w, maxWidth: maxWidth)
            if total > maxWidth { pruneColumns(&w, original: original, maxWidth: maxWidth) }
        }
        if !pruned.isEmpty {
            footer.hasHiddenColumns = true
            footer.columnCountText += " (\(n - pruned.count) shown)"
        }
        var splitAdded = false
        for c in 0..<n {
            if !pruned.contains(c) {
                columnMap.append(c)
                widths.append(w[c])
            } else if !splitAdded {
                columnMap.append(nil)
                widths.append(1)
                splitAdded = true
            }
        }
        let visible = columnMap.compactMap { $0 }
        headerRows = [
            BoxRow(cells: visible.map { names[$0] }), BoxRow(cells: visible.map { types[$0] }),
        ]
        topRows = topRows.map { row in BoxRow(cells: visible.map { row.cells[$0] }) }
        bottomRows = bottomRows.map { row in BoxRow(cells: visible.map { row.cells[$0] }) }
        // wrap cut values over several lines when few rows are shown and no column was dropped
        let shownRows = topRows.count + bottomRows.count
        if shortened && shownRows > 0 && shownRows + 5 < options.maxRows && pruned.isEmpty {
            linesPerRow = max(1, options.maxRows <= 5 ? 0 : (options.maxRows - 5) / shownRows)
            expandRows = linesPerRow > 1
        }
    }

    /// Shortens columns wider than `maxColumnWidth`: when that alone can make the box fit, the widest
    /// columns are cut first, down to the next widest, until the box fits (so long columns end up
    /// equally wide); otherwise every such column is cut to `maxColumnWidth`.
    /// - Returns: whether a column was shortened.
    mutating func shortenColumns(_ w: inout [Int], maxWidth: Int) -> Bool {
        let limit = options.maxColumnWidth
        let maxShorten = w.map { max(0, $0 - limit) }
        var required = total - maxWidth
        guard maxShorten.reduce(0, +) >= required else {
            var any = false
            for c in w.indices where w[c] > limit {
                total -= w[c] - limit
                w[c] = limit
                any = true
            }
            return any
        }
        // the columns grouped by how much they may be cut, visited from the largest amount down
        var amounts = Array(Set(maxShorten)).sorted(by: >)
        var groups: [Int: [Int]] = [:]
        for (c, m) in maxShorten.enumerated() { groups[m, default: []].append(c) }
        var cut = [Int](repeating: 0, count: w.count)
        while required > 0 {
            let largest = amounts[0]
            let columns = groups[largest]!
            let next = amounts.count > 1 ? amounts[1] : 0
            let step = largest - next
            if step * columns.count >= required {
                let each = required / columns.count
                for c in columns {
                    cut[c] += each
                    required -= each
                }
                var i = columns.count
                while i > 0 && required > 0 {
                    cut[columns[i - 1]] += 1
                    required -= 1
                    i -= 1
                }
                break
            }
            for c in columns { cut[c] += step }
            groups[next, default: []].append(contentsOf: columns)
            groups[largest] = nil
            amounts.removeFirst()
            if amounts.isEmpty { amounts = [0] }
            required -= step * columns.count
        }
        var any = false
        for c in w.indices where cut[c] > 0 {
            w[c] -= cut[c]
            total -= cut[c]
            any = true
        }
        return any
    }

    /// Drops columns from the middle outwards (middle, left of it, right of it, ...) until the box
    /// and a one-character `…` column fit, then gives the space left back to cut columns, left first.
    mutating func pruneColumns(_ w: inout [Int], original: [Int], maxWidth: Int) {
        total += 3 + 1
        var offset = 0
        while total > maxWidth {
            let c = w.count / 2 + offset
            guard c >= 0 && c < w.count else { break }
            total -= w[c] + 3
            pruned.insert(c)
            offset = offset >= 0 ? -offset - 1 : -offset
        }
        var spaceLeft = maxWidth - total
        for c in w.indices where spaceLeft > 0 && !pruned.contains(c) && w[c] < original[c] {
            let grow = min(spaceLeft, original[c] - w[c])
            w[c] += grow
            spaceLeft -= grow
            total += grow
        }
    }
}
