import KuaiCore

/// The column names and types of the eight KuaiLive tables (../shared/kuailive/README.md).
///
/// The types are the ones DuckDB 2.0.1's `read_csv` sniffs on these files, so that a query gives
/// the same answer over the store as over the CSVs:
/// - every integer column is BIGINT: ids, epoch-millisecond timestamps, `p_date` (YYYYMMDD as a
///   number), `live_type`, `live_name_id`, `gift_price`, `watch_live_time`, `is_live_streamer`,
///   `is_photo_author`, `onehot_feat0`...`onehot_feat6`;
/// - `user.reg_timestamp`, `user.first_watch_live_timestamp`, `streamer.first_live_timestamp` and
///   `streamer.reg_timestamp` are DATE (written YYYY-MM-DD);
/// - every other column (bands such as `10-100`, labels such as `M`, `China`, `shop`) is VARCHAR.
///
/// A CSV whose file name (without `.csv`) is one of these table names must have exactly this
/// header; any other CSV gets inferred types (`TypeInference`).
public enum KuaiLiveSchema {
    private static let events: Schema = [
        Field("user_id", .bigint), Field("live_id", .bigint), Field("streamer_id", .bigint),
        Field("timestamp", .bigint),
    ]

    private static let onehot: Schema = (0...6).map { Field("onehot_feat\($0)", .bigint) }

    /// Table name -> schema, for the eight KuaiLive tables.
    public static let tables: [String: Schema] = [
        "user": [
            Field("user_id", .bigint), Field("age", .varchar), Field("gender", .varchar), Field("country", .varchar),
            Field("device_brand", .varchar), Field("device_price", .varchar), Field("reg_timestamp", .date),
            Field("fans_num", .varchar), Field("follow_num", .varchar), Field("first_watch_live_timestamp", .date),
            Field("accu_watch_live_cnt", .varchar), Field("accu_watch_live_duration", .varchar),
            Field("is_live_streamer", .bigint), Field("is_photo_author", .bigint),
        ] + onehot,
        "streamer": [
            Field("streamer_id", .bigint), Field("gender", .varchar), Field("age", .varchar),
            Field("country", .varchar),
            Field("device_brand", .varchar), Field("device_price", .varchar), Field("live_operation_tag", .varchar),
            Field("fans_user_num", .varchar), Field("fans_group_fans_num", .varchar),
            Field("follow_user_num", .varchar),
            Field("first_live_timestamp", .date), Field("accu_live_cnt", .varchar),
            Field("accu_live_duration", .varchar),
            Field("accu_play_cnt", .varchar), Field("accu_play_duration", .varchar), Field("reg_timestamp", .date),
        ] + onehot,
        "room": [
            Field("p_date", .bigint), Field("live_id", .bigint), Field("streamer_id", .bigint),
            Field("live_type", .bigint),
            Field("start_timestamp", .bigint), Field("end_timestamp", .bigint),
            Field("live_content_category", .varchar),
            Field("live_name_id", .bigint),
        ],
        "click": events + [Field("watch_live_time", .bigint)],
        "comment": events,
        "like": events,
        "gift": events + [Field("gift_price", .bigint)],
        "negative": events,
    ]

    /// The KuaiLive table names in the order kuai writes them when they come from one folder.
    public static let tableOrder = ["user", "streamer", "room", "click", "comment", "like", "gift", "negative"]

    /// The schema of KuaiLive table `name` (exact, case-sensitive), or nil for any other name.
    public static func schema(for name: String) -> Schema? { tables[name] }

    /// Checks a header line against the known schema.
    /// - Returns: nil when it matches; otherwise the 1-based column of the first difference and
    ///   the reason.
    static func headerMismatch(_ names: [String], expected: Schema) -> (column: Int, reason: String)? {
        for (i, f) in expected.enumerated() {
            if i >= names.count {
                return (
                    i + 1,
                    "header of KuaiLive table has \(names.count) columns, expected \(expected.count): missing column '\(f.name)'"
                )
            }
            if names[i] != f.name {
                return (
                    i + 1,
                    "header does not match the KuaiLive table: expected column \(i + 1) to be '\(f.name)', found '\(names[i])'"
                )
            }
        }
        if names.count > expected.count {
            return (
                expected.count + 1,
                "header of KuaiLive table has \(names.count) columns, expected \(expected.count): unexpected column '\(names[expected.count])'"
            )
        }
        return nil
    }
}
