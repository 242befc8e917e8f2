-- The five most prevalent active conditions per age band (small cells suppressed: a
-- suppressed count is NULL). Lakehouse: Synthea. Source: gold.top_conditions_by_age_band.
SELECT age_band, rank, code, description, active_patients, active_per_1000
FROM gold.top_conditions_by_age_band
WHERE rank <= 5
ORDER BY age_band, rank;
