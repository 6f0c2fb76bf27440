import Foundation
import KuaiCore
import KuaiFormat
import KuaiTestSupport
import Testing

// Interrupted and concurrent runs through the built executables (issue 4, "Interrupted and
// concurrent runs", "Must show" 3):
//   - kill -9 of kuai-convert in the middle of a conversion leaves the earlier store at that path
//     byte-identical and readable, no half store visible, and the next run succeeds and removes
//     the dead run's temporary folder;
//   - queries running while the store is replaced again and again see the old or the new store
//     whole: every answer is one of the two stores' answers, and the only error allowed is the
//     clean "store was replaced ... run the command again".

@Suite("Trust: kill -9 and concurrent replacement", .serialized)
struct TrustInterruptTests {
    /// The answer of `select count(*), sum(...)` over click, as kuai-query prints it.
    static let clickQuery = "select count(*) as n, sum(user_id) as u, sum(watch_live_time) as w from click"

    /// Bytes of the files under `folder`.
    static func bytesUnder(_ folder: String) -> Int {
        guard let e = FileManager.default.enumerator(atPath: folder) else { return 0 }
        var n = 0
        while let rel = e.nextObject() as? String {
            n += ((try? FileManager.default.attributesOfItem(atPath: folder + "/" + rel))?[.size] as? Int) ?? 0
        }
        return n
    }

    /// Runs a conversion of `source` into `store` and kill -9s it once the folder it writes holds
    /// `killAfterBytes` bytes: the temporary folder beside a new store, or the new generation's
    /// `gen-*` folder inside an existing one. Returns false if the conversion ended before it could be
    /// killed.
    static func convertAndKill(_ source: String, _ store: String, in dir: TempDir, killAfterBytes: Int) throws -> Bool {
        let existing = FileManager.default.fileExists(atPath: store + "/manifest.json")
        let before = Set(uncommittedLeftovers(in: store))
        let p = try KuaiTool.convert.start([source, "-o", store, "--quiet"])
        let name = (store as NSString).lastPathComponent
        let prefix = ".\(name).tmp-\(p.processIdentifier)-"
        let deadline = Date().addingTimeInterval(120)
        var killed = false
        while p.isRunning && Date() < deadline {
            let writing =
                existing
                ? uncommittedLeftovers(in: store).first { !before.contains($0) }.map { store + "/" + $0 }
                : dir.entries().first(where: { $0.hasPrefix(prefix) }).map { dir.sub($0) }
            if let writing, bytesUnder(writing) >= killAfterBytes {
                kill(p.processIdentifier, SIGKILL)
                killed = true
                break
            }
            usleep(1_000)
        }
        p.waitUntilExit()
        return killed && p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL
    }

    @Test func killMinus9DuringConversionKeepsTheEarlierStore() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        // A conversion that takes a second or more in a debug build: 1.2 M rows, about 50 MB.
        let bigRows = 1_200_000
        let big = dir.write("big/click.csv", bytes: KuaiLiveCSV.click(rows: bigRows, seed: 8))

        // 1. No store at the path yet: the killed conversion leaves none visible.
        let freshDir = TempDir()
        defer { freshDir.cleanup() }
        let fresh = freshDir.sub("first.kuai")
        let killedFirst = try Self.convertAndKill(big, fresh, in: freshDir, killAfterBytes: 1_000_000)
        #expect(killedFirst, "kuai-convert finished before it could be killed; make the CSV bigger")
        #expect(!FileManager.default.fileExists(atPath: fresh), "a half store is visible at \(fresh)")
        #expect(freshDir.entries().allSatisfy { $0.hasPrefix(".") }, "\(freshDir.entries())")
        let none = try kuaiQuery(fresh, "select 1")
        #expect(none.failedCleanly, "\(none)")

        // 2. An earlier store at the path (1,000 rows): it survives kills at two points.
        let small = dir.write("small/click.csv", bytes: KuaiLiveCSV.click(rows: 1_000, seed: 7))
        let store = dir.sub("s.kuai")
        let r = try kuaiConvert(small, "-o", store, "--quiet")
        try #require(r.status == 0, "\(r)")
        let before = committedSnapshot(store)
        let answerBefore = try kuaiQuery(store, Self.clickQuery)
        try #require(answerBefore.status == 0 && answerBefore.out.contains("\n1000,"), "\(answerBefore)")
        let visible = dir.entries().filter { !$0.hasPrefix(".") }
        // Kill right after the temporary folder appears, then in the middle of writing blocks.
        for killAfter in [0, 2_000_000] {
            let killed = try Self.convertAndKill(big, store, in: dir, killAfterBytes: killAfter)
            #expect(
                killed,
                "kuai-convert finished before it could be killed (kill after \(killAfter) bytes); make the CSV bigger")
            #expect(
                committedSnapshot(store) == before,
                "the earlier store changed after kill -9 (kill after \(killAfter) bytes)")
            #expect(
                dir.entries().filter { !$0.hasPrefix(".") } == visible, "a new visible entry appeared: \(dir.entries())"
            )
            let q = try kuaiQuery(store, Self.clickQuery)
            #expect(q.status == 0 && q.out == answerBefore.out, "after kill -9: \(q)")
            let v = try kuaiConvert("--verify", store)
            #expect(v.status == 0, "after kill -9: \(v)")
        }
        #expect(
            uncommittedLeftovers(in: store).count >= 1,
            "the killed runs left no uncommitted generation (so the kill came too late?)")

        // 3. The next run succeeds and removes the dead runs' files.
        let again = try kuaiConvert(big, "-o", store, "--quiet")
        #expect(again.status == 0, "\(again)")
        #expect(leftoverTemporaries(in: dir.path).isEmpty, "left: \(leftoverTemporaries(in: dir.path))")
        #expect(uncommittedLeftovers(in: store).isEmpty, "left: \(uncommittedLeftovers(in: store))")
        let q = try kuaiQuery(store, "select count(*) as n from click")
        #expect(q.out == "n\n\(bigRows)\n", "\(q)")
        let v = try kuaiConvert("--verify", store)
        #expect(v.status == 0, "\(v)")
    }

    /// CSV of table t: `rows` rows a = i + shift, b = factor * i, c = a string.
    static func tableT(rows: Int, shift: Int, factor: Int) -> String {
        var s = "a,b,c\n"
        s.reserveCapacity(rows * 24)
        for i in 0..<rows { s += "\(i + shift),\(factor * i),k\(i % 13)\n" }
        return s
    }

    /// Two sources of table t with different row counts (two blocks vs one) and different column
    /// sums: a/t.csv and b/t.csv under `dir`; returns their paths.
    static func writeTwoSources(_ dir: TempDir) -> (String, String) {
        (
            dir.write("a/t.csv", tableT(rows: 100_000, shift: 0, factor: 2)),
            dir.write("b/t.csv", tableT(rows: 70_000, shift: 5, factor: 3))
        )
    }
    static let twoSourcesQuery = "select count(*) as n, sum(a) as sa, sum(b) as sb, count(distinct c) as k from t"
    /// `twoSourcesQuery` over the store of a/t.csv and of b/t.csv (sums of the arithmetic series).
    static let answerA = "n,sa,sb,k\n100000,4999950000,9999900000,13\n"
    static let answerB = "n,sa,sb,k\n70000,2450315000,7349895000,13\n"

    @Test func queriesDuringReplacementSeeOneStoreWhole() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (a, b) = Self.writeTwoSources(dir)
        let query = Self.twoSourcesQuery
        let (answerA, answerB) = (Self.answerA, Self.answerB)
        let store = dir.sub("s.kuai")
        let first = try kuaiConvert(a, "-o", store, "--quiet")
        try #require(first.status == 0, "\(first)")
        let start = try kuaiQuery(store, query)
        try #require(start.out == answerA, "\(start)")

        final class Flag: @unchecked Sendable {
            private let lock = NSLock()
            private var value = false
            private var failures: [String] = []
            var done: Bool { lock.withLock { value } }
            func finish() { lock.withLock { value = true } }
            func fail(_ s: String) { lock.withLock { failures.append(s) } }
            var problems: [String] { lock.withLock { failures } }
        }
        let flag = Flag()
        let replacements = 8
        let writer = Thread {
            for i in 0..<replacements {
                let r = (try? kuaiConvert(i % 2 == 0 ? b : a, "-o", store, "--quiet"))
                if r?.status != 0 { flag.fail("conversion \(i) failed: \(r.map { "\($0)" } ?? "spawn failed")") }
            }
            flag.finish()
        }
        writer.start()
        var seenA = 0
        var seenB = 0
        var retries = 0
        var other: [String] = []
        while !flag.done {
            let q = try kuaiQuery(store, query)
            if q.status == 0 && q.out == answerA {
                seenA += 1
            } else if q.status == 0 && q.out == answerB {
                seenB += 1
            } else if q.failedCleanly && q.err.contains("replaced") && q.err.contains("again") {
                retries += 1
            } else {
                other.append("\(q)")
            }
        }
        #expect(flag.problems.isEmpty, "\(flag.problems)")
        #expect(other.isEmpty, "answers that are neither store's: \(other.prefix(3))")
        #expect(seenA + seenB > 0)
        print(
            "concurrent replacement: \(replacements) replacements, \(seenA) answers of store A, \(seenB) of store B, \(retries) clean retries, \(other.count) other"
        )
        let end = try kuaiQuery(store, query)
        #expect(end.out == answerA, "\(end)")
        #expect(leftoverTemporaries(in: dir.path).isEmpty)
    }

    @Test func twoConversionsToOnePathAtOnce() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (a, b) = Self.writeTwoSources(dir)
        let query = Self.twoSourcesQuery
        let answers = [Self.answerA, Self.answerB]
        let store = dir.sub("s.kuai")
        for round in 0..<3 {
            // Round 0 starts with no store at the path; later rounds replace one.
            let results = ResultBox()
            let threads = [a, b].map { src in
                Thread {
                    results.add(
                        (try? kuaiConvert(src, "-o", store, "--quiet"))
                            ?? RunResult(status: -1, signaled: true, out: "", err: "spawn failed"))
                }
            }
            for t in threads { t.start() }
            while results.count < 2 { usleep(5_000) }
            for r in results.all {
                // Both may win in turn; a writer that finds the path taken by the other's rename
                // may fail, cleanly (exit 1, an io error), never by a signal.
                #expect(
                    !r.signaled && (r.status == 0 || (r.status == 1 && r.err.contains("io error"))),
                    "round \(round): \(r)")
            }
            #expect(results.all.contains { $0.status == 0 }, "round \(round): neither conversion succeeded")
            let q = try kuaiQuery(store, query)
            #expect(q.status == 0 && answers.contains(q.out), "round \(round): \(q)")
            let v = try kuaiConvert("--verify", store)
            #expect(v.status == 0, "round \(round): \(v)")
            #expect(
                leftoverTemporaries(in: dir.path).isEmpty, "round \(round): left \(leftoverTemporaries(in: dir.path))")
        }
    }
}

/// Results collected from several threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [RunResult] = []
    func add(_ r: RunResult) { lock.withLock { results.append(r) } }
    var count: Int { lock.withLock { results.count } }
    var all: [RunResult] { lock.withLock { results } }
}
