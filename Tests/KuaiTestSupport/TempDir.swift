import Foundation

/// A fresh temporary folder (`mkdtemp` under $TMPDIR), removed by `cleanup()`.
///
/// Usage: `let dir = TempDir(); defer { dir.cleanup() }`.
public struct TempDir: Sendable {
    /// The folder's absolute path.
    public let path: String

    /// Creates `$TMPDIR/<prefix>-XXXXXX`.
    public init(prefix: String = "kuai-test") {
        var template = Array(
            ((NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-XXXXXX")).utf8CString)
        let p = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!
        path = String(cString: p)
    }

    /// Removes the folder and everything in it.
    public func cleanup() { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `name` inside the folder (which need not exist).
    public func sub(_ name: String) -> String { path + "/" + name }

    /// Writes `bytes` to `name` (creating folders on the way) and returns its path.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) -> String {
        let p = sub(name)
        try? FileManager.default.createDirectory(
            atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    /// Writes `text` (UTF-8) to `name` and returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) -> String { write(name, bytes: Array(text.utf8)) }

    /// Names in the folder (including hidden ones), sorted.
    public func entries() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// The whole file at `path` (the test fails with a trap when it cannot be read).
public func readBytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path)!) }

/// Writes `bytes` to `path`, replacing the file.
public func writeBytes(_ path: String, _ bytes: [UInt8]) {
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
}
