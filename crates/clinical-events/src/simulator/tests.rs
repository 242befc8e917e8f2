#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, TimeZone, Timelike, Utc};

use super::*;
use crate::model::{AdtEvent, EventType};

fn events_of(sim: &Simulated) -> Vec<AdtEvent> {
    sim.files
        .iter()
        .flat_map(|f| &f.lines)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn simulation_is_deterministic_per_seed() {
    let config = SimulatorConfig::new(2_000, 11);
    let a = simulate(&config).unwrap();
    let b = simulate(&config).unwrap();
    assert_eq!(a, b);
    let c = simulate(&SimulatorConfig::new(2_000, 12)).unwrap();
    assert_ne!(a.files, c.files);
}

#[test]
fn every_move_follows_the_admission_of_its_visit_and_beds_are_never_double_booked() {
    let sim = simulate(&SimulatorConfig::new(20_000, 5)).unwrap();
    let events = events_of(&sim);
    assert_eq!(events.len(), 20_000);
    // visit -> (patient, current bed); bed -> visit holding it.
    let mut visits: HashMap<String, (String, String)> = HashMap::new();
    let mut beds: HashMap<String, String> = HashMap::new();
    let mut last = None;
    for e in &events {
        assert!(last <= Some(e.event_timestamp), "events are in time order");
        last = Some(e.event_timestamp);
        let patient = e.patient_id.clone().unwrap();
        match e.event_type.unwrap() {
            EventType::Admission => {
                assert_eq!(e.admission_time, e.event_timestamp);
                assert!(
                    visits
                        .insert(e.visit_id.clone(), (patient, e.bed_id.clone()))
                        .is_none()
                );
                assert!(
                    beds.insert(e.bed_id.clone(), e.visit_id.clone()).is_none(),
                    "bed {} double-booked",
                    e.bed_id
                );
            }
            EventType::Transfer => {
                let (p, old_bed) = visits
                    .get_mut(&e.visit_id)
                    .expect("transfer of an admitted visit");
                assert_eq!(*p, patient);
                beds.remove(old_bed.as_str());
                assert!(
                    beds.insert(e.bed_id.clone(), e.visit_id.clone()).is_none(),
                    "bed {} double-booked",
                    e.bed_id
                );
                *old_bed = e.bed_id.clone();
            }
            EventType::Discharge => {
                let (p, bed) = visits
                    .remove(&e.visit_id)
                    .expect("discharge of an admitted visit");
                assert_eq!(p, patient);
                assert_eq!(bed, e.bed_id);
                assert_eq!(e.discharge_time, Some(e.event_timestamp));
                assert!(e.admission_time < e.event_timestamp);
                beds.remove(&bed);
            }
        }
        // The bed id names the event's hospital and department.
        let code = &sim_network_code(e.department.as_deref().unwrap());
        assert!(
            e.bed_id.starts_with(&format!("H{}-{code}-", e.hospital_id)),
            "{}",
            e.bed_id
        );
    }
    assert_eq!(visits.len() as u64, sim.manifest.summary.open_stays);
    let s = &sim.manifest.summary;
    assert_eq!(s.admissions + s.transfers + s.discharges, s.events);
    assert!(s.transfers > 0 && s.discharges > 0);
}

fn sim_network_code(department: &str) -> String {
    crate::network::Network::default()
        .department(department)
        .unwrap()
        .code
        .clone()
}

#[test]
fn beds_per_department_never_exceed_capacity() {
    let sim = simulate(&SimulatorConfig::new(20_000, 9)).unwrap();
    let network = crate::network::Network::default();
    let mut occupied: BTreeMap<(i32, String), u32> = BTreeMap::new();
    let mut location: HashMap<String, (i32, String)> = HashMap::new();
    for e in events_of(&sim) {
        let here = (e.hospital_id, e.department.clone().unwrap());
        match e.event_type.unwrap() {
            EventType::Admission => {
                *occupied.entry(here.clone()).or_default() += 1;
                location.insert(e.visit_id.clone(), here.clone());
            }
            EventType::Transfer => {
                let from = location.insert(e.visit_id.clone(), here.clone()).unwrap();
                *occupied.get_mut(&from).unwrap() -= 1;
                *occupied.entry(here.clone()).or_default() += 1;
            }
            EventType::Discharge => {
                let from = location.remove(&e.visit_id).unwrap();
                *occupied.get_mut(&from).unwrap() -= 1;
            }
        }
        assert!(
            occupied[&here] <= network.beds(here.0, &here.1)
                || e.event_type == Some(EventType::Discharge)
        );
    }
}

/// Admissions per simulated hour in the given hours, with beds so plentiful that nobody
/// is diverted.
fn admissions_per_hour(
    start: chrono::DateTime<Utc>,
    events: u64,
    keep: impl Fn(chrono::DateTime<Utc>) -> bool,
) -> f64 {
    let mut config = SimulatorConfig::new(events, 3);
    config.start = start;
    for h in &mut config.network.hospitals {
        for beds in h.beds.values_mut() {
            *beds *= 50;
        }
    }
    config.base_occupancy = 0.02;
    let sim = simulate(&config).unwrap();
    assert_eq!(sim.manifest.summary.diverted_admissions, 0);
    let admissions: Vec<_> = events_of(&sim)
        .into_iter()
        .filter(|e| e.event_type == Some(EventType::Admission))
        .map(|e| e.event_timestamp)
        .collect();
    let hours: std::collections::BTreeSet<_> = admissions
        .iter()
        .filter(|t| keep(**t))
        .map(|t| t.date_naive().and_hms_opt(t.hour(), 0, 0).unwrap())
        .collect();
    admissions.iter().filter(|t| keep(**t)).count() as f64 / hours.len().max(1) as f64
}

#[test]
fn flu_season_triples_the_admission_rate() {
    let start = Utc.with_ymd_and_hms(2023, 11, 24, 0, 0, 0).unwrap();
    let weekday_day =
        |t: chrono::DateTime<Utc>| t.weekday().number_from_monday() <= 5 && t.hour() < 18;
    let november = admissions_per_hour(start, 60_000, |t| t.month() == 11 && weekday_day(t));
    let december = admissions_per_hour(start, 60_000, |t| t.month() == 12 && weekday_day(t));
    let ratio = december / november;
    assert!(
        (2.6..3.4).contains(&ratio),
        "flu/base admission ratio {ratio}"
    );
}

#[test]
fn weekend_evenings_triple_the_admission_rate() {
    let start = Utc.with_ymd_and_hms(2023, 10, 2, 0, 0, 0).unwrap();
    let weekend_evening =
        |t: chrono::DateTime<Utc>| t.weekday().number_from_monday() >= 6 && t.hour() >= 18;
    let weekday_evening =
        |t: chrono::DateTime<Utc>| t.weekday().number_from_monday() <= 5 && t.hour() >= 18;
    let surge = admissions_per_hour(start, 60_000, weekend_evening);
    let base = admissions_per_hour(start, 60_000, weekday_evening);
    let ratio = surge / base;
    assert!(
        (2.5..3.5).contains(&ratio),
        "weekend-evening/base ratio {ratio}"
    );
}

#[test]
fn dirty_scenarios_are_recorded_and_leave_clean_lines_unchanged() {
    let clean = simulate(&SimulatorConfig::new(5_000, 21)).unwrap();
    let mut config = SimulatorConfig::new(5_000, 21);
    config.dirty = DirtyConfig::uniform(0.2);
    let dirty = simulate(&config).unwrap();
    let m = &dirty.manifest;
    assert_eq!(m.defects.len() as u64, m.counts.values().sum::<u64>());
    for kind in DefectKind::ALL {
        assert!(m.counts[&kind] > 0, "{kind:?} never injected");
    }
    assert_eq!(m.lines, 5_000 + m.counts[&DefectKind::DuplicateEvent]);
    // Lines without a defect are the clean run's lines.
    let clean_lines: Vec<&String> = clean.files.iter().flat_map(|f| &f.lines).collect();
    let defective: std::collections::HashSet<&str> = m
        .defects
        .iter()
        .filter(|d| d.kind != DefectKind::DuplicateEvent)
        .map(|d| d.event_id.as_str())
        .collect();
    let mut unchanged = 0;
    let mut seen = std::collections::HashSet::new();
    let dirty_lines = dirty.files.iter().flat_map(|f| &f.lines);
    let mut clean_iter = clean_lines.into_iter();
    for line in dirty_lines {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = event["event_id"].as_str().unwrap().to_string();
        if !seen.insert(id.clone()) {
            continue; // the copy of a duplicate
        }
        let original = clean_iter.next().unwrap();
        if defective.contains(id.as_str()) {
            assert_ne!(line, original);
        } else {
            assert_eq!(line, original);
            unchanged += 1;
        }
    }
    assert!(unchanged > 4_000);
    // Every manifest line points at its event.
    for d in &m.defects {
        let file = dirty.files.iter().find(|f| f.name == d.file).unwrap();
        let line = &file.lines[(d.line - 1) as usize];
        assert!(line.contains(&d.event_id), "{d:?}");
    }
}

#[test]
fn write_landing_streams_files_of_the_configured_size_and_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SimulatorConfig::new(2_500, 4);
    config.events_per_file = 1_000;
    config.dirty = DirtyConfig::uniform(0.05);
    let manifest = write_landing(&config, dir.path()).unwrap();
    assert_eq!(
        manifest.files.len(),
        manifest.lines.div_ceil(1_000) as usize
    );
    let in_memory = simulate(&config).unwrap();
    for file in &in_memory.files {
        let text = std::fs::read_to_string(dir.path().join(&file.name)).unwrap();
        assert_eq!(text.lines().collect::<Vec<_>>(), file.lines);
    }
    assert_eq!(Manifest::read(dir.path()).unwrap(), manifest);
}

#[test]
fn invalid_configuration_is_rejected_with_the_field_name() {
    let mut config = SimulatorConfig::new(10, 1);
    config.los.remove("ICU");
    let err = simulate(&config).unwrap_err().to_string();
    assert!(err.contains("los.ICU"), "{err}");
    let mut config = SimulatorConfig::new(10, 1);
    config.base_occupancy = 0.0;
    assert!(simulate(&config).is_err());
}
