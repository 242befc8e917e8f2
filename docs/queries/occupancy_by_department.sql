-- Bed occupancy by department: mean and peak daily occupancy % and the peak midnight
-- census. Lakehouse: patient flow (patient_flow). Source: gold.occupancy_daily.
SELECT
    hospital_id,
    department,
    COUNT(*) AS days,
    AVG(occupancy_pct) AS mean_occupancy_pct,
    MAX(occupancy_pct) AS peak_occupancy_pct,
    MAX(midnight_census) AS peak_midnight_census
FROM gold.occupancy_daily
GROUP BY hospital_id, department
ORDER BY hospital_id, department;
