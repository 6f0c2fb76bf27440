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

/// Files and folders of an uncommitted generation inside a store: `gen-*` folders the manifest does
/// not name, and `.manifest-*` files (Formats/column-file.md, "Generations and commits"). Readers never
/// look at them; the next writer removes them.
func uncommittedLeftovers(in store: String) -> [String] {
    let manifest = String(
        decoding: FileManager.default.contents(atPath: store + "/manifest.json") ?? Data(), as: UTF8.self)
    return ((try? FileManager.default.contentsOfDirectory(atPath: store)) ?? []).filter {
        ($0.hasPrefix("gen-") && !manifest.contains("\"" + $0 + "/")) || $0.hasPrefix(".manifest-")
    }.sorted()
}

/// `snapshot` of the committed store: without the writers' lock file and without an uncommitted
/// generation's files (what readers see).
func committedSnapshot(_ store: String) -> [String: Data?] {
    let skip = Set(uncommittedLeftovers(in: store))
    return snapshot(store).filter { key, _ in
        let top = String(key.split(separator: "/").first ?? "")
        return key != "write.lock" && !skip.contains(top)
    }
}

/// Temporary store folders (".<name>.tmp-<pid>-<random>") left in `folder`.
func leftoverTemporaries(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
        $0.hasPrefix(".") && $0.contains(".tmp-")
    }
}
