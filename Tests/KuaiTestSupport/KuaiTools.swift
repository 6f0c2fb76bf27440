import Foundation
import Testing

// Running the built executables (kuai-convert, kuai-query, kuai-report) from a test.
//
// They are found next to the test bundle: `swift build --build-tests` and `swift test` put
// the executables and kuaiPackageTests.xctest in the same build folder
// (.build/<triple>/debug). $KUAI_BIN_DIR overrides the folder.
//
// One policy for a missing executable: the test fails (it is not skipped) with a message saying
// how to build it, because what these tests prove (exit codes, messages, kill -9, damaged stores)
// must be proven on every run; Tools/test.sh and .ci/run build every product before testing.

/// One of the package's executables.
public enum KuaiTool: String, Sendable, CaseIterable {
    case convert = "kuai-convert"
    case query = "kuai-query"
    case report = "kuai-report"

    /// The build folder holding the executables: $KUAI_BIN_DIR, else the first of the test
    /// process's own folder, argv[0]'s folder and the main bundle's folder that holds kuai-convert.
    public static let folder: String = {
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

    /// The executable's path; fails the test (`#require`) when it is not built there.
    public func path() throws -> String {
        let p = Self.folder + "/" + rawValue
        try #require(
            FileManager.default.isExecutableFile(atPath: p),
            "\(p) is not built: run `swift build --build-tests` before `swift test --skip-build` (Tools/test.sh does)")
        return p
    }

    /// A started process of this tool with `args` (stdin, stdout and stderr to /dev/null unless
    /// `stderr` is given); the caller waits for it or kills it.
    public func start(_ args: [String], stderr: FileHandle = .nullDevice) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try path())
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = stderr
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }
}

/// The outcome of one run of an executable.
public struct RunResult: CustomStringConvertible, Sendable {
    /// The exit status, or the signal when `signaled`.
    public var status: Int32
    /// True when the process ended by a signal (a crash or a kill).
    public var signaled: Bool
    public var out: String
    public var err: String

    public init(status: Int32, signaled: Bool, out: String, err: String) {
        self.status = status
        self.signaled = signaled
        self.out = out
        self.err = err
    }

    public var description: String {
        "exit \(signaled ? "signal " : "")\(status)\nstdout: \(out.prefix(2000))\nstderr: \(err.prefix(2000))"
    }
    /// Exited (no signal) with a non-zero status.
    public var failedCleanly: Bool { !signaled && status != 0 }
}

/// Runs `tool` with `args`, stdout and stderr captured through files (no pipe can fill up), with
/// $KUAI_STORE removed from the environment and `env` added.
/// - Parameter timeout: seconds before the process is killed (the result is then `signaled`).
/// - Throws: a test failure when the tool is not built; an error when it cannot be started.
public func runTool(
    _ tool: KuaiTool, _ args: [String], env: [String: String] = [:], timeout: Double = 300
) throws -> RunResult {
    try runTool(try tool.path(), args, env: env, timeout: timeout)
}

/// Runs the executable at `exe` (any program, e.g. /bin/bash) as `runTool(_:_:env:timeout:)` runs
/// a kuai tool.
public func runTool(
    _ exe: String, _ args: [String], env: [String: String] = [:], timeout: Double = 300
) throws -> RunResult {
    let tmp = TempDir(prefix: "kuai-run")
    defer { tmp.cleanup() }
    let outPath = tmp.sub("out")
    let errPath = tmp.sub("err")
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
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
public func kuaiConvert(_ args: String...) throws -> RunResult { try runTool(.convert, args) }

/// Converts the seed sample (`RepoPaths.seedSample`) into a new store at `store` (kuai-convert --quiet).
/// - Throws: a test failure when kuai-convert does not exit 0.
public func convertSeedSample(to store: String) throws {
    let r = try kuaiConvert(RepoPaths.seedSample.path, "-o", store, "--quiet")
    try #require(r.status == 0, "\(r)")
}

/// Runs `body` with a fresh temporary folder and the path of a store in it converted from the seed
/// sample (`convertSeedSample`); the folder is removed afterwards.
public func withSeedStore<T>(_ body: (_ dir: TempDir, _ store: String) throws -> T) throws -> T {
    let dir = TempDir()
    defer { dir.cleanup() }
    let store = dir.sub("s.kuai")
    try convertSeedSample(to: store)
    return try body(dir, store)
}

/// kuai-query over `store` with CSV output, `extra` options and `sql`.
public func kuaiQuery(_ store: String, _ sql: String, _ extra: [String] = []) throws -> RunResult {
    try runTool(.query, ["--store", store, "--format", "csv"] + extra + [sql])
}
