import KuaiCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Detection of a CSV file's delimiter, as DuckDB 2.0.1's sniffer chooses among its candidates
/// when `delim` is not given.
///
/// **The rule.** The candidates are `,`, `|`, `;` and tab, in that order. Each splits the first
/// records of the file (at most `sampleRecords`, from the first `sampleBytes` bytes, after a
/// UTF-8 byte order mark and the lines `skip` drops; blank lines ignored) with RFC 4180 quoting.
/// A candidate is consistent when every sampled record has as many fields as the first and that
/// is more than one. The consistent candidate giving the most fields wins, the earlier one on a
/// tie; with none consistent, `,` is used (a one-column file, or a ragged one whose error the
/// reader then reports at its line).
public enum CSVDialect {
    /// The candidate delimiters, in order of preference.
    public static let candidates: [UInt8] = [CSVByte.comma, UInt8(ascii: "|"), UInt8(ascii: ";"), CSVByte.tab]
    /// Records sampled per candidate.
    static let sampleRecords = 24
    /// Bytes read from the start of the file for the sample.
    static let sampleBytes = 1 << 18

    /// The delimiter of the CSV file open at `fd` (read with `pread`, the file offset untouched),
    /// records split with the quote, escape and comment bytes of `syntax` (its delimiter ignored).
    /// - Throws: `KuaiError.io` naming `path` when the file cannot be read.
    public static func detectDelimiter(fd: Int32, path: String, skipLines: Int, syntax: CSVSyntax = CSVSyntax())
        throws -> UInt8
    {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: sampleBytes + 1)
        defer { buffer.deallocate() }
        var n = 0
        while n < sampleBytes {
            let r = pread(fd, buffer + n, sampleBytes - n, off_t(n))
            if r < 0 {
                if errno == EINTR { continue }
                throw KuaiError(.io, "cannot read file: \(String(cString: strerror(errno)))", at: path)
            }
            if r == 0 { break }
            n += r
        }
        let complete = n < sampleBytes
        // the sample ends at its last LF (a record cut by the sample's end is not judged) ...
        var end = n
        if !complete {
            while end > 0 && buffer[end - 1] != CSVByte.lf { end -= 1 }
        } else if n > 0 && buffer[n - 1] != CSVByte.lf {
            // ... or, for a whole file without a final LF, at its end with one added
            buffer[n] = CSVByte.lf
            end = n + 1
        }
        return delimiter(of: UnsafePointer(buffer), count: end, skipLines: skipLines, syntax: syntax)
    }

    /// The delimiter of the records in `base[0..<count]` (the rule above; `count` ends a record).
    static func delimiter(of base: UnsafePointer<UInt8>, count: Int, skipLines: Int, syntax: CSVSyntax = CSVSyntax())
        -> UInt8
    {
        var start = 0
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
        var skipped = 0
        while skipped < skipLines && start < count {
            if base[start] == CSVByte.lf { skipped += 1 }
            start += 1
        }
        var best = CSVByte.comma
        var bestFields = 1
        for d in candidates {
            var s = syntax
            s.delimiter = d
            guard let fields = consistentFields(base, from: start, to: count, syntax: s) else { continue }
            if fields > bestFields {
                best = d
                bestFields = fields
            }
        }
        return best
    }

    /// The field count every sampled record has with `delimiter`, or nil when they differ, a record
    /// is malformed, or there is no record.
    private static func consistentFields(_ base: UnsafePointer<UInt8>, from: Int, to end: Int, syntax: CSVSyntax)
        -> Int?
    {
        var extractor = FieldExtractor(syntax: syntax)
        defer { extractor.deallocate() }
        var record = RecordFields()
        var pos = from
        var fields: Int? = nil
        var taken = 0
        while pos < end && taken < sampleRecords {
            if base[pos] == CSVByte.lf || (base[pos] == CSVByte.cr && pos + 1 < end && base[pos + 1] == CSVByte.lf) {
                pos += base[pos] == CSVByte.lf ? 1 : 2
                continue
            }
            if let comment = syntax.comment, ChunkParser.isCommentLine(base, pos, end, comment) {
                pos = RecordScanner.recordEnd(base, from: pos, to: end, syntax: syntax) ?? end
                continue
            }
            guard record.split(base, at: pos, end: end, extractor: &extractor) else { return nil }
            if record.next <= pos { break }
            pos = record.next
            if let f = fields, f != record.count { return nil }
            fields = record.count
            taken += 1
        }
        return fields
    }
}
