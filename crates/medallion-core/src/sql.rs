//! SQL over a whole lakehouse: every Delta table under its layer as a schema, queried
//! with DataFusion.
//!
//! [`SqlSessionBuilder`] finds the Delta tables of a lakehouse root and registers each
//! one read-only in a DataFusion session:
//!
//! | table folder | SQL name |
//! |---|---|
//! | `<root>/bronze/encounters` | `bronze.encounters` |
//! | `<root>/silver/patients` | `silver.patients` |
//! | `<root>/gold/readmission_rates` | `gold.readmission_rates` |
//! | `<root>/_runs` (a table directly under the root) | `_runs` (schema `public`, the default) |
//!
//! Any folder directly under the root that holds Delta tables becomes a schema, so a
//! lakehouse with other layers (`staging/…`) works too; folders without a `_delta_log`
//! (`_landing`, `_lock`) are ignored. Identifiers are case-sensitive (delta-rs' session
//! defaults); `SHOW TABLES` and `information_schema.columns` list what exists.
//!
//! ## Time travel
//!
//! - For the whole session: [`SqlSessionBuilder::with_as_of_timestamp`] registers every
//!   table as it was at that instant (tables created later are left out and listed by
//!   [`SqlSession::skipped_tables`]); [`SqlSessionBuilder::with_table_version`] pins one
//!   table to a version.
//! - In a query: `FROM gold.readmission_rates VERSION AS OF 3` or
//!   `FROM silver.patients TIMESTAMP AS OF '2024-04-15T10:00:00Z'` (Databricks syntax).
//!   A query that uses it is parsed with the Databricks dialect, so in that query quote
//!   identifiers with backticks; the version must be a number and the timestamp a
//!   string literal (RFC 3339, `YYYY-MM-DD HH:MM:SS` in UTC, or `YYYY-MM-DD`).
//!
//! ## Errors
//!
//! A query naming a table that does not exist fails with [`Error::SqlTableNotFound`],
//! which lists the registered tables; an unknown column fails with
//! [`Error::SqlColumnNotFound`], which lists the columns in scope. Statements that
//! would change data (`INSERT`, `CREATE TABLE`, …) are refused: the session is
//! read-only. Execution errors can quote data values (a failed cast); their quoted
//! text is redacted.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use medallion_core::WriteBuilder;
//! use medallion_core::sql::SqlSessionBuilder;
//! use polars::prelude::*;
//!
//! let lake = tempfile::tempdir()?;
//! let rates = df!("month" => ["2024-01", "2024-02"], "rate" => [0.10, 0.12])?;
//! WriteBuilder::new(lake.path().join("gold/readmission_rates"), rates.lazy())?.await?;
//!
//! let session = SqlSessionBuilder::new(lake.path()).await?;
//! let result = session
//!     .query("SELECT month FROM gold.readmission_rates WHERE rate > 0.11")
//!     .await?;
//! assert_eq!(result.rows(), 1);
//!
//! let unknown = session.query("SELECT * FROM gold.readmissions").await.unwrap_err();
//! assert!(unknown.to_string().contains("gold.readmission_rates"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

mod catalog;
mod errors;
mod output;
mod time_travel;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use chrono::{DateTime, Utc};
use deltalake::datafusion::catalog::MemorySchemaProvider;
use deltalake::datafusion::common::TableReference;
use deltalake::datafusion::execution::context::{SQLOptions, SessionConfig, SessionContext};
use deltalake::delta_datafusion::DeltaSessionConfig;
use polars::prelude::DataFrame;

use crate::error::{Error, Result};

pub use catalog::TableEntry;
pub use output::OutputFormat;
pub use time_travel::parse_timestamp;

/// The DataFusion catalog every table is registered in.
const CATALOG: &str = "datafusion";
/// The schema of tables that sit directly under the lakehouse root (e.g. `_runs`); it is
/// DataFusion's default schema, so they are reachable without a qualifier.
pub const ROOT_SCHEMA: &str = "public";
/// The hidden schema that holds the table versions a query's `VERSION AS OF` /
/// `TIMESTAMP AS OF` asked for.
const TIME_TRAVEL_SCHEMA: &str = "_time_travel";

/// Opens a lakehouse for SQL; run it with `.await` to get a [`SqlSession`].
///
/// See the [module documentation](self) for the naming and time-travel rules.
#[must_use = "a SqlSessionBuilder does nothing until awaited"]
pub struct SqlSessionBuilder {
    root: PathBuf,
    versions: BTreeMap<String, u64>,
    timestamp: Option<DateTime<Utc>>,
}

impl SqlSessionBuilder {
    /// A session over every Delta table under `root` (a local lakehouse folder), latest
    /// versions by default.
    pub fn new(root: impl AsRef<Path>) -> Self {
        Self {
            root: root.as_ref().to_path_buf(),
            versions: BTreeMap::new(),
            timestamp: None,
        }
    }

    /// Registers `table` (its SQL name, e.g. `gold.readmission_rates`, or `_runs`) at
    /// `version` instead of its latest version. Takes precedence over
    /// [`with_as_of_timestamp`](Self::with_as_of_timestamp) for that table. Default: none.
    pub fn with_table_version(mut self, table: impl Into<String>, version: u64) -> Self {
        self.versions.insert(table.into(), version);
        self
    }

    /// Registers every table as of `timestamp`: its latest version committed at or
    /// before it. Tables created after `timestamp` are left out. Default: latest.
    pub fn with_as_of_timestamp(mut self, timestamp: DateTime<Utc>) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    #[tracing::instrument(name = "medallion.sql_session", level = "debug", skip_all, fields(root = %self.root.display()))]
    async fn execute(self) -> Result<SqlSession> {
        let found = catalog::discover(&self.root)?;
        ensure_pinned_tables_exist(&self.versions, &found)?;
        let ctx = new_context();
        let mut tables = Vec::with_capacity(found.len());
        let mut skipped = Vec::new();
        for location in found {
            let pin = catalog::Pin::for_table(&location.sql_name(), &self.versions, self.timestamp);
            match catalog::open(&location, pin).await? {
                Some(table) => {
                    let entry = catalog::register(&ctx, &location, &table).await?;
                    tables.push(entry);
                }
                None => skipped.push(location.sql_name()),
            }
        }
        tracing::info!(
            operation = "sql_session",
            tables = tables.len(),
            skipped = skipped.len(),
            "lakehouse registered"
        );
        Ok(SqlSession {
            root: self.root,
            ctx,
            tables,
            skipped,
        })
    }
}

awaitable_builder!(SqlSessionBuilder => SqlSession);

/// A DataFusion session over a lakehouse's Delta tables (see [`SqlSessionBuilder`]).
pub struct SqlSession {
    root: PathBuf,
    ctx: SessionContext,
    tables: Vec<TableEntry>,
    skipped: Vec<String>,
}

impl std::fmt::Debug for SqlSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlSession")
            .field("root", &self.root)
            .field("tables", &self.tables.len())
            .field("skipped", &self.skipped)
            .finish()
    }
}

impl SqlSession {
    /// The registered tables, sorted by SQL name.
    pub fn tables(&self) -> &[TableEntry] {
        &self.tables
    }

    /// Tables found on disk but not registered because they did not exist yet at the
    /// session's as-of timestamp.
    pub fn skipped_tables(&self) -> &[String] {
        &self.skipped
    }

    /// The DataFusion context, for callers who need more than [`query`](Self::query)
    /// (user-defined functions, `DataFrame` APIs). Writing through it is not refused.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// Runs one read-only SQL statement and collects its result.
    ///
    /// # Errors
    /// [`Error::SqlTableNotFound`] / [`Error::SqlColumnNotFound`] (listing what exists),
    /// [`Error::VersionNotFound`] for a time-travel target that does not exist,
    /// [`Error::Sql`] for any other parse, planning or execution error.
    #[tracing::instrument(name = "medallion.sql", level = "debug", skip_all)]
    pub async fn query(&self, sql: &str) -> Result<QueryResult> {
        let started = std::time::Instant::now();
        let options = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(true);
        let frame = if time_travel::mentions_time_travel(sql) {
            let plan = time_travel::plan(&self.ctx, sql, &self.tables).await?;
            options
                .verify_plan(&plan)
                .map_err(|e| errors::map(e, &self.tables))?;
            self.ctx.execute_logical_plan(plan).await
        } else {
            self.ctx.sql_with_options(sql, options).await
        }
        .map_err(|e| errors::map(e, &self.tables))?;
        let schema: SchemaRef = Arc::new(frame.schema().as_arrow().clone());
        let batches = frame
            .collect()
            .await
            .map_err(|e| errors::map(e, &self.tables))?;
        let result = QueryResult { schema, batches };
        tracing::info!(
            operation = "sql",
            rows = result.rows(),
            duration_ms = started.elapsed().as_millis() as u64,
            "query done"
        );
        Ok(result)
    }
}

/// A collected query result: Arrow record batches and their schema.
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// The result's schema (also for an empty result).
    pub schema: SchemaRef,
    /// The result rows.
    pub batches: Vec<RecordBatch>,
}

impl QueryResult {
    /// Number of result rows.
    pub fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// The result as a Polars [`DataFrame`] (through [`crate::bridge`]).
    ///
    /// # Errors
    /// [`Error::UnsupportedBridgeType`] for a column type Polars cannot hold.
    pub fn to_polars(&self) -> Result<DataFrame> {
        crate::bridge::record_batches_to_dataframe(&self.batches, &self.schema)
    }

    /// Writes the result to `out` in `format` (see [`OutputFormat`]).
    ///
    /// # Errors
    /// [`Error::Io`] when `out` fails, [`Error::Arrow`] / [`Error::Sql`] when encoding fails.
    pub fn write(&self, format: OutputFormat, out: impl std::io::Write + Send) -> Result<()> {
        output::write(self, format, out)
    }
}

/// A DataFusion context with delta-rs' session defaults (case-sensitive identifiers),
/// `information_schema` on, and a schema for the query's time-travel versions.
fn new_context() -> SessionContext {
    let config: SessionConfig = DeltaSessionConfig::default().into();
    let config = config
        .with_information_schema(true)
        .with_default_catalog_and_schema(CATALOG, ROOT_SCHEMA);
    let ctx = SessionContext::new_with_config(config);
    if let Some(catalog) = ctx.catalog(CATALOG) {
        // Registering a schema in the in-memory catalog cannot fail.
        let _ = catalog.register_schema(TIME_TRAVEL_SCHEMA, Arc::new(MemorySchemaProvider::new()));
    }
    ctx
}

/// Every table pinned with [`SqlSessionBuilder::with_table_version`] must exist.
fn ensure_pinned_tables_exist(
    versions: &BTreeMap<String, u64>,
    found: &[catalog::TableLocationInLake],
) -> Result<()> {
    for table in versions.keys() {
        if !found.iter().any(|t| &t.sql_name() == table) {
            return Err(Error::SqlTableNotFound {
                table: table.clone(),
                available: found
                    .iter()
                    .map(catalog::TableLocationInLake::sql_name)
                    .collect(),
            });
        }
    }
    Ok(())
}

/// A table reference for `schema.table` in the session's catalog.
fn table_reference(schema: &str, table: &str) -> TableReference {
    TableReference::full(CATALOG, schema.to_string(), table.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{WriteBuilder, WriteMode};
    use polars::prelude::*;

    /// `gold/rates` with two versions (1 row, then 2) and `_runs` with one row.
    async fn lakehouse() -> tempfile::TempDir {
        let lake = tempfile::tempdir().unwrap();
        let rates = lake.path().join("gold/rates");
        let first = df!("month" => ["2024-01"], "rate" => [0.1]).unwrap();
        WriteBuilder::new(&rates, first.lazy())
            .unwrap()
            .await
            .unwrap();
        let second = df!("month" => ["2024-02"], "rate" => [0.2]).unwrap();
        WriteBuilder::new(&rates, second.lazy())
            .unwrap()
            .with_mode(WriteMode::Append)
            .await
            .unwrap();
        let runs = df!("run_id" => ["r1"]).unwrap();
        WriteBuilder::new(lake.path().join("_runs"), runs.lazy())
            .unwrap()
            .await
            .unwrap();
        std::fs::create_dir_all(lake.path().join("_landing/export")).unwrap();
        lake
    }

    async fn count(session: &SqlSession, sql: &str) -> usize {
        session.query(sql).await.unwrap().rows()
    }

    #[tokio::test]
    async fn tables_are_registered_under_their_layer_and_root_tables_unqualified() {
        let lake = lakehouse().await;
        let session = SqlSessionBuilder::new(lake.path()).await.unwrap();
        let names: Vec<String> = session.tables().iter().map(TableEntry::sql_name).collect();
        assert_eq!(names, ["_runs", "gold.rates"]);
        assert_eq!(count(&session, "SELECT * FROM gold.rates").await, 2);
        assert_eq!(count(&session, "SELECT * FROM _runs").await, 1);
    }

    #[tokio::test]
    async fn an_unknown_column_lists_the_columns_in_scope() {
        let lake = lakehouse().await;
        let session = SqlSessionBuilder::new(lake.path()).await.unwrap();
        let error = session
            .query("SELECT ratio FROM gold.rates")
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::SqlColumnNotFound { column, available }
                if column == "ratio" && available.iter().any(|c| c.ends_with("rate"))),
            "{error}"
        );
    }

    #[tokio::test]
    async fn an_unknown_table_lists_the_tables() {
        let lake = lakehouse().await;
        let session = SqlSessionBuilder::new(lake.path()).await.unwrap();
        let error = session.query("SELECT * FROM gold.rate").await.unwrap_err();
        assert!(
            matches!(&error, Error::SqlTableNotFound { table, available }
                if table == "gold.rate" && available.contains(&"gold.rates".to_string())),
            "{error}"
        );
    }

    #[tokio::test]
    async fn version_as_of_in_sql_reads_that_version() {
        let lake = lakehouse().await;
        let session = SqlSessionBuilder::new(lake.path()).await.unwrap();
        let sql = "SELECT v0.month FROM gold.rates VERSION AS OF 0 AS v0 \
                   JOIN gold.rates AS latest ON v0.month = latest.month";
        assert_eq!(count(&session, sql).await, 1);
        assert_eq!(
            count(&session, "SELECT * FROM gold.rates VERSION AS OF 1").await,
            2
        );
        let missing = session
            .query("SELECT * FROM gold.rates VERSION AS OF 9")
            .await;
        assert!(
            matches!(missing, Err(Error::VersionNotFound { .. })),
            "{missing:?}"
        );
    }

    #[tokio::test]
    async fn a_pinned_table_version_is_what_queries_see() {
        let lake = lakehouse().await;
        let session = SqlSessionBuilder::new(lake.path())
            .with_table_version("gold.rates", 0)
            .await
            .unwrap();
        assert_eq!(count(&session, "SELECT * FROM gold.rates").await, 1);
        let unknown = SqlSessionBuilder::new(lake.path())
            .with_table_version("gold.nope", 0)
            .await;
        assert!(matches!(unknown, Err(Error::SqlTableNotFound { .. })));
    }

    #[tokio::test]
    async fn tables_created_after_the_as_of_timestamp_are_left_out() {
        let lake = lakehouse().await;
        let before = Utc::now() - chrono::Duration::days(1);
        let session = SqlSessionBuilder::new(lake.path())
            .with_as_of_timestamp(before)
            .await
            .unwrap();
        assert!(session.tables().is_empty());
        assert_eq!(session.skipped_tables(), ["_runs", "gold.rates"]);
        let now = SqlSessionBuilder::new(lake.path())
            .with_as_of_timestamp(Utc::now())
            .await
            .unwrap();
        assert_eq!(count(&now, "SELECT * FROM gold.rates").await, 2);
    }

    #[tokio::test]
    async fn writes_are_refused() {
        let lake = lakehouse().await;
        let session = SqlSessionBuilder::new(lake.path()).await.unwrap();
        let error = session
            .query("CREATE TABLE gold.copy AS SELECT * FROM gold.rates")
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Sql { .. }), "{error}");
    }

    #[tokio::test]
    async fn every_output_format_writes_the_rows() {
        let lake = lakehouse().await;
        let session = SqlSessionBuilder::new(lake.path()).await.unwrap();
        let result = session
            .query("SELECT month, rate FROM gold.rates ORDER BY month")
            .await
            .unwrap();
        let text = |format| {
            let mut out = Vec::new();
            result.write(format, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(text(OutputFormat::Table).contains("| 2024-02 | 0.2  |"));
        assert_eq!(
            text(OutputFormat::Csv),
            "month,rate\n2024-01,0.1\n2024-02,0.2\n"
        );
        assert_eq!(
            text(OutputFormat::Json),
            "{\"month\":\"2024-01\",\"rate\":0.1}\n{\"month\":\"2024-02\",\"rate\":0.2}\n"
        );
        let mut parquet = Vec::new();
        result.write(OutputFormat::Parquet, &mut parquet).unwrap();
        let back = ParquetReader::new(std::io::Cursor::new(parquet))
            .finish()
            .unwrap();
        assert_eq!(back.height(), 2);
        assert_eq!(result.to_polars().unwrap().height(), 2);
    }
}
