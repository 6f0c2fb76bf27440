import Dispatch
import KuaiCore
import KuaiExec

/// How the rows of a delimited or JSON result are laid out around their cells.
///
/// A row is `prefix`, cell 0, `separator`, cell 1, ..., `suffix`. The cells themselves are made by
/// `CellStyle` (a JSON cell includes its `"key":`).
struct RowLayout {
    var prefix: [UInt8]
    var separator: UInt8
    var suffix: [UInt8]
    var cells: CellStyle

    /// csv / tsv: `a,b\n`.
    static func delimited(_ sep: UInt8) -> RowLayout {
        RowLayout(prefix: [], separator: sep, suffix: [10], cells: .delimited(sep))
    }

    /// json (ARRAY): each row `,\n\t{...}` (the caller drops the `,\n` before the first row);
    /// jsonl: each row `{...}\n`.
    static func json(array: Bool, keys: [[UInt8]], doubles: JSONDoubles) -> RowLayout {
        RowLayout(
            prefix: Array((array ? ",\n\t{" : "{").utf8), separator: UInt8(ascii: ","),
            suffix: Array((array ? "}" : "}\n").utf8), cells: .json(keys: keys, doubles: doubles))
    }
}

/// How a finite DOUBLE is printed in JSON.
enum JSONDoubles {
    /// As DuckDB prints a DOUBLE (`ValueFormatter.double`): kuai-query's json / jsonl formats.
    case duckDBText
    /// As DuckDB's JSON writer prints it (`JSONCopy.double`): COPY ... (FORMAT json).
    case jsonWriter
}

/// The text of one cell, by output format.
enum CellStyle {
    /// csv / tsv with separator `sep`: a field is quoted (`"` doubled) when it is empty or holds
    /// `sep`, `"`, `\n` or `\r`; NULL is an empty unquoted field (DuckDB's CSV writer).
    case delimited(UInt8)
    /// JSON: `"key":` then the value; numbers bare, NULL `null`, text as an escaped JSON string.
    case json(keys: [[UInt8]], doubles: JSONDoubles)
}

/// The texts of the pieces of one batch, each slot set by one thread.
final class PieceTexts: @unchecked Sendable {
    let slots: UnsafeMutablePointer<ByteBuffer>
    let count: Int
    init(_ count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
    }
    func set(_ i: Int, _ t: ByteBuffer) { (slots + i).initialize(to: t) }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
}

/// Result rows as csv, tsv, json or jsonl text written straight from the column buffers: each
/// column of a piece of rows is formatted into its own buffer by one loop per type (`TextBytes`:
/// integers, HUGEINT, DOUBLE, DATE, TIMESTAMP, INTERVAL, BOOLEAN; VARCHAR bytes from the views with
/// the quoting or escaping rule), then the cells are interleaved into the piece's output. The
/// pieces of a batch (`pieceRows` rows each) are formatted on all cores and written in order.
enum RowText {
    /// Rows formatted by one task.
    static let pieceRows = 8_192

    /// Writes every row of `b` to `sink` in order.
    /// - Parameter dropFirst: bytes to leave out at the start of the batch's text (the `,\n` before
    ///   the first row of a JSON array).
    static func write(_ b: Batch, _ layout: RowLayout, dropFirst: Int = 0, into sink: inout ByteSink) {
        if b.count == 0 { return }
        let pieces = (b.count + pieceRows - 1) / pieceRows
        if pieces <= 1 {
            let t = piece(b, 0..<b.count, layout)
            sink.append(UnsafeBufferPointer(rebasing: t.bytes[dropFirst...]))
            t.free()
            return
        }
        let texts = PieceTexts(pieces)
        DispatchQueue.concurrentPerform(iterations: pieces) { i in
            let lo = i * pieceRows
            texts.set(i, piece(b, lo..<min(b.count, lo + pieceRows), layout))
        }
        for i in 0..<pieces {
            let t = texts.slots[i]
            sink.append(UnsafeBufferPointer(rebasing: t.bytes[(i == 0 ? dropFirst : 0)...]))
            t.free()
        }
    }

    /// The text of rows `rows` of `b` (the caller frees it).
    static func piece(_ b: Batch, _ rows: Range<Int>, _ layout: RowLayout) -> ByteBuffer {
        let n = rows.count
        let width = b.columns.count
        // Per column: the cells' bytes and each row's end offset in them.
        var cells: [ByteBuffer] = []
        let ends = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(1, n * width))
        defer {
            ends.deallocate()
            for c in cells { c.free() }
        }
        var total = 0
        for (ci, c) in b.columns.enumerated() {
            var t = ByteBuffer(capacity: n * 8)
            columnCells(c, ci, rows, layout.cells, into: &t, ends: ends + ci * n)
            total += t.count
            cells.append(t)
        }
        let fixed = layout.prefix.count + layout.suffix.count + Swift.max(0, width - 1)
        var out = ByteBuffer(capacity: total + n * fixed)
        out.count = interleave(cells, ends, rows: n, layout, into: out.base)
        return out
    }

    /// Writes each row's prefix, cells, separators and suffix at `out`; returns the bytes written.
    static func interleave(
        _ cells: [ByteBuffer], _ ends: UnsafeMutablePointer<Int>, rows n: Int, _ layout: RowLayout,
        into out: UnsafeMutablePointer<UInt8>
    ) -> Int {
        let width = cells.count
        var k = 0
        layout.prefix.withUnsafeBufferPointer { prefix in
            layout.suffix.withUnsafeBufferPointer { suffix in
                cells.withUnsafeBufferPointer { cells in
                    let sep = layout.separator
                    for r in 0..<n {
                        for j in 0..<prefix.count { out[k + j] = prefix[j] }
                        k += prefix.count
                        for c in 0..<width {
                            let e = ends + c * n
                            let start = r == 0 ? 0 : e[r - 1]
                            let len = e[r] - start
                            let src = cells[c].base + start
                            if len <= 16 {
                                for j in 0..<len { out[k + j] = src[j] }
                            } else {
                                (out + k).update(from: src, count: len)
                            }
                            k += len
                            if c + 1 < width {
                                out[k] = sep
                                k += 1
                            }
                        }
                        for j in 0..<suffix.count { out[k + j] = suffix[j] }
                        k += suffix.count
                    }
                }
            }
        }
        return k
    }

    /// The cells of column `c` over `rows` into `t`, the end offset of row `rows.lowerBound + i`
    /// at `ends[i]`.
    static func columnCells(
        _ c: Column, _ index: Int, _ rows: Range<Int>, _ style: CellStyle, into t: inout ByteBuffer,
        ends: UnsafeMutablePointer<Int>
    ) {
        if c.type.isList {
            listCells(c, index, rows, style, into: &t, ends: ends)
            return
        }
        if c.type.isStruct || c.type.isMap {
            structOrMapCells(c, index, rows, style, into: &t, ends: ends)
            return
        }
        switch style {
        case .delimited(let sep):
            // Only text of VARCHAR can hold `,` tab `"` or a line break, or be empty; with another
            // separator every cell is checked.
            let check = !(sep == UInt8(ascii: ",") || sep == 9)
            if c.type == .varchar {
                strings(c, rows, into: &t, ends: ends) { t, p, n in delimitedString(p, n, sep, into: &t) }
            } else if check {
                values(c, rows, into: &t, ends: ends, null: []) { t, p, n in delimitedString(p, n, sep, into: &t) }
            } else {
                values(c, rows, into: &t, ends: ends, null: []) { t, p, n in t.count += n }
            }
        case .json(let keys, let doubles):
            let key = keys[index]
            if c.type == .varchar {
                strings(c, rows, into: &t, ends: ends, key: key, null: Array("null".utf8)) { t, p, n in
                    jsonString(UnsafeBufferPointer(start: p, count: n), into: &t)
                }
            } else {
                jsonValues(c, rows, key: key, doubles: doubles, into: &t, ends: ends)
            }
        }
    }
}

extension RowText {
    /// Calls `cell` for each non-NULL row of `rows` (after `key`), writes `null` for a NULL row,
    /// and records each row's end offset.
    @inline(__always)
    static func eachRow(
        _ c: Column, _ rows: Range<Int>, into t: inout ByteBuffer, ends: UnsafeMutablePointer<Int>,
        key: [UInt8], null: [UInt8], _ cell: (inout ByteBuffer, Int) -> Void
    ) {
        let lo = rows.lowerBound
        key.withUnsafeBufferPointer { key in
            null.withUnsafeBufferPointer { null in
                let keyed = !key.isEmpty
                if let v = c.validity {
                    v.withUnsafeBufferPointer { v in
                        for i in rows {
                            if keyed {
                                t.reserve(key.count)
                                t.append(key.baseAddress!, key.count)
                            }
                            if v[i] != 0 {
                                cell(&t, i)
                            } else if !null.isEmpty {
                                t.reserve(null.count)
                                t.append(null.baseAddress!, null.count)
                            }
                            ends[i - lo] = t.count
                        }
                    }
                } else {
                    for i in rows {
                        if keyed {
                            t.reserve(key.count)
                            t.append(key.baseAddress!, key.count)
                        }
                        cell(&t, i)
                        ends[i - lo] = t.count
                    }
                }
            }
        }
    }

    /// Cells of a non-VARCHAR column for csv / tsv: the value's text (`TextBytes`) handed to
    /// `place` (which copies or quotes it). A NULL cell is empty.
    static func values(
        _ c: Column, _ rows: Range<Int>, into t: inout ByteBuffer, ends: UnsafeMutablePointer<Int>, null: [UInt8],
        _ place: (inout ByteBuffer, UnsafeMutablePointer<UInt8>, Int) -> Void
    ) {
        @inline(__always) func each(_ text: (Int, UnsafeMutablePointer<UInt8>) -> Int) {
            eachRow(c, rows, into: &t, ends: ends, key: [], null: null) { t, i in
                t.reserve(TextBytes.maxBytes)
                place(&t, t.end, text(i, t.end))
            }
        }
        if c.type == .null { return each { _, _ in 0 } }
        TextBytes.withValueWriter(c, type: c.type, each)
    }

    /// Cells of a VARCHAR column (either form): `key`, then the bytes of each value handed to
    /// `place`; a NULL row writes `null`.
    static func strings(
        _ c: Column, _ rows: Range<Int>, into t: inout ByteBuffer, ends: UnsafeMutablePointer<Int>,
        key: [UInt8] = [], null: [UInt8] = [], _ place: (inout ByteBuffer, UnsafePointer<UInt8>, Int) -> Void
    ) {
        @inline(__always) func each(_ views: UnsafeBufferPointer<StringView>, _ index: (Int) -> Int) {
            let raw = UnsafeRawPointer(views.baseAddress!)
            eachRow(c, rows, into: &t, ends: ends, key: key, null: null) { t, i in
                let k = index(i)
                let v = views[k]
                let p: UnsafePointer<UInt8> =
                    v.isInline
                    ? (raw + k * MemoryLayout<StringView>.stride + 4).assumingMemoryBound(to: UInt8.self)
                    : UnsafePointer(bitPattern: UInt(v.tail))!
                place(&t, p, v.count)
            }
        }
        if rows.isEmpty { return }
        if let d = c.dictionary {
            let views = d.views
            withExtendedLifetime(d) {
                views.withUnsafeBufferPointer { v in
                    c.codes.withUnsafeBufferPointer { codes in each(v) { Int(codes[$0]) } }
                }
            }
        } else {
            c.views.withUnsafeBufferPointer { v in each(v) { $0 } }
        }
    }

    /// Whether a byte makes a csv / tsv field quoted, as DuckDB 2.0.1's CSV writer decides: the
    /// delimiter, `"`, `\n`, `\r`, or `#` (the comment character its reader knows, so that a
    /// written value never reads back as a comment).
    @inline(__always)
    static func quotes(_ x: UInt8, _ sep: UInt8) -> Bool {
        x == sep || x == UInt8(ascii: "\"") || x == 10 || x == 13 || x == UInt8(ascii: "#")
    }

    /// A csv / tsv field from `n` bytes at `p` (which may lie at `t.end`): quoted, with `"` doubled,
    /// when empty or holding a byte that `quotes`.
    @inline(__always)
    static func delimitedString(_ p: UnsafePointer<UInt8>, _ n: Int, _ sep: UInt8, into t: inout ByteBuffer) {
        var quote = n == 0
        if !quote {
            for j in 0..<n {
                let x = p[j]
                if quotes(x, sep) {
                    quote = true
                    break
                }
            }
        }
        if !quote {
            if p != UnsafePointer(t.end) {
                t.reserve(n)
                t.append(p, n)
            } else {
                t.count += n
            }
            return
        }
        // Quoted: copy the bytes away first when they lie at the buffer's end.
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
        defer { copy.deallocate() }
        copy.update(from: p, count: n)
        t.reserve(2 * n + 2)
        t.append(UInt8(ascii: "\""))
        for j in 0..<n {
            if copy[j] == UInt8(ascii: "\"") { t.append(copy[j]) }
            t.append(copy[j])
        }
        t.append(UInt8(ascii: "\""))
    }

    /// UTF-8 bytes as a JSON string (VARCHAR values and the keys of JSON rows): `"` and `\` escaped,
    /// control bytes as `\n` `\r` `\t` `\b` `\f` or `\u00XX`.
    @inline(__always)
    static func jsonString(_ s: UnsafeBufferPointer<UInt8>, into t: inout ByteBuffer) {
        t.reserve(6 * s.count + 2)
        t.append(UInt8(ascii: "\""))
        for b in s {
            if b >= 32 && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") {
                t.append(b)
                continue
            }
            t.append(UInt8(ascii: "\\"))
            switch b {
            case 10: t.append(UInt8(ascii: "n"))
            case 13: t.append(UInt8(ascii: "r"))
            case 9: t.append(UInt8(ascii: "t"))
            case 8: t.append(UInt8(ascii: "b"))
            case 12: t.append(UInt8(ascii: "f"))
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): t.append(b)
            default:
                let hex: StaticString = "0123456789abcdef"
                t.append(UInt8(ascii: "u"))
                t.append(48)
                t.append(48)
                t.append(hex.utf8Start[Int(b >> 4)])
                t.append(hex.utf8Start[Int(b & 15)])
            }
        }
        t.append(UInt8(ascii: "\""))
    }

    /// Cells of a non-VARCHAR column for JSON: `key`, then numbers and booleans bare (`NaN`,
    /// `Infinity`, `-Infinity` for those doubles), dates, timestamps and intervals as strings,
    /// NULL `null`.
    static func jsonValues(
        _ c: Column, _ rows: Range<Int>, key: [UInt8], doubles: JSONDoubles, into t: inout ByteBuffer,
        ends: UnsafeMutablePointer<Int>
    ) {
        let null = Array("null".utf8)
        @inline(__always) func each(quoted: Bool, _ text: (Int, UnsafeMutablePointer<UInt8>) -> Int) {
            eachRow(c, rows, into: &t, ends: ends, key: key, null: null) { t, i in
                t.reserve(TextBytes.maxBytes + 2)
                if quoted {
                    t.append(UInt8(ascii: "\""))
                    t.count += text(i, t.end)
                    t.append(UInt8(ascii: "\""))
                } else {
                    t.count += text(i, t.end)
                }
            }
        }
        switch c.type {
        case .null: each(quoted: false) { _, p in copyASCII("null", p) }
        case .double:
            c.doubles.withUnsafeBufferPointer { x in
                each(quoted: false) { i, p in jsonDouble(x[i], doubles, p) }
            }
        case .boolean:
            c.ints.withUnsafeBufferPointer { x in each(quoted: false) { i, p in TextBytes.boolean(x[i] != 0, p) } }
        case .date: c.ints.withUnsafeBufferPointer { x in each(quoted: true) { i, p in TextBytes.date(x[i], p) } }
        case .timestamp:
            c.ints.withUnsafeBufferPointer { x in each(quoted: true) { i, p in TextBytes.timestamp(x[i], p) } }
        case .timestamptz:
            let zone = SessionTimeZone.current
            c.ints.withUnsafeBufferPointer { x in each(quoted: true) { i, p in TextBytes.timestamptz(x[i], zone, p) } }
        case .time:
            c.ints.withUnsafeBufferPointer { x in each(quoted: true) { i, p in TextBytes.timeOfDay(x[i], p) } }
        case .interval:
            each(quoted: true) { i, p in TextBytes.interval(c.interval(at: i), p) }
        case .decimal(let precision, let scale):
            // the exact text, unquoted (DuckDB's COPY writes DECIMAL of up to 15 digits as a DOUBLE)
            each(quoted: false) { i, p in
                DecimalMath.write(c.int128(at: i), precision: Int(precision), scale: Int(scale), p)
            }
        default:
            if c.highs != nil {
                each(quoted: false) { i, p in TextBytes.int128(c.int128(at: i), p) }
            } else {
                c.ints.withUnsafeBufferPointer { x in each(quoted: false) { i, p in TextBytes.int64(x[i], p) } }
            }
        }
    }

    /// A DOUBLE in JSON: `NaN`, `Infinity`, `-Infinity`, else DuckDB's text or its JSON writer's
    /// (`JSONCopy.double`; plain notation for the values `TextBytes.shortDecimal` covers).
    static func jsonDouble(_ d: Double, _ style: JSONDoubles, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        if d.isNaN { return copyASCII("NaN", p) }
        if d.isInfinite { return copyASCII(d < 0 ? "-Infinity" : "Infinity", p) }
        switch style {
        case .duckDBText: return TextBytes.double(d, p)
        case .jsonWriter:
            // The shortest digits with a decimal exponent in -4...14: plain notation in both layouts.
            if let (digits, pointAt) = TextBytes.shortDecimal(d), pointAt - 1 >= -4 {
                return TextBytes.layoutDouble(negative: d.sign == .minus, digits: digits, pointAt: pointAt, p)
            }
            var s = JSONCopy.double(d)
            return s.withUTF8 { b in
                p.update(from: b.baseAddress!, count: b.count)
                return b.count
            }
        }
    }

    @inline(__always)
    static func copyASCII(_ s: StaticString, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        p.update(from: s.utf8Start, count: s.utf8CodeUnitCount)
        return s.utf8CodeUnitCount
    }
}

extension RowText {
    /// The range lo..<hi of the child elements that the valid, non-empty rows of a LIST (or MAP)
    /// column use (0..<0 when none does).
    static func usedElements(_ part: Column) -> (lo: Int, hi: Int) {
        var lo = Int.max
        var hi = 0
        for i in 0..<part.count where part.isValid(i) && part.listLength(i) > 0 {
            lo = Swift.min(lo, part.listOffset(i))
            hi = Swift.max(hi, part.listOffset(i) + part.listLength(i))
        }
        return (Swift.min(lo, hi), hi)
    }

    /// Cells of a LIST column: csv / tsv write its text (`Kernels.listToVarchar`, DuckDB's CAST to
    /// VARCHAR) as a VARCHAR field; JSON writes an array of the elements' JSON values (`[1,2,null]`,
    /// `["a"]`, nested lists as nested arrays), NULL as `null`.
    static func listCells(
        _ c: Column, _ index: Int, _ rows: Range<Int>, _ style: CellStyle, into t: inout ByteBuffer,
        ends: UnsafeMutablePointer<Int>
    ) {
        let part = c.slice(rows)
        switch style {
        case .delimited:
            columnCells(Kernels.listToVarchar(part), index, 0..<rows.count, style, into: &t, ends: ends)
        case .json(let keys, let doubles):
            // the elements the rows use, as JSON cells of their own
            let (lo, hi) = usedElements(part)
            let null = Array("null".utf8)
            withJSONCells(part.listElements.slice(lo..<hi), key: [], doubles: doubles) { cells, cellEnds in
                eachRow(part, 0..<part.count, into: &t, ends: ends, key: keys[index], null: null) { t, i in
                    t.reserve(1)
                    t.append(UInt8(ascii: "["))
                    let start = part.listOffset(i) - lo
                    for k in start..<(start + part.listLength(i)) {
                        let from = k == 0 ? 0 : cellEnds[k - 1]
                        t.reserve(cellEnds[k] - from + 1)
                        if k > start { t.append(UInt8(ascii: ",")) }
                        t.append(cells.base + from, cellEnds[k] - from)
                    }
                    t.reserve(1)
                    t.append(UInt8(ascii: "]"))
                }
            }
        }
    }

    /// The JSON cell of every row of `column` (as `columnCells` writes one, named `key`), in one
    /// scratch buffer with each row's end offset, handed to `body` and freed after it: the values
    /// of LIST elements and MAP entries, copied into each row's array or object.
    static func withJSONCells<R>(
        _ column: Column, key: [UInt8], doubles: JSONDoubles,
        _ body: (ByteBuffer, UnsafeMutablePointer<Int>) throws -> R
    ) rethrows -> R {
        var cells = ByteBuffer(capacity: column.count * 8)
        let cellEnds = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(1, column.count))
        defer {
            cells.free()
            cellEnds.deallocate()
        }
        columnCells(column, 0, 0..<column.count, .json(keys: [key], doubles: doubles), into: &cells, ends: cellEnds)
        return try body(cells, cellEnds)
    }
}

extension RowText {
    /// Cells of a STRUCT or MAP column: csv / tsv write its text (`Kernels.nestedToVarchar`, DuckDB's
    /// CAST to VARCHAR) as a VARCHAR field; JSON writes a STRUCT as an object of its fields
    /// (`{"a":1,"b":"x"}`; an unnamed STRUCT as an array of them) and a MAP as an object whose
    /// names are the keys' text (`{"k":1}`), as DuckDB's JSON writer; NULL as `null`.
    static func structOrMapCells(
        _ c: Column, _ index: Int, _ rows: Range<Int>, _ style: CellStyle, into t: inout ByteBuffer,
        ends: UnsafeMutablePointer<Int>
    ) {
        let part = c.slice(rows)
        guard case .json(let keys, let doubles) = style else {
            columnCells(Kernels.nestedToVarchar(part), index, 0..<rows.count, style, into: &t, ends: ends)
            return
        }
        let null = Array("null".utf8)
        if part.type.isStruct {
            let fields = part.type.structFields
            let unnamed = !fields.isEmpty && fields.allSatisfy { $0.name.isEmpty }
            let names = unnamed ? fields.map { _ in [UInt8]() } : ResultWriter.jsonKeys(fields)
            var cells = fields.indices.map { _ in ByteBuffer(capacity: part.count * 8) }
            let cellEnds = fields.indices.map { _ in
                UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(1, part.count))
            }
            defer {
                for k in fields.indices {
                    cells[k].free()
                    cellEnds[k].deallocate()
                }
            }
            for k in fields.indices {
                columnCells(
                    part.structField(k), 0, 0..<part.count, .json(keys: [names[k]], doubles: doubles), into: &cells[k],
                    ends: cellEnds[k])
            }
            eachRow(part, 0..<part.count, into: &t, ends: ends, key: keys[index], null: null) { t, i in
                t.reserve(1)
                t.append(UInt8(ascii: unnamed ? "[" : "{"))
                for k in fields.indices {
                    let from = i == 0 ? 0 : cellEnds[k][i - 1]
                    t.reserve(cellEnds[k][i] - from + 1)
                    if k > 0 { t.append(UInt8(ascii: ",")) }
                    t.append(cells[k].base + from, cellEnds[k][i] - from)
                }
                t.reserve(1)
                t.append(UInt8(ascii: unnamed ? "]" : "}"))
            }
            return
        }
        // MAP: the entries the rows use, keys as JSON names and values as JSON cells
        let (lo, hi) = usedElements(part)
        let entries = part.listElements.slice(lo..<hi)
        let keyText = Kernels.nestedToVarchar(entries.structField(0))
        withJSONCells(entries.structField(1), key: [], doubles: doubles) { cells, cellEnds in
            eachRow(part, 0..<part.count, into: &t, ends: ends, key: keys[index], null: null) { t, i in
                t.reserve(1)
                t.append(UInt8(ascii: "{"))
                let start = part.listOffset(i) - lo
                for k in start..<(start + part.listLength(i)) {
                    if k > start {
                        t.reserve(1)
                        t.append(UInt8(ascii: ","))
                    }
                    keyText.stringView(at: k).withBytes { jsonString($0, into: &t) }
                    let from = k == 0 ? 0 : cellEnds[k - 1]
                    t.reserve(cellEnds[k] - from + 1)
                    t.append(UInt8(ascii: ":"))
                    t.append(cells.base + from, cellEnds[k] - from)
                }
                t.reserve(1)
                t.append(UInt8(ascii: "}"))
            }
        }
    }
}
