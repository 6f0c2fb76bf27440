import Foundation
import KuaiCore
import KuaiFormat
import KuaiPlan
import KuaiTestSupport
import Testing

/// Macros kept in a store (the manifest's `macros` member): created by one kuai-query process, used,
/// replaced and dropped by later ones, as DuckDB keeps macros in its database file; TEMP macros end with
/// their process. Expected rows are DuckDB 2.0.1's answers for the same statements over the seed sample.
@Suite struct StoreMacroTests {
    @Test func macrosPersistAcrossProcesses() throws {
        try withSeedStore { _, store in
            let create = try kuaiQuery(
                store,
                """
                CREATE MACRO price_band(p, step := 5) AS p // step * step;
                CREATE MACRO top_gifts(n) AS TABLE SELECT user_id, gift_price FROM gift ORDER BY gift_price DESC, user_id LIMIT n;
                CREATE VIEW banded AS SELECT price_band(gift_price) AS b, count(*) AS n FROM gift GROUP BY ALL;
                CREATE TEMP MACRO only_here(x) AS x + 1;
                SELECT only_here(1) AS v
                """)
            #expect(create.status == 0, "\(create)")
            #expect(create.out == "v\n2\n")

            // a new process: both stored macros and the view that calls one
            let use = try kuaiQuery(
                store,
                "SELECT user_id, price_band(gift_price) AS b, price_band(gift_price, step := 2) AS b2 FROM top_gifts(3) ORDER BY user_id"
            )
            #expect(use.status == 0, "\(use)")
            #expect(use.out == "user_id,b,b2\n896,10,12\n7742,5,6\n11504,0,2\n")
            let view = try kuaiQuery(store, "SELECT * FROM banded ORDER BY b")
            #expect(view.out == "b,n\n0,3\n5,1\n10,1\n", "\(view)")

            // the TEMP macro ended with its process
            let temp = try kuaiQuery(store, "SELECT only_here(1)")
            #expect(temp.status == 1 && temp.err.contains("only_here"), "\(temp)")

            // the manifest lists the stored macros, their parameters, defaults and body texts
            let opened = try Store.open(at: store)
            #expect(
                opened.macros == [
                    MacroDefinitionRecord(
                        name: "price_band", isTable: false, parameters: ["p", "step"], defaults: [nil, "5"],
                        sql: "p // step * step"),
                    MacroDefinitionRecord(
                        name: "top_gifts", isTable: true, parameters: ["n"], defaults: [nil],
                        sql: "SELECT user_id, gift_price FROM gift ORDER BY gift_price DESC, user_id LIMIT n"),
                ])

            // OR REPLACE in one process is seen by the next; DROP MACRO removes it from the store
            #expect(try kuaiQuery(store, "CREATE OR REPLACE MACRO price_band(p, step := 5) AS -p").status == 0)
            #expect(try kuaiQuery(store, "SELECT price_band(4) AS x").out == "x\n-4\n")
            #expect(try kuaiQuery(store, "DROP MACRO price_band; DROP MACRO TABLE top_gifts").status == 0)
            let gone = try kuaiQuery(store, "SELECT price_band(4)")
            #expect(gone.status == 1 && gone.err.contains("price_band"), "\(gone)")
            #expect(try Store.open(at: store).macros.isEmpty)
        }
    }

    /// A store without the `macros` member (every store written before it) opens with no macros; a
    /// manifest naming one macro twice is damaged.
    @Test func manifestsWithoutAndWithBadMacros() throws {
        try withSeedStore { _, store in
            let manifest = store + "/manifest.json"
            let text = try String(contentsOfFile: manifest, encoding: .utf8)
            #expect(!text.contains("\"macros\""))
            #expect(try Store.open(at: store).macros.isEmpty)
            let entry = #"{"kind": "scalar", "name": "f", "parameters": [{"name": "x"}], "sql": "x"}"#
            let twice = text.replacingOccurrences(
                of: "\"tables\"", with: "\"macros\": [\(entry), \(entry)], \"tables\"")
            try twice.write(toFile: manifest, atomically: true, encoding: .utf8)
            #expect(throws: KuaiError.self) { try Store.open(at: store) }
            let once = text.replacingOccurrences(of: "\"tables\"", with: "\"macros\": [\(entry)], \"tables\"")
            try once.write(toFile: manifest, atomically: true, encoding: .utf8)
            #expect(try Store.open(at: store).macros.map(\.name) == ["f"])
            #expect(try kuaiQuery(store, "SELECT f(41) + 1 AS v").out == "v\n42\n")
        }
    }
}
