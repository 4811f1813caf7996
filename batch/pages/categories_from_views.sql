-- segment 1: Automotive
-- segment 52: Business and Finance
-- segment 210: Food & Drink
-- segment 483: Sports
-- segment 552: Style & Fashion
-- segment 632: Technology & Computing | Consumer Electronics
-- segment 653: Travel
-- What a page is about, from the views logged on it in the 30 days before the run: a page viewed by 3 or more
-- people takes each category that half or more of its views carry (the `category` prop the publisher's tag sends
-- with a view), as its IAB Content Taxonomy 3.1 id. Three viewers keep one person's browsing from labelling a page.
-- Views count by page (`page_urls`), however its address was written; relative addresses have no page.
WITH page_views AS (
  SELECT k.page, e.url, e.uid, e.category
  FROM events e
  JOIN page_urls k ON k.url = e.url
  WHERE e.type = 'view'
    AND k.page IS NOT NULL
    AND e.ts BETWEEN (SELECT as_of - 30 * day_ms FROM params) AND (SELECT as_of FROM params)
),
pages AS (
  SELECT page, MIN(url) AS url, COUNT(*) AS views
  FROM page_views
  GROUP BY page
  HAVING COUNT(DISTINCT uid) >= 3
),
categories AS (
  SELECT page, category, COUNT(*) AS n
  FROM page_views
  WHERE category IS NOT NULL
  GROUP BY page, category
),
labelled AS (
  SELECT
    p.url,
    CASE c.category
      WHEN 'auto' THEN '1'
      WHEN 'finance' THEN '52'
      WHEN 'food' THEN '210'
      WHEN 'sports' THEN '483'
      WHEN 'fashion' THEN '552'
      WHEN 'electronics' THEN '632'
      WHEN 'travel' THEN '653'
    END AS segment
  FROM categories c
  JOIN pages p ON p.page = c.page
  WHERE 2 * c.n >= p.views
)
SELECT url, segment FROM labelled WHERE segment IS NOT NULL
