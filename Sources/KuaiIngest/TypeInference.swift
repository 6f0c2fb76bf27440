import KuaiCore

/// Column types of a CSV that is not one of the KuaiLive tables, inferred from a sample.
///
/// **The rule** (DuckDB 2.0.1's CSV sniffer, for the types kuai's reader infers). kuai reads the
/// first 20,000 data rows (or the rows in the first 16 MiB of the file, if fewer). Each column
/// starts with no type and meets its non-empty fields in file order (empty fields are NULL and
/// change nothing). The candidate types, in order:
/// 1. BOOLEAN: `true`, `false`, `t`, `f`, `yes` or `no`, in any letter case;
/// 2. TIME: `H:M[:S[.fraction]]` up to 24:00:00 (`TemporalText.csvTime`);
/// 3. DATE: a calendar date written `YYYY-MM-DD` (`2025-05-26`);
/// 4. TIMESTAMP: a date and a time of day, `T` or a space between, no UTC offset
///    (`TemporalText.csvTimestamp`: `2025-05-04 08:00:00.326`, `2025-05-04T08:00`);
/// 5. BIGINT: an integer, `-` sign allowed, in the 64-bit range (`-42`, `007`);
/// 6. DOUBLE: a decimal number `[+-]digits[.digits][e[+-]digits]` (`1.5`, `-.5`, `1e3`);
/// 7. VARCHAR: anything else, and a column whose sampled fields are all empty.
///
/// A field the column's current type does not read moves the type to the first later candidate
/// that reads it, with DuckDB's exceptions: among the first 2,047 data rows (the sniffer's first
/// chunk of 2,048 lines, header included) a column that is already BOOLEAN, TIME, DATE or
/// TIMESTAMP becomes VARCHAR at once (so `2025-05-04` then `2025-05-04 08:00:00` is VARCHAR);
/// after them (DuckDB's refinement, a chunk of 2,048 rows at a time) the new type must also read
/// the fields of the same chunk already read, so a DATE column becomes TIMESTAMP (which reads
/// dates) and TIME or TIMESTAMP become VARCHAR; a BOOLEAN column becomes VARCHAR at any field it
/// does not read.
///
/// Spaces around numbers, dates and booleans are ignored. A header-only file gives VARCHAR
/// columns. Empty header names become `column<i>` (0-based index, zero-padded to the width of
/// the last index) and repeated names get `_1`, `_2`... as DuckDB names them.
/// A row after the sample that does not fit its column's type is a bad row: an error naming
/// file:line:column (or a rejected row with `--reject-file`).
///
/// Not inferred (DuckDB infers them; kuai reads such columns as VARCHAR): TIMESTAMP WITH TIME
/// ZONE (offsets, `Z`) and dates in other shapes (`2025/05/04`, `05/04/2025`, `2025-5-4`).
public enum TypeInference {
    /// Rows examined per file (default of `ConvertOptions.sampleRows`).
    public static let defaultSampleRows = 20_000

    /// The type of one column from its sampled fields, in file order (empty fields excluded by the
    /// caller; the i-th field is taken as data row i).
    public static func inferType<S: Sequence>(of fields: S) -> DataType where S.Element == [UInt8] {
        var guess = ColumnGuess()
        for (row, f) in fields.enumerated() where !f.isEmpty {
            f.withUnsafeBufferPointer { guess.observe($0.baseAddress!, $0.count, row: row) }
            if guess.settled { break }
        }
        return guess.type
    }

    /// Whether a field of `n` bytes at `p` reads as `type` by the rule above (BOOLEAN, TIME, DATE,
    /// TIMESTAMP, BIGINT, DOUBLE; any other type reads every field): DuckDB's test of a first
    /// record against the sniffed types.
    public static func reads(_ p: UnsafePointer<UInt8>, _ n: Int, as type: DataType, format: CSVValueFormat? = nil)
        -> Bool
    {
        let c: ColumnGuess.Candidate
        switch type {
        case .boolean: c = .boolean
        case .time: c = .time
        case .date: c = .date
        case .timestamp: c = .timestamp
        case .bigint: c = .bigint
        case .double: c = .double
        default: return true
        }
        return ColumnGuess.reads(p, n, as: c, format)
    }

    /// A header name with the Unicode space separators (category Zs) at both ends removed, as
    /// DuckDB 2.0.1 trims header names.
    public static func trimmedName(_ raw: String) -> String {
        let scalars = raw.unicodeScalars
        guard let s = scalars.firstIndex(where: { $0.properties.generalCategory != .spaceSeparator }),
            let e = scalars.lastIndex(where: { $0.properties.generalCategory != .spaceSeparator })
        else { return raw.isEmpty ? raw : "" }
        return String(scalars[s...e])
    }

    /// One column's candidate type so far (the rule above, one field at a time): the sampler keeps
    /// one per column and updates it from each field's bytes in place, so sampling copies nothing.
    public struct ColumnGuess: Sendable {
        /// The candidates in the order a column moves through them (`none`: no field seen yet).
        enum Candidate: Int {
            case none, boolean, time, date, timestamp, bigint, double, varchar

            /// A column of this type becomes VARCHAR at the first field it does not read, within the
            /// sniffer's first chunk.
            var isStrict: Bool { self == .boolean || self == .time || self == .date || self == .timestamp }
        }

        /// Data rows in DuckDB's first sniffed chunk (2,048 lines, the header one of them).
        static let strictRows = 2_047
        /// Rows per chunk of DuckDB's refinement after the first.
        static let chunkRows = 2_048

        var candidate = Candidate.none
        /// The refinement chunk of the last field read (-1 before any).
        var chunk = -1
        /// A field of the current refinement chunk was read by `candidate`.
        var readInChunk = false

        public init() {}

        /// Takes one non-NULL field of `n` bytes at `p` (untrimmed) from data row `row` (0-based);
        /// `format` gives the DATE, TIMESTAMP and DOUBLE candidates read_csv's formats (nil: the defaults).
        public mutating func observe(_ p: UnsafePointer<UInt8>, _ n: Int, row: Int, format: CSVValueFormat? = nil) {
            let strictPhase = row < Self.strictRows
            if !strictPhase {
                let c = (row - Self.strictRows) / Self.chunkRows
                if c != chunk {
                    chunk = c
                    readInChunk = false
                }
            }
            if candidate != .none && Self.reads(p, n, as: candidate, format) {
                readInChunk = true
                return
            }
            let start = candidate
            if start != .none {
                if strictPhase && start.isStrict {
                    candidate = .varchar
                    return
                }
                // Refinement: the new type must also read the fields of this chunk the old one read.
                // Only TIMESTAMP reads DATE's fields and DOUBLE BIGINT's; the others read none of them.
                // A BOOLEAN column becomes VARCHAR whatever the chunk held (as DuckDB 2.0.1 does).
                if !strictPhase && (readInChunk || start == .boolean) {
                    switch start {
                    case .date:
                        candidate = Self.reads(p, n, as: .timestamp, format) ? .timestamp : .varchar
                    case .bigint:
                        candidate = Self.reads(p, n, as: .double, format) ? .double : .varchar
                    default:
                        candidate = .varchar
                    }
                    return
                }
            }
            var next = Candidate(rawValue: start.rawValue + 1)!
            while next != .varchar && !Self.reads(p, n, as: next, format) {
                next = Candidate(rawValue: next.rawValue + 1)!
            }
            candidate = next
            readInChunk = true
        }

        /// Whether a field reads as type `c` (DATE, TIMESTAMP and DOUBLE as `format` writes them).
        static func reads(_ p: UnsafePointer<UInt8>, _ n: Int, as c: Candidate, _ format: CSVValueFormat? = nil)
            -> Bool
        {
            if let format {
                switch c {
                case .date:
                    if let f = format.dateFormat { return format.date(p, n, f) != nil }
                case .timestamp:
                    if let f = format.timestampFormat { return f.parse(UnsafeBufferPointer(start: p, count: n)) != nil }
                case .double where format.decimalSeparator != UInt8(ascii: "."):
                    if case .failure = format.commaDouble(p, n) { return false }
                    return true
                default:
                    break
                }
            }
            switch c {
            case .none: return false
            case .boolean:
                if case .failure = FieldParse.boolean(p, n) { return false }
                return true
            case .time: return TemporalText.csvTime(UnsafeBufferPointer(start: p, count: n)) != nil
            case .date:
                let (tp, tn) = FieldParse.trim(p, n)
                return FieldParse.strictDate(tp, tn) != nil
            case .timestamp: return TemporalText.csvTimestamp(UnsafeBufferPointer(start: p, count: n)) != nil
            case .bigint:
                let (tp, tn) = FieldParse.trim(p, n)
                if tn == 0 || tp[0] == CSVByte.plus { return false }
                if case .failure = FieldParse.bigint(p, n) { return false }
                return true
            case .double:
                if case .failure = FieldParse.double(p, n) { return false }
                return true
            case .varchar: return true
            }
        }

        /// True once no further field can change the type (VARCHAR).
        public var settled: Bool { candidate == .varchar }

        /// The column's type from the fields seen (VARCHAR when none was seen).
        public var type: DataType {
            switch candidate {
            case .none, .varchar: return .varchar
            case .boolean: return .boolean
            case .time: return .time
            case .date: return .date
            case .timestamp: return .timestamp
            case .bigint: return .bigint
            case .double: return .double
            }
        }
    }

    /// Column names from a header as DuckDB 2.0.1 names them: empty names become `column<i>`,
    /// duplicates (also names differing only in case) get `_1`, `_2`, ...: `x,X,x_1` becomes
    /// `x, X_1, x_1_1` (a table with both `x` and `X` could not be queried: names match
    /// case-insensitively).
    public static func columnNames(_ header: [String]) -> [String] {
        let width = String(max(header.count - 1, 0)).count
        // Collisions so far per lower-cased name: names differing only in case collide (queries
        // match names case-insensitively), as in DuckDB's sniffer.
        var collisions: [String: Int] = [:]
        var out: [String] = []
        for (i, raw) in header.enumerated() {
            var base = raw
            if base.isEmpty {
                let digits = String(i)
                base = "column" + String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
            var name = base
            let key = base.lowercased()
            while collisions[name.lowercased()] != nil {
                collisions[key, default: 0] += 1
                name = "\(base)_\(collisions[key]!)"
            }
            collisions[name.lowercased()] = 0
            out.append(name)
        }
        return out
    }
}
