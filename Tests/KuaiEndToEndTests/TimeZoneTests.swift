import Foundation
import KuaiExec
import KuaiTestSupport
import Testing

/// The session time zone (`SET TimeZone`, the `TZ` variable) and TIMESTAMPTZ through a store and a
/// Parquet file. The zone setting is per process, so these run kuai-query as a user does; expected
/// text from DuckDB 2.0.1 (python `duckdb`, the same statements in one connection).
@Suite struct TimeZoneTests {
    func query(_ args: [String], env: [String: String] = [:]) throws -> RunResult {
        try runTool(.query, ["--store", try TerminalStore.store(), "--format", "csv"] + args, env: env)
    }

    /// After `SET TimeZone`, instants print, parse and split in that zone (hour, date_trunc, casts to
    /// DATE, strftime), and `SET timezone TO` takes another.
    @Test func setTimeZone() throws {
        let r = try query([
            "-c", "SET TimeZone = 'asia/shanghai'",
            "-c",
            "SELECT current_setting('TimeZone') z, TIMESTAMPTZ '2025-05-05 10:00:00' a, to_timestamp(0) b, hour(to_timestamp(0)) h, date_trunc('day', to_timestamp(0)) d, TIMESTAMP '2025-05-05 10:00:00'::TIMESTAMPTZ c, to_timestamp(0)::DATE e, strftime(to_timestamp(0), '%H:%M') f",
            "-c", "SET timezone TO 'America/New_York'",
            "-c",
            "SELECT to_timestamp(1741500000) a, TIMESTAMPTZ '1800-01-01 00:00:00' b, date_part('epoch', TIMESTAMPTZ '2025-01-01 00:00:00') e",
        ])
        #expect(r.status == 0, "\(r)")
        #expect(
            r.out == """
                z,a,b,h,d,c,e,f
                Asia/Shanghai,2025-05-05 10:00:00+08,1970-01-01 08:00:00+08,8,1970-01-01 00:00:00+08,2025-05-05 10:00:00+08,1970-01-01,08:00
                a,b,e
                2025-03-09 01:00:00-05,1800-01-01 00:00:00-04:56:02,1735707600.0

                """, "\(r)")
    }

    /// date_diff / date_sub in a part shorter than a day between an instant and a TIMESTAMP, DATE or string:
    /// the local side is the instant of its wall time in the session zone (DuckDB's implicit cast), not that
    /// wall time read as UTC (which was 8 hours off in Asia/Shanghai: 486 minutes for 6).
    @Test func elapsedDifferenceBesideLocalTime() throws {
        let r = try query([
            "-c", "SET TimeZone = 'Asia/Shanghai'",
            "-c",
            "SELECT date_sub('minute', to_timestamp(1748188440), TIMESTAMP '2025-05-26') a, date_diff('minute', to_timestamp(1748188440), TIMESTAMP '2025-05-26') b, date_sub('hour', TIMESTAMP '2025-05-25', to_timestamp(1748188440)) c, datediff('hour', to_timestamp(1748188440), '2025-05-26 10:00') d, date_diff('hour', DATE '2025-05-25', to_timestamp(1748188440)) e",
        ])
        #expect(r.status == 0, "\(r)")
        #expect(
            r.out == """
                a,b,c,d,e
                6,6,23,11,23

                """, "\(r)")
    }

    /// An unknown zone is DuckDB's error and leaves the setting as it was; other settings are refused.
    @Test func setErrors() throws {
        let bad = try query(["-c", "SET TimeZone = 'Foo/Bar'"])
        #expect(bad.status != 0 && bad.err.contains("Unknown TimeZone 'Foo/Bar'!"), "\(bad)")
        let other = try query(["-c", "SET threads = 3"])
        #expect(other.status != 0 && other.err.contains("unrecognized configuration parameter"), "\(other)")
    }

    /// The session zone starts as the `TZ` environment variable's, as DuckDB's.
    @Test func zoneFromEnvironment() throws {
        let r = try query(
            ["SELECT current_setting('TimeZone') z, TIMESTAMPTZ '2025-05-05 10:00:00+00'::VARCHAR v"],
            env: ["TZ": "Asia/Kolkata"])
        #expect(r.status == 0 && r.out == "z,v\nAsia/Kolkata,2025-05-05 15:30:00+05:30\n", "\(r)")
    }

    /// CREATE TABLE AS keeps TIMESTAMP WITH TIME ZONE (manifest id 14); COPY to Parquet writes
    /// TIMESTAMP(isAdjustedToUTC = true, MICROS) and reading it back gives the type again.
    @Test func storeAndParquetKeepTheType() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kuai-tz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("store").path
        let parquet = dir.appendingPathComponent("t.parquet").path
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let create = try runTool(
            .query,
            [
                "--store", store,
                "CREATE TABLE t AS SELECT to_timestamp(x) AS ts FROM (VALUES (0), (1.5e9), (NULL)) v(x)",
            ])
        #expect(create.status == 0, "\(create)")
        let manifest = try String(contentsOfFile: store + "/manifest.json", encoding: .utf8)
        #expect(manifest.contains("\"typeId\" : 14"))
        let r = try runTool(
            .query,
            [
                "--store", store, "--format", "csv",
                "-c", "SELECT ts, typeof(ts) t FROM t ORDER BY ts",
                "-c", "COPY (SELECT ts FROM t ORDER BY ts) TO '\(parquet)' (FORMAT parquet)",
                "-c", "SELECT ts, typeof(ts) t FROM read_parquet('\(parquet)') ORDER BY ts",
            ])
        let rows = """
            ts,t
            1970-01-01 00:00:00+00,TIMESTAMP WITH TIME ZONE
            2017-07-14 02:40:00+00,TIMESTAMP WITH TIME ZONE
            ,TIMESTAMP WITH TIME ZONE

            """
        #expect(r.status == 0 && r.out == rows + rows, "\(r)")
    }

    /// SUMMARIZE of a TIMESTAMPTZ column: min, max, avg and quartiles as instants (DuckDB 2.0.1's row).
    @Test func summarize() throws {
        let r = try query(["SUMMARIZE SELECT to_timestamp(x) AS ts FROM (VALUES (0), (1.5e9), (NULL), (2e9)) v(x)"])
        #expect(
            r.status == 0
                && r.out == """
                    column_name,column_type,min,max,approx_unique,avg,std,q25,q50,q75,count,null_percentage
                    ts,TIMESTAMP WITH TIME ZONE,1970-01-01 00:00:00+00,2033-05-18 03:33:20+00,3,2006-12-21 02:04:26.666667+00,,1981-11-19 06:40:00+00,2017-07-14 02:40:00+00,2029-06-01 09:20:00+00,4,25.00

                    """,
            "\(r)")
    }

    /// In a zone with DST (America/New_York, from `TZ`): date_diff and date_sub of hours count elapsed
    /// time across the spring-forward change, days and hours of the day follow the wall clock, and
    /// EXTRACT(epoch ...) is named as DuckDB names it.
    @Test func daylightSavingSession() throws {
        let sql =
            "SELECT date_diff('hour', TIMESTAMPTZ '2025-03-09 00:00:00', TIMESTAMPTZ '2025-03-09 05:00:00') AS dh, date_sub('hour', TIMESTAMPTZ '2025-03-09 00:30:00', TIMESTAMPTZ '2025-03-09 05:00:00') AS sh, date_diff('day', TIMESTAMPTZ '2025-03-08 12:00:00', TIMESTAMPTZ '2025-03-10 12:00:00') AS dd, hour(TIMESTAMPTZ '2025-11-02 06:30:00+00') AS h, date_trunc('day', TIMESTAMPTZ '2025-03-09 12:00:00') AS t, CAST(DATE '2025-03-09' AS TIMESTAMPTZ) AS c, extract(epoch FROM TIMESTAMPTZ '2025-05-05 02:00:00')"
        let r = try query([sql], env: ["TZ": "America/New_York"])
        #expect(
            r.status == 0
                && r.out == """
                    dh,sh,dd,h,t,c,"date_part('epoch', CAST('2025-05-05 02:00:00' AS TIMESTAMPTZ))"
                    4,3,2,1,2025-03-09 00:00:00-05,2025-03-09 00:00:00-05,1746424800.0

                    """,
            "\(r)")
    }

    /// Zone rules: DST gaps read with the offset before the change, repeated hours with the later
    /// offset (ICU's default), local mean time before the first change, years past 2400 folded.
    @Test func rules() throws {
        let ny = try #require(TimeZoneRules.named("America/New_York"))
        let hour: Int64 = 3_600_000_000
        let gap: Int64 = 1_741_487_400_000_000  // 2025-03-09 02:30:00 as a wall time (micros)
        #expect(ny.utc(local: gap) == gap + 5 * hour)
        let twice: Int64 = 1_762_047_000_000_000  // 2025-11-02 01:30:00
        #expect(ny.utc(local: twice) == twice + 5 * hour)
        #expect(ny.offset(utc: 1_751_371_200_000_000) == -4 * hour)  // 2025-07-01 12:00 UTC
        let shanghai = try #require(TimeZoneRules.named("asia/shanghai"))
        #expect(shanghai.name == "Asia/Shanghai")
        #expect(shanghai.offset(utc: -5_364_662_400_000_000) == 29_143_000_000)  // 1800: +08:05:43
        let berlin = try #require(TimeZoneRules.named("Europe/Berlin"))
        #expect(berlin.offset(utc: 16_740_907_200_000_000) == 2 * hour)  // 2500-07-01 12:00 UTC
        #expect(TimeZoneRules.named("Foo/Bar") == nil)
        #expect(TimeZoneRules.named("+08:00") == nil)
    }
}
