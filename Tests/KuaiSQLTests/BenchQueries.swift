// The analyst workload of ../shared/bench/queries (q01..q12), copied verbatim: every one must parse.

enum BenchQueries {
    static let all: [(name: String, sql: String)] = [
        (
            "q01_problem_rooms",
            """
            -- Rooms whose live lasted more than one day (the seed's "odd live_ids"), and how many clicks they carry.
            WITH odd AS (
              SELECT DISTINCT live_id FROM room WHERE end_timestamp - start_timestamp > 86400000
            )
            SELECT (SELECT count(*) FROM odd) AS odd_live_ids,
                   (SELECT count(*) FROM click WHERE live_id IN (SELECT live_id FROM odd)) AS clicks_in_odd_rooms,
                   (SELECT count(*) FROM click) AS clicks_total
            """
        ),
        (
            "q02_room_dedup",
            """
            -- One row per live_id: rows that share a live_id differ only in live_name_id.
            SELECT count(*) AS room_rows, count(DISTINCT live_id) AS live_ids,
                   sum(CASE WHEN rn > 1 THEN 1 ELSE 0 END) AS duplicate_rows
            FROM (SELECT live_id, row_number() OVER (PARTITION BY live_id ORDER BY live_name_id) AS rn FROM room) r
            """
        ),
        (
            "q03_composite_key",
            """
            -- The seed's composite key: rank of each exposure within (user_id, live_id) by time.
            SELECT rnk, count(*) AS n
            FROM (SELECT row_number() OVER (PARTITION BY user_id, live_id ORDER BY timestamp) AS rnk FROM negative) t
            GROUP BY rnk ORDER BY rnk LIMIT 10
            """
        ),
        (
            "q04_demographics",
            """
            -- 2.1 Demographics: users by gender and age band.
            SELECT gender, age, count(*) AS users
            FROM "user" GROUP BY gender, age ORDER BY gender, age
            """
        ),
        (
            "q05_streamer_popularity",
            """
            -- 2.2 Long-tail popularity: clicks per streamer, top 20 with their share of all clicks.
            SELECT streamer_id, count(*) AS clicks,
                   round(100.0 * count(*) / (SELECT count(*) FROM click), 3) AS pct_of_clicks
            FROM click GROUP BY streamer_id ORDER BY clicks DESC, streamer_id LIMIT 20
            """
        ),
        (
            "q06_hour_of_day",
            """
            -- 2.2/2.3 Time of activity: clicks and watch minutes by hour of day, China time (UTC+8).
            SELECT hour(epoch_ms(timestamp + 28800000)) AS hour_cn, count(*) AS clicks,
                   round(sum(watch_live_time) / 60000.0, 1) AS watch_minutes
            FROM click GROUP BY hour_cn ORDER BY hour_cn
            """
        ),
        (
            "q07_repeat_consumption",
            """
            -- 2.3 Repeat consumption: per user, clicks vs distinct streamers; distribution of the repeat ratio.
            SELECT CAST(floor(10 * (1 - CAST(streamers AS DOUBLE) / clicks)) AS INTEGER) AS repeat_decile, count(*) AS users
            FROM (SELECT user_id, count(*) AS clicks, count(DISTINCT streamer_id) AS streamers FROM click GROUP BY user_id) u
            GROUP BY repeat_decile ORDER BY repeat_decile
            """
        ),
        (
            "q08_retention",
            """
            -- 3.1 Retention: users by first active day (China time), share active again 1 and 7 days later.
            WITH days AS (
              SELECT DISTINCT user_id, (timestamp + 28800000) // 86400000 AS d FROM click
            ), first AS (
              SELECT user_id, min(d) AS d0 FROM days GROUP BY user_id
            )
            SELECT f.d0 - 20213 AS cohort_day, count(DISTINCT f.user_id) AS users,
                   count(DISTINCT CASE WHEN a.d = f.d0 + 1 THEN a.user_id END) AS d1,
                   count(DISTINCT CASE WHEN a.d = f.d0 + 7 THEN a.user_id END) AS d7
            FROM first f JOIN days a ON a.user_id = f.user_id
            GROUP BY f.d0 ORDER BY cohort_day
            """
        ),
        (
            "q09_ltv",
            """
            -- 3.2 LTV: gift revenue per paying user by age band and gender.
            SELECT u.age, u.gender, count(DISTINCT g.user_id) AS payers, sum(g.gift_price) AS revenue,
                   round(CAST(sum(g.gift_price) AS DOUBLE) / count(DISTINCT g.user_id), 2) AS revenue_per_payer
            FROM gift g JOIN "user" u ON u.user_id = g.user_id
            GROUP BY u.age, u.gender ORDER BY revenue DESC, u.age, u.gender
            """
        ),
        (
            "q10_ctr_funnel",
            """
            -- 3.3 CTR funnel by live content category: exposures (click + negative) -> clicks -> likes/comments -> gifts.
            WITH rooms AS (
              SELECT live_id, min(live_content_category) AS category FROM room GROUP BY live_id
            ), ev AS (
              SELECT live_id, 'click' AS kind FROM click
              UNION ALL SELECT live_id, 'negative' FROM negative
              UNION ALL SELECT live_id, 'like' FROM "like"
              UNION ALL SELECT live_id, 'comment' FROM comment
              UNION ALL SELECT live_id, 'gift' FROM gift
            )
            SELECT r.category,
                   sum(CASE WHEN kind IN ('click', 'negative') THEN 1 ELSE 0 END) AS exposures,
                   sum(CASE WHEN kind = 'click' THEN 1 ELSE 0 END) AS clicks,
                   sum(CASE WHEN kind IN ('like', 'comment') THEN 1 ELSE 0 END) AS engagements,
                   sum(CASE WHEN kind = 'gift' THEN 1 ELSE 0 END) AS gifts,
                   round(100.0 * sum(CASE WHEN kind = 'click' THEN 1 ELSE 0 END)
                         / sum(CASE WHEN kind IN ('click', 'negative') THEN 1 ELSE 0 END), 3) AS ctr_pct
            FROM ev JOIN rooms r ON r.live_id = ev.live_id
            GROUP BY r.category ORDER BY exposures DESC
            """
        ),
        (
            "q11_fact_table",
            """
            -- 1.4 The seed's big fact table: every interaction with user, streamer and room attributes; summarised.
            WITH rooms AS (
              SELECT live_id, min(live_content_category) AS category,
                     min(end_timestamp - start_timestamp) / 60000.0 AS live_minutes
              FROM room GROUP BY live_id
            ), ev AS (
              SELECT user_id, live_id, streamer_id, timestamp, 'click' AS kind FROM click
              UNION ALL SELECT user_id, live_id, streamer_id, timestamp, 'comment' FROM comment
              UNION ALL SELECT user_id, live_id, streamer_id, timestamp, 'gift' FROM gift
              UNION ALL SELECT user_id, live_id, streamer_id, timestamp, 'like' FROM "like"
              UNION ALL SELECT user_id, live_id, streamer_id, timestamp, 'negative' FROM negative
            )
            SELECT ev.kind, u.gender AS user_gender, s.live_operation_tag, r.category,
                   count(*) AS events, round(avg(r.live_minutes), 2) AS avg_live_minutes
            FROM ev
            LEFT JOIN "user" u ON u.user_id = ev.user_id
            LEFT JOIN streamer s ON s.streamer_id = ev.streamer_id
            LEFT JOIN rooms r ON r.live_id = ev.live_id
            GROUP BY ev.kind, u.gender, s.live_operation_tag, r.category
            ORDER BY events DESC, ev.kind, user_gender, s.live_operation_tag, r.category LIMIT 25
            """
        ),
        (
            "q12_filter_scan",
            """
            -- A selective scan: long watches in one evening hour of one day, China time.
            SELECT count(*) AS n, sum(watch_live_time) AS total_ms, max(watch_live_time) AS longest_ms
            FROM click
            WHERE timestamp >= 1747051200000 AND timestamp < 1747054800000 AND watch_live_time > 600000
            """
        ),
    ]
}
