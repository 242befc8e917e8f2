//! # synthea-gen
//!
//! A deterministic, seeded, multi-threaded generator of realistic Synthea-format CSV
//! exports at any scale, with optional dirty-data injection recorded in a manifest.
//!
//! * **Layouts**: the 18 files of a Synthea 3.3+ export ([`Layout::V3`], headers and dialect
//!   byte-for-byte those of the real `v3-2024-11p` sample) or the 16 files of a 2.x
//!   export ([`Layout::V2`]). No quoting, LF, empty field = null, timestamps
//!   `2019-02-17T05:07:38Z`, dates `1990-05-01`, codes and ZIPs as text (`"08"`, `"02155"`).
//! * **Realism**: age/sex/race/income demographics over Massachusetts cities; deaths
//!   with a death-certification encounter dated after `DEATHDATE`; yearly wellness visits,
//!   acute, urgent-care and emergency visits; inpatient stays (≥ 1 day, right-skewed length
//!   of stay) with nested ICU stays, contiguous stays, inter-hospital transfers and 30-day
//!   readmissions at a configurable rate; chronic diseases with co-morbidity, RxNorm
//!   prescriptions with refill gaps, labs and vitals that follow the diseases; claims and
//!   claims transactions consistent with encounters.
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
mod error;
mod manifest;
mod patient;
mod reference;
mod rng;
mod stats;
mod tables;
mod time;
mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, mpsc};
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
use crate::reference::payers::PAYERS;
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
    let ctx = Ctx {
        seed: config.seed,
        layout: config.layout,
        reference: &reference,
        window_start: time::from_naive_date(config.start_date),
        end: (end_day + 1) * time::DAY - 1,
        readmission_rate: config.readmission_rate,
    };
    let mut files = OutputFiles::create(&out_dir, config.layout)?;
    let threads = config.effective_threads().max(1);
    let chunk_size = config.chunk_size as u64;
    let n_chunks = config.patients.div_ceil(chunk_size);
    let mut manifest = config
        .dirty_rate
        .map(|r| DirtyManifest::new(config.seed, r, config.layout, config.end_date));
    let mut totals = Stats::new(reference.orgs.len(), reference.providers.len());

    let make_chunk = |c: u64| -> Chunk {
        let first = c * chunk_size;
        let last = (first + chunk_size).min(config.patients);
        let dirty = config
            .dirty_rate
            .map(|r| DirtyState::new(config.seed, r, end_day));
        let mut chunk = Chunk::new(
            config.layout,
            dirty,
            Stats::new(reference.orgs.len(), reference.providers.len()),
        );
        for i in first..last {
            patient::generate(&ctx, i, &mut chunk);
        }
        chunk
    };

    let mut write_chunk = |chunk: Chunk, files: &mut OutputFiles| -> Result<()> {
        if let (Some(m), Some(d)) = (manifest.as_mut(), chunk.dirty.as_ref()) {
            for rec in &d.records {
                let row = files.rows[rec.table.index()] + rec.local_row + 1;
                m.add(
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
        for t in TableKind::ALL {
            files.append(t, &chunk.bufs[t.index()], chunk.rows[t.index()])?;
        }
        totals.merge(&chunk.stats);
        Ok(())
    };

    let window = (threads * 4) as u64;
    let next = AtomicU64::new(0);
    let abort = AtomicBool::new(false);
    let gate = (Mutex::new(0u64), Condvar::new());
    let mut done_patients = 0u64;
    let result: Result<()> = std::thread::scope(|s| {
        let (tx, rx) = mpsc::sync_channel::<(u64, Chunk)>(threads * 2);
        let mut handles = Vec::with_capacity(threads);
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, abort, gate, make_chunk) = (&next, &abort, &gate, &make_chunk);
            handles.push(s.spawn(move || {
                loop {
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    if c >= n_chunks || abort.load(Ordering::Relaxed) {
                        break;
                    }
                    {
                        // Bounded look-ahead keeps memory flat in N.
                        let (lock, cv) = gate;
                        let mut written = lock.lock().unwrap_or_else(|e| e.into_inner());
                        while c >= *written + window && !abort.load(Ordering::Relaxed) {
                            written = cv.wait(written).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    if abort.load(Ordering::Relaxed) {
                        break;
                    }
                    let chunk = make_chunk(c);
                    if tx.send((c, chunk)).is_err() {
                        break;
                    }
                }
            }));
        }
        drop(tx);
        let mut pending: BTreeMap<u64, Chunk> = BTreeMap::new();
        let mut expected = 0u64;
        let mut outcome = Ok(());
        for (c, chunk) in rx.iter() {
            pending.insert(c, chunk);
            while let Some(chunk) = pending.remove(&expected) {
                done_patients += chunk.patients;
                if let Err(e) = write_chunk(chunk, &mut files) {
                    outcome = Err(e);
                    break;
                }
                expected += 1;
                let (lock, cv) = &gate;
                *lock.lock().unwrap_or_else(|e| e.into_inner()) = expected;
                cv.notify_all();
                progress(Progress {
                    patients_done: done_patients,
                    patients_total: config.patients,
                    bytes_written: files.bytes.iter().sum(),
                    elapsed_secs: started.elapsed().as_secs_f64(),
                });
            }
            if outcome.is_err() {
                abort.store(true, Ordering::Relaxed);
                gate.1.notify_all();
                break;
            }
        }
        drop(rx);
        let mut panicked = false;
        for h in handles {
            panicked |= h.join().is_err();
        }
        outcome?;
        if panicked || expected != n_chunks {
            return Err(Error::WorkerPanicked);
        }
        Ok(())
    });
    result?;

    write_shared(&reference, &totals, config.layout, &mut files)?;
    let bytes = files.bytes;
    let rows = files.rows;
    files.finish()?;

    let mut dirty_manifest = None;
    let mut defects = 0;
    if let Some(m) = manifest {
        let path = out_dir.join(MANIFEST_FILE);
        let json = serde_json::to_vec_pretty(&m)?;
        std::fs::write(&path, json).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        defects = m.total;
        dirty_manifest = Some(path);
    }
    let file_reports: Vec<FileReport> = config
        .layout
        .tables()
        .map(|t| FileReport {
            table: t,
            path: out_dir.join(t.file_name()),
            rows: rows[t.index()],
            bytes: bytes[t.index()],
        })
        .collect();
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

/// Write organizations, providers and payers with run-level aggregates. Only
/// organizations and providers that appear in an encounter are exported, as Synthea does.
fn write_shared(
    reference: &Reference,
    totals: &Stats,
    layout: Layout,
    files: &mut OutputFiles,
) -> Result<()> {
    let v3 = layout == Layout::V3;
    let mut chunk = Chunk::new(layout, None, Stats::default());
    for (i, o) in reference.orgs.iter().enumerate() {
        let util = totals.org_encounters[i];
        if util == 0 {
            continue;
        }
        let city = &reference::places::CITIES[o.city];
        chunk
            .row(TableKind::Organizations)
            .id(o.id)
            .s(&o.name)
            .s(&o.address)
            .s(city.name)
            .s(reference::places::STATE_CODE)
            .s(&o.zip)
            .float(o.lat)
            .float(o.lon)
            .s(&o.phone)
            .s("0.0")
            .int(util as i64)
            .end();
    }
    for (i, p) in reference.providers.iter().enumerate() {
        let enc = totals.provider_encounters[i];
        if enc == 0 {
            continue;
        }
        let o = &reference.orgs[p.org];
        let city = &reference::places::CITIES[o.city];
        let r = chunk
            .row(TableKind::Providers)
            .id(p.id)
            .id(o.id)
            .s(&p.name)
            .s(p.gender)
            .s("GENERAL PRACTICE")
            .s(&o.address)
            .s(city.name)
            .s(reference::places::STATE_CODE)
            .s(&o.zip)
            .float(o.lat)
            .float(o.lon);
        if v3 {
            r.int(enc as i64)
                .int(totals.provider_procedures[i] as i64)
                .end();
        } else {
            r.int(enc as i64).end();
        }
    }
    for (i, p) in PAYERS.iter().enumerate() {
        let s = &totals.payers[i];
        let mut r = chunk.row(TableKind::Payers).s(p.id).s(p.name);
        if v3 {
            r = r.s(p.ownership.as_str());
        }
        let qols = if s.qols_count > 0 {
            Some(s.qols_tenths as f64 / 10.0 / s.qols_count as f64)
        } else {
            None
        };
        r = r
            .nulls(5)
            .money(s.amount_covered)
            .money(s.amount_uncovered)
            .money(s.member_months as i64 * p.premium_cents)
            .int(s.covered_encounters as i64)
            .int(s.uncovered_encounters as i64)
            .int(s.covered_medications as i64)
            .int(s.uncovered_medications as i64)
            .int(s.covered_procedures as i64)
            .int(s.uncovered_procedures as i64)
            .int(s.covered_immunizations as i64)
            .int(s.uncovered_immunizations as i64)
            .int(s.unique_customers as i64);
        r = match qols {
            Some(q) => r.float(q),
            None => r.s("NaN"),
        };
        r.int(s.member_months as i64).end();
    }
    for t in [
        TableKind::Organizations,
        TableKind::Providers,
        TableKind::Payers,
    ] {
        files.append(t, &chunk.bufs[t.index()], chunk.rows[t.index()])?;
    }
    Ok(())
}
