import KuaiCore
import KuaiExec
import KuaiPlan

/// A query's answer held as text and numbers, for charts and HTML tables (a report's results are
/// small: the recipes aggregate).
///
/// `texts[c][r]` is DuckDB's text of the value (`Kernels.text`, as kuai-query's CSV prints it; nil
/// for NULL); `numbers[c][r]` is the value as a Double for numeric columns (INTEGER, BIGINT,
/// HUGEINT, DOUBLE; nil for NULL and for other types).
public struct ResultTable: Sendable, Equatable {
    public var names: [String]
    public var types: [DataType]
    public var texts: [[String?]]
    public var numbers: [[Double?]]

    public init(names: [String], types: [DataType], texts: [[String?]], numbers: [[Double?]]) {
        self.names = names
        self.types = types
        self.texts = texts
        self.numbers = numbers
    }

    /// Reads every batch of `result`.
    public init(_ result: QueryResult) {
        names = result.fields.map(\.name)
        types = result.fields.map(\.type)
        texts = Array(repeating: [], count: names.count)
        numbers = Array(repeating: [], count: names.count)
        for batch in result.batches {
            for (c, column) in batch.columns.enumerated() where c < names.count {
                let numeric = types[c].isNumeric
                for r in 0..<batch.count {
                    guard column.isValid(r) else {
                        texts[c].append(nil)
                        numbers[c].append(nil)
                        continue
                    }
                    texts[c].append(ResultTable.text(column, r))
                    if !numeric {
                        numbers[c].append(nil)
                    } else if column.type == .double {
                        numbers[c].append(column.doubles[r])
                    } else {
                        // DECIMAL: the unscaled integer over 10^s (0 for integer types)
                        let scale = DecimalMath.pow10Double[types[c].decimalScale]
                        numbers[c].append(Double(column.int128(at: r)) / scale)
                    }
                }
            }
        }
    }

    /// DuckDB's text of row `r` (valid) of `column`. VARCHAR goes through `Column.value(at:)`,
    /// which reads either physical form (dictionary codes or flat string views).
    static func text(_ column: Column, _ r: Int) -> String {
        if column.type == .varchar, case .string(let s) = column.value(at: r) { return s }
        return Kernels.text(column, r)
    }

    public var rowCount: Int { texts.first?.count ?? 0 }

    /// The index of column `name`: an exact match, else the only case-insensitive match.
    public func column(_ name: String) -> Int? {
        if let i = names.firstIndex(of: name) { return i }
        let matches = names.indices.filter { names[$0].lowercased() == name.lowercased() }
        return matches.count == 1 ? matches[0] : nil
    }

    /// True for a column of numbers (INTEGER, BIGINT, HUGEINT, DOUBLE).
    public func isNumeric(_ c: Int) -> Bool { types[c].isNumeric }

    /// The `data-ref` of a cell, "row:column" (0-based), as the page and the checker use it.
    public static func ref(row: Int, column: Int) -> String { String(row) + ":" + String(column) }
}
