-- title: Activity by hour of day (China time)
-- chart: lines
-- x: hour_cn
-- x-label: hour of day, China time (UTC+8)
-- series: activity
-- y: pct_of_activity
-- y-label: share of the activity's events (%)
-- tables: room, click, comment, like, gift
-- notes: Each line is one kind of event spread over the 24 hours of the day (China time = epoch
-- notes: milliseconds + 8 hours); it sums to 100%. Rooms started is when streamers go live.
WITH counts AS (
    SELECT 'rooms started' AS activity, hour(epoch_ms(start_timestamp + 28800000)) AS hour_cn, count(*) AS n
    FROM room GROUP BY hour_cn
    UNION ALL
    SELECT 'clicks', hour(epoch_ms(timestamp + 28800000)) AS hour_cn, count(*) FROM click GROUP BY hour_cn
    UNION ALL
    SELECT 'comments', hour(epoch_ms(timestamp + 28800000)) AS hour_cn, count(*) FROM comment GROUP BY hour_cn
    UNION ALL
    SELECT 'likes', hour(epoch_ms(timestamp + 28800000)) AS hour_cn, count(*) FROM "like" GROUP BY hour_cn
    UNION ALL
    SELECT 'gifts', hour(epoch_ms(timestamp + 28800000)) AS hour_cn, count(*) FROM gift GROUP BY hour_cn
), cells AS (
    SELECT a.activity, h.hour_cn
    FROM (SELECT DISTINCT activity FROM counts) a
    CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16), (17), (18), (19), (20), (21), (22), (23)) h(hour_cn)
)
SELECT c.hour_cn,
       c.activity,
       coalesce(n.n, 0) AS events,
       round(100.0 * coalesce(n.n, 0) / sum(coalesce(n.n, 0)) OVER (PARTITION BY c.activity), 2) AS pct_of_activity
FROM cells c
LEFT JOIN counts n ON n.activity = c.activity AND n.hour_cn = c.hour_cn
ORDER BY c.hour_cn,
         CASE c.activity WHEN 'rooms started' THEN 1 WHEN 'clicks' THEN 2 WHEN 'comments' THEN 3
                         WHEN 'likes' THEN 4 ELSE 5 END
