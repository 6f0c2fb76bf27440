-- title: Repeat consumption: clicks per user-streamer pair
-- chart: bars
-- x: clicks_on_streamer
-- x-label: clicks by one user on one streamer over the 21 days
-- y: % of pairs, % of clicks
-- y-label: share (%)
-- tables: click
-- notes: A pair is one user and one streamer that user clicked at least once. Pairs with one click are
-- notes: one-off visits; the clicks of pairs seen again are repeat consumption.
WITH pairs AS (
    SELECT user_id, streamer_id, count(*) AS clicks FROM click GROUP BY user_id, streamer_id
), banded AS (
    SELECT CASE WHEN clicks <= 5 THEN clicks WHEN clicks <= 10 THEN 6 WHEN clicks <= 20 THEN 11
                WHEN clicks <= 50 THEN 21 WHEN clicks <= 100 THEN 51 ELSE 101 END AS band,
           clicks
    FROM pairs
)
SELECT CASE band WHEN 6 THEN '6-10' WHEN 11 THEN '11-20' WHEN 21 THEN '21-50' WHEN 51 THEN '51-100'
                WHEN 101 THEN '101+' ELSE CAST(band AS VARCHAR) END AS clicks_on_streamer,
       count(*) AS pairs,
       sum(clicks) AS clicks,
       round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS "% of pairs",
       round(100.0 * sum(clicks) / sum(sum(clicks)) OVER (), 2) AS "% of clicks"
FROM banded
GROUP BY band
ORDER BY band
