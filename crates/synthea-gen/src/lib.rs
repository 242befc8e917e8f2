//! # synthea-gen
//!
//! A deterministic, seeded, multi-threaded generator of realistic Synthea-format CSV
//! exports at any scale, with optional dirty-data injection recorded in a manifest.
//!
//! * **Layouts**: the 18 files of a Synthea 3.3+ export ([`Layout::V3`], headers and dialect
//!   byte-for-byte those of the real `v3-2024-11p` sample) or the 16 files of a 2.x
//!   export ([`Layout::V2`]). No quoting, LF, empty field = null, timestamps
//!   `2019-02-17T05:07:38Z`, dates `1990-05-01`, codes and ZIPs as text (`"08"`, `"02155"`).
//! * **Realism**: age/sex/race/income demographics over Massachusetts cities; yearly
//!   wellness visits (vital signs, growth percentiles, metabolic, lipid, blood-count and
//!   hepatic panels, PRAPARE and scored screenings, the childhood and adolescent
//!   immunization schedules), acute, urgent-care and emergency visits; inpatient stays
//!   (≥ 1 day, right-skewed length of stay) with nested ICU stays, contiguous stays,
//!   transfers to another hospital and admissions through the emergency department at
//!   configurable rates, skilled nursing and hospice with their daily care; 30-day
//!   readmissions at a configurable rate over every index stay the hospital-wide
//!   measure counts (unplanned admissions, deliveries, joint replacements); medications
//!   without a condition as Synthea writes them (contraceptives, seasonal
//!   antihistamines, analgesics after injuries); claims and claims transactions
//!   consistent with encounters. About 0.6 MB of CSV per patient, as a complete 3.x
//!   export: the history window in full, and the ten years before it with yearly
//!   wellness visits and chronic follow-ups.
//! * **Disease modules as data**: 46 chronic modules (metabolic, cardiovascular,
//!   respiratory, kidney, mental health, musculoskeletal, neurological, allergy, four
//!   cancers, pregnancy) and about 40 acute episodes, each a table row with Synthea's
//!   SNOMED-CT, RxNorm and LOINC codes: onset by age and sex, a lifetime risk multiplied by
//!   risk factors (an adult BMI trajectory, smoking, family history, race, earlier
//!   diseases), the diagnosing encounter's class, procedures, labs, care plan and device,
//!   follow-up visits, chained treatment courses (chemotherapy cycles then radiation
//!   fractions, prenatal visits, delivery and the postnatal visit, lifelong dialysis
//!   from end-stage renal disease, a knee or hip replacement stay then physical
//!   therapy, allergen immunotherapy), medications that may start years after diagnosis
//!   (metformin, then insulin) renewed at follow-ups and wellness visits with refill
//!   gaps, remission (childhood asthma), later conditions (CKD stages, diabetic
//!   retinopathy) and lethality. Obesity follows the BMI the vitals show, so onsets can be
//!   learned from the features; prevalence by age band is close to published US figures.
//! * **Deaths**: deaths from other causes by age, plus deaths caused by lethal modules
//!   (the death certification encounter, dated after `DEATHDATE`, carries the cause as its
//!   reason and a cause-of-death observation).
//! * **Determinism**: every patient has its own random stream derived from
//!   `(seed, patient index)`; workers serialize chunks of patients and one writer appends
//!   them in patient order, so the bytes do not depend on the thread count.
//! * **Dirty mode**: [`GeneratorConfig::dirty_rate`] corrupts that fraction of rows with one
//!   of the [`DefectKind`]s and writes [`MANIFEST_FILE`].
//!
//! ## Quickstart
//!
//! ```
//! use synthea_gen::{GeneratorConfig, Layout, TableKind, generate};
//!
//! let dir = tempfile::tempdir()?;
//! let config = GeneratorConfig { patients: 5, seed: 7, threads: 1, ..GeneratorConfig::default() };
//! let report = generate(&config, dir.path(), |_progress| {})?;
//! assert_eq!(report.patients, 5);
//! for table in Layout::V3.tables() {
//!     assert!(dir.path().join(table.file_name()).exists());
//! }
//! assert_eq!(report.rows(TableKind::Patients), 5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod config;
mod dirty;
pub mod ehr_json;
mod error;
mod manifest;
mod parallel;
mod patient;
#[cfg(test)]
mod population;
mod reference;
mod rng;
mod shared;
mod stats;
mod tables;
mod time;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};

pub use config::{GeneratorConfig, Layout};
pub use error::{Error, Result};
pub use manifest::{
    DefectEntry, DefectKind, DirtyManifest, FileDefects, KindDefects, MANIFEST_FILE,
};
pub use synthea_schema::TableKind;
pub use tables::{Column, ColumnKind, is_per_patient};

use crate::dirty::DirtyState;
use crate::patient::Ctx;
use crate::reference::organizations::Reference;
use crate::stats::Stats;
use crate::writer::{Chunk, OutputFiles};

/// Progress of a running generation, reported after each written chunk.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Patients written so far.
    pub patients_done: u64,
    /// Patients to write.
    pub patients_total: u64,
    /// CSV bytes written so far.
    pub bytes_written: u64,
    /// Seconds since the start.
    pub elapsed_secs: f64,
}

/// Rows and bytes of one written file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileReport {
    /// The table.
    pub table: TableKind,
    /// Path of the file.
    pub path: PathBuf,
    /// Data rows (header excluded).
    pub rows: u64,
    /// Bytes including the header line.
    pub bytes: u64,
}

/// Summary of a finished generation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenerationReport {
    /// Output directory.
    pub out_dir: PathBuf,
    /// Layout written.
    pub layout: Layout,
    /// Patients written.
    pub patients: u64,
    /// One entry per file of the layout, in file-name order.
    pub files: Vec<FileReport>,
    /// Total CSV bytes.
    pub total_bytes: u64,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
    /// Worker threads used.
    pub threads: usize,
    /// Path of the dirty-data manifest (dirty mode only).
    pub dirty_manifest: Option<PathBuf>,
    /// Number of injected defects (0 when clean).
    pub defects: u64,
}

impl GenerationReport {
    /// Data rows written to `table`'s file (0 when the layout has no such file).
    pub fn rows(&self, table: TableKind) -> u64 {
        self.files
            .iter()
            .find(|f| f.table == table)
            .map_or(0, |f| f.rows)
    }

    /// Throughput in MB (10^6 bytes) per second.
    pub fn mb_per_sec(&self) -> f64 {
        if self.seconds > 0.0 {
            self.total_bytes as f64 / 1e6 / self.seconds
        } else {
            0.0
        }
    }
}

/// Generate a complete export of `config` into `out_dir` (created if missing; existing
/// files of the export are overwritten). `progress` is called after every chunk.
///
/// # Errors
/// [`Error::InvalidConfig`] for out-of-range settings, [`Error::Io`] when a file cannot be
/// written, [`Error::Manifest`] when the manifest cannot be serialized,
/// [`Error::WorkerPanicked`] on an internal bug.
pub fn generate(
    config: &GeneratorConfig,
    out_dir: impl AsRef<Path>,
    mut progress: impl FnMut(Progress),
) -> Result<GenerationReport> {
    config.validate()?;
    let started = Instant::now();
    let out_dir = out_dir.as_ref().to_path_buf();
    std::fs::create_dir_all(&out_dir).map_err(|source| Error::Io {
        path: out_dir.clone(),
        source,
    })?;
    let reference = Reference::build(config.seed);
    let end_day = time::from_naive_date(config.end_date) / time::DAY;
    let ctx = context(config, &reference);
    let mut files = OutputFiles::create(&out_dir, config.layout)?;
    let threads = config.effective_threads().max(1);
    let chunk_size = config.chunk_size as u64;
    let n_chunks = config.patients.div_ceil(chunk_size);
    let mut manifest = config
        .dirty_rate
        .map(|r| DirtyManifest::new(config.seed, r, config.layout, config.end_date));
    let mut totals = Stats::new(reference.orgs.len(), reference.providers.len());

    // Buffers of written chunks, reused by the workers (no page faults on fresh memory).
    let spare: Mutex<Vec<Vec<Vec<u8>>>> = Mutex::new(Vec::new());
    let make_chunk = |c: u64| -> Chunk {
        let first = c * chunk_size;
        let last = (first + chunk_size).min(config.patients);
        let dirty = config
            .dirty_rate
            .map(|r| DirtyState::new(config.seed, r, end_day));
        let bufs = spare
            .lock()
            .map(|mut s| s.pop().unwrap_or_default())
            .unwrap_or_default();
        let mut chunk = Chunk::with_buffers(
            config.layout,
            dirty,
            Stats::new(reference.orgs.len(), reference.providers.len()),
            bufs,
        );
        for i in first..last {
            patient::generate(&ctx, i, &mut chunk);
        }
        chunk
    };

    let mut done_patients = 0u64;
    parallel::chunks_in_order(threads, n_chunks, &make_chunk, |chunk| {
        done_patients += chunk.patients;
        if let Some(m) = manifest.as_mut() {
            record_defects(m, &chunk, &files);
        }
        for t in TableKind::ALL {
            files.append(t, &chunk.bufs[t.index()], chunk.rows[t.index()])?;
        }
        totals.merge(&chunk.stats);
        if let Ok(mut s) = spare.lock() {
            s.push(chunk.bufs);
        }
        progress(Progress {
            patients_done: done_patients,
            patients_total: config.patients,
            bytes_written: files.bytes.iter().sum(),
            elapsed_secs: started.elapsed().as_secs_f64(),
        });
        Ok(())
    })?;

    shared::write_shared(&reference, &totals, config.layout, &mut files)?;
    let bytes = files.bytes;
    let rows = files.rows;
    files.finish()?;

    let (dirty_manifest, defects) = match manifest {
        Some(m) => (Some(write_manifest(&m, &out_dir)?), m.total),
        None => (None, 0),
    };
    let file_reports = file_reports(config.layout, &out_dir, &rows, &bytes);
    Ok(GenerationReport {
        out_dir,
        layout: config.layout,
        patients: done_patients,
        total_bytes: file_reports.iter().map(|f| f.bytes).sum(),
        files: file_reports,
        seconds: started.elapsed().as_secs_f64(),
        threads,
        dirty_manifest,
        defects,
    })
}

/// The run-wide context of `config` over `reference`.
fn context<'a>(config: &GeneratorConfig, reference: &'a Reference) -> Ctx<'a> {
    let end_day = time::from_naive_date(config.end_date) / time::DAY;
    Ctx {
        seed: config.seed,
        layout: config.layout,
        reference,
        window_start: time::from_naive_date(config.start_date),
        end: (end_day + 1) * time::DAY - 1,
        readmission_rate: config.readmission_rate,
        transfer_rate: config.transfer_rate,
        er_admission_rate: config.er_admission_rate,
    }
}

/// One report per file of `layout`, from the per-table row and byte counts.
fn file_reports(layout: Layout, out_dir: &Path, rows: &[u64], bytes: &[u64]) -> Vec<FileReport> {
    layout
        .tables()
        .map(|t| FileReport {
            table: t,
            path: out_dir.join(t.file_name()),
            rows: rows[t.index()],
            bytes: bytes[t.index()],
        })
        .collect()
}

/// Adds the defects injected into `chunk` to the manifest, with their row numbers in the
/// files (the chunk is appended after the rows `files` already holds).
fn record_defects(manifest: &mut DirtyManifest, chunk: &Chunk, files: &OutputFiles) {
    let Some(dirty) = chunk.dirty.as_ref() else {
        return;
    };
    for rec in &dirty.records {
        let row = files.rows[rec.table.index()] + rec.local_row + 1;
        manifest.add(
            rec.kind,
            &rec.table.file_name(),
            DefectEntry {
                row,
                column: rec.column.map(str::to_string),
                id: rec.id.clone(),
            },
        );
    }
}

/// Writes the manifest as [`MANIFEST_FILE`] in `out_dir`; returns its path.
fn write_manifest(manifest: &DirtyManifest, out_dir: &Path) -> Result<PathBuf> {
    let path = out_dir.join(MANIFEST_FILE);
    let json = serde_json::to_vec_pretty(manifest)?;
    std::fs::write(&path, json).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}
