-- title: Funnel by content category: exposure, click, engagement, gift
-- chart: bars
-- x: stage
-- x-label: funnel stage
-- series: category
-- y: events
-- y-label: events (log scale)
-- y-scale: log
-- tables: room, click, negative, like, comment, gift
-- notes: Exposures are rooms shown to a user, clicked or not (click + negative); engagements are likes and
-- notes: comments. A room's category is its live_content_category (the smallest one when a live_id has
-- notes: several room rows); events of live_ids missing from the room table are left out. pct_of_exposures
-- notes: is the stage's events per 100 exposures of the category.
WITH per_live AS (
    SELECT live_id, sum(exposures) AS exposures, sum(clicks) AS clicks, sum(engagements) AS engagements,
           sum(gifts) AS gifts
    FROM (
        SELECT live_id, count(*) AS exposures, count(*) AS clicks, 0 AS engagements, 0 AS gifts
        FROM click GROUP BY live_id
        UNION ALL
        SELECT live_id, count(*), 0, 0, 0 FROM negative GROUP BY live_id
        UNION ALL
        SELECT live_id, 0, 0, count(*), 0 FROM "like" GROUP BY live_id
        UNION ALL
        SELECT live_id, 0, 0, count(*), 0 FROM comment GROUP BY live_id
        UNION ALL
        SELECT live_id, 0, 0, 0, count(*) FROM gift GROUP BY live_id
    ) e
    GROUP BY live_id
), labelled AS (
    -- one row per live_id that has events and a room: its events and its (smallest) category
    SELECT p.live_id, min(r.live_content_category) AS category, min(p.exposures) AS exposures,
           min(p.clicks) AS clicks, min(p.engagements) AS engagements, min(p.gifts) AS gifts
    FROM per_live p JOIN room r ON r.live_id = p.live_id
    GROUP BY p.live_id
), per_category AS (
    SELECT category, sum(exposures) AS exposures, sum(clicks) AS clicks, sum(engagements) AS engagements,
           sum(gifts) AS gifts
    FROM labelled GROUP BY category
), stages AS (
    SELECT 1 AS step, 'exposure' AS stage, category, exposures AS events, exposures FROM per_category
    UNION ALL SELECT 2, 'click', category, clicks, exposures FROM per_category
    UNION ALL SELECT 3, 'engagement', category, engagements, exposures FROM per_category
    UNION ALL SELECT 4, 'gift', category, gifts, exposures FROM per_category
)
SELECT stage, category, events, round(100.0 * events / exposures, 3) AS pct_of_exposures
FROM stages
ORDER BY step, category
