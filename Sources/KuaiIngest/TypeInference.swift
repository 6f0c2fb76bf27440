import KuaiCore

/// Column types of a CSV that is not one of the KuaiLive tables, inferred from a sample.
///
/// **The rule.** kuai reads the first 20,000 data rows (or the rows in the first 16 MiB of the
/// file, if fewer) and, for each column, ignores empty fields (they are NULL) and picks
/// the first type that every remaining field of the sample satisfies:
/// 1. BIGINT: an integer, `-` sign allowed, in the 64-bit range (`-42`, `007`);
/// 2. DOUBLE: a decimal number `[+-]digits[.digits][e[+-]digits]` (`1.5`, `-.5`, `1e3`);
/// 3. DATE: a calendar date written `YYYY-MM-DD` (`2025-05-26`);
/// 4. BOOLEAN: `true` or `false`, in any letter case;
/// 5. VARCHAR: anything else, and a column whose sampled fields are all empty.
///
/// Spaces around numbers, dates and booleans are ignored. A header-only file gives VARCHAR
/// columns. Empty header names become `column<i>` (0-based index, zero-padded to the width of
/// the last index) and repeated names get `_1`, `_2`... as DuckDB names them.
/// A row after the sample that does not fit its column's type is a bad row: an error naming
/// file:line:column (or a rejected row with `--reject-file`).
public enum TypeInference {
    /// Rows examined per file (default of `ConvertOptions.sampleRows`).
    public static let defaultSampleRows = 20_000

    /// The type of one column from its sampled fields (empty fields excluded by the caller).
    public static func inferType<S: Sequence>(of fields: S) -> DataType where S.Element == [UInt8] {
        var guess = ColumnGuess()
        for f in fields where !f.isEmpty {
            f.withUnsafeBufferPointer { guess.observe($0.baseAddress!, $0.count) }
            if guess.settled { break }
        }
        return guess.type
    }

    /// What one column's sampled fields allow so far (the rule above, one field at a time): the
    /// sampler keeps one per column and updates it from each field's bytes in place, so sampling
    /// copies nothing.
    public struct ColumnGuess: Sendable {
        var canInt = true
        var canDouble = true
        var canDate = true
        var canBool = true
        var any = false

        public init() {}

        /// Takes one non-empty field of `n` bytes at `p` (untrimmed).
        public mutating func observe(_ p: UnsafePointer<UInt8>, _ n: Int) {
            any = true
            let (tp, tn) = FieldParse.trim(p, n)
            if canInt {
                if tn == 0 || tp[0] == CSVByte.plus {
                    canInt = false
                } else if case .failure = FieldParse.bigint(p, n) {
                    canInt = false
                }
            }
            if canDouble && !canInt {
                if case .failure = FieldParse.double(p, n) { canDouble = false }
            }
            if canDate && FieldParse.strictDate(tp, tn) == nil { canDate = false }
            if canBool, case .failure = FieldParse.boolean(p, n) { canBool = false }
        }

        /// True once no further field can change the type (every typed reading failed: VARCHAR).
        public var settled: Bool { any && !canInt && !canDouble && !canDate && !canBool }

        /// The column's type from the fields seen: the first of BIGINT, DOUBLE, DATE, BOOLEAN that
        /// all of them satisfy, else VARCHAR (also when none was seen).
        public var type: DataType {
            if !any { return .varchar }
            if canInt { return .bigint }
            if canDouble { return .double }
            if canDate { return .date }
            if canBool { return .boolean }
            return .varchar
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
