-- Average length of stay (days) by admitting condition, with the number of discharges,
-- largest first. Lakehouse: Synthea. Source: gold.los_by_condition
-- (definition: ehr_quality_metrics::los).
SELECT condition_code, discharges, total_los_days, alos_days
FROM gold.los_by_condition
ORDER BY discharges DESC, condition_code;
