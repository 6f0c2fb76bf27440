-- title: Activity by day of week (China time)
-- chart: bars
-- x: weekday
-- x-label: day of week, China time (UTC+8)
-- series: activity
-- y: pct_of_activity
-- y-label: share of the activity's events (%)
-- tables: room, click, comment, like, gift
-- notes: The 21 days of the logs (2025-05-05 to 2025-05-25) hold each weekday three times. Each colour
-- notes: sums to 100% over the week. The ISO weekday (1 = Monday) of a China-time day number d (days since
-- notes: 1970-01-01, a Thursday) is (d + 3) % 7 + 1.
WITH counts AS (
    SELECT 'rooms started' AS activity, ((start_timestamp + 28800000) // 86400000 + 3) % 7 + 1 AS dow, count(*) AS n
    FROM room GROUP BY dow
    UNION ALL
    SELECT 'clicks', ((timestamp + 28800000) // 86400000 + 3) % 7 + 1 AS dow, count(*) FROM click GROUP BY dow
    UNION ALL
    SELECT 'comments', ((timestamp + 28800000) // 86400000 + 3) % 7 + 1 AS dow, count(*) FROM comment GROUP BY dow
    UNION ALL
    SELECT 'likes', ((timestamp + 28800000) // 86400000 + 3) % 7 + 1 AS dow, count(*) FROM "like" GROUP BY dow
    UNION ALL
    SELECT 'gifts', ((timestamp + 28800000) // 86400000 + 3) % 7 + 1 AS dow, count(*) FROM gift GROUP BY dow
), days AS (
    SELECT * FROM (VALUES (1, 'Mon'), (2, 'Tue'), (3, 'Wed'), (4, 'Thu'), (5, 'Fri'), (6, 'Sat'), (7, 'Sun'))
        d(dow, weekday)
), cells AS (
    SELECT a.activity, d.dow, d.weekday FROM (SELECT DISTINCT activity FROM counts) a CROSS JOIN days d
)
SELECT c.weekday,
       c.activity,
       coalesce(n.n, 0) AS events,
       round(100.0 * coalesce(n.n, 0) / sum(coalesce(n.n, 0)) OVER (PARTITION BY c.activity), 2) AS pct_of_activity
FROM cells c
LEFT JOIN counts n ON n.activity = c.activity AND n.dow = c.dow
ORDER BY c.dow,
         CASE c.activity WHEN 'rooms started' THEN 1 WHEN 'clicks' THEN 2 WHEN 'comments' THEN 3
                         WHEN 'likes' THEN 4 ELSE 5 END
