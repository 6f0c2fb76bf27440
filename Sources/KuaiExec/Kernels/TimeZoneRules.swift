import Foundation
import KuaiCore

#if canImport(Glibc)
    import Glibc
#endif

/// The UTC offsets of one time zone over time, as a table of transitions, so that rows convert
/// between UTC instants and wall-clock times without Foundation (a binary search per value).
///
/// The table is read once per zone from Foundation's `TimeZone` (ICU's bundled zone data, the data
/// DuckDB's ICU extension uses): every offset change from 1800-01-01 to 2400-01-01. Before the
/// first change the zone's earliest offset holds (local mean time, `+08:05:43` for Asia/Shanghai
/// as in DuckDB); an instant from 2400 on is moved back by whole 400-year Gregorian cycles
/// (146,097 days) into 2000...2400, where the zone's final yearly rule already applies.
///
/// Wall time to UTC follows ICU's default (DuckDB's `AT TIME ZONE` of a TIMESTAMP): a wall time
/// that happens twice (a DST fall-back) takes the later offset (standard time), a wall time that
/// is skipped (spring-forward) is read with the offset before the change (02:30 in New York on
/// 2025-03-09 is 07:30 UTC).
public final class TimeZoneRules: @unchecked Sendable {
    /// The zone's name as asked for, in the known spelling when it differs only in case
    /// (`Asia/Shanghai`, `UTC`).
    public let name: String
    /// UTC microseconds where each period starts; `utcStarts[0]` is `Int64.min`.
    @usableFromInline let utcStarts: [Int64]
    /// Wall-clock microseconds where each period starts (`utcStarts[i] + offsets[i]`).
    @usableFromInline let localStarts: [Int64]
    /// Each period's offset from UTC, in microseconds (east positive).
    @usableFromInline let offsets: [Int64]

    init(name: String, utcStarts: [Int64], offsets: [Int64]) {
        self.name = name
        self.utcStarts = utcStarts
        self.offsets = offsets
        self.localStarts = zip(utcStarts, offsets).map { $0 == Int64.min ? Int64.min : $0 &+ $1 }
    }

    /// A zone with one fixed offset (`seconds` east of UTC).
    public static func fixed(_ name: String, seconds: Int64) -> TimeZoneRules {
        TimeZoneRules(name: name, utcStarts: [Int64.min], offsets: [seconds * 1_000_000])
    }

    static let perDay: Int64 = 86_400_000_000
    /// 2400-01-01 00:00:00 in microseconds: the end of the transition table.
    @usableFromInline static let tableEnd: Int64 = CivilDate.days(year: 2400, month: 1, day: 1) * perDay
    /// One 400-year Gregorian cycle in microseconds.
    @usableFromInline static let cycle: Int64 = 146_097 * perDay

    /// `t` moved back by whole 400-year cycles to before `tableEnd`.
    @inlinable @inline(__always)
    static func fold(_ t: Int64) -> Int64 {
        guard t >= tableEnd else { return t }
        return t - ((t - tableEnd) / cycle + 1) * cycle
    }

    /// The last index `i` with `a[i] <= t` (`a[0]` is `Int64.min`, so there is one).
    @inlinable @inline(__always)
    static func lastStart(_ a: UnsafeBufferPointer<Int64>, _ t: Int64) -> Int {
        var lo = 0
        var hi = a.count
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if a[mid] <= t { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// True when the zone never changes its offset (UTC, `Etc/GMT-8`).
    public var isFixed: Bool { offsets.count == 1 }

    /// The offset from UTC, in microseconds, at the UTC instant `utc` (microseconds since 1970).
    @inlinable
    public func offset(utc: Int64) -> Int64 {
        if offsets.count == 1 { return offsets[0] }
        let t = TimeZoneRules.fold(utc)
        return utcStarts.withUnsafeBufferPointer { offsets[TimeZoneRules.lastStart($0, t)] }
    }

    /// The wall-clock time (microseconds since 1970-01-01 00:00:00 local) of the UTC instant `utc`.
    @inlinable
    public func local(utc: Int64) -> Int64 { utc &+ offset(utc: utc) }

    /// The UTC instant of the wall-clock time `local` (ICU's rule for repeated and skipped times,
    /// see the type's comment).
    @inlinable
    public func utc(local: Int64) -> Int64 {
        if offsets.count == 1 { return local &- offsets[0] }
        let t = TimeZoneRules.fold(local)
        return local &- localStarts.withUnsafeBufferPointer { offsets[TimeZoneRules.lastStart($0, t)] }
    }

    // MARK: - zones by name

    private static let lock = Mutex()
    nonisolated(unsafe) private static var cache: [String: TimeZoneRules] = [:]

    /// The zone called `name` as DuckDB's ICU accepts it: an IANA name (`Asia/Shanghai`, links such
    /// as `Asia/Calcutta`), `UTC`, `GMT+8`, abbreviations ICU knows (`EST`), any letter case; nil
    /// for an unknown name (DuckDB: `Unknown TimeZone 'name'!`). Read once per name and kept.
    public static func named(_ name: String) -> TimeZoneRules? {
        if let r = lock.withLock({ cache[name] }) { return r }
        guard let zone = foundationZone(name) else { return nil }
        // the known spelling of a name given in another case (`asia/shanghai` is `Asia/Shanghai`)
        let lower = name.lowercased()
        let known = TimeZone.knownTimeZoneIdentifiers.first { $0.lowercased() == lower }
        let rules = build(zone, name: known ?? name)
        lock.withLock { cache[name] = rules }
        return rules
    }

    /// Foundation's zone for `name`: exact, else a known identifier equal but for case, else the
    /// upper-cased name (`utc`, `est`, `gmt+8`).
    static func foundationZone(_ name: String) -> TimeZone? {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
        if let z = TimeZone(identifier: name) { return z }
        let lower = name.lowercased()
        if let id = TimeZone.knownTimeZoneIdentifiers.first(where: { $0.lowercased() == lower }) {
            return TimeZone(identifier: id)
        }
        return TimeZone(identifier: name.uppercased())
    }

    /// The transition table of `zone` from 1800 to 2400.
    static func build(_ zone: TimeZone, name: String) -> TimeZoneRules {
        let startSeconds = Double(CivilDate.days(year: 1800, month: 1, day: 1) * 86_400)
        let endSeconds = Double(tableEnd / 1_000_000)
        var day = Date(timeIntervalSince1970: startSeconds)
        var starts: [Int64] = [Int64.min]
        var offsets: [Int64] = [Int64(zone.secondsFromGMT(for: day)) * 1_000_000]
        while let next = zone.nextDaylightSavingTimeTransition(after: day), next.timeIntervalSince1970 < endSeconds,
            next > day
        {
            let o = Int64(zone.secondsFromGMT(for: next)) * 1_000_000
            if o != offsets[offsets.count - 1] {
                starts.append(Int64(next.timeIntervalSince1970.rounded()) * 1_000_000)
                offsets.append(o)
            }
            day = next
        }
        return TimeZoneRules(name: name, utcStarts: starts, offsets: offsets)
    }

    /// DuckDB's error for a zone name it does not know.
    public static func unknownZone(_ name: String) -> KuaiError {
        KuaiError(.execution, "Unknown TimeZone '\(name)'!")
    }
}

/// The session's `TimeZone` setting (DuckDB's `SET TimeZone = '...'`, `current_setting('TimeZone')`):
/// the zone TIMESTAMP WITH TIME ZONE values are shown, parsed and taken apart in.
///
/// It starts as the machine's zone, as DuckDB's: the `TZ` environment variable (a leading `:` and
/// a `/usr/share/zoneinfo/` prefix dropped), else the zone `/etc/localtime` links to, else the
/// name in `/etc/timezone`, else `UTC`. kuai keeps one setting per process (the CLI runs one
/// session); `SET TimeZone` changes it for every later statement.
public enum SessionTimeZone {
    private static let lock = Mutex()
    nonisolated(unsafe) private static var rules: TimeZoneRules?

    /// The current zone.
    public static var current: TimeZoneRules {
        if let r = lock.withLock({ rules }) { return r }
        let name = systemZoneName()
        let r = TimeZoneRules.named(name) ?? TimeZoneRules.fixed("UTC", seconds: 0)
        lock.withLock { if rules == nil { rules = r } }
        return lock.withLock { rules! }
    }

    /// Makes `name` the session's zone.
    /// - Throws: `KuaiError.execution` (DuckDB's `Unknown TimeZone 'x'!`) for a name ICU does not know.
    public static func set(_ name: String) throws {
        guard let r = TimeZoneRules.named(name) else { throw TimeZoneRules.unknownZone(name) }
        lock.withLock { rules = r }
    }

    /// The machine's zone name (see the type's comment).
    static func systemZoneName() -> String {
        func zoneinfoTail(_ path: String) -> String? {
            guard let r = path.range(of: "zoneinfo/") else { return nil }
            return String(path[r.upperBound...])
        }
        if let tz = getenv("TZ").map({ String(cString: $0) }), !tz.isEmpty {
            let name = tz.hasPrefix(":") ? String(tz.dropFirst()) : tz
            return zoneinfoTail(name) ?? name
        }
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/etc/localtime", &buf, buf.count - 1)
        if n > 0 {
            let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let name = zoneinfoTail(target) { return name }
        }
        if let text = try? String(contentsOfFile: "/etc/timezone", encoding: .utf8) {
            let name = text.split(whereSeparator: { $0 == "\n" || $0 == " " }).first.map(String.init) ?? ""
            if !name.isEmpty { return name }
        }
        return "UTC"
    }
}
