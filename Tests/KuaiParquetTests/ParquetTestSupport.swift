import Foundation
import KuaiCore
import KuaiTestSupport
import Testing

@testable import KuaiParquet

/// Tests/Fixtures/parquet: files written by DuckDB, pyarrow and Polars (Tools/parquet_fixtures.py).
let fixtureDir = RepoPaths.root.appendingPathComponent("Tests/Fixtures/parquet").path

/// Fixture name -> its expected file (index.json).
let fixtureIndex: [String: String] = {
    let data = FileManager.default.contents(atPath: fixtureDir + "/index.json")!
    return try! JSONSerialization.jsonObject(with: data) as! [String: String]
}()

/// DuckDB's answer over a fixture: column names, DuckDB type names and canonical rows.
struct Expected {
    var columns: [String]
    var types: [String]
    var rows: [[Any]]

    init(fixture: String) throws {
        let file = fixtureDir + "/" + fixtureIndex[fixture]!
        let data = try #require(FileManager.default.contents(atPath: file))
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        columns = doc["columns"] as! [String]
        types = doc["types"] as! [String]
        rows = doc["rows"] as! [[Any]]
    }
}

/// Compares one kuai value with DuckDB's canonical JSON cell; nil when equal, else a message.
func mismatch(_ v: Value, _ e: Any) -> String? {
    switch (v, e) {
    case (.null, is NSNull): return nil
    case (.int(let a), let n as NSNumber): return a == n.int64Value ? nil : "\(a) != \(n)"
    case (.bool(let a), let n as NSNumber): return a == n.boolValue ? nil : "\(a) != \(n)"
    case (.double(let a), let s as String): return a == Double(s)! ? nil : "\(a) != \(s)"
    case (.string(let a), let s as String): return a == s ? nil : "'\(a)' != '\(s)'"
    default: return "\(v) vs \(e)"
    }
}
