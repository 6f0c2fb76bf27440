-- The KuaiLive analysts' notebook as one script (issue 9): it cleans the eight raw tables, builds the
-- user and streamer dimensions and the interactions fact table inside the store, exports every table
-- as CSV, then answers the notebook's EDA, retention, LTV and CTR-funnel questions from the built
-- tables. The same text runs unchanged in DuckDB 2.0.1 (Tools/notebook_compare.py runs both).
--
-- Input: the raw tables user, streamer, room, click, comment, like, gift, negative as kuai-convert
-- makes them (../shared/kuailive/README.md). Output: the tables below and notebook_out/*.csv
-- (create the folder first). Run:
--   kuai-convert Samples/kuailive-mini -o mini.kuai && mkdir -p notebook_out
--   kuai-query --store mini.kuai -f Samples/notebook.sql
--
-- Every table is created with a total ORDER BY, so its rows (and its CSV export) have one order.
-- Times are epoch milliseconds (UTC); China time adds 8 hours (28,800,000 ms).

-- 1. Cleaning -------------------------------------------------------------------------------------

-- Rooms whose live lasted more than one day: dropped from every table.
CREATE OR REPLACE TABLE odd_rooms AS
SELECT DISTINCT live_id FROM room WHERE end_timestamp - start_timestamp > 86400000 ORDER BY live_id;

-- One row per live_id (a live_id repeats with another live_name_id: keep the lowest), China time.
CREATE OR REPLACE TABLE room_clean AS
SELECT p_date, live_id, streamer_id, live_type, start_timestamp, end_timestamp,
       epoch_ms(start_timestamp + 28800000) AS start_time_cn,
       epoch_ms(end_timestamp + 28800000) AS end_time_cn,
       round((end_timestamp - start_timestamp) / 60000.0, 3) AS live_minutes,
       live_content_category, live_name_id
FROM room
WHERE live_id NOT IN (SELECT live_id FROM odd_rooms)
QUALIFY row_number() OVER (PARTITION BY live_id
                           ORDER BY live_name_id, start_timestamp, end_timestamp, p_date, streamer_id) = 1
ORDER BY live_id;

-- The event tables without the odd rooms, with China time and the composite key
-- user_live_rank (the rank of the event within its user and room, by time).
CREATE OR REPLACE TABLE click_clean AS
SELECT user_id, live_id, streamer_id, timestamp, epoch_ms(timestamp + 28800000) AS time_cn, watch_live_time,
       rank_in_room, user_id || '_' || live_id || '_' || rank_in_room AS pk
FROM (SELECT *, row_number() OVER (PARTITION BY user_id, live_id
                                   ORDER BY timestamp, streamer_id, watch_live_time) AS rank_in_room
      FROM click WHERE live_id NOT IN (SELECT live_id FROM odd_rooms)) c
ORDER BY user_id, live_id, rank_in_room;

CREATE OR REPLACE TABLE comment_clean AS
SELECT user_id, live_id, streamer_id, timestamp, epoch_ms(timestamp + 28800000) AS time_cn,
       rank_in_room, user_id || '_' || live_id || '_' || rank_in_room AS pk
FROM (SELECT *, row_number() OVER (PARTITION BY user_id, live_id ORDER BY timestamp, streamer_id) AS rank_in_room
      FROM comment WHERE live_id NOT IN (SELECT live_id FROM odd_rooms)) c
ORDER BY user_id, live_id, rank_in_room;

CREATE OR REPLACE TABLE like_clean AS
SELECT user_id, live_id, streamer_id, timestamp, epoch_ms(timestamp + 28800000) AS time_cn,
       rank_in_room, user_id || '_' || live_id || '_' || rank_in_room AS pk
FROM (SELECT *, row_number() OVER (PARTITION BY user_id, live_id ORDER BY timestamp, streamer_id) AS rank_in_room
      FROM "like" WHERE live_id NOT IN (SELECT live_id FROM odd_rooms)) c
ORDER BY user_id, live_id, rank_in_room;

CREATE OR REPLACE TABLE gift_clean AS
SELECT user_id, live_id, streamer_id, timestamp, epoch_ms(timestamp + 28800000) AS time_cn, gift_price,
       rank_in_room, user_id || '_' || live_id || '_' || rank_in_room AS pk
FROM (SELECT *, row_number() OVER (PARTITION BY user_id, live_id
                                   ORDER BY timestamp, streamer_id, gift_price) AS rank_in_room
      FROM gift WHERE live_id NOT IN (SELECT live_id FROM odd_rooms)) c
ORDER BY user_id, live_id, rank_in_room;

CREATE OR REPLACE TABLE negative_clean AS
SELECT user_id, live_id, streamer_id, timestamp, epoch_ms(timestamp + 28800000) AS time_cn,
       rank_in_room, user_id || '_' || live_id || '_' || rank_in_room AS pk
FROM (SELECT *, row_number() OVER (PARTITION BY user_id, live_id ORDER BY timestamp, streamer_id) AS rank_in_room
      FROM negative WHERE live_id NOT IN (SELECT live_id FROM odd_rooms)) c
ORDER BY user_id, live_id, rank_in_room;

-- 2. Dimensions: tenure (days since registration) and active time (days since the first watch or
--    the first live) on 2025-05-26, the end of the log.

CREATE OR REPLACE TABLE user_dim AS
SELECT user_id, gender, age, country, device_brand, device_price, fans_num, follow_num,
       accu_watch_live_cnt, accu_watch_live_duration, is_live_streamer, is_photo_author,
       reg_timestamp, first_watch_live_timestamp,
       DATE '2025-05-26' - reg_timestamp AS tenure_days,
       DATE '2025-05-26' - first_watch_live_timestamp AS active_days
FROM "user" ORDER BY user_id;

CREATE OR REPLACE TABLE streamer_dim AS
SELECT streamer_id, gender, age, country, device_brand, device_price, live_operation_tag,
       fans_user_num, fans_group_fans_num, follow_user_num, accu_live_cnt, accu_live_duration,
       accu_play_cnt, accu_play_duration, reg_timestamp, first_live_timestamp,
       DATE '2025-05-26' - reg_timestamp AS tenure_days,
       DATE '2025-05-26' - first_live_timestamp AS active_days
FROM streamer ORDER BY streamer_id;

-- 3. The interactions fact table (23 columns): every event of the five event tables, with its order
--    in the user's history, its key, its session (a new one after 30 minutes without an event) and
--    the user's, streamer's and room's attributes.

CREATE OR REPLACE TABLE interactions AS
WITH ev AS (
    SELECT 'click' AS interaction_type, user_id, live_id, streamer_id, timestamp, time_cn, pk,
           watch_live_time, CAST(NULL AS BIGINT) AS gift_price FROM click_clean
    UNION ALL SELECT 'comment', user_id, live_id, streamer_id, timestamp, time_cn, pk, NULL, NULL FROM comment_clean
    UNION ALL SELECT 'like', user_id, live_id, streamer_id, timestamp, time_cn, pk, NULL, NULL FROM like_clean
    UNION ALL SELECT 'gift', user_id, live_id, streamer_id, timestamp, time_cn, pk, NULL, gift_price FROM gift_clean
    UNION ALL SELECT 'negative', user_id, live_id, streamer_id, timestamp, time_cn, pk, NULL, NULL FROM negative_clean
), ordered AS (
    SELECT *,
           row_number() OVER (PARTITION BY user_id ORDER BY timestamp, interaction_type, pk) AS interaction_order,
           timestamp - lag(timestamp) OVER (PARTITION BY user_id ORDER BY timestamp, interaction_type, pk) AS gap_ms
    FROM ev
), sessions AS (
    SELECT *, sum(CASE WHEN gap_ms IS NULL OR gap_ms > 1800000 THEN 1 ELSE 0 END)
                  OVER (PARTITION BY user_id ORDER BY interaction_order ROWS UNBOUNDED PRECEDING) AS session_no
    FROM ordered
)
SELECT e.interaction_order, e.interaction_type || '_' || e.pk AS pk, e.user_id || '_' || e.session_no AS session_id,
       e.interaction_type, e.user_id, e.live_id, e.streamer_id, e.timestamp, e.time_cn,
       hour(e.time_cn) AS hour_cn, e.watch_live_time, e.gift_price,
       u.gender AS user_gender, u.age AS user_age, u.device_price AS user_device_price,
       u.tenure_days AS user_tenure_days, u.active_days AS user_active_days,
       s.gender AS streamer_gender, s.age AS streamer_age, s.live_operation_tag,
       s.tenure_days AS streamer_tenure_days,
       r.live_content_category, r.live_minutes
FROM sessions e
LEFT JOIN user_dim u ON u.user_id = e.user_id
LEFT JOIN streamer_dim s ON s.streamer_id = e.streamer_id
LEFT JOIN room_clean r ON r.live_id = e.live_id
ORDER BY e.user_id, e.interaction_order;

-- 4. CSV exports of every table.

COPY odd_rooms TO 'notebook_out/odd_rooms.csv' (HEADER);
COPY room_clean TO 'notebook_out/room_clean.csv' (HEADER);
COPY click_clean TO 'notebook_out/click_clean.csv' (HEADER);
COPY comment_clean TO 'notebook_out/comment_clean.csv' (HEADER);
COPY like_clean TO 'notebook_out/like_clean.csv' (HEADER);
COPY gift_clean TO 'notebook_out/gift_clean.csv' (HEADER);
COPY negative_clean TO 'notebook_out/negative_clean.csv' (HEADER);
COPY user_dim TO 'notebook_out/user_dim.csv' (HEADER);
COPY streamer_dim TO 'notebook_out/streamer_dim.csv' (HEADER);
COPY interactions TO 'notebook_out/interactions.csv' (HEADER);

-- 5. EDA from the built tables.

-- Users and streamers by gender and age band.
SELECT 'user' AS side, gender, age, count(*) AS n FROM user_dim GROUP BY gender, age
UNION ALL
SELECT 'streamer', gender, age, count(*) FROM streamer_dim GROUP BY gender, age
ORDER BY side, gender, age;

-- Interactions by kind, and how many users, streamers and rooms they touch.
SELECT interaction_type, count(*) AS events, count(DISTINCT user_id) AS users,
       count(DISTINCT streamer_id) AS streamers, count(DISTINCT live_id) AS rooms
FROM interactions GROUP BY interaction_type ORDER BY interaction_type;

-- The long tail of popularity: the 20 streamers with the most clicks and their share of all clicks.
SELECT streamer_id, count(*) AS clicks,
       round(100.0 * count(*) / (SELECT count(*) FROM click_clean), 3) AS pct_of_clicks
FROM interactions WHERE interaction_type = 'click'
GROUP BY streamer_id ORDER BY clicks DESC, streamer_id LIMIT 20;

-- Time of day and day of week of watching (China time).
SELECT hour_cn, count(*) AS clicks, round(sum(watch_live_time) / 60000.0, 1) AS watch_minutes
FROM interactions WHERE interaction_type = 'click' GROUP BY hour_cn ORDER BY hour_cn;

SELECT dayofweek(time_cn) AS dow, count(*) AS clicks
FROM interactions WHERE interaction_type = 'click' GROUP BY dow ORDER BY dow;

-- Sessions: events and length per session, by user tenure band.
SELECT CASE WHEN user_tenure_days < 365 THEN '< 1 year' WHEN user_tenure_days < 1095 THEN '1-3 years'
            ELSE '3+ years' END AS tenure, count(DISTINCT session_id) AS sessions,
       round(count(*) * 1.0 / count(DISTINCT session_id), 3) AS events_per_session
FROM interactions GROUP BY tenure ORDER BY tenure;

-- Repeat consumption: per user, clicks against distinct streamers.
SELECT CAST(floor(10 * (1 - CAST(streamers AS DOUBLE) / clicks)) AS INTEGER) AS repeat_decile, count(*) AS users
FROM (SELECT user_id, count(*) AS clicks, count(DISTINCT streamer_id) AS streamers
      FROM interactions WHERE interaction_type = 'click' GROUP BY user_id) u
GROUP BY repeat_decile ORDER BY repeat_decile;

-- 6. Questions.

-- Retention: users by first active day (China time), the share active again 1 and 7 days later.
WITH days AS (
    SELECT DISTINCT user_id, CAST(time_cn AS DATE) AS d FROM interactions WHERE interaction_type = 'click'
), first AS (
    SELECT user_id, min(d) AS d0 FROM days GROUP BY user_id
)
SELECT f.d0 AS cohort_day, count(DISTINCT f.user_id) AS users,
       count(DISTINCT CASE WHEN a.d = f.d0 + 1 THEN a.user_id END) AS d1,
       count(DISTINCT CASE WHEN a.d = f.d0 + 7 THEN a.user_id END) AS d7,
       round(100.0 * count(DISTINCT CASE WHEN a.d = f.d0 + 1 THEN a.user_id END) / count(DISTINCT f.user_id), 2)
           AS d1_pct
FROM first f JOIN days a ON a.user_id = f.user_id
GROUP BY f.d0 ORDER BY cohort_day;

-- LTV: gift revenue per paying user by age band and gender.
SELECT user_age, user_gender, count(DISTINCT user_id) AS payers, sum(gift_price) AS revenue,
       round(CAST(sum(gift_price) AS DOUBLE) / count(DISTINCT user_id), 2) AS revenue_per_payer
FROM interactions WHERE interaction_type = 'gift'
GROUP BY user_age, user_gender ORDER BY revenue DESC, user_age, user_gender;

-- CTR funnel by content category: exposures (click + negative) -> clicks -> likes/comments -> gifts.
SELECT live_content_category AS category,
       sum(CASE WHEN interaction_type IN ('click', 'negative') THEN 1 ELSE 0 END) AS exposures,
       sum(CASE WHEN interaction_type = 'click' THEN 1 ELSE 0 END) AS clicks,
       sum(CASE WHEN interaction_type IN ('like', 'comment') THEN 1 ELSE 0 END) AS engagements,
       sum(CASE WHEN interaction_type = 'gift' THEN 1 ELSE 0 END) AS gifts,
       round(100.0 * sum(CASE WHEN interaction_type = 'click' THEN 1 ELSE 0 END)
             / sum(CASE WHEN interaction_type IN ('click', 'negative') THEN 1 ELSE 0 END), 3) AS ctr_pct
FROM interactions
GROUP BY category ORDER BY exposures DESC, category;
