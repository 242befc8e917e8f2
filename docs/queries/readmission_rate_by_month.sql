-- 30-day readmission rate by discharge month, with its numerator (readmissions) and
-- denominator (index stays). Lakehouse: Synthea. Source: gold.readmission_rates
-- (definition: ehr_quality_metrics::readmission).
SELECT
    dimension_value AS discharge_month,
    index_stays,
    readmissions,
    rate
FROM gold.readmission_rates
WHERE dimension = 'discharge_month'
ORDER BY discharge_month;
