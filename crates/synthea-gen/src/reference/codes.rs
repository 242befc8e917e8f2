//! Clinical vocabularies: SNOMED-CT conditions, encounter types, procedures, care plans,
//! devices and supplies; RxNorm medications; LOINC observations; CVX immunizations; DICOM
//! imaging. Codes and descriptions are those Synthea writes (checked against the real
//! exports), kept as text (`"08"`, 17-digit SNOMED codes).

/// A code with its display text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Code {
    pub(crate) code: &'static str,
    pub(crate) desc: &'static str,
}

pub(crate) const fn code(code: &'static str, desc: &'static str) -> Code {
    Code { code, desc }
}

// ---------------------------------------------------------------- encounter types
pub(crate) const ENC_GENERAL_EXAM: Code =
    code("162673000", "General examination of patient (procedure)");
pub(crate) const ENC_WELL_CHILD: Code = code("410620009", "Well child visit (procedure)");
pub(crate) const ENC_SYMPTOM: Code = code("185345009", "Encounter for symptom");
pub(crate) const ENC_PROBLEM: Code = code("185347001", "Encounter for problem (procedure)");
pub(crate) const ENC_FOLLOW_UP: Code = code("390906007", "Follow-up encounter");
pub(crate) const ENC_HTN_FOLLOW_UP: Code = code("390906007", "Hypertension follow-up encounter");
pub(crate) const ENC_ASTHMA_FOLLOW_UP: Code = code("394701000", "Asthma follow-up");
pub(crate) const ENC_CHECK_UP: Code = code("185349003", "Encounter for check up (procedure)");
pub(crate) const ENC_VACCINE: Code = code(
    "33879002",
    "Administration of vaccine to produce active immunity (procedure)",
);
pub(crate) const ENC_CONSULT: Code = code("698314001", "Consultation for treatment");
pub(crate) const ENC_PATIENT_PROC: Code = code("308335008", "Patient encounter procedure");
pub(crate) const ENC_EMERGENCY: Code = code("50849002", "Emergency room admission (procedure)");
pub(crate) const ENC_EMERGENCY_ASTHMA: Code =
    code("183478001", "Emergency hospital admission for asthma");
pub(crate) const ENC_INPATIENT: Code = code("183452005", "Encounter Inpatient");
pub(crate) const ENC_ICU: Code = code("305351004", "Admission to intensive care unit (procedure)");
pub(crate) const ENC_SURGICAL: Code = code("305408004", "Admission to surgical department");
pub(crate) const ENC_URGENT: Code = code("702927004", "Urgent care clinic (procedure)");
pub(crate) const ENC_HOME: Code = code("439708006", "Home visit (procedure)");
pub(crate) const ENC_SNF: Code = code(
    "449411000124106",
    "Admission to skilled nursing facility (procedure)",
);
pub(crate) const ENC_HOSPICE: Code = code("305336008", "Admission to hospice (procedure)");
/// The death-certification encounter Synthea writes after DEATHDATE.
pub(crate) const ENC_DEATH_CERT: Code = code("308646001", "Death Certification");

// ---------------------------------------------------------------- chronic conditions
/// Chronic diseases the simulation tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Chronic {
    Obesity,
    Prediabetes,
    Diabetes,
    Hypertension,
    Hyperlipidemia,
    Asthma,
    Copd,
    HeartFailure,
    Ckd,
    Depression,
    Alcohol,
    Anemia,
    BackPain,
}

/// A medication with base cost per dispense (cents).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Med {
    pub(crate) code: Code,
    pub(crate) cost: i64,
}

const fn med(c: &'static str, d: &'static str, cost: i64) -> Med {
    Med {
        code: code(c, d),
        cost,
    }
}

/// How a chronic disease behaves.
#[derive(Debug)]
pub(crate) struct ChronicDef {
    pub(crate) kind: Chronic,
    pub(crate) code: Code,
    /// Baseline probability of onset during a lifetime reaching `onset_mean + 2 sd`.
    pub(crate) base_risk: f64,
    pub(crate) onset_mean: f64,
    pub(crate) onset_sd: f64,
    pub(crate) onset_min: f64,
    /// Medications: first always, the others with the given probability.
    pub(crate) meds: &'static [(Med, f64)],
    pub(crate) careplan: Option<Code>,
    pub(crate) follow_up: Option<Code>,
    /// Follow-up visits per year after diagnosis (within the history window).
    pub(crate) follow_ups_per_year: f64,
}

pub(crate) static CHRONIC: &[ChronicDef] = &[
    ChronicDef {
        kind: Chronic::Obesity,
        code: code("162864005", "Body mass index 30+ - obesity (finding)"),
        base_risk: 0.30,
        onset_mean: 35.0,
        onset_sd: 12.0,
        onset_min: 18.0,
        meds: &[],
        careplan: Some(code("718361005", "Weight management program")),
        follow_up: None,
        follow_ups_per_year: 0.0,
    },
    ChronicDef {
        kind: Chronic::Prediabetes,
        code: code("15777000", "Prediabetes"),
        base_risk: 0.30,
        onset_mean: 42.0,
        onset_sd: 12.0,
        onset_min: 18.0,
        meds: &[],
        careplan: None,
        follow_up: None,
        follow_ups_per_year: 0.0,
    },
    ChronicDef {
        kind: Chronic::Diabetes,
        code: code("44054006", "Diabetes mellitus type 2 (disorder)"),
        base_risk: 0.11,
        onset_mean: 52.0,
        onset_sd: 12.0,
        onset_min: 20.0,
        meds: &[
            (
                med(
                    "860975",
                    "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet",
                    2_456,
                ),
                1.0,
            ),
            (
                med("897122", "3 ML liraglutide 6 MG/ML Pen Injector", 81_276),
                0.25,
            ),
            (
                med(
                    "106892",
                    "insulin isophane human 70 UNT/ML / insulin regular human 30 UNT/ML Injectable Suspension [Humulin]",
                    13_640,
                ),
                0.15,
            ),
        ],
        careplan: Some(code("698360004", "Diabetes self management plan")),
        follow_up: Some(ENC_FOLLOW_UP),
        follow_ups_per_year: 2.0,
    },
    ChronicDef {
        kind: Chronic::Hypertension,
        code: code("59621000", "Hypertension"),
        base_risk: 0.35,
        onset_mean: 50.0,
        onset_sd: 13.0,
        onset_min: 18.0,
        meds: &[
            (med("314076", "lisinopril 10 MG Oral Tablet", 1_071), 1.0),
            (med("308136", "amLODIPine 2.5 MG Oral Tablet", 1_542), 0.45),
            (
                med("310798", "Hydrochlorothiazide 25 MG Oral Tablet", 1_004),
                0.3,
            ),
        ],
        careplan: Some(code(
            "443402002",
            "Lifestyle education regarding hypertension (procedure)",
        )),
        follow_up: Some(ENC_HTN_FOLLOW_UP),
        follow_ups_per_year: 1.0,
    },
    ChronicDef {
        kind: Chronic::Hyperlipidemia,
        code: code("55822004", "Hyperlipidemia"),
        base_risk: 0.28,
        onset_mean: 50.0,
        onset_sd: 11.0,
        onset_min: 25.0,
        meds: &[
            (med("314231", "Simvastatin 10 MG Oral Tablet", 1_296), 1.0),
            (med("259255", "Atorvastatin 80 MG Oral Tablet", 3_218), 0.3),
        ],
        careplan: Some(code("736285004", "Hyperlipidemia clinical management plan")),
        follow_up: Some(ENC_FOLLOW_UP),
        follow_ups_per_year: 0.5,
    },
    ChronicDef {
        kind: Chronic::Asthma,
        code: code("233678006", "Childhood asthma"),
        base_risk: 0.09,
        onset_mean: 6.0,
        onset_sd: 3.0,
        onset_min: 2.0,
        meds: &[
            (
                med(
                    "895994",
                    "120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler",
                    11_836,
                ),
                1.0,
            ),
            (
                med(
                    "2123111",
                    "NDA020503 200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
                    3_564,
                ),
                0.8,
            ),
        ],
        careplan: Some(code("699728000", "Asthma self management")),
        follow_up: Some(ENC_ASTHMA_FOLLOW_UP),
        follow_ups_per_year: 1.0,
    },
    ChronicDef {
        kind: Chronic::Copd,
        code: code("87433001", "Pulmonary emphysema (disorder)"),
        base_risk: 0.06,
        onset_mean: 60.0,
        onset_sd: 9.0,
        onset_min: 40.0,
        meds: &[
            (
                med(
                    "896209",
                    "60 ACTUAT Fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler",
                    31_217,
                ),
                1.0,
            ),
            (
                med("245314", "albuterol 5 MG/ML Inhalation Solution", 2_651),
                0.8,
            ),
        ],
        careplan: Some(code(
            "412776001",
            "Chronic obstructive pulmonary disease clinical management plan",
        )),
        follow_up: Some(ENC_FOLLOW_UP),
        follow_ups_per_year: 1.0,
    },
    ChronicDef {
        kind: Chronic::HeartFailure,
        code: code("88805009", "Chronic congestive heart failure (disorder)"),
        base_risk: 0.04,
        onset_mean: 68.0,
        onset_sd: 9.0,
        onset_min: 45.0,
        meds: &[
            (
                med(
                    "866414",
                    "24 HR Metoprolol succinate 100 MG Extended Release Oral Tablet",
                    2_763,
                ),
                1.0,
            ),
            (med("313988", "Furosemide 40 MG Oral Tablet", 866), 0.7),
        ],
        careplan: Some(code("735984001", "Heart failure self management plan")),
        follow_up: Some(ENC_FOLLOW_UP),
        follow_ups_per_year: 2.0,
    },
    ChronicDef {
        kind: Chronic::Ckd,
        code: code("431856006", "Chronic kidney disease stage 2 (disorder)"),
        base_risk: 0.05,
        onset_mean: 62.0,
        onset_sd: 10.0,
        onset_min: 35.0,
        meds: &[],
        careplan: None,
        follow_up: Some(ENC_FOLLOW_UP),
        follow_ups_per_year: 1.0,
    },
    ChronicDef {
        kind: Chronic::Depression,
        code: code("370143000", "Major depressive disorder (disorder)"),
        base_risk: 0.12,
        onset_mean: 30.0,
        onset_sd: 10.0,
        onset_min: 14.0,
        meds: &[
            (med("312938", "Sertraline 100 MG Oral Tablet", 2_113), 1.0),
            (med("349332", "Escitalopram 10 MG Oral Tablet", 1_684), 0.2),
        ],
        careplan: None,
        follow_up: Some(ENC_FOLLOW_UP),
        follow_ups_per_year: 1.0,
    },
    ChronicDef {
        kind: Chronic::Alcohol,
        code: code(
            "10939881000119105",
            "Unhealthy alcohol drinking behavior (finding)",
        ),
        base_risk: 0.06,
        onset_mean: 28.0,
        onset_sd: 8.0,
        onset_min: 18.0,
        meds: &[],
        careplan: None,
        follow_up: None,
        follow_ups_per_year: 0.0,
    },
    ChronicDef {
        kind: Chronic::Anemia,
        code: code("271737000", "Anemia (disorder)"),
        base_risk: 0.08,
        onset_mean: 40.0,
        onset_sd: 18.0,
        onset_min: 10.0,
        meds: &[],
        careplan: None,
        follow_up: None,
        follow_ups_per_year: 0.0,
    },
    ChronicDef {
        kind: Chronic::BackPain,
        code: code("278860009", "Chronic low back pain (finding)"),
        base_risk: 0.12,
        onset_mean: 40.0,
        onset_sd: 12.0,
        onset_min: 18.0,
        meds: &[(
            med("849574", "Naproxen sodium 220 MG Oral Tablet", 964),
            1.0,
        )],
        careplan: Some(code("408580007", "Physical activity target light exercise")),
        follow_up: None,
        follow_ups_per_year: 0.0,
    },
];

/// Diabetic complications (condition rows added to some diabetics).
pub(crate) static DIABETIC_COMPLICATIONS: &[Code] = &[
    code(
        "368581000119106",
        "Neuropathy due to type 2 diabetes mellitus (disorder)",
    ),
    code(
        "127013003",
        "Disorder of kidney due to diabetes mellitus (disorder)",
    ),
    code(
        "1551000119108",
        "Nonproliferative diabetic retinopathy due to type 2 diabetes mellitus (disorder)",
    ),
];

/// Social-determinant findings recorded at wellness visits (frequent in 3.x exports).
pub(crate) static SDOH_FINDINGS: &[Code] = &[
    code("160903007", "Full-time employment (finding)"),
    code("73595000", "Stress (finding)"),
    code("160904001", "Part-time employment (finding)"),
    code("423315002", "Limited social contact (finding)"),
    code("314529007", "Medication review due (situation)"),
    code("224299000", "Received higher education (finding)"),
    code("741062008", "Not in labor force (finding)"),
    code("422650009", "Social isolation (finding)"),
];

// ---------------------------------------------------------------- acute episodes
/// Where an acute episode is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Setting {
    Ambulatory,
    Outpatient,
    Urgent,
    Emergency,
}

/// An imaging study attached to an acute episode.
#[derive(Debug)]
pub(crate) struct Imaging {
    pub(crate) bodysite: Code,
    pub(crate) procedure_code: &'static str,
}

/// A self-limiting condition treated in one visit.
#[derive(Debug)]
pub(crate) struct AcuteDef {
    pub(crate) code: Code,
    pub(crate) min_age: f64,
    pub(crate) max_age: f64,
    pub(crate) weight: f64,
    pub(crate) setting: Setting,
    pub(crate) duration_days: (i64, i64),
    pub(crate) meds: &'static [(Med, f64)],
    pub(crate) procedure: Option<(Code, i64)>,
    pub(crate) imaging: Option<Imaging>,
    pub(crate) careplan: Option<Code>,
    /// Earliest year the condition exists (COVID-19).
    pub(crate) from_year: i64,
}

const FRACTURE_CARE: Code = code("385691007", "Fracture care");

pub(crate) static ACUTE: &[AcuteDef] = &[
    AcuteDef {
        code: code("444814009", "Viral sinusitis (disorder)"),
        min_age: 2.0,
        max_age: 110.0,
        weight: 8.0,
        setting: Setting::Ambulatory,
        duration_days: (7, 21),
        meds: &[(
            med(
                "562251",
                "Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet",
                2_263,
            ),
            0.4,
        )],
        procedure: None,
        imaging: None,
        careplan: None,
        from_year: 0,
    },
    AcuteDef {
        code: code("195662009", "Acute viral pharyngitis (disorder)"),
        min_age: 2.0,
        max_age: 110.0,
        weight: 6.0,
        setting: Setting::Ambulatory,
        duration_days: (7, 14),
        meds: &[(med("313782", "Acetaminophen 325 MG Oral Tablet", 605), 0.5)],
        procedure: Some((code("117015009", "Throat culture (procedure)"), 263_503)),
        imaging: None,
        careplan: None,
        from_year: 0,
    },
    AcuteDef {
        code: code("10509002", "Acute bronchitis (disorder)"),
        min_age: 1.0,
        max_age: 110.0,
        weight: 4.0,
        setting: Setting::Ambulatory,
        duration_days: (7, 28),
        meds: &[(
            med(
                "1043400",
                "Acetaminophen 21.7 MG/ML / Dextromethorphan Hydrobromide 1 MG/ML / doxylamine succinate 0.417 MG/ML Oral Solution",
                1_225,
            ),
            0.5,
        )],
        procedure: Some((
            code(
                "23426006",
                "Measurement of respiratory function (procedure)",
            ),
            58_712,
        )),
        imaging: None,
        careplan: Some(code("53950000", "Respiratory therapy")),
        from_year: 0,
    },
    AcuteDef {
        code: code("65363002", "Otitis media"),
        min_age: 0.3,
        max_age: 10.0,
        weight: 8.0,
        setting: Setting::Outpatient,
        duration_days: (10, 90),
        meds: &[
            (med("308192", "Amoxicillin 500 MG Oral Tablet", 29_082), 0.7),
            (med("198405", "Ibuprofen 100 MG Oral Tablet", 41_670), 0.6),
        ],
        procedure: None,
        imaging: None,
        careplan: None,
        from_year: 0,
    },
    AcuteDef {
        code: code("43878008", "Streptococcal sore throat (disorder)"),
        min_age: 3.0,
        max_age: 60.0,
        weight: 2.0,
        setting: Setting::Ambulatory,
        duration_days: (7, 14),
        meds: &[(
            med("834061", "Penicillin V Potassium 250 MG Oral Tablet", 1_530),
            1.0,
        )],
        procedure: Some((code("117015009", "Throat culture (procedure)"), 263_503)),
        imaging: None,
        careplan: None,
        from_year: 0,
    },
    AcuteDef {
        code: code("301011002", "Escherichia coli urinary tract infection"),
        min_age: 12.0,
        max_age: 110.0,
        weight: 2.0,
        setting: Setting::Outpatient,
        duration_days: (7, 14),
        meds: &[(med("308182", "Amoxicillin 250 MG Oral Capsule", 1_214), 1.0)],
        procedure: Some((
            code("167217005", "Urine screening test for diabetes (procedure)"),
            41_524,
        )),
        imaging: None,
        careplan: None,
        from_year: 0,
    },
    AcuteDef {
        code: code("44465007", "Sprain of ankle"),
        min_age: 8.0,
        max_age: 80.0,
        weight: 2.0,
        setting: Setting::Urgent,
        duration_days: (14, 42),
        meds: &[(med("310965", "Ibuprofen 200 MG Oral Tablet", 541), 0.8)],
        procedure: None,
        imaging: None,
        careplan: Some(code("91251008", "Physical therapy procedure")),
        from_year: 0,
    },
    AcuteDef {
        code: code("65966004", "Fracture of forearm"),
        min_age: 4.0,
        max_age: 100.0,
        weight: 1.0,
        setting: Setting::Emergency,
        duration_days: (42, 90),
        meds: &[(
            med("849574", "Naproxen sodium 220 MG Oral Tablet", 964),
            0.7,
        )],
        procedure: Some((
            code("305428000", "Admission to orthopedic department"),
            203_200,
        )),
        imaging: Some(Imaging {
            bodysite: code("8205005", "Wrist"),
            procedure_code: "60027007",
        }),
        careplan: Some(FRACTURE_CARE),
        from_year: 0,
    },
    AcuteDef {
        code: code("58150001", "Fracture of clavicle"),
        min_age: 4.0,
        max_age: 100.0,
        weight: 0.7,
        setting: Setting::Emergency,
        duration_days: (42, 90),
        meds: &[(med("313782", "Acetaminophen 325 MG Oral Tablet", 605), 0.7)],
        procedure: None,
        imaging: Some(Imaging {
            bodysite: code("51299004", "Clavicle"),
            procedure_code: "168594001",
        }),
        careplan: Some(FRACTURE_CARE),
        from_year: 0,
    },
    AcuteDef {
        code: code("39848009", "Whiplash injury to neck"),
        min_age: 16.0,
        max_age: 90.0,
        weight: 0.8,
        setting: Setting::Emergency,
        duration_days: (14, 60),
        meds: &[(med("310965", "Ibuprofen 200 MG Oral Tablet", 541), 0.6)],
        procedure: None,
        imaging: None,
        careplan: None,
        from_year: 0,
    },
    AcuteDef {
        code: code("62106007", "Concussion with no loss of consciousness"),
        min_age: 5.0,
        max_age: 90.0,
        weight: 0.6,
        setting: Setting::Emergency,
        duration_days: (7, 30),
        meds: &[],
        procedure: None,
        imaging: None,
        careplan: Some(code("47387005", "Head injury rehabilitation")),
        from_year: 0,
    },
    AcuteDef {
        code: code("840539006", "COVID-19"),
        min_age: 0.0,
        max_age: 110.0,
        weight: 3.0,
        setting: Setting::Outpatient,
        duration_days: (10, 30),
        meds: &[],
        procedure: Some((
            code("165829005", "Gas exchange measurement (procedure)"),
            23_112,
        )),
        imaging: None,
        careplan: Some(code(
            "736376001",
            "Infectious disease care plan (record artifact)",
        )),
        from_year: 2020,
    },
];

/// Reasons for inpatient stays without a matching chronic disease.
pub(crate) static ADMISSION_REASONS: &[Code] = &[
    code("233604007", "Pneumonia (disorder)"),
    code("230690007", "Stroke"),
    code("22298006", "Myocardial infarction (disorder)"),
    code("74400008", "Appendicitis"),
    code("359817006", "Closed fracture of hip"),
    code("55680006", "Drug overdose"),
    code("389087006", "Hypoxemia (disorder)"),
];

/// Procedures performed during inpatient stays.
pub(crate) static INPATIENT_PROCEDURES: &[(Code, i64)] = &[
    (code("399208008", "Plain chest X-ray (procedure)"), 38_510),
    (
        code("449868002", "Smoking cessation therapy (procedure)"),
        20_211,
    ),
    (
        code(
            "410401003",
            "Nursing care/supplementary surveillance (regime/therapy)",
        ),
        52_305,
    ),
    (
        code("52052004", "Rehabilitation therapy (regime/therapy)"),
        48_290,
    ),
    (
        code("182813001", "Emergency treatment (procedure)"),
        113_240,
    ),
];

/// An inpatient care plan.
pub(crate) const INPATIENT_CAREPLAN: Code =
    code("736353004", "Inpatient care plan (record artifact)");

/// Wellness-visit procedures with base costs.
pub(crate) const PROC_SDOH: (Code, i64) = (
    code(
        "710824005",
        "Assessment of health and social care needs (procedure)",
    ),
    43_140,
);
pub(crate) const PROC_DEPRESSION: (Code, i64) = (
    code("171207006", "Depression screening (procedure)"),
    43_140,
);
pub(crate) const PROC_PHQ2: (Code, i64) = (
    code(
        "454711000124102",
        "Depression screening using Patient Health Questionnaire Two-Item score (procedure)",
    ),
    43_140,
);
pub(crate) const PROC_SUBSTANCE: (Code, i64) = (
    code("428211000124100", "Assessment of substance use (procedure)"),
    43_140,
);
pub(crate) const PROC_MED_RECONCILIATION: (Code, i64) = (
    code("430193006", "Medication Reconciliation (procedure)"),
    54_371,
);
pub(crate) const PROC_HISTORY_EXAM: (Code, i64) = (
    code(
        "67879005",
        "History and physical examination  limited (procedure)",
    ),
    12_580,
);
pub(crate) const PROC_HOSPICE: (Code, i64) =
    (code("385763009", "Hospice care (regime/therapy)"), 47_210);
pub(crate) const PROC_REHAB: (Code, i64) = (
    code("52052004", "Rehabilitation therapy (regime/therapy)"),
    48_290,
);
pub(crate) const PROC_HBA1C: (Code, i64) = (
    code("43396009", "Hemoglobin A1c measurement (procedure)"),
    8_710,
);

// ---------------------------------------------------------------- observations
/// An observation type.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Obs {
    pub(crate) category: &'static str,
    pub(crate) code: &'static str,
    pub(crate) desc_v3: &'static str,
    pub(crate) desc_v2: &'static str,
    pub(crate) units: &'static str,
}

const fn obs(
    category: &'static str,
    code: &'static str,
    desc_v3: &'static str,
    desc_v2: &'static str,
    units: &'static str,
) -> Obs {
    Obs {
        category,
        code,
        desc_v3,
        desc_v2,
        units,
    }
}

pub(crate) const OBS_HEIGHT: Obs = obs("vital-signs", "8302-2", "Body Height", "Body Height", "cm");
pub(crate) const OBS_PAIN: Obs = obs(
    "vital-signs",
    "72514-3",
    "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    "{score}",
);
pub(crate) const OBS_WEIGHT: Obs =
    obs("vital-signs", "29463-7", "Body Weight", "Body Weight", "kg");
pub(crate) const OBS_BMI: Obs = obs(
    "vital-signs",
    "39156-5",
    "Body mass index (BMI) [Ratio]",
    "Body Mass Index",
    "kg/m2",
);
pub(crate) const OBS_DIASTOLIC: Obs = obs(
    "vital-signs",
    "8462-4",
    "Diastolic Blood Pressure",
    "Diastolic Blood Pressure",
    "mm[Hg]",
);
pub(crate) const OBS_SYSTOLIC: Obs = obs(
    "vital-signs",
    "8480-6",
    "Systolic Blood Pressure",
    "Systolic Blood Pressure",
    "mm[Hg]",
);
pub(crate) const OBS_HEART_RATE: Obs =
    obs("vital-signs", "8867-4", "Heart rate", "Heart rate", "/min");
pub(crate) const OBS_RESP_RATE: Obs = obs(
    "vital-signs",
    "9279-1",
    "Respiratory rate",
    "Respiratory rate",
    "/min",
);
pub(crate) const OBS_SPO2: Obs = obs(
    "vital-signs",
    "2708-6",
    "Oxygen saturation in Arterial blood",
    "Oxygen saturation in Arterial blood",
    "%",
);
pub(crate) const OBS_TEMPERATURE: Obs = obs(
    "vital-signs",
    "8310-5",
    "Body temperature",
    "Body temperature",
    "Cel",
);
pub(crate) const OBS_CHOLESTEROL: Obs = obs(
    "laboratory",
    "2093-3",
    "Cholesterol [Mass/volume] in Serum or Plasma",
    "Total Cholesterol",
    "mg/dL",
);
pub(crate) const OBS_TRIGLYCERIDES: Obs = obs(
    "laboratory",
    "2571-8",
    "Triglycerides",
    "Triglycerides",
    "mg/dL",
);
pub(crate) const OBS_LDL: Obs = obs(
    "laboratory",
    "18262-6",
    "Low Density Lipoprotein Cholesterol",
    "Low Density Lipoprotein Cholesterol",
    "mg/dL",
);
pub(crate) const OBS_HDL: Obs = obs(
    "laboratory",
    "2085-9",
    "Cholesterol in HDL [Mass/volume] in Serum or Plasma",
    "High Density Lipoprotein Cholesterol",
    "mg/dL",
);
pub(crate) const OBS_HBA1C: Obs = obs(
    "laboratory",
    "4548-4",
    "Hemoglobin A1c/Hemoglobin.total in Blood",
    "Hemoglobin A1c/Hemoglobin.total in Blood",
    "%",
);
pub(crate) const OBS_GLUCOSE: Obs = obs(
    "laboratory",
    "2339-0",
    "Glucose [Mass/volume] in Blood",
    "Glucose",
    "mg/dL",
);
pub(crate) const OBS_CREATININE: Obs = obs(
    "laboratory",
    "38483-4",
    "Creatinine [Mass/volume] in Blood",
    "Creatinine",
    "mg/dL",
);
pub(crate) const OBS_UREA: Obs = obs(
    "laboratory",
    "6299-2",
    "Urea nitrogen [Mass/volume] in Blood",
    "Urea Nitrogen",
    "mg/dL",
);
pub(crate) const OBS_SODIUM: Obs = obs(
    "laboratory",
    "2947-0",
    "Sodium [Moles/volume] in Blood",
    "Sodium",
    "mmol/L",
);
pub(crate) const OBS_POTASSIUM: Obs = obs(
    "laboratory",
    "6298-4",
    "Potassium [Moles/volume] in Blood",
    "Potassium",
    "mmol/L",
);
pub(crate) const OBS_CALCIUM: Obs = obs(
    "laboratory",
    "49765-1",
    "Calcium [Mass/volume] in Blood",
    "Calcium",
    "mg/dL",
);
pub(crate) const OBS_EGFR: Obs = obs(
    "laboratory",
    "33914-3",
    "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma by Creatinine-based formula (MDRD)",
    "Estimated Glomerular Filtration Rate",
    "mL/min/{1.73_m2}",
);
pub(crate) const OBS_HEMOGLOBIN: Obs = obs(
    "laboratory",
    "718-7",
    "Hemoglobin [Mass/volume] in Blood",
    "Hemoglobin [Mass/volume] in Blood",
    "g/dL",
);
pub(crate) const OBS_TOBACCO: Obs = obs(
    "social-history",
    "72166-2",
    "Tobacco smoking status",
    "Tobacco smoking status NHIS",
    "",
);
pub(crate) const OBS_PHQ2: Obs = obs(
    "survey",
    "55758-7",
    "Patient Health Questionnaire 2 item (PHQ-2) total score [Reported]",
    "Patient Health Questionnaire 2 item (PHQ-2) total score [Reported]",
    "{score}",
);
pub(crate) const OBS_GAD7: Obs = obs(
    "survey",
    "70274-6",
    "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
    "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
    "{score}",
);
pub(crate) const OBS_HOUSEHOLD: Obs = obs(
    "survey",
    "63512-8",
    "How many people are living or staying at this address?",
    "How many people are living or staying at this address?",
    "{#}",
);
pub(crate) const OBS_QALY: Obs = obs("", "QALY", "QALY", "QALY", "a");
pub(crate) const OBS_DALY: Obs = obs("", "DALY", "DALY", "DALY", "a");
pub(crate) const OBS_QOLS: Obs = obs("", "QOLS", "QOLS", "QOLS", "{score}");

/// Text-valued survey items with their answer options.
pub(crate) static SURVEY_TEXT: &[(Obs, &[&str])] = &[
    (
        obs("survey", "71802-3", "Housing status", "Housing status", ""),
        &[
            "I have housing",
            "I do not have housing (staying with others  in a hotel  in a shelter  living outside on the street  on a beach  in a car  or in a park)",
        ],
    ),
    (
        obs(
            "survey",
            "67875-5",
            "Employment status - current",
            "Employment status - current",
            "",
        ),
        &[
            "Full-time work",
            "Part-time or temporary work",
            "Unemployed",
            "Otherwise unemployed but not seeking work (ex: student  retired  disabled  unpaid primary care giver)",
        ],
    ),
    (
        obs("survey", "93038-8", "Stress level", "Stress level", ""),
        &[
            "Not at all",
            "A little bit",
            "Somewhat",
            "Quite a bit",
            "Very much",
        ],
    ),
    (
        obs(
            "survey",
            "82589-3",
            "Highest level of education",
            "Highest level of education",
            "",
        ),
        &[
            "Less than high school degree",
            "High school diploma or GED",
            "More than high school",
        ],
    ),
    (
        obs(
            "survey",
            "54899-0",
            "Preferred language",
            "Preferred language",
            "",
        ),
        &["English", "Spanish", "Portuguese", "Chinese"],
    ),
    (
        obs(
            "survey",
            "93033-9",
            "Are you worried about losing your housing?",
            "Are you worried about losing your housing?",
            "",
        ),
        &["No", "Yes"],
    ),
];

/// Tobacco smoking status answers (text observation).
pub(crate) static TOBACCO_ANSWERS: &[&str] = &[
    "Never smoked tobacco (finding)",
    "Ex-smoker (finding)",
    "Smokes tobacco daily (finding)",
];

// ---------------------------------------------------------------- immunizations (CVX)
pub(crate) const IMM_FLU: Code = code("140", "Influenza  seasonal  injectable  preservative free");
pub(crate) const IMM_TD: Code = code(
    "113",
    "Td (adult)  5 Lf tetanus toxoid  preservative free  adsorbed",
);
pub(crate) const IMM_COVID: Code = code(
    "208",
    "SARS-COV-2 (COVID-19) vaccine  mRNA  spike protein  LNP  preservative free  30 mcg/0.3mL dose",
);
pub(crate) const IMM_PNEUMO: Code = code("33", "pneumococcal polysaccharide vaccine  23 valent");
pub(crate) const IMM_ZOSTER: Code = code("121", "zoster");

/// Childhood schedule: (age in months, vaccines).
pub(crate) static CHILD_SCHEDULE: &[(i64, &[Code])] = &[
    (0, &[code("08", "Hep B  adolescent or pediatric")]),
    (
        2,
        &[
            code("10", "IPV"),
            code("20", "DTaP"),
            code("49", "Hib (PRP-OMP)"),
            code("133", "Pneumococcal conjugate PCV 13"),
            code("119", "rotavirus  monovalent"),
        ],
    ),
    (
        4,
        &[
            code("10", "IPV"),
            code("20", "DTaP"),
            code("49", "Hib (PRP-OMP)"),
            code("133", "Pneumococcal conjugate PCV 13"),
        ],
    ),
    (
        6,
        &[
            code("08", "Hep B  adolescent or pediatric"),
            code("20", "DTaP"),
            code("133", "Pneumococcal conjugate PCV 13"),
        ],
    ),
    (
        12,
        &[
            code("03", "MMR"),
            code("21", "varicella"),
            code("83", "Hep A  ped/adol  2 dose"),
        ],
    ),
    (15, &[code("20", "DTaP"), code("49", "Hib (PRP-OMP)")]),
    (
        48,
        &[
            code("10", "IPV"),
            code("20", "DTaP"),
            code("03", "MMR"),
            code("21", "varicella"),
        ],
    ),
    (
        132,
        &[
            code("115", "Tdap"),
            code("114", "meningococcal MCV4P"),
            code("62", "HPV  quadrivalent"),
        ],
    ),
];

// ---------------------------------------------------------------- allergies
/// An allergy with system, type and category.
#[derive(Debug)]
pub(crate) struct AllergyDef {
    pub(crate) code: Code,
    pub(crate) system: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) category: &'static str,
}

pub(crate) static ALLERGIES: &[AllergyDef] = &[
    AllergyDef {
        code: code("419199007", "Allergy to substance (finding)"),
        system: "SNOMED-CT",
        kind: "allergy",
        category: "environment",
    },
    AllergyDef {
        code: code("84489001", "Mold (organism)"),
        system: "SNOMED-CT",
        kind: "allergy",
        category: "environment",
    },
    AllergyDef {
        code: code("256277009", "Grass pollen (substance)"),
        system: "SNOMED-CT",
        kind: "allergy",
        category: "environment",
    },
    AllergyDef {
        code: code("260147004", "House dust mite (organism)"),
        system: "SNOMED-CT",
        kind: "allergy",
        category: "environment",
    },
    AllergyDef {
        code: code("264287008", "Animal dander (substance)"),
        system: "SNOMED-CT",
        kind: "allergy",
        category: "environment",
    },
    AllergyDef {
        code: code("762952008", "Peanut (substance)"),
        system: "SNOMED-CT",
        kind: "allergy",
        category: "food",
    },
    AllergyDef {
        code: code("102263004", "Eggs (edible) (substance)"),
        system: "SNOMED-CT",
        kind: "intolerance",
        category: "food",
    },
    AllergyDef {
        code: code("3718001", "Cow's milk (substance)"),
        system: "SNOMED-CT",
        kind: "intolerance",
        category: "food",
    },
    AllergyDef {
        code: code("7980", "Penicillin G"),
        system: "RxNorm",
        kind: "allergy",
        category: "medication",
    },
    AllergyDef {
        code: code("10831", "Sulfamethoxazole / Trimethoprim"),
        system: "RxNorm",
        kind: "allergy",
        category: "medication",
    },
];

pub(crate) static REACTIONS: &[Code] = &[
    code("267101005", "Nose running"),
    code("247472004", "Wheal (finding)"),
    code("271807003", "Eruption of skin (disorder)"),
    code("878820003", "Rhinoconjunctivitis (disorder)"),
    code("49727002", "Cough (finding)"),
    code("267036007", "Dyspnea (finding)"),
    code("39579001", "Anaphylaxis (disorder)"),
];

// ---------------------------------------------------------------- devices, supplies, imaging
pub(crate) const DEVICE_GLUCOSE_METER: Code =
    code("337414009", "Blood glucose meter (physical object)");
pub(crate) const DEVICE_NEBULIZER: Code = code("170615005", "Home nebulizer (physical object)");
pub(crate) const SUPPLY_STRIPS: Code = code(
    "337388004",
    "Blood glucose testing strips (physical object)",
);
pub(crate) const SUPPLY_LANCET: Code = code("1137596000", "Blood lancet (physical object)");
pub(crate) const SUPPLY_GLOVES: Code = code(
    "713779008",
    "Nitrile examination/treatment glove  non-powdered  sterile (physical object)",
);
pub(crate) const SUPPLY_RESPIRATOR: Code = code(
    "409534002",
    "Disposable air-purifying respirator (physical object)",
);
pub(crate) const SUPPLY_GOWN: Code =
    code("469673003", "Isolation gown  single-use (physical object)");
pub(crate) const SOP_DX: Code = code("1.2.840.10008.5.1.4.1.1.1.1", "Digital X-Ray Image Storage");
