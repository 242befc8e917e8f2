-- Data quality per run and table: rows read, written, quarantined and deduplicated, and
-- the rule hits, from the run report. Lakehouse: any (both pipelines write _runs).
SELECT run_id, layer, "table", rows_read, rows_written, rows_quarantined, rows_deduplicated, rule_hits, status
FROM _runs
WHERE layer = 'silver'
ORDER BY run_id, "table";
