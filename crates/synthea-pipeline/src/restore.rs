//! RESTORE tables of the lakehouse to an earlier version or time: the undo after a bad run.
//!
//! Each restore is a new commit (`RESTORE` in the history, carrying the restoring run's
//! id), so the bad versions stay readable by time travel. It takes the lakehouse lock,
//! so it never runs beside a pipeline run.
//!
//! A restore does not rewind a table's ingestion ledger (its Delta application
//! transactions): the landed files (bronze) or bronze batches (silver) that the removed
//! versions processed stay recorded as done, and the next run does not process them
//! again — the restore drops that data from the table for good. A restored **gold** table
//! is recomputed by the next run from the current silver (a `RESTORE` newer than the
//! table's last write makes its recorded inputs unknown), so restore silver first when
//! silver was bad, and gold follows.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use medallion_core::{RestoreBuilder, RestoreReport};

use crate::config::PipelineConfig;
use crate::error::PipelineError;
use crate::runs;

/// The layers a restore may name.
const LAYERS: [&str; 3] = ["bronze", "silver", "gold"];

/// One table to restore and the point to restore it to, parsed from
/// `<layer>/<table>@<version>` or `<layer>/<table>@<RFC 3339 timestamp or YYYY-MM-DD>`
/// (a date means the start of that day, UTC).
///
/// ```
/// use synthea_pipeline::RestoreTarget;
///
/// let target: RestoreTarget = "gold/readmissions@3".parse().expect("a valid target");
/// assert_eq!(target.to_string(), "gold/readmissions@3");
/// assert!("readmissions@3".parse::<RestoreTarget>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreTarget {
    /// The layer: `bronze`, `silver` or `gold`.
    pub layer: String,
    /// The table name within the layer.
    pub table: String,
    /// The version or time to restore.
    pub point: RestorePoint,
}

/// Where a restore returns a table to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestorePoint {
    /// The rows of this table version.
    Version(u64),
    /// The rows of the latest version committed at or before this instant.
    Timestamp(DateTime<Utc>),
}

impl FromStr for RestoreTarget {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let usage = || {
            format!(
                "'{text}' is not a restore target: expected <layer>/<table>@<version> or \
                 <layer>/<table>@<timestamp>, e.g. gold/readmissions@3 or \
                 silver/encounters@2024-04-15T10:00:00Z"
            )
        };
        let (table, point) = text.rsplit_once('@').ok_or_else(usage)?;
        let (layer, table) = table.split_once('/').ok_or_else(usage)?;
        if !LAYERS.contains(&layer) {
            return Err(format!(
                "'{layer}' is not a layer: expected one of {}",
                LAYERS.join(", ")
            ));
        }
        if table.is_empty() || table.contains(['/', '\\']) || table.starts_with('.') {
            return Err(usage());
        }
        let point = parse_point(point).ok_or_else(usage)?;
        Ok(Self {
            layer: layer.to_string(),
            table: table.to_string(),
            point,
        })
    }
}

fn parse_point(text: &str) -> Option<RestorePoint> {
    if let Ok(version) = text.parse::<u64>() {
        return Some(RestorePoint::Version(version));
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(RestorePoint::Timestamp(at.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(RestorePoint::Timestamp(
        day.and_time(NaiveTime::MIN).and_utc(),
    ))
}

impl fmt::Display for RestoreTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.point {
            RestorePoint::Version(v) => write!(f, "{}/{}@{v}", self.layer, self.table),
            RestorePoint::Timestamp(at) => {
                write!(f, "{}/{}@{}", self.layer, self.table, at.to_rfc3339())
            }
        }
    }
}

/// Restores each target table of `config.lakehouse`, in order, under the lakehouse lock;
/// each restore commit carries `config.run_id`.
///
/// # Errors
/// [`PipelineError::Medallion`] naming the table: it does not exist, the version does not
/// exist, or its files were vacuumed (nothing of that table is changed; earlier targets
/// stay restored). [`PipelineError::LakehouseLocked`] while a run holds the lakehouse.
pub async fn restore_tables(
    config: &PipelineConfig,
    targets: &[RestoreTarget],
) -> Result<Vec<RestoreReport>, PipelineError> {
    let _lock = runs::lock_lakehouse(config)?;
    let mut reports = Vec::with_capacity(targets.len());
    for target in targets {
        let builder = RestoreBuilder::new(config.table(&target.layer, &target.table))?
            .with_run_id(config.run_id.clone());
        let builder = match target.point {
            RestorePoint::Version(v) => builder.with_version(v),
            RestorePoint::Timestamp(at) => builder.with_timestamp(at),
        };
        let report = builder.await?;
        tracing::info!(%target, version = ?report.version, "restored");
        reports.push(report);
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_restore_target_names_layer_table_and_version() {
        let t: RestoreTarget = "silver/encounters@12".parse().unwrap();
        assert_eq!(t.layer, "silver");
        assert_eq!(t.table, "encounters");
        assert_eq!(t.point, RestorePoint::Version(12));
    }

    #[test]
    fn a_restore_target_takes_a_timestamp_or_a_date() {
        let t: RestoreTarget = "gold/readmissions@2024-04-15T10:30:00+02:00"
            .parse()
            .unwrap();
        assert_eq!(
            t.point,
            RestorePoint::Timestamp("2024-04-15T08:30:00Z".parse().unwrap())
        );
        let t: RestoreTarget = "gold/readmissions@2024-04-15".parse().unwrap();
        assert_eq!(
            t.point,
            RestorePoint::Timestamp("2024-04-15T00:00:00Z".parse().unwrap())
        );
    }

    #[test]
    fn a_restore_target_outside_the_layers_is_rejected() {
        let err = "_runs/x@1".parse::<RestoreTarget>().unwrap_err();
        assert!(err.contains("not a layer"), "{err}");
        assert!("gold/../silver@1".parse::<RestoreTarget>().is_err());
        assert!("gold/x@yesterday".parse::<RestoreTarget>().is_err());
        assert!("gold/x".parse::<RestoreTarget>().is_err());
    }
}
