-- title: Streamer popularity: the long tail
-- chart: lines
-- x: rank
-- x-label: streamer rank by clicks (1 = most clicked; log scale)
-- x-scale: log
-- y: clicks
-- y-label: clicks per streamer (log scale)
-- y-scale: log
-- marker: marker
-- tables: click
-- notes: Streamers ranked by their clicks; about 25 ranks per decade are drawn (the first rank of each
-- notes: 1/25-decade step, plus the last rank and the ranks at 1% and 10% of streamers). The markers give
-- notes: the share of all clicks taken by the top 1% and top 10% of streamers. Streamers without a click
-- notes: are not counted.
WITH per AS (
    SELECT streamer_id, count(*) AS clicks FROM click GROUP BY streamer_id
), ranked AS (
    SELECT row_number() OVER (ORDER BY clicks DESC, streamer_id) AS rank,
           clicks,
           sum(clicks) OVER (ORDER BY clicks DESC, streamer_id
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS clicks_to_rank,
           count(*) OVER () AS streamers,
           sum(clicks) OVER () AS total_clicks
    FROM per
)
SELECT rank,
       clicks,
       round(100.0 * clicks_to_rank / total_clicks, 2) AS pct_of_clicks_to_rank,
       CASE WHEN rank = ceil(streamers / 100.0)
                THEN 'top 1%: ' || CAST(round(100.0 * clicks_to_rank / total_clicks, 1) AS VARCHAR) || '% of clicks'
            WHEN rank = ceil(streamers / 10.0)
                THEN 'top 10%: ' || CAST(round(100.0 * clicks_to_rank / total_clicks, 1) AS VARCHAR) || '% of clicks'
       END AS marker
FROM ranked
WHERE rank = 1
   OR rank = streamers
   OR rank = ceil(streamers / 100.0)
   OR rank = ceil(streamers / 10.0)
   OR floor(25 * log10(rank)) > floor(25 * log10(rank - 1))
ORDER BY rank
