import KuaiCore
import Testing

/// `DataType`'s names (DuckDB 2.0.1's type names and aliases), its stable ids (Formats/column-file.md,
/// section 3) and the integer widths and ranges of DuckDB's TINYINT ... HUGEINT.
@Suite("DataType")
struct DataTypeTests {
    struct NameCase: Sendable, CustomStringConvertible {
        let sqlName: String
        let type: DataType
        var description: String { sqlName }
    }

    static let names: [NameCase] = [
        NameCase(sqlName: "TINYINT", type: .tinyint), NameCase(sqlName: "int1", type: .tinyint),
        NameCase(sqlName: "SMALLINT", type: .smallint), NameCase(sqlName: "INT2", type: .smallint),
        NameCase(sqlName: "short", type: .smallint), NameCase(sqlName: "INT16", type: .smallint),
        NameCase(sqlName: "INTEGER", type: .integer), NameCase(sqlName: "INT4", type: .integer),
        NameCase(sqlName: "INT32", type: .integer), NameCase(sqlName: "INT8", type: .bigint),
        NameCase(sqlName: "HUGEINT", type: .hugeint), NameCase(sqlName: "TIMESTAMPTZ", type: .timestamptz),
        NameCase(sqlName: "timestamp with time zone", type: .timestamptz),
        NameCase(sqlName: "TIME", type: .time), NameCase(sqlName: "time without time zone", type: .time),
    ]

    @Test(arguments: names) func parsesDuckDBNames(_ c: NameCase) {
        #expect(DataType(sqlName: c.sqlName) == c.type)
    }

    @Test func printsDuckDBNames() {
        #expect(DataType.tinyint.description == "TINYINT")
        #expect(DataType.smallint.description == "SMALLINT")
        #expect(DataType(sqlName: "BYTE") == nil)  // not a DuckDB type name
    }

    /// The ids written in manifests and column-file headers never change: 12, 13, 14 and 16 came after
    /// DECIMAL (15 is LIST's, never stored).
    @Test func rawValuesAreStable() {
        let expected: [(DataType, UInt8)] = [
            (.boolean, 1), (.integer, 2), (.bigint, 3), (.hugeint, 4), (.double, 5), (.varchar, 6), (.date, 7),
            (.timestamp, 8), (.interval, 9), (.null, 10), (.decimal(precision: 18, scale: 3), 11),
            (.smallint, 12), (.tinyint, 13), (.timestamptz, 14), (.time, 16),
        ]
        for (t, id) in expected {
            #expect(t.rawValue == id, "\(t)")
            if !t.isDecimal { #expect(DataType(rawValue: id) == t, "\(id)") }
        }
        #expect(DataType(rawValue: 11) == nil && DataType(rawValue: 15) == nil && DataType(rawValue: 0) == nil)
        #expect(DataType(rawValue: 13, name: "TINYINT") == .tinyint)
        for t in DataType.simpleCases { #expect(DataType(rawValue: t.rawValue) == t) }
    }

    @Test func integerWidthsAndRanges() {
        #expect(DataType.integerTypes.map(\.integerBits) == [8, 16, 32, 64, 128])
        #expect(DataType.integerTypes.map(\.integerPhysicalName) == ["INT8", "INT16", "INT32", "INT64", "INT128"])
        #expect(DataType.tinyint.integerRange == -128...127)
        #expect(DataType.smallint.integerRange == -32768...32767)
        #expect(DataType.integer.integerRange == Int64(Int32.min)...Int64(Int32.max))
        #expect(DataType.tinyint.isInteger && DataType.smallint.isNumeric && DataType.tinyint.isNarrowInteger)
        #expect(!DataType.bigint.isNarrowInteger && DataType.double.integerRank == nil)
        #expect(DataType.tinyint.decimalPrecision == 3 && DataType.smallint.decimalPrecision == 5)
    }
}
