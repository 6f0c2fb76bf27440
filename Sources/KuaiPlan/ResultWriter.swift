import KuaiCore
import KuaiExec
import KuaiOutput

/// Output formats of kuai-query.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Boxed, aligned table for a terminal (like DuckDB's CLI "duckbox").
    case table
    /// RFC 4180 with a header, exactly as DuckDB's `COPY (query) TO 'f.csv' (HEADER)` writes it.
    case csv
    /// Tab-separated with a header.
    case tsv
    /// One JSON array of objects.
    case json
    /// One JSON object per line.
    case jsonl
    /// A Markdown table (DuckDB's `.mode markdown`).
    case markdown
    /// One `name = value` line per column, a blank line between rows (DuckDB's `.mode line`).
    case line
    /// A horizontal bar chart of a (label, number, ...) result (KuaiOutput.BarChart).
    case chart
}

/// Renders a `QueryResult` as text; values are formatted as DuckDB prints them
/// (DOUBLE shortest round-trip, DATE `YYYY-MM-DD`, TIMESTAMP `YYYY-MM-DD HH:MM:SS[.ffffff]`).
///
/// - csv: header line, `,` separators, `\n` line ends; a field is quoted (`"` doubled inside)
///   when it is empty or holds `,` `"` `\n` or `\r`; NULL is an empty unquoted field.
/// - tsv: the same with tab separators (a field holding a tab is quoted).
/// - json: `[`, one `\t{...}` object per row separated by `,\n`, `]` (DuckDB's `FORMAT json, ARRAY true`);
///   jsonl: one object per line. Numbers are JSON numbers (`Infinity`/`NaN` as DuckDB writes them),
///   NULL is `null`, dates, timestamps and intervals are strings.
/// - table: DuckDB's box table (KuaiOutput.BoxCollector): names and types in the header, numbers
///   right-aligned, NULL shown as `NULL`, at most 40 rows (first and last) and the width limit of `BoxOptions`.
public enum ResultWriter {
    /// Calls `write` with successive chunks of the rendered output.
    public static func write(_ result: QueryResult, format: OutputFormat, to write: (String) -> Void) {
        writeBytes(result, format: format) { bytes in write(String(decoding: bytes, as: UTF8.self)) }
    }

    /// Calls `write` with successive UTF-8 chunks (about 64 KiB each) of the rendered output.
    public static func writeBytes(
        _ result: QueryResult, format: OutputFormat, to write: (UnsafeBufferPointer<UInt8>) -> Void
    ) {
        withoutActuallyEscaping(write) { write in
            var out = ByteSink(flush: write)
            switch format {
            case .csv: writeDelimited(result, separator: UInt8(ascii: ","), into: &out)
            case .tsv: writeDelimited(result, separator: UInt8(ascii: "\t"), into: &out)
            case .json: writeJSON(result, array: true, into: &out)
            case .jsonl: writeJSON(result, array: false, into: &out)
            case .table: writeTable(result, into: &out)
            case .markdown, .line, .chart:
                // through the stream (a result that cannot be drawn as a chart writes nothing here;
                // ResultStream's init throws for it)
                out.finish()
                guard let stream = try? ResultStream(format: format, fields: result.fields, write: write) else {
                    return
                }
                for b in result.batches { stream.append(b) }
                stream.finish()
            }
            out.finish()
        }
    }

    // MARK: - delimited

    static func needsQuotes(_ s: String, _ sep: UInt8) -> Bool {
        if s.isEmpty { return true }
        for b in s.utf8 where RowText.quotes(b, sep) { return true }
        return false
    }

    static func appendField(_ s: String, _ sep: UInt8, into out: inout ByteSink) {
        if needsQuotes(s, sep) {
            out.append(UInt8(ascii: "\""))
            for b in s.utf8 {
                if b == UInt8(ascii: "\"") { out.append(b) }
                out.append(b)
            }
            out.append(UInt8(ascii: "\""))
        } else {
            out.append(s)
        }
    }

    static func writeDelimited(_ result: QueryResult, separator sep: UInt8, into out: inout ByteSink) {
        delimitedHeader(result.fields, sep, into: &out)
        for b in result.batches { delimitedBatch(b, sep, into: &out) }
    }

    static func delimitedHeader(_ fields: Schema, _ sep: UInt8, into out: inout ByteSink) {
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(sep) }
            appendField(f.name, sep, into: &out)
        }
        out.append(10)
    }

    /// The rows of `b` as csv / tsv fields (`RowText`).
    static func delimitedBatch(_ b: Batch, _ sep: UInt8, into out: inout ByteSink) {
        RowText.write(b, .delimited(sep), into: &out)
    }

    // MARK: - JSON

    static func writeJSON(_ result: QueryResult, array: Bool, into out: inout ByteSink) {
        let keys = jsonKeys(result.fields)
        if array { out.append("[\n") }
        var first = true
        for b in result.batches { jsonBatch(b, keys, array: array, first: &first, into: &out) }
        if array { out.append(first ? "\t\n]\n" : "\n]\n") }
    }

    /// Each field's key, `"name":`: the name escaped as `RowText.jsonString` escapes VARCHAR values.
    static func jsonKeys(_ fields: Schema) -> [[UInt8]] {
        fields.map { f in
            var name = f.name
            var t = ByteBuffer(capacity: 6 * name.utf8.count + 3)
            defer { t.free() }
            name.withUTF8 { RowText.jsonString($0, into: &t) }
            t.reserve(1)
            t.append(UInt8(ascii: ":"))
            return Array(t.bytes)
        }
    }

    /// The rows of `b` as JSON objects (`RowText`): in an array, `,\n` before each row but the
    /// first and a tab before each object; else one object per line.
    /// - Parameter doubles: how a finite DOUBLE is printed (COPY's JSON writer prints them its own way).
    static func jsonBatch(
        _ b: Batch, _ keys: [[UInt8]], array: Bool, first: inout Bool,
        doubles: JSONDoubles = .duckDBText, into out: inout ByteSink
    ) {
        if b.count == 0 { return }
        let layout = RowLayout.json(array: array, keys: keys, doubles: doubles)
        RowText.write(b, layout, dropFirst: array && first ? 2 : 0, into: &out)
        first = false
    }

    // MARK: - table

    /// The box table of a whole result (DuckDB's box renderer with default options: at most 40 rows,
    /// no width limit).
    static func writeTable(_ result: QueryResult, options: BoxOptions = BoxOptions(), into out: inout ByteSink) {
        if result.fields.isEmpty { return }
        let box = BoxCollector(fields: result.fields, options: options)
        for b in result.batches { box.append(b) }
        out.append(box.render())
    }
}

/// Writes a result batch by batch as it is computed: csv, tsv, json, jsonl and line stream; the
/// table format keeps only the rows it shows and is drawn by `finish`; markdown (column widths) and
/// chart (its scale) hold their rows until `finish`.
public final class ResultStream {
    let format: OutputFormat
    let fields: Schema
    private var sink: ByteSink
    private var first = true
    private let keys: [[UInt8]]
    private let box: BoxCollector?
    private let markdown: MarkdownTable?
    private var line: LineWriter?
    private let chart: BarChart?

    /// - Parameters:
    ///   - display: row and width limits of the table and chart formats, the csv/tsv header switch.
    ///   - write: receives UTF-8 chunks of about 64 KiB.
    /// - Throws: `KuaiError.usage` when the format is `chart` and the result is not (label, numbers...).
    public init(
        format: OutputFormat, fields: Schema, display: DisplayOptions = DisplayOptions(),
        write: @escaping (UnsafeBufferPointer<UInt8>) -> Void
    ) throws {
        self.format = format
        self.fields = fields
        let some = !fields.isEmpty
        self.box = format == .table && some ? BoxCollector(fields: fields, options: display.box) : nil
        self.markdown = format == .markdown && some ? MarkdownTable(fields: fields) : nil
        self.line = format == .line ? LineWriter(fields: fields) : nil
        self.chart = format == .chart && some ? try BarChart(fields: fields, options: display.chart) : nil
        self.sink = ByteSink(flush: write)
        self.keys = (format == .json || format == .jsonl) ? ResultWriter.jsonKeys(fields) : []
        switch format {
        case .csv: if display.header { ResultWriter.delimitedHeader(fields, UInt8(ascii: ","), into: &sink) }
        case .tsv: if display.header { ResultWriter.delimitedHeader(fields, UInt8(ascii: "\t"), into: &sink) }
        case .json: sink.append("[\n")
        default: break
        }
    }

    public func append(_ batch: Batch) {
        switch format {
        case .csv: ResultWriter.delimitedBatch(batch, UInt8(ascii: ","), into: &sink)
        case .tsv: ResultWriter.delimitedBatch(batch, UInt8(ascii: "\t"), into: &sink)
        case .json: ResultWriter.jsonBatch(batch, keys, array: true, first: &first, into: &sink)
        case .jsonl: ResultWriter.jsonBatch(batch, keys, array: false, first: &first, into: &sink)
        case .table: box?.append(batch)
        case .markdown: markdown?.append(batch)
        case .line: if line != nil { sink.append(line!.text(batch)) }
        case .chart: chart?.append(batch)
        }
    }

    public func finish() {
        switch format {
        case .json: sink.append(first ? "\t\n]\n" : "\n]\n")
        case .table: if let box { sink.append(box.render()) }
        case .markdown: if let markdown { sink.append(markdown.render()) }
        case .chart: if let chart { sink.append(chart.render()) }
        default: break
        }
        sink.finish()
    }
}

/// A growable byte buffer that hands out full 64 KiB chunks.
struct ByteSink {
    var buffer: [UInt8] = []
    let flush: (UnsafeBufferPointer<UInt8>) -> Void
    static let chunk = 1 << 16

    init(flush: @escaping (UnsafeBufferPointer<UInt8>) -> Void) {
        self.flush = flush
        buffer.reserveCapacity(Self.chunk + 1024)
    }

    @inline(__always)
    mutating func append(_ b: UInt8) {
        buffer.append(b)
        if buffer.count >= Self.chunk { drain() }
    }

    mutating func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.chunk { drain() }
    }

    mutating func append(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= Self.chunk { drain() }
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count >= Self.chunk {
            // A large piece goes out as it is, after what is buffered.
            drain()
            flush(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.chunk { drain() }
    }

    /// Decimal digits of `v` without allocating a String.
    mutating func appendInt(_ v: Int64) {
        if v == 0 {
            append(UInt8(ascii: "0"))
            return
        }
        var x = v.magnitude
        var tmp:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var k = 0
        withUnsafeMutableBytes(of: &tmp) { p in
            while x > 0 {
                p[k] = UInt8(48 + x % 10)
                x /= 10
                k += 1
            }
            if v < 0 { buffer.append(UInt8(ascii: "-")) }
            while k > 0 {
                k -= 1
                buffer.append(p[k])
            }
        }
        if buffer.count >= Self.chunk { drain() }
    }

    /// Decimal digits of a 128-bit value (HUGEINT beyond Int64; rare, so through a String).
    mutating func appendInt128(_ v: Int128) {
        append(String(v))
    }

    mutating func drain() {
        if buffer.isEmpty { return }
        buffer.withUnsafeBufferPointer { flush($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() { drain() }
}
