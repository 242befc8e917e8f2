//! Table maintenance policy: OPTIMIZE / Z-order / VACUUM per table.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::ops::optimize::{OptimizeBuilder, OptimizeReport};
use crate::ops::vacuum::{DEFAULT_VACUUM_RETENTION, VacuumBuilder, VacuumReport};

/// What maintenance to run on a table. Serde-loadable so policies can live in config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct MaintenancePolicy {
    /// Compact small files. Default: `true`.
    pub optimize: bool,
    /// Z-order by these columns instead of plain compaction (needs `optimize`). Default: none.
    pub z_order: Vec<String>,
    /// VACUUM files removed longer ago than this; `None` skips VACUUM. Default: 7 days.
    pub vacuum_retention: Option<Duration>,
}

impl Default for MaintenancePolicy {
    fn default() -> Self {
        Self {
            optimize: true,
            z_order: Vec::new(),
            vacuum_retention: Some(DEFAULT_VACUUM_RETENTION),
        }
    }
}

impl MaintenancePolicy {
    /// Z-order by `columns`.
    pub fn with_z_order(mut self, columns: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.z_order = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Compaction on or off.
    pub fn with_optimize(mut self, optimize: bool) -> Self {
        self.optimize = optimize;
        self
    }

    /// VACUUM retention (`None` skips VACUUM).
    pub fn with_vacuum_retention(mut self, retention: Option<Duration>) -> Self {
        self.vacuum_retention = retention;
        self
    }
}

/// What [`run_maintenance`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceReport {
    /// Table URI.
    pub table: String,
    /// OPTIMIZE outcome, if run.
    pub optimize: Option<OptimizeReport>,
    /// VACUUM outcome, if run.
    pub vacuum: Option<VacuumReport>,
}

/// Runs `policy` on the table at `location` (OPTIMIZE first, then VACUUM). Every commit
/// it makes carries `run_id` (when given) in its commit metadata, like the pipeline's
/// other commits, so the table history ties maintenance to a run.
///
/// # Errors
/// Whatever the underlying operations return ([`Error::TableNotFound`], [`Error::Delta`]).
pub async fn run_maintenance(
    location: impl TryInto<TableLocation, Error = Error>,
    policy: &MaintenancePolicy,
    run_id: Option<&str>,
) -> Result<MaintenanceReport> {
    let location: TableLocation = location.try_into()?;
    let optimize = if policy.optimize {
        let mut builder = OptimizeBuilder::new(&location)?;
        if let Some(id) = run_id {
            builder = builder.with_run_id(id);
        }
        if !policy.z_order.is_empty() {
            builder = builder.with_z_order(policy.z_order.clone());
        }
        Some(builder.await?)
    } else {
        None
    };
    let vacuum = match policy.vacuum_retention {
        Some(retention) => {
            let mut builder = VacuumBuilder::new(&location)?.with_retention(retention);
            if let Some(id) = run_id {
                builder = builder.with_run_id(id);
            }
            Some(builder.await?)
        }
        None => None,
    };
    Ok(MaintenanceReport {
        table: location.to_string(),
        optimize,
        vacuum,
    })
}
