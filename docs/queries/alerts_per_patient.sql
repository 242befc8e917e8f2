-- Vital-sign alerts per patient: stays whose admission vitals hit a NEWS2 red flag
-- (a single parameter scoring 3: SpO2 <= 91 %, systolic BP <= 90 or >= 220 mmHg,
-- heart rate <= 40 or >= 131 /min, temperature <= 95.0 °F), per patient, most first.
-- Lakehouse: patient flow (patient_flow). Source: gold.fact_patient_flow.
SELECT
    patient_key,
    COUNT(*) AS stays,
    SUM(CASE WHEN spo2 <= 91
              OR bp_systolic <= 90 OR bp_systolic >= 220
              OR heart_rate <= 40 OR heart_rate >= 131
              OR temperature_f <= 95.0
             THEN 1 ELSE 0 END) AS alert_stays
FROM gold.fact_patient_flow
GROUP BY patient_key
HAVING SUM(CASE WHEN spo2 <= 91
                 OR bp_systolic <= 90 OR bp_systolic >= 220
                 OR heart_rate <= 40 OR heart_rate >= 131
                 OR temperature_f <= 95.0
                THEN 1 ELSE 0 END) > 0
ORDER BY alert_stays DESC, patient_key;
