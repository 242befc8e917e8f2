//! 30-day readmissions (hospital-wide style, observed, unadjusted) with an exclusion
//! reason for every stay that is not an index stay, their rates, and the crude variant.

use medallion_model::expr::{epoch_day, join_args, ratio, stable_sort, string_list, typed_null};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::encounters::{
    CODE, ENCOUNTER_ID, ORGANIZATION_ID, PATIENT_ID, REASON_CODE, START_DATE,
};
use synthea_schema::columns::{patients, procedures, require};

use crate::columns::*;
use crate::config::ReadmissionConfig;
use crate::error::Result;
use crate::util::sum_u32;

/// Version of the definition of 30-day readmissions (`readmissions`, `readmission_rates`),
/// recorded with its gold tables. Change it whenever the rows would change for the same
/// inputs.
pub const METRIC_VERSION: &str = "readmissions-2";

/// Inputs of [`readmissions`].
#[derive(Clone)]
pub struct ReadmissionInputs {
    /// Merged stays ([`crate::stays::StayRollup::stays`]).
    pub stays: LazyFrame,
    /// The stay ↔ encounter bridge ([`crate::stays::StayRollup::stay_encounters`]).
    pub stay_encounters: LazyFrame,
    /// Silver `encounters` (encounter codes/reasons, death certifications).
    pub encounters: LazyFrame,
    /// Silver `patients` (`death_date`).
    pub patients: LazyFrame,
    /// Silver `procedures` (planned / excluded procedure codes).
    pub procedures: LazyFrame,
}

/// Exclusion reason: the stay is still open.
pub const REASON_STILL_ADMITTED: &str = "still_admitted";
/// Exclusion reason: died on or before discharge.
pub const REASON_DIED: &str = "died";
/// Exclusion reason: transferred to another organization.
pub const REASON_TRANSFER: &str = "transfer";
/// Exclusion reason: discharged too close to the end of the data.
pub const REASON_RUN_OUT: &str = "run_out";

/// Output schema of [`readmissions`].
pub fn readmissions_schema() -> Schema {
    Schema::from_iter([
        Field::new(STAY_ID.into(), DataType::String),
        Field::new(PATIENT_ID.into(), DataType::String),
        Field::new(ORGANIZATION_ID.into(), DataType::String),
        Field::new(ADMISSION_DATE.into(), DataType::Date),
        Field::new(DISCHARGE_DATE.into(), DataType::Date),
        Field::new(DISCHARGE_MONTH.into(), DataType::Date),
        Field::new(REASON_CODE.into(), DataType::String),
        Field::new("planned_flag".into(), DataType::Boolean),
        Field::new("index_flag".into(), DataType::Boolean),
        Field::new("exclusion_reason".into(), DataType::String),
        Field::new("readmission_flag".into(), DataType::Boolean),
        Field::new("readmit_stay_id".into(), DataType::String),
        Field::new("readmit_admission_date".into(), DataType::Date),
        Field::new("days_to_readmission".into(), DataType::Int32),
        Field::new("crude_readmission_flag".into(), DataType::Boolean),
    ])
}

/// All codes of each stay (grain: stay_id × code): encounter type and reason codes of
/// its encounters, and code and reason of procedures performed in them.
fn stay_codes(
    bridge: LazyFrame,
    encounters: LazyFrame,
    procedures: LazyFrame,
) -> Result<LazyFrame> {
    let enc_codes = encounters
        .select([col(ENCOUNTER_ID), col(CODE), col(REASON_CODE)])
        .unique_stable(None, UniqueKeepStrategy::First);
    let proc_codes = procedures.select([
        col(procedures::ENCOUNTER_ID),
        col(procedures::CODE),
        col(procedures::REASON_CODE),
    ]);
    let links = bridge.select([col(STAY_ID), col(ENCOUNTER_ID)]);
    let long = |lf: LazyFrame| {
        let joined = links.clone().join(
            lf,
            [col(ENCOUNTER_ID)],
            [col(ENCOUNTER_ID)],
            JoinArgs::new(JoinType::Inner),
        );
        [
            joined
                .clone()
                .select([col(STAY_ID), col(CODE).alias("__code")]),
            joined.select([col(STAY_ID), col(REASON_CODE).alias("__code")]),
        ]
    };
    let [a, b] = long(enc_codes);
    let [c, d] = long(proc_codes);
    Ok(concat([a, b, c, d], UnionArgs::default())?
        .drop_nulls(None)
        .unique_stable(None, UniqueKeepStrategy::First))
}

/// 30-day readmission per stay.
///
/// # Definition
/// Index stay: a merged stay ([`crate::stays::inpatient_stays`]) that is discharged
/// (`still_admitted` otherwise), alive (`died`: patient `death_date` or a
/// death-certification encounter, [`ReadmissionConfig::death_encounter_codes`], on or
/// before the discharge date), not a transfer (`transfer`: `transfer_out_flag`, the next
/// stay at another organization is admitted within the merge gap — only the chain's last
/// stay is a candidate), discharged ≤ last discharge date in the data −
/// [`ReadmissionConfig::window_days`] (`run_out`), and matching none of
/// [`ReadmissionConfig::exclusion_value_sets`] (reason = the set's name). Reasons are
/// checked in that order; every excluded stay carries exactly one.
/// Readmission: as in CMS's method, only the patient's first later stay (by admission)
/// admitted 1..=30 days after the index discharge date is examined; it is the
/// readmission unless it is planned — then the index stay has no readmission, even if an
/// unplanned stay follows. Planned (`planned_flag`): any of the stay's codes (encounter
/// types and reasons, its procedures' codes and reasons) is in
/// [`ReadmissionConfig::always_planned`], or one is in
/// [`ReadmissionConfig::potentially_planned`] and none is in [`ReadmissionConfig::acute`]
/// (an acute stay with dialysis is unplanned).
/// Crude variant (`crude_readmission_flag`): the patient's next stay (any) is admitted
/// 0..=30 days after this discharge; evaluated for every discharged stay, no exclusions.
///
/// # Denominator
/// `index_flag` stays (crude: discharged stays).
///
/// # Numerator
/// `readmission_flag` stays (always a subset of `index_flag`).
///
/// # Exclusions
/// `exclusion_reason` ∈ {`still_admitted`, `died`, `transfer`, `run_out`, value-set names}.
///
/// # Period
/// All stays given; the run-out edge is derived from the data (last discharge date).
///
/// # Output grain
/// One row per `stay_id`:
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | stay_id, patient_id, organization_id | String | the stay |
/// | admission_date, discharge_date | Date | dates (discharge null when open) |
/// | discharge_month | Date | first day of the discharge month |
/// | reason_code | String | stay reason |
/// | planned_flag | Boolean | the stay itself is planned |
/// | index_flag | Boolean | eligible index stay |
/// | exclusion_reason | String | null for index stays |
/// | readmission_flag | Boolean | index stay whose first stay in the window is unplanned |
/// | readmit_stay_id | String | the readmission stay |
/// | readmit_admission_date | Date | its admission date |
/// | days_to_readmission | Int32 | readmission admission − index discharge date |
/// | crude_readmission_flag | Boolean | next stay within 0..=30 days |
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use ehr_quality_metrics::prelude::*;
/// use polars::prelude::*;
/// use synthea_schema::normalize::{NormalizeConfig, normalize};
/// use synthea_schema::{SyntheaVersion, TableKind};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let n = |t, raw: DataFrame| normalize(t, SyntheaVersion::V3Latest, raw.lazy(), &NormalizeConfig::default());
/// let encounters = n(TableKind::Encounters, df!(
///     "Id" => ["a", "b", "c"],
///     "PATIENT" => ["p", "p", "p"],
///     "ORGANIZATION" => ["h", "h", "h"],
///     "ENCOUNTERCLASS" => ["inpatient", "inpatient", "inpatient"],
///     "START" => ["2020-01-01T10:00:00Z", "2020-01-10T10:00:00Z", "2020-06-01T10:00:00Z"],
///     "STOP" => ["2020-01-03T10:00:00Z", "2020-01-12T10:00:00Z", "2020-06-02T10:00:00Z"],
/// )?)?;
/// let patients = n(TableKind::Patients, df!("Id" => ["p"], "BIRTHDATE" => ["1950-01-01"])?)?;
/// let procedures = n(TableKind::Procedures, df!("PATIENT" => ["p"], "ENCOUNTER" => ["zz"], "CODE" => ["1"], "START" => ["2020-01-01T10:00:00Z"])?)?;
/// let as_of = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap_or_default();
/// let rollup = inpatient_stays(StayInputs { encounters: encounters.clone() }, &StayConfig::default(), as_of)?;
/// let out = readmissions(
///     ReadmissionInputs { stays: rollup.stays, stay_encounters: rollup.stay_encounters, encounters, patients, procedures },
///     &ReadmissionConfig::default(),
/// )?
/// .sort(["admission_date"], Default::default())
/// .collect()?;
/// // a is readmitted 7 days later by b; c is the last discharge (run-out).
/// let flags: Vec<_> = out.column("readmission_flag")?.bool()?.iter().collect();
/// assert_eq!(flags, [Some(true), Some(false), Some(false)]);
/// assert_eq!(out.column("exclusion_reason")?.str()?.get(2), Some("run_out"));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Invalid config, missing or mistyped input columns.
pub fn readmissions(inputs: ReadmissionInputs, config: &ReadmissionConfig) -> Result<LazyFrame> {
    config.validate()?;
    let ReadmissionInputs {
        stays,
        stay_encounters,
        mut encounters,
        mut patients,
        mut procedures,
    } = inputs;
    require(
        TableKind::Encounters,
        &mut encounters,
        &[ENCOUNTER_ID, PATIENT_ID, CODE, REASON_CODE, START_DATE],
    )?;
    require(
        TableKind::Patients,
        &mut patients,
        &[patients::PATIENT_ID, patients::DEATH_DATE],
    )?;
    require(
        TableKind::Procedures,
        &mut procedures,
        &[
            procedures::ENCOUNTER_ID,
            procedures::CODE,
            procedures::REASON_CODE,
        ],
    )?;
    let codes = stay_codes(stay_encounters, encounters.clone(), procedures)?;
    let flags = value_set_flags(codes, config);
    let stays = with_flags_and_deaths(stays, flags, patients, encounters, config);
    let stays = with_exclusion_reason(stays, config);
    let readmits = first_unplanned_readmission(stays.clone(), config.window_days);
    let out = with_readmission_and_crude_flags(stays, readmits, config.window_days)?;
    let order: Vec<Expr> = readmissions_schema()
        .iter_names()
        .map(|n| col(n.clone()))
        .collect();
    Ok(out.select(order))
}

/// Per stay: `planned_flag` (an always-planned code, or a potentially-planned code and
/// no acute code) and one `__vs<i>` flag per exclusion value set, from the stay's codes.
fn value_set_flags(codes: LazyFrame, config: &ReadmissionConfig) -> LazyFrame {
    let any_in = |vs: &crate::ValueSet| {
        col("__code")
            .is_in(string_list(&vs.codes), false)
            .any(false)
    };
    let mut flag_aggs = vec![
        any_in(&config.always_planned)
            .or(any_in(&config.potentially_planned).and(any_in(&config.acute).not()))
            .alias("planned_flag"),
    ];
    for (i, vs) in config.exclusion_value_sets.iter().enumerate() {
        flag_aggs.push(
            col("__code")
                .is_in(string_list(&vs.codes), false)
                .any(false)
                .alias(format!("__vs{i}")),
        );
    }
    codes.group_by([col(STAY_ID)]).agg(flag_aggs)
}

/// The stays with their value-set flags, the patient's death date and first
/// death-certification date, day numbers, discharge month and the last discharge day
/// in the data.
fn with_flags_and_deaths(
    stays: LazyFrame,
    flags: LazyFrame,
    patients: LazyFrame,
    encounters: LazyFrame,
    config: &ReadmissionConfig,
) -> LazyFrame {
    let deaths = patients
        .select([col(patients::PATIENT_ID), col(patients::DEATH_DATE)])
        .group_by([col(patients::PATIENT_ID)])
        .agg([col(patients::DEATH_DATE).min().alias("__death_date")]);
    let certs = encounters
        .filter(col(CODE).is_in(string_list(&config.death_encounter_codes), false))
        .group_by([col(PATIENT_ID)])
        .agg([col(START_DATE).min().alias("__cert_date")]);
    stays
        .select([
            col(STAY_ID),
            col(PATIENT_ID),
            col(ORGANIZATION_ID),
            col(ADMISSION_TS),
            col(ADMISSION_DATE),
            col(DISCHARGE_DATE),
            col(REASON_CODE),
            col(OPEN_FLAG),
            col(TRANSFER_OUT_FLAG),
        ])
        .join(
            flags,
            [col(STAY_ID)],
            [col(STAY_ID)],
            join_args(JoinType::Left, JoinValidation::OneToOne),
        )
        .join(
            deaths,
            [col(PATIENT_ID)],
            [col(PATIENT_ID)],
            join_args(JoinType::Left, JoinValidation::ManyToOne),
        )
        .join(
            certs,
            [col(PATIENT_ID)],
            [col(PATIENT_ID)],
            join_args(JoinType::Left, JoinValidation::ManyToOne),
        )
        .with_columns([
            col("planned_flag").fill_null(lit(false)),
            epoch_day(col(ADMISSION_DATE)).alias("__adm_day"),
            epoch_day(col(DISCHARGE_DATE)).alias("__dis_day"),
            col(DISCHARGE_DATE)
                .dt()
                .month_start()
                .alias(DISCHARGE_MONTH),
        ])
        .with_column(col("__dis_day").max().alias("__last_dis_day"))
}

/// `exclusion_reason` (the first that applies, in the documented order) and
/// `index_flag` (no reason).
fn with_exclusion_reason(stays: LazyFrame, config: &ReadmissionConfig) -> LazyFrame {
    let died = col("__death_date")
        .lt_eq(col(DISCHARGE_DATE))
        .fill_null(lit(false))
        .or(col("__cert_date")
            .lt_eq(col(DISCHARGE_DATE))
            .fill_null(lit(false)));
    let mut reason = when(col(OPEN_FLAG))
        .then(lit(REASON_STILL_ADMITTED))
        .when(died)
        .then(lit(REASON_DIED))
        .when(col(TRANSFER_OUT_FLAG))
        .then(lit(REASON_TRANSFER))
        .when(col("__dis_day").gt(col("__last_dis_day") - lit(config.window_days)))
        .then(lit(REASON_RUN_OUT));
    for (i, vs) in config.exclusion_value_sets.iter().enumerate() {
        reason = reason
            .when(col(format!("__vs{i}")).fill_null(lit(false)))
            .then(lit(vs.name.clone()));
    }
    stays
        .with_column(
            reason
                .otherwise(typed_null(DataType::String))
                .alias("exclusion_reason"),
        )
        .with_column(col("exclusion_reason").is_null().alias("index_flag"))
}

/// Per index stay: the readmission, if any (`readmit_stay_id`, its admission day,
/// `days_to_readmission`). Only the patient's first stay (by admission time, then stay
/// id) admitted 1..=`window` days after the index discharge date is examined, as in
/// CMS's method: it is the readmission unless it is planned.
fn first_unplanned_readmission(stays: LazyFrame, window: i32) -> LazyFrame {
    let candidates = stays.clone().select([
        col(PATIENT_ID),
        col(STAY_ID).alias("readmit_stay_id"),
        col(ADMISSION_TS).alias("__r_adm_ts"),
        col("__adm_day").alias("__r_adm_day"),
        col("planned_flag").alias("__r_planned"),
    ]);
    stays
        .filter(col("index_flag"))
        .select([col(STAY_ID), col(PATIENT_ID), col("__dis_day")])
        .join(
            candidates,
            [col(PATIENT_ID)],
            [col(PATIENT_ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column((col("__r_adm_day") - col("__dis_day")).alias("days_to_readmission"))
        .filter(
            col("readmit_stay_id").neq(col(STAY_ID)).and(
                col("days_to_readmission")
                    .gt_eq(lit(1))
                    .and(col("days_to_readmission").lt_eq(lit(window))),
            ),
        )
        .sort([STAY_ID, "__r_adm_ts", "readmit_stay_id"], stable_sort())
        .group_by_stable([col(STAY_ID)])
        .agg([
            col("readmit_stay_id").first(),
            col("__r_adm_day").first(),
            col("days_to_readmission").first().cast(DataType::Int32),
            col("__r_planned").first(),
        ])
        .filter(col("__r_planned").not())
        .drop(cols(["__r_planned"]))
}

/// The stays with their readmission (`readmission_flag`, `readmit_admission_date`) and
/// the crude flag: the patient's next stay is admitted 0..=`window` days after this
/// discharge.
fn with_readmission_and_crude_flags(
    stays: LazyFrame,
    readmits: LazyFrame,
    window: i32,
) -> Result<LazyFrame> {
    let by_patient = [col(PATIENT_ID)];
    Ok(stays
        .join(
            readmits,
            [col(STAY_ID)],
            [col(STAY_ID)],
            join_args(JoinType::Left, JoinValidation::OneToOne),
        )
        .sort([PATIENT_ID, ADMISSION_TS, STAY_ID], stable_sort())
        .with_column(
            (col("__adm_day").shift(lit(-1)).over(by_patient)? - col("__dis_day"))
                .alias("__next_gap"),
        )
        .with_columns([
            col("readmit_stay_id")
                .is_not_null()
                .alias("readmission_flag"),
            col("__r_adm_day")
                .cast(DataType::Date)
                .alias("readmit_admission_date"),
            col("__next_gap")
                .gt_eq(lit(0))
                .and(col("__next_gap").lt_eq(lit(window)))
                .fill_null(lit(false))
                .alias("crude_readmission_flag"),
        ]))
}

/// Output schema of [`readmission_rates`].
pub fn readmission_rates_schema() -> Schema {
    Schema::from_iter([
        Field::new("dimension".into(), DataType::String),
        Field::new("dimension_value".into(), DataType::String),
        Field::new("index_stays".into(), DataType::UInt32),
        Field::new("readmissions".into(), DataType::UInt32),
        Field::new("rate".into(), DataType::Float64),
        Field::new("crude_stays".into(), DataType::UInt32),
        Field::new("crude_readmissions".into(), DataType::UInt32),
        Field::new("crude_rate".into(), DataType::Float64),
    ])
}

/// Readmission rates overall and by discharge month, facility and condition.
///
/// # Definition
/// rate = readmissions / index stays; crude_rate = crude readmissions / discharged stays
/// (from [`readmissions`]). Condition = [`crate::los::stay_conditions`] of the index stay
/// (a stay with several conditions counts in each).
///
/// # Denominator
/// `index_stays` = stays with `index_flag`; `crude_stays` = discharged stays.
///
/// # Numerator
/// `readmissions` = index stays with `readmission_flag`; `crude_readmissions` = discharged
/// stays with `crude_readmission_flag`.
///
/// # Exclusions
/// Open stays are in neither denominator.
///
/// # Period
/// All stays given, grouped by discharge month for `discharge_month`.
///
/// # Output grain
/// One row per (`dimension`, `dimension_value`):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | dimension | String | `overall`, `discharge_month`, `facility`, `condition` |
/// | dimension_value | String | `all`, `YYYY-MM`, organization id, condition code |
/// | index_stays | UInt32 | denominator |
/// | readmissions | UInt32 | numerator |
/// | rate | Float64 | readmissions / index_stays; null when no index stay |
/// | crude_stays | UInt32 | discharged stays |
/// | crude_readmissions | UInt32 | crude numerator |
/// | crude_rate | Float64 | crude_readmissions / crude_stays |
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use ehr_quality_metrics::readmission::readmission_rates;
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let d = NaiveDate::from_ymd_opt(2020, 1, 5).unwrap_or_default();
/// let r = df!(
///     "stay_id" => ["s1", "s2", "s3"],
///     "organization_id" => ["h", "h", "h"],
///     "discharge_date" => [d, d, d],
///     "index_flag" => [true, true, false],
///     "readmission_flag" => [true, false, false],
///     "crude_readmission_flag" => [true, false, true],
/// )?
/// .lazy();
/// let conds = df!("stay_id" => ["s1"], "condition_code" => ["c"])?.lazy();
/// let out = readmission_rates(r, conds)?.collect()?;
/// let overall = out.filter(&out.column("dimension")?.str()?.equal("overall"))?;
/// assert_eq!(overall.column("rate")?.f64()?.get(0), Some(0.5));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// Polars errors while building the plan.
pub fn readmission_rates(readmissions: LazyFrame, stay_conditions: LazyFrame) -> Result<LazyFrame> {
    let discharged = readmissions
        .filter(col(DISCHARGE_DATE).is_not_null())
        .select([
            col(STAY_ID),
            col(ORGANIZATION_ID),
            col(DISCHARGE_DATE),
            col("index_flag"),
            col("readmission_flag").and(col("index_flag")),
            col("crude_readmission_flag"),
        ]);
    let aggs = || {
        [
            sum_u32(col("index_flag")).alias("index_stays"),
            sum_u32(col("readmission_flag")).alias("readmissions"),
            len().cast(DataType::UInt32).alias("crude_stays"),
            sum_u32(col("crude_readmission_flag")).alias("crude_readmissions"),
        ]
    };
    let by = |lf: LazyFrame, dim: &str, value: Expr| {
        lf.with_column(value.alias("dimension_value"))
            .group_by([col("dimension_value")])
            .agg(aggs())
            .with_column(lit(dim.to_string()).alias("dimension"))
    };
    let parts = [
        by(discharged.clone(), "overall", lit("all")),
        by(
            discharged.clone(),
            "discharge_month",
            col(DISCHARGE_DATE).dt().to_string("%Y-%m"),
        ),
        by(discharged.clone(), "facility", col(ORGANIZATION_ID)),
        by(
            discharged.join(
                stay_conditions.select([col(STAY_ID), col(CONDITION_CODE)]),
                [col(STAY_ID)],
                [col(STAY_ID)],
                JoinArgs::new(JoinType::Inner),
            ),
            "condition",
            col(CONDITION_CODE),
        ),
    ];
    let out = concat(parts, UnionArgs::default())?
        .with_columns([
            ratio(col("readmissions"), col("index_stays")).alias("rate"),
            ratio(col("crude_readmissions"), col("crude_stays")).alias("crude_rate"),
        ])
        .sort(["dimension", "dimension_value"], stable_sort());
    let order: Vec<Expr> = readmission_rates_schema()
        .iter_names()
        .map(|n| col(n.clone()))
        .collect();
    Ok(out.select(order))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::StayConfig;
    use crate::stays::{StayInputs, inpatient_stays};
    use crate::testkit::*;

    /// Runs stays + readmissions; the fixture always ends with a far-away stay of
    /// patient `z` so that the run-out edge does not interfere unless wanted.
    fn run_with(
        rows: &[Enc],
        pats: &[(&str, &str, &str)],
        procs: &[(&str, &str, &str, &str)],
        stay_config: &StayConfig,
    ) -> DataFrame {
        let mut rows = rows.to_vec();
        rows.push(Enc::new(
            "zz",
            "z",
            "h",
            "inpatient",
            "2023-01-01T10:00:00Z",
            "2023-01-02T10:00:00Z",
        ));
        let enc = encounters(&rows);
        let r = inpatient_stays(
            StayInputs {
                encounters: enc.clone(),
            },
            stay_config,
            date("2023-12-31"),
        )
        .unwrap();
        let out = readmissions(
            ReadmissionInputs {
                stays: r.stays,
                stay_encounters: r.stay_encounters,
                encounters: enc,
                patients: patients(pats),
                procedures: procedures(procs),
            },
            &ReadmissionConfig::default(),
        )
        .unwrap();
        assert_eq!(&out.clone().schema_big(), &readmissions_schema());
        out.filter(col(PATIENT_ID).neq(lit("z")))
            .sort([ADMISSION_DATE], Default::default())
            .collect_big()
    }

    fn run(rows: &[Enc]) -> DataFrame {
        run_with(
            rows,
            &[("p", "1950-01-01", "")],
            &[],
            &StayConfig::default(),
        )
    }

    fn ip(id: &'static str, org: &'static str, start: &'static str, stop: &'static str) -> Enc {
        Enc::new(id, "p", org, "inpatient", start, stop)
    }

    fn reasons(df: &DataFrame) -> Vec<String> {
        strs(df, "exclusion_reason")
    }

    #[test]
    fn readmission_on_day_2_and_day_30_counts_day_31_does_not() {
        // discharge Jan 3; b admitted Jan 5 (day 2); c discharged Mar 1, d admitted Mar 31
        // (day 30); e discharged May 12, f admitted Jun 12 (day 31).
        let df = run(&[
            ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z"),
            ip("b", "h", "2020-01-05T10:00:00Z", "2020-01-06T10:00:00Z"),
            ip("c", "h", "2020-02-27T10:00:00Z", "2020-03-01T10:00:00Z"),
            ip("d", "h", "2020-03-31T10:00:00Z", "2020-04-01T10:00:00Z"),
            ip("e", "h", "2020-05-10T10:00:00Z", "2020-05-12T10:00:00Z"),
            ip("f", "h", "2020-06-12T10:00:00Z", "2020-06-13T10:00:00Z"),
        ]);
        assert_eq!(
            strs(&df, STAY_ID),
            ["p:a", "p:b", "p:c", "p:d", "p:e", "p:f"]
        );
        assert_eq!(
            bools(&df, "readmission_flag"),
            [true, false, true, false, false, false]
        );
        let days: Vec<_> = df
            .column("days_to_readmission")
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(days, [Some(2), None, Some(30), None, None, None]);
        assert_eq!(
            bools(&df, "crude_readmission_flag"),
            [true, false, true, false, false, false]
        );
    }

    #[test]
    fn readmission_on_day_1_counts_when_merge_gap_is_zero() {
        let df = run_with(
            &[
                ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z"),
                ip("b", "h", "2020-01-04T10:00:00Z", "2020-01-06T10:00:00Z"),
            ],
            &[("p", "1950-01-01", "")],
            &[],
            &StayConfig::default().with_merge_gap_days(0),
        );
        assert_eq!(bools(&df, "readmission_flag"), [true, false]);
        let days: Vec<_> = df
            .column("days_to_readmission")
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(days[0], Some(1));
    }

    #[test]
    fn readmission_on_day_0_at_another_hospital_is_a_transfer_and_the_chain_end_is_index() {
        // a (h1) → b (h2) same day: transfer; b is the chain's last stay and is
        // readmitted on day 10 by c.
        let df = run(&[
            ip("a", "h1", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z"),
            ip("b", "h2", "2020-01-03T15:00:00Z", "2020-01-05T10:00:00Z"),
            ip("c", "h1", "2020-01-15T10:00:00Z", "2020-01-16T10:00:00Z"),
        ]);
        assert_eq!(reasons(&df), ["transfer", "<null>", "<null>"]);
        assert_eq!(bools(&df, "index_flag"), [false, true, true]);
        assert_eq!(bools(&df, "readmission_flag"), [false, true, false]);
        assert_eq!(strs(&df, "readmit_stay_id")[1], "p:c");
        // crude counts the transfer as a "readmission"
        assert_eq!(bools(&df, "crude_readmission_flag"), [true, true, false]);
    }

    #[test]
    fn death_on_or_before_discharge_excludes_the_stay() {
        let df = run_with(
            &[ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z")],
            &[("p", "1950-01-01", "2020-01-03")],
            &[],
            &StayConfig::default(),
        );
        assert_eq!(reasons(&df), ["died"]);
        // died the day after discharge: still an index stay
        let df = run_with(
            &[ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z")],
            &[("p", "1950-01-01", "2020-01-04")],
            &[],
            &StayConfig::default(),
        );
        assert_eq!(bools(&df, "index_flag"), [true]);
    }

    #[test]
    fn death_certification_encounter_on_or_before_discharge_excludes_the_stay() {
        let df = run(&[
            ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z"),
            Enc::new(
                "dc",
                "p",
                "h",
                "wellness",
                "2020-01-03T12:00:00Z",
                "2020-01-03T12:15:00Z",
            )
            .code("308646001"),
        ]);
        assert_eq!(reasons(&df), ["died"]);
    }

    /// Index stay `a`, then `b` 5 days after its discharge (with `b_reason` and the
    /// procedure `b_proc`), then unplanned `c` 17 days after it.
    fn index_then_b_then_c(b_reason: &'static str, b_proc: &str) -> DataFrame {
        run_with(
            &[
                ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z"),
                ip("b", "h", "2020-01-08T10:00:00Z", "2020-01-09T10:00:00Z").reason(b_reason),
                ip("c", "h", "2020-01-20T10:00:00Z", "2020-01-21T10:00:00Z"),
            ],
            &[("p", "1950-01-01", "")],
            &[("p", "b", "2020-01-08T11:00:00Z", b_proc)],
            &StayConfig::default(),
        )
    }

    #[test]
    fn planned_first_stay_in_window_means_no_readmission_even_if_unplanned_follows() {
        // b: chemotherapy (always planned); c: unplanned but not the first stay.
        let df = index_then_b_then_c("", "367336001");
        assert_eq!(bools(&df, "planned_flag"), [false, true, false]);
        assert_eq!(strs(&df, "exclusion_reason")[0], "<null>");
        assert!(!bools(&df, "readmission_flag")[0]);
        assert_eq!(strs(&df, "readmit_stay_id")[0], "<null>");
        assert_eq!(df.column("days_to_readmission").unwrap().null_count(), 3);
    }

    #[test]
    fn acute_reason_overrides_potentially_planned_dialysis() {
        // b: ICU stay for COVID-19 with hemodialysis → unplanned → a is readmitted by b.
        let df = index_then_b_then_c("840539006", "302497006");
        assert_eq!(bools(&df, "planned_flag"), [false, false, false]);
        assert!(bools(&df, "readmission_flag")[0]);
        assert_eq!(strs(&df, "readmit_stay_id")[0], "p:b");
        assert_eq!(
            df.column("days_to_readmission")
                .unwrap()
                .i32()
                .unwrap()
                .get(0),
            Some(5)
        );
    }

    #[test]
    fn potentially_planned_without_acute_reason_is_planned() {
        let df = index_then_b_then_c("", "302497006");
        assert_eq!(bools(&df, "planned_flag"), [false, true, false]);
        assert!(!bools(&df, "readmission_flag")[0]);
    }

    #[test]
    fn always_planned_procedure_is_planned_even_with_acute_reason() {
        // b: chemotherapy during a stay for pneumonia → still planned.
        let df = index_then_b_then_c("233604007", "367336001");
        assert_eq!(bools(&df, "planned_flag"), [false, true, false]);
        assert!(!bools(&df, "readmission_flag")[0]);
    }

    #[test]
    fn run_out_window_edge_is_last_discharge_minus_30_days() {
        // last discharge in data: 2023-01-02 (patient z). 2022-12-03 = last − 30 → index;
        // 2022-12-04 → run_out.
        let df = run(&[
            ip("a", "h", "2022-12-01T10:00:00Z", "2022-12-03T10:00:00Z"),
            Enc::new(
                "b",
                "q",
                "h",
                "inpatient",
                "2022-12-02T10:00:00Z",
                "2022-12-04T10:00:00Z",
            ),
        ]);
        assert_eq!(strs(&df, STAY_ID), ["p:a", "q:b"]);
        assert_eq!(reasons(&df), ["<null>", "run_out"]);
    }

    #[test]
    fn excluded_value_sets_and_open_stays_carry_their_reason() {
        let df = run(&[
            ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z").reason("58214004"),
            ip("b", "h", "2020-03-01T10:00:00Z", "2020-03-03T10:00:00Z").code("56876005"),
            ip("c", "h", "2020-05-01T10:00:00Z", ""),
        ]);
        assert_eq!(
            reasons(&df),
            ["psychiatric", "rehabilitation", "still_admitted"]
        );
        assert_eq!(bools(&df, "readmission_flag"), [false, false, false]);
    }

    #[test]
    fn rates_divide_readmissions_by_index_stays() {
        let df = run(&[
            ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z").reason("c1"),
            ip("b", "h", "2020-01-10T10:00:00Z", "2020-01-11T10:00:00Z").reason("c1"),
        ]);
        let conds = df
            .clone()
            .lazy()
            .select([col(STAY_ID), col(REASON_CODE).alias(CONDITION_CODE)]);
        let rates = readmission_rates(df.lazy(), conds).unwrap();
        assert_eq!(&rates.clone().schema_big(), &readmission_rates_schema());
        let rates = rates.collect_big();
        let overall = rates
            .clone()
            .lazy()
            .filter(col("dimension").eq(lit("overall")))
            .collect_big();
        assert_eq!(
            overall.column("index_stays").unwrap().u32().unwrap().get(0),
            Some(2)
        );
        assert_eq!(
            overall
                .column("readmissions")
                .unwrap()
                .u32()
                .unwrap()
                .get(0),
            Some(1)
        );
        assert_eq!(
            overall.column("rate").unwrap().f64().unwrap().get(0),
            Some(0.5)
        );
        assert_eq!(
            strs(&rates, "dimension"),
            ["condition", "discharge_month", "facility", "overall"]
        );
    }
}
