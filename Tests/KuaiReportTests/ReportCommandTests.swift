import Foundation
import KuaiTestSupport
import Testing

@testable import KuaiReport

@Suite struct ReportCommandTests {
    @Test func missingTablesAreSkippedWithExitZero() throws {
        let folder = TempDir(prefix: "kuai-report-cmd")
        defer { folder.cleanup() }
        let page = folder.path + "/report.html"
        let r = try runTool(
            .report,
            [
                "--store", FixtureStores.partial, "-o", page, "--only", "01-demographics,08-ltv-by-age",
            ])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("08-ltv-by-age") && r.err.contains("skipped: the store has no table gift\n"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("id=\"c-01-demographics\"") && !html.contains("id=\"c-02-"))
    }

    @Test func aFailingRecipeIsReportedAndExitsThree() throws {
        let folder = TempDir(prefix: "kuai-report-cmd")
        defer { folder.cleanup() }
        let recipes = folder.path + "/recipes"
        try FileManager.default.createDirectory(atPath: recipes, withIntermediateDirectories: true)
        folder.write(
            "recipes/50-bad.sql", "-- title: Bad\n-- chart: bars\n-- x: a\n-- y: b\nSELECT 1 AS a, 1 // 0 AS b\n")
        let page = folder.path + "/report.html"
        let r = try runTool(
            .report,
            [
                "--store", FixtureStores.full, "-o", page, "--recipes", recipes, "--only",
                "50-bad,06-repeat-consumption",
            ])
        #expect(r.status == 3, "\(r.err)")
        #expect(
            r.err.contains(
                "kuai-report: recipe 50-bad failed: " + recipes + "/50-bad.sql: execution error: Division by zero"))
        #expect(r.err.contains("50-bad") && r.err.contains("FAILED"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("data-status=\"failed\"") && html.contains("data-status=\"drawn\""))
        #expect(!FileManager.default.fileExists(atPath: page + ".tmp-0"))
    }

    @Test func noStoreWritesNoPageAndExitsOne() throws {
        let folder = TempDir(prefix: "kuai-report-cmd")
        defer { folder.cleanup() }
        let page = folder.path + "/report.html"
        let r = try runTool(.report, ["--store", folder.path + "/nope.kuai", "-o", page])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("kuai-report: "))
        #expect(!FileManager.default.fileExists(atPath: page))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test(arguments: [
        ["--store", "x"], ["-o", "x.html", "--store", "x", "--only", "no-such-recipe"], ["--bogus"],
    ])
    func usageErrorsExitTwo(args: [String]) throws {
        let r = try runTool(.report, args)
        #expect(r.status == 2, "\(r.err)")
    }

    @Test func listNamesEveryBuiltInRecipe() throws {
        let r = try runTool(.report, ["--list"])
        #expect(r.status == 0)
        for file in BuiltInRecipes.files { #expect(r.out.contains(file.name)) }
    }
}
