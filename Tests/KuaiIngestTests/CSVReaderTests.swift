import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiIngest

/// Valid input: the real seed rows, the kuailive-mini sample, and unusual but valid CSVs.
@Suite struct CSVReaderTests {
    @Test(arguments: RepoPaths.kuaiLiveTables)
    func seedSampleMatchesDuckDB(table: String) throws {
        let path = RepoPaths.seedSample.path + "/\(table).csv"
        let r = try readCSV(path, table: table)
        #expect(r.schema == KuaiLiveSchema.tables[table]!)
        #expect(r.rows == SeedExpected.rows[table]!)
        #expect(r.rejects.isEmpty)
        // Tiny chunks and batches: every record crosses or touches a chunk edge somewhere.
        for chunk in [16, 37, 64, 100] {
            let t = try readCSV(path, table: table, options(chunk: chunk, batchRows: 3))
            #expect(t.rows == SeedExpected.rows[table]!, "chunk \(chunk)")
        }
    }

    @Test(arguments: RepoPaths.kuaiLiveTables)
    func miniSampleAggregatesMatchDuckDB(table: String) throws {
        for o in [
            options(), options(chunk: 4096, batchRows: 1000, workers: 2),
            options(chunk: 100_000, batchRows: 777, workers: 1),
        ] {
            let r = try CSVTableReader.readAll(path: RepoPaths.mini.path + "/\(table).csv", table: table, options: o)
            let expected = MiniExpected.aggregates[table]!
            #expect(r.schema.count == expected.count)
            for (c, field) in r.schema.enumerated() {
                let columns = r.batches.map { $0.columns[c] }
                let total = columns.reduce(0) { $0 + $1.count }
                let nonNull = columns.reduce(0) { $0 + $1.count - $1.nullCount }
                var got: [Value] = [.int(Int64(total)), .int(Int64(nonNull))]
                if field.type == .varchar {
                    var distinct = Set<String>()
                    for col in columns {
                        for i in 0..<col.count where col.isValid(i) { distinct.insert(col.dictionary![col.codes[i]]) }
                    }
                    let sorted = distinct.sorted { StringDictionary.less($0, $1) }
                    got += [
                        .int(Int64(distinct.count)), sorted.first.map { .string($0) } ?? .null,
                        sorted.last.map { .string($0) } ?? .null,
                    ]
                } else {
                    var sum: Int64 = 0
                    var lo = Int64.max
                    var hi = Int64.min
                    for col in columns {
                        for i in 0..<col.count where col.isValid(i) {
                            sum += col.ints[i]
                            lo = min(lo, col.ints[i])
                            hi = max(hi, col.ints[i])
                        }
                    }
                    got += nonNull == 0 ? [.null, .null, .null] : [.int(sum), .int(lo), .int(hi)]
                }
                #expect(got == expected[field.name]!, "\(table).\(field.name)")
            }
        }
    }

    @Test func crlfLineEnds() throws {
        let text = "user_id,live_id,streamer_id,timestamp\r\n1,2,3,4\r\n5,,7,8\r\n9,10,11,\r\n"
        let r = try readText(text, table: "like")
        #expect(
            r.rows == [
                [.int(1), .int(2), .int(3), .int(4)], [.int(5), .null, .int(7), .int(8)],
                [.int(9), .int(10), .int(11), .null],
            ])
        let g = try readText("a,b\r\nx,1\r\ny,\r\n", table: "t")
        #expect(g.schema == [Field("a", .varchar), Field("b", .bigint)])
        #expect(g.rows == [[.string("x"), .int(1)], [.string("y"), .null]])
        let s = try readText("a,b\r\n1,x\r\n2,\"y\"\r\n", table: "t")
        #expect(s.rows == [[.int(1), .string("x")], [.int(2), .string("y")]])
    }

    @Test func byteOrderMark() throws {
        let r = try readText("\u{FEFF}user_id,live_id,streamer_id,timestamp\n1,2,3,4\n", table: "like")
        #expect(r.rows == [[.int(1), .int(2), .int(3), .int(4)]])
        let g = try readText("\u{FEFF}name,n\nx,1\n", table: "other")
        #expect(g.schema == [Field("name", .varchar), Field("n", .bigint)])
    }

    @Test func missingFinalNewline() throws {
        let r = try readText("user_id,live_id,streamer_id,timestamp\n1,2,3,4\n5,6,7,8", table: "like")
        #expect(r.rows == [[.int(1), .int(2), .int(3), .int(4)], [.int(5), .int(6), .int(7), .int(8)]])
        let s = try readText("a,b\n1,xyz", table: "t")
        #expect(s.rows == [[.int(1), .string("xyz")]])
        let q = try readText("a,b\n1,\"q\"", table: "t")
        #expect(q.rows == [[.int(1), .string("q")]])
    }

    @Test func quotedFields() throws {
        // DuckDB 2.0.1: [(1, 'a,b', 'say "hi"'), (2, 'line1\nline2', None), (3, None, 'x"y')]
        let text = "id,s,t\n1,\"a,b\",\"say \"\"hi\"\"\"\n2,\"line1\nline2\",\"\"\n\"3\",,x\"y\n"
        let expected: [[Value]] = [
            [.int(1), .string("a,b"), .string("say \"hi\"")],
            [.int(2), .string("line1\nline2"), .null],
            [.int(3), .null, .string("x\"y")],
        ]
        #expect(try readText(text, table: "t").rows == expected)
        // Every chunk size: quoted commas, quotes and newlines fall across chunk boundaries.
        for chunk in 16...80 {
            #expect(
                try readText(text, table: "t", options(chunk: chunk, batchRows: 2)).rows == expected, "chunk \(chunk)")
        }
    }

    @Test func quotedNewlineAcrossChunkBoundaryKeepsLineNumbers() throws {
        var text = "id,s\n"
        for i in 0..<200 {
            text += i % 7 == 3 ? "\(i),\"multi\nline\r\n\"\"q\"\"\"\n" : "\(i),v\(i % 5)\n"
        }
        text += "oops,x\n"
        let expectedRows: [[Value]] = (0..<200).map { i in
            [.int(Int64(i)), .string(i % 7 == 3 ? "multi\nline\r\n\"q\"" : "v\(i % 5)")]
        }
        // The bad row is on line 1 (header) + 200 rows + 2 extra lines per multi-line row + 1.
        let multi = (0..<200).filter { $0 % 7 == 3 }.count
        let badLine = 1 + 200 + 2 * multi + 1
        for chunk in [16, 50, 64, 333, 1 << 20] {
            let o = options(chunk: chunk, batchRows: 17, sampleRows: 10, skipBadRows: true)
            let r = try readText(text, table: "t", o)
            #expect(r.rows == expectedRows, "chunk \(chunk)")
            #expect(
                r.rejects.map(\.location).map { String($0.split(separator: "/").last!) } == ["t.csv:\(badLine):1"],
                "chunk \(chunk)")
        }
    }

    @Test func negativeNumbersAndLimits() throws {
        let text =
            "p_date,live_id,streamer_id,live_type,start_timestamp,end_timestamp,live_content_category,live_name_id\n"
            + "20250525,1,2,-124,1748131180878,1748275200000,shop,-1\n"
            + "20250525,9223372036854775807,-9223372036854775808,+5, 42 ,0,other,000123\n"
        let r = try readText(text, table: "room")
        #expect(
            r.rows == [
                [
                    .int(20_250_525), .int(1), .int(2), .int(-124), .int(1_748_131_180_878), .int(1_748_275_200_000),
                    .string("shop"), .int(-1),
                ],
                [
                    .int(20_250_525), .int(Int64.max), .int(Int64.min), .int(5), .int(42), .int(0), .string("other"),
                    .int(123),
                ],
            ])
    }

    @Test func emptyFieldsAreNull() throws {
        let header =
            "user_id,age,gender,country,device_brand,device_price,reg_timestamp,fans_num,follow_num,first_watch_live_timestamp,accu_watch_live_cnt,accu_watch_live_duration,is_live_streamer,is_photo_author,onehot_feat0,onehot_feat1,onehot_feat2,onehot_feat3,onehot_feat4,onehot_feat5,onehot_feat6\n"
        let text = header + "1,,M,,,\"\",2023-05-03,,,,,,0,,,,,,,,\n" + ",18-23,,China,,,,,,2024-02-29,,,,1,,,,,,,0\n"
        let r = try readText(text, table: "user", options(chunk: 64))
        var row1 = [Value](repeating: .null, count: 21)
        row1[0] = .int(1)
        row1[2] = .string("M")
        row1[6] = day(2023, 5, 3)
        row1[12] = .int(0)
        var row2 = [Value](repeating: .null, count: 21)
        row2[1] = .string("18-23")
        row2[3] = .string("China")
        row2[9] = day(2024, 2, 29)
        row2[13] = .int(1)
        row2[20] = .int(0)
        #expect(r.rows == [row1, row2])
    }

    @Test func headerOnlyFileIsAnEmptyTable() throws {
        let r = try readText("user_id,live_id,streamer_id,timestamp\n", table: "like")
        #expect(r.schema == KuaiLiveSchema.tables["like"]!)
        #expect(r.rows.isEmpty)
        let noNewline = try readText("user_id,live_id,streamer_id,timestamp", table: "comment")
        #expect(noNewline.rows.isEmpty)
        // DuckDB types the columns of a header-only file VARCHAR.
        let g = try readText("a,b\n", table: "t")
        #expect(g.schema == [Field("a", .varchar), Field("b", .varchar)])
        #expect(g.rows.isEmpty)
    }

    @Test func blankLinesAreSkippedButAreNullRowsInOneColumnFiles() throws {
        // DuckDB 2.0.1: 'a,b,c\n1,2,3\n\n4,5,6\n\n' -> 2 rows; 'a\n1\n\n2\n' -> 1, NULL, 2.
        #expect(
            try readText("a,b,c\n1,2,3\n\n4,5,6\n\n", table: "t").rows == [
                [.int(1), .int(2), .int(3)], [.int(4), .int(5), .int(6)],
            ])
        #expect(try readText("a\n1\n\n2\n", table: "t").rows == [[.int(1)], [.null], [.int(2)]])
    }

    @Test func typeInference() throws {
        // DuckDB 2.0.1 types: BIGINT, DOUBLE, DATE, BOOLEAN, VARCHAR, VARCHAR(all empty), VARCHAR.
        let text =
            "i,d,dt,b,s,e,mixed\n"
            + "1,1.5,2020-01-01,true,x,,1\n"
            + "-7,1e3,2024-02-29,FALSE,\"y, z\",,2020-01-01\n"
            + ",-.25,,,,,\n"
        let r = try readText(text, table: "other")
        #expect(
            r.schema == [
                Field("i", .bigint), Field("d", .double), Field("dt", .date), Field("b", .boolean),
                Field("s", .varchar), Field("e", .varchar), Field("mixed", .varchar),
            ])
        #expect(
            r.rows == [
                [.int(1), .double(1.5), day(2020, 1, 1), .bool(true), .string("x"), .null, .string("1")],
                [
                    .int(-7), .double(1000), day(2024, 2, 29), .bool(false), .string("y, z"), .null,
                    .string("2020-01-01"),
                ],
                [.null, .double(-0.25), .null, .null, .null, .null, .null],
            ])
        // DuckDB 2.0.1 reads t, f, yes, no (any case) as booleans, but not y, n, 1 or 0.
        let flags = try readText("a,b,c,d\nt,yes,y,1\nF,No,n,0\n", table: "other")
        #expect(flags.schema.map(\.type) == [.boolean, .boolean, .varchar, .bigint])
        #expect(
            flags.rows == [
                [.bool(true), .bool(true), .string("y"), .int(1)], [.bool(false), .bool(false), .string("n"), .int(0)],
            ])
        // Too large for BIGINT: DOUBLE. Not a real date: VARCHAR.
        let big = try readText("n,d\n99999999999999999999,2020-02-30\n", table: "x")
        #expect(big.schema == [Field("n", .double), Field("d", .varchar)])
    }

    @Test func typeInferenceReadsQuotedFieldsOfOneRecordApart() throws {
        // Two quoted fields in a record are both unescaped into the extractor's scratch: the sample must
        // judge "12" as a number and "ab" as text, a quoted line break stays in its field, and a trailing
        // comma at the end of the file adds an empty (NULL) field. DuckDB 2.0.1 reads this file as
        // BIGINT, BIGINT, VARCHAR.
        let r = try readText("a,b,c\n\"12\",\"ab\",x\n3,\"4\",\"multi\nline\"\n5,6,", table: "other")
        #expect(r.schema == [Field("a", .bigint), Field("b", .varchar), Field("c", .varchar)])
        #expect(
            r.rows == [
                [.int(12), .string("ab"), .string("x")], [.int(3), .string("4"), .string("multi\nline")],
                [.int(5), .string("6"), .null],
            ])
        // Every column VARCHAR after the first row: the sample stops early, and the types stay.
        var text = "s,t\n"
        for i in 0..<50_000 { text += "x\(i),y\(i)\n" }
        let wide = try readText(text, table: "other")
        #expect(wide.schema == [Field("s", .varchar), Field("t", .varchar)])
        #expect(wide.rows.count == 50_000)
    }

    @Test func typeInferenceFindsTimestampsAndTimesAsDuckDBDoes() throws {
        // DuckDB 2.0.1 (DESCRIBE SELECT * FROM read_csv(...)): TIMESTAMP, TIME, TIMESTAMP, TIMESTAMP,
        // DATE, VARCHAR (an offset makes DuckDB's TIMESTAMP WITH TIME ZONE, not inferred by kuai), and
        // VARCHAR for a date followed by a timestamp in the first chunk.
        let r = try readText(
            "ts,t,iso,utc,d,tz,mix\n"
                + "2025-05-04 08:00:00.326,08:00,2025-05-04T08:00:00,2025-05-04 08:00:00 UTC,2025-05-04,"
                + "2025-05-04 08:00:00+08,2025-05-04\n"
                + "2025-05-05 09:10:11,23:59:59.123456,2025-05-05T01:02,2025-05-05 09:10:11 utc,2025-05-05,"
                + "2025-05-05 09:10:11+08,2025-05-05 10:00:00\n",
            table: "other")
        #expect(
            r.schema == [
                Field("ts", .timestamp), Field("t", .time), Field("iso", .timestamp), Field("utc", .timestamp),
                Field("d", .date), Field("tz", .varchar), Field("mix", .varchar),
            ])
        let micros = { (d: Int, h: Int64, m: Int64, s: Int64, f: Int64) -> Value in
            guard case .int(let days) = day(2025, 5, d) else { return .null }
            return .int(days * 86_400_000_000 + ((h * 60 + m) * 60 + s) * 1_000_000 + f)
        }
        #expect(r.rows[0][0] == micros(4, 8, 0, 0, 326_000) && r.rows[1][0] == micros(5, 9, 10, 11, 0))
        #expect(r.rows[0][1] == .int(8 * 3_600_000_000) && r.rows[1][1] == .int(86_399_123_456))
        #expect(r.rows[1][2] == micros(5, 1, 2, 0, 0) && r.rows[1][3] == micros(5, 9, 10, 11, 0))

        // After the first 2,047 data rows DuckDB refines a chunk at a time: a DATE column meeting a
        // timestamp becomes TIMESTAMP and a BOOLEAN column meeting a number VARCHAR.
        func column(_ first: String, _ later: String, at row: Int) throws -> DataType {
            var rows = [String](repeating: "", count: 4500)
            rows[0] = first
            rows[row] = later
            return try readText("k,a\n" + rows.enumerated().map { "\($0),\($1)\n" }.joined(), table: "other")
                .schema[1].type
        }
        #expect(try column("2025-05-04", "2025-05-04 08:00:00", at: 2046) == .varchar)
        #expect(try column("2025-05-04", "2025-05-04 08:00:00", at: 2047) == .timestamp)
        #expect(try column("2025-05-04 08:00:00", "2025-05-04", at: 1) == .timestamp)
        #expect(try column("true", "true", at: 3000) == .boolean)
        #expect(try column("true", "5", at: 3000) == .varchar)
        #expect(try column("08:00:00", "08:00:01", at: 3000) == .time)
    }

    @Test func inferredColumnNamesFollowDuckDB() {
        #expect(TypeInference.columnNames(["a", "a", "", "b"]) == ["a", "a_1", "column2", "b"])
        // Names differing only in case collide (DuckDB 2.0.1: DESCRIBE read_csv of these headers).
        #expect(TypeInference.columnNames(["x", "X", "x_1"]) == ["x", "X_1", "x_1_1"])
        #expect(TypeInference.columnNames(["a", "a", "A", "a_1", ""]) == ["a", "a_1", "A_2", "a_1_1", "column4"])
        #expect(
            TypeInference.columnNames(["a", "", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"])[1] == "column01")
        #expect(TypeInference.columnNames(["a", "", "c", "d", "e", "f", "g", "h", "i", "j"])[1] == "column1")
    }

    @Test func dictionariesAreSharedWithinABatchAndIndependentAcrossBatches() throws {
        var text = "k,s\n"
        for i in 0..<1000 { text += "\(i),cat\(i % 3)\n" }
        let r = try CSVTableReader.readAll(
            path: {
                let d = TempDir()
                return d.write("t.csv", text)
            }(), table: "t", options: options(chunk: 512, batchRows: 100))
        for b in r.batches {
            let col = b.columns[1]
            #expect(col.dictionary!.count <= 3)
            for i in 0..<col.count { #expect(col.dictionary![col.codes[i]] == "cat\(b.columns[0].ints[i] % 3)") }
        }
        #expect(r.batches.reduce(0) { $0 + $1.count } == 1000)
    }

    @Test func utf8Strings() throws {
        let r = try readText("a,b\n北京,é\n\"Ünïcødé, 😀\",x\n", table: "t")
        #expect(r.rows == [[.string("北京"), .string("é")], [.string("Ünïcødé, 😀"), .string("x")]])
    }

    @Test func manyRowsAcrossChunksInOrder() throws {
        var text = "user_id,live_id,streamer_id,timestamp,watch_live_time\n"
        for i in 0..<50_000 {
            text += "\(i),\(i * 3),\(i % 97),\(1_746_374_400_000 + i),\(i % 7 == 0 ? "" : String(i))\n"
        }
        for o in [options(chunk: 10_000, batchRows: 4096), options(chunk: 1 << 20, batchRows: 65_536, workers: 1)] {
            let r = try readText(text, table: "click", o)
            #expect(r.rows.count == 50_000)
            var ok = true
            for (i, row) in r.rows.enumerated() {
                let expected: [Value] = [
                    .int(Int64(i)), .int(Int64(i * 3)), .int(Int64(i % 97)), .int(Int64(1_746_374_400_000 + i)),
                    i % 7 == 0 ? .null : .int(Int64(i)),
                ]
                if row != expected {
                    ok = false
                    break
                }
            }
            #expect(ok)
        }
    }
}

@Suite struct WideCSVTests {
    @Test func batchRowsShrinkForWideTables() {
        #expect(ChunkParser.batchRows(columns: 8, requested: 65_536) == 65_536)
        #expect(ChunkParser.batchRows(columns: 1000, requested: 65_536) == 3728)
        #expect(ChunkParser.batchRows(columns: 100_000, requested: 65_536) == 1024)
        #expect(ChunkParser.batchRows(columns: 100_000, requested: 10) == 10)
    }

    @Test func threeHundredColumns() throws {
        let n = 300
        var text = (0..<n).map { "c\($0)" }.joined(separator: ",") + "\n"
        for r in 0..<200 { text += (0..<n).map { String(($0 * 7 + r) % 1000) }.joined(separator: ",") + "\n" }
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write("wide.csv", text)
        let r = try CSVTableReader.readAll(path: path, table: "wide", options: options(chunk: 64 << 10, batchRows: 64))
        #expect(r.schema.count == n)
        #expect(r.schema.allSatisfy { $0.type == .bigint })
        #expect(r.batches.reduce(0) { $0 + $1.count } == 200)
        let last = r.batches.last!
        #expect(last.columns[299].ints[last.count - 1] == Int64((299 * 7 + 199) % 1000))
        #expect(r.batches[0].columns[5].ints[0] == 35)
    }
}
