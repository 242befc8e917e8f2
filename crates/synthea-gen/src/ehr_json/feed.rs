//! The change batches: versions of records, their delivery and the manifests.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use det_rng::Rng;
use serde_json::Value;

use super::source::{Record, Source};
use super::{
    BatchManifest, CHANGE_SEQ, CHANGED_AT, EhrJsonConfig, EhrJsonReport, Entity, ManifestFile,
    NEW_PATIENT_FIELD, OP, PatientChange, batch_dir,
};
use crate::error::{Error, Result};
use crate::reference::places::{CITIES, STREET_KINDS, STREETS};

/// Insurance plans a patient may hold.
pub(crate) const INSURANCE_PLANS: [&str; 7] = [
    "Medicare",
    "Medicaid",
    "Blue Cross Blue Shield",
    "Aetna",
    "UnitedHealthcare",
    "Cigna",
    "No insurance",
];
const MARITAL: [&str; 4] = ["M", "S", "D", "W"];
const LANGUAGES: [&str; 5] = ["en", "es", "pt", "zh", "vi"];
/// Lab codes delivered in another unit: (code, canonical unit, other unit, factor from
/// the canonical value to the other unit's).
pub(crate) const UNIT_VARIANTS: [(&str, &str, &str, f64); 3] = [
    ("2339-0", "mg/dL", "mmol/L", 1.0 / 18.016),
    ("2093-3", "mg/dL", "mmol/L", 1.0 / 38.67),
    ("718-7", "g/dL", "g/L", 10.0),
];
/// The random stream of batch `b`'s changes.
const STREAM_CHANGES: u64 = 0x4548_525f_4348_4e47;

/// One built batch: its serialized records per entity and its manifest.
pub(crate) struct Batch {
    manifest: BatchManifest,
    lines: [Vec<String>; 6],
}

/// The state of the source while batches are built.
struct Feed<'c> {
    config: &'c EhrJsonConfig,
    /// Last change sequence per entity and key.
    seq: [HashMap<String, u64>; 6],
    /// Latest version per entity and key.
    current: [HashMap<String, Record>; 6],
    /// Keys in extract order, per entity.
    order: [Vec<String>; 6],
    /// Keys not to change again (one change per non-patient key), or not delivered yet.
    frozen: [HashSet<String>; 6],
    live: [u64; 6],
    /// Held-back inserts, per batch.
    late: Vec<Vec<(Entity, Record)>>,
    /// Encounters extracted open: their final image, per batch of discharge.
    closes: Vec<Vec<Record>>,
    /// Older patient versions delivered in a later batch, per batch.
    deferred: Vec<Vec<(Record, PatientChange)>>,
}

/// Builds the extract and the change batches from the source records.
pub(crate) fn build(config: &EhrJsonConfig, source: Source) -> Vec<Batch> {
    let k = config.batches as usize;
    let mut feed = Feed {
        config,
        seq: Default::default(),
        current: Default::default(),
        order: Default::default(),
        frozen: Default::default(),
        live: [0; 6],
        late: vec![Vec::new(); k + 1],
        closes: vec![Vec::new(); k + 1],
        deferred: vec![Vec::new(); k + 1],
    };
    let mut batches = vec![feed.extract(source)];
    for b in 1..=config.batches {
        let previous = &batches[b as usize - 1];
        let redeliveries = feed.redeliveries(b, previous);
        batches.push(feed.change_batch(b, redeliveries));
    }
    batches
}

impl Feed<'_> {
    fn rng(&self, batch: u32) -> Rng {
        Rng::derive(
            self.config.population.seed,
            STREAM_CHANGES,
            u64::from(batch),
        )
    }

    /// When batch `b` was extracted: the day after the population's end date, + b days.
    fn extracted_at(&self, batch: u32) -> DateTime<Utc> {
        let day = self.config.population.end_date + Duration::days(1 + i64::from(batch));
        day.and_time(NaiveTime::MIN).and_utc()
    }

    fn new_batch(&self, batch: u32) -> Batch {
        Batch {
            manifest: BatchManifest {
                batch,
                extracted_at: timestamp(self.extracted_at(batch)),
                files: Vec::new(),
                entities: BTreeMap::new(),
                patient_changes: Vec::new(),
                new_fields: BTreeMap::new(),
            },
            lines: Default::default(),
        }
    }

    /// A new version of `record`: the change-feed fields set, the sequence advanced,
    /// the live count and latest version updated.
    fn version(
        &mut self,
        entity: Entity,
        mut record: Record,
        op: &str,
        at: DateTime<Utc>,
    ) -> Record {
        let i = entity.index();
        let key = key_of(entity, &record);
        let seq = self.seq[i].get(&key).map_or(1, |s| s + 1);
        self.seq[i].insert(key.clone(), seq);
        match op {
            "insert" => self.live[i] += 1,
            "delete" => self.live[i] = self.live[i].saturating_sub(1),
            _ => {}
        }
        record.insert(OP.into(), Value::String(op.into()));
        record.insert(CHANGE_SEQ.into(), Value::from(seq));
        record.insert(CHANGED_AT.into(), Value::String(timestamp(at)));
        self.current[i].insert(key, record.clone());
        record
    }

    /// Writes `record` into `batch`, counting it.
    fn deliver(batch: &mut Batch, entity: Entity, record: &Record, out_of_order: bool) {
        let effects = batch.manifest.entities.entry(entity).or_default();
        effects.records += 1;
        match record.get(OP).and_then(Value::as_str) {
            Some("insert") => effects.inserts += 1,
            Some("delete") => {
                effects.deletes += 1;
                effects.deleted_keys.push(key_of(entity, record));
            }
            _ => effects.updates += 1,
        }
        effects.out_of_order += u64::from(out_of_order);
        batch.lines[entity.index()].push(serde_json::Value::Object(record.clone()).to_string());
    }

    /// Batch 0: every record as an insert, except the late ones (held back) and the
    /// open encounters (delivered without their discharge).
    fn extract(&mut self, source: Source) -> Batch {
        let mut rng = self.rng(0);
        let mut batch = self.new_batch(0);
        let at = self.extracted_at(0);
        let k = u64::from(self.config.batches);
        for entity in Entity::ALL {
            for record in &source.records[entity.index()] {
                let key = key_of(entity, record);
                self.order[entity.index()].push(key.clone());
                if k > 0 && entity != Entity::Patients && rng.chance(self.config.late_rate) {
                    let b = 1 + rng.below(k) as usize;
                    self.late[b].push((entity, record.clone()));
                    self.frozen[entity.index()].insert(key);
                    continue;
                }
                let mut record = record.clone();
                if entity == Entity::Encounters
                    && k > 0
                    && rng.chance(self.config.open_encounter_rate)
                {
                    let b = 1 + rng.below(k) as usize;
                    self.closes[b].push(record.clone());
                    record.insert("stop".into(), Value::Null);
                    record.insert("status".into(), Value::String("in-progress".into()));
                    self.frozen[entity.index()].insert(key);
                }
                if entity == Entity::LabResults {
                    self.unit_variant(&mut rng, &mut record, &mut batch);
                }
                let record = self.version(entity, record, "insert", at);
                Self::deliver(&mut batch, entity, &record, false);
            }
        }
        self.finish(&mut batch);
        batch
    }

    /// With the configured chance, converts a lab result to another unit.
    fn unit_variant(&self, rng: &mut Rng, record: &mut Record, batch: &mut Batch) {
        let code = record
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let unit = record
            .get("unit")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some((_, _, other, factor)) = UNIT_VARIANTS
            .iter()
            .find(|(c, canonical, _, _)| *c == code && *canonical == unit)
        else {
            return;
        };
        let Some(value) = record.get("value").and_then(Value::as_f64) else {
            return;
        };
        if !rng.chance(self.config.unit_variant_rate) {
            return;
        }
        let converted = (value * factor * 1000.0).round() / 1000.0;
        if let Some(n) = serde_json::Number::from_f64(converted) {
            record.insert("value".into(), Value::Number(n));
            record.insert("unit".into(), Value::String((*other).into()));
            let effects = batch
                .manifest
                .entities
                .entry(Entity::LabResults)
                .or_default();
            effects.unit_converted += 1;
        }
    }

    /// Records of the previous batch chosen for re-delivery.
    fn redeliveries(&self, b: u32, previous: &Batch) -> Vec<(Entity, String)> {
        let mut rng = Rng::derive(
            self.config.population.seed,
            STREAM_CHANGES ^ 1,
            u64::from(b),
        );
        let mut out = Vec::new();
        for entity in Entity::ALL {
            for line in &previous.lines[entity.index()] {
                if rng.chance(self.config.redelivery_rate) {
                    out.push((entity, line.clone()));
                }
            }
        }
        out
    }

    /// A change batch: late inserts, discharges, deferred older versions, new changes,
    /// then the re-deliveries.
    fn change_batch(&mut self, b: u32, redeliveries: Vec<(Entity, String)>) -> Batch {
        let mut rng = self.rng(b);
        let mut batch = self.new_batch(b);
        let at = self.extracted_at(b);
        for (entity, mut record) in std::mem::take(&mut self.late[b as usize]) {
            if entity == Entity::LabResults {
                self.unit_variant(&mut rng, &mut record, &mut batch);
            }
            let record = self.version(entity, record, "insert", at - Duration::hours(6));
            batch.manifest.entities.entry(entity).or_default().late += 1;
            Self::deliver(&mut batch, entity, &record, false);
        }
        for record in std::mem::take(&mut self.closes[b as usize]) {
            let record = self.version(
                Entity::Encounters,
                record,
                "update",
                at - Duration::hours(5),
            );
            Self::deliver(&mut batch, Entity::Encounters, &record, false);
        }
        for (record, change) in std::mem::take(&mut self.deferred[b as usize]) {
            Self::deliver(&mut batch, Entity::Patients, &record, true);
            batch.manifest.patient_changes.push(change);
        }
        self.encounter_changes(&mut rng, &mut batch, at);
        self.diagnosis_deletes(&mut rng, &mut batch, at);
        self.medication_changes(&mut rng, &mut batch, at);
        self.patient_changes(&mut rng, &mut batch, at);
        for (entity, line) in redeliveries {
            let effects = batch.manifest.entities.entry(entity).or_default();
            effects.records += 1;
            effects.redelivered += 1;
            batch.lines[entity.index()].push(line);
        }
        self.finish(&mut batch);
        batch
    }

    /// Keys of `entity` that may change: delivered, live, not changed before.
    fn changeable(&self, entity: Entity) -> Vec<String> {
        let i = entity.index();
        self.order[i]
            .iter()
            .filter(|k| !self.frozen[i].contains(*k))
            .filter(|k| {
                self.current[i]
                    .get(*k)
                    .and_then(|r| r.get(OP))
                    .and_then(Value::as_str)
                    .is_some_and(|op| op != "delete")
            })
            .cloned()
            .collect()
    }

    /// Status changes to `cancelled` and deletes of encounters.
    fn encounter_changes(&mut self, rng: &mut Rng, batch: &mut Batch, at: DateTime<Utc>) {
        let e = Entity::Encounters;
        for key in self.changeable(e) {
            let op = if rng.chance(self.config.encounter_status_rate) {
                "update"
            } else if rng.chance(self.config.delete_rate) {
                "delete"
            } else {
                continue;
            };
            let Some(mut record) = self.current[e.index()].get(&key).cloned() else {
                continue;
            };
            if op == "update" {
                record.insert("status".into(), Value::String("cancelled".into()));
            }
            let record = self.version(e, record, op, at - Duration::hours(3));
            self.frozen[e.index()].insert(key);
            Self::deliver(batch, e, &record, false);
        }
    }

    /// Deletes of diagnoses (entered in error).
    fn diagnosis_deletes(&mut self, rng: &mut Rng, batch: &mut Batch, at: DateTime<Utc>) {
        let e = Entity::Diagnoses;
        for key in self.changeable(e) {
            if !rng.chance(self.config.delete_rate) {
                continue;
            }
            let Some(record) = self.current[e.index()].get(&key).cloned() else {
                continue;
            };
            let record = self.version(e, record, "delete", at - Duration::hours(3));
            self.frozen[e.index()].insert(key);
            Self::deliver(batch, e, &record, false);
        }
    }

    /// Active medications stopped the day before, finished ones cancelled.
    fn medication_changes(&mut self, rng: &mut Rng, batch: &mut Batch, at: DateTime<Utc>) {
        let e = Entity::Medications;
        for key in self.changeable(e) {
            if !rng.chance(self.config.medication_change_rate) {
                continue;
            }
            let Some(mut record) = self.current[e.index()].get(&key).cloned() else {
                continue;
            };
            if record.get("stop").is_none_or(Value::is_null) {
                let stop = timestamp(at - Duration::days(1));
                record.insert("stop".into(), Value::String(stop));
                record.insert("status".into(), Value::String("stopped".into()));
            } else {
                record.insert("status".into(), Value::String("cancelled".into()));
            }
            let record = self.version(e, record, "update", at - Duration::hours(2));
            self.frozen[e.index()].insert(key);
            Self::deliver(batch, e, &record, false);
        }
    }

    /// Demographic changes; some patients change twice, the older version deferred.
    fn patient_changes(&mut self, rng: &mut Rng, batch: &mut Batch, at: DateTime<Utc>) {
        let e = Entity::Patients;
        let b = batch.manifest.batch;
        let last = b == self.config.batches;
        for key in self.changeable(e) {
            if !rng.chance(self.config.demographic_change_rate) {
                continue;
            }
            let twice = rng.chance(self.config.out_of_order_rate);
            let first_at = at - Duration::minutes(120 + rng.range(0, 60));
            let (older, older_change) = self.patient_version(rng, &key, first_at, b);
            if !twice {
                Self::deliver(batch, e, &older, false);
                batch.manifest.patient_changes.push(older_change);
                continue;
            }
            let (newer, newer_change) =
                self.patient_version(rng, &key, first_at + Duration::minutes(30), b);
            Self::deliver(batch, e, &newer, false);
            batch.manifest.patient_changes.push(newer_change);
            let older_change = PatientChange {
                out_of_order: true,
                ..older_change
            };
            if last {
                Self::deliver(batch, e, &older, true);
                batch.manifest.patient_changes.push(older_change);
            } else {
                self.deferred[b as usize + 1].push((older, older_change));
            }
        }
    }

    /// The next version of patient `key` with one demographic change.
    fn patient_version(
        &mut self,
        rng: &mut Rng,
        key: &str,
        at: DateTime<Utc>,
        batch: u32,
    ) -> (Record, PatientChange) {
        let mut record = self.current[Entity::Patients.index()]
            .get(key)
            .cloned()
            .unwrap_or_default();
        let attributes = change_demographics(rng, &mut record);
        if self.config.new_field_batch > 0 && batch >= self.config.new_field_batch {
            let language = LANGUAGES[rng.index(LANGUAGES.len())];
            record.insert(NEW_PATIENT_FIELD.into(), Value::String(language.into()));
        }
        let record = self.version(Entity::Patients, record, "update", at);
        let change = PatientChange {
            patient_id: key.to_string(),
            change_seq: record.get(CHANGE_SEQ).and_then(Value::as_u64).unwrap_or(0),
            changed_at: timestamp(at),
            attributes,
            out_of_order: false,
        };
        (record, change)
    }

    /// Live key counts, files and new fields of a finished batch.
    fn finish(&self, batch: &mut Batch) {
        let b = batch.manifest.batch;
        for entity in Entity::ALL {
            let effects = batch.manifest.entities.entry(entity).or_default();
            effects.live_keys_after = self.live[entity.index()];
        }
        if b > 0
            && b == self.config.new_field_batch
            && batch.manifest.entity(Entity::Patients).updates > 0
        {
            batch
                .manifest
                .new_fields
                .insert(Entity::Patients, vec![NEW_PATIENT_FIELD.to_string()]);
        }
    }
}

/// Changes one demographic group of `record`; returns the attributes changed.
fn change_demographics(rng: &mut Rng, record: &mut Record) -> Vec<String> {
    let text = |r: &Record, f: &str| {
        r.get(f)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match rng.below(3) {
        0 => {
            let city = &CITIES[rng.index(CITIES.len())];
            let street = format!(
                "{} {} {}",
                rng.range(1, 2000),
                STREETS[rng.index(STREETS.len())],
                STREET_KINDS[rng.index(STREET_KINDS.len())]
            );
            let mut changed = vec!["address".to_string()];
            record.insert("address".into(), Value::String(street));
            if text(record, "city") != city.name {
                changed.push("city".into());
                changed.push("zip".into());
            }
            record.insert("city".into(), Value::String(city.name.into()));
            record.insert("zip".into(), Value::String(city.zip.into()));
            changed
        }
        1 => {
            let now = text(record, "marital_status");
            let others: Vec<&str> = MARITAL.iter().copied().filter(|m| *m != now).collect();
            let pick = others[rng.index(others.len())];
            record.insert("marital_status".into(), Value::String(pick.into()));
            vec!["marital_status".into()]
        }
        _ => {
            let now = text(record, "insurance");
            let others: Vec<&str> = INSURANCE_PLANS
                .iter()
                .copied()
                .filter(|m| *m != now)
                .collect();
            let pick = others[rng.index(others.len())];
            record.insert("insurance".into(), Value::String(pick.into()));
            vec!["insurance".into()]
        }
    }
}

fn key_of(entity: Entity, record: &Record) -> String {
    record
        .get(entity.key())
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Writes each batch's files and manifest under `out_dir`.
pub(crate) fn write(
    config: &EhrJsonConfig,
    out_dir: &Path,
    batches: Vec<Batch>,
) -> Result<EhrJsonReport> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let mut report = EhrJsonReport {
        out_dir: out_dir.to_path_buf(),
        batch_dirs: Vec::new(),
        manifests: Vec::new(),
    };
    for mut batch in batches {
        let b = batch.manifest.batch;
        let dir = batch_dir(out_dir, b);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        for entity in Entity::ALL {
            let lines = &batch.lines[entity.index()];
            if lines.is_empty() {
                continue;
            }
            let array = config.array_batch == Some(b) && entity == Entity::Medications;
            let (file, format, text) = if array {
                let body = lines.join(",\n");
                (
                    format!("{}-{b:04}.json", entity.name()),
                    "json-array",
                    format!("[{body}]\n"),
                )
            } else {
                let mut text = lines.join("\n");
                text.push('\n');
                (format!("{}-{b:04}.ndjson", entity.name()), "ndjson", text)
            };
            let path = dir.join(&file);
            std::fs::write(&path, text).map_err(io(&path))?;
            batch.manifest.files.push(ManifestFile {
                entity,
                file,
                format: format.into(),
                records: lines.len() as u64,
            });
        }
        let path = dir.join(format!("manifest-{b:04}.json"));
        let json = serde_json::to_vec_pretty(&batch.manifest)?;
        std::fs::write(&path, json).map_err(io(&path))?;
        report.batch_dirs.push(dir);
        report.manifests.push(batch.manifest);
    }
    Ok(report)
}
