-- Encounters per age group (age at the encounter), over all encounter classes, with the
-- inpatient share. Lakehouse: Synthea. Source: gold.encounters_by_age_group_class.
SELECT
    age_group,
    SUM(encounters) AS encounters,
    SUM(CASE WHEN encounter_class = 'inpatient' THEN encounters ELSE 0 END) AS inpatient_encounters
FROM gold.encounters_by_age_group_class
GROUP BY age_group
ORDER BY age_group;
