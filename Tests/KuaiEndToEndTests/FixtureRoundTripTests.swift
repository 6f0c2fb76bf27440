import Foundation
import KuaiCore
import KuaiFormat
import KuaiIngest
import KuaiTestSupport
import Testing

// Every fixture of the corpus (real seed rows, the mini sample, the edge rows with NULLs and quoted
// fields) converts with Converter.convert, and every cell reads back from the store exactly as the
// CSV wrote it: the KuaiLive schema's types, NULL for an empty field. Needs no query engine, so it
// checks ingest + format on their own. The CSVs themselves are the oracle (KuaiLive values are
// written canonically: integers as digits, dates YYYY-MM-DD, strings verbatim).

@Suite("Fixtures convert and read back cell by cell")
struct FixtureRoundTripTests {
    /// KuaiLive column types as DuckDB infers them from the real files (Tools/oracle.py KUAILIVE).
    static let dateColumns: Set<String> = [
        "user.reg_timestamp", "user.first_watch_live_timestamp",
        "streamer.first_live_timestamp", "streamer.reg_timestamp",
    ]
    static let textColumns: Set<String> = [
        "user.age", "user.gender", "user.country", "user.device_brand", "user.device_price", "user.fans_num",
        "user.follow_num", "user.accu_watch_live_cnt", "user.accu_watch_live_duration",
        "streamer.gender", "streamer.age", "streamer.country", "streamer.device_brand", "streamer.device_price",
        "streamer.live_operation_tag", "streamer.fans_user_num", "streamer.fans_group_fans_num",
        "streamer.follow_user_num", "streamer.accu_live_cnt", "streamer.accu_live_duration",
        "streamer.accu_play_cnt", "streamer.accu_play_duration", "room.live_content_category",
    ]

    static func expectedType(_ table: String, _ column: String) -> DataType {
        let key = "\(table).\(column)"
        if dateColumns.contains(key) { return .date }
        if textColumns.contains(key) { return .varchar }
        return .bigint
    }

    @Test func dateFormatting() {
        #expect(UTCDates.text(0) == "1970-01-01")
        #expect(UTCDates.text(20_234) == "2025-05-26")
        #expect(UTCDates.text(19_782) == "2024-02-29")
        #expect(UTCDates.text(-1) == "1969-12-31")
    }

    @Test(arguments: ["seed", "mini", "edge"])
    func fixtureRoundTrip(_ fixture: String) throws {
        let src = corpusFixtures[fixture]!
        let store = try FixtureStores.shared.store(fixture)
        let csvs = try FileManager.default.contentsOfDirectory(atPath: src.path).filter { $0.hasSuffix(".csv") }
            .sorted()
        #expect(csvs.count == 8)
        #expect(Set(store.tableNames) == Set(csvs.map { String($0.dropLast(4)) }))
        for file in csvs {
            let name = String(file.dropLast(4))
            let text = try String(contentsOf: src.appendingPathComponent(file), encoding: .utf8)
            let rows = CSVCompare.parse(text)
            let header = rows[0]
            let data = rows.dropFirst()
            let table = try store.table(name)
            #expect(table.schema.map(\.name) == header, "\(name) column names")
            #expect(table.rowCount == data.count, "\(name) row count")
            for field in table.schema {
                let want = Self.expectedType(name, field.name)
                #expect(field.type == want, "\(name).\(field.name) is \(field.type), KuaiLive says \(want)")
            }
            var values = [[String?]](repeating: [], count: table.schema.count)
            for block in 0..<table.blockCount {
                for c in 0..<table.schema.count {
                    let col = try table.readColumn(c, block: block)
                    #expect(col.count == table.blockRowCount(block))
                    for i in 0..<col.count {
                        switch col.value(at: i) {
                        case .null: values[c].append(nil)
                        case .int(let v): values[c].append(col.type == .date ? UTCDates.text(v) : String(v))
                        case .hugeint(let v): values[c].append(String(v))
                        case .string(let s): values[c].append(s)
                        case .double(let d): values[c].append(String(d))
                        case .bool(let b): values[c].append(b ? "true" : "false")
                        }
                    }
                }
            }
            var mismatches = 0
            for (r, row) in data.enumerated() {
                for c in 0..<min(row.count, values.count) where r < values[c].count {
                    let want: String? = row[c].isEmpty ? nil : row[c]
                    if values[c][r] != want {
                        mismatches += 1
                        if mismatches <= 5 {
                            Issue.record(
                                "\(fixture)/\(file):\(r + 2) column \(header[c]): store has \(values[c][r] ?? "NULL"), CSV has \(want ?? "NULL")"
                            )
                        }
                    }
                }
            }
            #expect(mismatches == 0, "\(fixture)/\(file): \(mismatches) cells differ")
            for c in 0..<values.count {
                #expect(values[c].count == data.count, "\(name).\(header[c]) read \(values[c].count) rows")
            }
        }
    }

    /// Store.verify finds nothing wrong with a freshly converted fixture.
    @Test(arguments: ["seed", "mini", "edge", "big"])
    func freshStoreVerifies(_ fixture: String) throws {
        let store = try FixtureStores.shared.store(fixture)
        let problems = store.verify()
        #expect(problems.isEmpty, "\(problems)")
    }
}
