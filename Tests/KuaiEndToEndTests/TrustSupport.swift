import Foundation
import KuaiCore
import KuaiFormat
import Testing

// Helpers of the trust tests (issue 4): run the built executables, make temporary folders,
// snapshot store folders byte for byte, write KuaiLive-shaped CSVs.
//
// The executables are found next to the test bundle: `swift build` and `swift test` put
// kuai-convert, kuai-query and kuaiPackageTests.xctest in the same build folder
// (.build/<triple>/debug). $KUAI_BIN_DIR overrides the folder.

enum TrustBin {
    /// The build folder holding the executables.
    static let dir: String = {
        if let d = ProcessInfo.processInfo.environment["KUAI_BIN_DIR"], !d.isEmpty { return d }
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((exe as NSString).deletingLastPathComponent)
        }
        candidates.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        candidates.append(Bundle.main.bundleURL.path)
        for c in candidates where FileManager.default.isExecutableFile(atPath: c + "/kuai-convert") { return c }
        return candidates.first ?? "."
    }()

    static let convert = dir + "/kuai-convert"
    static let query = dir + "/kuai-query"

    /// Fails the test (not skips it) when an executable is missing: the trust requirements must be
    /// proven on every run (Tools/test.sh and .ci/run build all products before testing).
    static func require(_ path: String) throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: path),
            "\(path) is not built: run `swift build` before `swift test` (Tools/test.sh does)")
    }
}

/// The outcome of one run of an executable.
struct RunResult: CustomStringConvertible {
    var status: Int32
    /// True when the process ended by a signal (a crash or a kill), `status` is then the signal.
    var signaled: Bool
    var out: String
    var err: String
    var description: String {
        "exit \(signaled ? "signal " : "")\(status)\nstdout: \(out.prefix(2000))\nstderr: \(err.prefix(2000))"
    }
    /// Exited (no signal) with a non-zero status.
    var failedCleanly: Bool { !signaled && status != 0 }
}

/// Runs `exe` with `args`, stdout and stderr captured through files (no pipe can fill up).
/// - Parameter timeout: seconds before the process is killed (the result is then `signaled`).
func runTool(_ exe: String, _ args: [String], env: [String: String] = [:], timeout: Double = 300) throws -> RunResult {
    let tmp = TrustDir(prefix: "kuai-run")
    defer { tmp.cleanup() }
    let outPath = tmp.path + "/out"
    let errPath = tmp.path + "/err"
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "KUAI_STORE")
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    let outHandle = FileHandle(forWritingAtPath: outPath)!
    let errHandle = FileHandle(forWritingAtPath: errPath)!
    p.standardOutput = outHandle
    p.standardError = errHandle
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning {
        if Date() > deadline { kill(p.processIdentifier, SIGKILL) }
        usleep(2_000)
    }
    p.waitUntilExit()
    try? outHandle.close()
    try? errHandle.close()
    let out = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
    let err = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
    return RunResult(status: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal, out: out, err: err)
}

/// kuai-convert with `args`.
func kuaiConvert(_ args: String...) throws -> RunResult { try runTool(TrustBin.convert, args) }

/// kuai-query over `store` with csv output.
func kuaiQuery(_ store: String, _ sql: String, _ extra: [String] = []) throws -> RunResult {
    try runTool(TrustBin.query, ["--store", store, "--format", "csv"] + extra + [sql])
}

/// A fresh temporary folder, removed by `cleanup()`.
struct TrustDir {
    let path: String
    init(prefix: String = "kuai-trust") {
        var template = Array(
            ((NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-XXXXXX")).utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!
        path = String(cString: p)
    }
    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
    func sub(_ name: String) -> String { path + "/" + name }

    /// Writes `bytes` to `name` (creating folders on the way) and returns its path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let p = sub(name)
        try? FileManager.default.createDirectory(
            atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String { write(name, bytes: Array(text.utf8)) }

    /// Names in the folder (including hidden ones), sorted.
    func entries() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// Every file and folder under `root` (relative path -> bytes; folders map to nil), for
/// byte-for-byte comparisons of a store before and after something that must not touch it.
func snapshot(_ root: String) -> [String: Data?] {
    var out: [String: Data?] = [:]
    guard let e = FileManager.default.enumerator(atPath: root) else { return out }
    while let rel = e.nextObject() as? String {
        var isDir: ObjCBool = false
        FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir)
        out[rel] = isDir.boolValue ? nil : (FileManager.default.contents(atPath: root + "/" + rel) ?? Data())
    }
    return out
}

/// Temporary store folders (".<name>.tmp-<pid>-<random>") left in `folder`.
func leftoverTemporaries(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
        $0.hasPrefix(".") && $0.contains(".tmp-")
    }
}

/// KuaiLive headers (../shared/kuailive/README.md).
enum KuaiLiveCSV {
    static let like = "user_id,live_id,streamer_id,timestamp\n"
    static let click = "user_id,live_id,streamer_id,timestamp,watch_live_time\n"
    static let room =
        "p_date,live_id,streamer_id,live_type,start_timestamp,end_timestamp,live_content_category,live_name_id\n"
    static let user =
        "user_id,age,gender,country,device_brand,device_price,reg_timestamp,fans_num,follow_num,first_watch_live_timestamp,accu_watch_live_cnt,accu_watch_live_duration,is_live_streamer,is_photo_author,onehot_feat0,onehot_feat1,onehot_feat2,onehot_feat3,onehot_feat4,onehot_feat5,onehot_feat6\n"
    static let userRow =
        "22733,18-23,M,China,DESKTOP,0,2023-05-03,0-10,10-100,2023-05-03,0-50000,0-1000000000,0,0,0,0,0,0,0,0,0\n"

    /// A click.csv of `rows` rows (deterministic, pseudo-random ids and times), about 42 bytes a row.
    static func click(rows: Int, seed: UInt64 = 1) -> [UInt8] {
        let header = Array(click.utf8)
        let capacity = header.count + rows * 56
        return [UInt8](unsafeUninitializedCapacity: capacity) { buf, count in
            var n = 0
            for b in header {
                buf[n] = b
                n += 1
            }
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            func put(_ v: Int64, _ sep: UInt8) {
                withUnsafeMutableBytes(of: &digits) { d in
                    var x = v
                    var k = 0
                    repeat {
                        d[k] = UInt8(48 + x % 10)
                        x /= 10
                        k += 1
                    } while x > 0
                    while k > 0 {
                        k -= 1
                        buf[n] = d[k]
                        n += 1
                    }
                }
                buf[n] = sep
                n += 1
            }
            var state = seed
            var t: Int64 = 1_746_374_400_022
            for i in 0..<rows {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let r = Int64(bitPattern: state >> 1)
                put(Int64(i % 24_000) + 1, 44)
                put(r % 12_000_000, 44)
                put((r >> 20) % 450_000, 44)
                t += (r >> 40) % 50
                put(t, 44)
                put((r >> 8) % 7_200_000, 10)
            }
            count = n
        }
    }
}
