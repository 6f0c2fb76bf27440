-- title: Lifetime value: cumulative gift revenue per user by age band
-- chart: lines
-- x: day
-- x-label: days since the user's first click (China time)
-- series: age_band
-- y: revenue_per_user
-- y-label: cumulative gift revenue per user (gift price units)
-- tables: click, gift, user
-- notes: Users whose first click fell in the first 7 days of the logs, so each is followed for 15 days
-- notes: (D0 to D14). A point is the gift revenue of the band's users up to that day, divided by all the
-- notes: band's users (payers or not). Gifts before a user's first click are not counted.
WITH firsts AS (
    SELECT user_id, min((timestamp + 28800000) // 86400000) AS d0 FROM click GROUP BY user_id
), cohort AS (
    SELECT f.user_id, f.d0, coalesce(u.age, 'unknown') AS age_band
    FROM firsts f
    LEFT JOIN "user" u ON u.user_id = f.user_id
    WHERE f.d0 < (SELECT min(d0) FROM firsts) + 7
), sizes AS (
    SELECT age_band, count(*) AS users FROM cohort GROUP BY age_band
), revenue AS (
    SELECT c.age_band, (g.timestamp + 28800000) // 86400000 - c.d0 AS k, sum(g.gift_price) AS revenue
    FROM gift g JOIN cohort c ON c.user_id = g.user_id
    GROUP BY c.age_band, (g.timestamp + 28800000) // 86400000 - c.d0
)
SELECT s.age_band,
       d.k AS day,
       s.users,
       coalesce(sum(r.revenue), 0) AS cumulative_revenue,
       round(coalesce(sum(r.revenue), 0) / s.users, 3) AS revenue_per_user
FROM sizes s
CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14)) d(k)
LEFT JOIN revenue r ON r.age_band = s.age_band AND r.k >= 0 AND r.k <= d.k
GROUP BY s.age_band, d.k, s.users
ORDER BY s.age_band, day
