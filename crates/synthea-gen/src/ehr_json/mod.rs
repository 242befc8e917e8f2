//! EHR JSON change feeds from the synthetic population ([`generate_ehr_json`]).
//!
//! Many EHR integrations deliver JSON extracts and change feeds rather than CSV. This
//! module turns the generated population into six JSON entities — [`Entity::Patients`],
//! [`Entity::Encounters`], [`Entity::Diagnoses`], [`Entity::Procedures`],
//! [`Entity::LabResults`] (append-only) and [`Entity::Medications`] — delivered as an
//! **initial full extract** (batch 0) followed by [`EhrJsonConfig::batches`] **change
//! batches**, each in its own folder `batch-NNNN/` with one file per entity
//! (`<entity>-NNNN.ndjson`, or `<entity>-NNNN.json` holding a JSON array with one
//! record per line: `[{..},` … `{..}]`) and a
//! [`BatchManifest`] (`manifest-NNNN.json`) recording what the batch should do.
//!
//! Every record carries the change-feed fields [`OP`] (`insert`, `update`, `delete`),
//! [`CHANGE_SEQ`] (per key: 1 for the first version, +1 for every change) and
//! [`CHANGED_AT`] (when the change happened at the source, UTC). A delete is a
//! tombstone carrying the full last image of the record (as log-based CDC tools write
//! it), so partitioning fields such as an encounter's `start` are present.
//!
//! What the change batches contain (rates in [`EhrJsonConfig`]):
//!
//! * demographic changes of patients: a new address (street, city, ZIP), marital status
//!   or insurance plan — each change alters at least one tracked attribute;
//! * encounter corrections: encounters extracted still open (`stop` null, status
//!   `in-progress`) get their discharge filled in later (status `finished`); other
//!   encounters change status to `cancelled`;
//! * deletes: tombstones of encounters and diagnoses;
//! * medication changes: an active medication is stopped (`stopped`, with a stop time),
//!   a finished one is marked `cancelled`;
//! * late-arriving records: rows held back from the extract (old dates) arrive later;
//! * out-of-order updates: a patient changed twice in one batch has its newer version
//!   delivered in that batch and the older one in the next (or later in the same file
//!   for the last batch);
//! * exact re-deliveries: records of the previous batch delivered again unchanged;
//! * lab results in other units (glucose and cholesterol in mmol/L, hemoglobin in g/L);
//! * schema evolution: from batch [`EhrJsonConfig::new_field_batch`] on, patient records
//!   carry a new optional field [`NEW_PATIENT_FIELD`].
//!
//! The output is a pure function of the configuration: the same seed gives the same
//! bytes.
//!
//! ```
//! use synthea_gen::ehr_json::{EhrJsonConfig, Entity, generate_ehr_json};
//! use synthea_gen::GeneratorConfig;
//!
//! let dir = tempfile::tempdir()?;
//! let config = EhrJsonConfig {
//!     population: GeneratorConfig { patients: 3, seed: 7, threads: 1, ..GeneratorConfig::default() },
//!     ..EhrJsonConfig::default()
//! };
//! let report = generate_ehr_json(&config, dir.path())?;
//! assert_eq!(report.manifests.len(), 4); // the extract and three change batches
//! assert_eq!(report.manifests[0].entity(Entity::Patients).inserts, 3);
//! assert!(dir.path().join("batch-0000/patients-0000.ndjson").exists());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod feed;
mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::{GeneratorConfig, Layout};
use crate::error::{Error, Result};

/// Operation field of every record: `insert`, `update` or `delete`.
pub const OP: &str = "op";
/// Change sequence field: per key, 1 for the first version, +1 for each change.
pub const CHANGE_SEQ: &str = "change_seq";
/// When the change happened at the source (`YYYY-MM-DDTHH:MM:SSZ`).
pub const CHANGED_AT: &str = "changed_at";
/// The optional patient field that appears from [`EhrJsonConfig::new_field_batch`] on.
pub const NEW_PATIENT_FIELD: &str = "preferred_language";
/// The patient attributes a demographic change alters (tracked by SCD2).
pub const PATIENT_TRACKED_FIELDS: [&str; 6] = [
    "address",
    "city",
    "zip",
    "state",
    "marital_status",
    "insurance",
];

/// The six JSON entities of the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entity {
    /// Patients (key `patient_id`).
    Patients,
    /// Encounters (key `encounter_id`).
    Encounters,
    /// Diagnoses (key `diagnosis_id`).
    Diagnoses,
    /// Procedures (key `procedure_id`).
    Procedures,
    /// Lab results, append-only (key `lab_result_id`).
    LabResults,
    /// Medications (key `medication_id`).
    Medications,
}

impl Entity {
    /// All entities, in file order.
    pub const ALL: [Entity; 6] = [
        Entity::Patients,
        Entity::Encounters,
        Entity::Diagnoses,
        Entity::Procedures,
        Entity::LabResults,
        Entity::Medications,
    ];

    /// The entity's name, also the prefix of its files (e.g. `lab_results`).
    pub fn name(self) -> &'static str {
        match self {
            Entity::Patients => "patients",
            Entity::Encounters => "encounters",
            Entity::Diagnoses => "diagnoses",
            Entity::Procedures => "procedures",
            Entity::LabResults => "lab_results",
            Entity::Medications => "medications",
        }
    }

    /// The business-key field.
    pub fn key(self) -> &'static str {
        match self {
            Entity::Patients => "patient_id",
            Entity::Encounters => "encounter_id",
            Entity::Diagnoses => "diagnosis_id",
            Entity::Procedures => "procedure_id",
            Entity::LabResults => "lab_result_id",
            Entity::Medications => "medication_id",
        }
    }

    /// Position in [`Entity::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Settings of [`generate_ehr_json`]. Rates are per record (or per patient) and batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EhrJsonConfig {
    /// The population (its seed also drives every change). The layout is always 3.x.
    pub population: GeneratorConfig,
    /// Change batches after the initial extract. Default: 3.
    pub batches: u32,
    /// Patients with a demographic change per batch. Default: 0.1.
    pub demographic_change_rate: f64,
    /// Of the changed patients, those changed twice with the older version delivered
    /// after the newer one. Default: 0.25.
    pub out_of_order_rate: f64,
    /// Encounters extracted still open (discharge filled in by a later batch). Default: 0.02.
    pub open_encounter_rate: f64,
    /// Encounters whose status changes to `cancelled`, per batch. Default: 0.01.
    pub encounter_status_rate: f64,
    /// Encounters and diagnoses deleted (tombstones), per batch. Default: 0.01.
    pub delete_rate: f64,
    /// Medications stopped or cancelled, per batch. Default: 0.02.
    pub medication_change_rate: f64,
    /// Records (other than patients) held back from the extract and delivered late.
    /// Default: 0.02.
    pub late_rate: f64,
    /// Records of the previous batch delivered again unchanged. Default: 0.02.
    pub redelivery_rate: f64,
    /// Lab results of convertible codes delivered in another unit. Default: 0.1.
    pub unit_variant_rate: f64,
    /// First batch whose patient records carry [`NEW_PATIENT_FIELD`] (0 = never).
    /// Default: 2.
    pub new_field_batch: u32,
    /// Batch whose medications file is one JSON array instead of NDJSON (`None` =
    /// never). Default: `Some(1)`.
    pub array_batch: Option<u32>,
}

impl Default for EhrJsonConfig {
    fn default() -> Self {
        Self {
            population: GeneratorConfig::new(100, 42),
            batches: 3,
            demographic_change_rate: 0.1,
            out_of_order_rate: 0.25,
            open_encounter_rate: 0.02,
            encounter_status_rate: 0.01,
            delete_rate: 0.01,
            medication_change_rate: 0.02,
            late_rate: 0.02,
            redelivery_rate: 0.02,
            unit_variant_rate: 0.1,
            new_field_batch: 2,
            array_batch: Some(1),
        }
    }
}

impl EhrJsonConfig {
    /// Checks value ranges.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the offending field.
    pub fn validate(&self) -> Result<()> {
        let rates = [
            ("demographic_change_rate", self.demographic_change_rate),
            ("out_of_order_rate", self.out_of_order_rate),
            ("open_encounter_rate", self.open_encounter_rate),
            ("encounter_status_rate", self.encounter_status_rate),
            ("delete_rate", self.delete_rate),
            ("medication_change_rate", self.medication_change_rate),
            ("late_rate", self.late_rate),
            ("redelivery_rate", self.redelivery_rate),
            ("unit_variant_rate", self.unit_variant_rate),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(Error::InvalidConfig(format!(
                    "{name} must be within 0..=1, got {rate}"
                )));
            }
        }
        self.population.validate()
    }
}

/// One file of a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// The entity.
    pub entity: Entity,
    /// File name inside the batch folder.
    pub file: String,
    /// `ndjson` or `json-array`.
    pub format: String,
    /// Records in the file.
    pub records: u64,
}

/// What a batch does to one entity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityEffects {
    /// Records delivered (re-deliveries included).
    pub records: u64,
    /// `insert` records (late ones included, re-deliveries excluded).
    pub inserts: u64,
    /// `update` records (re-deliveries excluded).
    pub updates: u64,
    /// `delete` tombstones (re-deliveries excluded).
    pub deletes: u64,
    /// Inserts of records held back from the extract (old dates).
    pub late: u64,
    /// Exact copies of records of the previous batch.
    pub redelivered: u64,
    /// Records older than a version of the same key delivered before them.
    pub out_of_order: u64,
    /// Lab results in another unit than the canonical one.
    pub unit_converted: u64,
    /// Keys live (inserted and not deleted) after applying batches 0..=this one.
    pub live_keys_after: u64,
    /// Keys deleted by this batch.
    pub deleted_keys: Vec<String>,
}

/// One patient change delivered in a batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientChange {
    /// The patient.
    pub patient_id: String,
    /// The change's sequence number.
    pub change_seq: u64,
    /// When it happened (`YYYY-MM-DDTHH:MM:SSZ`).
    pub changed_at: String,
    /// Tracked attributes it changed.
    pub attributes: Vec<String>,
    /// Whether a newer version of the patient was delivered before it.
    pub out_of_order: bool,
}

/// The expected effects of one batch (written as `manifest-NNNN.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchManifest {
    /// 0 for the initial extract, then 1, 2, ...
    pub batch: u32,
    /// When the batch was extracted (`changed_at` of the extract's records).
    pub extracted_at: String,
    /// The batch's files.
    pub files: Vec<ManifestFile>,
    /// Effects per entity name.
    pub entities: BTreeMap<Entity, EntityEffects>,
    /// Patient changes delivered in this batch, in delivery order.
    pub patient_changes: Vec<PatientChange>,
    /// Fields first seen in this batch, per entity.
    pub new_fields: BTreeMap<Entity, Vec<String>>,
}

impl BatchManifest {
    /// The effects on `entity` (empty when the batch has none).
    pub fn entity(&self, entity: Entity) -> EntityEffects {
        self.entities.get(&entity).cloned().unwrap_or_default()
    }
}

/// Summary of [`generate_ehr_json`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EhrJsonReport {
    /// Output folder.
    pub out_dir: PathBuf,
    /// One folder per batch, in batch order.
    pub batch_dirs: Vec<PathBuf>,
    /// The manifest of each batch, in batch order.
    pub manifests: Vec<BatchManifest>,
}

/// Folder of batch `batch` under an output folder.
pub fn batch_dir(out_dir: &Path, batch: u32) -> PathBuf {
    out_dir.join(format!("batch-{batch:04}"))
}

/// Generates the population of `config.population` and writes it as an EHR JSON
/// extract plus change batches into `out_dir` (see the [module docs](self)).
///
/// # Errors
/// [`Error::InvalidConfig`] for out-of-range settings, [`Error::Io`] when a file cannot
/// be read or written, [`Error::Manifest`] when a record cannot be serialized.
pub fn generate_ehr_json(config: &EhrJsonConfig, out_dir: &Path) -> Result<EhrJsonReport> {
    config.validate()?;
    let csv_dir = out_dir.join("_synthea_csv");
    let population = GeneratorConfig {
        layout: Layout::V3,
        dirty_rate: None,
        ..config.population.clone()
    };
    crate::generate(&population, &csv_dir, |_| {})?;
    let mut plans = det_rng::Rng::derive(population.seed, STREAM_INSURANCE, 0);
    let plans: Vec<String> = (0..population.patients)
        .map(|_| feed::INSURANCE_PLANS[plans.index(feed::INSURANCE_PLANS.len())].to_string())
        .collect();
    let source = source::read_source(&csv_dir, &|n| plans[n].clone())?;
    std::fs::remove_dir_all(&csv_dir).map_err(|source| Error::Io {
        path: csv_dir.clone(),
        source,
    })?;
    let batches = feed::build(config, source);
    feed::write(config, out_dir, batches)
}

/// The random stream of the initial insurance plans.
const STREAM_INSURANCE: u64 = 0x4548_525f_494e_5355;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn config() -> EhrJsonConfig {
        EhrJsonConfig {
            population: GeneratorConfig {
                patients: 4,
                seed: 5,
                threads: 1,
                ..GeneratorConfig::default()
            },
            demographic_change_rate: 0.5,
            ..EhrJsonConfig::default()
        }
    }

    fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for batch in std::fs::read_dir(dir).unwrap() {
            let batch = batch.unwrap().path();
            for file in std::fs::read_dir(&batch).unwrap() {
                let file = file.unwrap().path();
                out.push((
                    file.display()
                        .to_string()
                        .replace(&dir.display().to_string(), ""),
                    std::fs::read(&file).unwrap(),
                ));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        generate_ehr_json(&config(), a.path()).unwrap();
        generate_ehr_json(&config(), b.path()).unwrap();
        assert_eq!(files(a.path()), files(b.path()));
        assert!(!a.path().join("_synthea_csv").exists());
    }

    #[test]
    fn every_file_holds_the_records_its_manifest_lists_and_sequences_have_no_gaps() {
        let dir = tempfile::tempdir().unwrap();
        let report = generate_ehr_json(&config(), dir.path()).unwrap();
        let mut seqs: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for (batch, manifest) in report.batch_dirs.iter().zip(&report.manifests) {
            for file in &manifest.files {
                let text = std::fs::read_to_string(batch.join(&file.file)).unwrap();
                assert_eq!(text.lines().count() as u64, file.records, "{}", file.file);
                if file.format == "json-array" {
                    assert!(text.starts_with('[') && text.trim_end().ends_with(']'));
                }
            }
            let records: u64 = manifest.entities.values().map(|e| e.records).sum();
            assert_eq!(
                records,
                manifest.files.iter().map(|f| f.records).sum::<u64>()
            );
            for change in &manifest.patient_changes {
                let seq = seqs.entry(change.patient_id.clone()).or_default();
                seq.push(change.change_seq);
            }
        }
        // Each patient's changes are sequences 2, 3, ... without gaps or repeats.
        for (_, mut seq) in seqs {
            seq.sort_unstable();
            assert_eq!(seq, (2..2 + seq.len() as u64).collect::<Vec<_>>());
        }
        assert!(
            report
                .manifests
                .iter()
                .any(|m| m.patient_changes.iter().any(|c| c.out_of_order))
        );
    }
}
