-- title: Users and streamers by gender and age band
-- chart: bars
-- x: age_band
-- x-label: age band
-- series: group
-- y: pct_of_side
-- y-label: share of the side's people (%)
-- tables: user, streamer
-- notes: Each bar is the share of all users (or of all streamers) in one gender and age band, so
-- notes: the two sides compare although there are many more streamers than users.
WITH people AS (
    SELECT 'users' AS side, coalesce(gender, 'unknown') AS gender, coalesce(age, 'unknown') AS age FROM "user"
    UNION ALL
    SELECT 'streamers', coalesce(gender, 'unknown'), coalesce(age, 'unknown') FROM streamer
), counts AS (
    SELECT side, gender, age, count(*) AS n FROM people GROUP BY side, gender, age
), cells AS (
    SELECT s.side, g.gender, a.age
    FROM (SELECT DISTINCT side FROM counts) s
    CROSS JOIN (SELECT DISTINCT gender FROM counts) g
    CROSS JOIN (SELECT DISTINCT age FROM counts) a
)
SELECT c.age AS age_band,
       c.side || ' ' || CASE c.gender WHEN 'F' THEN 'female' WHEN 'M' THEN 'male' ELSE c.gender END AS "group",
       coalesce(n.n, 0) AS people,
       round(100.0 * coalesce(n.n, 0) / sum(coalesce(n.n, 0)) OVER (PARTITION BY c.side), 2) AS pct_of_side
FROM cells c
LEFT JOIN counts n ON n.side = c.side AND n.gender = c.gender AND n.age = c.age
ORDER BY age_band, c.side DESC, c.gender
