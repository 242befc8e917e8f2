//! A patient's care over a lifetime: chronic diseases with onsets, and the encounters
//! (wellness, follow-ups, acute visits, emergencies, inpatient stays with ICU transfers,
//! hospital transfers and 30-day readmissions, SNF, hospice, death certification).

use crate::patient::Ctx;
use crate::patient::demographics::Person;
use crate::reference::codes::{self, ACUTE, Code, Setting};
use crate::reference::modules::{CHRONIC, Chronic, ChronicDef, Factor, Onset};
use crate::reference::organizations::OrgKind;
use crate::rng::{Rng, Uuid};
use crate::time::{DAY, HOUR, YEAR, civil_from_days, year_of};

/// Encounter class (the `ENCOUNTERCLASS` value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Wellness,
    Ambulatory,
    Outpatient,
    Inpatient,
    Emergency,
    Urgentcare,
    Home,
    Snf,
    Hospice,
}

impl Class {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Class::Wellness => "wellness",
            Class::Ambulatory => "ambulatory",
            Class::Outpatient => "outpatient",
            Class::Inpatient => "inpatient",
            Class::Emergency => "emergency",
            Class::Urgentcare => "urgentcare",
            Class::Home => "home",
            Class::Snf => "snf",
            Class::Hospice => "hospice",
        }
    }

    /// Base encounter fee in cents.
    pub(crate) fn base_cost(self) -> i64 {
        match self {
            Class::Wellness => 13_680,
            Class::Ambulatory | Class::Outpatient | Class::Home => 8_555,
            Class::Urgentcare => 14_218,
            Class::Emergency => 14_600,
            Class::Inpatient => 10_687,
            Class::Snf | Class::Hospice => 12_520,
        }
    }
}

/// Why an encounter happens; drives what is recorded in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    Wellness,
    /// Diagnosis of chronic condition `i` (index into `Sim::chronic`).
    Diagnosis(usize),
    /// Follow-up of chronic condition `i`.
    FollowUp(usize),
    /// Visit `k` (from 1) of course `j` of chronic condition `i` (the last one is the
    /// course's final encounter when it has one).
    Course(usize, usize, u32),
    /// Acute episode (index into `ACUTE`).
    Acute(usize),
    /// Outpatient visit without a new problem (check-up, consultation, vaccination).
    Routine,
    /// Emergency visit, optionally the front door of an inpatient stay.
    Emergency,
    /// Inpatient encounter; `first` marks the admission that carries the stay's records.
    Inpatient {
        first: bool,
    },
    Snf,
    Hospice,
    Home,
    DeathCertification,
}

/// One planned encounter.
#[derive(Clone, Debug)]
pub(crate) struct Enc {
    pub(crate) id: Uuid,
    pub(crate) start: i64,
    pub(crate) stop: i64,
    pub(crate) class: Class,
    pub(crate) code: Code,
    pub(crate) reason: Option<Code>,
    pub(crate) org: usize,
    pub(crate) provider: usize,
    pub(crate) kind: Kind,
}

/// A chronic disease the patient has.
#[derive(Debug)]
pub(crate) struct ChronicCase {
    pub(crate) def: &'static ChronicDef,
    pub(crate) onset: i64,
    /// Medications chosen at diagnosis (indices into `def.meds`).
    pub(crate) meds: Vec<usize>,
    /// When the condition resolves (`def.resolves_days` after onset).
    pub(crate) stop: Option<i64>,
}

impl ChronicCase {
    pub(crate) fn is(&self, k: Chronic) -> bool {
        self.def.kind == k
    }
}

/// The planned life of a patient.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) chronic: Vec<ChronicCase>,
    pub(crate) encounters: Vec<Enc>,
    /// Later conditions of the modules: (encounter index, code), recorded at the first
    /// visit of the module on or after their onset.
    pub(crate) sequels: Vec<(usize, Code)>,
    /// The disease that caused the death, when a module did.
    pub(crate) cause_of_death: Option<Code>,
}

/// How many years before the history window chronic follow-ups (and the prescriptions
/// renewed there) and most yearly wellness visits are recorded (recent history, as a
/// complete Synthea export has it; labs and screenings start with the window).
pub(crate) const HISTORY_FOLLOW_UP_YEARS: i64 = 10;

pub(super) fn day_time(rng: &mut Rng, ts: i64) -> i64 {
    ts.div_euclid(DAY) * DAY + rng.range(7 * HOUR, 19 * HOUR)
}

/// Plan chronic diseases and encounters.
///
/// The steps draw from `rng` in this order (the order fixes the output for a seed):
/// diseases, disease deaths (which may move `p.death` earlier), care places, then each
/// kind of encounter.
pub(crate) fn plan(ctx: &Ctx<'_>, rng: &mut Rng, p: &mut Person) -> Plan {
    let ws = ctx.window_start.max(p.birth);
    let mut chronic = chronic_diseases(rng, p, p.life_end(ctx.end));
    let cause_of_death = disease_death(ctx, rng, p, &chronic);
    let life_end = p.life_end(ctx.end);
    chronic.retain(|c| c.onset < life_end - DAY);
    let sequel_onsets = sequel_onsets(rng, &chronic, life_end);
    let p: &Person = p;
    let places = CarePlaces::choose(ctx, rng, p);
    let mut b = Builder {
        encs: Vec::with_capacity(64),
        rng,
        ctx,
        life_end,
    };
    b.wellness_visits(p, &places, ws);
    b.chronic_visits(&chronic, &places, ws);
    b.acute_episodes(p, &places, ws);
    b.routine_visits(&places, ws);
    b.emergency_visits(&chronic, &places, ws);
    b.inpatient_stays(p, &chronic, places.hospital, ws);
    b.readmissions(p, &chronic, places.hospital);
    b.home_visits(p, ws);
    b.end_of_life(p, &places, cause_of_death);
    let mut encounters = b.encs;
    encounters.sort_by_key(|e| e.start);
    let sequels = place_sequels(&encounters, &sequel_onsets);
    Plan {
        chronic,
        encounters,
        sequels,
        cause_of_death,
    }
}

/// Chronic diseases with co-morbidity: each module of [`CHRONIC`] in turn, with an onset
/// age, a lifetime risk multiplied by the patient's risk factors at that age (BMI,
/// smoking, family history, sex, race, the diseases drawn before it), and the
/// medications chosen at diagnosis.
fn chronic_diseases(rng: &mut Rng, p: &Person, life_end: i64) -> Vec<ChronicCase> {
    let age_end = p.age_at(life_end);
    let mut chronic: Vec<ChronicCase> = Vec::new();
    for def in CHRONIC {
        let onset_age = match def.onset {
            Onset::Age { mean, sd, min } => rng.normal(mean, sd).max(min),
            Onset::Bmi(bmi) => match p.risk.age_reaching(bmi) {
                Some(a) => a + rng.uniform(0.0, 1.0),
                None => continue,
            },
        };
        if onset_age >= age_end {
            continue;
        }
        let onset_ts = p.birth + (onset_age * YEAR as f64) as i64;
        let m = risk_multiplier(def, &chronic, p, onset_age, onset_ts);
        if !rng.chance((def.base_risk * m).min(0.97)) {
            continue;
        }
        let mut onset = day_time(rng, onset_ts);
        if def.kind == Chronic::Diabetes {
            onset = after_prediabetes(&mut chronic, onset, p);
        }
        if onset >= life_end - DAY {
            continue;
        }
        let meds = def
            .meds
            .iter()
            .enumerate()
            .filter(|(_, m)| rng.chance(m.prob))
            .map(|(i, _)| i)
            .collect();
        let stop = def.resolves_days.map(|d| onset + d * DAY).or_else(|| {
            let r = def.remission?;
            let at = p.birth + (rng.uniform(r.from_age, r.to_age) * YEAR as f64) as i64;
            (rng.chance(r.prob) && at > onset + YEAR).then_some(at)
        });
        // A condition resolving after the record ends is still active in the export.
        let stop = stop.filter(|s| *s < life_end - DAY);
        chronic.push(ChronicCase {
            def,
            onset,
            meds,
            stop,
        });
    }
    chronic.retain(|c| c.onset > p.birth && c.onset < life_end - DAY);
    chronic
}

/// Deaths caused by the modules: each lethal disease, in onset order, may kill the
/// patient `survival_years` (exponential) after its onset. The earliest such death
/// before the drawn one (and inside the export's death window) replaces it; returns the
/// cause.
fn disease_death(
    ctx: &Ctx<'_>,
    rng: &mut Rng,
    p: &mut Person,
    chronic: &[ChronicCase],
) -> Option<Code> {
    let earliest = (p.birth + YEAR).max(ctx.window_start - 5 * YEAR);
    let latest = ctx.end - 12 * DAY;
    let mut cause = None;
    for c in chronic {
        if c.def.lethality <= 0.0 || !rng.chance(c.def.lethality) {
            continue;
        }
        let after = (rng.exp(c.def.survival_years * YEAR as f64) as i64).max(2 * DAY);
        let death = c.onset + after;
        if death < earliest || death > latest || death >= p.life_end(ctx.end) {
            continue;
        }
        p.death = Some(death);
        cause = Some(c.def.code);
    }
    cause
}

/// Onsets of the modules' later conditions: (case index, code, onset).
fn sequel_onsets(rng: &mut Rng, chronic: &[ChronicCase], life_end: i64) -> Vec<(usize, Code, i64)> {
    let mut out = Vec::new();
    for (ci, c) in chronic.iter().enumerate() {
        for s in c.def.sequels {
            if !rng.chance(s.prob) {
                continue;
            }
            let t = c.onset + (s.after_years * rng.uniform(0.6, 1.4) * YEAR as f64) as i64;
            if t < life_end - DAY {
                out.push((ci, s.code, t));
            }
        }
    }
    out
}

/// Each later condition at the first diagnosis, follow-up or course visit of its module
/// on or after its onset (dropped when the module has no later visit).
fn place_sequels(encounters: &[Enc], onsets: &[(usize, Code, i64)]) -> Vec<(usize, Code)> {
    let mut out: Vec<(usize, Code)> = onsets
        .iter()
        .filter_map(|&(ci, code, t)| {
            encounters
                .iter()
                .position(|e| {
                    matches!(e.kind, Kind::Diagnosis(c) | Kind::FollowUp(c) | Kind::Course(c, _, _) if c == ci)
                        && e.start >= t - DAY
                })
                .map(|i| (i, code))
        })
        .collect();
    out.sort_by_key(|(i, _)| *i);
    out
}

/// How much the patient's risk factors at the onset multiply the base risk of `def`:
/// the product of the module's matching [`Factor`]s.
fn risk_multiplier(
    def: &ChronicDef,
    chronic: &[ChronicCase],
    p: &Person,
    onset_age: f64,
    onset: i64,
) -> f64 {
    let bmi = p.risk.bmi_at(onset_age);
    def.risk
        .iter()
        .filter(|(f, _)| match *f {
            Factor::Obese => onset_age >= 18.0 && bmi >= 30.0,
            Factor::SeverelyObese => onset_age >= 18.0 && bmi >= 35.0,
            Factor::Smoker => p.smoking == 2,
            Factor::ExSmoker => p.smoking == 1,
            Factor::FamilyDiabetes => p.risk.family_diabetes,
            Factor::FamilyCvd => p.risk.family_cvd,
            Factor::Female => p.female,
            Factor::Male => !p.female,
            Factor::Black => p.race == "black",
            Factor::Has(k) => chronic.iter().any(|c| c.is(k) && c.onset <= onset),
        })
        .map(|(_, m)| *m)
        .product()
}

/// The diabetes onset, with prediabetes (when present) moved to precede it by two years
/// and kept in adulthood. Returns the (possibly later) diabetes onset.
fn after_prediabetes(chronic: &mut [ChronicCase], onset: i64, p: &Person) -> i64 {
    let mut onset = onset;
    if let Some(pre) = chronic.iter_mut().find(|c| c.is(Chronic::Prediabetes)) {
        if pre.onset >= onset - YEAR {
            pre.onset = onset - 2 * YEAR;
        }
        if pre.onset < p.birth + 18 * YEAR {
            onset = onset.max(p.birth + 20 * YEAR);
            pre.onset = p.birth + 18 * YEAR + DAY;
        }
    }
    onset
}

/// Where a patient is usually seen.
pub(super) struct CarePlaces {
    /// The clinic of wellness, chronic and routine visits.
    pub(super) clinic: usize,
    /// The hospital of emergencies and admissions.
    pub(super) hospital: usize,
    /// The urgent-care center.
    pub(super) urgent: usize,
    /// The primary-care provider (at the clinic).
    pub(super) pcp: usize,
}

impl CarePlaces {
    fn choose(ctx: &Ctx<'_>, rng: &mut Rng, p: &Person) -> Self {
        let clinic = ctx.reference.org_in(rng, p.city, OrgKind::Clinic);
        let hospital = ctx.reference.org_in(rng, p.city, OrgKind::Hospital);
        let urgent = ctx.reference.org_in(rng, p.city, OrgKind::UrgentCare);
        let pcp = ctx.reference.provider_of(rng, clinic);
        Self {
            clinic,
            hospital,
            urgent,
            pcp,
        }
    }
}

/// Collects a patient's planned encounters.
pub(super) struct Builder<'a, 'r> {
    pub(super) encs: Vec<Enc>,
    pub(super) rng: &'r mut Rng,
    pub(super) ctx: &'a Ctx<'a>,
    /// End of the patient's record (death, or the export end).
    pub(super) life_end: i64,
}

impl Builder<'_, '_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn push(
        &mut self,
        start: i64,
        dur: i64,
        class: Class,
        code: Code,
        reason: Option<Code>,
        org: usize,
        provider: usize,
        kind: Kind,
    ) {
        let stop = (start + dur.max(60)).min(self.life_end.max(start + 60));
        if start >= self.life_end && kind != Kind::DeathCertification {
            return;
        }
        let id = self.rng.uuid();
        self.encs.push(Enc {
            id,
            start,
            stop,
            class,
            code,
            reason,
            org,
            provider,
            kind,
        });
    }

    /// Well-child visits (months), then yearly; in the recent history before the window
    /// most years, earlier every ~3 years.
    fn wellness_visits(&mut self, p: &Person, places: &CarePlaces, ws: i64) {
        let life_end = self.life_end;
        for m in [1i64, 2, 4, 6, 9, 12, 15, 18, 24, 30] {
            let t = p.birth + m * YEAR / 12;
            if t >= ws && t < life_end {
                let t = day_time(self.rng, t);
                self.push(
                    t,
                    30 * 60,
                    Class::Wellness,
                    codes::ENC_WELL_CHILD,
                    None,
                    places.clinic,
                    places.pcp,
                    Kind::Wellness,
                );
            }
        }
        let mut age = 3i64;
        loop {
            let t = p.birth + age * YEAR + self.rng.range(-20 * DAY, 20 * DAY);
            if t >= life_end {
                break;
            }
            let in_window = t >= ws;
            let recent = t >= ws - HISTORY_FOLLOW_UP_YEARS * YEAR;
            let keep = in_window
                || (recent && self.rng.chance(0.8))
                || (age < 18 && self.rng.chance(0.25))
                || (age % 5 == 0 && self.rng.chance(0.7));
            if keep {
                let t = day_time(self.rng, t);
                let code = if age < 18 {
                    codes::ENC_WELL_CHILD
                } else {
                    codes::ENC_GENERAL_EXAM
                };
                let dur = self.rng.range(15, 45) * 60;
                self.push(
                    t,
                    dur,
                    Class::Wellness,
                    code,
                    None,
                    places.clinic,
                    places.pcp,
                    Kind::Wellness,
                );
            }
            age += 1;
        }
    }

    /// The visit diagnosing each chronic disease (in the module's encounter class), its
    /// treatment course, then its follow-ups.
    fn chronic_visits(&mut self, chronic: &[ChronicCase], places: &CarePlaces, ws: i64) {
        for (ci, c) in chronic.iter().enumerate() {
            let code = if c.is(Chronic::Obesity) || c.is(Chronic::Prediabetes) {
                codes::ENC_CHECK_UP
            } else if c.is(Chronic::Pregnancy) {
                codes::code("424441002", "Prenatal initial visit")
            } else {
                codes::ENC_PROBLEM
            };
            match c.def.diagnosis_class {
                Class::Emergency => {
                    let prov = self.ctx.reference.provider_of(self.rng, places.hospital);
                    let dur = self.rng.range(2 * 60, 6 * 60) * 60;
                    self.push(
                        c.onset,
                        dur,
                        Class::Emergency,
                        codes::ENC_EMERGENCY,
                        Some(c.def.code),
                        places.hospital,
                        prov,
                        Kind::Diagnosis(ci),
                    );
                }
                class => {
                    let dur = self.rng.range(15, 40) * 60;
                    self.push(
                        c.onset,
                        dur,
                        class,
                        code,
                        Some(c.def.code),
                        places.clinic,
                        places.pcp,
                        Kind::Diagnosis(ci),
                    );
                }
            }
            self.course(ci, c, places, ws);
            if c.def.follow_ups_per_year > 0.0
                && let Some(fu) = c.def.follow_up
            {
                self.follow_ups(ci, c, fu, places, ws);
            }
        }
    }

    /// The treatment courses of chronic disease `ci` (chemotherapy cycles, radiation,
    /// prenatal visits and the delivery, dialysis, a joint replacement and its
    /// rehabilitation), one after the other while each is given. Visits before the
    /// history window are not recorded, final encounters are.
    fn course(&mut self, ci: usize, c: &ChronicCase, places: &CarePlaces, ws: i64) {
        let mut start = c.onset;
        for (j, course) in c.def.courses.iter().enumerate() {
            if course.prob < 1.0 && !self.rng.chance(course.prob) {
                return;
            }
            let delay = if course.delay_days > 60 {
                (course.delay_days as f64 * self.rng.uniform(0.6, 1.4)) as i64
            } else {
                course.delay_days
            };
            start += delay * DAY;
            // Visits before the window are not recorded: start at the first one in it
            // (the final encounter is always recorded).
            let skipped = if start < ws && course.last.is_none() {
                let n = (ws - start).div_euclid(course.every_days * DAY);
                u32::try_from(n).unwrap_or(u32::MAX).min(course.visits)
            } else {
                0
            };
            for k in skipped + 1..=course.visits {
                let t = day_time(self.rng, start + i64::from(k - 1) * course.every_days * DAY);
                let last = k == course.visits;
                let (code, class, dur, org, prov) = match &course.last {
                    Some(f) if last => {
                        let prov = self.ctx.reference.provider_of(self.rng, places.hospital);
                        let dur = f.days * DAY + self.rng.range(0, 12 * HOUR);
                        (f.code, f.class, dur, places.hospital, prov)
                    }
                    _ => {
                        let dur = self.rng.range(30, 180) * 60;
                        (course.code, course.class, dur, places.clinic, places.pcp)
                    }
                };
                if t + dur >= self.life_end {
                    return;
                }
                if t < ws && !(last && course.last.is_some()) {
                    continue;
                }
                self.push(
                    t,
                    dur,
                    class,
                    code,
                    Some(c.def.code),
                    org,
                    prov,
                    Kind::Course(ci, j, k),
                );
            }
            start += i64::from(course.visits.saturating_sub(1)) * course.every_days * DAY;
        }
    }

    /// Follow-ups of chronic disease `ci`: yearly before the history window (the visit
    /// at which Synthea renews the module's prescriptions, at most
    /// [`HISTORY_FOLLOW_UP_YEARS`] back), then at the module's yearly rate, until the
    /// condition resolves or life ends.
    fn follow_ups(&mut self, ci: usize, c: &ChronicCase, fu: Code, places: &CarePlaces, ws: i64) {
        let end = self.life_end.min(c.stop.unwrap_or(i64::MAX));
        let mut t = c.onset.max(ws - HISTORY_FOLLOW_UP_YEARS * YEAR)
            + (YEAR as f64 * self.rng.uniform(0.8, 1.2)) as i64;
        while t < ws.min(end - HOUR) {
            self.follow_up_visit(ci, c, fu, places, t);
            t += (YEAR as f64 * self.rng.uniform(0.85, 1.15)) as i64;
        }
        let mean_gap = YEAR as f64 / c.def.follow_ups_per_year;
        let mut t = c.onset.max(ws) + (self.rng.exp(mean_gap) as i64).max(30 * DAY);
        while t < end - HOUR {
            self.follow_up_visit(ci, c, fu, places, t);
            t += (mean_gap * self.rng.uniform(0.7, 1.3)) as i64;
        }
    }

    fn follow_up_visit(
        &mut self,
        ci: usize,
        c: &ChronicCase,
        fu: Code,
        places: &CarePlaces,
        t: i64,
    ) {
        let tt = day_time(self.rng, t);
        if tt < self.life_end {
            let dur = self.rng.range(15, 30) * 60;
            self.push(
                tt,
                dur,
                Class::Ambulatory,
                fu,
                Some(c.def.code),
                places.clinic,
                places.pcp,
                Kind::FollowUp(ci),
            );
        }
    }

    /// Acute episodes: dense in the history window, sparse before; each one an episode of
    /// [`ACUTE`] fitting the patient's age and the year.
    fn acute_episodes(&mut self, p: &Person, places: &CarePlaces, ws: i64) {
        let life_end = self.life_end;
        let mut t = p.birth + 6 * YEAR / 12;
        loop {
            let age = p.age_at(t);
            let in_window = t >= ws;
            let rate = if !in_window {
                0.09
            } else if age < 10.0 {
                1.4
            } else {
                1.3
            };
            t += self.rng.exp(YEAR as f64 / rate) as i64;
            if t >= life_end - DAY {
                break;
            }
            let age = p.age_at(t);
            let year = year_of(t);
            let winter = matches!(civil_from_days(t.div_euclid(DAY)).1, 11 | 12 | 1 | 2 | 3);
            let weights: Vec<f64> = ACUTE
                .iter()
                .map(|a| {
                    if age >= a.min_age
                        && age < a.max_age
                        && year >= a.from_year
                        && (winter || !a.winter)
                    {
                        a.weight
                    } else {
                        0.0
                    }
                })
                .collect();
            if weights.iter().sum::<f64>() <= 0.0 {
                continue;
            }
            let ai = self.rng.weighted(&weights);
            let tt = day_time(self.rng, t);
            self.acute_visit(tt, ai, places);
        }
    }

    /// The visit of acute episode `ai` at `tt`, in the episode's setting.
    fn acute_visit(&mut self, tt: i64, ai: usize, places: &CarePlaces) {
        let a = &ACUTE[ai];
        match a.setting {
            Setting::Ambulatory => self.push(
                tt,
                15 * 60,
                Class::Ambulatory,
                codes::ENC_SYMPTOM,
                Some(a.code),
                places.clinic,
                places.pcp,
                Kind::Acute(ai),
            ),
            Setting::Outpatient => self.push(
                tt,
                15 * 60,
                Class::Outpatient,
                codes::ENC_PROBLEM,
                Some(a.code),
                places.clinic,
                places.pcp,
                Kind::Acute(ai),
            ),
            Setting::Urgent => {
                let prov = self.ctx.reference.provider_of(self.rng, places.urgent);
                let dur = self.rng.range(30, 90) * 60;
                self.push(
                    tt,
                    dur,
                    Class::Urgentcare,
                    codes::ENC_URGENT,
                    Some(a.code),
                    places.urgent,
                    prov,
                    Kind::Acute(ai),
                )
            }
            Setting::Emergency => {
                let prov = self.ctx.reference.provider_of(self.rng, places.hospital);
                let dur = self.rng.range(60, 240) * 60;
                self.push(
                    tt,
                    dur,
                    Class::Emergency,
                    codes::ENC_EMERGENCY,
                    Some(a.code),
                    places.hospital,
                    prov,
                    Kind::Acute(ai),
                )
            }
        }
    }

    /// Routine outpatient visits (window only).
    fn routine_visits(&mut self, places: &CarePlaces, ws: i64) {
        let life_end = self.life_end;
        let mut t = ws;
        loop {
            t += self.rng.exp(YEAR as f64 / 0.5) as i64;
            if t >= life_end - DAY {
                break;
            }
            let code = *self.rng.pick(&[
                codes::ENC_CHECK_UP,
                codes::ENC_CONSULT,
                codes::ENC_PATIENT_PROC,
                codes::ENC_VACCINE,
            ]);
            let tt = day_time(self.rng, t);
            self.push(
                tt,
                15 * 60,
                Class::Outpatient,
                code,
                None,
                places.clinic,
                places.pcp,
                Kind::Routine,
            );
        }
    }

    /// Emergency visits not leading to admission, more frequent with more chronic
    /// burden; some are asthma attacks.
    fn emergency_visits(&mut self, chronic: &[ChronicCase], places: &CarePlaces, ws: i64) {
        let life_end = self.life_end;
        let hospital = places.hospital;
        let asthma = chronic.iter().position(|c| c.is(Chronic::Asthma));
        let burden = chronic
            .iter()
            .filter(|c| c.def.follow_ups_per_year > 0.0)
            .count() as f64;
        let rate = 0.05 + 0.03 * burden;
        let mut t = ws;
        loop {
            t += self.rng.exp(YEAR as f64 / rate) as i64;
            if t >= life_end - DAY {
                break;
            }
            let tt = self.rng.range(0, DAY) + t.div_euclid(DAY) * DAY;
            let prov = self.ctx.reference.provider_of(self.rng, hospital);
            let (code, reason) = match asthma {
                Some(ai)
                    if self.rng.chance(0.5)
                        && chronic[ai].onset < tt
                        && chronic[ai].stop.is_none_or(|s| tt < s) =>
                {
                    (codes::ENC_EMERGENCY_ASTHMA, Some(chronic[ai].def.code))
                }
                _ => (codes::ENC_EMERGENCY, None),
            };
            let dur = self.rng.range(60, 300) * 60;
            self.push(
                tt,
                dur,
                Class::Emergency,
                code,
                reason,
                hospital,
                prov,
                Kind::Emergency,
            );
        }
    }

    /// Home visits for the elderly (70+).
    fn home_visits(&mut self, p: &Person, ws: i64) {
        let life_end = self.life_end;
        let from = ws.max(p.birth + 70 * YEAR);
        if from >= life_end {
            return;
        }
        let mut t = from;
        loop {
            t += self.rng.exp(YEAR as f64 / 0.55) as i64;
            if t >= life_end - DAY {
                break;
            }
            let home = self
                .ctx
                .reference
                .org_in(self.rng, p.city, OrgKind::HomeHealth);
            let prov = self.ctx.reference.provider_of(self.rng, home);
            let tt = day_time(self.rng, t);
            self.push(
                tt,
                45 * 60,
                Class::Home,
                codes::ENC_HOME,
                None,
                home,
                prov,
                Kind::Home,
            );
        }
    }

    /// End of life: hospice for some, and the death certification, which Synthea records
    /// one or more days after `DEATHDATE`.
    fn end_of_life(&mut self, p: &Person, places: &CarePlaces, cause: Option<Code>) {
        let Some(death) = p.death else {
            return;
        };
        if self.rng.chance(0.5) && death - 60 * DAY > p.birth {
            let h = self
                .ctx
                .reference
                .org_in(self.rng, p.city, OrgKind::Hospice);
            let prov = self.ctx.reference.provider_of(self.rng, h);
            let start = death - self.rng.range(5, 60) * DAY;
            self.push(
                start,
                death - HOUR - start,
                Class::Hospice,
                codes::ENC_HOSPICE,
                None,
                h,
                prov,
                Kind::Hospice,
            );
        }
        let delay = self.rng.range(1, 10) * DAY;
        let cert = day_time(self.rng, death + delay);
        let cert = cert.min(self.ctx.end - HOUR);
        self.life_end = self.ctx.end;
        self.push(
            cert,
            15 * 60,
            Class::Wellness,
            codes::ENC_DEATH_CERT,
            cause,
            places.clinic,
            places.pcp,
            Kind::DeathCertification,
        );
    }
}
