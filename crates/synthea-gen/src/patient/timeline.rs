//! A patient's care over a lifetime: chronic diseases with onsets, and the encounters
//! (wellness, follow-ups, acute visits, emergencies, inpatient stays with ICU transfers,
//! hospital transfers and 30-day readmissions, SNF, hospice, death certification).

use crate::patient::Ctx;
use crate::patient::demographics::Person;
use crate::reference::codes::{self, ACUTE, CHRONIC, Chronic, ChronicDef, Code, Setting};
use crate::reference::organizations::OrgKind;
use crate::rng::{Rng, Uuid};
use crate::time::{DAY, HOUR, YEAR, year_of};

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
}

fn day_time(rng: &mut Rng, ts: i64) -> i64 {
    ts.div_euclid(DAY) * DAY + rng.range(7 * HOUR, 19 * HOUR)
}

/// Plan chronic diseases and encounters.
pub(crate) fn plan(ctx: &Ctx<'_>, rng: &mut Rng, p: &Person) -> Plan {
    let end = ctx.end;
    let life_end = p.life_end(end);
    let ws = ctx.window_start.max(p.birth);
    let age_end = p.age_at(life_end);

    // ---------------- chronic diseases with co-morbidity
    let mut chronic: Vec<ChronicCase> = Vec::new();
    let has = |cs: &[ChronicCase], k: Chronic| cs.iter().any(|c| c.is(k));
    for def in CHRONIC {
        let mut m = 1.0;
        match def.kind {
            Chronic::Diabetes => {
                if has(&chronic, Chronic::Obesity) {
                    m *= 2.5;
                }
                if has(&chronic, Chronic::Prediabetes) {
                    m *= 2.0;
                }
            }
            Chronic::Hypertension => {
                if has(&chronic, Chronic::Obesity) {
                    m *= 1.6;
                }
                if has(&chronic, Chronic::Diabetes) {
                    m *= 1.5;
                }
                if p.race == "black" {
                    m *= 1.3;
                }
            }
            Chronic::Hyperlipidemia => {
                if has(&chronic, Chronic::Diabetes) {
                    m *= 1.6;
                }
                if has(&chronic, Chronic::Obesity) {
                    m *= 1.3;
                }
            }
            Chronic::Copd => m *= [0.4, 2.0, 4.0][p.smoking as usize],
            Chronic::HeartFailure => {
                if has(&chronic, Chronic::Hypertension) {
                    m *= 2.0;
                }
                if has(&chronic, Chronic::Diabetes) {
                    m *= 1.5;
                }
            }
            Chronic::Ckd => {
                if has(&chronic, Chronic::Diabetes) {
                    m *= 3.0;
                }
                if has(&chronic, Chronic::Hypertension) {
                    m *= 2.0;
                }
            }
            Chronic::Depression if p.female => m *= 1.5,
            Chronic::Alcohol if !p.female => m *= 1.6,
            _ => {}
        }
        if !rng.chance((def.base_risk * m).min(0.95)) {
            continue;
        }
        let onset_age = rng.normal(def.onset_mean, def.onset_sd).max(def.onset_min);
        if onset_age >= age_end {
            continue;
        }
        let mut onset = day_time(rng, p.birth + (onset_age * YEAR as f64) as i64);
        if def.kind == Chronic::Diabetes {
            // Prediabetes, when present, precedes diabetes.
            if let Some(pre) = chronic.iter_mut().find(|c| c.is(Chronic::Prediabetes)) {
                if pre.onset >= onset - YEAR {
                    pre.onset = onset - 2 * YEAR;
                }
                if pre.onset < p.birth + 18 * YEAR {
                    onset = onset.max(p.birth + 20 * YEAR);
                    pre.onset = p.birth + 18 * YEAR + DAY;
                }
            }
        }
        if onset >= life_end - DAY {
            continue;
        }
        let meds = def
            .meds
            .iter()
            .enumerate()
            .filter(|(i, (_, prob))| *i == 0 || rng.chance(*prob))
            .map(|(i, _)| i)
            .collect();
        chronic.push(ChronicCase { def, onset, meds });
    }
    chronic.retain(|c| c.onset > p.birth && c.onset < life_end - DAY);

    let clinic = ctx.reference.org_in(rng, p.city, OrgKind::Clinic);
    let hospital = ctx.reference.org_in(rng, p.city, OrgKind::Hospital);
    let urgent = ctx.reference.org_in(rng, p.city, OrgKind::UrgentCare);
    let pcp = ctx.reference.provider_of(rng, clinic);
    let mut b = Builder {
        encs: Vec::with_capacity(64),
        rng,
        ctx,
        life_end,
    };

    // ---------------- wellness
    {
        // Well-child visits (months), then yearly; before the window every ~3 years.
        for m in [1i64, 2, 4, 6, 9, 12, 15, 18, 24, 30] {
            let t = p.birth + m * YEAR / 12;
            if t >= ws && t < life_end {
                let t = day_time(b.rng, t);
                b.push(
                    t,
                    30 * 60,
                    Class::Wellness,
                    codes::ENC_WELL_CHILD,
                    None,
                    clinic,
                    pcp,
                    Kind::Wellness,
                );
            }
        }
        let mut age = 3i64;
        loop {
            let t = p.birth + age * YEAR + b.rng.range(-20 * DAY, 20 * DAY);
            if t >= life_end {
                break;
            }
            let in_window = t >= ws;
            let keep = in_window
                || (age < 18 && b.rng.chance(0.25))
                || (age % 5 == 0 && b.rng.chance(0.7));
            if keep {
                let t = day_time(b.rng, t);
                let code = if age < 18 {
                    codes::ENC_WELL_CHILD
                } else {
                    codes::ENC_GENERAL_EXAM
                };
                let dur = b.rng.range(15, 45) * 60;
                b.push(
                    t,
                    dur,
                    Class::Wellness,
                    code,
                    None,
                    clinic,
                    pcp,
                    Kind::Wellness,
                );
            }
            age += 1;
        }
    }

    // ---------------- chronic diagnoses and follow-ups
    for (ci, c) in chronic.iter().enumerate() {
        let (class, code) = if c.is(Chronic::Obesity) || c.is(Chronic::Prediabetes) {
            (Class::Ambulatory, codes::ENC_CHECK_UP)
        } else {
            (Class::Ambulatory, codes::ENC_PROBLEM)
        };
        let dur = b.rng.range(15, 40) * 60;
        b.push(
            c.onset,
            dur,
            class,
            code,
            Some(c.def.code),
            clinic,
            pcp,
            Kind::Diagnosis(ci),
        );
        if c.def.follow_ups_per_year > 0.0
            && let Some(fu) = c.def.follow_up
        {
            let mean_gap = YEAR as f64 / c.def.follow_ups_per_year;
            let mut t = c.onset.max(ws) + (b.rng.exp(mean_gap) as i64).max(30 * DAY);
            while t < life_end - HOUR {
                let tt = day_time(b.rng, t);
                if tt < life_end {
                    let dur = b.rng.range(15, 30) * 60;
                    b.push(
                        tt,
                        dur,
                        Class::Ambulatory,
                        fu,
                        Some(c.def.code),
                        clinic,
                        pcp,
                        Kind::FollowUp(ci),
                    );
                }
                t += (mean_gap * b.rng.uniform(0.7, 1.3)) as i64;
            }
        }
    }

    // ---------------- acute episodes (dense in the window, sparse before)
    {
        let mut t = p.birth + 6 * YEAR / 12;
        loop {
            let age = p.age_at(t);
            let in_window = t >= ws;
            let rate = if !in_window {
                0.09
            } else if age < 10.0 {
                1.3
            } else {
                1.15
            };
            t += b.rng.exp(YEAR as f64 / rate) as i64;
            if t >= life_end - DAY {
                break;
            }
            let age = p.age_at(t);
            let year = year_of(t);
            let weights: Vec<f64> = ACUTE
                .iter()
                .map(|a| {
                    if age >= a.min_age && age < a.max_age && year >= a.from_year {
                        a.weight
                    } else {
                        0.0
                    }
                })
                .collect();
            if weights.iter().sum::<f64>() <= 0.0 {
                continue;
            }
            let ai = b.rng.weighted(&weights);
            let a = &ACUTE[ai];
            let tt = day_time(b.rng, t);
            match a.setting {
                Setting::Ambulatory => b.push(
                    tt,
                    15 * 60,
                    Class::Ambulatory,
                    codes::ENC_SYMPTOM,
                    Some(a.code),
                    clinic,
                    pcp,
                    Kind::Acute(ai),
                ),
                Setting::Outpatient => b.push(
                    tt,
                    15 * 60,
                    Class::Outpatient,
                    codes::ENC_PROBLEM,
                    Some(a.code),
                    clinic,
                    pcp,
                    Kind::Acute(ai),
                ),
                Setting::Urgent => {
                    let prov = b.ctx.reference.provider_of(b.rng, urgent);
                    let dur = b.rng.range(30, 90) * 60;
                    b.push(
                        tt,
                        dur,
                        Class::Urgentcare,
                        codes::ENC_URGENT,
                        Some(a.code),
                        urgent,
                        prov,
                        Kind::Acute(ai),
                    )
                }
                Setting::Emergency => {
                    let prov = b.ctx.reference.provider_of(b.rng, hospital);
                    let dur = b.rng.range(60, 240) * 60;
                    b.push(
                        tt,
                        dur,
                        Class::Emergency,
                        codes::ENC_EMERGENCY,
                        Some(a.code),
                        hospital,
                        prov,
                        Kind::Acute(ai),
                    )
                }
            }
        }
    }

    // ---------------- routine outpatient visits (window only)
    {
        let mut t = ws;
        loop {
            t += b.rng.exp(YEAR as f64 / 0.5) as i64;
            if t >= life_end - DAY {
                break;
            }
            let code = *b.rng.pick(&[
                codes::ENC_CHECK_UP,
                codes::ENC_CONSULT,
                codes::ENC_PATIENT_PROC,
                codes::ENC_VACCINE,
            ]);
            let tt = day_time(b.rng, t);
            b.push(
                tt,
                15 * 60,
                Class::Outpatient,
                code,
                None,
                clinic,
                pcp,
                Kind::Routine,
            );
        }
    }

    // ---------------- emergency visits not leading to admission
    {
        let asthma = chronic.iter().position(|c| c.is(Chronic::Asthma));
        let burden = chronic
            .iter()
            .filter(|c| c.def.follow_ups_per_year > 0.0)
            .count() as f64;
        let rate = 0.05 + 0.03 * burden;
        let mut t = ws;
        loop {
            t += b.rng.exp(YEAR as f64 / rate) as i64;
            if t >= life_end - DAY {
                break;
            }
            let tt = b.rng.range(0, DAY) + t.div_euclid(DAY) * DAY;
            let prov = b.ctx.reference.provider_of(b.rng, hospital);
            let (code, reason) = match asthma {
                Some(ai) if b.rng.chance(0.5) && chronic[ai].onset < tt => {
                    (codes::ENC_EMERGENCY_ASTHMA, Some(chronic[ai].def.code))
                }
                _ => (codes::ENC_EMERGENCY, None),
            };
            let dur = b.rng.range(60, 300) * 60;
            b.push(
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

    // ---------------- inpatient stays, transfers and readmissions
    inpatient_stays(&mut b, p, &chronic, hospital, ws);

    // ---------------- home visits for the elderly
    {
        let from = ws.max(p.birth + 70 * YEAR);
        if from < life_end {
            let mut t = from;
            loop {
                t += b.rng.exp(YEAR as f64 / 0.35) as i64;
                if t >= life_end - DAY {
                    break;
                }
                let home = b.ctx.reference.org_in(b.rng, p.city, OrgKind::HomeHealth);
                let prov = b.ctx.reference.provider_of(b.rng, home);
                let tt = day_time(b.rng, t);
                b.push(
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
    }

    // ---------------- end of life: hospice, death certification
    if let Some(death) = p.death {
        if b.rng.chance(0.35) && death - 60 * DAY > p.birth {
            let h = b.ctx.reference.org_in(b.rng, p.city, OrgKind::Hospice);
            let prov = b.ctx.reference.provider_of(b.rng, h);
            let start = death - b.rng.range(5, 60) * DAY;
            b.push(
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
        // Synthea records the certification one or more days after DEATHDATE.
        let delay = b.rng.range(1, 10) * DAY;
        let cert = day_time(b.rng, death + delay);
        let cert = cert.min(ctx.end - HOUR);
        b.life_end = ctx.end;
        b.push(
            cert,
            15 * 60,
            Class::Wellness,
            codes::ENC_DEATH_CERT,
            None,
            clinic,
            pcp,
            Kind::DeathCertification,
        );
    }

    let mut encounters = b.encs;
    encounters.sort_by_key(|e| e.start);
    Plan {
        chronic,
        encounters,
    }
}

struct Builder<'a, 'r> {
    encs: Vec<Enc>,
    rng: &'r mut Rng,
    ctx: &'a Ctx<'a>,
    life_end: i64,
}

impl Builder<'_, '_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
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
}

fn inpatient_stays(
    b: &mut Builder<'_, '_>,
    p: &Person,
    chronic: &[ChronicCase],
    hospital: usize,
    ws: i64,
) {
    let serious: Vec<&ChronicCase> = chronic
        .iter()
        .filter(|c| {
            matches!(
                c.def.kind,
                Chronic::HeartFailure
                    | Chronic::Copd
                    | Chronic::Diabetes
                    | Chronic::Ckd
                    | Chronic::Asthma
            )
        })
        .collect();
    let life_end = b.life_end;
    let readmit = b.ctx.readmission_rate;
    let from = (p.birth + YEAR).max(ws - 8 * YEAR);
    let mut t = from;
    let mut scheduled = false;
    loop {
        if !scheduled {
            let age = p.age_at(t);
            let rate = (if t < ws { 0.02 } else { 0.045 })
                + 0.07 * serious.len() as f64
                + if age > 65.0 { 0.08 } else { 0.0 };
            t += b.rng.exp(YEAR as f64 / rate) as i64;
        }
        scheduled = false;
        let admit_day = t.div_euclid(DAY) * DAY;
        if admit_day + 2 * DAY >= life_end {
            break;
        }
        // Reason: a serious chronic disease, else an acute cause.
        let reason = if !serious.is_empty() && b.rng.chance(0.6) {
            let c = serious[b.rng.index(serious.len())];
            if c.onset < admit_day {
                c.def.code
            } else {
                *b.rng.pick(codes::ADMISSION_REASONS)
            }
        } else {
            *b.rng.pick(codes::ADMISSION_REASONS)
        };
        let mut admit = admit_day + b.rng.range(0, DAY - 6 * HOUR);
        if b.rng.chance(0.45) {
            // Through the emergency department on the admission day.
            let prov = b.ctx.reference.provider_of(b.rng, hospital);
            let er_len = b.rng.range(HOUR, 4 * HOUR);
            b.push(
                admit,
                er_len,
                Class::Emergency,
                codes::ENC_EMERGENCY,
                Some(reason),
                hospital,
                prov,
                Kind::Emergency,
            );
            admit += er_len;
        }
        // Length of stay: ≥ 1 day, right-skewed (median ≈ 3.5 days).
        let los_days = 1.0 + b.rng.normal(0.9, 0.75).exp().min(29.0);
        let mut stop = admit + (los_days * DAY as f64) as i64;
        if stop >= life_end - HOUR {
            stop = life_end - HOUR;
            if stop - admit < DAY {
                break;
            }
        }
        let prov = b.ctx.reference.provider_of(b.rng, hospital);
        b.push(
            admit,
            stop - admit,
            Class::Inpatient,
            codes::ENC_INPATIENT,
            Some(reason),
            hospital,
            prov,
            Kind::Inpatient { first: true },
        );
        // ICU-like nested stay inside the admission.
        if b.rng.chance(0.08) && stop - admit > 2 * DAY {
            let s = admit + ((stop - admit) as f64 * b.rng.uniform(0.1, 0.4)) as i64;
            let e = s + ((stop - s) as f64 * b.rng.uniform(0.3, 0.8)) as i64;
            let prov = b.ctx.reference.provider_of(b.rng, hospital);
            b.push(
                s,
                e - s,
                Class::Inpatient,
                codes::ENC_ICU,
                Some(reason),
                hospital,
                prov,
                Kind::Inpatient { first: false },
            );
        }
        let mut discharge = stop;
        // Contiguous stay at the same organization (surgical admission right after).
        if b.rng.chance(0.04) {
            let s = discharge + b.rng.range(0, 2 * HOUR);
            let e = s + b.rng.range(DAY, 3 * DAY);
            if e < life_end - HOUR {
                let prov = b.ctx.reference.provider_of(b.rng, hospital);
                b.push(
                    s,
                    e - s,
                    Class::Inpatient,
                    codes::ENC_SURGICAL,
                    Some(reason),
                    hospital,
                    prov,
                    Kind::Inpatient { first: false },
                );
                discharge = e;
            }
        }
        // Transfer to another hospital the same or next day.
        if b.rng.chance(0.05) {
            let other = b.ctx.reference.other_hospital(b.rng, hospital);
            let s = discharge + b.rng.range(HOUR, 20 * HOUR);
            let e = s + b.rng.range(DAY, 6 * DAY);
            if e < life_end - HOUR {
                let prov = b.ctx.reference.provider_of(b.rng, other);
                b.push(
                    s,
                    e - s,
                    Class::Inpatient,
                    codes::ENC_INPATIENT,
                    Some(reason),
                    other,
                    prov,
                    Kind::Inpatient { first: false },
                );
                discharge = e;
            }
        }
        // Skilled nursing after discharge for the elderly.
        if p.age_at(discharge) > 65.0 && b.rng.chance(0.15) {
            let snf = b.ctx.reference.org_in(b.rng, p.city, OrgKind::Nursing);
            let prov = b.ctx.reference.provider_of(b.rng, snf);
            let s = discharge + b.rng.range(HOUR, 6 * HOUR);
            let len = b.rng.range(5 * DAY, 25 * DAY);
            if s + len < life_end - HOUR {
                b.push(
                    s,
                    len,
                    Class::Snf,
                    codes::ENC_SNF,
                    Some(reason),
                    snf,
                    prov,
                    Kind::Snf,
                );
            }
        }
        let discharge_day = discharge.div_euclid(DAY) * DAY;
        if b.rng.chance(readmit) {
            // Unplanned readmission 2–30 calendar days after discharge.
            t = discharge_day + b.rng.range(2, 31) * DAY;
            scheduled = true;
        } else {
            // No admission within 30 days of a discharge unless it is a readmission.
            t = discharge_day + 32 * DAY;
        }
    }
}
