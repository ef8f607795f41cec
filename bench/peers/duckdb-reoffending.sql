-- Proven re-offending per arm, written by hand in DuckDB SQL: the same computation as
--   pilot-eval reoffending --cases CASES --offences OFFENCES --by arm
-- (MoJ rule: an offence after the start date and within the 365-day follow-up, not a breach or
-- `other` disposal, proven within a further 183 days; a person is measurable when the as-of date,
-- the latest disposal date, is at least 365 + 183 days after their start). No input validation.
-- bench/peers/duckdb-run.mjs puts the input tables in place of {{cases}} and {{offences}}
-- (read_csv('...') or read_parquet('...')).
WITH c AS (
  SELECT id, arm, CAST(start_date AS DATE) AS s FROM {{cases}}
), o AS (
  SELECT id, CAST(offence_date AS DATE) AS od, CAST(disposal_date AS DATE) AS dd, disposal_type FROM {{offences}}
), as_of AS (
  SELECT max(dd) AS as_of FROM o
), per AS (
  SELECT o.id, count(*) AS k, min(o.od - c.s) AS first_days
  FROM o JOIN c ON o.id = c.id
  WHERE o.od > c.s AND o.od <= c.s + 365 AND lower(o.disposal_type) NOT IN ('breach', 'other') AND o.dd <= c.s + 365 + 183
  GROUP BY o.id
), people AS (
  SELECT c.arm, as_of.as_of >= c.s + 365 + 183 AS measurable, coalesce(per.k, 0) AS k
  FROM c CROSS JOIN as_of LEFT JOIN per ON per.id = c.id
)
SELECT arm,
       count(*) AS n_cohort,
       count(*) FILTER (WHERE measurable) AS n_measurable,
       count(*) FILTER (WHERE NOT measurable) AS n_pending,
       count(*) FILTER (WHERE measurable AND k > 0) AS reoffenders,
       coalesce(sum(k) FILTER (WHERE measurable), 0) AS reoffences
FROM people
GROUP BY arm
ORDER BY arm;
