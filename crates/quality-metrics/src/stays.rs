//! The inpatient stay rollup (same-organization encounters merged into stays, transfer
//! chains across organizations) and the stay ↔ encounter bridge.

use chrono::NaiveDate;
use medallion_model::expr::{
    days_between_dates, epoch_day, epoch_day_lit, join_args, stable_sort, string_list, typed_null,
};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::encounters::{
    ENCOUNTER_CLASS, ENCOUNTER_ID, ORGANIZATION_ID, PATIENT_ID, REASON_CODE, START, START_DATE,
    STOP, STOP_DATE,
};
use synthea_schema::columns::require;

use crate::columns::*;
use crate::config::StayConfig;
use crate::error::Result;
use crate::util::{count_u32, max2};

/// Version of the definition of the stay rollup (`inpatient_stays`, `stay_encounters`),
/// recorded with its gold tables. Change it whenever the rows would change for the same
/// inputs.
pub const METRIC_VERSION: &str = "inpatient-stays-1";

/// Inputs of [`inpatient_stays`].
#[derive(Clone)]
pub struct StayInputs {
    /// Silver `encounters` (`synthea_schema::normalize::silver_schema(Encounters)`).
    pub encounters: LazyFrame,
}

/// The two frames of the stay rollup.
#[derive(Clone)]
pub struct StayRollup {
    /// One row per merged stay (gold `inpatient_stays`), see [`stays_schema`].
    pub stays: LazyFrame,
    /// One row per inpatient encounter (gold `stay_encounters`), see [`bridge_schema`].
    pub stay_encounters: LazyFrame,
}

/// Output schema of [`StayRollup::stays`].
pub fn stays_schema() -> Schema {
    let ts = DataType::Datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC));
    Schema::from_iter([
        Field::new(STAY_ID.into(), DataType::String),
        Field::new(PATIENT_ID.into(), DataType::String),
        Field::new(ORGANIZATION_ID.into(), DataType::String),
        Field::new(FIRST_ENCOUNTER_ID.into(), DataType::String),
        Field::new(ADMISSION_TS.into(), ts.clone()),
        Field::new(DISCHARGE_TS.into(), ts),
        Field::new(ADMISSION_DATE.into(), DataType::Date),
        Field::new(DISCHARGE_DATE.into(), DataType::Date),
        Field::new(OPEN_FLAG.into(), DataType::Boolean),
        Field::new(LOS_DAYS.into(), DataType::Int32),
        Field::new(LOS_HOURS.into(), DataType::Float64),
        Field::new(ENCOUNTER_COUNT.into(), DataType::UInt32),
        Field::new(DUPLICATE_ENCOUNTER_ROWS.into(), DataType::UInt32),
        Field::new(REASON_CODE.into(), DataType::String),
        Field::new(ER_ADMIT_FLAG.into(), DataType::Boolean),
        Field::new(TRANSFER_IN_FLAG.into(), DataType::Boolean),
        Field::new(TRANSFER_OUT_FLAG.into(), DataType::Boolean),
        Field::new(CHAIN_ID.into(), DataType::String),
    ])
}

/// Output schema of [`StayRollup::stay_encounters`].
pub fn bridge_schema() -> Schema {
    Schema::from_iter([
        Field::new(STAY_ID.into(), DataType::String),
        Field::new(ENCOUNTER_ID.into(), DataType::String),
        Field::new(PATIENT_ID.into(), DataType::String),
        Field::new(ORGANIZATION_ID.into(), DataType::String),
        Field::new(ENCOUNTER_SEQ.into(), DataType::UInt32),
        Field::new(DUPLICATE_ROWS.into(), DataType::UInt32),
    ])
}

const EFF_END: &str = "__eff_end_day";
const ADM_DAY: &str = "__adm_day";
const STAY_SEQ: &str = "__stay_seq";

/// Roll inpatient encounters up into merged stays and build the
/// stay ↔ encounter bridge.
///
/// # Definition
/// Inpatient encounters (class in [`StayConfig::inpatient_classes`]) with a `start`;
/// duplicate `encounter_id` rows are removed (the first after sorting by `start`, `stop`,
/// `patient_id`, `organization_id` is kept) and counted (`duplicate_rows` in the bridge,
/// `duplicate_encounter_rows` per stay). A null `stop` means still admitted: the stay is
/// open (`open_flag`), has no discharge, and is treated as lasting until `as_of`
/// (or its admission date, if later) for merging. Encounters of one patient **at the same
/// organization** form one stay when the next admission date is ≤
/// [`StayConfig::merge_gap_days`] after the running maximum discharge date of the stay
/// so far — a true interval union, so chains A–B–C and nested encounters merge.
/// Calendar dates are the silver `start_date` / `stop_date` (the time zone configured at
/// normalization). `stay_id` = `<patient_id>:<first encounter_id>` (deterministic, not a
/// row number). Facility (`organization_id`) = organization of the first encounter.
/// `reason_code` = first non-null encounter reason in admission order.
/// `er_admit_flag`: an encounter of class [`StayConfig::emergency_classes`] of the same
/// patient starts on the admission date. `los_days` = discharge date − admission date
/// (0 → 1), `los_hours` from the timestamps; both null while open.
/// Transfers: ordering a patient's stays by admission, a stay whose next stay is at a
/// *different* organization and admitted ≤ `merge_gap_days` after this discharge date
/// (same or next calendar day by default; also when it overlaps) has
/// `transfer_out_flag`, the next one `transfer_in_flag`; stays linked this way share a
/// `chain_id` (the `stay_id` of the chain's first stay).
///
/// # Denominator
/// Not a rate: every inpatient encounter lands in exactly one stay.
///
/// # Numerator
/// Not a rate.
///
/// # Exclusions
/// Non-inpatient classes; rows with a null `start` (no admission instant).
///
/// # Period
/// All data; `as_of` only closes open stays for merging.
///
/// # Output grain
/// `stays`: one row per `stay_id`:
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | stay_id | String | `<patient_id>:<first encounter_id>` |
/// | patient_id | String | patient |
/// | organization_id | String | facility (first encounter's organization) |
/// | first_encounter_id | String | first encounter |
/// | admission_ts | Datetime(µs, UTC) | first `start` |
/// | discharge_ts | Datetime(µs, UTC) | last `stop`; null when open |
/// | admission_date | Date | first `start_date` |
/// | discharge_date | Date | last `stop_date`; null when open |
/// | open_flag | Boolean | an encounter has no `stop` |
/// | los_days | Int32 | discharge − admission date, 0 → 1; null when open |
/// | los_hours | Float64 | (discharge_ts − admission_ts) in hours; null when open |
/// | encounter_count | UInt32 | encounters in the stay |
/// | duplicate_encounter_rows | UInt32 | duplicate rows removed |
/// | reason_code | String | first non-null encounter reason |
/// | er_admit_flag | Boolean | emergency encounter on the admission date |
/// | transfer_in_flag | Boolean | previous stay transferred into this one |
/// | transfer_out_flag | Boolean | this stay transfers to the next one |
/// | chain_id | String | stay_id of the first stay of the transfer chain |
///
/// `stay_encounters`: one row per `encounter_id`: `stay_id`, `encounter_id`,
/// `patient_id`, `organization_id` (String), `encounter_seq` (UInt32, 1-based order
/// in the stay), `duplicate_rows` (UInt32).
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
/// let raw = df!(
///     "Id" => ["a", "b", "c"],
///     "PATIENT" => ["p", "p", "p"],
///     "ORGANIZATION" => ["h1", "h1", "h1"],
///     "ENCOUNTERCLASS" => ["inpatient", "inpatient", "inpatient"],
///     "START" => ["2020-01-01T10:00:00Z", "2020-01-06T09:00:00Z", "2020-01-20T09:00:00Z"],
///     "STOP" => ["2020-01-05T10:00:00Z", "2020-01-08T09:00:00Z", "2020-01-21T09:00:00Z"],
/// )?
/// .lazy();
/// let encounters = normalize(TableKind::Encounters, SyntheaVersion::V3Latest, raw, &NormalizeConfig::default())?;
/// let as_of = NaiveDate::from_ymd_opt(2020, 12, 31).unwrap_or_default();
/// let rollup = inpatient_stays(StayInputs { encounters }, &StayConfig::default(), as_of)?;
/// let stays = rollup.stays.sort(["admission_ts"], Default::default()).collect()?;
/// // a (Jan 1–5) and b (admitted Jan 6, one day later) merge; c starts a new stay.
/// assert_eq!(stays.height(), 2);
/// assert_eq!(stays.column("stay_id")?.str()?.get(0), Some("p:a"));
/// assert_eq!(stays.column("los_days")?.i32()?.get(0), Some(7));
/// assert_eq!(rollup.stay_encounters.collect()?.height(), 3);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`crate::Error::Silver`] for an input that is not silver encounters,
/// [`crate::Error::InvalidConfig`] for a negative gap.
pub fn inpatient_stays(
    inputs: StayInputs,
    config: &StayConfig,
    as_of: NaiveDate,
) -> Result<StayRollup> {
    config.validate()?;
    let mut encounters = inputs.encounters;
    require(
        TableKind::Encounters,
        &mut encounters,
        &[
            ENCOUNTER_ID,
            PATIENT_ID,
            ORGANIZATION_ID,
            ENCOUNTER_CLASS,
            REASON_CODE,
            START,
            STOP,
            START_DATE,
            STOP_DATE,
        ],
    )?;
    let inpatient = distinct_inpatient_encounters(encounters.clone(), config)?;
    let assigned = assign_stays(inpatient, config.merge_gap_days, as_of)?;
    let bridge = stay_bridge(assigned.clone())?;
    let stays = flag_er_admissions(summarize_stays(assigned), encounters, config);
    let stays = link_transfer_chains(stays, config.merge_gap_days)?;
    let order: Vec<Expr> = stays_schema()
        .iter_names()
        .map(|n| col(n.clone()))
        .collect();
    Ok(StayRollup {
        stays: stays.select(order),
        stay_encounters: bridge,
    })
}

/// Inpatient encounters with a `start`, one row per `encounter_id` (the first after
/// sorting by `start`, `stop`, patient, organization) with its `duplicate_rows`.
fn distinct_inpatient_encounters(encounters: LazyFrame, config: &StayConfig) -> Result<LazyFrame> {
    Ok(encounters
        .filter(
            col(ENCOUNTER_CLASS)
                .is_in(string_list(&config.inpatient_classes), false)
                .and(col(START).is_not_null()),
        )
        .select([
            col(ENCOUNTER_ID),
            col(PATIENT_ID),
            col(ORGANIZATION_ID),
            col(REASON_CODE),
            col(START),
            col(STOP),
            col(START_DATE),
            col(STOP_DATE),
        ])
        .with_column(
            (len().over([col(ENCOUNTER_ID)])?.cast(DataType::UInt32) - lit(1u32))
                .alias(DUPLICATE_ROWS),
        )
        .sort(
            [ENCOUNTER_ID, START, STOP, PATIENT_ID, ORGANIZATION_ID],
            stable_sort(),
        )
        .unique_stable(Some(cols([ENCOUNTER_ID])), UniqueKeepStrategy::First))
}

/// The interval union per patient × organization: each encounter gets the `stay_id` of
/// its stay. An encounter starts a new stay when its admission day is more than `gap`
/// days after the running maximum discharge day of the earlier ones (open encounters
/// last until `as_of`, or their admission day if later).
fn assign_stays(inpatient: LazyFrame, gap: i32, as_of: NaiveDate) -> Result<LazyFrame> {
    let by_group = [col(PATIENT_ID), col(ORGANIZATION_ID)];
    Ok(inpatient
        .with_columns([
            epoch_day(col(START_DATE)).alias(ADM_DAY),
            epoch_day(col(STOP_DATE)).alias("__dis_day"),
        ])
        .with_column(
            when(col("__dis_day").is_null())
                .then(max2(epoch_day_lit(as_of), col(ADM_DAY)))
                .otherwise(col("__dis_day"))
                .alias(EFF_END),
        )
        .sort(
            [PATIENT_ID, ORGANIZATION_ID, START, ENCOUNTER_ID],
            stable_sort(),
        )
        .with_column(
            col(EFF_END)
                .cum_max(false)
                .shift(lit(1))
                .over(by_group.clone())?
                .alias("__prev_max_end"),
        )
        .with_column(
            (col("__prev_max_end")
                .is_null()
                .or(col(ADM_DAY).gt(col("__prev_max_end") + lit(gap))))
            .alias("__new_stay"),
        )
        .with_column(
            col("__new_stay")
                .cast(DataType::UInt32)
                .cum_sum(false)
                .over(by_group)?
                .alias(STAY_SEQ),
        )
        .with_column(
            concat_str(
                [
                    col(PATIENT_ID),
                    col(ENCOUNTER_ID).first().over([
                        col(PATIENT_ID),
                        col(ORGANIZATION_ID),
                        col(STAY_SEQ),
                    ])?,
                ],
                ":",
                false,
            )
            .alias(STAY_ID),
        ))
}

/// The stay ↔ encounter bridge ([`bridge_schema`]).
fn stay_bridge(assigned: LazyFrame) -> Result<LazyFrame> {
    Ok(assigned
        .select([
            col(STAY_ID),
            col(ENCOUNTER_ID),
            col(PATIENT_ID),
            col(ORGANIZATION_ID),
            (int_range(lit(0), len(), 1, DataType::UInt32).over([col(STAY_ID)])? + lit(1u32))
                .alias(ENCOUNTER_SEQ),
            col(DUPLICATE_ROWS),
        ])
        .sort([STAY_ID, ENCOUNTER_SEQ], stable_sort()))
}

/// One row per stay: admission and discharge, open flag, counts, reason and length of
/// stay (discharge fields null while open).
fn summarize_stays(assigned: LazyFrame) -> LazyFrame {
    let ts = DataType::Datetime(TimeUnit::Microseconds, Some(polars::prelude::TimeZone::UTC));
    let open_any = col(STOP).is_null().any(false);
    assigned
        .group_by_stable([col(STAY_ID)])
        .agg([
            col(PATIENT_ID).first(),
            col(ORGANIZATION_ID).first(),
            col(ENCOUNTER_ID).first().alias(FIRST_ENCOUNTER_ID),
            col(START).min().alias(ADMISSION_TS),
            col(STOP).max().alias(DISCHARGE_TS),
            col(START_DATE).min().alias(ADMISSION_DATE),
            col(STOP_DATE).max().alias(DISCHARGE_DATE),
            open_any.alias(OPEN_FLAG),
            count_u32().alias(ENCOUNTER_COUNT),
            col(DUPLICATE_ROWS)
                .sum()
                .cast(DataType::UInt32)
                .alias(DUPLICATE_ENCOUNTER_ROWS),
            col(REASON_CODE).first_non_null().alias(REASON_CODE),
        ])
        .with_columns([
            when(col(OPEN_FLAG))
                .then(typed_null(ts))
                .otherwise(col(DISCHARGE_TS))
                .alias(DISCHARGE_TS),
            when(col(OPEN_FLAG))
                .then(typed_null(DataType::Date))
                .otherwise(col(DISCHARGE_DATE))
                .alias(DISCHARGE_DATE),
        ])
        .with_columns([
            max2(
                days_between_dates(col(DISCHARGE_DATE), col(ADMISSION_DATE)),
                lit(1i32),
            )
            .cast(DataType::Int32)
            .alias(LOS_DAYS),
            ((col(DISCHARGE_TS).dt().timestamp(TimeUnit::Microseconds)
                - col(ADMISSION_TS).dt().timestamp(TimeUnit::Microseconds))
            .cast(DataType::Float64)
                / lit(3_600_000_000.0f64))
            .alias(LOS_HOURS),
        ])
}

/// `er_admit_flag`: an encounter of an emergency class of the patient starts on the
/// stay's admission date.
fn flag_er_admissions(stays: LazyFrame, encounters: LazyFrame, config: &StayConfig) -> LazyFrame {
    let er_days = encounters
        .filter(col(ENCOUNTER_CLASS).is_in(string_list(&config.emergency_classes), false))
        .select([col(PATIENT_ID), col(START_DATE).alias(ADMISSION_DATE)])
        .drop_nulls(None)
        .unique_stable(None, UniqueKeepStrategy::First)
        .with_column(lit(true).alias(ER_ADMIT_FLAG));
    stays
        .join(
            er_days,
            [col(PATIENT_ID), col(ADMISSION_DATE)],
            [col(PATIENT_ID), col(ADMISSION_DATE)],
            join_args(JoinType::Left, JoinValidation::ManyToOne),
        )
        .with_column(col(ER_ADMIT_FLAG).fill_null(lit(false)))
}

/// Transfer chains over a patient's stays ordered by admission: a stay whose next stay
/// is at another organization and admitted at most `gap` days after its discharge date
/// transfers out, the next one in; linked stays share the `chain_id` of the first.
fn link_transfer_chains(stays: LazyFrame, gap: i32) -> Result<LazyFrame> {
    let by_patient = [col(PATIENT_ID)];
    Ok(stays
        .sort([PATIENT_ID, ADMISSION_TS, STAY_ID], stable_sort())
        .with_columns([
            col(ORGANIZATION_ID)
                .shift(lit(-1))
                .over(by_patient.clone())?
                .alias("__next_org"),
            epoch_day(col(ADMISSION_DATE))
                .shift(lit(-1))
                .over(by_patient.clone())?
                .alias("__next_adm_day"),
        ])
        .with_column(
            (col("__next_org")
                .neq(col(ORGANIZATION_ID))
                .and((col("__next_adm_day") - epoch_day(col(DISCHARGE_DATE))).lt_eq(lit(gap))))
            .fill_null(lit(false))
            .alias(TRANSFER_OUT_FLAG),
        )
        .with_column(
            col(TRANSFER_OUT_FLAG)
                .shift(lit(1))
                .over(by_patient.clone())?
                .fill_null(lit(false))
                .alias(TRANSFER_IN_FLAG),
        )
        .with_column(
            col(TRANSFER_IN_FLAG)
                .not()
                .cast(DataType::UInt32)
                .cum_sum(false)
                .over(by_patient)?
                .alias("__chain_seq"),
        )
        .with_column(
            col(STAY_ID)
                .first()
                .over([col(PATIENT_ID), col("__chain_seq")])?
                .alias(CHAIN_ID),
        ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::testkit::*;

    fn run(rows: &[Enc], config: &StayConfig) -> (DataFrame, DataFrame) {
        let r = inpatient_stays(
            StayInputs {
                encounters: encounters(rows),
            },
            config,
            date("2021-12-31"),
        )
        .unwrap();
        let stays = r
            .stays
            .sort([PATIENT_ID, ADMISSION_TS], Default::default())
            .collect_big();
        (stays, r.stay_encounters.collect_big())
    }

    fn ip(id: &'static str, org: &'static str, start: &'static str, stop: &'static str) -> Enc {
        Enc::new(id, "p", org, "inpatient", start, stop)
    }

    #[test]
    fn stays_merge_when_next_admission_is_one_day_after_discharge() {
        let (s, b) = run(
            &[
                ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z"),
                ip("b", "h", "2020-01-04T10:00:00Z", "2020-01-05T10:00:00Z"),
            ],
            &StayConfig::default(),
        );
        assert_eq!(strs(&s, STAY_ID), ["p:a"]);
        assert_eq!(s.column(LOS_DAYS).unwrap().i32().unwrap().get(0), Some(4));
        assert_eq!(strs(&b, STAY_ID), ["p:a", "p:a"]);
    }

    #[test]
    fn stays_do_not_merge_when_gap_is_two_days() {
        let (s, _) = run(
            &[
                ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z"),
                ip("b", "h", "2020-01-05T10:00:00Z", "2020-01-06T10:00:00Z"),
            ],
            &StayConfig::default(),
        );
        assert_eq!(strs(&s, STAY_ID), ["p:a", "p:b"]);
        assert_eq!(bools(&s, TRANSFER_OUT_FLAG), [false, false]);
    }

    #[test]
    fn stays_merge_chain_a_b_c_as_interval_union() {
        // a: 1–10, b nested 2–3 (ends long before a), c admitted on 11 = 1 day after a's
        // discharge (not after b's): the union keeps the running maximum discharge.
        let (s, b) = run(
            &[
                ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-10T10:00:00Z"),
                ip("b", "h", "2020-01-02T10:00:00Z", "2020-01-03T10:00:00Z"),
                ip("c", "h", "2020-01-11T10:00:00Z", "2020-01-12T10:00:00Z"),
                ip("d", "h", "2020-01-13T09:00:00Z", "2020-01-15T10:00:00Z"),
            ],
            &StayConfig::default(),
        );
        assert_eq!(strs(&s, STAY_ID), ["p:a"]);
        assert_eq!(
            s.column(ENCOUNTER_COUNT).unwrap().u32().unwrap().get(0),
            Some(4)
        );
        assert_eq!(s.column(LOS_DAYS).unwrap().i32().unwrap().get(0), Some(14));
        assert_eq!(
            s.column(LOS_HOURS).unwrap().f64().unwrap().get(0),
            Some(14.0 * 24.0)
        );
        let seq: Vec<_> = b
            .sort([ENCOUNTER_SEQ], Default::default())
            .unwrap()
            .column(ENCOUNTER_ID)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect();
        assert_eq!(seq, ["a", "b", "c", "d"]);
    }

    #[test]
    fn zero_gap_config_keeps_next_day_admissions_apart() {
        let (s, _) = run(
            &[
                ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z"),
                ip("b", "h", "2020-01-04T10:00:00Z", "2020-01-05T10:00:00Z"),
                ip("c", "h", "2020-01-05T12:00:00Z", "2020-01-06T10:00:00Z"),
            ],
            &StayConfig::default().with_merge_gap_days(0),
        );
        assert_eq!(strs(&s, STAY_ID), ["p:a", "p:b"]);
    }

    #[test]
    fn open_stay_has_no_discharge_and_absorbs_later_encounters() {
        let (s, _) = run(
            &[
                ip("a", "h", "2021-12-01T10:00:00Z", ""),
                ip("b", "h", "2021-12-20T10:00:00Z", "2021-12-21T10:00:00Z"),
            ],
            &StayConfig::default(),
        );
        assert_eq!(strs(&s, STAY_ID), ["p:a"]);
        assert_eq!(bools(&s, OPEN_FLAG), [true]);
        assert_eq!(s.column(DISCHARGE_DATE).unwrap().null_count(), 1);
        assert_eq!(s.column(LOS_DAYS).unwrap().null_count(), 1);
    }

    #[test]
    fn same_day_discharge_counts_one_los_day() {
        let (s, _) = run(
            &[ip("a", "h", "2020-01-01T08:00:00Z", "2020-01-01T20:00:00Z")],
            &StayConfig::default(),
        );
        assert_eq!(s.column(LOS_DAYS).unwrap().i32().unwrap().get(0), Some(1));
        assert_eq!(
            s.column(LOS_HOURS).unwrap().f64().unwrap().get(0),
            Some(12.0)
        );
    }

    #[test]
    fn duplicate_encounter_ids_are_removed_and_counted() {
        let row = ip("a", "h", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z");
        let (s, b) = run(&[row.clone(), row.clone(), row], &StayConfig::default());
        assert_eq!(b.height(), 1);
        assert_eq!(
            b.column(DUPLICATE_ROWS).unwrap().u32().unwrap().get(0),
            Some(2)
        );
        assert_eq!(
            s.column(DUPLICATE_ENCOUNTER_ROWS)
                .unwrap()
                .u32()
                .unwrap()
                .get(0),
            Some(2)
        );
    }

    #[test]
    fn different_organizations_within_gap_form_a_transfer_chain() {
        let (s, _) = run(
            &[
                ip("a", "h1", "2020-01-01T10:00:00Z", "2020-01-03T10:00:00Z"),
                ip("b", "h2", "2020-01-04T10:00:00Z", "2020-01-06T10:00:00Z"),
                ip("c", "h3", "2020-01-06T12:00:00Z", "2020-01-08T10:00:00Z"),
                ip("d", "h1", "2020-02-01T10:00:00Z", "2020-02-03T10:00:00Z"),
            ],
            &StayConfig::default(),
        );
        assert_eq!(strs(&s, STAY_ID), ["p:a", "p:b", "p:c", "p:d"]);
        assert_eq!(bools(&s, TRANSFER_OUT_FLAG), [true, true, false, false]);
        assert_eq!(bools(&s, TRANSFER_IN_FLAG), [false, true, true, false]);
        assert_eq!(strs(&s, CHAIN_ID), ["p:a", "p:a", "p:a", "p:d"]);
        assert_eq!(strs(&s, ORGANIZATION_ID), ["h1", "h2", "h3", "h1"]);
    }

    #[test]
    fn er_admit_flag_when_emergency_encounter_starts_on_admission_date() {
        let (s, _) = run(
            &[
                Enc::new(
                    "e",
                    "p",
                    "h",
                    "emergency",
                    "2020-01-01T02:00:00Z",
                    "2020-01-01T04:00:00Z",
                ),
                ip("a", "h", "2020-01-01T04:00:00Z", "2020-01-03T10:00:00Z"),
                Enc::new(
                    "e2",
                    "p",
                    "h",
                    "emergency",
                    "2020-01-09T02:00:00Z",
                    "2020-01-09T04:00:00Z",
                ),
                ip("b", "h", "2020-01-10T04:00:00Z", "2020-01-12T10:00:00Z"),
            ],
            &StayConfig::default(),
        );
        assert_eq!(bools(&s, ER_ADMIT_FLAG), [true, false]);
    }

    #[test]
    fn output_schemas_match_the_documented_schemas() {
        let r = inpatient_stays(
            StayInputs {
                encounters: encounters(&[]),
            },
            &StayConfig::default(),
            date("2021-01-01"),
        )
        .unwrap();
        assert_eq!(&r.stays.clone().schema_big(), &stays_schema());
        assert_eq!(&r.stay_encounters.clone().schema_big(), &bridge_schema());
    }

    #[test]
    fn missing_column_is_reported_with_found_columns() {
        let lf = df!("encounter_id" => ["a"]).unwrap().lazy();
        let err = inpatient_stays(
            StayInputs { encounters: lf },
            &StayConfig::default(),
            date("2021-01-01"),
        )
        .err()
        .unwrap();
        assert!(matches!(
            err,
            crate::Error::Silver(synthea_schema::Error::SilverContract {
                table: TableKind::Encounters,
                ref column,
                found: None,
                ..
            }) if column == "patient_id"
        ));
    }
}
