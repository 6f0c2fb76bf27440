import KuaiCore
import KuaiExec
import KuaiPlan
import Testing

// QueryEngine over MemoryTables. Expected CSV text was produced by DuckDB 2.0.1 with
//   CREATE TABLE t AS SELECT * FROM (VALUES (1::BIGINT, 'a', 1.5::DOUBLE, DATE '2025-05-05', 1746374400022::BIGINT),
//     (2, 'b', NULL, DATE '2025-05-06', 1746460800000), (3, NULL, -2.25, NULL, 1746378000500),
//     (4, 'a', 10.0, DATE '2025-05-05', NULL), (NULL, 'c', 0.1, DATE '2025-05-07', 1746547200000)) v(id, name, price, d, ms);
//   COPY (<query>) TO 'e.csv' (HEADER)

func engineTable(blockRows: Int = 2) -> MemoryTable {
    let id: [Int64?] = [1, 2, 3, 4, nil]
    let name: [String?] = ["a", "b", nil, "a", "c"]
    let price: [Double?] = [1.5, nil, -2.25, 10.0, 0.1]
    let d: [Int64?] = [20213, 20214, nil, 20213, 20215]
    let ms: [Int64?] = [1_746_374_400_022, 1_746_460_800_000, 1_746_378_000_500, nil, 1_746_547_200_000]
    func ints(_ xs: ArraySlice<Int64?>, _ t: DataType) -> Column {
        let v = xs.map { $0 == nil ? UInt8(0) : 1 }
        return Column(type: t, ints: xs.map { $0 ?? 0 }, validity: v.contains(0) ? v : nil)
    }
    let dict = StringDictionary(["a", "b", "c"])
    var batches: [Batch] = []
    var start = 0
    while start < 5 {
        let r = start..<min(5, start + blockRows)
        let names = name[r]
        let nv = names.map { $0 == nil ? UInt8(0) : 1 }
        let pv = price[r].map { $0 == nil ? UInt8(0) : 1 }
        batches.append(
            Batch(columns: [
                ints(id[r], .bigint),
                Column(
                    codes: names.map { $0.map { dict.code(of: $0)! } ?? 0 }, dictionary: dict,
                    validity: nv.contains(0) ? nv : nil),
                Column(doubles: price[r].map { $0 ?? 0 }, validity: pv.contains(0) ? pv : nil),
                ints(d[r], .date),
                ints(ms[r], .bigint),
            ]))
        start += blockRows
    }
    return MemoryTable(
        name: "t",
        schema: [
            Field("id", .bigint), Field("name", .varchar), Field("price", .double),
            Field("d", .date), Field("ms", .bigint),
        ], batches: batches)
}

func csv(_ sql: String, threads: Int = 2) throws -> String {
    let engine = QueryEngine(tables: [engineTable()], options: QueryOptions(threads: threads))
    var out = ""
    ResultWriter.write(try engine.execute(sql), format: .csv) { out += $0 }
    return out
}

@Test(arguments: [
    (
        "SELECT name, count(*) AS n, sum(id) AS s, avg(price) AS a, min(d) AS lo, max(ms) AS hi FROM t GROUP BY name ORDER BY name NULLS FIRST",
        "name,n,s,a,lo,hi\n,1,3,-2.25,,1746378000500\na,2,5,5.75,2025-05-05,1746374400022\nb,1,2,,2025-05-06,1746460800000\nc,1,,0.1,2025-05-07,1746547200000\n"
    ),
    (
        "SELECT id, epoch_ms(ms) AS ts, hour(epoch_ms(ms + 28800000)) AS h FROM t ORDER BY id NULLS LAST",
        "id,ts,h\n1,2025-05-04 16:00:00.022,0\n2,2025-05-05 16:00:00,0\n3,2025-05-04 17:00:00.5,1\n4,,\n,2025-05-06 16:00:00,0\n"
    ),
    (
        "SELECT id, price / 3 AS p3, id // 2 AS half, id % 2 AS odd, -price AS neg FROM t WHERE id IS NOT NULL ORDER BY id",
        "id,p3,half,odd,neg\n1,0.5,0,1,-1.5\n2,,1,0,\n3,-0.75,1,1,2.25\n4,3.3333333333333335,2,0,-10.0\n"
    ),
    (
        "SELECT id FROM t WHERE name IN ('a', 'c') AND (price > 1 OR d IS NULL) ORDER BY id",
        "id\n1\n4\n"
    ),
    (
        "SELECT name LIKE 'a%' AS l, name = 'a' OR price > 5 AS o, NOT (price > 1) AS n FROM t ORDER BY id",
        "l,o,n\ntrue,true,false\nfalse,,\n,,true\ntrue,true,false\nfalse,false,true\n"
    ),
    (
        "SELECT count(DISTINCT name) AS dn, count(name) AS cn, count(*) AS c FROM t",
        "dn,cn,c\n3,4,5\n"
    ),
    (
        "SELECT CASE WHEN price > 1 THEN 'big' WHEN price IS NULL THEN 'none' ELSE 'small' END AS k, count(*) AS n FROM t GROUP BY k ORDER BY k",
        "k,n\nbig,2\nnone,1\nsmall,2\n"
    ),
    (
        "SELECT round(price, 1) AS r, floor(price) AS f, ceil(price) AS c, abs(price) AS a, CAST(price AS INTEGER) AS i FROM t ORDER BY id",
        "r,f,c,a,i\n1.5,1.0,2.0,1.5,2\n,,,,\n-2.3,-3.0,-2.0,2.25,-2\n10.0,10.0,10.0,10.0,10\n0.1,0.0,1.0,0.1,0\n"
    ),
    (
        "SELECT d, count(*) AS n FROM t GROUP BY d ORDER BY d DESC NULLS FIRST LIMIT 2 OFFSET 1",
        "d,n\n2025-05-07,1\n2025-05-06,1\n"
    ),
    (
        "SELECT DISTINCT name FROM t ORDER BY name",
        "name\na\nb\nc\n\n"
    ),
])
func engineQueryMatchesDuckDB(_ sql: String, _ expected: String) throws {
    #expect(try csv(sql) == expected)
    #expect(try csv(sql, threads: 1) == expected)
}

@Test func engineResultNamesFollowDuckDB() throws {
    // DuckDB names unaliased columns by their expression text; repeated names get _1.
    #expect(
        try csv("SELECT count(*), sum(id) + 1, id, id FROM t GROUP BY id ORDER BY id LIMIT 1")
            == "count_star(),(sum(id) + 1),id,id_1\n1,2,1,1\n")
}

/// A column name typed with letters left out still gets the suggestion ("wach_time" ->
/// "watch_live_time", DuckDB's candidate binding too); an unrelated name gets none.
@Test func engineSuggestsAColumnWithLettersLeftOut() {
    let table = MemoryTable(
        name: "click", schema: [Field("user_id", .bigint), Field("watch_live_time", .bigint)],
        batches: [Batch(columns: [Column(type: .bigint, ints: [1]), Column(type: .bigint, ints: [2])])])
    let engine = QueryEngine(tables: [table])
    for (sql, suggestion) in [
        ("SELECT wach_time FROM click", "watch_live_time" as String?), ("SELECT zzzz FROM click", nil),
    ] {
        do {
            _ = try engine.execute(sql)
            Issue.record("expected an error for \(sql)")
        } catch let e as KuaiError {
            #expect(e.kind == .binding)
            if let suggestion {
                #expect(e.message.contains("did you mean \"\(suggestion)\""), "\(e.message)")
            } else {
                #expect(!e.message.contains("did you mean"), "\(e.message)")
            }
            #expect(e.message.contains("(columns: user_id, watch_live_time)"), "\(e.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Test func engineBindingErrorsNameTheColumnAndPosition() {
    let engine = QueryEngine(tables: [engineTable()])
    do {
        _ = try engine.execute("SELECT nme FROM t")
        Issue.record("expected an error")
    } catch let e as KuaiError {
        #expect(e.kind == .binding)
        #expect(e.location == "query:1:8")
        #expect(e.message.contains("\"nme\" not found"))
        #expect(e.message.contains("did you mean \"name\""))
    } catch {
        Issue.record("unexpected \(error)")
    }
    do {
        _ = try engine.execute("SELECT * FROM clicks")
        Issue.record("expected an error")
    } catch let e as KuaiError {
        #expect(e.kind == .binding)
        #expect(e.message.contains("tables: t"))
    } catch {
        Issue.record("unexpected \(error)")
    }
    #expect(throws: KuaiError.self) { _ = try engine.execute("SELECT sum(name) FROM t") }
    #expect(throws: KuaiError.self) { _ = try engine.execute("SELECT name, count(*) FROM t") }
    #expect(throws: KuaiError.self) { _ = try engine.execute("SELECT id // 0 FROM t") }
}

@Test func engineExplainShowsPushedFiltersAndColumns() throws {
    let engine = QueryEngine(tables: [engineTable()], options: QueryOptions(threads: 2))
    let lines = try engine.explain("SELECT name, count(*) FROM t WHERE id > 1 GROUP BY name ORDER BY name")
    #expect(
        lines == [
            "Sort keys=[#0 ASC NULLS LAST]",
            "  HashAggregate keys=[name] aggregates=[count_star()]",
            "    Project [name]",
            "      Scan t columns=[id, name] filters=[(id > 1)] output=[name]",
        ])
    let scalar = try engine.explain("SELECT count(*) FROM t WHERE d = DATE '2025-05-05' AND name = 'a'")
    #expect(
        scalar == [
            "HashAggregate keys=[] aggregates=[count_star()]",
            "  Project []",
            "    Scan t columns=[name, d] filters=[(d = CAST('2025-05-05' AS DATE)) AND (\"name\" = 'a')] output=[]",
        ])
}

@Test func engineExplainShowsJoinBuildSide() throws {
    let small = MemoryTable(
        name: "s", schema: [Field("k", .bigint), Field("label", .varchar)],
        batches: [Batch(columns: [Column(type: .bigint, ints: [1, 2]), Column(strings: ["x", "y"])])])
    let engine = QueryEngine(tables: [engineTable(), small], options: QueryOptions(threads: 2))
    let lines = try engine.explain("SELECT t.name, s.label FROM t JOIN s ON s.k = t.id")
    #expect(
        lines == [
            "Project [name, label]",
            "  HashJoin INNER build=right probe=parallel keys=[#0=#0]",
            "    Scan t columns=[id, name]",
            "    build: Scan s columns=[k, label]",
        ])
    #expect(
        try csvOf(engine, "SELECT t.name, s.label FROM t JOIN s ON s.k = t.id ORDER BY 2") == "name,label\na,x\nb,y\n")
}

func csvOf(_ engine: QueryEngine, _ sql: String) throws -> String {
    var out = ""
    ResultWriter.write(try engine.execute(sql), format: .csv) { out += $0 }
    return out
}

@Test func engineOutputFormats() throws {
    let engine = QueryEngine(tables: [engineTable()])
    let r = try engine.execute("SELECT id, name, price, d FROM t WHERE id <= 2 ORDER BY id")
    var json = ""
    ResultWriter.write(r, format: .json) { json += $0 }
    #expect(
        json
            == "[\n\t{\"id\":1,\"name\":\"a\",\"price\":1.5,\"d\":\"2025-05-05\"},\n\t{\"id\":2,\"name\":\"b\",\"price\":null,\"d\":\"2025-05-06\"}\n]\n"
    )
    var jsonl = ""
    ResultWriter.write(r, format: .jsonl) { jsonl += $0 }
    #expect(
        jsonl
            == "{\"id\":1,\"name\":\"a\",\"price\":1.5,\"d\":\"2025-05-05\"}\n{\"id\":2,\"name\":\"b\",\"price\":null,\"d\":\"2025-05-06\"}\n"
    )
    var tsv = ""
    ResultWriter.write(r, format: .tsv) { tsv += $0 }
    #expect(tsv == "id\tname\tprice\td\n1\ta\t1.5\t2025-05-05\n2\tb\t\t2025-05-06\n")
    var table = ""
    ResultWriter.write(r, format: .table) { table += $0 }
    #expect(
        table == """
            ┌───────┬─────────┬────────┬────────────┐
            │  id   │  name   │ price  │     d      │
            │ int64 │ varchar │ double │    date    │
            ├───────┼─────────┼────────┼────────────┤
            │     1 │ a       │    1.5 │ 2025-05-05 │
            │     2 │ b       │   NULL │ 2025-05-06 │
            └───────┴─────────┴────────┴────────────┘

            """)
}

/// A VARCHAR value or a column name of 64 KiB or more is printed whole. ResultWriter rendered each
/// dictionary value (and each JSON key) into a sink that dropped every full 64 KiB chunk, so such a
/// CSV or TSV field came out empty. Expected text from DuckDB 2.0.1: COPY (SELECT * FROM (VALUES
/// ('<70,000 x>"q', 1), ('b', 2)) t(s, n) ORDER BY n) TO 'f' (HEADER) / (HEADER, DELIMITER '\t'), and
/// COPY (SELECT 'b' AS "<70,000 k>") TO 'f' (FORMAT json).
@Test func engineOutputPrintsValuesOf64KiBAndMore() throws {
    let long = String(repeating: "x", count: 70_000) + "\"q"
    let dict = StringDictionary([long, "b"])
    let t = MemoryTable(
        name: "t", schema: [Field("s", .varchar), Field("n", .bigint)],
        batches: [
            Batch(columns: [
                Column(codes: [dict.code(of: long)!, dict.code(of: "b")!], dictionary: dict, validity: nil),
                Column(type: .bigint, ints: [1, 2]),
            ])
        ])
    let engine = QueryEngine(tables: [t])
    let quoted = "\"" + String(repeating: "x", count: 70_000) + "\"\"q\""
    #expect(try csvOf(engine, "SELECT s, n FROM t ORDER BY n") == "s,n\n\(quoted),1\nb,2\n")
    var tsv = ""
    ResultWriter.write(try engine.execute("SELECT s, n FROM t ORDER BY n"), format: .tsv) { tsv += $0 }
    #expect(tsv == "s\tn\n\(quoted)\t1\nb\t2\n")
    let key = String(repeating: "k", count: 70_000)
    var jsonl = ""
    ResultWriter.write(try engine.execute("SELECT 'b' AS \"\(key)\""), format: .jsonl) { jsonl += $0 }
    #expect(jsonl == "{\"\(key)\":\"b\"}\n")
}

/// A field holding `#` is quoted, as DuckDB's CSV writer quotes it (its reader takes `#` as a comment
/// character), in the header too, for dictionary and computed strings alike. Expected bytes from
/// DuckDB 2.0.1: COPY (q) TO 'f' (HEADER) and (HEADER, DELIMITER '\t').
@Test func engineOutputQuotesFieldsWithAHashAsDuckDB() throws {
    let engine = QueryEngine(tables: [])
    let q =
        "SELECT s, upper(s) || '#' AS f, n AS \"h#\" FROM (VALUES ('a#b', 1), ('plain', 2), ('', 3)) t(s, n) ORDER BY n"
    #expect(try csvOf(engine, q) == "s,f,\"h#\"\n\"a#b\",\"A#B#\",1\nplain,\"PLAIN#\",2\n\"\",\"#\",3\n")
    var tsv = ""
    ResultWriter.write(try engine.execute(q), format: .tsv) { tsv += $0 }
    #expect(tsv == "s\tf\t\"h#\"\n\"a#b\"\t\"A#B#\"\t1\nplain\t\"PLAIN#\"\t2\n\"\"\t\"#\"\t3\n")
}

@Test func engineOutputFormatsPrintHugeintBeyondInt64() throws {
    // DuckDB 2.0.1: COPY (q) TO 'f' (FORMAT json, ARRAY true) / (FORMAT json) / (HEADER, DELIMITER '\t'),
    // and the CLI box of q, where q sums BIGINTs past 2^63 and below -2^63 (HUGEINT).
    let engine = QueryEngine(tables: [engineTable()])
    let q =
        "SELECT g, sum(x) AS s FROM (VALUES (1, 9223372036854775807), (1, 5), (2, -9223372036854775807), (2, -9), (3, 7)) v(g, x) GROUP BY g ORDER BY g"
    func render(_ f: OutputFormat) throws -> String {
        var out = ""
        ResultWriter.write(try engine.execute(q), format: f) { out += $0 }
        return out
    }
    #expect(try render(.csv) == "g,s\n1,9223372036854775812\n2,-9223372036854775816\n3,7\n")
    #expect(
        try render(.json)
            == "[\n\t{\"g\":1,\"s\":9223372036854775812},\n\t{\"g\":2,\"s\":-9223372036854775816},\n\t{\"g\":3,\"s\":7}\n]\n"
    )
    #expect(
        try render(.jsonl)
            == "{\"g\":1,\"s\":9223372036854775812}\n{\"g\":2,\"s\":-9223372036854775816}\n{\"g\":3,\"s\":7}\n")
    #expect(try render(.tsv) == "g\ts\n1\t9223372036854775812\n2\t-9223372036854775816\n3\t7\n")
    #expect(
        try render(.table) == """
            ┌───────┬──────────────────────┐
            │   g   │          s           │
            │ int32 │        int128        │
            ├───────┼──────────────────────┤
            │     1 │  9223372036854775812 │
            │     2 │ -9223372036854775816 │
            │     3 │                    7 │
            └───────┴──────────────────────┘

            """)
    // streamed output (kuai-query's path) prints the same digits
    var streamed = [UInt8]()
    let r = try engine.execute(q)
    let stream = try ResultStream(format: .csv, fields: r.fields) { streamed.append(contentsOf: $0) }
    for b in r.batches { stream.append(b) }
    stream.finish()
    #expect(String(decoding: streamed, as: UTF8.self) == "g,s\n1,9223372036854775812\n2,-9223372036854775816\n3,7\n")
}

@Test func engineCSVQuotesLikeDuckDB() throws {
    // DuckDB: COPY (SELECT '' a, ' x ' b, 'a"b' c, 'a,b' d, NULL::VARCHAR e, e'x\ny' f) TO 'y.csv' (HEADER)
    let engine = QueryEngine(tables: [engineTable()])
    let out = try csvOf(engine, "SELECT '' a, ' x ' b, 'a\"b' c, 'a,b' d, CAST(NULL AS VARCHAR) e, 'x\ny' f")
    #expect(out == "a,b,c,d,e,f\n\"\", x ,\"a\"\"b\",\"a,b\",,\"x\ny\"\n")
}
