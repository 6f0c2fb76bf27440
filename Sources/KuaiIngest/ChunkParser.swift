import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the parser stores one column (one per supported logical type), or `skip` for a column
/// the reader does not deliver (projection pushdown): its fields are scanned (quotes, field
/// count) but neither converted nor stored.
enum ColumnKind {
    case bigint, date, double, boolean, varchar, timestamp, time, skip

    init(_ type: DataType) {
        switch type {
        case .date: self = .date
        case .timestamp: self = .timestamp
        case .time: self = .time
        case .double: self = .double
        case .boolean: self = .boolean
        case .varchar: self = .varchar
        default: self = .bigint
        }
    }
}

/// A bad row found while parsing a chunk, located relative to the chunk.
struct LocalReject: Sendable {
    /// 0-based line within the chunk (LF bytes before the bad field).
    var line: Int
    /// 1-based field number.
    var column: Int
    var reason: String
    /// The schema column the error concerns (0-based; nil for a field past the last column).
    var field: Int?
    /// The record's text, cut around the bad field (`RecordExcerpt`).
    var text: String
}

/// What parsing one chunk produced.
struct ParsedChunk: @unchecked Sendable {
    var batches: [Batch] = []
    var rows = 0
    /// LF bytes of the chunk (its number of lines).
    var lines = 0
    var rejects: [LocalReject] = []
    /// True when parsing stopped at the first bad row (no reject file).
    var stopped = false
}

/// Parses record-aligned chunks of one CSV file into `Batch`es of at most `batchRows` rows.
///
/// The hot loop reads bytes through pointers and handles the common shapes inline: an unquoted
/// integer of 1-18 digits, a `YYYY-MM-DD` date, an unquoted string (interned by its bytes), an
/// empty field (NULL). Everything else (quotes, spaces, long numbers, doubles, booleans, errors)
/// goes through `FieldExtractor` and `FieldParse`.
///
/// Requirements on the input: the chunk starts at a record start and its last byte is LF (the
/// reader appends one to a final record without it), so unquoted scans stop without bound checks.
/// One parser per thread; it owns reusable column buffers of `batchRows` rows.
final class ChunkParser {
    let ncols: Int
    let types: [DataType]
    /// The columns delivered in each batch (ascending indexes into `types`); the others are skipped.
    let delivered: [Int]
    let batchRows: Int
    /// When true, bad rows are collected and skipped; when false parsing stops at the first.
    let rejectRows: Bool
    /// The byte that ends a field.
    let delimiter: UInt8
    /// The structure bytes (the delimiter, quote, escape and comment).
    let syntax: CSVSyntax
    /// How fields read as values (read_csv's `nullstr`, `dateformat`, ...).
    let valueFormat: CSVValueFormat
    /// True when `valueFormat` or `syntax` is not the default: every field then takes the general path.
    private let general: Bool

    private let kinds: UnsafeMutablePointer<ColumnKind>
    private let values: UnsafeMutablePointer<UnsafeMutableRawPointer>
    private let valid: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
    private let interners: UnsafeMutablePointer<ByteInterner>
    private var extractor: FieldExtractor
    /// 10^0 ... 10^8 for combining SWAR digit groups.
    private let pow10: UnsafeMutablePointer<UInt64>

    /// Rows per batch for a table of `columns` columns: `requested`, but fewer for wide tables so
    /// that the column buffers (9 bytes per field) stay under 32 MiB per parser thread; at least
    /// 1,024 (or `requested` when smaller).
    static func batchRows(columns: Int, requested: Int) -> Int {
        min(requested, max(1024, (32 << 20) / (9 * max(columns, 1))))
    }

    /// - Parameters:
    ///   - schema: every column of the file's records, in order.
    ///   - projection: the columns to deliver (ascending indexes into `schema`; nil: all). A batch
    ///     holds them in this order; with none it carries only its row count.
    ///   - valueFormat: how fields read as values (the fast paths assume the default).
    init(
        schema: Schema, projection: [Int]? = nil, batchRows: Int, rejectRows: Bool, syntax: CSVSyntax,
        valueFormat: CSVValueFormat = CSVValueFormat()
    ) {
        precondition(!schema.isEmpty && batchRows > 0)
        self.syntax = syntax
        delimiter = syntax.delimiter
        self.valueFormat = valueFormat
        general = !valueFormat.isDefault || !syntax.isDefault
        extractor = FieldExtractor(syntax: syntax)
        ncols = schema.count
        types = schema.map(\.type)
        delivered = projection ?? Array(schema.indices)
        self.batchRows = batchRows
        self.rejectRows = rejectRows
        kinds = .allocate(capacity: ncols)
        self.values = .allocate(capacity: ncols)
        valid = .allocate(capacity: ncols)
        interners = .allocate(capacity: ncols)
        pow10 = .allocate(capacity: SWAR.pow10.count)
        pow10.initialize(from: SWAR.pow10, count: SWAR.pow10.count)
        var keep = [Bool](repeating: projection == nil, count: ncols)
        for c in projection ?? [] { keep[c] = true }
        for (c, f) in schema.enumerated() {
            kinds[c] = keep[c] ? ColumnKind(f.type) : .skip
            let capacity = keep[c] ? batchRows : 1
            let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * 8, alignment: 8)
            switch kinds[c] {
            case .varchar: _ = raw.bindMemory(to: Int32.self, capacity: capacity)
            case .double: _ = raw.bindMemory(to: Double.self, capacity: capacity)
            default: _ = raw.bindMemory(to: Int64.self, capacity: capacity)
            }
            values[c] = raw
            valid[c] = .allocate(capacity: capacity)
            (interners + c).initialize(to: ByteInterner())
        }
    }

    deinit {
        for c in 0..<ncols {
            values[c].deallocate()
            valid[c].deallocate()
            interners[c].deallocate()
        }
        (interners).deinitialize(count: ncols)
        interners.deallocate()
        kinds.deallocate()
        pow10.deallocate()
        values.deallocate()
        valid.deallocate()
        extractor.deallocate()
    }

    private enum FieldResult {
        case ok
        case fail(column: Int, reason: String)
    }

    /// Parses the records in `base[start..<end]` (`base[end - 1]` must be LF).
    func parse(_ base: UnsafePointer<UInt8>, start: Int, end: Int) -> ParsedChunk {
        var out = ParsedChunk()
        var pos = start
        var line = 0
        var row = 0
        let columns = FastColumns(
            kinds: kinds, values: values, valid: valid, interners: interners, pow10: pow10, delimiter: delimiter)
        while pos < end {
            let recStart = pos
            let recLine = line
            if ncols > 1 {
                // DuckDB skips blank lines in files of more than one column.
                let b0 = base[pos]
                if b0 == CSVByte.lf {
                    pos += 1
                    line += 1
                    continue
                }
                if b0 == CSVByte.cr && pos + 1 < end && base[pos + 1] == CSVByte.lf {
                    pos += 2
                    line += 1
                    continue
                }
            }
            if let comment = syntax.comment, Self.isCommentLine(base, pos, end, comment) {
                while base[pos] != CSVByte.lf { pos += 1 }
                pos += 1
                line += 1
                continue
            }
            if let failure = parseRecord(base, columns, pos: &pos, end: end, row: row, line: &line) {
                let e = RecordScanner.recordEnd(base, from: recStart, to: end, syntax: syntax) ?? end
                out.rejects.append(
                    LocalReject(
                        line: line, column: failure.column, reason: failure.reason,
                        field: failure.column <= ncols ? failure.column - 1 : nil,
                        text: RecordExcerpt.text(
                            base, from: recStart, to: e, field: failure.column - 1, delimiter: delimiter)))
                if !rejectRows {
                    // the rows before the bad one are kept: a reader that needs only them (a row
                    // limit) may use them and never raise the error
                    if row > 0 {
                        out.batches.append(flush(rows: row))
                        out.rows += row
                    }
                    out.stopped = true
                    out.lines = line
                    return out
                }
                line = recLine + RecordScanner.countLF(base, from: recStart, to: e)
                pos = e
                continue
            }
            line += 1
            row += 1
            if row == batchRows {
                out.batches.append(flush(rows: row))
                out.rows += row
                row = 0
            }
        }
        if row > 0 {
            out.batches.append(flush(rows: row))
            out.rows += row
        }
        out.lines = line
        return out
    }

    /// Whether the line at `pos` is a comment: spaces, then `comment` (the chunk ends in LF).
    static func isCommentLine(_ base: UnsafePointer<UInt8>, _ pos: Int, _ end: Int, _ comment: UInt8) -> Bool {
        var i = pos
        while i < end && base[i] == CSVByte.space { i += 1 }
        return i < end && base[i] == comment
    }

    /// Parses the fields of the record at `pos` into `row`: each through its column's fast path when the
    /// field has the common shape, else `slowField`. Leaves `pos` after the record's terminator; returns the
    /// first bad field (1-based column and reason), if any.
    @inline(__always)
    private func parseRecord(
        _ base: UnsafePointer<UInt8>, _ columns: FastColumns, pos: inout Int, end: Int, row: Int, line: inout Int
    ) -> (column: Int, reason: String)? {
        let lastCol = ncols - 1
        var c = 0
        if general {
            // read_csv options other than the defaults: every field on the general path
            while true {
                switch slowField(base, pos: &pos, end: end, column: c, row: row, line: &line) {
                case .ok:
                    if c == lastCol { return nil }
                    c += 1
                case .fail(let column, let reason):
                    return (column, reason)
                }
            }
        }
        while true {
            let last = c == lastCol
            let s = base + pos
            let b0 = s.pointee
            // Empty unquoted field: NULL.
            if last ? (b0 == CSVByte.lf) : (b0 == columns.delimiter) {
                storeNull(column: c, row: row)
                pos += 1
                if last { return nil }
                c += 1
                continue
            }
            let consumed = columns.fastField(s, column: c, row: row, last: last)
            if consumed > 0 {
                pos += consumed
                if last { return nil }
                c += 1
                continue
            }
            // General path.
            switch slowField(base, pos: &pos, end: end, column: c, row: row, line: &line) {
            case .ok:
                if last { return nil }
                c += 1
            case .fail(let column, let reason):
                return (column, reason)
            }
        }
    }

    /// The general path for field `column` starting at `pos`: extracts it (quotes, CRLF), checks
    /// the field count, converts it and stores it at `row`. Advances `pos` past the terminator and
    /// `line` past quoted newlines.
    private func slowField(
        _ base: UnsafePointer<UInt8>, pos: inout Int, end: Int, column c: Int, row: Int,
        line: inout Int
    ) -> FieldResult {
        let f = extractor.extract(base, at: pos, end: end)
        if let e = f.error { return .fail(column: c + 1, reason: e) }
        if c < ncols - 1 {
            if f.terminator != .delimiter {
                return .fail(column: c + 2, reason: "too few fields: expected \(ncols), found \(c + 1)")
            }
        } else if f.terminator == .delimiter {
            let rest = splitRecord(base, at: f.next, end: end, extractor: &extractor)
            return .fail(
                column: ncols + 1, reason: "too many fields: expected \(ncols), found \(ncols + rest.fields.count)")
        }
        let value = values[c]
        if kinds[c] == .skip {
            // not delivered: the field is not converted (DuckDB reads no value of a column no query uses)
        } else if general ? valueFormat.isNull(f.start, f.count) : f.count == 0 {
            storeNull(column: c, row: row)
        } else {
            let failure: String?
            switch kinds[c] {
            case .bigint: failure = FieldParse.bigint(f.start, f.count).store(into: value, at: row)
            case .date:
                if let format = valueFormat.dateFormat {
                    failure = formatted(valueFormat.date(f.start, f.count, format), format, "DATE", f, value, row)
                } else {
                    failure = FieldParse.date(f.start, f.count).store(into: value, at: row)
                }
            case .boolean: failure = FieldParse.boolean(f.start, f.count).store(into: value, at: row)
            case .double:
                failure =
                    valueFormat.decimalSeparator == UInt8(ascii: ".")
                    ? FieldParse.double(f.start, f.count).store(into: value, at: row)
                    : valueFormat.commaDouble(f.start, f.count).store(into: value, at: row)
            case .timestamp:
                if let format = valueFormat.timestampFormat {
                    let v = format.parse(UnsafeBufferPointer(start: f.start, count: f.count))
                    failure = formatted(v, format, "TIMESTAMP", f, value, row)
                } else {
                    failure = FieldParse.timestamp(f.start, f.count).store(into: value, at: row)
                }
            case .time: failure = FieldParse.time(f.start, f.count).store(into: value, at: row)
            case .skip: failure = nil
            case .varchar:
                let code = interners[c].intern(f.start, f.count, hash: hashBytes(f.start, f.count))
                if code < 0 { return .fail(column: c + 1, reason: "found \(describeField(f.start, f.count))") }
                value.assumingMemoryBound(to: Int32.self)[row] = code
                failure = nil
            }
            if let failure { return .fail(column: c + 1, reason: failure) }
            valid[c][row] = 1
        }
        line += f.newlines
        pos = f.next
        return .ok
    }

    /// Stores `v`, a value read by `format`, at `row` of `value`; nil, or the reason when the field
    /// `f` did not match.
    private func formatted(
        _ v: Int64?, _ format: CSVTemporalFormat, _ type: String, _ f: ExtractedField, _ value: UnsafeMutableRawPointer,
        _ row: Int
    ) -> String? {
        guard let v else {
            return "expected a \(type) written as '\(format.text)', found \(describeField(f.start, f.count))"
        }
        value.assumingMemoryBound(to: Int64.self)[row] = v
        return nil
    }

    /// Marks `row` of column `c` NULL (value 0).
    @inline(__always)
    private func storeNull(column c: Int, row: Int) {
        if kinds[c] == .skip { return }
        if kinds[c] == .varchar {
            values[c].assumingMemoryBound(to: Int32.self)[row] = 0
        } else if kinds[c] == .double {
            values[c].assumingMemoryBound(to: Double.self)[row] = 0
        } else {
            values[c].assumingMemoryBound(to: Int64.self)[row] = 0
        }
        valid[c][row] = 0
    }

    /// Copies the first `rows` rows of the delivered columns' buffers into a new `Batch` and resets
    /// the string dictionaries for the next batch.
    private func flush(rows: Int) -> Batch {
        var columns: [Column] = []
        columns.reserveCapacity(delivered.count)
        for c in delivered {
            let v = valid[c]
            let validity: [UInt8]? = memchr(v, 0, rows) != nil ? Array(UnsafeBufferPointer(start: v, count: rows)) : nil
            switch kinds[c] {
            case .bigint, .date, .boolean, .timestamp, .time:
                let p = values[c].assumingMemoryBound(to: Int64.self)
                columns.append(
                    Column(type: types[c], ints: Array(UnsafeBufferPointer(start: p, count: rows)), validity: validity))
            case .double:
                let p = values[c].assumingMemoryBound(to: Double.self)
                columns.append(Column(doubles: Array(UnsafeBufferPointer(start: p, count: rows)), validity: validity))
            case .varchar:
                let p = values[c].assumingMemoryBound(to: Int32.self)
                let dict = StringDictionary(interners[c].strings)
                columns.append(
                    Column(
                        codes: Array(UnsafeBufferPointer(start: p, count: rows)), dictionary: dict, validity: validity))
                interners[c].reset()
            case .skip:
                continue
            }
        }
        return Batch(columns: columns, count: rows)
    }
}

/// The parser's column buffers as plain pointers (a value the hot loop keeps in registers) and the fast
/// paths for the common field shapes: an unquoted integer of 1-15 digits, an unquoted non-empty string, a
/// `YYYY-MM-DD` date. Each returns the bytes consumed including the terminator (the delimiter, or LF / CRLF for the
/// last field), or 0 when the field needs the general path.
private struct FastColumns {
    let kinds: UnsafeMutablePointer<ColumnKind>
    let values: UnsafeMutablePointer<UnsafeMutableRawPointer>
    let valid: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
    let interners: UnsafeMutablePointer<ByteInterner>
    /// 10^0 ... 10^8 for combining SWAR digit groups.
    let pow10: UnsafeMutablePointer<UInt64>
    /// The byte that ends a field.
    let delimiter: UInt8

    @inline(__always)
    func fastField(_ s: UnsafePointer<UInt8>, column c: Int, row: Int, last: Bool) -> Int {
        switch kinds[c] {
        case .bigint: return bigint(s, column: c, row: row, last: last)
        case .varchar: return varchar(s, column: c, row: row, last: last)
        case .date: return date(s, column: c, row: row, last: last)
        case .skip: return skip(s, last: last)
        case .double, .boolean, .timestamp, .time: return 0
        }
    }

    /// An unquoted field of a column not delivered: only its end is found.
    @inline(__always)
    func skip(_ s: UnsafePointer<UInt8>, last: Bool) -> Int {
        if s.pointee == CSVByte.quote { return 0 }
        let q = s + SWAR.findDelimiter(s, delimiter)
        if q.pointee != (last ? CSVByte.lf : delimiter) { return 0 }
        return s.distance(to: q) + 1
    }

    @inline(__always)
    func bigint(_ s: UnsafePointer<UInt8>, column c: Int, row: Int, last: Bool) -> Int {
        var q = s
        let negative = s.pointee == CSVByte.minus
        if negative { q += 1 }
        // Up to 15 digits with two 8-byte SWAR steps; longer numbers take the general path (overflow checks).
        var (v, nd) = SWAR.digits8(q)
        if nd == 8 {
            let (v2, n2) = SWAR.digits8(q + 8)
            v = v &* pow10[n2] &+ v2
            nd = n2 == 8 ? 99 : 8 &+ n2
        }
        guard nd > 0 && nd <= 15 else { return 0 }
        q += nd
        let t = q.pointee
        let terminator: Int
        if !last {
            guard t == delimiter else { return 0 }
            terminator = 1
        } else if t == CSVByte.lf || (t == CSVByte.cr && q[1] == CSVByte.lf) {
            terminator = t == CSVByte.lf ? 1 : 2
        } else {
            return 0
        }
        values[c].assumingMemoryBound(to: Int64.self)[row] = negative ? -Int64(bitPattern: v) : Int64(bitPattern: v)
        valid[c][row] = 1
        return s.distance(to: q) + terminator
    }

    @inline(__always)
    func varchar(_ s: UnsafePointer<UInt8>, column c: Int, row: Int, last: Bool) -> Int {
        if s.pointee == CSVByte.quote { return 0 }
        let q = s + SWAR.findDelimiter(s, delimiter)
        let t = q.pointee
        var n = s.distance(to: q)
        if last {
            if t != CSVByte.lf { return 0 }
            if n > 0 && q[-1] == CSVByte.cr { n -= 1 }
        } else if t != delimiter {
            return 0
        }
        if n == 0 { return 0 }
        let code = interners[c].intern(s, n, hash: hashBytes(s, n))
        if code < 0 { return 0 }
        values[c].assumingMemoryBound(to: Int32.self)[row] = code
        valid[c][row] = 1
        return s.distance(to: q) + 1
    }

    @inline(__always)
    func date(_ s: UnsafePointer<UInt8>, column c: Int, row: Int, last: Bool) -> Int {
        // Short-circuit checks never read past the LF that ends the chunk.
        guard FieldParse.isDigit(s[0]), FieldParse.isDigit(s[1]), FieldParse.isDigit(s[2]),
            FieldParse.isDigit(s[3]), s[4] == CSVByte.minus, FieldParse.isDigit(s[5]),
            FieldParse.isDigit(s[6]), s[7] == CSVByte.minus, FieldParse.isDigit(s[8]),
            FieldParse.isDigit(s[9])
        else { return 0 }
        let t = s[10]
        if last ? (t != CSVByte.lf) : (t != delimiter) { return 0 }
        guard let days = FieldParse.strictDate(s, 10) else { return 0 }
        values[c].assumingMemoryBound(to: Int64.self)[row] = days
        valid[c][row] = 1
        return 11
    }
}
