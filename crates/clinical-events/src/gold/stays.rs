//! From silver events to stays (one row per visit) and bed segments (one row per stay
//! and department/bed interval) — the admitted intervals every occupancy KPI counts.

use chrono::{DateTime, Utc};
use medallion_model::expr::{elapsed_days, stable_sort, typed_null};
use polars::lazy::dsl;
use polars::prelude::*;

use crate::columns::*;
use crate::model::EventType;

/// Stay/segment column: start of the admitted interval.
pub const START_TIME: &str = "start_time";
/// Segment column: end of the interval (null while the patient is still in the bed).
pub const END_TIME: &str = "end_time";
/// Segment column: why the interval ended: `transfer`, `discharge`, `bed_reoccupied`
/// (the bed was taken by another stay: a lost discharge or transfer) or `open`.
pub const END_REASON: &str = "end_reason";
/// Segment column: end of the interval for counting, `min(end_time, as_of)` (open
/// intervals count until the as-of instant).
pub const OCCUPIED_UNTIL: &str = "occupied_until";
/// Segment column: hours counted, `occupied_until − start_time`.
pub const OCCUPIED_HOURS: &str = "occupied_hours";
/// Stay column: the department of the first segment.
pub const ADMIT_DEPARTMENT: &str = "admit_department";
/// Stay column: the department the patient left from (that of the `DISCHARGE` event,
/// else the last known).
pub const DISCHARGE_DEPARTMENT: &str = "discharge_department";
/// Stay column: where `discharge_time` came from: `discharge_time` (the field) or
/// `event_timestamp` (of the `DISCHARGE` event, when silver nulled the field).
pub const DISCHARGE_TIME_SOURCE: &str = "discharge_time_source";
/// Stay column: whether the stay is still open at the as-of instant.
pub const IS_OPEN: &str = "is_open";
/// Stay column: length of stay in hours (discharged stays; null while open).
pub const LOS_HOURS: &str = "los_hours";
/// Stay column: distinct transfers.
pub const TRANSFERS: &str = "transfers";
/// Stay column: events of the stay.
pub const EVENTS: &str = "events";
/// Stay column: whether an `ADMISSION` event was received (false: the stay was
/// reconstructed from later events, e.g. a discharge without admission).
pub const HAS_ADMISSION_EVENT: &str = "has_admission_event";
/// Stay column: age at admission.
pub const AGE_AT_ADMISSION: &str = "age_at_admission";

const ADMISSION: &str = "ADMISSION";
const TRANSFER: &str = "TRANSFER";
const DISCHARGE: &str = "DISCHARGE";

/// `t` as a `Datetime(µs, UTC)` literal.
pub(crate) fn instant(t: DateTime<Utc>) -> Expr {
    lit(t.timestamp_micros()).cast(utc_datetime())
}

fn is(kind: &str) -> Expr {
    col(EVENT_TYPE).eq(lit(kind))
}

/// Hours from `earlier` to `later` (fractional).
pub(crate) fn hours_between(later: Expr, earlier: Expr) -> Expr {
    elapsed_days(later, earlier) * lit(24.0)
}

/// The ADT events that define stays: a known type, a visit id, at or before `as_of`;
/// sorted by visit, time, then admission < transfer < discharge, then event id.
pub(crate) fn adt_events(events: LazyFrame, as_of: DateTime<Utc>) -> LazyFrame {
    let known = Series::new("types".into(), EventType::ALL.map(|t| t.as_str()));
    let order = when(is(ADMISSION))
        .then(lit(0))
        .when(is(TRANSFER))
        .then(lit(1))
        .otherwise(lit(2));
    events
        .filter(
            col(EVENT_TYPE)
                .is_in(lit(known).implode(false), false)
                .and(col(VISIT_ID).is_not_null())
                .and(col(EVENT_TIMESTAMP).lt_eq(instant(as_of))),
        )
        .with_column(order.alias("__type_order"))
        .sort(
            [VISIT_ID, EVENT_TIMESTAMP, "__type_order", EVENT_ID],
            stable_sort(),
        )
        .drop(by_name(["__type_order"], true, false))
}

/// The first non-null value of `column` in the (time-ordered) group.
fn first(column: &str) -> Expr {
    col(column).drop_nulls().first()
}

/// One row per visit: patient, hospital, admission and discharge, LOS, admission
/// priority and diagnosis, demographics and vitals at admission.
///
/// - `admission_time`: the `ADMISSION` event's (silver-corrected) admission time, else
///   its timestamp, else the earliest admission time any event of the visit carries
///   (a discharge without admission), capped at the visit's first event.
/// - `discharge_time`: the `DISCHARGE` event's discharge time, else that event's own
///   timestamp (when silver nulled the field, `discharge_time_source` says so); null
///   while open. Replayed events (another event id, same visit) change nothing.
/// - Other attributes: the first non-null value in time order (the `ADMISSION` event's
///   priority first).
pub fn stays(events: LazyFrame, as_of: DateTime<Utc>) -> LazyFrame {
    let of = |kind: &str, column: &str| col(column).filter(is(kind));
    let mut aggregates = vec![
        first(PATIENT_ID),
        first(HOSPITAL_ID),
        of(ADMISSION, ADMISSION_TIME).min().alias("__adm_field"),
        of(ADMISSION, EVENT_TIMESTAMP).min().alias("__adm_event"),
        col(ADMISSION_TIME).min().alias("__adm_any"),
        col(EVENT_TIMESTAMP).min().alias("__first_event"),
        of(DISCHARGE, DISCHARGE_TIME).max().alias("__dis_field"),
        of(DISCHARGE, EVENT_TIMESTAMP).max().alias("__dis_event"),
        is(ADMISSION).any(true).alias(HAS_ADMISSION_EVENT),
        of(TRANSFER, EVENT_TIMESTAMP)
            .n_unique()
            .cast(DataType::Int32)
            .alias(TRANSFERS),
        len().cast(DataType::Int32).alias(EVENTS),
        coalesce(&[
            of(ADMISSION, ADMISSION_PRIORITY).drop_nulls().first(),
            first(ADMISSION_PRIORITY),
        ])
        .alias(ADMISSION_PRIORITY),
        first(DIAGNOSIS_CODE),
        first(AGE).alias(AGE_AT_ADMISSION),
        first(GENDER),
        first(INSURANCE_TYPE),
        coalesce(&[
            col(DEPARTMENT)
                .filter(is(ADMISSION).or(is(TRANSFER)))
                .drop_nulls()
                .first(),
            first(DEPARTMENT),
        ])
        .alias(ADMIT_DEPARTMENT),
        coalesce(&[
            of(DISCHARGE, DEPARTMENT).drop_nulls().last(),
            col(DEPARTMENT).drop_nulls().last(),
        ])
        .alias(DISCHARGE_DEPARTMENT),
    ];
    aggregates.extend(VITALS.map(first));
    let admission = dsl::min_horizontal([
        coalesce(&[
            col("__adm_field"),
            col("__adm_event"),
            col("__adm_any"),
            col("__first_event"),
        ]),
        col("__first_event"),
    ])
    .unwrap_or_else(|_| col("__first_event"));
    let discharge = coalesce(&[col("__dis_field"), col("__dis_event")]);
    adt_events(events, as_of)
        .group_by_stable([col(VISIT_ID)])
        .agg(aggregates)
        .with_columns([
            admission.alias(ADMISSION_TIME),
            discharge.clone().alias(DISCHARGE_TIME),
            when(col("__dis_field").is_not_null())
                .then(lit(DISCHARGE_TIME))
                .when(col("__dis_event").is_not_null())
                .then(lit(EVENT_TIMESTAMP))
                .otherwise(typed_null(DataType::String))
                .alias(DISCHARGE_TIME_SOURCE),
            discharge.is_null().alias(IS_OPEN),
        ])
        .with_column(
            when(col(DISCHARGE_TIME).gt_eq(col(ADMISSION_TIME)))
                .then(hours_between(col(DISCHARGE_TIME), col(ADMISSION_TIME)))
                .otherwise(typed_null(DataType::Float64))
                .alias(LOS_HOURS),
        )
        .drop(by_name(
            [
                "__adm_field",
                "__adm_event",
                "__adm_any",
                "__first_event",
                "__dis_field",
                "__dis_event",
            ],
            true,
            false,
        ))
}

/// One row per admitted interval of a stay in one department and bed.
///
/// Intervals start at the stay's admission (first) and at each transfer; they end at
/// the next transfer, else at the discharge, else they are open (`end_time` null) and
/// count until `as_of`. A replayed admission or transfer (same visit, time, department
/// and bed) adds nothing. A stay without `ADMISSION`/`TRANSFER` events (a discharge
/// without admission) has one interval, from its admission time in the discharging
/// department. When another stay's interval starts in the same bed before this one
/// ends (a discharge or transfer that never arrived), this one ends there
/// (`bed_reoccupied`), so a bed is never counted twice.
///
/// Columns: `visit_id`, `patient_id`, `hospital_id`, `department`, `bed_id`, `gender`,
/// `start_time`, `end_time`, `end_reason`, `occupied_until`, `occupied_hours`.
pub fn segments(
    events: LazyFrame,
    stays: LazyFrame,
    as_of: DateTime<Utc>,
) -> PolarsResult<LazyFrame> {
    let bounded = with_bounds(movements(adt_events(events, as_of))?, stays)?;
    Ok(occupied(end_at_bed_reoccupation(bounded)?, as_of).select([
        col(VISIT_ID),
        col(PATIENT_ID),
        col(HOSPITAL_ID),
        col(DEPARTMENT),
        col(BED_ID),
        col(GENDER),
        col(START_TIME),
        col(END_TIME),
        col(END_REASON),
        col(OCCUPIED_UNTIL),
        col(OCCUPIED_HOURS),
    ]))
}

/// The events that put a patient in a bed: the first `ADMISSION` and every `TRANSFER`
/// of a visit (replays removed), or the last `DISCHARGE` of a visit that has neither.
fn movements(adt: LazyFrame) -> PolarsResult<LazyFrame> {
    let moving = is(ADMISSION).or(is(TRANSFER));
    let has_moves = moving.clone().any(true).over([col(VISIT_ID)])?;
    let last_discharge_time = col(EVENT_TIMESTAMP)
        .filter(is(DISCHARGE))
        .max()
        .over([col(VISIT_ID)])?;
    let last_discharge = is(DISCHARGE).and(col(EVENT_TIMESTAMP).eq(last_discharge_time));
    let admissions_so_far = is(ADMISSION)
        .cast(DataType::Int32)
        .cum_sum(false)
        .over([col(VISIT_ID)])?;
    let repeated_admission = is(ADMISSION).and(admissions_so_far.gt(lit(1)));
    Ok(adt
        .filter((moving.and(repeated_admission.not())).or(has_moves.not().and(last_discharge)))
        .unique_stable(
            Some(by_name(
                [VISIT_ID, EVENT_TIMESTAMP, DEPARTMENT, BED_ID],
                true,
                false,
            )),
            UniqueKeepStrategy::First,
        )
        .select([
            col(VISIT_ID),
            col(EVENT_TIMESTAMP),
            col(HOSPITAL_ID).alias("__event_hospital"),
            col(DEPARTMENT),
            col(BED_ID),
        ]))
}

/// Start and end of each movement's interval, from the stay and the next movement.
fn with_bounds(movements: LazyFrame, stays: LazyFrame) -> PolarsResult<LazyFrame> {
    let stay_columns = stays.select([
        col(VISIT_ID),
        col(PATIENT_ID),
        col(HOSPITAL_ID),
        col(GENDER),
        col(ADMISSION_TIME),
        col(DISCHARGE_TIME),
    ]);
    let first_in_visit = col(VISIT_ID)
        .cum_count(false)
        .over([col(VISIT_ID)])?
        .eq(lit(1));
    let start = when(first_in_visit)
        .then(
            dsl::min_horizontal([col(ADMISSION_TIME), col(EVENT_TIMESTAMP)])
                .unwrap_or_else(|_| col(EVENT_TIMESTAMP)),
        )
        .otherwise(col(EVENT_TIMESTAMP));
    let next_start = col(START_TIME).shift(lit(-1)).over([col(VISIT_ID)])?;
    Ok(movements
        .join(
            stay_columns,
            [col(VISIT_ID)],
            [col(VISIT_ID)],
            JoinArgs::new(JoinType::Inner),
        )
        .sort([VISIT_ID, EVENT_TIMESTAMP], stable_sort())
        .with_columns([
            start.alias(START_TIME),
            coalesce(&[col(HOSPITAL_ID), col("__event_hospital")]).alias(HOSPITAL_ID),
        ])
        .with_columns([
            coalesce(&[next_start.clone(), col(DISCHARGE_TIME)]).alias(END_TIME),
            when(next_start.is_not_null())
                .then(lit("transfer"))
                .when(col(DISCHARGE_TIME).is_not_null())
                .then(lit("discharge"))
                .otherwise(lit("open"))
                .alias(END_REASON),
        ]))
}

/// `occupied_until` = `end_time` capped at `as_of` (open: `as_of`), never before the
/// start; `occupied_hours` between them.
fn occupied(segments: LazyFrame, as_of: DateTime<Utc>) -> LazyFrame {
    let capped = dsl::min_horizontal([coalesce(&[col(END_TIME), instant(as_of)]), instant(as_of)])
        .unwrap_or_else(|_| instant(as_of));
    let until = dsl::max_horizontal([capped, col(START_TIME)]).unwrap_or_else(|_| col(START_TIME));
    segments
        .with_column(until.alias(OCCUPIED_UNTIL))
        .with_column(hours_between(col(OCCUPIED_UNTIL), col(START_TIME)).alias(OCCUPIED_HOURS))
}

/// Ends an interval where the next interval of the same bed starts, when that is
/// earlier than its own end (or it is open).
fn end_at_bed_reoccupation(segments: LazyFrame) -> PolarsResult<LazyFrame> {
    const NEXT_IN_BED: &str = "__next_in_bed";
    let next_in_bed = when(col(BED_ID).is_not_null())
        .then(col(START_TIME).shift(lit(-1)).over([col(BED_ID)])?)
        .otherwise(typed_null(utc_datetime()));
    let cut = col(NEXT_IN_BED).is_not_null().and(
        col(END_TIME)
            .is_null()
            .or(col(END_TIME).gt(col(NEXT_IN_BED))),
    );
    Ok(segments
        .sort([BED_ID, START_TIME, VISIT_ID], stable_sort())
        .with_column(next_in_bed.alias(NEXT_IN_BED))
        .with_columns([
            when(cut.clone())
                .then(col(NEXT_IN_BED))
                .otherwise(col(END_TIME))
                .alias(END_TIME),
            when(cut)
                .then(lit("bed_reoccupied"))
                .otherwise(col(END_REASON))
                .alias(END_REASON),
        ])
        .drop(by_name([NEXT_IN_BED], true, false))
        .sort([VISIT_ID, START_TIME], stable_sort()))
}
