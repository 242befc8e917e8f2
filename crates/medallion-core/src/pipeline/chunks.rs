//! Bounded-memory silver batches: split the pending bronze rows into chunks, and stage
//! each processed chunk (in memory for one chunk, as a local Parquet file otherwise).
//!
//! Chunks follow the bronze scan order — by `(_batch_id, _source_file)` in order of first
//! appearance, then by `_source_row` ranges — so the staged rows, concatenated, are the
//! rows of one unchunked batch in the same order: results do not depend on the chunk size.

use std::path::{Path, PathBuf};

use polars::prelude::*;

use medallion_model::hash::stable_hash;

use super::bronze::{BATCH_ID, SOURCE_FILE, SOURCE_ROW};
use crate::error::{Error, Result};

/// Default rows per silver chunk (see [`super::SilverBuilder::with_chunk_rows`]).
pub const DEFAULT_CHUNK_ROWS: usize = 500_000;

/// Position of a kept row in the whole batch (scratch column, never written).
pub(crate) const BATCH_ROW: &str = "__silver_batch_row";

/// Stable hash of a kept row's data columns (scratch column of keyless tables, never
/// written).
pub(crate) const ROW_HASH: &str = "__silver_row_hash";

/// The pending bronze rows and how to split them.
#[derive(Debug)]
pub(crate) struct ChunkPlan {
    /// Pending bronze rows.
    pub rows_read: u64,
    /// Greatest pending `_batch_id`, `None` when nothing is pending.
    pub last_batch: Option<i64>,
    /// One filter per chunk over the pending rows; `None` means all of them.
    pub chunks: Vec<Option<Expr>>,
}

/// Rows of one `(_batch_id, _source_file)` group of the pending bronze rows.
struct FileRows {
    batch: i64,
    file: String,
    rows: u64,
    first_row: i64,
    last_row: i64,
}

impl FileRows {
    fn whole(&self) -> Expr {
        col(BATCH_ID)
            .eq(lit(self.batch))
            .and(col(SOURCE_FILE).eq(lit(self.file.clone())))
    }

    fn range(&self, from: i64, to: i64) -> Expr {
        self.whole()
            .and(col(SOURCE_ROW).is_between(lit(from), lit(to), ClosedInterval::Both))
    }
}

/// Splits the pending `bronze` rows into chunks of at most `chunk_rows` rows.
///
/// Bronze tables without `_source_file`/`_source_row` (not written by
/// [`super::BronzeIngestBuilder`]) are processed as one chunk.
pub(crate) fn plan_chunks(
    mut bronze: LazyFrame,
    chunk_rows: usize,
    table: &str,
) -> Result<ChunkPlan> {
    const OP: &str = "silver chunk plan";
    let chunk_rows = chunk_rows.max(1) as u64;
    let schema = bronze
        .collect_schema()
        .map_err(|e| Error::polars(table, OP, e))?;
    let has_lineage = schema.contains(SOURCE_FILE) && schema.contains(SOURCE_ROW);
    let groups = if has_lineage {
        vec![col(BATCH_ID), col(SOURCE_FILE)]
    } else {
        vec![col(BATCH_ID)]
    };
    let mut aggregates = vec![len().cast(DataType::UInt64).alias("rows")];
    if has_lineage {
        aggregates.push(col(SOURCE_ROW).min().alias("first_row"));
        aggregates.push(col(SOURCE_ROW).max().alias("last_row"));
    }
    let files = bronze
        .group_by_stable(groups)
        .agg(aggregates)
        .collect()
        .map_err(|e| Error::polars(table, OP, e))?;
    let rows = files
        .column("rows")
        .and_then(|c| c.u64().cloned())
        .map_err(|e| Error::polars(table, OP, e))?;
    let rows_read: u64 = rows.sum().unwrap_or(0);
    let last_batch = files
        .column(BATCH_ID)
        .and_then(|c| c.i64().map(|ca| ca.max()))
        .map_err(|e| Error::polars(table, OP, e))?;
    if rows_read <= chunk_rows || !has_lineage {
        let chunks = if rows_read == 0 {
            Vec::new()
        } else {
            vec![None]
        };
        return Ok(ChunkPlan {
            rows_read,
            last_batch,
            chunks,
        });
    }
    let file_rows = file_groups(&files, table)?;
    Ok(ChunkPlan {
        rows_read,
        last_batch,
        chunks: split(&file_rows, chunk_rows)
            .into_iter()
            .map(Some)
            .collect(),
    })
}

fn file_groups(files: &DataFrame, table: &str) -> Result<Vec<FileRows>> {
    const OP: &str = "silver chunk plan";
    let polars = |e| Error::polars(table, OP, e);
    let batch = files
        .column(BATCH_ID)
        .and_then(|c| c.i64().cloned())
        .map_err(polars)?;
    let file = files
        .column(SOURCE_FILE)
        .and_then(|c| c.str().cloned())
        .map_err(polars)?;
    let rows = files
        .column("rows")
        .and_then(|c| c.u64().cloned())
        .map_err(polars)?;
    let first = files
        .column("first_row")
        .and_then(|c| c.i64().cloned())
        .map_err(polars)?;
    let last = files
        .column("last_row")
        .and_then(|c| c.i64().cloned())
        .map_err(polars)?;
    Ok((0..files.height())
        .map(|i| FileRows {
            batch: batch.get(i).unwrap_or_default(),
            file: file.get(i).unwrap_or_default().to_string(),
            rows: rows.get(i).unwrap_or_default(),
            first_row: first.get(i).unwrap_or_default(),
            last_row: last.get(i).unwrap_or_default(),
        })
        .collect())
}

/// Packs whole small files into chunks and cuts large files into `_source_row` ranges.
fn split(files: &[FileRows], chunk_rows: u64) -> Vec<Expr> {
    let mut chunks = Vec::new();
    let mut current: Vec<Expr> = Vec::new();
    let mut current_rows = 0u64;
    for file in files {
        if file.rows > chunk_rows {
            chunks.extend(current.drain(..).reduce(|a, b| a.or(b)));
            current_rows = 0;
            // Row numbers are 1..=n within a file, so a range of `chunk_rows` numbers
            // holds at most `chunk_rows` rows.
            let step = chunk_rows as i64;
            let mut from = file.first_row;
            while from <= file.last_row {
                let to = from.saturating_add(step - 1).min(file.last_row);
                chunks.push(file.range(from, to));
                from = to.saturating_add(1);
            }
            continue;
        }
        if current_rows + file.rows > chunk_rows {
            chunks.extend(current.drain(..).reduce(|a, b| a.or(b)));
            current_rows = 0;
        }
        current.push(file.whole());
        current_rows += file.rows;
    }
    chunks.extend(current.drain(..).reduce(|a, b| a.or(b)));
    chunks
}

/// The processed chunks of one batch, in batch order.
pub(crate) struct StagedRows {
    /// Present when chunks are spilled to local Parquet files.
    spill: Option<tempfile::TempDir>,
    frames: Vec<DataFrame>,
    files: Vec<PathBuf>,
    rows: u64,
    hash_rows: bool,
}

impl StagedRows {
    /// Staging for `chunks` chunks; more than one spills to a temporary directory under
    /// `staging_root`. With `hash_rows`, each row gets a hash of its data columns.
    pub(crate) fn new(chunks: usize, staging_root: &Path, hash_rows: bool) -> Result<Self> {
        let spill = if chunks > 1 {
            std::fs::create_dir_all(staging_root).map_err(|source| Error::Io {
                path: staging_root.display().to_string(),
                operation: "silver staging",
                source,
            })?;
            let dir = tempfile::Builder::new()
                .prefix("medallion-silver-")
                .tempdir_in(staging_root)
                .map_err(|source| Error::Io {
                    path: staging_root.display().to_string(),
                    operation: "silver staging",
                    source,
                })?;
            Some(dir)
        } else {
            None
        };
        Ok(Self {
            spill,
            frames: Vec::new(),
            files: Vec::new(),
            rows: 0,
            hash_rows,
        })
    }

    /// Rows staged so far.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// Stages the kept rows of the next chunk, numbering them after the previous ones.
    pub(crate) fn push(&mut self, kept: DataFrame, table: &str) -> Result<()> {
        const OP: &str = "silver staging";
        let height = kept.height() as u64;
        let offset = IdxSize::try_from(self.rows).map_err(|_| Error::InvalidConfiguration {
            table: table.to_string(),
            operation: OP,
            reason: format!(
                "a silver batch holds more than {} rows; ingest fewer files per run",
                IdxSize::MAX
            ),
        })?;
        let mut lf = kept.lazy().with_row_index(BATCH_ROW, Some(offset));
        if self.hash_rows {
            let schema = lf
                .collect_schema()
                .map_err(|e| Error::polars(table, OP, e))?;
            // The workspace's stable hash renders values as text, so categorical codes
            // (which depend on each chunk's dictionary) hash as their text. Nested and
            // binary columns have no text form: they are left out of the hash, which only
            // selects candidates — candidates are compared on every data column.
            let data: Vec<Expr> = data_columns(&mut lf, table)?
                .iter()
                .filter(|c| schema.get(c.as_str()).is_some_and(has_text_form))
                .map(|c| col(c.as_str()))
                .collect();
            let hash = stable_hash(data);
            lf = lf.with_column(hash.alias(ROW_HASH));
        }
        let mut frame = lf.collect().map_err(|e| Error::polars(table, OP, e))?;
        self.rows += height;
        match &self.spill {
            None => self.frames.push(frame),
            Some(dir) => {
                let path = dir
                    .path()
                    .join(format!("chunk-{:05}.parquet", self.files.len()));
                let file = std::fs::File::create(&path).map_err(|source| Error::Io {
                    path: path.display().to_string(),
                    operation: OP,
                    source,
                })?;
                ParquetWriter::new(file)
                    .with_compression(ParquetCompression::Lz4Raw)
                    .finish(&mut frame)
                    .map_err(|e| Error::polars(table, OP, e))?;
                self.files.push(path);
            }
        }
        Ok(())
    }

    /// All staged rows, in batch order, with [`BATCH_ROW`] (and [`ROW_HASH`]).
    pub(crate) fn lazy(&self, table: &str) -> Result<LazyFrame> {
        const OP: &str = "silver staging";
        let parts: Vec<LazyFrame> = if self.spill.is_some() {
            self.files
                .iter()
                .map(|path| {
                    LazyFrame::scan_parquet(
                        PlRefPath::new(path.display().to_string()),
                        ScanArgsParquet::default(),
                    )
                    .map_err(|e| Error::polars(table, OP, e))
                })
                .collect::<Result<_>>()?
        } else {
            self.frames.iter().map(|f| f.clone().lazy()).collect()
        };
        // Supertypes: a column that is all null in one chunk may be typed `Null` there.
        let args = UnionArgs {
            to_supertypes: true,
            ..Default::default()
        };
        concat(parts, args).map_err(|e| Error::polars(table, OP, e))
    }
}

/// Whether the stable hash can render values of `dtype` as text.
fn has_text_form(dtype: &DataType) -> bool {
    !dtype.is_nested() && !matches!(dtype, DataType::Binary | DataType::BinaryOffset)
}

/// The columns compared for exact duplicates: every column whose name does not start with
/// `_` (lineage, `_dq_flags` and other system columns).
pub(crate) fn data_columns(lf: &mut LazyFrame, table: &str) -> Result<Vec<String>> {
    let schema = lf
        .collect_schema()
        .map_err(|e| Error::polars(table, "silver", e))?;
    Ok(schema
        .iter_names()
        .filter(|n| !n.starts_with('_'))
        .map(|n| n.to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bronze(files: &[(&str, i64)]) -> LazyFrame {
        let mut file = Vec::new();
        let mut row = Vec::new();
        let mut value = Vec::new();
        for (name, n) in files {
            for r in 1..=*n {
                file.push(name.to_string());
                row.push(r);
                value.push(format!("{name}-{r}"));
            }
        }
        let batch = vec![1i64; file.len()];
        df!(BATCH_ID => batch, SOURCE_FILE => file, SOURCE_ROW => row, "v" => value)
            .unwrap()
            .lazy()
    }

    fn chunk_values(lf: &LazyFrame, plan: &ChunkPlan) -> Vec<Vec<String>> {
        plan.chunks
            .iter()
            .map(|filter| {
                let part = match filter {
                    Some(f) => lf.clone().filter(f.clone()),
                    None => lf.clone(),
                };
                let df = part.collect().unwrap();
                df.column("v")
                    .unwrap()
                    .str()
                    .unwrap()
                    .iter()
                    .map(|v| v.unwrap_or_default().to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_batch_within_the_limit_is_one_unfiltered_chunk() {
        let plan = plan_chunks(bronze(&[("a.csv", 3), ("b.csv", 2)]), 5, "t").unwrap();
        assert_eq!((plan.rows_read, plan.last_batch), (5, Some(1)));
        assert_eq!(plan.chunks.len(), 1);
        assert!(plan.chunks[0].is_none());
    }

    #[test]
    fn small_files_are_packed_and_large_files_cut_into_row_ranges() {
        let lf = bronze(&[("a.csv", 2), ("b.csv", 1), ("c.csv", 7), ("d.csv", 1)]);
        let plan = plan_chunks(lf.clone(), 3, "t").unwrap();
        let chunks = chunk_values(&lf, &plan);
        assert_eq!(
            chunks,
            vec![
                vec!["a.csv-1", "a.csv-2", "b.csv-1"],
                vec!["c.csv-1", "c.csv-2", "c.csv-3"],
                vec!["c.csv-4", "c.csv-5", "c.csv-6"],
                vec!["c.csv-7"],
                vec!["d.csv-1"],
            ]
        );
    }

    #[test]
    fn chunks_cover_every_row_once_in_scan_order() {
        let lf = bronze(&[("x.csv", 5), ("y.csv", 4), ("z.csv", 9)]);
        for chunk_rows in 1..=20 {
            let plan = plan_chunks(lf.clone(), chunk_rows, "t").unwrap();
            let all: Vec<String> = chunk_values(&lf, &plan).into_iter().flatten().collect();
            let expected: Vec<String> = chunk_values(
                &lf,
                &ChunkPlan {
                    rows_read: 0,
                    last_batch: None,
                    chunks: vec![None],
                },
            )
            .remove(0);
            assert_eq!(all, expected, "chunk_rows = {chunk_rows}");
            assert!(plan.chunks.len() as u64 >= plan.rows_read.div_ceil(chunk_rows as u64));
        }
    }

    #[test]
    fn an_empty_batch_has_no_chunk() {
        let plan = plan_chunks(bronze(&[]), 10, "t").unwrap();
        assert_eq!((plan.rows_read, plan.last_batch), (0, None));
        assert!(plan.chunks.is_empty());
    }

    #[test]
    fn spilled_chunks_read_back_in_order_with_batch_row_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let mut staged = StagedRows::new(2, dir.path(), true).unwrap();
        staged
            .push(df!("id" => ["a", "b"], "_x" => [1i64, 2]).unwrap(), "t")
            .unwrap();
        staged
            .push(df!("id" => ["a"], "_x" => [3i64]).unwrap(), "t")
            .unwrap();
        assert_eq!(staged.rows(), 3);
        let back = staged.lazy("t").unwrap().collect().unwrap();
        let rows: Vec<IdxSize> = back
            .column(BATCH_ROW)
            .unwrap()
            .idx()
            .unwrap()
            .into_no_null_iter()
            .collect();
        assert_eq!(rows, vec![0, 1, 2]);
        let hashes: Vec<i64> = back
            .column(ROW_HASH)
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        // `_x` is a system column: rows 0 and 2 have equal data columns.
        assert_eq!(hashes[0], hashes[2]);
        assert_ne!(hashes[0], hashes[1]);
    }
}
