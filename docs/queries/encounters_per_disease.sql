-- Encounters per disease: the 20 conditions with the most encounters.
-- Lakehouse: Synthea (synthea_lakehouse). Source: gold.encounters_per_condition
-- (an encounter counts for a condition when the condition was recorded at it).
SELECT code, description, encounters, patients
FROM gold.encounters_per_condition
ORDER BY encounters DESC, code
LIMIT 20;
