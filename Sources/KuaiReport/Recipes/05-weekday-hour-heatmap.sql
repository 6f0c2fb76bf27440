-- title: Clicks by day of week and hour (China time)
-- chart: heatmap
-- x: hour_cn
-- x-label: hour of day, China time (UTC+8)
-- y: weekday
-- y-label: day of week
-- value: clicks_per_day
-- value-label: clicks per day (mean of the weekday's 3 days)
-- tables: click
-- notes: Clicks in each hour of each weekday, divided by 3: the 21 days of the logs hold each weekday
-- notes: three times. The ISO weekday (1 = Monday) of a China-time day number d is (d + 3) % 7 + 1.
WITH counts AS (
    SELECT ((timestamp + 28800000) // 86400000 + 3) % 7 + 1 AS dow, hour(epoch_ms(timestamp + 28800000)) AS hour_cn,
           count(*) AS n
    FROM click GROUP BY dow, hour_cn
), days AS (
    SELECT * FROM (VALUES (1, 'Mon'), (2, 'Tue'), (3, 'Wed'), (4, 'Thu'), (5, 'Fri'), (6, 'Sat'), (7, 'Sun'))
        d(dow, weekday)
)
SELECT d.weekday, h.hour_cn, coalesce(n.n, 0) AS clicks, round(coalesce(n.n, 0) / 3.0, 1) AS clicks_per_day
FROM days d
CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16), (17), (18), (19), (20), (21), (22), (23)) h(hour_cn)
LEFT JOIN counts n ON n.dow = d.dow AND n.hour_cn = h.hour_cn
ORDER BY d.dow, h.hour_cn
