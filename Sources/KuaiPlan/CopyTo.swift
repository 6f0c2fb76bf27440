import KuaiCore
import KuaiExec
import KuaiSQL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Receives the rows of a `COPY ... TO` in order, then `finish()`.
public protocol CopySink: AnyObject {
    /// - Throws: `KuaiError.io` when the file cannot be written (disk full).
    func append(_ batch: Batch) throws
    /// Completes the file (renames it into place).
    func finish() throws
}

/// What a copy format is given to open its file.
public struct CopyRequest {
    /// The target path as written in the statement.
    public var path: String
    /// The result columns (names made unique).
    public var schema: Schema
    /// The statement's options (names lower-case), already checked against the format's list.
    public var options: [CopyOption]
    /// Where the statement is, for errors.
    public var position: SourcePosition

    /// The value of a BOOLEAN option: a bare `HEADER` is true; `true`/`false`/`1`/`0` as written.
    /// - Throws: `KuaiError.binding` for another value.
    public func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let o = options.last(where: { $0.name == name }) else { return value }
        guard let v = o.value else { return true }
        switch v.lowercased() {
        case "true", "1", "on": return true
        case "false", "0", "off": return false
        default:
            throw KuaiError(
                .binding, "COPY option \(name.uppercased()) must be true or false", at: o.position.description)
        }
    }

    /// The value of a text option (nil when absent).
    public func string(_ names: [String]) -> (value: String, position: SourcePosition)? {
        guard let o = options.last(where: { names.contains($0.name) }), let v = o.value else { return nil }
        return (v, o.position)
    }
}

/// A file format of `COPY ... TO` (csv, json). To add one (parquet), give its name, the file-name
/// suffixes that select it without a FORMAT option, the options it accepts and an `open` that returns
/// its sink, and list it in `CopyFormats.all`.
public struct CopyFormat: Sendable {
    public var name: String
    public var fileSuffixes: [String]
    /// Option names it accepts besides FORMAT (lower-case).
    public var options: [String]
    public var open: @Sendable (CopyRequest) throws -> CopySink
}

/// The formats of `COPY ... TO`.
public enum CopyFormats {
    public static let all: [CopyFormat] = [CSVCopy.format, JSONCopy.format, ParquetCopy.format]

    /// The format named by the FORMAT option, else chosen by the file's suffix, else csv (DuckDB).
    /// - Throws: `KuaiError.binding` for an unknown format name.
    static func select(_ copy: CopyStatement) throws -> CopyFormat {
        if let f = copy.options.last(where: { $0.name == "format" }) {
            guard let name = f.value?.lowercased(), let format = all.first(where: { $0.name == name }) else {
                throw KuaiError(
                    .binding,
                    "COPY format \"\(f.value ?? "")\" does not exist (formats: \(all.map(\.name).joined(separator: ", ")))",
                    at: f.position.description)
            }
            return format
        }
        let lower = copy.path.lowercased()
        return all.first { f in f.fileSuffixes.contains { lower.hasSuffix($0) } } ?? all[0]
    }
}

/// A file being written by COPY: bytes go to a temporary file beside the target, renamed over it by
/// `commit()`, so a failed COPY leaves no half file (a target that is not a regular file, such as
/// /dev/stdout, is written directly).
final class CopyFile {
    let path: String
    private let temporary: String?
    private var fd: Int32
    /// The first write error (sinks flush from closures that cannot throw).
    private(set) var failure: KuaiError?

    init(_ path: String) throws {
        self.path = path
        var st = stat()
        let special = stat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG
        temporary = special ? nil : path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(temporary ?? path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            let e = errno
            throw KuaiError(.io, "cannot open file \"\(path)\": \(String(cString: strerror(e)))", at: path)
        }
    }

    deinit {
        if fd >= 0 {
            close(fd)
            if let temporary { unlink(temporary) }
        }
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard failure == nil, var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                failure = KuaiError(.io, "cannot write file \"\(path)\": \(String(cString: strerror(errno)))", at: path)
                return
            }
            p += n
            left -= n
        }
    }

    /// Closes the file and moves it into place.
    /// - Throws: the first write error, or `KuaiError.io` when closing or renaming fails (the
    ///   temporary file is removed).
    func commit() throws {
        let f = fd
        fd = -1
        if let failure {
            close(f)
            if let temporary { unlink(temporary) }
            throw failure
        }
        if close(f) != 0 {
            if let temporary { unlink(temporary) }
            throw KuaiError(.io, "cannot write file \"\(path)\": \(String(cString: strerror(errno)))", at: path)
        }
        if let temporary, rename(temporary, path) != 0 {
            let e = errno
            unlink(temporary)
            throw KuaiError(.io, "cannot write file \"\(path)\": \(String(cString: strerror(e)))", at: path)
        }
    }
}

/// `COPY ... TO 'x.csv' (HEADER, DELIMITER ',')`: DuckDB's CSV (header by default; fields quoted when
/// empty or holding the delimiter, a quote, a line break or `#`: `RowText.quotes`; NULL empty), the
/// same bytes as `ResultWriter`'s csv.
final class CSVCopy: CopySink {
    static let format = CopyFormat(
        name: "csv", fileSuffixes: [".csv", ".tsv", ".txt"], options: ["header", "delimiter", "delim", "sep", "quote"],
        open: { try CSVCopy($0) })

    let file: CopyFile
    let separator: UInt8
    private var sink: ByteSink

    init(_ request: CopyRequest) throws {
        var sep = UInt8(ascii: ",")
        if let (d, pos) = request.string(["delimiter", "delim", "sep"]) {
            guard d.utf8.count == 1 else {
                throw KuaiError(.binding, "COPY DELIMITER must be one byte, found \"\(d)\"", at: pos.description)
            }
            sep = d.utf8.first!
        }
        if let (q, pos) = request.string(["quote"]), q != "\"" {
            throw KuaiError(.binding, "COPY QUOTE other than '\"' is not supported", at: pos.description)
        }
        let header = try request.bool("header", default: true)
        let file = try CopyFile(request.path)
        self.file = file
        self.separator = sep
        sink = ByteSink(flush: { file.write($0) })
        if header { ResultWriter.delimitedHeader(request.schema, sep, into: &sink) }
    }

    func append(_ batch: Batch) throws {
        ResultWriter.delimitedBatch(batch, separator, into: &sink)
        if let f = file.failure { throw f }
    }

    func finish() throws {
        sink.finish()
        try file.commit()
    }
}

/// `COPY ... TO 'x.json' [(FORMAT json, ARRAY true)]`: DuckDB's JSON, one object per line (or a JSON
/// array with ARRAY true), numbers as DuckDB's JSON writer prints them (`JSONCopy.double`).
final class JSONCopy: CopySink {
    static let format = CopyFormat(
        name: "json", fileSuffixes: [".json", ".jsonl", ".ndjson"], options: ["array"], open: { try JSONCopy($0) })

    let file: CopyFile
    let array: Bool
    private var sink: ByteSink
    private let keys: [[UInt8]]
    private var first = true

    init(_ request: CopyRequest) throws {
        array = try request.bool("array", default: false)
        let file = try CopyFile(request.path)
        self.file = file
        keys = ResultWriter.jsonKeys(request.schema)
        sink = ByteSink(flush: { file.write($0) })
        if array { sink.append("[\n") }
    }

    func append(_ batch: Batch) throws {
        ResultWriter.jsonBatch(batch, keys, array: array, first: &first, doubles: .jsonWriter, into: &sink)
        if let f = file.failure { throw f }
    }

    func finish() throws {
        if array { sink.append(first ? "\t\n]\n" : "\n]\n") }
        sink.finish()
        try file.commit()
    }

    /// A DOUBLE as DuckDB's JSON writer prints it: the shortest round-trip digits, in plain notation
    /// when the decimal exponent is in -6...20 (`0.000001`, `100000000000000000000.0`, always with a
    /// fraction), else `1e21`, `1.5e-7`; `NaN`, `Infinity`, `-Infinity`.
    static func double(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (digits, exp) = shortestDigits(d.magnitude)
        var out = d < 0 ? "-" : ""
        if exp >= -6 && exp <= 20 {
            if exp >= 0 {
                let intCount = exp + 1
                for k in 0..<intCount { out.append(k < digits.count ? digits[k] : "0") }
                out += "."
                out += digits.count > intCount ? String(digits[intCount...]) : "0"
            } else {
                out += "0." + String(repeating: "0", count: -exp - 1) + String(digits)
            }
            return out
        }
        out.append(digits[0])
        if digits.count > 1 { out += "." + String(digits[1...]) }
        return out + "e" + String(exp)
    }

    /// The shortest round-trip decimal digits of a positive finite `x` (no leading or trailing zeros)
    /// and its exponent `e` (x = d.ddd * 10^e), from Swift's shortest `description`.
    static func shortestDigits(_ x: Double) -> ([Character], Int) {
        var mantissa = x.description
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(mantissa[mantissa.index(after: e)...]) ?? 0
            mantissa = String(mantissa[..<e])
        }
        let point = mantissa.firstIndex(of: ".")
        let intPart = point.map { String(mantissa[..<$0]) } ?? mantissa
        let fracPart = point.map { String(mantissa[mantissa.index(after: $0)...]) } ?? ""
        var digits = Array(intPart + fracPart)
        var exp = intPart.count - 1 + exponent
        while digits.count > 1 && digits.first == "0" {
            digits.removeFirst()
            exp -= 1
        }
        while digits.count > 1 && digits.last == "0" { digits.removeLast() }
        return (digits, exp)
    }
}

extension Session {
    /// `COPY (query) | name TO 'path' (options)`: writes the rows to the file in the format chosen by
    /// FORMAT or the file's suffix; the count of rows written is the result (DuckDB's Count).
    /// - Throws: `KuaiError.binding` for an unknown format or option, `.io` when the file cannot be
    ///   written (then no file is left at `path`).
    func executeCopy(_ copy: CopyStatement) throws -> StatementOutcome {
        let format = try CopyFormats.select(copy)
        for o in copy.options where o.name != "format" && !format.options.contains(o.name) {
            throw KuaiError(
                .binding,
                "unrecognised COPY option \"\(o.name)\" for \(format.name) (options: \(format.options.joined(separator: ", ")))",
                at: o.position.description)
        }
        let query: Query
        switch copy.source {
        case .query(let q): query = q
        case .table(let name, let columns):
            let items: [SelectItem] =
                columns.isEmpty
                ? [.star(table: nil, exclude: [], position: name.position)]
                : columns.map { .expr(.column(qualifier: nil, name: $0, name.position), alias: nil) }
            let core = SelectCore(
                items: items, from: .table(name: name.name, alias: nil, position: name.position),
                position: copy.position)
            query = Query(body: .select(core), position: copy.position)
        }
        let rows = try engine().openQuery(query)
        if format.name == "parquet", let f = rows.schema.first(where: { $0.type.isNested }) {
            throw KuaiError(
                .binding, "COPY to parquet of a \(f.type.nestedKind) column (\(f.name) \(f.type)) is not supported",
                at: copy.position.description)
        }
        let sink = try format.open(
            CopyRequest(path: copy.path, schema: rows.schema, options: copy.options, position: copy.position))
        var n = 0
        while let b = try rows.next() {
            try sink.append(b)
            n += b.count
        }
        try sink.finish()
        return StatementOutcome(statement: "COPY", changedRows: n)
    }
}
