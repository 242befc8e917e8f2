//! Disease modules as data: one [`ChronicDef`] row per long-lasting condition, after
//! Synthea's published disease modules (codes, medications, procedures, care plans and
//! the shape of their onset models carry over; the simulation code does not).
//!
//! A row says who gets the disease (an onset age distribution or a BMI threshold, a
//! lifetime risk and the [`Factor`]s that multiply it), how it is diagnosed (encounter
//! class, procedures, labs, care plan, device), how it is followed (visits per year,
//! follow-up procedures, a fixed course of treatment visits such as chemotherapy cycles
//! or prenatal visits), what it is treated with ([`ModuleMed`]s that may start years after
//! diagnosis, e.g. metformin then insulin), what it leads to (later conditions such as
//! CKD stages or diabetic retinopathy) and how often it kills. The simulation reads only
//! these fields, so adding a disease is adding a row.

use crate::patient::timeline::Class;
use crate::reference::codes::{self, Code, Med, Obs, code, med};

/// Chronic diseases the simulation tracks (the identity other rows and the labs refer to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Chronic {
    Obesity,
    SevereObesity,
    Prediabetes,
    Diabetes,
    Hypertension,
    Hyperlipidemia,
    Asthma,
    AdultAsthma,
    Copd,
    ObstructiveBronchitis,
    HeartFailure,
    Cad,
    Mi,
    AtrialFib,
    Stroke,
    CardiacArrest,
    Ckd,
    Depression,
    Anxiety,
    Alcohol,
    OpioidAbuse,
    Anemia,
    BackPain,
    NeckPain,
    PersistentPain,
    Migraine,
    Fibromyalgia,
    OaKnee,
    OaHip,
    OaHand,
    Osteoporosis,
    Gout,
    Hypothyroidism,
    Dementia,
    Epilepsy,
    Adhd,
    AllergicRhinitis,
    SeasonalAllergy,
    AtopicDermatitis,
    ColonPolyp,
    BreastCancer,
    LungCancer,
    ColorectalCancer,
    ProstateCancer,
    Pregnancy,
    Sinusitis,
}

/// What multiplies a module's lifetime risk.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Factor {
    /// BMI ≥ 30 at the onset age.
    Obese,
    /// BMI ≥ 35 at the onset age.
    SeverelyObese,
    /// Current smoker.
    Smoker,
    /// Former smoker.
    ExSmoker,
    /// A parent or sibling with diabetes.
    FamilyDiabetes,
    /// A parent or sibling with early cardiovascular disease.
    FamilyCvd,
    Female,
    Male,
    Black,
    /// Another module diagnosed before this onset.
    Has(Chronic),
}

/// When a module starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Onset {
    /// Normal onset age (years) with a floor.
    Age { mean: f64, sd: f64, min: f64 },
    /// When the adult BMI trajectory first reaches this value.
    Bmi(f64),
}

/// A medication of a module: prescribed with probability `prob`, from `after_years`
/// after diagnosis, renewed at every follow-up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ModuleMed {
    pub(crate) med: Med,
    pub(crate) prob: f64,
    pub(crate) after_years: f64,
}

/// A disease-specific lab or measurement recorded at diagnosis and follow-ups.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lab {
    pub(crate) obs: Obs,
    pub(crate) mean: f64,
    pub(crate) sd: f64,
}

/// A later condition the module leads to: with probability `prob`, `after_years` after
/// diagnosis (recorded at the next visit of the module).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sequel {
    pub(crate) code: Code,
    pub(crate) prob: f64,
    pub(crate) after_years: f64,
}

/// Remission of a childhood disease: with probability `prob`, at an age uniform in
/// `from_age..to_age` (when the disease started before it).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Remission {
    pub(crate) prob: f64,
    pub(crate) from_age: f64,
    pub(crate) to_age: f64,
}

/// A fixed course of treatment visits (chemotherapy cycles, radiation fractions,
/// prenatal visits, dialysis sessions, rehabilitation), ending with an optional final
/// encounter (childbirth, a joint replacement stay). A module's courses form a chain:
/// each starts after the previous one's last visit and is given with probability
/// [`prob`](Self::prob); a course not given ends the chain.
#[derive(Debug)]
pub(crate) struct Course {
    pub(crate) code: Code,
    pub(crate) class: Class,
    pub(crate) visits: u32,
    pub(crate) every_days: i64,
    pub(crate) procedures: &'static [(Code, i64)],
    /// Medications administered at each visit (one dispense).
    pub(crate) meds: &'static [Med],
    /// The final encounter (the delivery), if any.
    pub(crate) last: Option<FinalEncounter>,
    /// Probability that the patient gets the course.
    pub(crate) prob: f64,
    /// Days from the diagnosis (or the previous course's last visit) to the first visit;
    /// delays over 60 days vary by ±40 % between patients.
    pub(crate) delay_days: i64,
    /// A condition recorded at the first visit (end-stage renal disease at the first
    /// dialysis).
    pub(crate) condition: Option<Code>,
}

/// Defaults every course starts from.
const COURSE: Course = Course {
    code: codes::ENC_PROBLEM,
    class: Class::Outpatient,
    visits: 1,
    every_days: 1,
    procedures: &[],
    meds: &[],
    last: None,
    prob: 1.0,
    delay_days: 1,
    condition: None,
};

/// The encounter closing a treatment course.
#[derive(Debug)]
pub(crate) struct FinalEncounter {
    pub(crate) code: Code,
    pub(crate) class: Class,
    /// Length of the stay in days.
    pub(crate) days: i64,
    pub(crate) procedures: &'static [(Code, i64)],
}

/// One disease module.
#[derive(Debug)]
pub(crate) struct ChronicDef {
    pub(crate) kind: Chronic,
    pub(crate) code: Code,
    /// Lifetime probability of onset for a patient without risk factors who lives past
    /// the onset age.
    pub(crate) base_risk: f64,
    pub(crate) onset: Onset,
    pub(crate) risk: &'static [(Factor, f64)],
    /// Encounter class of the diagnosing visit.
    pub(crate) diagnosis_class: Class,
    pub(crate) diagnosis_procedures: &'static [(Code, i64)],
    pub(crate) meds: &'static [ModuleMed],
    pub(crate) careplan: Option<Code>,
    pub(crate) device: Option<Code>,
    pub(crate) follow_up: Option<Code>,
    /// Follow-up visits per year after diagnosis (within the history window).
    pub(crate) follow_ups_per_year: f64,
    pub(crate) follow_up_procedures: &'static [(Code, i64)],
    pub(crate) labs: &'static [Lab],
    pub(crate) sequels: &'static [Sequel],
    /// Treatment courses, in chain order.
    pub(crate) courses: &'static [Course],
    /// Days after onset when the condition resolves (STOP); `None` = lifelong.
    pub(crate) resolves_days: Option<i64>,
    /// Remission of a childhood disease in adolescence (its STOP), when it may remit.
    pub(crate) remission: Option<Remission>,
    /// Probability that the disease causes the patient's death.
    pub(crate) lethality: f64,
    /// Mean years from onset to a disease death.
    pub(crate) survival_years: f64,
}

const fn age(mean: f64, sd: f64, min: f64) -> Onset {
    Onset::Age { mean, sd, min }
}

const fn rx(c: &'static str, d: &'static str, cost: i64, prob: f64, after_years: f64) -> ModuleMed {
    ModuleMed {
        med: med(c, d, cost),
        prob,
        after_years,
    }
}

const fn sequel(c: &'static str, d: &'static str, prob: f64, after_years: f64) -> Sequel {
    Sequel {
        code: code(c, d),
        prob,
        after_years,
    }
}

const fn lab(obs: Obs, mean: f64, sd: f64) -> Lab {
    Lab { obs, mean, sd }
}

const fn proc_(c: &'static str, d: &'static str, cost: i64) -> (Code, i64) {
    (code(c, d), cost)
}

/// Defaults every row starts from.
const BASE: ChronicDef = ChronicDef {
    kind: Chronic::Obesity,
    code: code("", ""),
    base_risk: 0.0,
    onset: age(40.0, 10.0, 18.0),
    risk: &[],
    diagnosis_class: Class::Ambulatory,
    diagnosis_procedures: &[],
    meds: &[],
    careplan: None,
    device: None,
    follow_up: None,
    follow_ups_per_year: 0.0,
    follow_up_procedures: &[],
    labs: &[],
    sequels: &[],
    courses: &[],
    resolves_days: None,
    remission: None,
    lethality: 0.0,
    survival_years: 10.0,
};

const FOLLOW_UP: Option<Code> = Some(codes::ENC_FOLLOW_UP);
const ENC_PROBLEM: Code = codes::ENC_PROBLEM;
const CANCER_CARE: Option<Code> = Some(code("736252007", "Cancer care plan"));
const MSK_CARE: Option<Code> = Some(code("408869004", "Musculoskeletal care"));
const ECG: (Code, i64) = proc_("29303009", "Electrocardiographic procedure", 24_179);
const ECHO: (Code, i64) = proc_("40701008", "Echocardiography (procedure)", 15_750);
const CBT: (Code, i64) = proc_("228557008", "Cognitive and behavioral therapy", 89_751);
const CHEMO: (Code, i64) = proc_("367336001", "Chemotherapy (procedure)", 142_300);
const CHEMO_RADIATION: (Code, i64) = proc_(
    "703423002",
    "Combined chemotherapy and radiation therapy (procedure)",
    187_500,
);
const COLONOSCOPY: (Code, i64) = proc_("73761001", "Colonoscopy", 113_990);
const TELERADIOTHERAPY: (Code, i64) =
    proc_("33195004", "Teleradiotherapy procedure (procedure)", 95_410);
/// External-beam radiation therapy in daily fractions after the chemotherapy.
const RADIATION: Course = Course {
    visits: 25,
    every_days: 1,
    procedures: &[TELERADIOTHERAPY],
    delay_days: 28,
    prob: 0.6,
    ..COURSE
};
const PHYSICAL_THERAPY: (Code, i64) = proc_(
    "91251008",
    "Physical therapy procedure (regime/therapy)",
    35_261,
);
/// Weekly physical therapy after a joint replacement.
const JOINT_REHAB: Course = Course {
    code: code("371883000", "Outpatient procedure"),
    class: Class::Ambulatory,
    visits: 6,
    every_days: 7,
    procedures: &[PHYSICAL_THERAPY],
    delay_days: 10,
    ..COURSE
};
/// A joint replacement stay about seven years after the osteoarthritis diagnosis for a
/// share of the patients, as in Synthea's osteoarthritis modules.
const fn joint_replacement(stay: &'static [(Code, i64)], prob: f64) -> Course {
    Course {
        code: codes::ENC_SURGICAL,
        class: Class::Inpatient,
        visits: 1,
        last: Some(FinalEncounter {
            code: codes::ENC_SURGICAL,
            class: Class::Inpatient,
            days: 2,
            procedures: stay,
        }),
        prob,
        delay_days: 7 * 365,
        ..COURSE
    }
}
const KNEE_REPLACEMENT: &[(Code, i64)] = &[
    proc_("609588000", "Total knee replacement (procedure)", 2_451_320),
    proc_("18946005", "Epidural anesthesia", 24_655),
];
const HIP_REPLACEMENT: &[(Code, i64)] = &[
    proc_(
        "52734007",
        "Total replacement of hip joint (procedure)",
        2_612_030,
    ),
    proc_("18946005", "Epidural anesthesia", 24_655),
];
const HEMODIALYSIS: (Code, i64) = proc_("302497006", "Hemodialysis (procedure)", 92_510);

const NAPROXEN: ModuleMed = rx(
    "849574",
    "Naproxen sodium 220 MG Oral Tablet",
    2_334,
    1.0,
    0.0,
);

const OBS_FEV1_FVC: Obs = Obs {
    category: "procedure",
    code: "19926-5",
    desc_v3: "FEV1/FVC",
    desc_v2: "FEV1/FVC",
    units: "%",
};
const OBS_NT_PROBNP: Obs = Obs {
    category: "laboratory",
    code: "33762-6",
    desc_v3: "NT-proBNP",
    desc_v2: "NT-proBNP",
    units: "pg/mL",
};
const OBS_LVEF: Obs = Obs {
    category: "laboratory",
    code: "10230-1",
    desc_v3: "Left ventricular Ejection fraction",
    desc_v2: "Left ventricular Ejection fraction",
    units: "%",
};
const OBS_MICROALBUMIN: Obs = Obs {
    category: "laboratory",
    code: "14959-1",
    desc_v3: "Microalbumin/Creatinine [Mass Ratio] in Urine",
    desc_v2: "Microalbumin Creatinine Ratio",
    units: "mg/g",
};
const OBS_TSH: Obs = Obs {
    category: "laboratory",
    code: "3016-3",
    desc_v3: "Thyrotropin [Units/volume] in Serum or Plasma",
    desc_v2: "Thyrotropin [Units/volume] in Serum or Plasma",
    units: "m[IU]/L",
};

/// The disease modules, in the order onsets are drawn (a row may depend, through
/// [`Factor::Has`], only on rows above it).
pub(crate) static CHRONIC: &[ChronicDef] = &[
    // ------------------------------------------------------------ metabolic
    ChronicDef {
        kind: Chronic::Obesity,
        code: code("162864005", "Body mass index 30+ - obesity (finding)"),
        base_risk: 1.0,
        onset: Onset::Bmi(30.0),
        careplan: Some(code("718361005", "Weight management program")),
        diagnosis_procedures: &[
            proc_("229095001", "Exercise class", 6_005),
            proc_("290045001", "Kitchen practice", 6_005),
        ],
        sequels: &[sequel(
            "237602007",
            "Metabolic syndrome X (disorder)",
            0.15,
            4.0,
        )],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::SevereObesity,
        code: code(
            "408512008",
            "Body mass index 40+ - severely obese (finding)",
        ),
        base_risk: 1.0,
        onset: Onset::Bmi(40.0),
        lethality: 0.03,
        survival_years: 15.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Prediabetes,
        code: code("15777000", "Prediabetes"),
        base_risk: 0.16,
        onset: age(44.0, 12.0, 18.0),
        risk: &[
            (Factor::Obese, 2.0),
            (Factor::FamilyDiabetes, 1.6),
            (Factor::Black, 1.3),
        ],
        careplan: Some(code("698360004", "Diabetes self management plan")),
        sequels: &[sequel("80394007", "Hyperglycemia (disorder)", 0.2, 2.0)],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Diabetes,
        code: code("44054006", "Diabetes mellitus type 2 (disorder)"),
        base_risk: 0.085,
        onset: age(52.0, 13.0, 20.0),
        risk: &[
            (Factor::Obese, 2.6),
            (Factor::SeverelyObese, 1.6),
            (Factor::FamilyDiabetes, 2.2),
            (Factor::Has(Chronic::Prediabetes), 1.8),
            (Factor::Black, 1.5),
        ],
        meds: &[
            rx(
                "860975",
                "24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet",
                3_144,
                1.0,
                0.0,
            ),
            rx(
                "897122",
                "3 ML liraglutide 6 MG/ML Pen Injector",
                702_161,
                0.25,
                3.0,
            ),
            rx(
                "1373463",
                "canagliflozin 100 MG Oral Tablet",
                45_012,
                0.2,
                4.0,
            ),
            rx(
                "106892",
                "insulin isophane human 70 UNT/ML / insulin regular human 30 UNT/ML Injectable Suspension [Humulin]",
                13_640,
                0.4,
                6.0,
            ),
            rx(
                "865098",
                "Insulin Lispro 100 UNT/ML Injectable Solution [Humalog]",
                27_313,
                0.15,
                8.0,
            ),
        ],
        careplan: Some(code("698360004", "Diabetes self management plan")),
        device: Some(codes::DEVICE_GLUCOSE_METER),
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 2.0,
        labs: &[lab(OBS_MICROALBUMIN, 45.0, 25.0)],
        sequels: &[
            sequel(
                "368581000119106",
                "Neuropathy due to type 2 diabetes mellitus (disorder)",
                0.2,
                5.0,
            ),
            sequel(
                "127013003",
                "Disorder of kidney due to diabetes mellitus (disorder)",
                0.2,
                6.0,
            ),
            sequel(
                "90781000119102",
                "Microalbuminuria due to type 2 diabetes mellitus (disorder)",
                0.15,
                7.0,
            ),
            sequel(
                "1551000119108",
                "Nonproliferative diabetic retinopathy due to type 2 diabetes mellitus (disorder)",
                0.12,
                6.0,
            ),
            sequel(
                "422034002",
                "Diabetic retinopathy associated with type II diabetes mellitus (disorder)",
                0.1,
                8.0,
            ),
            sequel(
                "97331000119101",
                "Macular edema and retinopathy due to type 2 diabetes mellitus (disorder)",
                0.04,
                10.0,
            ),
        ],
        lethality: 0.08,
        survival_years: 14.0,
        ..BASE
    },
    // ------------------------------------------------------------ cardiovascular
    ChronicDef {
        kind: Chronic::Hypertension,
        code: code("59621000", "Hypertension"),
        base_risk: 0.42,
        onset: age(47.0, 15.0, 18.0),
        risk: &[
            (Factor::Obese, 2.0),
            (Factor::Black, 1.4),
            (Factor::Has(Chronic::Diabetes), 1.4),
            (Factor::Smoker, 1.2),
            (Factor::FamilyCvd, 1.3),
        ],
        meds: &[
            rx("314076", "lisinopril 10 MG Oral Tablet", 1_071, 1.0, 0.0),
            rx("308136", "amLODIPine 2.5 MG Oral Tablet", 1_542, 0.45, 2.0),
            rx(
                "310798",
                "Hydrochlorothiazide 25 MG Oral Tablet",
                1_004,
                0.3,
                3.0,
            ),
        ],
        careplan: Some(code(
            "443402002",
            "Lifestyle education regarding hypertension (procedure)",
        )),
        follow_up: Some(codes::ENC_HTN_FOLLOW_UP),
        follow_ups_per_year: 1.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Hyperlipidemia,
        code: code("55822004", "Hyperlipidemia"),
        base_risk: 0.2,
        onset: age(50.0, 11.0, 25.0),
        risk: &[
            (Factor::Has(Chronic::Diabetes), 1.6),
            (Factor::Obese, 1.3),
            (Factor::FamilyCvd, 1.5),
        ],
        meds: &[
            rx("314231", "Simvastatin 10 MG Oral Tablet", 1_296, 1.0, 0.0),
            rx("259255", "Atorvastatin 80 MG Oral Tablet", 3_218, 0.3, 3.0),
        ],
        careplan: Some(code("736285004", "Hyperlipidemia clinical management plan")),
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 0.5,
        sequels: &[sequel(
            "302870006",
            "Hypertriglyceridemia (disorder)",
            0.3,
            2.0,
        )],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Cad,
        code: code("53741008", "Coronary Heart Disease"),
        base_risk: 0.05,
        onset: age(63.0, 10.0, 35.0),
        risk: &[
            (Factor::Male, 1.8),
            (Factor::Smoker, 2.5),
            (Factor::ExSmoker, 1.4),
            (Factor::Has(Chronic::Diabetes), 2.0),
            (Factor::Has(Chronic::Hypertension), 1.6),
            (Factor::Has(Chronic::Hyperlipidemia), 1.7),
            (Factor::FamilyCvd, 1.8),
        ],
        diagnosis_procedures: &[ECG],
        meds: &[
            rx(
                "705129",
                "Nitroglycerin 0.4 MG/ACTUAT Mucosal Spray",
                14_710,
                1.0,
                0.0,
            ),
            rx("309362", "Clopidogrel 75 MG Oral Tablet", 4_995, 0.6, 0.0),
            rx("312961", "Simvastatin 20 MG Oral Tablet", 3_863, 0.8, 0.0),
            rx("197361", "Amlodipine 5 MG Oral Tablet", 2_847, 0.4, 1.0),
            rx("243670", "Aspirin 81 MG Oral Tablet", 620, 0.5, 0.0),
        ],
        careplan: Some(code("385715006", "Cardiac care (regime/therapy)")),
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        lethality: 0.12,
        survival_years: 12.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Mi,
        code: code("22298006", "Myocardial Infarction"),
        base_risk: 0.012,
        onset: age(67.0, 10.0, 35.0),
        risk: &[
            (Factor::Has(Chronic::Cad), 6.0),
            (Factor::Male, 1.8),
            (Factor::Smoker, 2.2),
        ],
        diagnosis_class: Class::Emergency,
        diagnosis_procedures: &[
            ECHO,
            proc_("415070008", "Percutaneous coronary intervention", 3_914_509),
        ],
        meds: &[rx(
            "309362",
            "Clopidogrel 75 MG Oral Tablet",
            4_995,
            1.0,
            0.0,
        )],
        sequels: &[sequel(
            "399211009",
            "History of myocardial infarction (situation)",
            1.0,
            0.1,
        )],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        lethality: 0.25,
        survival_years: 2.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::HeartFailure,
        code: code("88805009", "Chronic congestive heart failure (disorder)"),
        base_risk: 0.025,
        onset: age(70.0, 9.0, 45.0),
        risk: &[
            (Factor::Has(Chronic::Hypertension), 2.0),
            (Factor::Has(Chronic::Cad), 2.5),
            (Factor::Has(Chronic::Mi), 2.0),
            (Factor::Has(Chronic::Diabetes), 1.5),
            (Factor::Obese, 1.4),
        ],
        diagnosis_procedures: &[ECG, ECHO],
        meds: &[
            rx("200033", "carvedilol 25 MG Oral Tablet", 26_078, 1.0, 0.0),
            rx("313988", "Furosemide 40 MG Oral Tablet", 866, 0.7, 0.0),
            rx("314077", "lisinopril 20 MG Oral Tablet", 26_078, 0.5, 0.0),
            rx(
                "313096",
                "spironolactone 25 MG Oral Tablet",
                1_820,
                0.3,
                1.0,
            ),
            rx(
                "1656354",
                "sacubitril 97 MG / valsartan 103 MG Oral Tablet",
                58_512,
                0.15,
                2.0,
            ),
            rx("197604", "digoxin 0.125 MG Oral Tablet", 2_210, 0.1, 3.0),
        ],
        careplan: Some(code("735984001", "Heart failure self management plan")),
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 2.0,
        follow_up_procedures: &[proc_(
            "762998009",
            "Assessment using New York Heart Association Classification (procedure)",
            6_005,
        )],
        labs: &[lab(OBS_NT_PROBNP, 900.0, 400.0), lab(OBS_LVEF, 38.0, 7.0)],
        lethality: 0.45,
        survival_years: 6.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::AtrialFib,
        code: code("49436004", "Atrial Fibrillation"),
        base_risk: 0.06,
        onset: age(72.0, 9.0, 45.0),
        risk: &[
            (Factor::Has(Chronic::Hypertension), 1.5),
            (Factor::Has(Chronic::HeartFailure), 2.0),
            (Factor::Obese, 1.3),
            (Factor::Male, 1.3),
        ],
        diagnosis_procedures: &[ECG, proc_("180325003", "Electrical cardioversion", 75_210)],
        meds: &[
            rx(
                "855332",
                "Warfarin Sodium 5 MG Oral Tablet",
                1_652,
                0.7,
                0.0,
            ),
            rx("197604", "digoxin 0.125 MG Oral Tablet", 2_210, 0.3, 0.0),
        ],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        lethality: 0.05,
        survival_years: 8.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Stroke,
        code: code("230690007", "Stroke"),
        base_risk: 0.03,
        onset: age(72.0, 10.0, 40.0),
        risk: &[
            (Factor::Has(Chronic::AtrialFib), 4.0),
            (Factor::Has(Chronic::Hypertension), 2.0),
            (Factor::Smoker, 2.0),
            (Factor::Has(Chronic::Diabetes), 1.5),
        ],
        diagnosis_class: Class::Emergency,
        diagnosis_procedures: &[
            ECHO,
            proc_(
                "433112001",
                "Percutaneous mechanical thrombectomy of portal vein using fluoroscopic guidance",
                3_070_785,
            ),
        ],
        meds: &[
            rx("1804799", "Alteplase 100 MG Injection", 643_520, 0.3, 0.0),
            rx("309362", "Clopidogrel 75 MG Oral Tablet", 4_995, 0.8, 0.0),
        ],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        lethality: 0.3,
        survival_years: 1.5,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::CardiacArrest,
        code: code("410429000", "Cardiac Arrest"),
        base_risk: 0.006,
        onset: age(68.0, 12.0, 30.0),
        risk: &[
            (Factor::Has(Chronic::Cad), 3.0),
            (Factor::Has(Chronic::HeartFailure), 3.0),
        ],
        diagnosis_class: Class::Emergency,
        diagnosis_procedures: &[
            ECHO,
            proc_(
                "447365002",
                "Insertion of biventricular implantable cardioverter defibrillator",
                3_328_333,
            ),
        ],
        meds: &[
            rx(
                "1660014",
                "1 ML Epinephrine 1 MG/ML Injection",
                449,
                1.0,
                0.0,
            ),
            rx(
                "834357",
                "3 ML Amiodarone hydrocholoride 50 MG/ML Prefilled Syringe",
                16_502,
                0.6,
                0.0,
            ),
        ],
        sequels: &[sequel(
            "429007001",
            "History of cardiac arrest (situation)",
            1.0,
            0.05,
        )],
        lethality: 0.5,
        survival_years: 0.3,
        ..BASE
    },
    // ------------------------------------------------------------ respiratory
    ChronicDef {
        kind: Chronic::Asthma,
        code: code("233678006", "Childhood asthma"),
        base_risk: 0.08,
        onset: age(6.0, 3.0, 2.0),
        meds: &[
            rx(
                "895994",
                "120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler",
                11_836,
                1.0,
                0.0,
            ),
            rx(
                "2123111",
                "NDA020503 200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
                3_564,
                0.8,
                0.0,
            ),
            rx(
                "351109",
                "budesonide 0.25 MG/ML Inhalation Suspension",
                12_994,
                0.3,
                0.0,
            ),
        ],
        careplan: Some(code("699728000", "Asthma self management")),
        device: Some(codes::DEVICE_NEBULIZER),
        follow_up: Some(codes::ENC_ASTHMA_FOLLOW_UP),
        follow_ups_per_year: 1.0,
        lethality: 0.002,
        // Synthea's asthma module: 8.6 % of children and 7.4 % of adults have asthma;
        // about a third of childhood asthma remits by adulthood.
        remission: Some(Remission {
            prob: 0.4,
            from_age: 10.0,
            to_age: 20.0,
        }),
        ..BASE
    },
    ChronicDef {
        kind: Chronic::AdultAsthma,
        code: code("195967001", "Asthma"),
        base_risk: 0.012,
        onset: age(35.0, 14.0, 18.0),
        risk: &[
            (Factor::Female, 1.5),
            (Factor::Obese, 1.4),
            (Factor::Smoker, 1.3),
        ],
        meds: &[
            rx(
                "895994",
                "120 ACTUAT Fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler",
                11_836,
                1.0,
                0.0,
            ),
            rx(
                "2123111",
                "NDA020503 200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler",
                3_564,
                0.8,
                0.0,
            ),
        ],
        careplan: Some(code("699728000", "Asthma self management")),
        follow_up: Some(codes::ENC_ASTHMA_FOLLOW_UP),
        follow_ups_per_year: 1.0,
        lethality: 0.005,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Copd,
        code: code("87433001", "Pulmonary emphysema (disorder)"),
        base_risk: 0.012,
        onset: age(62.0, 9.0, 40.0),
        risk: &[(Factor::Smoker, 7.0), (Factor::ExSmoker, 3.0)],
        diagnosis_procedures: &[proc_("127783003", "Spirometry (procedure)", 125_837)],
        meds: &[
            rx(
                "896209",
                "60 ACTUAT Fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler",
                31_217,
                1.0,
                0.0,
            ),
            rx(
                "245314",
                "albuterol 5 MG/ML Inhalation Solution",
                2_651,
                0.8,
                0.0,
            ),
        ],
        careplan: Some(code(
            "412776001",
            "Chronic obstructive pulmonary disease clinical management plan",
        )),
        device: Some(codes::DEVICE_NEBULIZER),
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        follow_up_procedures: &[proc_(
            "15081005",
            "Pulmonary rehabilitation (regime/therapy)",
            26_895,
        )],
        labs: &[lab(OBS_FEV1_FVC, 58.0, 8.0)],
        lethality: 0.3,
        survival_years: 9.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::ObstructiveBronchitis,
        code: code("185086009", "Chronic obstructive bronchitis (disorder)"),
        base_risk: 0.01,
        onset: age(58.0, 10.0, 35.0),
        risk: &[(Factor::Smoker, 7.0), (Factor::ExSmoker, 3.0)],
        diagnosis_procedures: &[proc_("127783003", "Spirometry (procedure)", 125_837)],
        meds: &[
            rx(
                "896209",
                "60 ACTUAT Fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler",
                31_217,
                1.0,
                0.0,
            ),
            rx(
                "245314",
                "albuterol 5 MG/ML Inhalation Solution",
                2_651,
                0.7,
                0.0,
            ),
        ],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        labs: &[lab(OBS_FEV1_FVC, 64.0, 7.0)],
        lethality: 0.15,
        survival_years: 12.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Sinusitis,
        code: code("40055000", "Chronic sinusitis (disorder)"),
        base_risk: 0.1,
        onset: age(35.0, 15.0, 10.0),
        risk: &[(Factor::Smoker, 1.5)],
        meds: &[rx("1649987", "doxycycline hyclate 100 MG", 2_301, 0.3, 0.0)],
        ..BASE
    },
    // ------------------------------------------------------------ kidney
    ChronicDef {
        kind: Chronic::Ckd,
        code: code("431855005", "Chronic kidney disease stage 1 (disorder)"),
        base_risk: 0.06,
        onset: age(60.0, 12.0, 30.0),
        risk: &[
            (Factor::Has(Chronic::Diabetes), 3.5),
            (Factor::Has(Chronic::Hypertension), 2.0),
            (Factor::Black, 1.5),
        ],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        labs: &[lab(OBS_MICROALBUMIN, 120.0, 60.0)],
        sequels: &[
            sequel(
                "431856006",
                "Chronic kidney disease stage 2 (disorder)",
                0.6,
                3.0,
            ),
            sequel(
                "433144002",
                "Chronic kidney disease stage 3 (disorder)",
                0.35,
                6.0,
            ),
            sequel(
                "431857002",
                "Chronic kidney disease stage 4 (disorder)",
                0.15,
                9.0,
            ),
        ],
        follow_up_procedures: &[proc_("11816003", "Diet education (procedure)", 4_314)],
        lethality: 0.08,
        survival_years: 12.0,
        // End-stage renal disease: hemodialysis three or four times a week, for life.
        courses: &[Course {
            visits: u32::MAX,
            every_days: 2,
            procedures: &[HEMODIALYSIS],
            prob: 0.15,
            delay_days: 6 * 365,
            condition: Some(code("46177005", "End stage renal disease (disorder)")),
            ..COURSE
        }],
        ..BASE
    },
    // ------------------------------------------------------------ mental health, substance
    ChronicDef {
        kind: Chronic::Depression,
        code: code("370143000", "Major depressive disorder (disorder)"),
        base_risk: 0.10,
        onset: age(30.0, 11.0, 13.0),
        risk: &[(Factor::Female, 1.7), (Factor::Smoker, 1.3)],
        meds: &[
            rx("312938", "Sertraline 100 MG Oral Tablet", 2_113, 1.0, 0.0),
            rx("349332", "Escitalopram 10 MG Oral Tablet", 1_684, 0.2, 1.0),
            rx("310385", "FLUoxetine 20 MG Oral Capsule", 1_210, 0.2, 2.0),
        ],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 2.0,
        follow_up_procedures: &[proc_(
            "425680009",
            "Cognitive behavioral therapy by multidisciplinary team",
            89_751,
        )],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Anxiety,
        code: code("80583007", "Severe anxiety (panic) (finding)"),
        base_risk: 0.09,
        onset: age(28.0, 12.0, 12.0),
        risk: &[(Factor::Female, 1.6)],
        diagnosis_procedures: &[proc_(
            "710841007",
            "Assessment of anxiety (procedure)",
            43_140,
        )],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Alcohol,
        code: code(
            "10939881000119105",
            "Unhealthy alcohol drinking behavior (finding)",
        ),
        base_risk: 0.04,
        onset: age(30.0, 9.0, 18.0),
        risk: &[(Factor::Male, 1.8), (Factor::Smoker, 1.8)],
        diagnosis_procedures: &[proc_(
            "763302001",
            "Assessment using Alcohol Use Disorders Identification Test - Consumption (procedure)",
            43_140,
        )],
        lethality: 0.08,
        survival_years: 15.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::OpioidAbuse,
        code: code("5602001", "Opioid abuse (disorder)"),
        base_risk: 0.015,
        onset: age(33.0, 10.0, 16.0),
        risk: &[(Factor::Male, 1.5), (Factor::Smoker, 2.0)],
        meds: &[
            rx(
                "1483744",
                "Naltrexone hydrochloride 50 MG Oral Tablet",
                3_213,
                0.5,
                0.0,
            ),
            rx(
                "351266",
                "buprenorphine 2 MG / naloxone 0.5 MG Sublingual Tablet",
                4_511,
                0.5,
                0.0,
            ),
        ],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 2.0,
        follow_up_procedures: &[proc_(
            "52052004",
            "Rehabilitation therapy (regime/therapy)",
            48_290,
        )],
        lethality: 0.1,
        survival_years: 5.0,
        ..BASE
    },
    // ------------------------------------------------------------ pain, musculoskeletal
    ChronicDef {
        kind: Chronic::Anemia,
        code: code("271737000", "Anemia (disorder)"),
        base_risk: 0.06,
        onset: age(40.0, 18.0, 10.0),
        risk: &[(Factor::Female, 1.8)],
        meds: &[
            rx("310325", "ferrous sulfate 325 MG Oral Tablet", 15, 0.6, 0.0),
            rx(
                "2001499",
                "Vitamin B 12 5 MG/ML Injectable Solution",
                725,
                0.2,
                0.0,
            ),
        ],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::BackPain,
        code: code("278860009", "Chronic low back pain (finding)"),
        base_risk: 0.12,
        onset: age(40.0, 12.0, 18.0),
        risk: &[(Factor::Obese, 1.4)],
        meds: &[NAPROXEN],
        careplan: Some(code("408580007", "Physical activity target light exercise")),
        diagnosis_procedures: &[proc_(
            "91251008",
            "Physical therapy procedure (regime/therapy)",
            35_261,
        )],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::NeckPain,
        code: code("1121000119107", "Chronic neck pain (finding)"),
        base_risk: 0.08,
        onset: age(42.0, 12.0, 18.0),
        meds: &[rx(
            "310965",
            "Ibuprofen 200 MG Oral Tablet",
            2_739,
            1.0,
            0.0,
        )],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::PersistentPain,
        code: code("82423001", "Chronic pain"),
        base_risk: 0.06,
        onset: age(45.0, 12.0, 18.0),
        risk: &[(Factor::Has(Chronic::BackPain), 2.0)],
        meds: &[
            rx(
                "835603",
                "tramadol hydrochloride 50 MG Oral Tablet",
                26_078,
                0.5,
                0.0,
            ),
            rx(
                "856987",
                "Acetaminophen 300 MG / Hydrocodone Bitartrate 5 MG Oral Tablet",
                103_900,
                0.4,
                0.0,
            ),
            rx(
                "206905",
                "Ibuprofen 400 MG Oral Tablet [Ibu]",
                29_753,
                0.6,
                0.0,
            ),
        ],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 2.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Migraine,
        code: code(
            "124171000119105",
            "Chronic intractable migraine without aura",
        ),
        base_risk: 0.05,
        onset: age(25.0, 9.0, 12.0),
        risk: &[(Factor::Female, 3.0)],
        meds: &[rx(
            "206905",
            "Ibuprofen 400 MG Oral Tablet [Ibu]",
            29_753,
            0.7,
            0.0,
        )],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Fibromyalgia,
        code: code("203082005", "Fibromyalgia (disorder)"),
        base_risk: 0.01,
        onset: age(45.0, 10.0, 20.0),
        risk: &[(Factor::Female, 4.0)],
        meds: &[
            rx("483438", "pregabalin 100 MG Oral Capsule", 8_916, 0.6, 0.0),
            rx(
                "596926",
                "duloxetine 20 MG Delayed Release Oral Capsule",
                6_120,
                0.4,
                0.0,
            ),
        ],
        careplan: MSK_CARE,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::OaKnee,
        code: code("239873007", "Osteoarthritis of knee"),
        base_risk: 0.12,
        onset: age(62.0, 10.0, 40.0),
        risk: &[(Factor::Obese, 1.8), (Factor::Female, 1.3)],
        meds: &[NAPROXEN],
        careplan: MSK_CARE,
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 0.5,
        follow_up_procedures: &[proc_(
            "91251008",
            "Physical therapy procedure (regime/therapy)",
            35_261,
        )],
        courses: &[joint_replacement(KNEE_REPLACEMENT, 0.3), JOINT_REHAB],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::OaHip,
        code: code("239872002", "Osteoarthritis of hip"),
        base_risk: 0.06,
        onset: age(64.0, 10.0, 40.0),
        risk: &[(Factor::Obese, 1.4)],
        meds: &[NAPROXEN],
        careplan: MSK_CARE,
        courses: &[joint_replacement(HIP_REPLACEMENT, 0.3), JOINT_REHAB],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::OaHand,
        code: code("201834006", "Localized  primary osteoarthritis of the hand"),
        base_risk: 0.05,
        onset: age(60.0, 10.0, 40.0),
        risk: &[(Factor::Female, 1.6)],
        meds: &[NAPROXEN],
        careplan: MSK_CARE,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Osteoporosis,
        code: code("64859006", "Osteoporosis (disorder)"),
        base_risk: 0.06,
        onset: age(67.0, 9.0, 45.0),
        risk: &[(Factor::Female, 3.5), (Factor::Smoker, 1.5)],
        diagnosis_procedures: &[proc_("312681000", "Bone density scan (procedure)", 149_293)],
        meds: &[rx(
            "904419",
            "Alendronic acid 10 MG Oral Tablet",
            12_442,
            1.0,
            0.0,
        )],
        sequels: &[sequel(
            "443165006",
            "Pathological fracture due to osteoporosis (disorder)",
            0.15,
            4.0,
        )],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 0.5,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Gout,
        code: code("90560007", "Gout"),
        base_risk: 0.015,
        onset: age(55.0, 12.0, 25.0),
        risk: &[(Factor::Male, 3.0), (Factor::Obese, 1.5)],
        meds: &[
            rx("197319", "Allopurinol 100 MG Oral Tablet", 1_455, 0.8, 0.0),
            rx("197541", "Colchicine 0.6 MG Oral Tablet", 5_112, 0.4, 0.0),
            rx("198014", "Naproxen 500 MG Oral Tablet", 1_750, 0.5, 0.0),
        ],
        careplan: MSK_CARE,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Hypothyroidism,
        code: code("83664006", "Idiopathic atrophic hypothyroidism"),
        base_risk: 0.012,
        onset: age(45.0, 15.0, 15.0),
        risk: &[(Factor::Female, 5.0)],
        meds: &[rx(
            "966222",
            "Levothyroxine Sodium 0.075 MG Oral Tablet",
            1_922,
            1.0,
            0.0,
        )],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        labs: &[lab(OBS_TSH, 6.5, 2.0)],
        ..BASE
    },
    // ------------------------------------------------------------ neurology, development
    ChronicDef {
        kind: Chronic::Dementia,
        code: code("26929004", "Alzheimer's disease (disorder)"),
        base_risk: 0.14,
        onset: age(80.0, 7.0, 60.0),
        meds: &[
            rx(
                "997223",
                "Donepezil hydrochloride 10 MG Oral Tablet",
                7_318,
                1.0,
                0.0,
            ),
            rx(
                "996740",
                "Memantine hydrochloride 2 MG/ML Oral Solution",
                35_868,
                0.4,
                2.0,
            ),
            rx("310436", "Galantamine 4 MG Oral Tablet", 26_405, 0.15, 0.0),
        ],
        careplan: Some(code("386257007", "Demential management")),
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 2.0,
        lethality: 0.5,
        survival_years: 6.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Epilepsy,
        code: code("128613002", "Seizure disorder"),
        base_risk: 0.012,
        onset: age(20.0, 15.0, 1.0),
        diagnosis_procedures: &[proc_(
            "54550000",
            "Seizure Count Cerebral Cortex Electroencephalogram (EEG)",
            87_764,
        )],
        meds: &[
            rx("308971", "Carbamazepine[Tegretol]", 24_677, 0.8, 0.0),
            rx("204892", "clonazePAM 0.25 MG Oral Tablet", 1_204, 0.2, 1.0),
        ],
        sequels: &[sequel(
            "703151001",
            "History of single seizure (situation)",
            1.0,
            0.0,
        )],
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        lethality: 0.02,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::Adhd,
        code: code("192127007", "Child attention deficit disorder"),
        base_risk: 0.07,
        onset: age(8.0, 2.0, 5.0),
        risk: &[(Factor::Male, 2.0)],
        diagnosis_procedures: &[CBT],
        meds: &[
            rx(
                "1091392",
                "Methylphenidate Hydrochloride 20 MG Oral Tablet",
                5_213,
                0.6,
                0.0,
            ),
            rx("608139", "atomoxetine 100 MG Oral Capsule", 9_870, 0.2, 1.0),
        ],
        careplan: Some(code(
            "386522008",
            "Overactivity/inattention behavior management",
        )),
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        follow_up_procedures: &[CBT],
        ..BASE
    },
    // ------------------------------------------------------------ allergy, skin
    ChronicDef {
        kind: Chronic::AllergicRhinitis,
        code: code("446096008", "Perennial allergic rhinitis"),
        base_risk: 0.1,
        onset: age(14.0, 10.0, 2.0),
        diagnosis_procedures: &[proc_("395142003", "Allergy screening test", 6_005)],
        meds: &[
            rx(
                "1014678",
                "cetirizine hydrochloride 10 MG Oral Tablet",
                1_782,
                0.8,
                0.0,
            ),
            rx("311372", "Loratadine 10 MG Oral Tablet", 911, 0.3, 0.0),
            rx(
                "1870230",
                "NDA020800 0.3 ML Epinephrine 1 MG/ML Auto-Injector",
                35_988,
                0.15,
                0.0,
            ),
        ],
        careplan: Some(code("170836005", "Allergic disorder monitoring")),
        follow_up: Some(code("170838006", "Allergic disorder follow-up assessment")),
        follow_ups_per_year: 0.5,
        follow_up_procedures: &[proc_("180256009", "Subcutaneous immunotherapy", 152_803)],
        // Allergen immunotherapy: monthly injections for three years for some.
        courses: &[Course {
            code: code("371883000", "Outpatient procedure"),
            class: Class::Ambulatory,
            visits: 36,
            every_days: 30,
            procedures: &[proc_("180256009", "Subcutaneous immunotherapy", 152_803)],
            prob: 0.4,
            delay_days: 30,
            ..COURSE
        }],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::SeasonalAllergy,
        code: code("367498001", "Seasonal allergic rhinitis"),
        base_risk: 0.08,
        onset: age(18.0, 12.0, 3.0),
        meds: &[rx(
            "1014676",
            "cetirizine hydrochloride 5 MG Oral Tablet",
            1_782,
            0.7,
            0.0,
        )],
        ..BASE
    },
    ChronicDef {
        kind: Chronic::AtopicDermatitis,
        code: code("24079001", "Atopic dermatitis"),
        base_risk: 0.06,
        onset: age(3.0, 3.0, 0.3),
        meds: &[rx(
            "106258",
            "Hydrocortisone 10 MG/ML Topical Cream",
            514,
            1.0,
            0.0,
        )],
        careplan: Some(code("711282006", "Skin condition care")),
        ..BASE
    },
    // ------------------------------------------------------------ cancers
    ChronicDef {
        kind: Chronic::ColonPolyp,
        code: code("68496003", "Polyp of colon"),
        base_risk: 0.12,
        onset: age(56.0, 9.0, 35.0),
        risk: &[(Factor::Obese, 1.3), (Factor::Smoker, 1.4)],
        diagnosis_procedures: &[
            COLONOSCOPY,
            proc_(
                "104435004",
                "Screening for occult blood in feces (procedure)",
                59_797,
            ),
            proc_("274031008", "Rectal polypectomy", 115_933),
        ],
        sequels: &[sequel("713197008", "Recurrent rectal polyp", 0.25, 3.0)],
        resolves_days: Some(60),
        ..BASE
    },
    ChronicDef {
        kind: Chronic::BreastCancer,
        code: code("254837009", "Malignant neoplasm of breast (disorder)"),
        base_risk: 0.11,
        onset: age(62.0, 11.0, 30.0),
        risk: &[(Factor::Male, 0.01), (Factor::Obese, 1.2)],
        diagnosis_procedures: &[
            proc_("71651007", "Mammography (procedure)", 25_310),
            proc_("122548005", "Biopsy of breast (procedure)", 61_210),
            proc_("392021009", "Lumpectomy of breast (procedure)", 512_340),
        ],
        meds: &[
            rx("198240", "Tamoxifen 10 MG Oral Tablet", 3_590, 0.4, 0.5),
            rx("199224", "anastrozole 1 MG Oral Tablet", 2_410, 0.3, 0.5),
            rx("200064", "letrozole 2.5 MG Oral Tablet", 2_890, 0.2, 0.5),
        ],
        careplan: CANCER_CARE,
        follow_up: Some(code("185389009", "Follow-up visit (procedure)")),
        follow_ups_per_year: 2.0,
        courses: &[
            Course {
                code: ENC_PROBLEM,
                class: Class::Outpatient,
                visits: 6,
                every_days: 21,
                procedures: &[CHEMO],
                meds: &[
                    med("1734919", "Cyclophosphamide 1000 MG Injection", 5_123),
                    med(
                        "1790099",
                        "10 ML Doxorubicin Hydrochloride 2 MG/ML Injection",
                        25_116,
                    ),
                ],
                last: None,
                delay_days: 21,
                ..COURSE
            },
            RADIATION,
        ],
        lethality: 0.15,
        survival_years: 6.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::LungCancer,
        code: code("254637007", "Non-small cell lung cancer (disorder)"),
        base_risk: 0.006,
        onset: age(67.0, 9.0, 40.0),
        risk: &[(Factor::Smoker, 20.0), (Factor::ExSmoker, 6.0)],
        diagnosis_procedures: &[
            proc_(
                "173160006",
                "Diagnostic fiberoptic bronchoscopy (procedure)",
                96_420,
            ),
            proc_(
                "432231006",
                "Fine needle aspiration biopsy of lung (procedure)",
                61_210,
            ),
        ],
        sequels: &[
            sequel("162573006", "Suspected lung cancer (situation)", 1.0, 0.0),
            sequel(
                "424132000",
                "Non-small cell carcinoma of lung  TNM stage 1 (disorder)",
                0.6,
                0.0,
            ),
        ],
        careplan: CANCER_CARE,
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 3.0,
        courses: &[Course {
            code: ENC_PROBLEM,
            class: Class::Outpatient,
            visits: 6,
            every_days: 21,
            procedures: &[CHEMO_RADIATION],
            meds: &[
                med("1736854", "Cisplatin 50 MG Injection", 21_350),
                med("1734340", "Etoposide 100 MG Injection", 8_440),
            ],
            last: None,
            delay_days: 21,
            ..COURSE
        }],
        lethality: 0.7,
        survival_years: 2.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::ColorectalCancer,
        code: code("363406005", "Malignant tumor of colon"),
        base_risk: 0.03,
        onset: age(67.0, 11.0, 35.0),
        risk: &[
            (Factor::Has(Chronic::ColonPolyp), 3.0),
            (Factor::Obese, 1.3),
            (Factor::Smoker, 1.4),
        ],
        diagnosis_procedures: &[
            COLONOSCOPY,
            proc_("76164006", "Biopsy of colon", 61_210),
            proc_("43075005", "Partial resection of colon", 1_254_020),
        ],
        careplan: CANCER_CARE,
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 2.0,
        courses: &[Course {
            code: ENC_PROBLEM,
            class: Class::Outpatient,
            visits: 8,
            every_days: 14,
            procedures: &[CHEMO_RADIATION],
            meds: &[
                med("1803932", "Leucovorin 100 MG Injection", 3_312),
                med("1736776", "10 ML oxaliplatin 5 MG/ML Injection", 19_210),
            ],
            last: None,
            delay_days: 14,
            ..COURSE
        }],
        lethality: 0.35,
        survival_years: 4.0,
        ..BASE
    },
    ChronicDef {
        kind: Chronic::ProstateCancer,
        code: code("126906006", "Neoplasm of prostate"),
        base_risk: 0.12,
        onset: age(68.0, 9.0, 40.0),
        risk: &[
            (Factor::Female, 0.0),
            (Factor::Black, 1.7),
            (Factor::FamilyCvd, 1.0),
        ],
        diagnosis_procedures: &[
            proc_("410006001", "Digital examination of rectum", 4_314),
            proc_("65575008", "Biopsy of prostate", 61_210),
        ],
        meds: &[rx(
            "752899",
            "0.25 ML Leuprolide Acetate 30 MG/ML Prefilled Syringe",
            98_712,
            0.4,
            0.0,
        )],
        sequels: &[
            sequel(
                "92691004",
                "Carcinoma in situ of prostate (disorder)",
                0.9,
                0.0,
            ),
            sequel(
                "314994000",
                "Metastasis from malignant tumor of prostate (disorder)",
                0.12,
                3.0,
            ),
        ],
        careplan: CANCER_CARE,
        follow_up: FOLLOW_UP,
        follow_ups_per_year: 1.0,
        courses: &[
            Course {
                code: ENC_PROBLEM,
                class: Class::Outpatient,
                visits: 4,
                every_days: 21,
                procedures: &[CHEMO],
                meds: &[med("1860480", "1 ML DOCEtaxel 20 MG/ML Injection", 41_230)],
                last: None,
                delay_days: 21,
                ..COURSE
            },
            RADIATION,
        ],
        lethality: 0.12,
        survival_years: 8.0,
        ..BASE
    },
    // ------------------------------------------------------------ pregnancy
    ChronicDef {
        kind: Chronic::Pregnancy,
        code: code("72892002", "Normal pregnancy"),
        base_risk: 0.6,
        onset: age(28.0, 5.5, 16.0),
        risk: &[(Factor::Male, 0.0)],
        diagnosis_procedures: &[
            proc_("252160004", "Standard pregnancy test", 45_342),
            proc_("169230002", "Ultrasound scan for fetal viability", 74_782),
            proc_(
                "104091002",
                "Hemoglobin / Hematocrit / Platelet count",
                11_084,
            ),
            proc_("47758006", "Hepatitis B Surface Antigen Measurement", 8_420),
            proc_(
                "31676001",
                "Human immunodeficiency virus antigen test",
                12_510,
            ),
            proc_("310861008", "Chlamydia antigen test", 9_140),
            proc_("117010004", "Urine culture", 7_560),
            proc_(
                "90226004",
                "Cytopathology procedure  preparation of smear  genital source",
                15_320,
            ),
            proc_("395123002", "Urine screening test for diabetes", 4_110),
            proc_("169690007", "Rubella screening", 6_730),
            proc_(
                "104326007",
                "Measurement of Varicella-zoster virus antibody",
                8_950,
            ),
            proc_("167271000", "Urine protein test", 4_110),
        ],
        careplan: Some(code("134435003", "Routine antenatal care")),
        courses: &[
            Course {
                code: code("424619006", "Prenatal visit"),
                class: Class::Ambulatory,
                visits: 8,
                every_days: 28,
                procedures: &[
                    proc_("274804006", "Evaluation of uterine fundal height", 27_436),
                    proc_("225158009", "Auscultation of the fetal heart", 63_134),
                ],
                meds: &[],
                last: Some(FinalEncounter {
                    code: code("183460006", "Obstetric emergency hospital admission"),
                    class: Class::Inpatient,
                    days: 2,
                    procedures: &[
                        proc_("66348005", "Childbirth", 43_140),
                        proc_("18946005", "Epidural anesthesia", 24_655),
                    ],
                }),
                delay_days: 28,
                ..COURSE
            },
            Course {
                code: code("169762003", "Postnatal visit"),
                class: Class::Ambulatory,
                procedures: &[proc_("171207006", "Depression screening", 44_620)],
                delay_days: 42,
                ..COURSE
            },
        ],
        resolves_days: Some(270),
        ..BASE
    },
];
