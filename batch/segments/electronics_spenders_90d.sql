-- segment 942: Purchase Intent* | Consumer Electronics
-- Big spenders on electronics: purchases in the electronics category adding up to 500 or more (props.value,
-- in the shop's currency) in the 90 days before the run.
SELECT uid, '942' AS segment
FROM events
WHERE type = 'purchase'
  AND category = 'electronics'
  AND ts BETWEEN (SELECT as_of - 90 * day_ms FROM params) AND (SELECT as_of FROM params)
GROUP BY uid
HAVING SUM(value) >= 500
