-- segment 607: Interest | Sports
-- Follows sports: five or more views of sports pages in the 30 days before the run (the demo's rule
-- udn-auto-sports combines it with the real-time new-vehicle intender 806).
SELECT uid, '607' AS segment
FROM events
WHERE type = 'view'
  AND category = 'sports'
  AND ts BETWEEN (SELECT as_of - 30 * day_ms FROM params) AND (SELECT as_of FROM params)
GROUP BY uid
HAVING COUNT(*) >= 5
