import Foundation
import KuaiCore

/// Expands the paths `read_parquet`, `FROM '...'` and kuai-convert accept (DuckDB's glob rules):
/// a file; a folder (every `*.parquet` file below it); or a pattern whose components may hold
/// `*`, `?` and `[...]` (fnmatch), with `**` matching any number of folders. Results are sorted.
public enum ParquetGlob {
    /// - Throws: `KuaiError.io` when nothing matches (naming the pattern).
    public static func expand(_ pattern: String) throws -> [String] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if !hasWildcard(pattern) {
            guard fm.fileExists(atPath: pattern, isDirectory: &isDir) else {
                throw KuaiError(.io, "no such file or folder", at: pattern)
            }
            if !isDir.boolValue { return [pattern] }
            return try expand((pattern.hasSuffix("/") ? pattern : pattern + "/") + "**/*.parquet")
        }
        let absolute = pattern.hasPrefix("/")
        let parts = pattern.split(separator: "/").map(String.init)
        var out: [String] = []
        walk(absolute ? "/" : "", parts[...], into: &out)
        out.sort()
        if out.isEmpty { throw KuaiError(.io, "no files match", at: pattern) }
        return out
    }

    /// True when `s` holds a glob wildcard (`*`, `?`, `[`).
    public static func hasWildcard(_ s: String) -> Bool { s.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    private static func walk(_ dir: String, _ parts: ArraySlice<String>, into out: inout [String]) {
        guard let part = parts.first else { return }
        let rest = parts.dropFirst()
        let fm = FileManager.default
        func join(_ name: String) -> String { dir.isEmpty ? name : dir.hasSuffix("/") ? dir + name : dir + "/" + name }
        if part == "**" {
            walk(dir, rest, into: &out)  // zero folders
            for name in (try? fm.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? [] where !name.hasPrefix(".")
            {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: join(name), isDirectory: &isDir), isDir.boolValue {
                    walk(join(name), parts, into: &out)
                }
            }
            return
        }
        // A plain component names one entry; a pattern, the entries of the folder it matches.
        let names =
            hasWildcard(part)
            ? ((try? fm.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []).sorted().filter {
                !$0.hasPrefix(".") && fnmatch(part, $0, 0) == 0
            } : [part]
        for name in names {
            let path = join(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            if rest.isEmpty {
                if !isDir.boolValue { out.append(path) }
            } else if isDir.boolValue {
                walk(path, rest, into: &out)
            }
        }
    }
}
