//! Table properties (`delta.*` settings and user keys such as `metric_version`).

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::table::open_existing;

/// Sets table properties on an existing table in one commit; run with `.await`.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{SetPropertiesBuilder, WriteBuilder, table_properties};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// WriteBuilder::new(dir.path(), df!("x" => [1i64])?.lazy())?.await?;
/// SetPropertiesBuilder::new(dir.path())?.with_property("metric_version", "2").await?;
/// assert_eq!(table_properties(dir.path()).await?["metric_version"], "2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a SetPropertiesBuilder does nothing until awaited"]
pub struct SetPropertiesBuilder {
    location: TableLocation,
    properties: HashMap<String, String>,
    commit_metadata: Vec<(String, serde_json::Value)>,
}

impl SetPropertiesBuilder {
    /// A property update of the table at `location`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(location: impl TryInto<TableLocation, Error = Error>) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            properties: HashMap::new(),
            commit_metadata: Vec::new(),
        })
    }

    /// Sets one property (added or replaced).
    pub fn with_property(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.insert(key.into(), value.into());
        self
    }

    commit_metadata_setters!();

    async fn execute(self) -> Result<Option<u64>> {
        const OP: &str = "set properties";
        let table_uri = self.location.to_string();
        let table = open_existing(&self.location, OP).await?;
        if self.properties.is_empty() {
            return Ok(table.version());
        }
        let before = table.version();
        let table = table
            .set_tbl_properties()
            .with_properties(self.properties)
            .with_raise_if_not_exists(false)
            .with_commit_properties(crate::table::commit_properties(self.commit_metadata, None))
            .await
            .map_err(|e| Error::delta(&table_uri, OP, e))?;
        crate::fault::record_commit(before, table.version());
        Ok(table.version())
    }
}

// Awaiting yields the new table version.
awaitable_builder!(SetPropertiesBuilder => Option<u64>);

/// The table's properties at its latest version.
///
/// # Errors
/// [`Error::TableNotFound`] when there is no table at `location`.
pub async fn table_properties(
    location: impl TryInto<TableLocation, Error = Error>,
) -> Result<HashMap<String, String>> {
    let location = location.try_into()?;
    let table = open_existing(&location, "read properties").await?;
    let state = table
        .snapshot()
        .map_err(|e| Error::delta(&location.to_string(), "read properties", e))?;
    Ok(state.metadata().configuration().clone())
}
