//! Clinical vocabularies: SNOMED-CT conditions, encounter types, procedures, care plans,
//! devices and supplies; RxNorm medications; LOINC observations; CVX immunizations; DICOM
//! imaging. Codes and descriptions are those Synthea writes (checked against the real
//! exports), kept as text (`"08"`, 17-digit SNOMED codes).

use crate::reference::modules::Chronic;

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

/// A medication with base cost per dispense (cents).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Med {
    pub(crate) code: Code,
    pub(crate) cost: i64,
}

/// A medication from its RxNorm code, description and base cost per dispense (cents).
pub(crate) const fn med(c: &'static str, d: &'static str, cost: i64) -> Med {
    Med {
        code: code(c, d),
        cost,
    }
}

/// Rarer social-determinant findings (one in about four adult wellness visits).
pub(crate) static SDOH_RARE_FINDINGS: &[Code] = &[
    code("706893006", "Victim of intimate partner abuse (finding)"),
    code("160968000", "Risk activity involvement (finding)"),
    code(
        "5251000175109",
        "Received certificate of high school equivalency (finding)",
    ),
    code(
        "424393004",
        "Reports of violence in the environment (finding)",
    ),
    code("266948004", "Has a criminal record (finding)"),
    code("73438004", "Unemployed (finding)"),
    code("105531004", "Housing unsatisfactory (finding)"),
    code("361055000", "Misuses drugs (finding)"),
    code("446654005", "Refugee (person)"),
    code("266934004", "Transport problems (finding)"),
    code("713458007", "Lack of access to transportation (finding)"),
    code(
        "224295006",
        "Only received primary school education (finding)",
    ),
];

/// Screening procedures of wellness visits: (procedure and base cost, minimum and
/// maximum age, probability), as real 3.x exports record them.
pub(crate) static WELLNESS_SCREENINGS: &[((Code, i64), f64, f64, f64)] = &[
    (
        (
            code("710841007", "Assessment of anxiety (procedure)"),
            43_140,
        ),
        12.0,
        200.0,
        0.6,
    ),
    (
        (
            code(
                "763302001",
                "Assessment using Alcohol Use Disorders Identification Test - Consumption (procedure)",
            ),
            43_140,
        ),
        18.0,
        200.0,
        0.3,
    ),
    (
        (
            code("866148006", "Screening for domestic abuse (procedure)"),
            43_140,
        ),
        14.0,
        200.0,
        0.3,
    ),
    (
        (
            code("713106006", "Screening for drug abuse (procedure)"),
            43_140,
        ),
        14.0,
        200.0,
        0.3,
    ),
    (
        (
            code("762993000", "Assessment using Morse Fall Scale (procedure)"),
            60_050,
        ),
        65.0,
        200.0,
        0.7,
    ),
    (
        (
            code(
                "868187001",
                "Assessment using Car  Relax  Alone  Forget  Friends  Trouble Screening Test (procedure)",
            ),
            43_140,
        ),
        12.0,
        18.0,
        0.7,
    ),
    (
        (
            code("386516004", "Anticipatory guidance (procedure)"),
            43_140,
        ),
        0.0,
        12.0,
        0.6,
    ),
    (
        (
            code(
                "715252007",
                "Depression screening using Patient Health Questionnaire Nine Item score (procedure)",
            ),
            3_091,
        ),
        18.0,
        200.0,
        0.2,
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
    /// Only from November to March (influenza).
    pub(crate) winter: bool,
    /// An injury: an analgesic is prescribed without a reason, as Synthea's injuries
    /// module does.
    pub(crate) injury: bool,
}

/// Defaults of an acute episode row.
const ACUTE_BASE: AcuteDef = AcuteDef {
    code: code("", ""),
    min_age: 0.0,
    max_age: 110.0,
    weight: 1.0,
    setting: Setting::Ambulatory,
    duration_days: (7, 14),
    meds: &[],
    procedure: None,
    imaging: None,
    careplan: None,
    from_year: 0,
    winter: false,
    injury: false,
};
const WOUND_CARE: Code = code("225358003", "Wound care");
const SUTURE: (Code, i64) = (code("288086009", "Suture open wound"), 84_621);
const IMMOBILIZATION: (Code, i64) = (code("274474001", "Bone immobilization"), 43_140);
const PHYSIO: Code = code("773513001", "Physiotherapy care plan (record artifact)");

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
        winter: false,
        injury: false,
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
        winter: false,
        injury: false,
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
        winter: false,
        injury: false,
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
        winter: false,
        injury: false,
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
        winter: false,
        injury: false,
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
        winter: false,
        injury: false,
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
        winter: false,
        injury: true,
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
        winter: false,
        injury: true,
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
        winter: false,
        injury: true,
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
        winter: false,
        injury: true,
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
        winter: false,
        injury: true,
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
        winter: false,
        injury: false,
    },
    AcuteDef {
        code: code("6142004", "Influenza (disorder)"),
        weight: 5.0,
        duration_days: (5, 14),
        meds: &[(med("313782", "Acetaminophen 325 MG Oral Tablet", 605), 0.6)],
        winter: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("233604007", "Pneumonia (disorder)"),
        weight: 1.2,
        setting: Setting::Urgent,
        duration_days: (14, 30),
        meds: &[(
            med("141962", "Azithromycin 250 MG Oral Capsule", 26_078),
            0.9,
        )],
        procedure: Some((code("399208008", "Plain chest X-ray (procedure)"), 73_520)),
        careplan: Some(code("53950000", "Respiratory therapy")),
        winter: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("38822007", "Cystitis"),
        min_age: 12.0,
        weight: 1.5,
        setting: Setting::Outpatient,
        meds: &[
            (
                med("311989", "Nitrofurantoin 5 MG/ML Oral Suspension", 47_137),
                0.7,
            ),
            (
                med(
                    "1094107",
                    "Phenazopyridine hydrochloride 100 MG Oral Tablet",
                    4_619,
                ),
                0.5,
            ),
        ],
        procedure: Some((
            code(
                "441550005",
                "Urinalysis with reflex to microscopy and culture (procedure)",
            ),
            43_140,
        )),
        careplan: Some(code("869761000000107", "Urinary tract infection care")),
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("307426000", "Acute infective cystitis (disorder)"),
        min_age: 12.0,
        weight: 0.8,
        setting: Setting::Outpatient,
        meds: &[(med("197454", "cephalexin 500 MG Oral Tablet", 12_994), 0.9)],
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("75498004", "Acute bacterial sinusitis (disorder)"),
        min_age: 2.0,
        weight: 2.0,
        duration_days: (10, 21),
        meds: &[(
            med(
                "562251",
                "Amoxicillin 250 MG / Clavulanate 125 MG Oral Tablet",
                16_080,
            ),
            0.8,
        )],
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("36971009", "Sinusitis (disorder)"),
        min_age: 2.0,
        weight: 1.5,
        meds: &[(med("1649987", "doxycycline hyclate 100 MG", 2_301), 0.3)],
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("283385000", "Laceration of thigh"),
        min_age: 3.0,
        weight: 0.5,
        setting: Setting::Urgent,
        duration_days: (14, 28),
        procedure: Some(SUTURE),
        careplan: Some(WOUND_CARE),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("283371005", "Laceration of forearm"),
        min_age: 3.0,
        weight: 0.5,
        setting: Setting::Urgent,
        duration_days: (14, 28),
        procedure: Some(SUTURE),
        careplan: Some(WOUND_CARE),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("284549007", "Laceration of hand"),
        min_age: 3.0,
        weight: 0.5,
        setting: Setting::Urgent,
        duration_days: (14, 28),
        procedure: Some(SUTURE),
        careplan: Some(WOUND_CARE),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("284551006", "Laceration of foot"),
        min_age: 3.0,
        weight: 0.5,
        setting: Setting::Urgent,
        duration_days: (14, 28),
        procedure: Some(SUTURE),
        careplan: Some(WOUND_CARE),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("370247008", "Facial laceration"),
        min_age: 2.0,
        weight: 0.5,
        setting: Setting::Emergency,
        duration_days: (14, 28),
        procedure: Some(SUTURE),
        careplan: Some(WOUND_CARE),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("16114001", "Fracture of ankle"),
        min_age: 6.0,
        weight: 0.6,
        setting: Setting::Emergency,
        duration_days: (42, 90),
        meds: &[(med("310965", "Ibuprofen 200 MG Oral Tablet", 2_739), 0.6)],
        procedure: Some(IMMOBILIZATION),
        imaging: Some(Imaging {
            bodysite: code("70258002", "Ankle joint structure"),
            procedure_code: "19490002",
        }),
        careplan: Some(FRACTURE_CARE),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("33737001", "Fracture of rib"),
        min_age: 16.0,
        weight: 0.4,
        setting: Setting::Emergency,
        duration_days: (42, 90),
        meds: &[(
            med(
                "856987",
                "Acetaminophen 300 MG / Hydrocodone Bitartrate 5 MG Oral Tablet",
                103_900,
            ),
            0.4,
        )],
        procedure: Some(IMMOBILIZATION),
        careplan: Some(FRACTURE_CARE),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("263102004", "Fracture subluxation of wrist"),
        min_age: 6.0,
        weight: 0.4,
        setting: Setting::Emergency,
        duration_days: (42, 90),
        procedure: Some(IMMOBILIZATION),
        careplan: Some(FRACTURE_CARE),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("70704007", "Sprain of wrist"),
        min_age: 8.0,
        max_age: 80.0,
        weight: 1.0,
        setting: Setting::Urgent,
        duration_days: (14, 42),
        meds: &[(med("310965", "Ibuprofen 200 MG Oral Tablet", 2_739), 0.6)],
        careplan: Some(PHYSIO),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("444470001", "Injury of anterior cruciate ligament"),
        min_age: 14.0,
        max_age: 60.0,
        weight: 0.3,
        setting: Setting::Urgent,
        duration_days: (60, 180),
        careplan: Some(PHYSIO),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("403190006", "First degree burn"),
        weight: 0.5,
        setting: Setting::Urgent,
        duration_days: (7, 21),
        careplan: Some(code("133901003", "Burn care")),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("62564004", "Concussion with loss of consciousness"),
        min_age: 5.0,
        weight: 0.3,
        setting: Setting::Emergency,
        duration_days: (14, 45),
        careplan: Some(code("47387005", "Head injury rehabilitation")),
        injury: true,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("196416002", "Impacted molars"),
        min_age: 16.0,
        max_age: 30.0,
        weight: 1.2,
        setting: Setting::Outpatient,
        duration_days: (7, 21),
        meds: &[(
            med(
                "856987",
                "Acetaminophen 300 MG / Hydrocodone Bitartrate 5 MG Oral Tablet",
                103_900,
            ),
            0.6,
        )],
        procedure: Some((code("65546002", "Extraction of wisdom tooth"), 165_971)),
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("80967001", "Dental caries (disorder)"),
        min_age: 3.0,
        weight: 1.5,
        setting: Setting::Outpatient,
        duration_days: (7, 30),
        procedure: Some((
            code("234947003", "Dental consultation and report (procedure)"),
            13_620,
        )),
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("66383009", "Gingivitis (disorder)"),
        min_age: 12.0,
        weight: 1.0,
        setting: Setting::Outpatient,
        duration_days: (14, 60),
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("241929008", "Acute allergic reaction"),
        weight: 0.5,
        setting: Setting::Emergency,
        duration_days: (1, 7),
        meds: &[
            (med("312617", "predniSONE 5 MG Oral Tablet", 1_210), 0.6),
            (
                med(
                    "1049630",
                    "diphenhydrAMINE Hydrochloride 25 MG Oral Tablet",
                    448,
                ),
                0.6,
            ),
        ],
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("74400008", "Appendicitis"),
        min_age: 5.0,
        max_age: 60.0,
        weight: 0.25,
        setting: Setting::Emergency,
        duration_days: (14, 30),
        procedure: Some((code("80146002", "Appendectomy"), 1_435_478)),
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("132281000119108", "Acute deep venous thrombosis (disorder)"),
        min_age: 30.0,
        weight: 0.3,
        setting: Setting::Emergency,
        duration_days: (60, 120),
        meds: &[(
            med(
                "854235",
                "0.4 ML Enoxaparin sodium 100 MG/ML Prefilled Syringe",
                3_134,
            ),
            0.9,
        )],
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("840544004", "Suspected COVID-19"),
        weight: 2.0,
        setting: Setting::Outpatient,
        duration_days: (3, 10),
        procedure: Some((code("261352009", "Face mask (physical object)"), 88)),
        from_year: 2020,
        ..ACUTE_BASE
    },
    AcuteDef {
        code: code("40275004", "Contact dermatitis"),
        weight: 0.6,
        duration_days: (7, 21),
        meds: &[(
            med("106258", "Hydrocortisone 10 MG/ML Topical Cream", 514),
            0.8,
        )],
        ..ACUTE_BASE
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
/// The care of a skilled nursing stay, one every other day.
pub(crate) static SNF_CARE: &[(Code, i64)] = &[
    (
        code(
            "410401003",
            "Nursing care/supplementary surveillance (regime/therapy)",
        ),
        18_210,
    ),
    (
        code("84478008", "Occupational therapy (regime/therapy)"),
        29_380,
    ),
    (
        code("91251008", "Physical therapy procedure (regime/therapy)"),
        35_261,
    ),
    (
        code(
            "311555007",
            "Speech and language therapy regime (regime/therapy)",
        ),
        31_520,
    ),
    (
        code(
            "409023009",
            "Professional / ancillary services care (regime/therapy)",
        ),
        16_440,
    ),
];
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
/// The cause of death on the death certificate (text value).
pub(crate) const OBS_CAUSE_OF_DEATH: Obs = obs(
    "exam",
    "69453-9",
    "Cause of Death [US Standard Certificate of Death]",
    "Cause of Death [US Standard Certificate of Death]",
    "",
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
    (
        obs(
            "survey",
            "76501-6",
            "Within the last year  have you been afraid of your partner or ex-partner?",
            "Within the last year  have you been afraid of your partner or ex-partner?",
            "",
        ),
        &["No", "Yes"],
    ),
    (
        obs(
            "survey",
            "93026-3",
            "Do you feel physically and emotionally safe where you currently live?",
            "Do you feel physically and emotionally safe where you currently live?",
            "",
        ),
        &["Yes", "No"],
    ),
    (
        obs(
            "survey",
            "93027-1",
            "Are you a refugee?",
            "Are you a refugee?",
            "",
        ),
        &["No", "Yes"],
    ),
    (
        obs(
            "survey",
            "93028-9",
            "In the past year  have you spent more than 2 nights in a row in a jail  prison  detention center  or juvenile correctional facility?",
            "In the past year  have you spent more than 2 nights in a row in a jail  prison  detention center  or juvenile correctional facility?",
            "",
        ),
        &["No", "Yes"],
    ),
    (
        obs(
            "survey",
            "93029-7",
            "How often do you see or talk to people that you care about and feel close to (For example: talking to friends on the phone  visiting friends or family  going to church or club meetings)?",
            "How often do you see or talk to people that you care about and feel close to (For example: talking to friends on the phone  visiting friends or family  going to church or club meetings)?",
            "",
        ),
        &[
            "3 to 5 times a week",
            "5 or more times a week",
            "1 or 2 times a week",
            "Less than once a week",
        ],
    ),
    (
        obs(
            "survey",
            "93030-5",
            "Has lack of transportation kept you from medical appointments  meetings  work  or from getting things needed for daily living",
            "Has lack of transportation kept you from medical appointments  meetings  work  or from getting things needed for daily living",
            "",
        ),
        &[
            "No",
            "Yes  it has kept me from medical appointments or from getting my medications",
        ],
    ),
    (
        obs(
            "survey",
            "93031-3",
            "In the past year  have you or any family members you live with been unable to get any of the following when it was really needed?",
            "In the past year  have you or any family members you live with been unable to get any of the following when it was really needed?",
            "",
        ),
        &[
            "I choose not to answer this question",
            "Food",
            "Utilities",
            "Clothing",
        ],
    ),
    (
        obs(
            "survey",
            "93034-7",
            "Have you been discharged from the armed forces of the United States?",
            "Have you been discharged from the armed forces of the United States?",
            "",
        ),
        &["No", "Yes", "I choose not to answer this question"],
    ),
    (
        obs(
            "survey",
            "93035-4",
            "At any point in the past 2 years  has season or migrant farm work been your or your family's main source of income?",
            "At any point in the past 2 years  has season or migrant farm work been your or your family's main source of income?",
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
    (18, &[code("83", "Hep A  ped/adol  2 dose")]),
    (
        48,
        &[
            code("10", "IPV"),
            code("20", "DTaP"),
            code("03", "MMR"),
            code("21", "varicella"),
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

// ---------------------------------------------------------------- wellness panels
/// A lab of a panel: the observation and its normal range (value drawn uniformly).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PanelLab {
    pub(crate) obs: Obs,
    pub(crate) low: f64,
    pub(crate) high: f64,
}

const fn lab_in(obs: Obs, low: f64, high: f64) -> PanelLab {
    PanelLab { obs, low, high }
}

/// The complete blood count Synthea's wellness encounters order (hemoglobin is drawn
/// separately: it follows anemia).
pub(crate) static CBC_PANEL: &[PanelLab] = &[
    lab_in(
        obs(
            "laboratory",
            "6690-2",
            "Leukocytes [#/volume] in Blood by Automated count",
            "Leukocytes [#/volume] in Blood by Automated count",
            "10*3/uL",
        ),
        3.8,
        10.8,
    ),
    lab_in(
        obs(
            "laboratory",
            "789-8",
            "Erythrocytes [#/volume] in Blood by Automated count",
            "Erythrocytes [#/volume] in Blood by Automated count",
            "10*6/uL",
        ),
        3.9,
        5.6,
    ),
    lab_in(
        obs(
            "laboratory",
            "4544-3",
            "Hematocrit [Volume Fraction] of Blood by Automated count",
            "Hematocrit [Volume Fraction] of Blood by Automated count",
            "%",
        ),
        35.0,
        50.0,
    ),
    lab_in(
        obs(
            "laboratory",
            "787-2",
            "MCV [Entitic volume] by Automated count",
            "MCV [Entitic volume] by Automated count",
            "fL",
        ),
        80.0,
        95.0,
    ),
    lab_in(
        obs(
            "laboratory",
            "785-6",
            "MCH [Entitic mass] by Automated count",
            "MCH [Entitic mass] by Automated count",
            "pg",
        ),
        27.0,
        33.0,
    ),
    lab_in(
        obs(
            "laboratory",
            "786-4",
            "MCHC [Mass/volume] by Automated count",
            "MCHC [Mass/volume] by Automated count",
            "g/dL",
        ),
        32.0,
        36.0,
    ),
    lab_in(
        obs(
            "laboratory",
            "21000-5",
            "Erythrocyte distribution width [Entitic volume] by Automated count",
            "Erythrocyte distribution width [Entitic volume] by Automated count",
            "fL",
        ),
        39.0,
        46.0,
    ),
    lab_in(
        obs(
            "laboratory",
            "777-3",
            "Platelets [#/volume] in Blood by Automated count",
            "Platelets [#/volume] in Blood by Automated count",
            "10*3/uL",
        ),
        150.0,
        450.0,
    ),
    lab_in(
        obs(
            "laboratory",
            "32207-3",
            "Platelet distribution width [Entitic volume] in Blood by Automated count",
            "Platelet distribution width [Entitic volume] in Blood by Automated count",
            "fL",
        ),
        150.0,
        450.0,
    ),
    lab_in(
        obs(
            "laboratory",
            "32623-1",
            "Platelet mean volume [Entitic volume] in Blood by Automated count",
            "Platelet mean volume [Entitic volume] in Blood by Automated count",
            "fL",
        ),
        9.0,
        12.5,
    ),
];

/// The electrolytes the basic metabolic panel adds to glucose, urea, creatinine, sodium,
/// potassium and calcium.
pub(crate) static ELECTROLYTES: &[PanelLab] = &[
    lab_in(
        obs(
            "laboratory",
            "2069-3",
            "Chloride [Moles/volume] in Blood",
            "Chloride",
            "mmol/L",
        ),
        98.0,
        108.0,
    ),
    lab_in(
        obs(
            "laboratory",
            "20565-8",
            "Carbon dioxide  total [Moles/volume] in Blood",
            "Carbon Dioxide",
            "mmol/L",
        ),
        21.0,
        30.0,
    ),
];

/// The hepatic labs of the comprehensive metabolic panel.
pub(crate) static HEPATIC_PANEL: &[PanelLab] = &[
    lab_in(
        obs(
            "laboratory",
            "2885-2",
            "Protein [Mass/volume] in Serum or Plasma",
            "Protein [Mass/volume] in Serum or Plasma",
            "g/dL",
        ),
        6.0,
        8.3,
    ),
    lab_in(
        obs(
            "laboratory",
            "1751-7",
            "Albumin [Mass/volume] in Serum or Plasma",
            "Albumin [Mass/volume] in Serum or Plasma",
            "g/dL",
        ),
        3.5,
        5.1,
    ),
    lab_in(
        obs(
            "laboratory",
            "1975-2",
            "Bilirubin.total [Mass/volume] in Serum or Plasma",
            "Bilirubin.total [Mass/volume] in Serum or Plasma",
            "mg/dL",
        ),
        0.2,
        1.2,
    ),
    lab_in(
        obs(
            "laboratory",
            "6768-6",
            "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma",
            "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma",
            "U/L",
        ),
        40.0,
        130.0,
    ),
    lab_in(
        obs(
            "laboratory",
            "1742-6",
            "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "U/L",
        ),
        7.0,
        45.0,
    ),
    lab_in(
        obs(
            "laboratory",
            "1920-8",
            "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
            "U/L",
        ),
        10.0,
        40.0,
    ),
];

/// Growth percentiles of children's wellness visits: (observation, from age, to age).
pub(crate) static GROWTH_PERCENTILES: &[(Obs, f64, f64)] = &[
    (
        obs(
            "vital-signs",
            "77606-2",
            "Weight-for-length Per age and sex",
            "Weight-for-length Per age and sex",
            "%",
        ),
        0.0,
        2.0,
    ),
    (
        obs(
            "vital-signs",
            "8289-1",
            "Head Occipital-frontal circumference Percentile",
            "Head Occipital-frontal circumference Percentile",
            "%",
        ),
        0.0,
        3.0,
    ),
    (
        obs(
            "vital-signs",
            "59576-9",
            "Body mass index (BMI) [Percentile] Per age and sex",
            "Body mass index (BMI) [Percentile] Per age and gender",
            "%",
        ),
        2.0,
        20.0,
    ),
];

/// A scored screening instrument of adult wellness visits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Screening {
    pub(crate) obs: Obs,
    /// Probability that a visit records it.
    pub(crate) prob: f64,
    /// Highest score.
    pub(crate) max: i64,
    /// The disease that makes the score high (positive screen).
    pub(crate) positive_with: Option<Chronic>,
}

/// AUDIT-C (alcohol), DAST-10 (drugs) and HARK (partner violence).
pub(crate) static SCREENING_SCORES: &[Screening] = &[
    Screening {
        obs: obs(
            "survey",
            "75626-2",
            "Total score [AUDIT-C]",
            "Total score [AUDIT-C]",
            "{score}",
        ),
        prob: 0.35,
        max: 12,
        positive_with: Some(Chronic::Alcohol),
    },
    Screening {
        obs: obs(
            "survey",
            "82667-7",
            "Total score [DAST-10]",
            "Total score [DAST-10]",
            "{score}",
        ),
        prob: 0.25,
        max: 10,
        positive_with: Some(Chronic::OpioidAbuse),
    },
    Screening {
        obs: obs(
            "survey",
            "76504-0",
            "Total score [HARK]",
            "Total score [HARK]",
            "{score}",
        ),
        prob: 0.3,
        max: 4,
        positive_with: None,
    },
];

// ---------------------------------------------------------------- medications without a condition
/// A contraceptive method: the prescription and how long one prescription lasts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Contraceptive {
    pub(crate) med: Med,
    /// Years one prescription covers (pills: renewed yearly; implant, IUD: years).
    pub(crate) years: i64,
    /// Dispenses per prescription.
    pub(crate) dispenses: i64,
    /// First year the method is on the market.
    pub(crate) from_year: i64,
    pub(crate) weight: f64,
}

const fn contraceptive(
    c: &'static str,
    d: &'static str,
    cost: i64,
    years: i64,
    dispenses: i64,
    from_year: i64,
    weight: f64,
) -> Contraceptive {
    Contraceptive {
        med: med(c, d, cost),
        years,
        dispenses,
        from_year,
        weight,
    }
}

/// The contraceptives of Synthea's contraceptives module (written without a reason).
pub(crate) static CONTRACEPTIVES: &[Contraceptive] = &[
    contraceptive("748856", "Yaz 28 Day Pack", 4_621, 1, 12, 2006, 2.0),
    contraceptive(
        "748879",
        "Levora 0.15/30 28 Day Pack",
        3_130,
        1,
        12,
        1990,
        2.0,
    ),
    contraceptive("751905", "Trinessa 28 Day Pack", 3_300, 1, 12, 1990, 2.0),
    contraceptive("757594", "Jolivette 28 Day Pack", 3_220, 1, 12, 1990, 1.5),
    contraceptive("831533", "Errin 28 Day Pack", 2_960, 1, 12, 1990, 1.0),
    contraceptive("748962", "Camila 28 Day Pack", 3_040, 1, 12, 1990, 1.0),
    contraceptive(
        "749882",
        "Norinyl 1+50 28 Day Pack",
        3_770,
        1,
        12,
        1970,
        0.5,
    ),
    contraceptive("749762", "Seasonique 91 Day Pack", 9_840, 1, 4, 2006, 0.7),
    contraceptive(
        "1367439",
        "NuvaRing 0.12/0.015 MG per 24HR 21 Day Vaginal Ring",
        18_520,
        1,
        12,
        2001,
        0.7,
    ),
    contraceptive(
        "1534809",
        "168 HR Ethinyl Estradiol 0.00146 MG/HR / norelgestromin 0.00625 MG/HR Transdermal System",
        6_850,
        1,
        12,
        2002,
        0.6,
    ),
    contraceptive(
        "1000126",
        "1 ML medroxyprogesterone acetate 150 MG/ML Injection",
        5_210,
        1,
        4,
        1992,
        1.0,
    ),
    contraceptive(
        "389221",
        "Etonogestrel 68 MG Drug Implant",
        82_740,
        3,
        1,
        2006,
        0.8,
    ),
    contraceptive(
        "807283",
        "Mirena 52 MG Intrauterine System",
        96_580,
        5,
        1,
        2000,
        0.8,
    ),
];

/// Analgesics of the injuries module, written without a reason: (medication, weight) for
/// children (< 12) and for older patients.
pub(crate) static ANALGESICS_CHILD: &[(Med, f64)] = &[
    (med("198405", "Ibuprofen 100 MG Oral Tablet", 41_670), 1.0),
    (
        med("313820", "Acetaminophen 160 MG Chewable Tablet", 512),
        1.0,
    ),
];

/// Analgesics for patients aged 12 and over (see [`ANALGESICS_CHILD`]).
pub(crate) static ANALGESICS: &[(Med, f64)] = &[
    (
        med("206905", "Ibuprofen 400 MG Oral Tablet [Ibu]", 1_136),
        2.0,
    ),
    (med("310965", "Ibuprofen 200 MG Oral Tablet", 541), 1.0),
    (
        med(
            "209387",
            "Acetaminophen 325 MG Oral Tablet [Tylenol]",
            1_008,
        ),
        1.5,
    ),
    (
        med("849574", "Naproxen sodium 220 MG Oral Tablet", 2_334),
        1.0,
    ),
    (
        med(
            "856987",
            "Acetaminophen 300 MG / Hydrocodone Bitartrate 5 MG Oral Tablet",
            2_104,
        ),
        1.0,
    ),
    (
        med(
            "857005",
            "Acetaminophen 325 MG / HYDROcodone Bitartrate 7.5 MG Oral Tablet",
            2_390,
        ),
        0.6,
    ),
    (
        med(
            "1049221",
            "Acetaminophen 325 MG / oxyCODONE Hydrochloride 5 MG Oral Tablet",
            1_974,
        ),
        0.6,
    ),
    (
        med("835603", "tramadol hydrochloride 50 MG Oral Tablet", 1_211),
        0.4,
    ),
];

/// Antihistamines taken in the pollen season without a visit-linked condition, as real
/// exports show them.
pub(crate) static SEASONAL_ANTIHISTAMINES: &[(Med, f64)] = &[
    (med("665078", "Loratadine 5 MG Chewable Tablet", 688), 1.0),
    (med("197378", "Astemizole 10 MG Oral Tablet", 794), 0.5),
    (
        med(
            "477045",
            "Chlorpheniramine Maleate 2 MG/ML Oral Solution",
            612,
        ),
        0.7,
    ),
];

/// The adolescent immunizations by age in years (booster and second doses).
pub(crate) static TEEN_SCHEDULE: &[(i64, &[Code])] = &[
    (
        11,
        &[
            code("115", "Tdap"),
            code("114", "meningococcal MCV4P"),
            code("62", "HPV  quadrivalent"),
        ],
    ),
    (12, &[code("62", "HPV  quadrivalent")]),
    (16, &[code("114", "meningococcal MCV4P")]),
];
