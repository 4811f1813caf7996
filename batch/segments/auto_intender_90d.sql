-- segment 805: Purchase Intent* | Automotive Ownership
-- In the market for a vehicle: three or more views of automotive pages in the 90 days before the run.
-- A user's object keeps short windows (its real-time rule 806 looks back 7 days); 90 days needs the log.
SELECT uid, '805' AS segment
FROM events
WHERE type = 'view'
  AND category = 'auto'
  AND ts BETWEEN (SELECT as_of - 90 * day_ms FROM params) AND (SELECT as_of FROM params)
GROUP BY uid
HAVING COUNT(*) >= 3
