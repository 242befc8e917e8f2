//! The feature groups. Each takes the spine (patient, as-of date) and silver tables and
//! returns one row per spine row with its features, computed only from events dated on
//! or before the row's as-of date:
//!
//! * event tables are joined to the spine by patient and filtered with
//!   `event date <= as_of_date` *before* anything is aggregated ([`visible`]);
//! * latest values are backward as-of joins on the event date
//!   (`medallion_model::expr::asof_join`), exact matches allowed;
//! * journey features run `ehr_journey::condition_journeys` on each patient's history
//!   truncated at the as-of date (one pseudo-patient per spine row).
//!
//! Intervals are seen as on the as-of date: a medication or condition whose stop is
//! after it is still active (its stop is not known yet).

use ehr_journey::{ConditionJourneyConfig, JourneyConfig, JourneyInputs, condition_journeys};
use medallion_model::expr::{AsOfJoin, asof_join, days_between_dates, epoch_day, string_list};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{
    conditions, encounters, medications, observations, patients, require,
};

use crate::FeatureInputs;
use crate::columns::{AS_OF_DATE, PATIENT_ID};
use crate::config::{
    ConditionFeatures, FeatureStoreConfig, JourneyFeatures, LabFeatures, MedicationFeatures,
    UtilizationFeatures,
};
use crate::definitions::FeatureDefinition;
use crate::error::Result;

/// One feature group's output: a frame with one row per spine row (keys
/// [`PATIENT_ID`], [`AS_OF_DATE`] then the features) and the features' definitions.
pub struct GroupFrame {
    /// Keys and features.
    pub frame: LazyFrame,
    /// One definition per feature column, in column order.
    pub definitions: Vec<FeatureDefinition>,
}

fn keys() -> [Expr; 2] {
    [col(PATIENT_ID), col(AS_OF_DATE)]
}

/// Events of `events` visible at each spine row: joined by patient and kept only when
/// `date_column <= as_of_date`. The only way event tables enter a feature.
pub fn visible(spine: &LazyFrame, events: LazyFrame, date_column: &str) -> LazyFrame {
    visible_rows(spine.clone().select(keys()), events, date_column)
}

/// [`visible`] keeping every column of `rows` (which has at least the keys).
fn visible_rows(rows: LazyFrame, events: LazyFrame, date_column: &str) -> LazyFrame {
    rows.join(
        events,
        [col(PATIENT_ID)],
        [col(PATIENT_ID)],
        JoinArgs::new(JoinType::Inner),
    )
    .filter(col(date_column).lt_eq(col(AS_OF_DATE)))
}

/// `aggregated` (keyed by patient, as-of date) left-joined onto the spine, with
/// `fills` applied (e.g. counts of patients without events become 0).
fn attach(spine: &LazyFrame, aggregated: LazyFrame, fills: Vec<Expr>) -> LazyFrame {
    let on = keys();
    spine
        .clone()
        .select(keys())
        .join(aggregated, on.clone(), on, JoinArgs::new(JoinType::Left))
        .with_columns(fills)
}

/// Demographics: `patient__age_years` (full years at the as-of date), `patient__gender`,
/// `patient__race`.
///
/// # Errors
/// Inputs that are not silver tables.
pub fn demographics(spine: &LazyFrame, inputs: &FeatureInputs) -> Result<GroupFrame> {
    let mut p = inputs.patients.clone();
    require(
        TableKind::Patients,
        &mut p,
        &[
            patients::PATIENT_ID,
            patients::BIRTH_DATE,
            patients::GENDER,
            patients::RACE,
        ],
    )?;
    let p = p
        .select([
            col(patients::PATIENT_ID),
            col(patients::BIRTH_DATE),
            col(patients::GENDER),
            col(patients::RACE),
        ])
        .unique_stable(
            Some(cols([patients::PATIENT_ID])),
            UniqueKeepStrategy::First,
        );
    let (b, a) = (col(patients::BIRTH_DATE), col(AS_OF_DATE));
    let before_birthday = a.clone().dt().month().lt(b.clone().dt().month()).or(a
        .clone()
        .dt()
        .month()
        .eq(b.clone().dt().month())
        .and(a.clone().dt().day().lt(b.clone().dt().day())));
    let age = (a.dt().year()
        - b.dt().year()
        - when(before_birthday).then(lit(1i32)).otherwise(lit(0i32)))
    .cast(DataType::Int32);
    let frame = spine
        .clone()
        .select(keys())
        .join(
            p,
            [col(PATIENT_ID)],
            [col(patients::PATIENT_ID)],
            JoinArgs::new(JoinType::Left),
        )
        .select([
            col(PATIENT_ID),
            col(AS_OF_DATE),
            age.alias("patient__age_years"),
            col(patients::GENDER).alias("patient__gender"),
            col(patients::RACE).alias("patient__race"),
        ]);
    let g = "demographics";
    Ok(GroupFrame {
        frame,
        definitions: vec![
            FeatureDefinition::new(
                "patient__age_years",
                g,
                "Int32",
                "Age in full years on the as-of date.",
            ),
            FeatureDefinition::new(
                "patient__gender",
                g,
                "String",
                "Silver gender (male/female).",
            ),
            FeatureDefinition::new("patient__race", g, "String", "Silver race."),
        ],
    })
}

/// Conditions: per value set `condition__<set>_flag` (any diagnosis dated on or before
/// the as-of date) and `condition__<set>_count` (such diagnosis rows), and
/// `condition__active_count` (distinct codes diagnosed on or before the as-of date and
/// not resolved on or before it).
///
/// # Errors
/// Inputs that are not silver tables.
pub fn condition_features(
    spine: &LazyFrame,
    inputs: &FeatureInputs,
    config: &ConditionFeatures,
) -> Result<GroupFrame> {
    let mut c = inputs.conditions.clone();
    require(
        TableKind::Conditions,
        &mut c,
        &[
            conditions::PATIENT_ID,
            conditions::CODE,
            conditions::START,
            conditions::STOP,
        ],
    )?;
    // Set membership is a property of the event row: computed once per row, before the
    // rows are repeated for every as-of date.
    let hit_column = |i: usize| format!("__in_set_{i}");
    let memberships: Vec<Expr> = config
        .value_sets
        .iter()
        .enumerate()
        .map(|(i, set)| {
            col(conditions::CODE)
                .is_in(string_list(&set.codes), false)
                .cast(DataType::UInt32)
                .alias(hit_column(i))
        })
        .collect();
    let events = c
        .select([
            col(conditions::PATIENT_ID),
            col(conditions::CODE),
            col(conditions::START),
            col(conditions::STOP),
        ])
        .filter(col(conditions::START).is_not_null())
        .with_columns(memberships);
    let seen = visible(spine, events, conditions::START);
    let active = col(conditions::STOP)
        .is_null()
        .or(col(conditions::STOP).gt(col(AS_OF_DATE)));
    let mut aggs = vec![
        col(conditions::CODE)
            .filter(active)
            .n_unique()
            .cast(DataType::UInt32)
            .alias("condition__active_count"),
    ];
    let mut fills = vec![col("condition__active_count").fill_null(lit(0u32))];
    let g = "conditions";
    let mut definitions = vec![FeatureDefinition::new(
        "condition__active_count",
        g,
        "UInt32",
        "Distinct condition codes diagnosed on or before the as-of date and not resolved on or before it.",
    )];
    for (i, set) in config.value_sets.iter().enumerate() {
        let (flag, count) = (
            format!("condition__{}_flag", set.name),
            format!("condition__{}_count", set.name),
        );
        aggs.push(col(hit_column(i)).sum().alias(count.as_str()));
        fills.push(col(count.as_str()).fill_null(lit(0u32)));
        fills.push(
            col(count.as_str())
                .fill_null(lit(0u32))
                .gt(lit(0u32))
                .alias(flag.as_str()),
        );
        definitions.push(FeatureDefinition::new(
            &flag,
            g,
            "Boolean",
            &format!(
                "Any diagnosis in value set `{}` dated on or before the as-of date.",
                set.name
            ),
        ));
        definitions.push(FeatureDefinition::new(
            &count,
            g,
            "UInt32",
            &format!(
                "Diagnosis rows in value set `{}` dated on or before the as-of date.",
                set.name
            ),
        ));
    }
    let aggregated = seen.group_by(keys()).agg(aggs);
    let names: Vec<Expr> = definitions.iter().map(|d| col(d.name.as_str())).collect();
    let frame = attach(spine, aggregated, fills)
        .select(keys().into_iter().chain(names).collect::<Vec<_>>());
    Ok(GroupFrame { frame, definitions })
}

/// Utilization: per window of `d` days `encounter__all_count_<d>d`,
/// `encounter__emergency_count_<d>d` and `encounter__inpatient_count_<d>d`: encounters
/// (of any class, of an emergency class, of the inpatient class) starting in
/// `(as_of − d, as_of]`.
///
/// # Errors
/// Inputs that are not silver tables.
pub fn utilization_features(
    spine: &LazyFrame,
    inputs: &FeatureInputs,
    config: &UtilizationFeatures,
) -> Result<GroupFrame> {
    let mut e = inputs.encounters.clone();
    require(
        TableKind::Encounters,
        &mut e,
        &[
            encounters::PATIENT_ID,
            encounters::START_DATE,
            encounters::ENCOUNTER_CLASS,
        ],
    )?;
    let events = e.select([
        col(encounters::PATIENT_ID),
        col(encounters::START_DATE),
        col(encounters::ENCOUNTER_CLASS),
    ]);
    let longest = config.windows_days.iter().copied().max().unwrap_or(0);
    let age_days = || epoch_day(col(AS_OF_DATE)) - epoch_day(col(encounters::START_DATE));
    let seen =
        visible(spine, events, encounters::START_DATE).filter(age_days().lt(lit(longest as i32)));
    let emergency =
        col(encounters::ENCOUNTER_CLASS).is_in(string_list(&config.emergency_classes), false);
    let inpatient = col(encounters::ENCOUNTER_CLASS).eq(lit(config.inpatient_class.clone()));
    let (mut aggs, mut fills, mut definitions) = (Vec::new(), Vec::new(), Vec::new());
    for d in &config.windows_days {
        let in_window = age_days().lt(lit(*d as i32));
        for (kind, condition, what) in [
            ("all", lit(true), "Encounters".to_string()),
            (
                "emergency",
                emergency.clone(),
                format!("Encounters of class {:?}", config.emergency_classes),
            ),
            (
                "inpatient",
                inpatient.clone(),
                format!("Encounters of class `{}`", config.inpatient_class),
            ),
        ] {
            let name = format!("encounter__{kind}_count_{d}d");
            aggs.push(
                in_window
                    .clone()
                    .and(condition)
                    .cast(DataType::UInt32)
                    .sum()
                    .alias(name.as_str()),
            );
            fills.push(col(name.as_str()).fill_null(lit(0u32)));
            definitions.push(FeatureDefinition::new(
                &name,
                "utilization",
                "UInt32",
                &format!(
                    "{what} starting in the {d} days ending on the as-of date (as_of − {d}, as_of]."
                ),
            ));
        }
    }
    let aggregated = seen.group_by(keys()).agg(aggs);
    Ok(GroupFrame {
        frame: attach(spine, aggregated, fills),
        definitions,
    })
}

/// Medications: `medication__active_count` (distinct medication codes active on the
/// as-of date: started on or before it, not stopped on or before it) and per drug
/// class `medication__<class>_active`.
///
/// # Errors
/// Inputs that are not silver tables.
pub fn medication_features(
    spine: &LazyFrame,
    inputs: &FeatureInputs,
    config: &MedicationFeatures,
) -> Result<GroupFrame> {
    let mut m = inputs.medications.clone();
    require(
        TableKind::Medications,
        &mut m,
        &[
            medications::PATIENT_ID,
            medications::CODE,
            medications::START_DATE,
            medications::STOP_DATE,
        ],
    )?;
    let events = m.select([
        col(medications::PATIENT_ID),
        col(medications::CODE),
        col(medications::START_DATE),
        col(medications::STOP_DATE),
    ]);
    let active = col(medications::STOP_DATE)
        .is_null()
        .or(col(medications::STOP_DATE).gt(col(AS_OF_DATE)));
    let seen = visible(spine, events, medications::START_DATE).filter(active);
    let g = "medications";
    let mut aggs = vec![
        col(medications::CODE)
            .n_unique()
            .cast(DataType::UInt32)
            .alias("medication__active_count"),
    ];
    let mut fills = vec![col("medication__active_count").fill_null(lit(0u32))];
    let mut definitions = vec![FeatureDefinition::new(
        "medication__active_count",
        g,
        "UInt32",
        "Distinct medication codes started on or before the as-of date and not stopped on or before it.",
    )];
    for class in &config.drug_classes {
        let name = format!("medication__{}_active", class.name);
        aggs.push(
            col(medications::CODE)
                .is_in(string_list(&class.codes), false)
                .any(true)
                .alias(name.as_str()),
        );
        fills.push(col(name.as_str()).fill_null(lit(false)));
        definitions.push(FeatureDefinition::new(
            &name,
            g,
            "Boolean",
            &format!(
                "A medication of drug class `{}` is active on the as-of date.",
                class.name
            ),
        ));
    }
    let aggregated = seen.group_by(keys()).agg(aggs);
    Ok(GroupFrame {
        frame: attach(spine, aggregated, fills),
        definitions,
    })
}

const EVENT_DATE: &str = "__event_date";
const LOOKUP_DATE: &str = "__lookup_date";

/// Labs and vitals: per measure `lab__<name>_latest` (latest value dated on or before
/// the as-of date; the latest time of day, then the largest value, wins a tie),
/// `lab__<name>_days_since` (days from it to the as-of date) and
/// `lab__<name>_trend_<t>d` (latest minus the latest value dated on or before
/// `as_of − t` days).
///
/// # Errors
/// Inputs that are not silver tables.
pub fn lab_features(
    spine: &LazyFrame,
    inputs: &FeatureInputs,
    config: &LabFeatures,
) -> Result<GroupFrame> {
    let mut o = inputs.observations.clone();
    require(
        TableKind::Observations,
        &mut o,
        &[
            observations::PATIENT_ID,
            observations::CODE,
            observations::OCCURRED_AT,
            observations::OCCURRED_DATE,
            observations::VALUE_NUMERIC,
        ],
    )?;
    let t = config.trend_days;
    let mut frame = spine.clone().select(keys());
    let mut definitions = Vec::new();
    for m in &config.measures {
        let (latest, since, trend) = (
            format!("lab__{}_latest", m.name),
            format!("lab__{}_days_since", m.name),
            format!("lab__{}_trend_{t}d", m.name),
        );
        let values = o
            .clone()
            .filter(
                col(observations::CODE)
                    .eq(lit(m.code.clone()))
                    .and(col(observations::VALUE_NUMERIC).is_not_null()),
            )
            .select([
                col(observations::PATIENT_ID),
                col(observations::OCCURRED_DATE).alias(EVENT_DATE),
                col(observations::OCCURRED_AT),
                col(observations::VALUE_NUMERIC),
            ])
            .sort(
                [observations::OCCURRED_AT, observations::VALUE_NUMERIC],
                SortMultipleOptions::default(),
            );
        let now = asof_join(
            spine.clone().select(keys()),
            values.clone(),
            &AsOfJoin::new(AS_OF_DATE, EVENT_DATE).with_by([PATIENT_ID]),
        )
        .select([
            col(PATIENT_ID),
            col(AS_OF_DATE),
            col(observations::VALUE_NUMERIC).alias(latest.as_str()),
            days_between_dates(col(AS_OF_DATE), col(EVENT_DATE)).alias(since.as_str()),
        ]);
        let lookup = (epoch_day(col(AS_OF_DATE)) - lit(t as i32)).cast(DataType::Date);
        let before = asof_join(
            spine
                .clone()
                .select(keys())
                .with_column(lookup.alias(LOOKUP_DATE)),
            values,
            &AsOfJoin::new(LOOKUP_DATE, EVENT_DATE).with_by([PATIENT_ID]),
        )
        .select([
            col(PATIENT_ID),
            col(AS_OF_DATE),
            col(observations::VALUE_NUMERIC).alias("__before"),
        ]);
        let on = keys();
        frame = frame
            .join(now, on.clone(), on.clone(), JoinArgs::new(JoinType::Left))
            .join(before, on.clone(), on, JoinArgs::new(JoinType::Left))
            .with_column((col(latest.as_str()) - col("__before")).alias(trend.as_str()))
            .drop(cols(["__before"]));
        let g = "labs";
        definitions.push(FeatureDefinition::new(
            &latest,
            g,
            "Float64",
            &format!(
                "Latest {} (LOINC {}, {}) dated on or before the as-of date.",
                m.name, m.code, m.unit
            ),
        ));
        definitions.push(FeatureDefinition::new(
            &since,
            g,
            "Int32",
            &format!("Days from the latest {} to the as-of date.", m.name),
        ));
        definitions.push(FeatureDefinition::new(
            &trend,
            g,
            "Float64",
            &format!(
                "Latest {} minus the latest one dated on or before {t} days before the as-of date.",
                m.name
            ),
        ));
    }
    Ok(GroupFrame { frame, definitions })
}

const ROW_KEY: &str = "__row_key";

/// Journey features per condition value set: `journey__<set>_days_since_diagnosis`
/// (days from the set's first diagnosis to the as-of date) and
/// `journey__<set>_days_to_treatment` (the shortest `days_to_medication` of the set's
/// codes), as `ehr_journey::condition_journeys` computes them on the history truncated
/// at the as-of date: each spine row becomes a pseudo-patient whose encounters,
/// conditions and medications are those dated on or before its as-of date (stops after
/// it unknown, so null). Null when there is no diagnosis or no treatment yet.
///
/// # Errors
/// Inputs that are not silver tables; journey planning errors.
pub fn journey_features(
    spine: &LazyFrame,
    inputs: &FeatureInputs,
    config: &JourneyFeatures,
    store: &FeatureStoreConfig,
) -> Result<GroupFrame> {
    let sets: Vec<_> = config
        .value_sets
        .iter()
        .filter_map(|n| store.condition_set(n))
        .collect();
    let codes: Vec<String> = sets.iter().flat_map(|s| s.codes.iter().cloned()).collect();
    let all_rows = spine
        .clone()
        .select(keys())
        .with_row_index(ROW_KEY, None)
        .with_column(col(ROW_KEY).cast(DataType::String));
    // Only the conditions of the sets matter, and only rows with such a diagnosis by
    // their as-of date have a journey; the encounters are those the diagnoses were made
    // in (they anchor the diagnosis time). This keeps the per-row histories small.
    let set_conditions = inputs
        .conditions
        .clone()
        .filter(col(conditions::CODE).is_in(string_list(&codes), false));
    let diagnosed = visible_rows(
        all_rows.clone(),
        set_conditions
            .clone()
            .select([col(conditions::PATIENT_ID), col(conditions::START)]),
        conditions::START,
    )
    .select([col(ROW_KEY)])
    .unique(None, UniqueKeepStrategy::Any);
    let keyed = all_rows.clone().join(
        diagnosed,
        [col(ROW_KEY)],
        [col(ROW_KEY)],
        JoinArgs::new(JoinType::Semi),
    );
    let diagnosis_encounters = inputs.encounters.clone().join(
        set_conditions
            .clone()
            .select([col(conditions::ENCOUNTER_ID)])
            .unique(None, UniqueKeepStrategy::Any),
        [col(encounters::ENCOUNTER_ID)],
        [col(conditions::ENCOUNTER_ID)],
        JoinArgs::new(JoinType::Semi),
    );
    let truncate = |events: LazyFrame, date: &str, stops: &[&str], stop_date: &str| {
        let unknown = col(stop_date).gt(col(AS_OF_DATE));
        let nulled: Vec<Expr> = stops
            .iter()
            .map(|s| {
                when(unknown.clone())
                    .then(lit(NULL))
                    .otherwise(col(*s))
                    .alias(*s)
            })
            .collect();
        visible_rows(keyed.clone(), events, date)
            .with_columns(nulled)
            .with_column(col(ROW_KEY).alias(PATIENT_ID))
            .drop(cols([ROW_KEY, AS_OF_DATE]))
    };
    let enc = truncate(
        diagnosis_encounters,
        encounters::START_DATE,
        &[encounters::STOP, encounters::STOP_DATE],
        encounters::STOP_DATE,
    );
    let cond = truncate(
        set_conditions,
        conditions::START,
        &[conditions::STOP],
        conditions::STOP,
    );
    let meds = truncate(
        inputs.medications.clone(),
        medications::START_DATE,
        &[medications::STOP, medications::STOP_DATE],
        medications::STOP_DATE,
    );
    let jc = JourneyConfig::default()
        .with_condition(ConditionJourneyConfig::default().with_condition_codes(Some(codes)));
    let journeys = condition_journeys(&JourneyInputs::new(enc, cond, meds), &jc)?;
    let (mut aggs, mut definitions) = (Vec::new(), Vec::new());
    for set in &sets {
        let in_set = col("condition_code").is_in(string_list(&set.codes), false);
        let (since, treat) = (
            format!("journey__{}_days_since_diagnosis", set.name),
            format!("journey__{}_days_to_treatment", set.name),
        );
        aggs.push(
            col("diagnosis_date")
                .filter(in_set.clone())
                .min()
                .alias(since.as_str()),
        );
        aggs.push(
            col("days_to_medication")
                .filter(in_set)
                .min()
                .alias(treat.as_str()),
        );
        definitions.push(FeatureDefinition::new(
            &since,
            "journey",
            "Int32",
            &format!(
                "Days from the first diagnosis in value set `{}` to the as-of date.",
                set.name
            ),
        ));
        definitions.push(FeatureDefinition::new(
            &treat,
            "journey",
            "Float64",
            &format!(
                "Shortest days from diagnosis to first treatment (ehr_journey's days_to_medication) among the codes of `{}`, with both on or before the as-of date.",
                set.name
            ),
        ));
    }
    let per_row = journeys
        .group_by([col(PATIENT_ID).alias(ROW_KEY)])
        .agg(aggs);
    let since_cols: Vec<Expr> = sets
        .iter()
        .map(|s| {
            let n = format!("journey__{}_days_since_diagnosis", s.name);
            days_between_dates(col(AS_OF_DATE), col(n.as_str())).alias(n.as_str())
        })
        .collect();
    let names: Vec<Expr> = definitions.iter().map(|d| col(d.name.as_str())).collect();
    let frame = all_rows
        .join(
            per_row,
            [col(ROW_KEY)],
            [col(ROW_KEY)],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns(since_cols)
        .select(keys().into_iter().chain(names).collect::<Vec<_>>());
    Ok(GroupFrame { frame, definitions })
}
