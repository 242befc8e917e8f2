//! Episodes of care: a patient's encounters grouped by gaps without encounters.

use medallion_model::expr::{elapsed_days, stable_sort, string_list};
use polars::prelude::*;
use synthea_schema::columns::encounters::{ENCOUNTER_CLASS, START, STOP};

use crate::columns::*;
use crate::config::EpisodeConfig;
use crate::error::Result;
use crate::inputs;

/// Version of the definition of episodes of care (`episodes`),
/// recorded with its gold table. Change it whenever the rows would change for the same
/// inputs.
pub const METRIC_VERSION: &str = "episodes-1";

const ROW: &str = "__row";
const PREV_END: &str = "__prev_end";

/// Name of the per-class count column of `class` in [`episodes`]: `<class>_count`.
pub fn class_count_column(class: &str) -> String {
    format!("{class}_count")
}

/// The output schema of [`encounter_episodes`].
pub fn encounter_episodes_schema() -> Schema {
    Schema::from_iter([
        Field::new(PATIENT_ID.into(), DataType::String),
        Field::new(ENCOUNTER_ID.into(), DataType::String),
        Field::new(ENCOUNTER_CLASS.into(), DataType::String),
        Field::new(START.into(), utc_datetime()),
        Field::new(ENCOUNTER_END.into(), utc_datetime()),
        Field::new(EPISODE_SEQ.into(), DataType::Int64),
        Field::new(EPISODE_ID.into(), DataType::String),
    ])
}

/// The output schema of [`episodes`] for `config` (one count column per configured class).
pub fn episodes_schema(config: &EpisodeConfig) -> Schema {
    let mut fields = vec![
        Field::new(PATIENT_ID.into(), DataType::String),
        Field::new(EPISODE_ID.into(), DataType::String),
        Field::new(EPISODE_SEQ.into(), DataType::Int64),
        Field::new(EPISODE_START.into(), utc_datetime()),
        Field::new(EPISODE_END.into(), utc_datetime()),
        Field::new(EPISODE_LENGTH_DAYS.into(), DataType::Float64),
        Field::new(ENCOUNTER_COUNT.into(), DataType::Int64),
    ];
    for c in &config.encounter_classes {
        fields.push(Field::new(class_count_column(c).into(), DataType::Int64));
    }
    fields.push(Field::new(OTHER_CLASS_COUNT.into(), DataType::Int64));
    Schema::from_iter(fields)
}

/// Assign every encounter to an episode of care.
///
/// # Definition
/// A patient's encounters are ordered by `start`, then `encounter_id`, then source row.
/// An encounter's end is the later of `start` and `stop` (a null or earlier `stop` counts
/// as `start`). An encounter opens a new episode when it is the patient's first, or when
/// its `start` is **more than** [`EpisodeConfig::gap_days`] × 24 h after the latest end of
/// all the patient's earlier encounters (a running maximum, so nested and overlapping
/// encounters never split an episode). A gap of exactly `gap_days` stays in the episode.
/// Encounters without `patient_id` or `start` are left out.
///
/// `episode_seq` numbers a patient's episodes 1, 2, …; the deterministic `episode_id` is
/// `"<patient_id>:<episode_seq>"` (same input, same ids).
///
/// # Denominator
/// Not a rate.
///
/// # Numerator
/// Not a rate: each encounter gets its episode.
///
/// # Exclusions
/// Encounters without `patient_id` or `start`.
///
/// # Period
/// All data.
///
/// # Output grain
/// One row per encounter (with patient and start), sorted by patient and the encounter
/// order above. Schema ([`encounter_episodes_schema`]):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | `patient_id` | String | patient |
/// | `encounter_id` | String | encounter |
/// | `encounter_class` | String | its class |
/// | `start` | Datetime(µs, UTC) | encounter start |
/// | `encounter_end` | Datetime(µs, UTC) | later of `start` and `stop` |
/// | `episode_seq` | Int64 | 1-based episode number within the patient |
/// | `episode_id` | String | `"<patient_id>:<episode_seq>"` |
///
/// # Parameters/Config
/// `encounters`: silver encounters (columns as in [`JourneyInputs`](crate::JourneyInputs));
/// `config`: [`EpisodeConfig`] (`gap_days`, default 30).
///
/// # Errors
/// Input contract and config errors, Polars planning errors.
///
/// # Example
/// ```
/// use ehr_journey::columns::utc_timestamp;
/// use ehr_journey::{encounter_episodes, EpisodeConfig};
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let encounters = df!(
///     "patient_id" => ["p1", "p1", "p1"],
///     "encounter_id" => ["e1", "e2", "e3"],
///     "start" => ["2024-01-01T08:00:00Z", "2024-01-31T08:00:00Z", "2024-03-15T08:00:00Z"],
///     "stop" => ["2024-01-01T08:00:00Z", "2024-01-31T09:00:00Z", "2024-03-15T09:00:00Z"],
///     "encounter_class" => ["wellness", "ambulatory", "emergency"],
///     "code" => ["c", "c", "c"], "description" => ["d", "d", "d"],
///     "reason_code" => [None::<&str>, None, None],
/// )?
/// .lazy()
/// .with_columns([utc_timestamp("start"), utc_timestamp("stop")]);
///
/// let df = encounter_episodes(encounters, &EpisodeConfig::default())?.collect()?;
/// // e2 starts exactly 30 days after e1 ends: same episode. e3 comes 44 days later.
/// let ids: Vec<_> = df.column("episode_id")?.str()?.iter().flatten().collect();
/// assert_eq!(ids, ["p1:1", "p1:1", "p1:2"]);
/// # Ok(())
/// # }
/// ```
pub fn encounter_episodes(encounters: LazyFrame, config: &EpisodeConfig) -> Result<LazyFrame> {
    config.validate()?;
    let mut encounters = encounters;
    inputs::check_encounters(&mut encounters)?;
    let gap = config.gap_days.saturating_mul(MICROS_PER_DAY);
    let by = [col(PATIENT_ID)];
    let new_episode = col(PREV_END)
        .is_null()
        .or((micros(col(START)) - col(PREV_END)).gt(lit_i64(gap)));
    Ok(encounters
        .with_row_index(ROW, None)
        .filter(col(PATIENT_ID).is_not_null().and(col(START).is_not_null()))
        .with_column(
            polars::lazy::dsl::max_horizontal([col(START), col(STOP)])?.alias(ENCOUNTER_END),
        )
        .sort_by_exprs(
            [col(PATIENT_ID), col(START), col(ENCOUNTER_ID), col(ROW)],
            stable_sort(),
        )
        .with_column(
            micros(col(ENCOUNTER_END))
                .cum_max(false)
                .shift(lit(1))
                .over(by.clone())?
                .alias(PREV_END),
        )
        .with_column(
            new_episode
                .cast(DataType::Int64)
                .cum_sum(false)
                .over(by)?
                .alias(EPISODE_SEQ),
        )
        .select([
            col(PATIENT_ID),
            col(ENCOUNTER_ID),
            col(ENCOUNTER_CLASS),
            col(START),
            col(ENCOUNTER_END),
            col(EPISODE_SEQ),
            concat_str(
                [col(PATIENT_ID), col(EPISODE_SEQ).cast(DataType::String)],
                ":",
                false,
            )
            .alias(EPISODE_ID),
        ]))
}

/// Episodes of care with their span and encounter counts by class.
///
/// # Definition
/// Encounters are assigned to episodes by [`encounter_episodes`] (a new episode after
/// more than [`EpisodeConfig::gap_days`] without encounters). Per episode:
/// `episode_start` = earliest encounter start, `episode_end` = latest encounter end
/// (later of start and stop), `episode_length_days` = fractional days between them,
/// `encounter_count` and one count per configured encounter class; encounters of any
/// other (or null) class are counted in `other_class_count`, so the class counts always
/// sum to `encounter_count`.
///
/// # Denominator
/// Not a rate.
///
/// # Numerator
/// Not a rate: span and counts are the measures.
///
/// # Exclusions
/// Encounters without `patient_id` or `start`.
///
/// # Period
/// All data.
///
/// # Output grain
/// One row per patient × episode, sorted by `patient_id`, `episode_seq`. Schema
/// ([`episodes_schema`]):
///
/// | column | dtype | meaning |
/// |---|---|---|
/// | `patient_id` | String | patient |
/// | `episode_id` | String | `"<patient_id>:<episode_seq>"` |
/// | `episode_seq` | Int64 | 1-based episode number within the patient |
/// | `episode_start` | Datetime(µs, UTC) | first encounter start |
/// | `episode_end` | Datetime(µs, UTC) | last encounter end |
/// | `episode_length_days` | Float64 | `episode_end − episode_start` in days |
/// | `encounter_count` | Int64 | encounters in the episode |
/// | `<class>_count` | Int64 | one per [`EpisodeConfig::encounter_classes`] entry, in order (default `ambulatory_count` … `virtual_count`) |
/// | `other_class_count` | Int64 | encounters of other or null classes |
///
/// # Parameters/Config
/// `encounters`: silver encounters; `config`: [`EpisodeConfig`] (`gap_days` default 30,
/// `encounter_classes` default every Synthea class).
///
/// # Errors
/// Input contract and config errors, Polars planning errors.
///
/// # Example
/// ```
/// use ehr_journey::columns::utc_timestamp;
/// use ehr_journey::{episodes, EpisodeConfig};
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let encounters = df!(
///     "patient_id" => ["p1", "p1", "p1"],
///     "encounter_id" => ["e1", "e2", "e3"],
///     "start" => ["2024-01-01T08:00:00Z", "2024-01-02T08:00:00Z", "2024-06-01T08:00:00Z"],
///     "stop" => ["2024-01-02T08:00:00Z", "2024-01-02T09:00:00Z", "2024-06-01T09:00:00Z"],
///     "encounter_class" => ["inpatient", "ambulatory", "wellness"],
///     "code" => ["c", "c", "c"], "description" => ["d", "d", "d"],
///     "reason_code" => [None::<&str>, None, None],
/// )?
/// .lazy()
/// .with_columns([utc_timestamp("start"), utc_timestamp("stop")]);
///
/// let df = episodes(encounters, &EpisodeConfig::default())?.collect()?;
/// assert_eq!(df.height(), 2);
/// let counts: Vec<_> = df.column("encounter_count")?.i64()?.into_no_null_iter().collect();
/// assert_eq!(counts, [2, 1]);
/// assert_eq!(df.column("inpatient_count")?.i64()?.get(0), Some(1));
/// # Ok(())
/// # }
/// ```
pub fn episodes(encounters: LazyFrame, config: &EpisodeConfig) -> Result<LazyFrame> {
    let assigned = encounter_episodes(encounters, config)?;
    let classes: Vec<String> = config.encounter_classes.clone();
    let mut aggs = vec![
        col(START).min().alias(EPISODE_START),
        col(ENCOUNTER_END).max().alias(EPISODE_END),
        len().cast(DataType::Int64).alias(ENCOUNTER_COUNT),
    ];
    for c in &classes {
        aggs.push(
            col(ENCOUNTER_CLASS)
                .eq(lit(c.as_str()))
                .fill_null(lit(false))
                .sum()
                .cast(DataType::Int64)
                .alias(class_count_column(c)),
        );
    }
    aggs.push(
        col(ENCOUNTER_CLASS)
            .is_in(string_list(&classes), false)
            .fill_null(lit(false))
            .not()
            .sum()
            .cast(DataType::Int64)
            .alias(OTHER_CLASS_COUNT),
    );
    let mut out = vec![
        col(PATIENT_ID),
        col(EPISODE_ID),
        col(EPISODE_SEQ),
        col(EPISODE_START),
        col(EPISODE_END),
        elapsed_days(col(EPISODE_END), col(EPISODE_START)).alias(EPISODE_LENGTH_DAYS),
        col(ENCOUNTER_COUNT),
    ];
    out.extend(classes.iter().map(|c| col(class_count_column(c))));
    out.push(col(OTHER_CLASS_COUNT));
    Ok(assigned
        .group_by([col(PATIENT_ID), col(EPISODE_SEQ), col(EPISODE_ID)])
        .agg(aggs)
        .sort_by_exprs([col(PATIENT_ID), col(EPISODE_SEQ)], stable_sort())
        .select(out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;
    use crate::test_fixtures::*;

    fn seqs(rows: &[Enc<'_>], config: &EpisodeConfig) -> Vec<Option<i64>> {
        let df = encounter_episodes(encounters(rows), config)
            .unwrap()
            .collect()
            .unwrap();
        i64s(&df, EPISODE_SEQ)
    }

    #[test]
    fn gap_exactly_at_threshold_stays_in_the_episode() {
        let rows = [
            (
                "p1",
                "e1",
                "2024-01-01T08:00:00Z",
                Some("2024-01-01T09:00:00Z"),
                "ambulatory",
                None,
            ),
            // Exactly 30 × 24 h after e1's end.
            (
                "p1",
                "e2",
                "2024-01-31T09:00:00Z",
                Some("2024-01-31T10:00:00Z"),
                "ambulatory",
                None,
            ),
        ];
        assert_eq!(seqs(&rows, &EpisodeConfig::default()), [Some(1), Some(1)]);
    }

    #[test]
    fn gap_over_threshold_opens_a_new_episode() {
        let rows = [
            (
                "p1",
                "e1",
                "2024-01-01T08:00:00Z",
                Some("2024-01-01T09:00:00Z"),
                "ambulatory",
                None,
            ),
            // One second more than 30 days.
            (
                "p1",
                "e2",
                "2024-01-31T09:00:01Z",
                Some("2024-01-31T10:00:00Z"),
                "ambulatory",
                None,
            ),
        ];
        assert_eq!(seqs(&rows, &EpisodeConfig::default()), [Some(1), Some(2)]);
        assert_eq!(
            seqs(&rows, &EpisodeConfig::default().with_gap_days(31)),
            [Some(1), Some(1)]
        );
    }

    #[test]
    fn gap_is_measured_from_the_latest_end_of_nested_encounters() {
        let rows = [
            // A 60-day stay with a short visit nested inside it.
            (
                "p1",
                "e1",
                "2024-01-01T00:00:00Z",
                Some("2024-03-01T00:00:00Z"),
                "inpatient",
                None,
            ),
            (
                "p1",
                "e2",
                "2024-01-02T00:00:00Z",
                Some("2024-01-02T01:00:00Z"),
                "ambulatory",
                None,
            ),
            // 20 days after the stay ends, 79 days after e2 ends: same episode.
            ("p1", "e3", "2024-03-21T00:00:00Z", None, "ambulatory", None),
            ("p2", "e4", "2024-03-21T00:00:00Z", None, "wellness", None),
        ];
        assert_eq!(
            seqs(&rows, &EpisodeConfig::default()),
            [Some(1), Some(1), Some(1), Some(1)]
        );
        let df = episodes(encounters(&rows), &EpisodeConfig::default())
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(strs(&df, EPISODE_ID), [s("p1:1"), s("p2:1")]);
        assert_eq!(i64s(&df, ENCOUNTER_COUNT), [Some(3), Some(1)]);
        assert_eq!(i64s(&df, "inpatient_count"), [Some(1), Some(0)]);
        assert_eq!(i64s(&df, "ambulatory_count"), [Some(2), Some(0)]);
        assert_eq!(f64s(&df, EPISODE_LENGTH_DAYS), [Some(80.0), Some(0.0)]);
    }

    #[test]
    fn unlisted_classes_are_counted_as_other() {
        let rows = [
            ("p1", "e1", "2024-01-01T00:00:00Z", None, "ambulatory", None),
            (
                "p1",
                "e2",
                "2024-01-02T00:00:00Z",
                None,
                "teleconsult",
                None,
            ),
        ];
        let config = EpisodeConfig::default().with_encounter_classes(["ambulatory"]);
        let df = episodes(encounters(&rows), &config)
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(i64s(&df, "ambulatory_count"), [Some(1)]);
        assert_eq!(i64s(&df, OTHER_CLASS_COUNT), [Some(1)]);
    }

    #[test]
    fn negative_gap_is_rejected() {
        let Err(err) = episodes(encounters(&[]), &EpisodeConfig::default().with_gap_days(-1))
        else {
            panic!("expected an error")
        };
        assert!(matches!(
            err,
            crate::Error::InvalidConfig {
                field: "episodes.gap_days",
                ..
            }
        ));
    }

    #[test]
    fn episode_schemas_match_documented_schemas() {
        let config = EpisodeConfig::default();
        let mut lf = episodes(encounters(&[]), &config).unwrap();
        assert_eq!(
            lf.collect_schema().unwrap().as_ref(),
            &episodes_schema(&config)
        );
        let mut lf = encounter_episodes(encounters(&[]), &config).unwrap();
        assert_eq!(
            lf.collect_schema().unwrap().as_ref(),
            &encounter_episodes_schema()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn episodes_partition_the_encounters(
            rows in prop::collection::vec((0u8..3, 0u32..200, 0u32..72), 0..25),
            gap in 0i64..40,
        ) {
            let owned: Vec<(String, String, String, String)> = rows.iter().enumerate().map(|(i, (p, d, h))| {
                let start = format!("2024-{:02}-{:02}T00:00:00Z", 1 + d / 28, 1 + d % 28);
                let stop_day = d + h / 24;
                let stop = format!("2024-{:02}-{:02}T{:02}:00:00Z", 1 + stop_day / 28, 1 + stop_day % 28, h % 24);
                (format!("p{p}"), format!("e{i}"), start, stop)
            }).collect();
            let e: Vec<Enc<'_>> = owned.iter().map(|(p, id, a, b)| (p.as_str(), id.as_str(), a.as_str(), Some(b.as_str()), "ambulatory", None)).collect();
            let config = EpisodeConfig::default().with_gap_days(gap);
            let assigned = encounter_episodes(encounters(&e), &config).unwrap().collect().unwrap();
            // Every encounter exactly once.
            prop_assert_eq!(assigned.height(), e.len());
            let mut ids: Vec<_> = strs(&assigned, ENCOUNTER_ID).into_iter().flatten().collect();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), e.len());
            // Episode counts add up to the encounters, and episodes of a patient are 1..k.
            let eps = episodes(encounters(&e), &config).unwrap().collect().unwrap();
            let total: i64 = i64s(&eps, ENCOUNTER_COUNT).into_iter().flatten().sum();
            prop_assert_eq!(total as usize, e.len());
            let per_patient = eps.lazy().group_by([col(PATIENT_ID)]).agg([
                col(EPISODE_SEQ).max().alias("max"),
                len().cast(DataType::Int64).alias("n"),
            ]).collect().unwrap();
            prop_assert_eq!(i64s(&per_patient, "max"), i64s(&per_patient, "n"));
        }
    }
}
