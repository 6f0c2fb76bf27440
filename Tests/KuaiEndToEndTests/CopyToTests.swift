import Foundation
import KuaiCore
import KuaiPlan
import KuaiTestSupport
import Testing

@testable import KuaiPlan

/// COPY ... TO: the files DuckDB 2.0.1 writes for the same statements, byte for byte (expected text
/// written by `COPY t TO 'x' <options>` in DuckDB over the same table).
@Suite struct CopyToTests {
    static let table = """
        CREATE TABLE t AS SELECT i::BIGINT AS b, (i * 7)::INTEGER AS i32, CASE WHEN i % 3 = 0 THEN NULL ELSE sum(i) OVER () END AS s,
         i / 4 AS d, DATE '2025-05-26' - CAST(i AS INTEGER) AS dt, epoch_ms(1746374400022 + i * 3600000) AS ts,
         INTERVAL 8 HOUR AS iv, i % 2 = 0 AS flag,
         CASE WHEN i = 2 THEN NULL WHEN i = 3 THEN 'a"b,c' WHEN i = 4 THEN '' ELSE 'v' || i END AS str, NULL AS n,
         1e300 * 10 * i AS inf
        FROM (VALUES (1), (2), (3), (4), (5)) v(i) ORDER BY i
        """

    static let files: [(String, String, String)] = [
        (
            "a.csv", "",
            "b,i32,s,d,dt,ts,iv,flag,str,n,inf\n1,7,15,0.25,2025-05-25,2025-05-04 17:00:00.022,08:00:00,false,v1,,1e+301\n2,14,15,0.5,2025-05-24,2025-05-04 18:00:00.022,08:00:00,true,,,2e+301\n3,21,,0.75,2025-05-23,2025-05-04 19:00:00.022,08:00:00,false,\"a\"\"b,c\",,3e+301\n4,28,15,1.0,2025-05-22,2025-05-04 20:00:00.022,08:00:00,true,\"\",,4e+301\n5,35,15,1.25,2025-05-21,2025-05-04 21:00:00.022,08:00:00,false,v5,,5e+301\n"
        ),
        (
            "b.csv", " (HEADER false)",
            "1,7,15,0.25,2025-05-25,2025-05-04 17:00:00.022,08:00:00,false,v1,,1e+301\n2,14,15,0.5,2025-05-24,2025-05-04 18:00:00.022,08:00:00,true,,,2e+301\n3,21,,0.75,2025-05-23,2025-05-04 19:00:00.022,08:00:00,false,\"a\"\"b,c\",,3e+301\n4,28,15,1.0,2025-05-22,2025-05-04 20:00:00.022,08:00:00,true,\"\",,4e+301\n5,35,15,1.25,2025-05-21,2025-05-04 21:00:00.022,08:00:00,false,v5,,5e+301\n"
        ),
        (
            "c.json", "",
            "{\"b\":1,\"i32\":7,\"s\":15,\"d\":0.25,\"dt\":\"2025-05-25\",\"ts\":\"2025-05-04 17:00:00.022\",\"iv\":\"08:00:00\",\"flag\":false,\"str\":\"v1\",\"n\":null,\"inf\":1e301}\n{\"b\":2,\"i32\":14,\"s\":15,\"d\":0.5,\"dt\":\"2025-05-24\",\"ts\":\"2025-05-04 18:00:00.022\",\"iv\":\"08:00:00\",\"flag\":true,\"str\":null,\"n\":null,\"inf\":2e301}\n{\"b\":3,\"i32\":21,\"s\":null,\"d\":0.75,\"dt\":\"2025-05-23\",\"ts\":\"2025-05-04 19:00:00.022\",\"iv\":\"08:00:00\",\"flag\":false,\"str\":\"a\\\"b,c\",\"n\":null,\"inf\":3e301}\n{\"b\":4,\"i32\":28,\"s\":15,\"d\":1.0,\"dt\":\"2025-05-22\",\"ts\":\"2025-05-04 20:00:00.022\",\"iv\":\"08:00:00\",\"flag\":true,\"str\":\"\",\"n\":null,\"inf\":4e301}\n{\"b\":5,\"i32\":35,\"s\":15,\"d\":1.25,\"dt\":\"2025-05-21\",\"ts\":\"2025-05-04 21:00:00.022\",\"iv\":\"08:00:00\",\"flag\":false,\"str\":\"v5\",\"n\":null,\"inf\":5e301}\n"
        ),
        (
            "f.json", " (FORMAT json, ARRAY true)",
            "[\n\t{\"b\":1,\"i32\":7,\"s\":15,\"d\":0.25,\"dt\":\"2025-05-25\",\"ts\":\"2025-05-04 17:00:00.022\",\"iv\":\"08:00:00\",\"flag\":false,\"str\":\"v1\",\"n\":null,\"inf\":1e301},\n\t{\"b\":2,\"i32\":14,\"s\":15,\"d\":0.5,\"dt\":\"2025-05-24\",\"ts\":\"2025-05-04 18:00:00.022\",\"iv\":\"08:00:00\",\"flag\":true,\"str\":null,\"n\":null,\"inf\":2e301},\n\t{\"b\":3,\"i32\":21,\"s\":null,\"d\":0.75,\"dt\":\"2025-05-23\",\"ts\":\"2025-05-04 19:00:00.022\",\"iv\":\"08:00:00\",\"flag\":false,\"str\":\"a\\\"b,c\",\"n\":null,\"inf\":3e301},\n\t{\"b\":4,\"i32\":28,\"s\":15,\"d\":1.0,\"dt\":\"2025-05-22\",\"ts\":\"2025-05-04 20:00:00.022\",\"iv\":\"08:00:00\",\"flag\":true,\"str\":\"\",\"n\":null,\"inf\":4e301},\n\t{\"b\":5,\"i32\":35,\"s\":15,\"d\":1.25,\"dt\":\"2025-05-21\",\"ts\":\"2025-05-04 21:00:00.022\",\"iv\":\"08:00:00\",\"flag\":false,\"str\":\"v5\",\"n\":null,\"inf\":5e301}\n]\n"
        ),
        (
            "j.csv", " (SEP '\t')",
            "b\ti32\ts\td\tdt\tts\tiv\tflag\tstr\tn\tinf\n1\t7\t15\t0.25\t2025-05-25\t2025-05-04 17:00:00.022\t08:00:00\tfalse\tv1\t\t1e+301\n2\t14\t15\t0.5\t2025-05-24\t2025-05-04 18:00:00.022\t08:00:00\ttrue\t\t\t2e+301\n3\t21\t\t0.75\t2025-05-23\t2025-05-04 19:00:00.022\t08:00:00\tfalse\t\"a\"\"b,c\"\t\t3e+301\n4\t28\t15\t1.0\t2025-05-22\t2025-05-04 20:00:00.022\t08:00:00\ttrue\t\"\"\t\t4e+301\n5\t35\t15\t1.25\t2025-05-21\t2025-05-04 21:00:00.022\t08:00:00\tfalse\tv5\t\t5e+301\n"
        ),
    ]

    @Test(arguments: files)
    func sameBytesAsDuckDB(_ name: String, _ options: String, _ expected: String) throws {
        try WritableStore.withSession { w, s throws in
            try runScript(s, Self.table)
            let path = w.dir.sub(name)
            #expect(try runScript(s, "COPY t TO '\(path)'\(options)") == ["Count\n5\n"])
            let bytes = FileManager.default.contents(atPath: path) ?? Data()
            #expect(String(decoding: bytes, as: UTF8.self) == expected)
            #expect(w.dir.entries().filter { $0.contains(".tmp-") }.isEmpty)
        }
    }

    @Test func copyOfAQueryAndEmptyResults() throws {
        try WritableStore.withSession { w, s throws in
            try runScript(s, Self.table)
            let a = w.dir.sub("q.csv")
            let e = w.dir.sub("e.json")
            let out = try runScript(
                s,
                """
                COPY (SELECT b, str FROM t WHERE flag ORDER BY b DESC) TO '\(a)' (FORMAT csv, HEADER, DELIMITER '|');
                COPY (SELECT 1 AS x WHERE false) TO '\(e)' (FORMAT json, ARRAY true);
                """)
            #expect(out == ["Count\n2\n", "Count\n0\n"])
            #expect(String(decoding: FileManager.default.contents(atPath: a)!, as: UTF8.self) == "b|str\n4|\"\"\n2|\n")
            #expect(String(decoding: FileManager.default.contents(atPath: e)!, as: UTF8.self) == "[\n\t\n]\n")
        }
    }

    @Test(arguments: [
        ("COPY t TO '/no/such/dir/x.csv'", KuaiError.Kind.io),
        ("COPY t TO 'DIR/x.csv' (FORMAT xyz)", .binding),
        ("COPY t TO 'DIR/x.csv' (HEADR)", .binding),
        ("COPY t TO 'DIR/x.csv' (DELIMITER '||')", .binding),
        ("COPY nope TO 'DIR/x.csv'", .binding),
        ("COPY (SELECT 1 // 0) TO 'DIR/x.csv'", .execution),
    ])
    func errors(_ sql: String, _ kind: KuaiError.Kind) throws {
        try WritableStore.withSession { w, s throws in
            try runScript(s, Self.table)
            #expect(statementError(s, sql.replacingOccurrences(of: "DIR", with: w.dir.path))?.kind == kind)
            #expect(!w.dir.entries().contains { $0.hasPrefix("x.csv") }, "a failed COPY left a file")
        }
    }

    /// DOUBLE in COPY's JSON: DuckDB 2.0.1's text of each value (`COPY d TO 'd.json'`).
    static let jsonDoubleTexts: [(Double, String)] = [
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-6, "0.0000015"),
        (1.25e-6, "0.00000125"),
        (1e20, "100000000000000000000.0"),
        (1e21, "1e21"),
        (1.5e20, "150000000000000000000.0"),
        (1.5e21, "1.5e21"),
        (123e18, "123000000000000000000.0"),
        (9.999e20, "999900000000000000000.0"),
        (12345.678, "12345.678"),
        (0.000123456, "0.000123456"),
        (1.7976931348623157e308, "1.7976931348623157e308"),
        (5e-324, "5e-324"),
        (-1e-7, "-1e-7"),
        (2.5, "2.5"),
        (1e-5, "0.00001"),
        (0.0001, "0.0001"),
        (-0.0, "-0.0"),
        (123456789012345.6, "123456789012345.6"),
    ]

    @Test(arguments: jsonDoubleTexts)
    func jsonDoubles(_ value: Double, _ expected: String) {
        #expect(JSONCopy.double(value) == expected)
        // The byte writer of the JSON rows prints the same text.
        var bytes = [UInt8](repeating: 0, count: 64)
        let n = bytes.withUnsafeMutableBufferPointer { RowText.jsonDouble(value, .jsonWriter, $0.baseAddress!) }
        #expect(String(decoding: bytes[..<n], as: UTF8.self) == expected)
    }

    /// More rows than one batch and one formatting piece (`RowText.pieceRows`): the rows come out
    /// whole and in order. Expected text from the rule of each format (integers as digits, `v<i>`,
    /// NULL empty in csv and `null` in JSON, the `,\n` between JSON array rows).
    @Test func manyRowsInOrder() throws {
        try WritableStore.withSession { w, s throws in
            let rows = 100_000
            let csv = w.dir.sub("m.csv")
            let json = w.dir.sub("m.json")
            let digits = "(VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9))"
            let numbers = """
                SELECT a.x + 10 * b.x + 100 * c.x + 1000 * d.x + 10000 * e.x AS i
                FROM \(digits) a(x), \(digits) b(x), \(digits) c(x), \(digits) d(x), \(digits) e(x)
                """
            let query = """
                SELECT i, 'v' || i AS s, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 2 END AS n FROM (\(numbers)) ORDER BY i
                """
            _ = try runScript(s, "COPY (\(query)) TO '\(csv)'; COPY (\(query)) TO '\(json)' (ARRAY true);")
            var expectedCSV = "i,s,n\n"
            var expectedJSON = "[\n"
            for i in 0..<rows {
                let n = i % 7 == 0 ? "" : String(i * 2)
                expectedCSV += "\(i),v\(i),\(n)\n"
                expectedJSON += (i == 0 ? "" : ",\n") + "\t{\"i\":\(i),\"s\":\"v\(i)\",\"n\":\(n.isEmpty ? "null" : n)}"
            }
            expectedJSON += "\n]\n"
            #expect(String(decoding: FileManager.default.contents(atPath: csv)!, as: UTF8.self) == expectedCSV)
            #expect(String(decoding: FileManager.default.contents(atPath: json)!, as: UTF8.self) == expectedJSON)
        }
    }

    /// A delimiter that can occur in a number's or a date's text quotes those fields too (DuckDB
    /// 2.0.1: `COPY (SELECT -1 a, 'x-y' b, 1.5::double d, date '2020-01-02' e) TO 'x.csv' (DELIMITER '-')`
    /// and the same with '.').
    @Test(arguments: [
        ("-", "a-b-d-e\n\"-1\"-\"x-y\"-1.5-\"2020-01-02\"\n"),
        (".", "a.b.d.e\n-1.x-y.\"1.5\".2020-01-02\n"),
    ])
    func delimiterInsideValues(_ sep: String, _ expected: String) throws {
        try WritableStore.withSession { w, s throws in
            let path = w.dir.sub("d.csv")
            _ = try runScript(
                s, "COPY (SELECT -1 a, 'x-y' b, 1.5::double d, date '2020-01-02' e) TO '\(path)' (DELIMITER '\(sep)')")
            #expect(String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self) == expected)
        }
    }
}
