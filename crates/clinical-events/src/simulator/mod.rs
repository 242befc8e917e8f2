//! A deterministic simulator of a hospital network's ADT feed, with dirty-data
//! scenarios recorded in a manifest.
//!
//! Seven hospitals × seven departments (by default) with bed capacities from
//! [`crate::network::Network`]; admissions arrive per department at a rate that aims at
//! [`SimulatorConfig::base_occupancy`], three times higher in the flu season (Dec–Feb)
//! and on weekend evenings; each admission takes a free bed (or is diverted when there
//! is none), stays a log-normal length of stay per department, and leaves by transfer
//! (to a department of the same hospital with a free bed) or discharge. The simulator
//! tracks who is admitted, so every `DISCHARGE` follows the `ADMISSION` of the same visit
//! and patient, and beds are never double-booked. The same seed gives byte-identical
//! output; the dirty scenarios use their own random stream, so the clean content does not
//! depend on them.
//!
//! ```
//! use clinical_events::simulator::{DefectKind, DirtyConfig, SimulatorConfig, simulate};
//!
//! let mut config = SimulatorConfig::new(500, 7);
//! config.dirty = DirtyConfig::uniform(0.07);
//! let out = simulate(&config)?;
//! assert_eq!(out.manifest.summary.events, 500);
//! let lines: usize = out.files.iter().map(|f| f.lines.len()).sum();
//! let duplicates = out.manifest.counts[&DefectKind::DuplicateEvent];
//! assert_eq!(lines as u64, 500 + duplicates);
//! assert_eq!(simulate(&config)?.files, out.files); // deterministic
//! # Ok::<(), clinical_events::Error>(())
//! ```

mod config;
mod dirty;
mod engine;

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use config::{LosProfile, SimulatorConfig, SurgeConfig, TransferProfile, Weighted};
pub use dirty::{DefectEntry, DefectKind, DefectRates, DirtyConfig};
pub use engine::SimulationSummary;

use crate::error::{Error, Result};
use dirty::Injector;

/// Landing files are named `<LANDING_FILE_STEM>_<nnnnn>.ndjson`.
pub const LANDING_FILE_STEM: &str = "adt_events";
/// File name of the manifest written next to the landing files.
pub const MANIFEST_FILE: &str = "_manifest.json";

/// What a simulation wrote: counts, the defects injected and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Seed of the run.
    pub seed: u64,
    /// Configured defect rates.
    pub rates: DefectRates,
    /// Landing lines written (events plus duplicate copies).
    pub lines: u64,
    /// Landing file names, in order.
    pub files: Vec<String>,
    /// What the clean simulation produced.
    pub summary: SimulationSummary,
    /// Defects per kind (every kind listed, zero included).
    pub counts: BTreeMap<DefectKind, u64>,
    /// Every defect, in line order.
    pub defects: Vec<DefectEntry>,
}

impl Manifest {
    fn new(config: &SimulatorConfig) -> Self {
        Self {
            seed: config.seed,
            rates: config.dirty.rates,
            lines: 0,
            files: Vec::new(),
            summary: SimulationSummary::default(),
            counts: DefectKind::ALL.into_iter().map(|k| (k, 0)).collect(),
            defects: Vec::new(),
        }
    }

    fn record(&mut self, entry: DefectEntry) {
        *self.counts.entry(entry.kind).or_insert(0) += 1;
        self.defects.push(entry);
    }

    /// Reads `_manifest.json` from a landing directory written by [`write_landing`].
    ///
    /// # Errors
    /// [`Error::Medallion`] (an I/O error) when the file cannot be read; [`Error::Json`] when it is not a
    /// manifest.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, "read", e))?;
        serde_json::from_str(&text).map_err(|source| Error::Json {
            context: format!("reading manifest '{}'", path.display()),
            source,
        })
    }
}

/// One landing file held in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandingFile {
    /// File name, e.g. `adt_events_00001.ndjson`.
    pub name: String,
    /// Its lines (one JSON object each, without newline).
    pub lines: Vec<String>,
}

/// A simulation held in memory (see [`simulate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Simulated {
    /// The landing files.
    pub files: Vec<LandingFile>,
    /// The manifest.
    pub manifest: Manifest,
}

/// Simulates `config.events` events in memory.
///
/// # Errors
/// [`Error::InvalidConfig`] for an invalid configuration.
pub fn simulate(config: &SimulatorConfig) -> Result<Simulated> {
    let mut files: Vec<LandingFile> = Vec::new();
    let manifest = generate(config, &mut |file, line| {
        if files.last().is_none_or(|f| f.name != file) {
            files.push(LandingFile {
                name: file.to_string(),
                lines: Vec::new(),
            });
        }
        if let Some(f) = files.last_mut() {
            f.lines.push(line.to_string());
        }
        Ok(())
    })?;
    Ok(Simulated { files, manifest })
}

/// Simulates `config.events` events into `dir` as NDJSON files of at most
/// [`SimulatorConfig::events_per_file`] lines, plus [`MANIFEST_FILE`]; streams, so memory
/// does not grow with the number of events beyond the simulator's state.
///
/// # Errors
/// [`Error::InvalidConfig`] for an invalid configuration; [`Error::Medallion`] (an
/// I/O error) when a file cannot be written.
pub fn write_landing(config: &SimulatorConfig, dir: &Path) -> Result<Manifest> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create landing directory", e))?;
    let mut current: Option<(String, BufWriter<std::fs::File>)> = None;
    let manifest = generate(config, &mut |file, line| {
        if current.as_ref().is_none_or(|(name, _)| name != file) {
            if let Some((name, mut writer)) = current.take() {
                writer
                    .flush()
                    .map_err(|e| Error::io(&dir.join(&name), "write landing file", e))?;
            }
            let path = dir.join(file);
            let created = std::fs::File::create(&path)
                .map_err(|e| Error::io(&path, "create landing file", e))?;
            current = Some((file.to_string(), BufWriter::new(created)));
        }
        if let Some((name, writer)) = current.as_mut() {
            writer
                .write_all(line.as_bytes())
                .and_then(|()| writer.write_all(b"\n"))
                .map_err(|e| Error::io(&dir.join(name.as_str()), "write landing file", e))?;
        }
        Ok(())
    })?;
    if let Some((name, mut writer)) = current.take() {
        writer
            .flush()
            .map_err(|e| Error::io(&dir.join(&name), "write landing file", e))?;
    }
    let path = dir.join(MANIFEST_FILE);
    let json = serde_json::to_vec_pretty(&manifest).map_err(|source| Error::Json {
        context: format!("writing manifest '{}'", path.display()),
        source,
    })?;
    std::fs::write(&path, json).map_err(|e| Error::io(&path, "write manifest", e))?;
    Ok(manifest)
}

/// Runs the simulation and the injector, handing every line to `sink(file, line)`.
fn generate(
    config: &SimulatorConfig,
    sink: &mut dyn FnMut(&str, &str) -> Result<()>,
) -> Result<Manifest> {
    config.validate()?;
    let mut manifest = Manifest::new(config);
    let mut injector = Injector::new(&config.dirty, config.seed);
    let mut file = String::new();
    let mut line_in_file = 0u64;
    let mut next_line = |manifest: &mut Manifest, file: &mut String| -> u64 {
        if file.is_empty() || line_in_file == config.events_per_file {
            *file = format!("{LANDING_FILE_STEM}_{:05}.ndjson", manifest.files.len() + 1);
            manifest.files.push(file.clone());
            line_in_file = 0;
        }
        line_in_file += 1;
        manifest.lines += 1;
        line_in_file
    };
    let summary = engine::run(config, &mut |mut event| {
        let injected = injector.corrupt(&mut event);
        let text = serde_json::to_string(&event).map_err(|source| Error::Json {
            context: format!("serializing event {}", event.event_id),
            source,
        })?;
        let line = next_line(&mut manifest, &mut file);
        sink(&file, &text)?;
        if let Some(injected) = injected {
            manifest.record(DefectEntry {
                kind: injected.kind,
                event_id: event.event_id.clone(),
                file: file.clone(),
                line,
                field: injected.field,
                expected: injected.expected,
            });
        }
        if injector.duplicate() {
            let line = next_line(&mut manifest, &mut file);
            sink(&file, &text)?;
            manifest.record(DefectEntry {
                kind: DefectKind::DuplicateEvent,
                event_id: event.event_id.clone(),
                file: file.clone(),
                line,
                field: None,
                expected: crate::silver::rules::DUPLICATE_EVENT.to_string(),
            });
        }
        Ok(())
    })?;
    manifest.summary = summary;
    Ok(manifest)
}

#[cfg(test)]
mod tests;
