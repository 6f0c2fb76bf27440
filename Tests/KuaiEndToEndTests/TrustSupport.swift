import Foundation
import KuaiCore
import KuaiFormat
import Testing

// Helpers of the trust tests (issue 4): snapshot store folders byte for byte, write
// KuaiLive-shaped CSVs. Running the executables and temporary folders: KuaiTestSupport
// (`runTool`, `kuaiConvert`, `kuaiQuery`, `TempDir`).

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
