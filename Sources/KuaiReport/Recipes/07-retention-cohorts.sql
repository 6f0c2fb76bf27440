-- title: Retention: share of each day's new users active again, D0 to D14
-- chart: heatmap
-- x: day
-- x-label: days since the user's first click (China time)
-- y: cohort
-- y-label: cohort: day of first click (users in it)
-- value: rate_pct
-- value-label: users active again that day (% of the cohort)
-- tables: click
-- notes: A user is active on a day (China time) with at least one click. Each row is the users whose first
-- notes: click fell on that day; Dk is the share of them who clicked again k days later (D0 = 100%). Blank
-- notes: cells lie past the end of the logs.
WITH days AS (
    SELECT DISTINCT user_id, (timestamp + 28800000) // 86400000 AS d FROM click
), firsts AS (
    SELECT user_id, min(d) AS d0 FROM days GROUP BY user_id
), sizes AS (
    SELECT d0, count(*) AS users FROM firsts GROUP BY d0
), active AS (
    SELECT f.d0, a.d - f.d0 AS k, count(*) AS n
    FROM firsts f JOIN days a ON a.user_id = f.user_id
    WHERE a.d - f.d0 <= 14
    GROUP BY f.d0, a.d - f.d0
), cells AS (
    SELECT s.d0, s.users, k.k
    FROM sizes s
    CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14)) k(k)
    WHERE s.d0 + k.k <= (SELECT max(d) FROM days)
)
SELECT strftime(DATE '1970-01-01' + CAST(c.d0 AS INTEGER), '%m-%d') || ' (' || CAST(c.users AS VARCHAR) || ')' AS cohort,
       'D' || CAST(c.k AS VARCHAR) AS day,
       coalesce(a.n, 0) AS active_users,
       round(100.0 * coalesce(a.n, 0) / c.users, 1) AS rate_pct
FROM cells c
LEFT JOIN active a ON a.d0 = c.d0 AND a.k = c.k
ORDER BY c.d0, c.k
