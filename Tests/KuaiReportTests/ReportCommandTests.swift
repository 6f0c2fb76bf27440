import Foundation
import Testing

@testable import KuaiReport

/// The built `kuai-report` executable, found beside the test bundle (as TrustSupport finds
/// kuai-query); $KUAI_BIN_DIR overrides the folder.
enum ReportBin {
    static let path: String = {
        var candidates: [String] = []
        if let d = ProcessInfo.processInfo.environment["KUAI_BIN_DIR"], !d.isEmpty { candidates.append(d) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().path)
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path)
        candidates.append(Bundle.main.bundleURL.path)
        for c in candidates where FileManager.default.isExecutableFile(atPath: c + "/kuai-report") {
            return c + "/kuai-report"
        }
        return (candidates.first ?? ".") + "/kuai-report"
    }()

    /// Runs kuai-report with `args`: (exit status, stdout, stderr).
    static func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try #require(
            FileManager.default.isExecutableFile(atPath: path), "\(path) is not built: run `swift build` first")
        let folder = TempFolder("kuai-report-run")
        defer { folder.cleanup() }
        let outPath = folder.write("out", "")
        let errPath = folder.write("err", "")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try p.run()
        p.waitUntilExit()
        return (
            p.terminationStatus, try String(contentsOfFile: outPath, encoding: .utf8),
            try String(contentsOfFile: errPath, encoding: .utf8)
        )
    }
}

@Suite struct ReportCommandTests {
    @Test func missingTablesAreSkippedWithExitZero() throws {
        let folder = TempFolder("kuai-report-cmd")
        defer { folder.cleanup() }
        let page = folder.path + "/report.html"
        let r = try ReportBin.run([
            "--store", FixtureStores.partial, "-o", page, "--only", "01-demographics,08-ltv-by-age",
        ])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("08-ltv-by-age") && r.err.contains("skipped: the store has no table gift\n"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("id=\"c-01-demographics\"") && !html.contains("id=\"c-02-"))
    }

    @Test func aFailingRecipeIsReportedAndExitsThree() throws {
        let folder = TempFolder("kuai-report-cmd")
        defer { folder.cleanup() }
        let recipes = folder.path + "/recipes"
        try FileManager.default.createDirectory(atPath: recipes, withIntermediateDirectories: true)
        folder.write(
            "recipes/50-bad.sql", "-- title: Bad\n-- chart: bars\n-- x: a\n-- y: b\nSELECT 1 AS a, 1 // 0 AS b\n")
        let page = folder.path + "/report.html"
        let r = try ReportBin.run([
            "--store", FixtureStores.full, "-o", page, "--recipes", recipes, "--only", "50-bad,06-repeat-consumption",
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
        let folder = TempFolder("kuai-report-cmd")
        defer { folder.cleanup() }
        let page = folder.path + "/report.html"
        let r = try ReportBin.run(["--store", folder.path + "/nope.kuai", "-o", page])
        #expect(r.status == 1)
        #expect(r.err.hasPrefix("kuai-report: "))
        #expect(!FileManager.default.fileExists(atPath: page))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test(arguments: [
        ["--store", "x"], ["-o", "x.html", "--store", "x", "--only", "no-such-recipe"], ["--bogus"],
    ])
    func usageErrorsExitTwo(args: [String]) throws {
        let r = try ReportBin.run(args)
        #expect(r.status == 2, "\(r.err)")
    }

    @Test func listNamesEveryBuiltInRecipe() throws {
        let r = try ReportBin.run(["--list"])
        #expect(r.status == 0)
        for file in BuiltInRecipes.files { #expect(r.out.contains(file.name)) }
    }
}
