-- segment 1649: Purchase Intent* | Travel and Tourism
-- A two-step sequence: read travel content, then bought travel within 30 days of that read (in the 90 days
-- before the run). Each purchase looks back to the user's latest travel read before it, so a heavy reader
-- costs one pass over their rows, not a join of their reads with their purchases.
SELECT DISTINCT uid, '1649' AS segment
FROM (
  SELECT
    uid,
    type,
    ts,
    MAX(CASE WHEN type = 'view' THEN ts END) OVER (PARTITION BY uid ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_read
  FROM events
  WHERE category = 'travel'
    AND type IN ('view', 'purchase')
    AND ts BETWEEN (SELECT as_of - 90 * day_ms FROM params) AND (SELECT as_of FROM params)
) steps
WHERE type = 'purchase'
  AND last_read IS NOT NULL
  AND ts - last_read <= 30 * (SELECT day_ms FROM params)
