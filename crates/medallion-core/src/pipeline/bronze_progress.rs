//! Per-file progress of a bronze run, counted as the batch streams into the table.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use polars::prelude::*;

use super::bronze::SOURCE_FILE;

/// Progress of a bronze run, reported once per ingested file, in file order (see
/// [`super::BronzeIngestBuilder::with_progress`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BronzeProgress {
    /// The file, relative to the landing root (its `_source_file` value).
    pub file: String,
    /// Files done (1-based).
    pub file_index: usize,
    /// Files in the batch.
    pub files: usize,
    /// Rows of this file streamed into the table's data files.
    pub rows: u64,
    /// Size of the file on disk, in bytes.
    pub bytes: u64,
}

/// Callback of [`super::BronzeIngestBuilder::with_progress`].
pub type BronzeProgressCallback = Arc<dyn Fn(&BronzeProgress) + Send + Sync>;

/// Counts the rows of each file as batches pass and reports a file once the batch
/// moves on to a later file (the files are concatenated in order and Polars keeps that
/// order), or when the run finishes.
pub(crate) struct FileProgress {
    /// `(relative path, bytes)` of each file, in batch order.
    files: Vec<(String, u64)>,
    index: HashMap<String, usize>,
    callback: BronzeProgressCallback,
    table: String,
    state: Mutex<Tally>,
}

#[derive(Default)]
struct Tally {
    rows: Vec<u64>,
    /// Files before this index have been reported.
    reported: usize,
}

impl FileProgress {
    pub(crate) fn new(
        files: Vec<(String, u64)>,
        callback: BronzeProgressCallback,
        table: &str,
    ) -> Self {
        let index = files
            .iter()
            .enumerate()
            .map(|(i, (file, _))| (file.clone(), i))
            .collect();
        let state = Mutex::new(Tally {
            rows: vec![0; files.len()],
            reported: 0,
        });
        Self {
            files,
            index,
            callback,
            table: table.to_string(),
            state,
        }
    }

    /// Counts the rows of `batch` per `_source_file`; reports the files it has left.
    pub(crate) fn observe(&self, batch: &DataFrame) {
        let Ok(files) = batch.column(SOURCE_FILE).and_then(|c| c.str().cloned()) else {
            return;
        };
        let Ok(mut tally) = self.state.lock() else {
            return;
        };
        let mut current: Option<(&str, usize)> = None;
        for file in files.iter().flatten() {
            let position = match current {
                Some((name, position)) if name == file => position,
                _ => match self.index.get(file) {
                    Some(&position) => {
                        current = Some((file, position));
                        position
                    }
                    None => continue,
                },
            };
            tally.rows[position] += 1;
            self.report_before(&mut tally, position);
        }
    }

    /// Reports every file not reported yet.
    pub(crate) fn finish(&self) {
        if let Ok(mut tally) = self.state.lock() {
            self.report_before(&mut tally, self.files.len());
        }
    }

    /// Reports the files before `position`: the batch has moved past them.
    fn report_before(&self, tally: &mut Tally, position: usize) {
        while tally.reported < position {
            let i = tally.reported;
            let (file, bytes) = &self.files[i];
            let progress = BronzeProgress {
                file: file.clone(),
                file_index: i + 1,
                files: self.files.len(),
                rows: tally.rows[i],
                bytes: *bytes,
            };
            tracing::debug!(
                table = %self.table,
                file = %progress.file,
                rows = progress.rows,
                bytes = progress.bytes,
                "landing file streamed"
            );
            (self.callback)(&progress);
            tally.reported += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn recorder() -> (BronzeProgressCallback, Arc<Mutex<Vec<BronzeProgress>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let callback: BronzeProgressCallback =
            Arc::new(move |p: &BronzeProgress| sink.lock().unwrap().push(p.clone()));
        (callback, seen)
    }

    #[test]
    fn each_file_is_reported_once_in_order_with_its_rows_and_bytes() {
        let (callback, seen) = recorder();
        let files = vec![
            ("a.csv".into(), 10),
            ("b.csv".into(), 20),
            ("c.csv".into(), 30),
        ];
        let progress = FileProgress::new(files, callback, "t");
        // A batch spanning a and b, then one of b only; c has no rows.
        progress.observe(&df!(SOURCE_FILE => ["a.csv", "a.csv", "b.csv"]).unwrap());
        assert_eq!(seen.lock().unwrap().len(), 1, "a is done once b starts");
        progress.observe(&df!(SOURCE_FILE => ["b.csv"]).unwrap());
        progress.finish();
        let seen = seen.lock().unwrap();
        let summary: Vec<(&str, usize, usize, u64, u64)> = seen
            .iter()
            .map(|p| (p.file.as_str(), p.file_index, p.files, p.rows, p.bytes))
            .collect();
        assert_eq!(
            summary,
            [
                ("a.csv", 1, 3, 2, 10),
                ("b.csv", 2, 3, 2, 20),
                ("c.csv", 3, 3, 0, 30)
            ]
        );
    }
}
