//! A deterministic simulator of bedside monitors: one reading per admitted patient every
//! [`VitalsSimulatorConfig::interval_minutes`], with deterioration episodes and recorded
//! dirty data.
//!
//! Each patient has a stable baseline (pulse, respiratory rate, SpO2, systolic BP,
//! temperature) with reading-to-reading noise. A share of patients
//! ([`VitalsSimulatorConfig::deterioration_share`]) has one deterioration episode (a
//! sepsis-like course): over [`VitalsSimulatorConfig::episode_hours`] the pulse,
//! respiratory rate and temperature rise, SpO2 and blood pressure fall, the patient is
//! put on oxygen and may become confused, then recovers over the same time. The same
//! seed gives byte-identical output; dirty data uses its own random stream, so the clean
//! readings do not depend on it.
//!
//! Dirty data ([`VitalsDirtyConfig`], each a per-reading probability, recorded in
//! [`VitalsManifest::counts`]):
//!
//! | kind | what |
//! |---|---|
//! | `null_value` | one measurement sent as `null` |
//! | `impossible_value` | one measurement outside physiology (pulse 0 or 400, SpO2 140, 98.6 sent as °C, systolic 0) |
//! | `duplicate` | the reading is sent twice |
//! | `out_of_order` | the reading is sent 20–180 minutes after it was taken (after later readings) |
//! | `poison` | the message is not JSON |
//!
//! ```
//! use clinical_events::vitals::simulator::{VitalsSimulatorConfig, simulate_vitals};
//!
//! let config = VitalsSimulatorConfig::new(20, 6, 7);
//! let out = simulate_vitals(&config)?;
//! assert_eq!(out.manifest.readings, 20 * 6 * 60 / 15);
//! assert_eq!(simulate_vitals(&config)?.lines, out.lines); // deterministic
//! assert!(out.lines.windows(2).all(|w| w[0].sent_at <= w[1].sent_at));
//! # Ok::<(), clinical_events::Error>(())
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use det_rng::Rng;
use serde::{Deserialize, Serialize};

use super::VitalsReading;
use crate::error::{Error, Result};

/// Landing files are named `<VITALS_FILE_STEM>_<nnnnn>.ndjson`.
pub const VITALS_FILE_STEM: &str = "vitals";

/// Random streams (the `stream` of `det_rng::Rng::derive`).
const STREAM_PATIENT: u64 = 0x5649_5441_4c53_0001;
const STREAM_READING: u64 = 0x5649_5441_4c53_0002;
const STREAM_DIRTY: u64 = 0x5649_5441_4c53_0003;

/// Probabilities of each kind of dirty data, per reading.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VitalsDirtyConfig {
    /// One measurement sent as null. Default 0.02.
    pub null_value: f64,
    /// One measurement outside physiology. Default 0.01.
    pub impossible_value: f64,
    /// Sent twice. Default 0.01.
    pub duplicate: f64,
    /// Sent 20–180 minutes late. Default 0.02.
    pub out_of_order: f64,
    /// Not JSON. Default 0.0 (a landing file of poison would be quarantined by silver;
    /// the Kafka examples turn it on).
    pub poison: f64,
}

impl Default for VitalsDirtyConfig {
    fn default() -> Self {
        Self {
            null_value: 0.02,
            impossible_value: 0.01,
            duplicate: 0.01,
            out_of_order: 0.02,
            poison: 0.0,
        }
    }
}

impl VitalsDirtyConfig {
    /// No dirty data.
    pub fn clean() -> Self {
        Self {
            null_value: 0.0,
            impossible_value: 0.0,
            duplicate: 0.0,
            out_of_order: 0.0,
            poison: 0.0,
        }
    }

    fn entries(&self) -> [(&'static str, f64); 5] {
        [
            ("null_value", self.null_value),
            ("impossible_value", self.impossible_value),
            ("duplicate", self.duplicate),
            ("out_of_order", self.out_of_order),
            ("poison", self.poison),
        ]
    }
}

/// Settings of a simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VitalsSimulatorConfig {
    /// Admitted patients monitored.
    pub patients: u32,
    /// Hours simulated.
    pub hours: u32,
    /// Seed.
    pub seed: u64,
    /// Minutes between two readings of a monitor. Default 15.
    pub interval_minutes: u32,
    /// First reading time. Default 2024-01-01T00:00:00Z.
    pub start: DateTime<Utc>,
    /// Share of patients with a deterioration episode. Default 0.2.
    pub deterioration_share: f64,
    /// Hours from the onset of an episode to its worst (and from the worst to
    /// recovery). Default 4.
    pub episode_hours: u32,
    /// Dirty data. Default: [`VitalsDirtyConfig::default`].
    pub dirty: VitalsDirtyConfig,
}

impl VitalsSimulatorConfig {
    /// `patients` monitored for `hours`, seed `seed`, other settings at their defaults.
    pub fn new(patients: u32, hours: u32, seed: u64) -> Self {
        Self {
            patients,
            hours,
            seed,
            interval_minutes: 15,
            start: Utc
                .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            deterioration_share: 0.2,
            episode_hours: 4,
            dirty: VitalsDirtyConfig::default(),
        }
    }

    /// Checks ranges.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.interval_minutes == 0 {
            return Err(Error::config("interval_minutes", "must be at least 1"));
        }
        let share = ("deterioration_share", self.deterioration_share);
        for (name, p) in self.dirty.entries().into_iter().chain([share]) {
            if !(0.0..=1.0).contains(&p) {
                return Err(Error::config(name, "must be a probability in 0..=1"));
            }
        }
        Ok(())
    }

    fn readings_per_patient(&self) -> u64 {
        u64::from(self.hours) * 60 / u64::from(self.interval_minutes)
    }
}

/// One line as the monitors send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentLine {
    /// When it is sent (processing time): the reading time, or later when out of order.
    pub sent_at: DateTime<Utc>,
    /// Patient id (the Kafka message key).
    pub key: String,
    /// The JSON text (or not JSON, for `poison`).
    pub line: String,
}

/// What a simulation produced: counts and the dirty data injected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VitalsManifest {
    /// Seed.
    pub seed: u64,
    /// Readings taken (before duplicates).
    pub readings: u64,
    /// Lines sent (readings plus duplicate copies).
    pub lines: u64,
    /// Patients with a deterioration episode.
    pub deteriorating_patients: u64,
    /// Dirty data per kind (every kind listed, zero included).
    pub counts: BTreeMap<String, u64>,
}

/// A simulation held in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedVitals {
    /// The lines in send order (by `sent_at`, ties in reading order).
    pub lines: Vec<SentLine>,
    /// The manifest.
    pub manifest: VitalsManifest,
}

/// A patient's stable baseline and episode.
struct Patient {
    baseline: [f64; 5],
    /// Reading index of the onset of the episode.
    onset: Option<u64>,
}

fn patient(config: &VitalsSimulatorConfig, index: u64) -> Patient {
    let mut rng = Rng::derive(config.seed, STREAM_PATIENT, index);
    let baseline = [
        rng.normal(78.0, 8.0),
        rng.normal(15.0, 1.5),
        rng.normal(97.0, 1.0).min(99.5),
        rng.normal(125.0, 10.0),
        rng.normal(36.8, 0.25),
    ];
    let total = config.readings_per_patient();
    let onset = rng
        .chance(config.deterioration_share)
        .then(|| rng.below(total.max(1)));
    Patient { baseline, onset }
}

/// Severity of the episode at reading `k`, 0 (none) to 1 (worst).
fn severity(p: &Patient, k: u64, ramp: u64) -> f64 {
    let Some(onset) = p.onset else { return 0.0 };
    if k < onset || ramp == 0 {
        return 0.0;
    }
    let since = (k - onset) as f64 / ramp as f64;
    if since <= 1.0 {
        since
    } else {
        (2.0 - since).max(0.0)
    }
}

fn reading(config: &VitalsSimulatorConfig, index: u64, p: &Patient, k: u64) -> VitalsReading {
    let mut rng = Rng::derive(config.seed, STREAM_READING, index << 20 | k);
    let ramp = u64::from(config.episode_hours) * 60 / u64::from(config.interval_minutes);
    let s = severity(p, k, ramp);
    let [hr, rr, spo2, sbp, temp] = p.baseline;
    let at = config.start
        + Duration::minutes((k * u64::from(config.interval_minutes)) as i64)
        + Duration::seconds(rng.below(60) as i64);
    let confused = s > 0.8 && rng.chance(0.5);
    VitalsReading {
        reading_id: format!("VS-{}-{index:05}-{k:06}", config.seed),
        patient_id: format!("P-V-{}-{index:05}", config.seed),
        visit_id: format!("V-V-{}-{index:05}", config.seed),
        ward: ["Medical", "Surgical", "Respiratory", "Cardiology"][(index % 4) as usize]
            .to_string(),
        device_id: format!("MON-{}-{index:05}", config.seed),
        observed_at: at,
        heart_rate: Some((hr + 45.0 * s + rng.normal(0.0, 3.0)).round() as i32),
        respiratory_rate: Some((rr + 12.0 * s + rng.normal(0.0, 1.0)).round() as i32),
        spo2: Some((spo2 - 9.0 * s + rng.normal(0.0, 0.7)).round().min(100.0) as i32),
        bp_systolic: Some((sbp - 40.0 * s + rng.normal(0.0, 4.0)).round() as i32),
        temperature_c: Some(((temp + 2.2 * s + rng.normal(0.0, 0.1)) * 10.0).round() / 10.0),
        consciousness: Some(if confused { "C" } else { "A" }.to_string()),
        supplemental_o2: Some(s > 0.5),
    }
}

/// Applies one dirty-data kind to a reading; returns the kinds applied.
fn dirty(
    config: &VitalsSimulatorConfig,
    r: &mut VitalsReading,
    rng: &mut Rng,
) -> Vec<&'static str> {
    let d = config.dirty;
    let mut kinds = Vec::new();
    if rng.chance(d.null_value) {
        kinds.push("null_value");
        match rng.below(5) {
            0 => r.heart_rate = None,
            1 => r.respiratory_rate = None,
            2 => r.spo2 = None,
            3 => r.bp_systolic = None,
            _ => r.temperature_c = None,
        }
    }
    if rng.chance(d.impossible_value) {
        kinds.push("impossible_value");
        match rng.below(4) {
            0 => r.heart_rate = Some(if rng.chance(0.5) { 0 } else { 400 }),
            1 => r.spo2 = Some(140),
            2 => r.temperature_c = Some(98.6),
            _ => r.bp_systolic = Some(0),
        }
    }
    for (kind, p) in [
        ("duplicate", d.duplicate),
        ("out_of_order", d.out_of_order),
        ("poison", d.poison),
    ] {
        if rng.chance(p) {
            kinds.push(kind);
        }
    }
    kinds
}

/// Simulates the monitors in memory.
///
/// # Errors
/// [`Error::InvalidConfig`] for an invalid configuration; [`Error::Json`] if a reading
/// cannot be serialized.
pub fn simulate_vitals(config: &VitalsSimulatorConfig) -> Result<SimulatedVitals> {
    config.validate()?;
    let mut manifest = VitalsManifest {
        seed: config.seed,
        readings: 0,
        lines: 0,
        deteriorating_patients: 0,
        counts: config
            .dirty
            .entries()
            .iter()
            .map(|(k, _)| ((*k).to_string(), 0))
            .collect(),
    };
    let mut lines = Vec::new();
    for index in 0..u64::from(config.patients) {
        let p = patient(config, index);
        manifest.deteriorating_patients += u64::from(p.onset.is_some());
        for k in 0..config.readings_per_patient() {
            let mut r = reading(config, index, &p, k);
            let mut rng = Rng::derive(config.seed, STREAM_DIRTY, index << 20 | k);
            let kinds = dirty(config, &mut r, &mut rng);
            for kind in &kinds {
                *manifest.counts.entry((*kind).to_string()).or_default() += 1;
            }
            let delay = if kinds.contains(&"out_of_order") {
                Duration::minutes(20 + rng.below(160) as i64)
            } else {
                Duration::zero()
            };
            let text = if kinds.contains(&"poison") {
                format!("<monitor {} reading {k}: checksum error>", r.device_id)
            } else {
                serde_json::to_string(&r).map_err(|source| Error::Json {
                    context: "serializing a vitals reading".to_string(),
                    source,
                })?
            };
            let copies = if kinds.contains(&"duplicate") { 2 } else { 1 };
            for _ in 0..copies {
                lines.push(SentLine {
                    sent_at: r.observed_at + delay,
                    key: r.patient_id.clone(),
                    line: text.clone(),
                });
            }
            manifest.readings += 1;
        }
    }
    lines.sort_by_key(|l| l.sent_at);
    manifest.lines = lines.len() as u64;
    Ok(SimulatedVitals { lines, manifest })
}

/// Splits lines into micro-batches of `minutes` of send time (the first batch starts at
/// the first line); empty windows are skipped.
pub fn micro_batches(lines: &[SentLine], minutes: u32) -> Vec<&[SentLine]> {
    let Some(first) = lines.first() else {
        return Vec::new();
    };
    let width = i64::from(minutes.max(1)) * 60;
    let window = |l: &SentLine| (l.sent_at - first.sent_at).num_seconds() / width;
    lines.chunk_by(|a, b| window(a) == window(b)).collect()
}

/// Writes one micro-batch as `<dir>/vitals_<batch:05>.ndjson` (the landing folder of the
/// `--from-dir` mode); returns the path.
///
/// # Errors
/// [`Error::Medallion`] (an I/O error naming the file).
pub fn write_batch_file(dir: &Path, batch: u64, lines: &[SentLine]) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create landing directory", e))?;
    let path = dir.join(format!("{VITALS_FILE_STEM}_{batch:05}.ndjson"));
    let mut text = String::new();
    for l in lines {
        text.push_str(&l.line);
        text.push('\n');
    }
    let tmp = path.with_extension("ndjson.tmp");
    std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| Error::io(&path, "write landing file", e))?;
    Ok(path)
}
