import Foundation
import KuaiCore
import KuaiFormat
import KuaiIngest
import KuaiTestSupport
import Testing

// Damaged CSVs through the converter (issue 4, "Bad CSV input"; a property-based complement of
// the fixed cases in TrustConvertTests). Seeds: the real seed rows and the edge fixture (every
// KuaiLive table) and a small CSV of inferred types. Each iteration damages one seed (bytes: flips,
// deletions, insertions of quotes, commas, CR, LF, NUL, BOM, extreme numbers, duplicated or cut
// lines) and converts it twice: with the default reader and with 61-byte chunks, 3-row batches
// and two workers (so every record boundary case lands on a chunk boundary somewhere). Properties:
//   - never a crash, and only KuaiError (.csv/.io/.usage);
//   - on error: no store at the path; both readers report the same error (same first bad row,
//     location and message) — "the first bad row stops the run" whatever the chunking;
//   - on success: the store verifies clean and both readers stored the same rows;
//   - with a reject file (skip mode): both readers store the same rows and reject the same lines.
// Short fixed-seed run in the suite; KUAI_FUZZ_ITERATIONS / KUAI_FUZZ_SEED for long runs.

@Suite("Fuzz: damaged CSVs through the converter")
struct FuzzCSVTests {
    /// (file name, bytes) of every seed CSV.
    static func seeds() -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        for folder in [RepoPaths.seedSample, RepoPaths.edge] {
            let dir = folder.path
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
            where name.hasSuffix(".csv") {
                out.append((name, [UInt8](FileManager.default.contents(atPath: dir + "/" + name) ?? Data())))
            }
        }
        out.append(
            (
                "notes.csv",
                Array(
                    "id,note,price,day\n1,\"a,b\",1.5,2025-05-05\n2,\"say \"\"hi\"\"\",-2,2025-05-06\n3,\"two\nlines\",,2024-02-29\n4,plain,1e3,\n"
                        .utf8)
            ))
        return out
    }

    /// CSV-aware damage.
    static func mutate(_ input: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let n = b.count
            let at = n == 0 ? 0 : Int.random(in: 0..<n, using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: if n > 0 { b[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng) }
            case 1: if n > 0 { b.remove(at: at) }
            case 2:
                b.insert(
                    contentsOf: Array(
                        rng.pick(["\"", ",", "\n", "\r", "\r\n", "\0", "\u{FEFF}", "\"\"", ",,", "\"\n\""]).utf8),
                    at: at)
            case 3:
                b.insert(
                    contentsOf: Array(
                        rng.pick([
                            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-0", "1e5",
                            "2025-02-30", "0000-00-00", "1.", "+7", " 7", "99999999999999999999999",
                        ]).utf8), at: at)
            case 4:  // duplicate a line
                if let nl = b[at...].firstIndex(of: 10), let start = b[..<at].lastIndex(of: 10) {
                    b.insert(contentsOf: Array(b[(start + 1)...nl]), at: start + 1)
                }
            case 5:  // cut the file
                b.removeLast(Int.random(in: 0...n, using: &rng))
            case 6: if n > 0 { b[at] = rng.pick([0x22, 0x2C, 0x0A, 0x0D, 0x00, 0xFF, 0xC3]) }
            case 7:  // delete a range
                let e = min(n, at + Int.random(in: 1...40, using: &rng))
                if at < e { b.removeSubrange(at..<e) }
            case 8:  // empty a field: remove the bytes between two commas
                if let c1 = b[at...].firstIndex(of: 44), let c2 = b[(c1 + 1)...].firstIndex(of: 44), c2 > c1 + 1 {
                    b.removeSubrange((c1 + 1)..<c2)
                }
            default: b.append(contentsOf: Array(rng.pick(["\n", "1,2,3\n", "\"", ",\n", "\n\n"]).utf8))
            }
        }
        return b
    }

    enum Outcome: Equatable {
        case failed(kind: String, location: String?, message: String)
        /// Column names, then every value of every column as text.
        case stored(columns: [String], values: [[String]], rejects: [String])
    }

    /// Converts `csv` into a fresh store with `options`; checks the invariants of either outcome.
    static func convert(_ csv: String, in dir: TempDir, tag: String, options: ConvertOptions) -> Outcome {
        let store = dir.sub("store-\(tag)")
        do {
            _ = try Converter.convert(sources: [csv], to: store, options: options)
        } catch let e as KuaiError {
            #expect([.csv, .io, .usage].contains(e.kind), "\(e)")
            #expect(!FileManager.default.fileExists(atPath: store), "a store was written despite \(e)")
            #expect(leftoverTemporaries(in: dir.path).isEmpty)
            return .failed(kind: e.kind.rawValue, location: e.location, message: e.message)
        } catch {
            Issue.record("non-KuaiError \(error)")
            return .failed(kind: "?", location: nil, message: "\(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: store) }
        do {
            let s = try Store.open(at: store)
            let problems = s.verify()
            #expect(problems.isEmpty, "a converted store does not verify: \(problems)")
            let t = s.tables[0]
            var values: [[String]] = []
            for c in 0..<t.schema.count {
                var col: [String] = []
                for b in 0..<t.blockCount {
                    let column = try t.readColumn(c, block: b)
                    for i in 0..<column.count { col.append("\(column.value(at: i))") }
                }
                values.append(col)
            }
            let rejects = options.rejectFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            return .stored(
                columns: t.schema.map { "\($0.name) \($0.type)" }, values: values,
                rejects: rejects.split(separator: "\n").map(String.init))
        } catch {
            Issue.record("reading back a converted store failed: \(error)")
            return .failed(kind: "?", location: nil, message: "\(error)")
        }
    }

    @Test func mutatedCSVsGiveTheSameOutcomeAtAnyChunkSize() throws {
        let seeds = Self.seeds()
        try #require(seeds.count >= 9)
        var rng = SplitMix64(seed: FuzzSettings.seed(21))
        var inputs = 0
        var failedSame = 0
        var storedSame = 0
        var skipMode = 0
        var kinds: [String: Int] = [:]
        let started = Date()
        let iterations = FuzzSettings.iterations(150)
        for i in 0..<iterations {
            let (name, bytes) = rng.pick(seeds)
            let damaged = Self.mutate(bytes, using: &rng)
            let dir = TempDir(prefix: "kuai-fuzz-csv")
            defer { dir.cleanup() }
            let csv = dir.write(name, bytes: damaged)
            let skip = rng.chance(30)
            var plain = ConvertOptions(rejectFile: skip ? dir.sub("rejects-a.txt") : nil)
            plain.csv.workers = 2
            var tiny = ConvertOptions(rejectFile: skip ? dir.sub("rejects-b.txt") : nil)
            tiny.csv.chunkBytes = 61
            tiny.csv.batchRows = 3
            tiny.csv.workers = 2
            tiny.csv.sampleRows = 20_000
            let a = Self.convert(csv, in: dir, tag: "a", options: plain)
            let b = Self.convert(csv, in: dir, tag: "b", options: tiny)
            inputs += 1
            if skip { skipMode += 1 }
            #expect(
                a == b,
                "#\(i) \(name) (skip \(skip)): default reader \(a), 61-byte chunks \(b); input \(String(decoding: damaged.prefix(400), as: UTF8.self).debugDescription)"
            )
            switch a {
            case .failed(let kind, _, _):
                kinds[kind, default: 0] += 1
                if a == b { failedSame += 1 }
            case .stored:
                if a == b { storedSame += 1 }
            }
        }
        let k = kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print(
            "CSV fuzz: \(inputs) damaged CSVs (\(skipMode) with a reject file), \(storedSame) stored the same rows at both chunkings, \(failedSame) failed the same way (\(k)); no crash (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)"
        )
    }
}
