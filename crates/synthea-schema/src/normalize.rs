//! Raw → canonical silver normalization as pure `LazyFrame` functions,
//! plus the silver column contract of every table.
//!
//! Rules applied by [`normalize`]:
//! * columns are mapped by raw name to their spec's silver name (snake_case,
//!   `Id` → `<singular>_id`, `PATIENT` → `patient_id`, `ENCOUNTER` → `encounter_id`,
//!   `START`/`STOP` → `start`/`stop`, `ENCOUNTERCLASS` → `encounter_class`, …; see
//!   [`ColumnSpec::silver`](crate::spec::ColumnSpec::silver));
//! * the output has the columns of [`silver_schema`], whatever the version: columns the
//!   version lacks are typed nulls (e.g. `middle_name` before 3.3, `stop` of 2.x
//!   procedures, which only record `DATE` → `start`); drift columns are dropped (they
//!   stay in bronze);
//! * columns that are not Synthea data ([`passes_through`]: names starting with `_`, such
//!   as the lineage columns `_ingested_at`, `_source_file`, `_source_row`, `_batch_id`,
//!   the reader's `_parse_errors` and `__dq_check_*` scratch columns) follow the silver
//!   columns unchanged, in their input order;
//! * strings are trimmed and empty strings become null;
//! * `gender` `M`/`F` → `male`/`female` (other values are lower-cased and kept);
//! * `encounter_class` is lower-cased with spaces, `_` and `-` removed; values outside
//!   [`EncounterClass`] are kept and flagged by the `encounters.unknown_encounter_class`
//!   data-quality rule;
//! * every timestamp column `X` gets a derived `Date` column (`start` → `start_date`,
//!   `occurred_at` → `occurred_date`) holding the calendar date in
//!   [`NormalizeConfig::time_zone`];
//! * payer transitions: `start_year`/`end_year` come from 2.x years, else from the
//!   derived dates; observations: `value_numeric` (`Float64`) is `value` parsed when
//!   `value_type` is `numeric`.
//!
//! Input columns may be typed (from [`crate::read`]) or plain strings (parsed leniently:
//! malformed values become null — use the typed readers for strict parsing).

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, PolarsContext, Result};
use crate::read::{parse_text, passes_through, trimmed_or_null};
pub use crate::spec::EncounterClass;
use crate::spec::{TableKind, ValueKind};
use crate::version::SyntheaVersion;

/// Default time zone of derived `*_date` columns.
pub const DEFAULT_TIME_ZONE: &str = "UTC";

/// Configuration of [`normalize`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct NormalizeConfig {
    /// IANA time zone in which derived `*_date` columns are computed from UTC timestamps.
    /// Default: [`DEFAULT_TIME_ZONE`] (`"UTC"`).
    pub time_zone: String,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        Self {
            time_zone: DEFAULT_TIME_ZONE.to_string(),
        }
    }
}

impl NormalizeConfig {
    /// Set [`Self::time_zone`].
    pub fn with_time_zone(mut self, time_zone: impl Into<String>) -> Self {
        self.time_zone = time_zone.into();
        self
    }

    /// The validated Polars time zone.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the zone is not a known IANA name.
    pub fn polars_time_zone(&self) -> Result<TimeZone> {
        match TimeZone::opt_try_new(Some(self.time_zone.as_str())) {
            Ok(Some(tz)) => Ok(tz),
            Ok(None) => Ok(TimeZone::UTC),
            Err(e) => Err(Error::InvalidConfig {
                field: "time_zone",
                value: self.time_zone.clone(),
                reason: format!(
                    "not an IANA time zone ({e}); use e.g. \"UTC\" or \"America/New_York\""
                ),
            }),
        }
    }
}

/// Name of the derived date column of timestamp column `name`
/// (`start` → `start_date`, `occurred_at` → `occurred_date`).
pub fn derived_date_name(name: &str) -> String {
    match name.strip_suffix("_at") {
        Some(stem) => format!("{stem}_date"),
        None => format!("{name}_date"),
    }
}

/// Silver base columns of `table`: (silver name, kind) deduplicated over versions,
/// newest layout first.
fn base_columns(table: TableKind) -> Vec<(&'static str, ValueKind)> {
    let mut out: Vec<(&'static str, ValueKind)> = Vec::new();
    for v in SyntheaVersion::ALL.into_iter().rev() {
        let Some(spec) = table.spec(v) else { continue };
        for c in spec.columns {
            if !out.iter().any(|(n, _)| *n == c.silver) {
                out.push((c.silver, c.kind));
            }
        }
    }
    out
}

/// Table-specific derived columns (beyond the `*_date` ones): (name, dtype).
fn extra_derived(table: TableKind) -> Vec<(&'static str, DataType)> {
    match table {
        TableKind::Observations => vec![("value_numeric", DataType::Float64)],
        _ => Vec::new(),
    }
}

/// The canonical silver column contract of `table` (names and dtypes, in order).
///
/// Identical for every Synthea version; [`normalize`] output always starts with exactly
/// these columns (followed by the input's pass-through columns, if any). No silver
/// column [`passes_through`].
pub fn silver_schema(table: TableKind) -> Schema {
    let base = base_columns(table);
    let mut fields: Vec<Field> = base
        .iter()
        .map(|(n, k)| Field::new((*n).into(), k.dtype()))
        .collect();
    for (n, k) in &base {
        if *k == ValueKind::Timestamp {
            fields.push(Field::new(derived_date_name(n).into(), DataType::Date));
        }
    }
    for (n, dt) in extra_derived(table) {
        fields.push(Field::new(n.into(), dt));
    }
    fields.into_iter().collect()
}

/// Silver columns that every version fills from an always-filled raw column; a null in
/// them is a data-quality problem (`<table>.required_null.<column>`).
pub fn silver_required_columns(table: TableKind) -> Vec<&'static str> {
    let versions: Vec<_> = SyntheaVersion::ALL
        .into_iter()
        .filter_map(|v| table.spec(v))
        .collect();
    base_columns(table)
        .into_iter()
        .map(|(n, _)| n)
        .filter(|n| {
            versions.iter().all(|spec| {
                spec.columns
                    .iter()
                    .any(|c| c.silver == *n && c.required && c.header_required_in(spec.version))
            })
        })
        .collect()
}

fn convert(table: TableKind, raw_name: &str, kind: ValueKind, input: &DataType) -> Result<Expr> {
    let e = col(raw_name);
    let target = kind.dtype();
    if *input == DataType::String {
        let text = trimmed_or_null(e);
        return Ok(if kind.is_text() {
            text
        } else {
            parse_text(text, kind)
        });
    }
    if *input == target {
        return Ok(e);
    }
    let castable = input.is_primitive_numeric()
        || input.is_temporal()
        || matches!(input, DataType::Null | DataType::Boolean);
    if castable {
        Ok(e.cast(target))
    } else {
        Err(Error::ColumnType {
            table,
            column: raw_name.to_string(),
            expected: target.to_string(),
            found: input.to_string(),
        })
    }
}

fn gender_expr(name: &str) -> Expr {
    let lower = col(name).str().to_lowercase();
    when(lower.clone().eq(lit("m")))
        .then(lit("male"))
        .when(lower.clone().eq(lit("f")))
        .then(lit("female"))
        .otherwise(lower)
        .alias(name)
}

/// Normalize a raw (typed or all-string) frame of `table`, read as `version`, into the
/// canonical silver shape of [`silver_schema`], followed by the input's pass-through
/// columns ([`passes_through`]) unchanged. Pure: only the input's schema is resolved (no
/// data is read) and no clock or environment is consulted. Row count and row order are
/// preserved.
///
/// # Errors
/// [`Error::TableNotInVersion`], [`Error::InvalidConfig`] for a bad time zone,
/// [`Error::ColumnType`] for input columns that cannot be converted, and Polars errors
/// while resolving the input schema.
pub fn normalize(
    table: TableKind,
    version: SyntheaVersion,
    raw: LazyFrame,
    config: &NormalizeConfig,
) -> Result<LazyFrame> {
    let spec = table
        .spec(version)
        .ok_or(Error::TableNotInVersion { table, version })?;
    let tz = config.polars_time_zone()?;
    let mut raw = raw;
    let input = raw
        .collect_schema()
        .ctx(|| format!("resolving the schema of raw `{table}`"))?;

    let base = base_columns(table);
    let mut exprs = Vec::with_capacity(base.len());
    for (silver, kind) in &base {
        let source = spec
            .columns
            .iter()
            .find(|c| c.silver == *silver)
            .and_then(|c| input.get(c.name).map(|dt| (c, dt)));
        let expr = match source {
            Some((c, dt)) => convert(table, c.name, c.kind, dt)?,
            None => lit(NULL).cast(kind.dtype()),
        };
        exprs.push(expr.alias(*silver));
    }
    let passing: Vec<Expr> = input
        .iter_names()
        .filter(|n| passes_through(n))
        .map(|n| col(n.clone()))
        .collect();
    exprs.extend(passing.iter().cloned());
    let mut lf = raw.select(exprs);

    let mut fixes = Vec::new();
    if matches!(table, TableKind::Patients | TableKind::Providers) {
        fixes.push(gender_expr("gender"));
    }
    if table == TableKind::Encounters {
        fixes.push(
            col("encounter_class")
                .str()
                .to_lowercase()
                .str()
                .replace_all(lit("[ _-]"), lit(""), false)
                .alias("encounter_class"),
        );
    }
    if !fixes.is_empty() {
        lf = lf.with_columns(fixes);
    }

    let dates: Vec<Expr> = base
        .iter()
        .filter(|(_, k)| *k == ValueKind::Timestamp)
        .map(|(n, _)| {
            col(*n)
                .dt()
                .convert_time_zone(tz.clone())
                .dt()
                .date()
                .alias(derived_date_name(n))
        })
        .collect();
    if !dates.is_empty() {
        lf = lf.with_columns(dates);
    }

    match table {
        TableKind::PayerTransitions => {
            lf = lf.with_columns([
                coalesce(&[
                    col("start_year"),
                    col("start_date").dt().year().cast(DataType::Int64),
                ])
                .alias("start_year"),
                coalesce(&[
                    col("end_year"),
                    col("end_date").dt().year().cast(DataType::Int64),
                ])
                .alias("end_year"),
            ]);
        }
        TableKind::Observations => {
            lf = lf.with_column(
                when(col("value_type").eq(lit("numeric")))
                    .then(
                        col("value")
                            .str()
                            .strip_chars(lit(NULL))
                            .cast(DataType::Float64),
                    )
                    .otherwise(lit(NULL).cast(DataType::Float64))
                    .alias("value_numeric"),
            );
        }
        _ => {}
    }

    let order: Vec<Expr> = silver_schema(table)
        .iter_names()
        .map(|n| col(n.clone()))
        .chain(passing)
        .collect();
    Ok(lf.select(order))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_util::strs;

    fn encounters_raw() -> LazyFrame {
        df!(
            "Id" => ["e1", " e2 ", "e3"],
            "START" => ["2019-02-17T05:07:38Z", "2019-02-17T23:30:00Z", "2020-01-01T00:00:00Z"],
            "STOP" => ["2019-02-17T06:00:00Z", "2019-02-18T01:00:00Z", ""],
            "PATIENT" => ["p1", "p1", "p2"],
            "ORGANIZATION" => ["o1", "o1", "o2"],
            "PROVIDER" => ["pr1", "pr1", "pr2"],
            "PAYER" => ["py", "py", "py"],
            "ENCOUNTERCLASS" => ["Wellness", "urgent_care", "spaceship"],
            "CODE" => ["162673000", "10939881000119105", "185349003"],
            "DESCRIPTION" => ["General examination", "x", "y"],
            "BASE_ENCOUNTER_COST" => ["129.16", "1", "2"],
            "TOTAL_CLAIM_COST" => ["129.16", "1", "2"],
            "PAYER_COVERAGE" => ["0.00", "0", "0"],
            "REASONCODE" => ["", "", "44054006"],
            "REASONDESCRIPTION" => ["", "", "Diabetes"],
        )
        .unwrap()
        .lazy()
    }

    #[test]
    fn normalized_encounters_match_the_silver_contract() {
        let mut lf = normalize(
            TableKind::Encounters,
            SyntheaVersion::V3Latest,
            encounters_raw(),
            &NormalizeConfig::default(),
        )
        .unwrap();
        assert_eq!(
            lf.collect_schema().unwrap().as_ref(),
            &silver_schema(TableKind::Encounters)
        );
    }

    #[test]
    fn pass_through_columns_follow_the_silver_columns_unchanged_in_input_order() {
        let lists = [
            Series::new_empty("".into(), &DataType::String),
            Series::new("".into(), ["START"]),
            Series::new_empty("".into(), &DataType::String),
        ];
        let extra = df!(
            "_source_row" => [3i64, 1, 2],
            "__dq_check_whitespace" => [false, true, false],
            "DRIFT" => ["x", "y", "z"],
            "_batch_id" => [7i64, 7, 7],
        )
        .unwrap()
        .hstack(&[Series::new(crate::read::PARSE_ERRORS_COLUMN.into(), &lists).into_column()])
        .unwrap();
        let raw = encounters_raw()
            .collect()
            .unwrap()
            .hstack(extra.columns())
            .unwrap();
        let out = normalize(
            TableKind::Encounters,
            SyntheaVersion::V3Latest,
            raw.lazy(),
            &NormalizeConfig::default(),
        )
        .unwrap()
        .collect()
        .unwrap();
        let silver = silver_schema(TableKind::Encounters);
        let names: Vec<&str> = out.get_column_names().iter().map(|n| n.as_str()).collect();
        let (contract, passed) = names.split_at(silver.len());
        assert!(
            contract
                .iter()
                .copied()
                .eq(silver.iter_names().map(|n| n.as_str()))
        );
        // DRIFT is dropped; the others keep their input order and values.
        assert_eq!(
            passed,
            [
                "_source_row",
                "__dq_check_whitespace",
                "_batch_id",
                "_parse_errors"
            ]
        );
        for name in passed {
            assert_eq!(
                out.column(name).unwrap(),
                extra.column(name).unwrap(),
                "{name}"
            );
        }
        assert_eq!(
            strs(&out, "encounter_id"),
            ["e1", "e2", "e3"].map(|s| Some(s.to_string()))
        );
        assert!(silver.iter_names().all(|n| !passes_through(n)));
    }

    #[test]
    fn normalize_trims_maps_classes_and_nulls_empty_strings() {
        let df = normalize(
            TableKind::Encounters,
            SyntheaVersion::V2,
            encounters_raw(),
            &NormalizeConfig::default(),
        )
        .unwrap()
        .collect()
        .unwrap();
        let ids: Vec<_> = strs(&df, "encounter_id");
        assert_eq!(ids, ["e1", "e2", "e3"].map(|s| Some(s.to_string())));
        let classes: Vec<_> = strs(&df, "encounter_class");
        assert_eq!(
            classes,
            ["wellness", "urgentcare", "spaceship"].map(|s| Some(s.to_string()))
        );
        assert_eq!(df.column("reason_code").unwrap().null_count(), 2);
        assert_eq!(df.column("stop").unwrap().null_count(), 1);
        let code = df.column("code").unwrap().str().unwrap().get(1);
        assert_eq!(code, Some("10939881000119105"));
    }

    #[test]
    fn derived_start_date_uses_the_configured_time_zone() {
        let dates = |tz: &str| {
            let df = normalize(
                TableKind::Encounters,
                SyntheaVersion::V2,
                encounters_raw(),
                &NormalizeConfig::default().with_time_zone(tz),
            )
            .unwrap()
            .select([col("start_date").dt().to_string("%Y-%m-%d")])
            .collect()
            .unwrap();
            strs(&df, "start_date")
                .into_iter()
                .map(|s| s.unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(dates("UTC"), ["2019-02-17", "2019-02-17", "2020-01-01"]);
        // 23:30Z on the 17th is already the 18th in Berlin; 00:00Z on Jan 1 is Dec 31 in New York.
        assert_eq!(dates("Europe/Berlin")[1], "2019-02-18");
        assert_eq!(dates("America/New_York")[2], "2019-12-31");
    }

    #[test]
    fn invalid_time_zone_is_a_config_error() {
        let err = normalize(
            TableKind::Encounters,
            SyntheaVersion::V2,
            encounters_raw(),
            &NormalizeConfig::default().with_time_zone("Mars/Olympus"),
        )
        .err()
        .unwrap();
        assert!(matches!(
            err,
            Error::InvalidConfig {
                field: "time_zone",
                ..
            }
        ));
    }

    #[test]
    fn gender_m_f_becomes_male_female() {
        let raw = df!(
            "Id" => ["a", "b", "c"],
            "GENDER" => ["M", "F", "x"],
            "BIRTHDATE" => ["2000-01-01", "2000-01-02", "2000-01-03"],
        )
        .unwrap()
        .lazy();
        let df = normalize(
            TableKind::Patients,
            SyntheaVersion::V3Latest,
            raw,
            &NormalizeConfig::default(),
        )
        .unwrap()
        .collect()
        .unwrap();
        let g: Vec<_> = strs(&df, "gender");
        assert_eq!(g, ["male", "female", "x"].map(|s| Some(s.to_string())));
        assert_eq!(df.column("middle_name").unwrap().null_count(), 3);
    }

    #[test]
    fn v2_procedure_date_maps_to_start_and_payer_years_are_derived() {
        let raw = df!(
            "DATE" => ["2019-02-17T05:07:38Z"],
            "PATIENT" => ["p"],
            "ENCOUNTER" => ["e"],
            "CODE" => ["PR60515"],
        )
        .unwrap()
        .lazy();
        let df = normalize(
            TableKind::Procedures,
            SyntheaVersion::V2,
            raw,
            &NormalizeConfig::default(),
        )
        .unwrap()
        .collect()
        .unwrap();
        assert_eq!(df.column("start").unwrap().null_count(), 0);
        assert_eq!(df.column("stop").unwrap().null_count(), 1);

        let pt = df!(
            "PATIENT" => ["p"],
            "START_DATE" => ["2019-02-17T05:07:38Z"],
            "END_DATE" => ["2021-01-01T00:00:00Z"],
        )
        .unwrap()
        .lazy();
        let df = normalize(
            TableKind::PayerTransitions,
            SyntheaVersion::V3Latest,
            pt,
            &NormalizeConfig::default(),
        )
        .unwrap()
        .collect()
        .unwrap();
        assert_eq!(
            df.column("start_year").unwrap().i64().unwrap().get(0),
            Some(2019)
        );
        assert_eq!(
            df.column("end_year").unwrap().i64().unwrap().get(0),
            Some(2021)
        );
    }

    #[test]
    fn encounter_class_parsing_matches_normalization() {
        assert_eq!(
            "Urgent Care".parse::<EncounterClass>().ok(),
            Some(EncounterClass::Urgentcare)
        );
        assert!("spaceship".parse::<EncounterClass>().is_err());
    }

    #[test]
    fn silver_required_columns_exclude_version_specific_ones() {
        let req = silver_required_columns(TableKind::Patients);
        assert!(req.contains(&"patient_id") && req.contains(&"birth_date"));
        assert!(!req.contains(&"income") && !req.contains(&"death_date"));
        let proc_req = silver_required_columns(TableKind::Procedures);
        assert!(proc_req.contains(&"start") && !proc_req.contains(&"stop"));
    }

    #[test]
    fn config_deserializes_with_defaults() {
        let cfg: NormalizeConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(cfg, NormalizeConfig::default());
        let cfg: NormalizeConfig = serde_json::from_str(r#"{"time_zone":"Europe/Paris"}"#).unwrap();
        assert_eq!(cfg.time_zone, "Europe/Paris");
    }
}
