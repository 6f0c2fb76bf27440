import Foundation

/// The comparison rule of the corpus, of Tools/bench.py and of the report's answers: the rule of
/// `fields_equal` in Tools/oracle.py (documented at its top); this must agree with it.
public enum CSVCompare {
    /// Splits RFC 4180 text into rows of fields (quoted fields may hold commas, quotes, newlines).
    public static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var fieldStarted = false
        var it = Array(text.unicodeScalars)[...]
        while let c = it.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if it.first == "\"" {
                        field.unicodeScalars.append("\"")
                        it.removeFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                inQuotes = true
                fieldStarted = true
            case ",":
                row.append(field)
                field = ""
                fieldStarted = true
            case "\r" where it.first == "\n": break
            case "\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
                fieldStarted = false
            default:
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
        }
        if fieldStarted || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }

    /// A field that looks like a floating-point number: digits with a '.', an exponent, inf or nan.
    public static func looksLikeDouble(_ s: String) -> Bool {
        let l = s.lowercased()
        if ["inf", "-inf", "+inf", "infinity", "-infinity", "nan", "-nan"].contains(l) { return true }
        var sawDigit = false
        var sawDotOrExp = false
        for (k, ch) in l.enumerated() {
            switch ch {
            case "0"..."9": sawDigit = true
            case ".": sawDotOrExp = true
            case "e": sawDotOrExp = true
            case "-", "+": if k != 0 && !(l[l.index(l.startIndex, offsetBy: k - 1)] == "e") { return false }
            default: return false
            }
        }
        return sawDigit && sawDotOrExp && Double(s) != nil
    }

    /// DuckDB's type name as kuai names the same type (KuaiCore.DataType.description; DECIMAL(p,s)
    /// is itself). Mirrors `kuai_type` in Tools/oracle.py.
    public static func kuaiType(_ duckdb: String) -> String {
        if duckdb == "FLOAT" || duckdb == "REAL" { return "DOUBLE" }
        switch duckdb {
        case "UTINYINT", "USMALLINT": return "INTEGER"
        case "UINTEGER", "UBIGINT": return "BIGINT"
        case "\"NULL\"": return "NULL"
        default:
            // inside a nested type's name (`MAP(INTEGER, UBIGINT)`): the same mapping per word
            guard duckdb.contains("(") || duckdb.hasSuffix("[]") else { return duckdb }
            var out = ""
            var word = ""
            func flush() {
                out +=
                    [
                        "UTINYINT": "INTEGER", "USMALLINT": "INTEGER", "UINTEGER": "BIGINT", "UBIGINT": "BIGINT",
                        "FLOAT": "DOUBLE", "REAL": "DOUBLE",
                    ][word] ?? word
                word = ""
            }
            for ch in duckdb {
                if ch.isLetter || ch.isNumber || ch == "_" {
                    word.append(ch)
                } else {
                    flush()
                    out.append(ch)
                }
            }
            flush()
            return out
        }
    }

    /// Two fields are equal as text, or both look like doubles and agree to a relative 1e-9.
    /// In a DECIMAL column (`decimal`) only the same text is equal ("1.50" is not "1.5").
    public static func fieldsEqual(_ a: String, _ b: String, decimal: Bool = false) -> Bool {
        if a == b { return true }
        if decimal { return false }
        guard looksLikeDouble(a) && looksLikeDouble(b), let x = Double(a), let y = Double(b) else { return false }
        if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
        if x.isInfinite || y.isInfinite { return x == y }
        return abs(x - y) <= 1e-9 * max(abs(x), abs(y))
    }

    /// nil when `actual` equals `expected` under the rule, else a description of the first difference.
    /// - Parameter types: DuckDB's result type names; a DECIMAL column compares as exact text.
    public static func difference(expected: String, actual: String, types: [String]? = nil) -> String? {
        let e = parse(expected)
        let a = parse(actual)
        let decimal = (types ?? []).map { $0.hasPrefix("DECIMAL") }
        if e.count != a.count {
            return "\(a.count - 1) rows, expected \(e.count - 1)"
        }
        for (r, (er, ar)) in zip(e, a).enumerated() {
            if er.count != ar.count { return "row \(r): \(ar.count) fields, expected \(er.count)" }
            for (c, (x, y)) in zip(er, ar).enumerated()
            where !fieldsEqual(x, y, decimal: r > 0 && c < decimal.count && decimal[c]) {
                return "\(r == 0 ? "header" : "row \(r)") field \(c + 1): got \"\(y)\", expected \"\(x)\""
            }
        }
        return nil
    }
}
