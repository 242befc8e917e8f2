//! The ADT state machine: admissions arrive hour by hour per hospital department, take a
//! free bed, and leave by transfer or discharge after a drawn length of stay. Every
//! `DISCHARGE` and `TRANSFER` follows the `ADMISSION` of the same visit and patient, and a
//! bed holds at most one patient at a time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use chrono::{DateTime, Datelike, Duration, DurationRound, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::config::{SimulatorConfig, Weighted};
use crate::error::{Error, Result};
use crate::model::{AdtEvent, EventType, Vitals, bed_id};
use det_rng::Rng;

/// What a simulation produced (clean events, before dirty-data injection).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulationSummary {
    /// Events emitted.
    pub events: u64,
    /// `ADMISSION` events.
    pub admissions: u64,
    /// `TRANSFER` events.
    pub transfers: u64,
    /// `DISCHARGE` events.
    pub discharges: u64,
    /// Arrivals that found no free bed in their department (not admitted, no event).
    pub diverted_admissions: u64,
    /// Stays still admitted after the last event.
    pub open_stays: u64,
    /// Distinct patients admitted.
    pub patients: u64,
    /// Timestamp of the first event.
    pub first_event: Option<DateTime<Utc>>,
    /// Timestamp of the last event (a natural as-of instant for the run).
    pub last_event: Option<DateTime<Utc>>,
}

/// Random stream of the clean simulation.
const ENGINE_STREAM: u64 = 1;

/// A simulation stops with an error when this many simulated hours pass without an event
/// (a configuration that admits nobody).
const MAX_IDLE_HOURS: u32 = 24 * 366;

struct Unit {
    hospital: usize,
    department: usize,
    free_beds: Vec<u32>,
    arrivals_per_hour: f64,
}

struct Patient {
    id: String,
    age_at_start: f64,
    gender: &'static str,
    insurance: String,
}

/// One stay, held in the queue until its next move.
struct Stay {
    visit_id: String,
    patient: usize,
    unit: usize,
    bed: u32,
    admitted: DateTime<Utc>,
    priority: String,
    diagnosis: String,
    transfers: u32,
}

struct Pending {
    at: DateTime<Utc>,
    seq: u64,
    stay: Stay,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// Runs the simulation, handing each clean event to `emit` in time order.
pub(crate) fn run(
    config: &SimulatorConfig,
    emit: &mut dyn FnMut(AdtEvent) -> Result<()>,
) -> Result<SimulationSummary> {
    let mut engine = Engine::new(config);
    let mut hour = config
        .start
        .duration_trunc(Duration::hours(1))
        .unwrap_or(config.start);
    let mut idle_hours = 0;
    while engine.summary.events < config.events {
        let before = engine.summary.events;
        engine.simulate_hour(hour, emit)?;
        idle_hours = if engine.summary.events == before {
            idle_hours + 1
        } else {
            0
        };
        if idle_hours > MAX_IDLE_HOURS {
            return Err(Error::config(
                "simulator",
                "no event in a simulated year: check base_occupancy, beds and LOS profiles",
            ));
        }
        hour += Duration::hours(1);
    }
    engine.summary.open_stays = engine.queue.len() as u64;
    engine.summary.patients = engine.patients.len() as u64;
    Ok(engine.summary)
}

struct Engine<'a> {
    config: &'a SimulatorConfig,
    rng: Rng,
    units: Vec<Unit>,
    patients: Vec<Patient>,
    /// Discharged patients who may come back.
    returning: Vec<usize>,
    queue: BinaryHeap<Reverse<Pending>>,
    next_seq: u64,
    next_visit: u64,
    summary: SimulationSummary,
}

impl<'a> Engine<'a> {
    fn new(config: &'a SimulatorConfig) -> Self {
        let network = &config.network;
        let mut units = Vec::new();
        for (h, hospital) in network.hospitals.iter().enumerate() {
            for (d, department) in network.departments.iter().enumerate() {
                let beds = network.beds(hospital.id, &department.name);
                if beds == 0 {
                    continue;
                }
                let mean_los = config
                    .los
                    .get(&department.name)
                    .map_or(24.0, |l| l.mean_hours());
                units.push(Unit {
                    hospital: h,
                    department: d,
                    free_beds: (1..=beds).rev().collect(),
                    arrivals_per_hour: f64::from(beds) * config.base_occupancy / mean_los,
                });
            }
        }
        Self {
            config,
            rng: Rng::derive(config.seed, ENGINE_STREAM, 0),
            units,
            patients: Vec::new(),
            returning: Vec::new(),
            queue: BinaryHeap::new(),
            next_seq: 0,
            next_visit: 0,
            summary: SimulationSummary::default(),
        }
    }

    /// Arrivals and moves of the hour starting at `hour`, in time order.
    fn simulate_hour(
        &mut self,
        hour: DateTime<Utc>,
        emit: &mut dyn FnMut(AdtEvent) -> Result<()>,
    ) -> Result<()> {
        let end = hour + Duration::hours(1);
        let multiplier = self.surge_multiplier(hour);
        let mut arrivals = Vec::new();
        for unit in 0..self.units.len() {
            let n = self
                .rng
                .poisson(self.units[unit].arrivals_per_hour * multiplier);
            for _ in 0..n {
                let second = self.rng.range(0, 3600);
                arrivals.push((hour + Duration::seconds(second), unit));
            }
        }
        arrivals.sort();
        let mut next_arrival = 0;
        loop {
            if self.summary.events >= self.config.events {
                return Ok(());
            }
            let move_due = self
                .queue
                .peek()
                .map(|Reverse(p)| p.at)
                .filter(|at| *at < end);
            let arrival = arrivals.get(next_arrival).copied();
            match (move_due, arrival) {
                (Some(at), Some((t, _))) if at <= t => self.next_move(emit)?,
                (Some(_), None) => self.next_move(emit)?,
                (_, Some((t, unit))) => {
                    next_arrival += 1;
                    self.admit(t, unit, emit)?;
                }
                (None, None) => return Ok(()),
            }
        }
    }

    /// The largest multiplier of the surges active at `t` (1 when none).
    fn surge_multiplier(&self, t: DateTime<Utc>) -> f64 {
        let surge = &self.config.surge;
        let mut m: f64 = 1.0;
        if surge.flu_months.contains(&t.month()) {
            m = m.max(surge.flu_multiplier);
        }
        let evening = (surge.evening_start_hour..surge.evening_end_hour).contains(&t.hour());
        if evening
            && surge
                .weekend_days
                .contains(&t.weekday().number_from_monday())
        {
            m = m.max(surge.weekend_evening_multiplier);
        }
        m
    }

    fn admit(
        &mut self,
        t: DateTime<Utc>,
        unit: usize,
        emit: &mut dyn FnMut(AdtEvent) -> Result<()>,
    ) -> Result<()> {
        if self.units[unit].free_beds.is_empty() {
            self.summary.diverted_admissions += 1;
            return Ok(());
        }
        let department = self.department_name(unit).to_string();
        let patient = self.patient_for(&department, t);
        let bed = self.take_bed(unit);
        self.next_visit += 1;
        let stay = Stay {
            visit_id: format!("V-{}-{:08}", self.config.seed, self.next_visit),
            patient,
            unit,
            bed,
            admitted: t,
            priority: pick(&mut self.rng, &self.config.priorities),
            diagnosis: pick(
                &mut self.rng,
                self.config
                    .diagnoses
                    .get(&department)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
            ),
            transfers: 0,
        };
        self.summary.admissions += 1;
        emit(self.event(EventType::Admission, &stay, t))?;
        self.schedule(stay, t);
        Ok(())
    }

    /// Handles the earliest queued move: a transfer when drawn and possible, else a
    /// discharge.
    fn next_move(&mut self, emit: &mut dyn FnMut(AdtEvent) -> Result<()>) -> Result<()> {
        let Some(Reverse(Pending { at, mut stay, .. })) = self.queue.pop() else {
            return Ok(());
        };
        if let Some(target) = self.transfer_target(&stay) {
            let old_unit = stay.unit;
            let bed = self.take_bed(target);
            self.units[old_unit].free_beds.push(stay.bed);
            stay.unit = target;
            stay.bed = bed;
            stay.transfers += 1;
            self.summary.transfers += 1;
            emit(self.event(EventType::Transfer, &stay, at))?;
            self.schedule(stay, at);
        } else {
            self.units[stay.unit].free_beds.push(stay.bed);
            self.returning.push(stay.patient);
            self.summary.discharges += 1;
            emit(self.event(EventType::Discharge, &stay, at))?;
        }
        Ok(())
    }

    /// The unit a stay moves to, if it transfers and the target has a free bed.
    fn transfer_target(&mut self, stay: &Stay) -> Option<usize> {
        let department = self.department_name(stay.unit).to_string();
        let profile = self.config.transfers.get(&department)?;
        if stay.transfers >= self.config.max_transfers || !self.rng.chance(profile.probability) {
            return None;
        }
        let target = pick(&mut self.rng, &profile.targets);
        let hospital = self.units[stay.unit].hospital;
        self.units.iter().position(|u| {
            u.hospital == hospital
                && self.config.network.departments[u.department].name == target
                && !u.free_beds.is_empty()
        })
    }

    fn schedule(&mut self, stay: Stay, from: DateTime<Utc>) {
        let hours = self.los_hours(stay.unit);
        let at = from + Duration::seconds((hours * 3600.0).round() as i64);
        self.next_seq += 1;
        self.queue.push(Reverse(Pending {
            at,
            seq: self.next_seq,
            stay,
        }));
    }

    fn los_hours(&mut self, unit: usize) -> f64 {
        let department = self.department_name(unit);
        let Some(profile) = self.config.los.get(department) else {
            return 24.0;
        };
        let (median, sigma, min, max) = (
            profile.median_hours,
            profile.sigma,
            profile.min_hours,
            profile.max_hours,
        );
        (median * (sigma * self.rng.normal(0.0, 1.0)).exp()).clamp(min, max)
    }

    fn take_bed(&mut self, unit: usize) -> u32 {
        let free = &mut self.units[unit].free_beds;
        let i = self.rng.index(free.len());
        free.swap_remove(i)
    }

    fn department_name(&self, unit: usize) -> &'a str {
        let config: &'a SimulatorConfig = self.config;
        &config.network.departments[self.units[unit].department].name
    }

    /// A returning patient who fits the department, else a new one.
    fn patient_for(&mut self, department: &str, t: DateTime<Utc>) -> usize {
        if !self.returning.is_empty() && self.rng.chance(self.config.returning_patient_share) {
            let i = self.rng.index(self.returning.len());
            let candidate = self.returning[i];
            let age = self.age_of(candidate, t);
            let fits = match department {
                "Pediatrics" => age < 18,
                "Maternity" => {
                    self.patients[candidate].gender == "female" && (16..50).contains(&age)
                }
                _ => age >= 18,
            };
            if fits {
                self.returning.swap_remove(i);
                if self.rng.chance(self.config.insurance_change_share) {
                    let insurance = self.draw_insurance(age);
                    self.patients[candidate].insurance = insurance;
                }
                return candidate;
            }
        }
        self.new_patient(department, t)
    }

    fn new_patient(&mut self, department: &str, t: DateTime<Utc>) -> usize {
        let (age, gender) = match department {
            "Pediatrics" => (self.rng.f64() * 18.0, self.draw_gender()),
            "Maternity" => (18.0 + self.rng.f64() * 27.0, "female"),
            _ => (
                self.rng.normal(58.0, 18.0).clamp(18.0, 99.9),
                self.draw_gender(),
            ),
        };
        let insurance = self.draw_insurance(age as i32);
        let years_since_start = (t - self.config.start).num_days() as f64 / 365.25;
        let index = self.patients.len();
        self.patients.push(Patient {
            id: format!("P-{}-{:07}", self.config.seed, index + 1),
            age_at_start: age - years_since_start,
            gender,
            insurance,
        });
        index
    }

    fn draw_gender(&mut self) -> &'static str {
        match self.rng.below(100) {
            0 => "other",
            n if n % 2 == 0 => "female",
            _ => "male",
        }
    }

    fn draw_insurance(&mut self, age: i32) -> String {
        let list = if age >= 65 {
            &self.config.insurance_65_plus
        } else {
            &self.config.insurance_under_65
        };
        pick(&mut self.rng, list)
    }

    fn age_of(&self, patient: usize, t: DateTime<Utc>) -> i32 {
        let years = (t - self.config.start).num_days() as f64 / 365.25;
        (self.patients[patient].age_at_start + years)
            .floor()
            .max(0.0) as i32
    }

    fn event(&mut self, kind: EventType, stay: &Stay, at: DateTime<Utc>) -> AdtEvent {
        self.summary.events += 1;
        self.summary.first_event.get_or_insert(at);
        self.summary.last_event = Some(at);
        let config = self.config;
        let unit = &self.units[stay.unit];
        let hospital = &config.network.hospitals[unit.hospital];
        let department = &config.network.departments[unit.department];
        let vitals = self.vitals(&department.name, at);
        let patient = &self.patients[stay.patient];
        AdtEvent {
            event_id: format!("EV-{}-{:010}", self.config.seed, self.summary.events),
            event_type: Some(kind),
            event_timestamp: at,
            visit_id: stay.visit_id.clone(),
            patient_id: Some(patient.id.clone()),
            age: self.age_of(stay.patient, at),
            gender: patient.gender.to_string(),
            insurance_type: patient.insurance.clone(),
            hospital_id: hospital.id,
            hospital_name: hospital.name.clone(),
            department: Some(department.name.clone()),
            bed_id: bed_id(hospital.id, &department.code, stay.bed),
            admission_time: stay.admitted,
            discharge_time: (kind == EventType::Discharge).then_some(at),
            admission_priority: stay.priority.clone(),
            diagnosis_code: stay.diagnosis.clone(),
            vitals,
        }
    }

    /// Plausible vitals: sicker in the ICU, warmer in the flu season.
    fn vitals(&mut self, department: &str, at: DateTime<Utc>) -> Vitals {
        let icu = department == "ICU";
        let flu = self.config.surge.flu_months.contains(&at.month());
        let mut draw =
            |mean: f64, sd: f64, low: f64, high: f64| self.rng.normal(mean, sd).clamp(low, high);
        let heart_rate = draw(if icu { 102.0 } else { 80.0 }, 14.0, 35.0, 190.0);
        let bp_systolic = draw(if icu { 112.0 } else { 124.0 }, 16.0, 70.0, 220.0);
        let bp_diastolic = draw(bp_systolic * 0.63, 7.0, 40.0, 130.0);
        let temperature = draw(if flu { 99.3 } else { 98.4 }, 0.8, 94.0, 106.0);
        let spo2 = draw(if icu { 93.0 } else { 97.0 }, 2.0, 70.0, 100.0);
        Vitals {
            heart_rate: heart_rate.round() as i32,
            bp_systolic: bp_systolic.round() as i32,
            bp_diastolic: bp_diastolic.round() as i32,
            temperature_f: (temperature * 10.0).round() / 10.0,
            spo2: spo2.round() as i32,
        }
    }
}

/// A value of a weighted list (empty string for an empty list).
fn pick(rng: &mut Rng, list: &[Weighted]) -> String {
    let weights: Vec<f64> = list.iter().map(|w| w.weight).collect();
    list.get(rng.weighted(&weights))
        .map(|w| w.value.clone())
        .unwrap_or_default()
}
