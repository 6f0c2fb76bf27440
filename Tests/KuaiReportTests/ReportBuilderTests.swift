import Foundation
import KuaiFormat
import KuaiTestSupport
import Testing

@testable import KuaiReport

@Suite struct ReportBuilderTests {
    /// Every built-in recipe over the built-in sample gives DuckDB's answer, cell by cell, and the
    /// page shows those cells (data-v) and draws those values (marks' data-v).
    @Test func builtInRecipesGiveDuckDBsAnswersOnTheSample() throws {
        let store = try Store.open(at: FixtureStores.full)
        let report = ReportBuilder(store: store).build(RecipeCatalog.builtIn())
        #expect(report.outcomes.count == BuiltInRecipes.files.count)
        let page = HTMLPage.render(report, title: "t", version: "v")
        // The `data-ref="R:C" data-v="TEXT"` attributes of every table cell of the page.
        var pageCells = Set<Substring>()
        for part in page.split(separator: "<td").dropFirst() {
            guard let start = part.range(of: "data-ref="), let end = part.range(of: "\">") else { continue }
            pageCells.insert(part[start.lowerBound..<end.lowerBound])
        }
        for outcome in report.outcomes {
            guard case .drawn(let chart) = outcome.status, let table = outcome.table else {
                Issue.record("\(outcome.name): \(outcome.status)")
                continue
            }
            let expected = try expectedAnswer(outcome.name)
            #expect(table.names == expected.rows[0], "\(outcome.name)")
            #expect(table.rowCount == expected.rows.count - 1, "\(outcome.name)")
            for r in 0..<min(table.rowCount, expected.rows.count - 1) {
                for c in table.names.indices {
                    let decimal = expected.types[c].hasPrefix("DECIMAL")
                    let got = table.texts[c][r] ?? ""
                    #expect(
                        CSVCompare.fieldsEqual(expected.rows[r + 1][c], got, decimal: decimal),
                        "\(outcome.name) row \(r) column \(c): \(got) against DuckDB's \(expected.rows[r + 1][c])")
                    if let text = table.texts[c][r] {
                        let cell = "data-ref=\"\(r):\(c)\" data-v=\"\(HTMLPage.escape(text))"
                        #expect(pageCells.contains(Substring(cell)), "\(outcome.name): no table cell \(cell)")
                    }
                }
            }
            #expect(chart.svg.contains("data-ref="), "\(outcome.name) draws no marks")
        }
    }

    /// A store without `gift` and `like`, a recipe whose SQL fails and one whose header is bad: the
    /// page says why each is missing, the other charts are drawn.
    @Test func failingRecipesAndMissingTablesLeaveTheRestOfTheReport() throws {
        let folder = TempDir(prefix: "kuai-report-recipes")
        defer { folder.cleanup() }
        folder.write(
            "90-broken.sql",
            "-- title: Broken\n-- chart: bars\n-- x: a\n-- y: b\n-- tables: click\nSELECT user_id AS a,\n  count(*) AS b\nFROM click GROUP BY nope\n"
        )
        folder.write("91-bad-header.sql", "-- title: Bad\n-- chart: pie\nSELECT 1\n")
        folder.write(
            "92-undeclared.sql",
            "-- title: Undeclared\n-- chart: bars\n-- x: a\n-- y: b\nSELECT live_id AS a, gift_price AS b FROM gift\n")
        folder.write(
            "93-shape.sql", "-- title: Shape\n-- chart: bars\n-- x: a\n-- y: a\nSELECT 'x' AS a FROM \"user\" LIMIT 1\n"
        )
        folder.write(
            "94-empty.sql", "-- title: Empty\n-- chart: bars\n-- x: a\n-- y: b\nSELECT 1 AS a, 2 AS b WHERE false\n")
        folder.write("95-drop.sql", "-- title: Drop\n-- chart: bars\n-- x: a\n-- y: b\nDROP TABLE click\n")
        let entries = RecipeCatalog.merged(RecipeCatalog.builtIn(), try RecipeCatalog.folder(folder.path))
        let store = try Store.open(at: FixtureStores.partial)
        let report = ReportBuilder(store: store).build(entries)
        var byName: [String: ChartOutcome] = [:]
        for o in report.outcomes { byName[o.name] = o }

        let broken = try #require(byName["90-broken"])
        guard case .failed(let message) = broken.status else {
            Issue.record("\(broken.status)")
            return
        }
        #expect(message.hasPrefix(folder.path + "/90-broken.sql:8:"), "\(message)")
        #expect(message.contains("binding error") && message.contains("nope"))
        guard case .failed(let header) = byName["91-bad-header"]!.status else {
            Issue.record("not failed")
            return
        }
        #expect(header == folder.path + "/91-bad-header.sql:2: unknown chart \"pie\" (charts: bars, lines, heatmap)")
        guard case .missingTables(let undeclared) = byName["92-undeclared"]!.status else {
            Issue.record("\(byName["92-undeclared"]!.status)")
            return
        }
        #expect(undeclared == ["gift"])
        guard case .failed(let shape) = byName["93-shape"]!.status else {
            Issue.record("not failed")
            return
        }
        #expect(shape.contains("column \"a\" is VARCHAR, not a number"))
        guard case .empty = byName["94-empty"]!.status else {
            Issue.record("\(byName["94-empty"]!.status)")
            return
        }

        for name in ["03-activity-by-hour", "04-activity-by-weekday", "08-ltv-by-age", "09-funnel-by-category"] {
            guard case .missingTables(let tables) = byName[name]!.status else {
                Issue.record("\(name): \(byName[name]!.status)")
                continue
            }
            #expect(Set(tables).isSubset(of: ["gift", "like"]) && !tables.isEmpty, "\(name): \(tables)")
        }
        for name in ["01-demographics", "02-streamer-long-tail", "05-weekday-hour-heatmap", "07-retention-cohorts"] {
            guard case .drawn = byName[name]!.status else {
                Issue.record("\(name): \(byName[name]!.status)")
                continue
            }
        }
        // A recipe cannot change the store: writing statements fail, the table stays.
        let dropOutcome = try #require(byName["95-drop"])
        guard case .failed(let drop) = dropOutcome.status else {
            Issue.record("\(dropOutcome.status)")
            return
        }
        #expect(drop.contains("read-only"), "\(drop)")
        #expect(try Store.open(at: FixtureStores.partial).tableNames.contains("click"))
        #expect(
            report.outcomes.filter(\.isFailure).map(\.name) == ["90-broken", "91-bad-header", "93-shape", "95-drop"])

        let page = HTMLPage.render(report, title: "Report <test>", version: "kuai test")
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(!page.lowercased().contains("<script"))
        // No address but the SVG namespace: nothing to load.
        #expect(!page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"))
        #expect(page.contains("<title>Report &lt;test&gt;</title>"))
        #expect(page.contains("needs the table <code>gift</code>, which the store does not have"))
        #expect(
            page.contains("needs the tables <code>like</code>, <code>gift</code>")
                || page.contains("needs the tables <code>gift</code>, <code>like</code>"))
        #expect(page.contains("<div class=\"problem\" role=\"alert\"><p><strong>This chart could not be drawn."))
        #expect(page.contains("<a href=\"#c-90-broken\">90-broken</a>"))
        #expect(page.contains("data-status=\"missing\"") && page.contains("data-status=\"empty\""))
        #expect(page.contains("<details class=\"sql\"><summary>SQL</summary>"))
    }
}

@Suite struct RecipeCatalogTests {
    /// The embedded recipes are exactly the files of Sources/KuaiReport/Recipes, in name order.
    @Test func embeddedRecipesMatchTheFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: SourceTree.recipes).filter {
            $0.hasSuffix(".sql")
        }
        .sorted()
        #expect(BuiltInRecipes.files.map(\.name) == files.map { String($0.dropLast(4)) })
        for file in BuiltInRecipes.files {
            let text = try String(contentsOfFile: SourceTree.recipes + "/" + file.name + ".sql", encoding: .utf8)
            #expect(
                file.text == text,
                "the embedded text of \(file.name) is not the file's: rebuild")
        }
    }

    @Test func builtInRecipesParseAndNameKuaiLiveTables() {
        let kuaiLive: Set = ["user", "streamer", "room", "click", "comment", "like", "gift", "negative"]
        for entry in RecipeCatalog.builtIn() {
            guard case .recipe(let r) = entry else {
                Issue.record("\(entry.name) does not parse")
                continue
            }
            #expect(!r.tables.isEmpty && Set(r.tables).isSubset(of: kuaiLive), "\(r.name)")
            for t in r.tables { #expect(r.sql.contains(t), "\(r.name) declares \(t) but does not read it") }
        }
    }

    @Test func folderRecipesReplaceByNameOrAppend() throws {
        let folder = TempDir(prefix: "kuai-report-catalog")
        defer { folder.cleanup() }
        folder.write("01-demographics.sql", "-- title: Mine\n-- chart: bars\n-- x: a\n-- y: b\nSELECT 1 AS a, 2 AS b\n")
        folder.write("zz-new.sql", "-- title: New\n-- chart: bars\n-- x: a\n-- y: b\nSELECT 1 AS a, 2 AS b\n")
        folder.write("notes.txt", "not a recipe")
        let merged = RecipeCatalog.merged(RecipeCatalog.builtIn(), try RecipeCatalog.folder(folder.path))
        #expect(merged.count == BuiltInRecipes.files.count + 1)
        #expect(merged.first?.name == "01-demographics")
        guard case .recipe(let first) = merged[0] else {
            Issue.record("not a recipe")
            return
        }
        #expect(first.title == "Mine" && first.origin == folder.path + "/01-demographics.sql")
        #expect(merged.last?.name == "zz-new")
        #expect(throws: RecipeError.self) { try RecipeCatalog.folder(folder.path + "/no-such-folder") }
    }

    @Test(arguments: [("01 Users/Age", "01-users-age"), ("--x--", "x"), ("", "recipe"), ("Zürich", "z-rich")])
    func anchors(name: String, expected: String) {
        #expect(HTMLPage.anchor(name) == expected)
    }
}
