//! Finding a lakehouse's Delta tables and registering them in DataFusion.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use deltalake::DeltaTable;
use deltalake::datafusion::catalog::MemorySchemaProvider;
use deltalake::datafusion::execution::context::SessionContext;

use super::{CATALOG, ROOT_SCHEMA, table_reference};
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::table::open_existing;

const OP: &str = "sql";

/// A registered table: its SQL name, folder, version and columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableEntry {
    /// The schema: the layer folder (`bronze`, `silver`, `gold`, …) or `public` for a
    /// table directly under the root.
    pub schema: String,
    /// The table name (its folder name).
    pub name: String,
    /// The table folder.
    pub path: PathBuf,
    /// The registered Delta version.
    pub version: u64,
    /// The table's columns, in order.
    pub columns: Vec<String>,
}

impl TableEntry {
    /// The name to use in SQL: `schema.name`, or just `name` for the root schema.
    pub fn sql_name(&self) -> String {
        sql_name(&self.schema, &self.name)
    }
}

/// `schema.name`, or `name` in the root schema.
pub(crate) fn sql_name(schema: &str, name: &str) -> String {
    if schema == ROOT_SCHEMA {
        name.to_string()
    } else {
        format!("{schema}.{name}")
    }
}

/// A Delta table folder found under the lakehouse root.
#[derive(Debug, Clone)]
pub(crate) struct TableLocationInLake {
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) path: PathBuf,
}

impl TableLocationInLake {
    pub(crate) fn sql_name(&self) -> String {
        sql_name(&self.schema, &self.name)
    }
}

/// The Delta tables at `<root>/<table>` and `<root>/<schema>/<table>`, sorted by name.
pub(crate) fn discover(root: &Path) -> Result<Vec<TableLocationInLake>> {
    if !root.is_dir() {
        return Err(Error::InvalidConfiguration {
            table: root.display().to_string(),
            operation: OP,
            reason: "the lakehouse root is not a directory".into(),
        });
    }
    let mut found = Vec::new();
    for dir in subdirectories(root)? {
        let name = file_name(&dir);
        if is_delta_table(&dir) {
            found.push(TableLocationInLake {
                schema: ROOT_SCHEMA.to_string(),
                name,
                path: dir,
            });
            continue;
        }
        for table in subdirectories(&dir)?
            .into_iter()
            .filter(|d| is_delta_table(d))
        {
            found.push(TableLocationInLake {
                schema: name.clone(),
                name: file_name(&table),
                path: table,
            });
        }
    }
    found.sort_by_key(TableLocationInLake::sql_name);
    Ok(found)
}

fn is_delta_table(dir: &Path) -> bool {
    dir.join("_delta_log").is_dir()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The directories directly under `dir`, sorted.
fn subdirectories(dir: &Path) -> Result<Vec<PathBuf>> {
    let io = |source| Error::Io {
        path: dir.display().to_string(),
        operation: OP,
        source,
    };
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// Which version of a table to register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pin {
    Latest,
    Version(u64),
    AsOf(DateTime<Utc>),
}

impl Pin {
    /// A table's pin: its own version if one is given, else the session timestamp.
    pub(crate) fn for_table(
        sql_name: &str,
        versions: &BTreeMap<String, u64>,
        timestamp: Option<DateTime<Utc>>,
    ) -> Self {
        match (versions.get(sql_name), timestamp) {
            (Some(&v), _) => Pin::Version(v),
            (None, Some(ts)) => Pin::AsOf(ts),
            (None, None) => Pin::Latest,
        }
    }
}

/// Opens the table at `pin`; `None` when it did not exist yet at an as-of timestamp.
pub(crate) async fn open(table: &TableLocationInLake, pin: Pin) -> Result<Option<DeltaTable>> {
    let location = TableLocation::from_path(&table.path)?;
    let mut delta = open_existing(&location, OP).await?;
    let not_found = |target: String, e: deltalake::DeltaTableError| Error::VersionNotFound {
        table: table.sql_name(),
        target,
        reason: e.to_string(),
    };
    match pin {
        Pin::Latest => {}
        Pin::Version(v) => delta
            .load_version(v)
            .await
            .map_err(|e| not_found(format!("version {v}"), e))?,
        Pin::AsOf(ts) => {
            if created_after(&table.path, ts) {
                return Ok(None);
            }
            delta
                .load_with_datetime(ts)
                .await
                .map_err(|e| not_found(ts.to_rfc3339(), e))?;
        }
    }
    Ok(Some(delta))
}

/// Whether the table's first commit is later than `ts`: the modification time of its
/// first commit file, which is what delta-rs' timestamp lookup uses as well. A table
/// whose first commit file was cleaned up existed long before.
fn created_after(table: &Path, ts: DateTime<Utc>) -> bool {
    std::fs::metadata(table.join("_delta_log").join(format!("{:020}.json", 0)))
        .and_then(|m| m.modified())
        .is_ok_and(|modified| DateTime::<Utc>::from(modified) > ts)
}

/// Registers `table` under its schema in `ctx` and describes it.
pub(crate) async fn register(
    ctx: &SessionContext,
    location: &TableLocationInLake,
    table: &DeltaTable,
) -> Result<TableEntry> {
    let sql = location.sql_name();
    ensure_schema(ctx, &location.schema);
    let provider = provider(ctx, table, &sql).await?;
    let columns = provider
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    ctx.register_table(table_reference(&location.schema, &location.name), provider)
        .map_err(|e| sql_error(&sql, "register", e))?;
    Ok(TableEntry {
        schema: location.schema.clone(),
        name: location.name.clone(),
        path: location.path.clone(),
        version: table.version().unwrap_or_default(),
        columns,
    })
}

/// DataFusion's table provider for the loaded snapshot of `table`.
pub(crate) async fn provider(
    ctx: &SessionContext,
    table: &DeltaTable,
    sql: &str,
) -> Result<Arc<dyn deltalake::datafusion::catalog::TableProvider>> {
    table
        .update_datafusion_session(&ctx.state())
        .map_err(|e| Error::delta(sql, OP, e))?;
    table
        .table_provider()
        .await
        .map_err(|e| sql_error(sql, "register", e))
}

/// Creates `schema` in the session's catalog if it is not there yet.
fn ensure_schema(ctx: &SessionContext, schema: &str) {
    if let Some(catalog) = ctx.catalog(CATALOG)
        && catalog.schema(schema).is_none()
    {
        // Registering a schema in the in-memory catalog cannot fail.
        let _ = catalog.register_schema(schema, Arc::new(MemorySchemaProvider::new()));
    }
}

fn sql_error(
    table: &str,
    stage: &'static str,
    e: deltalake::datafusion::error::DataFusionError,
) -> Error {
    Error::Sql {
        stage,
        reason: format!("{table}: {e}"),
    }
}
