import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiFormat

// Seeded random mutation of column files and manifests (issue 4, "Must show" 2).
//
// A small store with every logical type, nulls, a dictionary, two blocks and an empty table is
// written once; each iteration damages one file with a few random mutations (flip bits, truncate,
// extend, splice a range from elsewhere, zero a range, overwrite with random bytes, copy the
// same-named file of another table) and reads the whole store back. Properties:
//
// - raw damage: the store must throw `KuaiError` on open, on reading a block or in `verify()`:
//   every byte of a column file is covered by a checksum or a cross-check, so ANY change to the
//   bytes is detected; it must never crash and never return rows (the original rows are the oracle).
// - resealed damage: the same, but the tail's footer checksum and the manifest's `bytes` and
//   `footerChecksum` are recomputed, so the damage reaches the footer and block-index parser: every
//   read must give the original rows exactly or throw `KuaiError`.
// - forged payloads: bytes inside one block's stored payload change and that block's checksum is
//   recomputed (in the block header and its footer copy) and the footer resealed, so garbage reaches
//   the LZ4 decoder and the integer/dictionary/validity decoders: every read must throw `KuaiError`
//   or return a column of the right type and row count (the bytes are "valid", so rows may differ).
// - manifest damage: manifest.json bytes and numbers are mutated: open and every read must throw
//   `KuaiError` or give exactly the original rows of the column file the (damaged) entry names
//   (a splice may rename, merge or drop entries: JSON with duplicate keys is still JSON).
//
// The suite runs a short fixed-seed run; `KUAI_FUZZ_ITERATIONS=N` (and optionally
// `KUAI_FUZZ_SEED=S`) runs N iterations of each property instead (Tools/fuzz.sh).

/// Triage: with `KUAI_FUZZ_KEEP=<iteration>` the damaged input of that iteration is written to
/// `$TMPDIR/kuai-fuzz-keep-<iteration>-<name>`.
func keepIfAsked(_ iteration: Int, _ name: String, _ bytes: [UInt8]) {
    guard let k = ProcessInfo.processInfo.environment["KUAI_FUZZ_KEEP"], Int(k) == iteration else { return }
    let path = (NSTemporaryDirectory() as NSString).appendingPathComponent(
        "kuai-fuzz-keep-\(iteration)-" + name.replacingOccurrences(of: "/", with: "_"))
    writeBytes(path, bytes)
    print("kept \(path)")
}

/// The fixture store and everything the properties need to know about it.
final class FuzzStore {
    let dir: TempDir
    let path: String
    /// Relative column-file paths ("small/c_bigint.col") with their table and column index.
    var files: [(rel: String, table: String, column: Int)] = []
    /// Original bytes of every column file and of the manifest.
    var original: [String: [UInt8]] = [:]
    var manifest: [UInt8] = []
    /// The original decoded blocks of every column file: relative path -> block index -> column.
    var blocks: [String: [Column]] = [:]
    var tableOrder: [String] = []

    init() throws {
        dir = TempDir()
        path = dir.sub("store")
        var rng = SplitMix64(seed: 42)
        // Table "small": every type, nulls, one block.
        let n = 300
        func maybeNull<T>(_ v: T, _ p: Int) -> T? { Int.random(in: 0..<100, using: &rng) < p ? nil : v }
        var ids: [Int64?] = []
        var ts: [Int64?] = []
        var small: [Int64?] = []
        var dbl: [Double?] = []
        var str: [String?] = []
        var dates: [Int64?] = []
        var bools: [Int64?] = []
        var ints: [Int64?] = []
        var t: Int64 = 1_746_374_400_022
        let words = ["18-23", "24-30", "M", "F", "shop", "other", "", "a,b", "中文", "x\"y"]
        for _ in 0..<n {
            ids.append(maybeNull(Int64.random(in: 1...9_000_000_000, using: &rng), 10))
            t += Int64.random(in: 0...5000, using: &rng)
            ts.append(t)
            small.append(maybeNull(Int64.random(in: -124...2, using: &rng), 5))
            dbl.append(maybeNull(Double.random(in: -1e6...1e6, using: &rng), 20))
            str.append(maybeNull(words.randomElement(using: &rng)!, 15))
            dates.append(maybeNull(Int64.random(in: 19_000...20_300, using: &rng), 5))
            bools.append(maybeNull(Int64.random(in: 0...1, using: &rng), 30))
            ints.append(Int64.random(in: Int64(Int32.min)...Int64(Int32.max), using: &rng))
        }
        let smallSchema: Schema = [
            Field("c_bigint", .bigint), Field("c_ts", .bigint), Field("c_small", .bigint), Field("c_double", .double),
            Field("c_varchar", .varchar), Field("c_date", .date), Field("c_bool", .boolean), Field("c_int", .integer),
            Field("c_null", .varchar), Field("c_const", .bigint), Field("c_time", .timestamp),
        ]
        let smallCols: [Column] = [
            intCol(ids), intCol(ts), intCol(small), dblCol(dbl),
            Column(strings: str), intCol(dates, type: .date), intCol(bools, type: .boolean),
            intCol(ints, type: .integer),
            Column.nulls(.varchar, count: n), intCol(Array(repeating: 7, count: n)),
            intCol(ts.map { $0.map { $0 * 1000 } }, type: .timestamp),
        ]
        // Table "multi": two blocks (65,536 + 300 rows).
        let m = FormatConstants.blockRows + 300
        let mids = Column(
            type: .bigint, ints: (0..<m).map { Int64($0) * 3 - 1000 }, validity: (0..<m).map { $0 % 97 == 0 ? 0 : 1 })
        let mstr = Column(
            codes: (0..<m).map { Int32($0 % 37) }, dictionary: StringDictionary((0..<37).map { "v\($0)" }),
            validity: (0..<m).map { $0 % 11 == 0 ? 0 : 1 })
        try writeStore(
            path,
            [
                TableSpec(name: "small", schema: smallSchema, batches: [Batch(columns: smallCols, count: n)]),
                TableSpec(
                    name: "multi", schema: [Field("c_bigint", .bigint), Field("c_varchar", .varchar)],
                    batches: [Batch(columns: [mids, mstr], count: m)]),
                TableSpec(
                    name: "empty", schema: [Field("c_bigint", .bigint), Field("c_varchar", .varchar)], batches: []),
            ])
        let store = try Store.open(at: path)
        for table in store.tables {
            tableOrder.append(table.name)
            for c in 0..<table.schema.count {
                let rel = table.columnFilePath(c)
                blocks[rel] = try (0..<table.blockCount).map { try table.readColumn(c, block: $0) }
                files.append((rel, table.name, c))
                original[rel] = readBytes(path + "/" + rel)
            }
        }
        manifest = readBytes(path + "/" + FormatConstants.manifestName)
    }

    deinit { dir.cleanup() }

    /// Replaces a file by write + rename, so a mapping of the old file (if any) is never truncated.
    /// Plain write(2), no fsync (Foundation's atomic write syncs, which costs ~30 ms on a busy disk).
    func replace(_ rel: String, _ bytes: [UInt8]) {
        let full = path + "/" + rel
        let fd = open(full + ".new", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot write \(full).new")
        bytes.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = write(fd, b.baseAddress! + off, b.count - off)
                precondition(n > 0, "write failed")
                off += n
            }
        }
        close(fd)
        rename(full + ".new", full)
    }

    func restore(_ rel: String) {
        replace(rel, original[rel]!)
        replace(FormatConstants.manifestName, manifest)
    }

    /// Puts `bytes` in place of column file `file`, reads the store back (`readBack`, rows must be
    /// the original ones), adds the outcome to `tally` and restores the file and the manifest.
    /// Bytes equal to the original file are only counted as unchanged (nil).
    func damageAndReadBack(
        _ file: (rel: String, table: String, column: Int), _ bytes: [UInt8], into tally: inout FuzzTally,
        context: @autoclosure () -> String
    ) -> ReadOutcome? {
        defer { restore(file.rel) }
        if bytes == original[file.rel]! {
            tally.unchanged += 1
            return nil
        }
        replace(file.rel, bytes)
        let outcome = readBack(self, only: (file.table, file.column), allowDifferentRows: false, context: context())
        tally.add(outcome)
        return outcome
    }
}

/// Random damage to a byte array.
enum Mutator {
    static func mutate(_ input: [UInt8], others: [[UInt8]], using rng: inout SplitMix64) -> [UInt8] {
        var b = input
        let steps = Int.random(in: 1...3, using: &rng)
        for _ in 0..<steps {
            let n = b.count
            switch Int.random(in: 0..<9, using: &rng) {
            case 0, 1:  // flip one bit
                if n > 0 { b[Int.random(in: 0..<n, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng) }
            case 2:  // set one byte to a random or boundary value
                if n > 0 {
                    b[Int.random(in: 0..<n, using: &rng)] = [
                        0, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &rng),
                    ].randomElement(using: &rng)!
                }
            case 3:  // truncate
                b.removeLast(
                    Int.random(
                        in: 0...min(n, n < 64 ? n : [1, 8, 32, 200, n / 2, n].randomElement(using: &rng)!), using: &rng)
                )
            case 4:  // zero a range
                if n > 0 {
                    let s = Int.random(in: 0..<n, using: &rng)
                    let e = min(n, s + Int.random(in: 1...64, using: &rng))
                    for i in s..<e { b[i] = 0 }
                }
            case 5:  // overwrite a range with random bytes
                if n > 0 {
                    let s = Int.random(in: 0..<n, using: &rng)
                    let e = min(n, s + Int.random(in: 1...16, using: &rng))
                    for i in s..<e { b[i] = UInt8.random(in: 0...255, using: &rng) }
                }
            case 6:  // splice: copy a range of this or another file over a range of this one
                let src = Bool.random(using: &rng) || others.isEmpty ? b : others.randomElement(using: &rng)!
                if n > 0, !src.isEmpty {
                    let len = Int.random(in: 1...min(256, src.count), using: &rng)
                    let from = Int.random(in: 0...(src.count - len), using: &rng)
                    let to = Int.random(in: 0..<n, using: &rng)
                    for i in 0..<len where to + i < n { b[to + i] = src[from + i] }
                }
            case 7:  // insert or append bytes
                let extra = (0..<Int.random(in: 1...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng)
                }
                b.insert(contentsOf: extra, at: Bool.random(using: &rng) ? n : Int.random(in: 0...n, using: &rng))
            default:  // write a little-endian boundary integer (sizes, counts, offsets)
                let v: UInt64 = [0, 1, 0xFFFF_FFFF, 0x7FFF_FFFF, UInt64.max, 1 << 63, 65_536, 65_537, UInt64(n)]
                    .randomElement(using: &rng)!
                let w = [2, 4, 8].randomElement(using: &rng)!
                if n >= w {
                    let at = Int.random(in: 0...(n - w), using: &rng)
                    for i in 0..<w { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
                }
            }
        }
        return b
    }
}

/// What reading the damaged store gave.
enum ReadOutcome {
    /// Every block read back as in the original (and `verify()` found nothing).
    case identical
    /// A `KuaiError` on open, on a read or from `verify()` (message kept for the summary).
    case detected(KuaiError)
}

/// True when two decoded blocks hold the same rows (both come from the same reader, which zeroes
/// the slots of NULL rows, so the arrays compare directly; doubles compare bit for bit).
func sameColumn(_ a: Column, _ b: Column) -> Bool {
    guard a.type == b.type, a.count == b.count, a.validity == b.validity, a.ints == b.ints, a.codes == b.codes,
        a.doubles.count == b.doubles.count
    else { return false }
    let d = a.doubles.withUnsafeBytes { x in
        b.doubles.withUnsafeBytes { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
    }
    return d && a.dictionary?.values == b.dictionary?.values
}

/// Opens the store at `path` and reads every block of the columns chosen by `only` (all when nil),
/// with zone maps and block info, comparing with the original rows of the file each manifest
/// entry names (a damaged manifest may rename or drop entries, but rows must always be exactly
/// those of the named file); when nothing failed, `verify()` decides. Records a test issue for a
/// non-KuaiError error and, unless `allowDifferentRows`, for rows that differ without an error.
func readBack(
    _ fs: FuzzStore, only: (table: String, column: Int)? = nil, allowDifferentRows: Bool,
    context: @autoclosure () -> String
) -> ReadOutcome {
    let store: Store
    do { store = try Store.open(at: fs.path) } catch let e as KuaiError { return .detected(e) } catch {
        Issue.record("\(context()): open threw a non-KuaiError \(error)")
        return .detected(KuaiError(.io, "\(error)"))
    }
    var firstError: KuaiError? = nil
    for table in store.tables {
        if let only, table.name != only.table { continue }
        for c in 0..<table.schema.count {
            if let only, c != only.column { continue }
            let want: [Column]? = fs.blocks[table.columnFilePath(c)]
            // (No original for the file named: any block returned is wrong; zero blocks are not.)
            var differs = want == nil ? table.blockCount > 0 : want!.count != table.blockCount
            var failed = false
            for b in 0..<table.blockCount {
                _ = table.zoneMap(column: c, block: b)
                _ = try? table.blockInfo(column: c, block: b)
                do {
                    let col = try table.readColumn(c, block: b)
                    if col.count != table.blockRowCount(b) || col.type != table.schema[c].type {
                        Issue.record(
                            "\(context()): \(table.name).\(c) block \(b) has \(col.count) rows of \(col.type), expected \(table.blockRowCount(b)) of \(table.schema[c].type)"
                        )
                    }
                    _ = col.nullCount
                    if !differs, !sameColumn(col, want![b]) { differs = true }
                } catch let e as KuaiError {
                    firstError = firstError ?? e
                    failed = true
                    break
                } catch {
                    Issue.record("\(context()): read threw a non-KuaiError \(error)")
                    failed = true
                    break
                }
            }
            if !failed && differs && !allowDifferentRows {
                Issue.record("\(context()): WRONG ROWS from \(table.name) column \(c) with no error")
            }
        }
    }
    if let e = firstError { return .detected(e) }
    if allowDifferentRows { return .identical }
    if let e = store.verify().first { return .detected(e) }
    return .identical
}

/// Counts of a fuzz run, printed at the end (the long run's figures go into the report).
struct FuzzTally: CustomStringConvertible {
    var name: String
    /// What an input that gave no error means for this property.
    var okLabel = "read back identical"
    var inputs = 0
    var unchanged = 0
    var detected = 0
    var identical = 0
    var kinds: [String: Int] = [:]
    let started = DispatchTime.now().uptimeNanoseconds
    mutating func add(_ o: ReadOutcome) {
        inputs += 1
        switch o {
        case .identical: identical += 1
        case .detected(let e):
            detected += 1
            kinds[e.kind.rawValue, default: 0] += 1
        }
    }
    var description: String {
        let k = kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return
            "\(name): \(inputs) inputs, \(detected) errors (\(k)), \(identical) \(okLabel), \(unchanged) mutations were no-ops; no crash (\(String(format: "%.1f", Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)) s)"
    }
}

@Suite("Fuzz: damaged column files and manifests")
struct FuzzColumnFileTests {

    /// Recomputes the tail's footer checksum (when the tail still locates a footer) and the
    /// manifest's `bytes` and `footerChecksum` of column file `rel`.
    static func reseal(_ fs: FuzzStore, _ rel: String, _ bytes: inout [UInt8]) throws {
        let n = bytes.count
        var sum = POSIX.random64()
        if n >= FormatConstants.tailSize {
            let tail = n - FormatConstants.tailSize
            let fo = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: tail, as: UInt64.self) }
            let fl = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: tail + 8, as: UInt64.self) }
            if fo <= UInt64(tail), fl == UInt64(tail) - fo {
                sum = bytes.withUnsafeBytes { XXH64.hash($0.baseAddress! + Int(fo), Int(fl)) }
                withUnsafeBytes(of: sum.littleEndian) { for i in 0..<8 { bytes[tail + 16 + i] = $0[i] } }
            }
        }
        var m = try Manifest.decode(fs.manifest, at: "manifest.json")
        for t in m.tables.indices {
            for s in m.tables[t].segments.indices {
                for c in m.tables[t].segments[s].files.indices where m.tables[t].segments[s].files[c].file == rel {
                    m.tables[t].segments[s].files[c].bytes = n
                    m.tables[t].segments[s].files[c].footerChecksum = POSIX.hex(sum)
                }
            }
        }
        fs.replace(FormatConstants.manifestName, try m.encoded())
    }

    /// `FuzzSettings.iterations(100)` mutations drawn from `seed`: each picks one of the store's files
    /// and mutates its original bytes (`Mutator`, the other files as material); `body` gets the
    /// iteration number, the file, its original bytes and the mutated ones.
    static func forEachMutation(
        of fs: FuzzStore, seed: UInt64,
        _ body: (Int, (rel: String, table: String, column: Int), [UInt8], inout [UInt8]) throws -> Void
    ) rethrows {
        var rng = SplitMix64(seed: FuzzSettings.seed(seed))
        let all = fs.files.map { fs.original[$0.rel]! }
        for i in 0..<FuzzSettings.iterations(100) {
            // Small files more often: the two-block files cost more to read.
            let f = fs.files[Int.random(in: 0..<fs.files.count, using: &rng)]
            let orig = fs.original[f.rel]!
            var bytes = Mutator.mutate(orig, others: all, using: &rng)
            try body(i, f, orig, &bytes)
        }
    }

    @Test func rawDamageIsAlwaysDetected() throws {
        let fs = try FuzzStore()
        var tally = FuzzTally(name: "column files, raw damage")
        Self.forEachMutation(of: fs, seed: 1) { i, f, orig, bytes in
            if bytes != orig { keepIfAsked(i, f.rel, bytes) }
            if case .identical = fs.damageAndReadBack(f, bytes, into: &tally, context: "raw #\(i) \(f.rel)") {
                Issue.record("raw #\(i): damage to \(f.rel) went unnoticed (rows identical, verify clean)")
            }
        }
        print(tally)
        #expect(tally.inputs > 0)
    }

    @Test func resealedDamageGivesOriginalRowsOrAnError() throws {
        let fs = try FuzzStore()
        var tally = FuzzTally(name: "column files, resealed damage")
        try Self.forEachMutation(of: fs, seed: 2) { i, f, _, bytes in
            try Self.reseal(fs, f.rel, &bytes)
            // Damage only to the tail's footer checksum is undone by resealing (counted as unchanged).
            _ = fs.damageAndReadBack(f, bytes, into: &tally, context: "resealed #\(i) \(f.rel)")
        }
        print(tally)
        #expect(tally.inputs > 0)
    }

    /// Every byte of small column files flipped, one at a time: raw, the flip is always detected;
    /// resealed (footer and manifest checksums recomputed), it is detected too — no byte of the
    /// format goes unchecked (the tail's footer checksum itself is rewritten by resealing).
    /// The suite sweeps a VARCHAR file (header, blocks, footer, dictionary); a long run every one-block file.
    @Test func everyByteFlipIsDetected() throws {
        let fs = try FuzzStore()
        let long = ProcessInfo.processInfo.environment["KUAI_FUZZ_ITERATIONS"] != nil
        var tally = FuzzTally(name: "every byte flipped (raw and resealed)")
        for f in fs.files where f.table != "multi" && (long || f.rel == "small/c_varchar.col") {
            let orig = fs.original[f.rel]!
            for i in 0..<orig.count {
                for reseal in [false, true] {
                    var bytes = orig
                    bytes[i] ^= 0x01
                    if reseal { try Self.reseal(fs, f.rel, &bytes) }
                    let o = fs.damageAndReadBack(f, bytes, into: &tally, context: "\(f.rel)@\(i) resealed \(reseal)")
                    if case .identical = o {
                        Issue.record("a flipped byte at \(f.rel)@\(i) (resealed \(reseal)) went unnoticed")
                    }
                }
            }
        }
        print(tally)
        #expect(tally.inputs > 0)
    }

    /// Block payload offsets and sizes of a valid column file (from its footer).
    static func blocks(_ bytes: [UInt8]) -> [(header: Int, payload: Int, stored: Int, footerCopy: Int)] {
        typealias C = FormatConstants
        return bytes.withUnsafeBytes { p in
            let base = p.baseAddress!
            let tail = bytes.count - C.tailSize
            let fo = Int(ColumnFile.u64(base, tail))
            let count = Int(ColumnFile.u32(base, fo + 4))
            return (0..<count).map { b in
                let e = fo + C.footerFixedSize + b * C.blockIndexEntrySize
                let h = Int(ColumnFile.u64(base, e))
                return (h, h + C.blockHeaderSize, Int(ColumnFile.u32(base, e + 8 + C.bhStoredSize)), e + 8)
            }
        }
    }

    /// Writes into block `blk` of `bytes` (its header and its footer copy) the checksum its payload
    /// and header now have: XXH3 (XXH64 in a block without flag bit 3) of the payload, seeded with
    /// XXH64 of header bytes 0..<40.
    static func forgeChecksum(_ bytes: inout [UInt8], _ blk: (header: Int, payload: Int, stored: Int, footerCopy: Int))
    {
        typealias C = FormatConstants
        let sum = bytes.withUnsafeBytes { p -> UInt64 in
            let head = XXH64.hash(p.baseAddress! + blk.header, C.bhChecksum)
            return p[blk.header + C.bhFlags] & C.blockFlagXXH3 != 0
                ? XXH3.hash(p.baseAddress! + blk.payload, blk.stored, seed: head)
                : XXH64.hash(p.baseAddress! + blk.payload, blk.stored, seed: head)
        }
        withUnsafeBytes(of: sum.littleEndian) {
            for k in 0..<8 {
                bytes[blk.header + C.bhChecksum + k] = $0[k]
                bytes[blk.footerCopy + C.bhChecksum + k] = $0[k]
            }
        }
    }

    /// Every block of the files written before XXH3 block checksums (flag bit 3 clear, the block
    /// checksum XXH64) reads back as written, and a damaged payload in such a block is still caught.
    @Test func blocksWithXXH64ChecksumsStillRead() throws {
        typealias C = FormatConstants
        let fs = try FuzzStore()
        var damagedOne = false
        for f in fs.files {
            var bytes = fs.original[f.rel]!
            let blocks = Self.blocks(bytes)
            for blk in blocks {
                #expect(bytes[blk.header + C.bhFlags] & C.blockFlagXXH3 != 0, "\(f.rel): a new block without XXH3")
                bytes[blk.header + C.bhFlags] &= ~C.blockFlagXXH3
                bytes[blk.footerCopy + C.bhFlags] &= ~C.blockFlagXXH3
                Self.forgeChecksum(&bytes, blk)
            }
            try Self.reseal(fs, f.rel, &bytes)
            fs.replace(f.rel, bytes)
            if case .detected(let e) = readBack(
                fs, only: (f.table, f.column), allowDifferentRows: false, context: f.rel)
            {
                Issue.record("\(f.rel) with XXH64 block checksums: \(e)")
            }
            if let blk = blocks.first(where: { $0.stored > 0 }) {
                bytes[blk.payload] ^= 0x40
                fs.replace(f.rel, bytes)
                guard
                    case .detected(let e) = readBack(
                        fs, only: (f.table, f.column), allowDifferentRows: true, context: f.rel)
                else {
                    Issue.record("\(f.rel): a damaged XXH64-checked payload read without an error")
                    continue
                }
                #expect(e.kind == .corrupt, "\(f.rel): \(e)")
                damagedOne = true
            }
            fs.restore(f.rel)
        }
        #expect(damagedOne)
    }

    @Test func forgedPayloadsNeverCrash() throws {
        typealias C = FormatConstants
        let fs = try FuzzStore()
        var rng = SplitMix64(seed: FuzzSettings.seed(3))
        var tally = FuzzTally(
            name: "column files, forged payloads (checksums recomputed)", okLabel: "decoded to other valid rows")
        let candidates = fs.files.filter { !Self.blocks(fs.original[$0.rel]!).isEmpty }
        for i in 0..<FuzzSettings.iterations(100) {
            let f = candidates[Int.random(in: 0..<candidates.count, using: &rng)]
            var bytes = fs.original[f.rel]!
            let blocks = Self.blocks(bytes)
            let blk = blocks[Int.random(in: 0..<blocks.count, using: &rng)]
            guard blk.stored > 0 else { continue }
            // Damage only the payload, keeping its length, so the file's structure stays valid.
            let payload = Array(bytes[blk.payload..<(blk.payload + blk.stored)])
            var damaged = Mutator.mutate(payload, others: [], using: &rng)
            if damaged.count > payload.count { damaged.removeLast(damaged.count - payload.count) }
            while damaged.count < payload.count { damaged.append(UInt8.random(in: 0...255, using: &rng)) }
            if damaged == payload {
                tally.unchanged += 1
                continue
            }
            bytes.replaceSubrange(blk.payload..<(blk.payload + blk.stored), with: damaged)
            Self.forgeChecksum(&bytes, blk)
            try Self.reseal(fs, f.rel, &bytes)
            fs.replace(f.rel, bytes)
            tally.add(
                readBack(fs, only: (f.table, f.column), allowDifferentRows: true, context: "forged #\(i) \(f.rel)"))
            fs.restore(f.rel)
        }
        print(tally)
        #expect(tally.inputs > 0)
    }

    /// The runs of digits (with a leading '-') in the manifest text.
    static func numberRuns(_ m: [UInt8]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var i = 0
        while i < m.count {
            if (m[i] >= 0x30 && m[i] <= 0x39) || m[i] == 0x2D {
                let s = i
                i += 1
                while i < m.count && m[i] >= 0x30 && m[i] <= 0x39 { i += 1 }
                runs.append(s..<i)
            } else {
                i += 1
            }
        }
        return runs
    }

    /// Manifest text damage: byte mutations, and numbers replaced by extreme values.
    static func mutateManifest(_ m: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        if Bool.random(using: &rng) { return Mutator.mutate(m, others: [], using: &rng) }
        // Replace one run of digits (with its sign) by an extreme number.
        guard let r = numberRuns(m).randomElement(using: &rng) else { return m }
        let values = [
            "0", "-1", "1", "65535", "65536", "65537", "2147483647", "4294967296", "9223372036854775807",
            "-9223372036854775808", "9223372036854775808", "1e308", "0.5", "255", "256", "16777216", "16777217",
            "\(Int.random(in: -1_000_000...1_000_000, using: &rng))",
        ]
        var out = m
        out.replaceSubrange(r, with: Array(values.randomElement(using: &rng)!.utf8))
        return out
    }

    @Test func manifestDamageGivesOriginalRowsOrAnError() throws {
        let fs = try FuzzStore()
        var rng = SplitMix64(seed: FuzzSettings.seed(4))
        var tally = FuzzTally(name: "manifest damage")
        for i in 0..<FuzzSettings.iterations(100) {
            let bytes = Self.mutateManifest(fs.manifest, using: &rng)
            if bytes == fs.manifest {
                tally.unchanged += 1
                continue
            }
            keepIfAsked(i, "manifest.json", bytes)
            fs.replace(FormatConstants.manifestName, bytes)
            tally.add(readBack(fs, allowDifferentRows: false, context: "manifest #\(i)"))
            fs.replace(FormatConstants.manifestName, fs.manifest)
        }
        print(tally)
        #expect(tally.inputs > 0)
    }

    /// Every number of the manifest (row counts, block counts, sizes, type ids, null counts,
    /// dictionary sizes, block rows, format version, the date) replaced by each extreme value.
    @Test func manifestNumberSweep() throws {
        let fs = try FuzzStore()
        let long = ProcessInfo.processInfo.environment["KUAI_FUZZ_ITERATIONS"] != nil
        let extremes =
            long
            ? ["9223372036854775807", "-9223372036854775808", "-1", "0", "4294967296", "18446744073709551616", "1e308"]
            : ["9223372036854775807", "-1", "1e308"]
        var tally = FuzzTally(name: "manifest numbers, every number x \(extremes.count) extremes")
        for r in Self.numberRuns(fs.manifest) {
            for v in extremes {
                var bytes = fs.manifest
                bytes.replaceSubrange(r, with: Array(v.utf8))
                fs.replace(FormatConstants.manifestName, bytes)
                let text = String(decoding: fs.manifest[max(0, r.lowerBound - 30)..<r.upperBound], as: UTF8.self)
                tally.add(readBack(fs, allowDifferentRows: false, context: "manifest \(text.debugDescription) -> \(v)"))
            }
        }
        fs.replace(FormatConstants.manifestName, fs.manifest)
        print(tally)
        #expect(tally.inputs > 0)
    }

    @Test func blockDecoderOnRandomPayloadsNeverCrashes() throws {
        var rng = SplitMix64(seed: FuzzSettings.seed(5))
        var decoded = 0
        var rejected = 0
        let iterations = FuzzSettings.iterations(100) * 4
        for _ in 0..<iterations {
            let rows = [1, 2, 7, 63, 64, 65, 1000, Int.random(in: 1...5000, using: &rng)].randomElement(using: &rng)!
            let encoding = UInt8.random(in: 0...5, using: &rng)
            let bits = Int.random(in: 0...70, using: &rng)
            let natural: Int
            switch encoding {
            case FormatConstants.encodingFORBitPack:
                natural = FormatConstants.forPrefixSize + BitPacking.packedBytes(count: rows, bits: min(bits, 64))
            case FormatConstants.encodingDeltaBitPack:
                natural = FormatConstants.deltaPrefixSize + BitPacking.packedBytes(count: rows - 1, bits: min(bits, 64))
            default: natural = FormatConstants.forPrefixSize + rows * [1, 2, 4, 8].randomElement(using: &rng)!
            }
            let size = max(0, natural + [0, 0, 0, -1, 1, -8, 8, -natural].randomElement(using: &rng)!)
            var buf = (0..<max(size, 1)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if size >= 17 {
                buf[8] = UInt8(truncatingIfNeeded: bits)
                buf[16] = UInt8(truncatingIfNeeded: bits)
            }
            let out = UnsafeMutablePointer<Int64>.allocate(capacity: rows)
            defer { out.deallocate() }
            do {
                try buf.withUnsafeBytes {
                    try BlockDecoder.decodeInts($0.baseAddress!, size: size, encoding: encoding, rows: rows, into: out)
                }
                decoded += 1
            } catch { rejected += 1 }
            // Validity bitmaps of every shape.
            let bm = FormatConstants.paddedBitmapBytes(rows)
            let bitmap = (0..<bm).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? bitmap.withUnsafeBytes {
                try BlockDecoder.readValidity(
                    $0.baseAddress!, rows: rows, nullCount: Int.random(in: 0...rows, using: &rng))
            }
        }
        print("block decoder: \(iterations) random payloads, \(decoded) decoded, \(rejected) rejected; no crash")
        #expect(decoded + rejected == iterations)
    }
}
