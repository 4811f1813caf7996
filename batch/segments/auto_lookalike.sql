-- segment 243: Interest | Automotive
-- A simple look-alike of the auto intenders (segment_auto_intender_90d, 805): users outside that segment, with
-- at least two views in the 90 days before the run, whose mix of viewed categories is close to the intenders'
-- average mix (cosine similarity of the share vectors at least 0.8).
WITH recent AS (
  SELECT uid, category
  FROM events
  WHERE type = 'view'
    AND category IS NOT NULL
    AND ts BETWEEN (SELECT as_of - 90 * day_ms FROM params) AND (SELECT as_of FROM params)
),
counts AS (
  SELECT uid, category, COUNT(*) AS n FROM recent GROUP BY uid, category
),
totals AS (
  SELECT uid, SUM(n) AS total FROM counts GROUP BY uid
),
shares AS (
  SELECT c.uid, c.category, CAST(c.n AS DOUBLE) / t.total AS w
  FROM counts c
  JOIN totals t ON t.uid = c.uid
),
seed AS (
  SELECT DISTINCT uid FROM segment_auto_intender_90d
),
centroid AS (
  SELECT s.category, SUM(s.w) / (SELECT COUNT(*) FROM seed) AS w
  FROM shares s
  JOIN seed ON seed.uid = s.uid
  GROUP BY s.category
),
centroid_norm AS (
  SELECT SQRT(SUM(w * w)) AS norm FROM centroid
),
user_norms AS (
  SELECT uid, SQRT(SUM(w * w)) AS norm FROM shares GROUP BY uid
),
dots AS (
  SELECT s.uid, SUM(s.w * c.w) AS dot
  FROM shares s
  JOIN centroid c ON c.category = s.category
  GROUP BY s.uid
)
SELECT d.uid, '243' AS segment
FROM dots d
JOIN user_norms u ON u.uid = d.uid
JOIN totals t ON t.uid = d.uid
CROSS JOIN centroid_norm cn
LEFT JOIN seed ON seed.uid = d.uid
WHERE seed.uid IS NULL
  AND t.total >= 2
  AND d.dot / (u.norm * cn.norm) >= 0.8
