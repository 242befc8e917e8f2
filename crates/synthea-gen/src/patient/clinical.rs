//! Clinical rows of one patient: conditions, medications, observations, procedures,
//! immunizations, allergies, care plans, devices, supplies and imaging studies, written
//! encounter by encounter.

use synthea_schema::TableKind;

use crate::patient::emitter::{Emitter, Line, LineKind, Rx};
use crate::patient::timeline::{Class, Enc, HISTORY_FOLLOW_UP_YEARS, Kind};
use crate::reference::codes::{self, ACUTE, Code, Obs};
use crate::reference::modules::Chronic;
use crate::time::{DAY, HOUR, YEAR, day_diff};

impl Emitter<'_> {
    // ------------------------------------------------------------------ prescriptions
    pub(super) fn plan_prescriptions(&mut self) {
        let encs = &self.plan.encounters;
        let mut by_enc: Vec<Vec<Rx>> = vec![Vec::new(); encs.len()];
        for (ci, case) in self.plan.chronic.iter().enumerate() {
            let until = case.stop.unwrap_or(i64::MAX);
            let recent = self.ctx.window_start - HISTORY_FOLLOW_UP_YEARS * YEAR;
            for &mi in &case.meds {
                let m = case.def.meds[mi];
                let from = case.onset + (m.after_years * YEAR as f64) as i64;
                // Renewed at the module's visits and, as Synthea's wellness encounters
                // do, at every recent wellness visit while the condition lasts.
                let visits: Vec<usize> = encs
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| {
                        matches!(e.kind, Kind::Diagnosis(c) | Kind::FollowUp(c) if c == ci)
                            || (e.kind == Kind::Wellness && e.start >= recent)
                    })
                    .filter(|(_, e)| e.start >= from && e.start < until)
                    .map(|(i, _)| i)
                    .collect();
                self.renewals(&mut by_enc, &visits, m.med, case.def.code, case.stop);
            }
            self.course_doses(&mut by_enc, ci);
        }
        self.rx_by_enc = by_enc;
    }

    /// One prescription of `med` per visit in `visits`, running to the next renewal
    /// (sometimes with a gap, sometimes discontinued) or to `until` (the condition's
    /// end), with refills by adherence.
    fn renewals(
        &mut self,
        by_enc: &mut [Vec<Rx>],
        visits: &[usize],
        med: codes::Med,
        reason: Code,
        until: Option<i64>,
    ) {
        let encs = &self.plan.encounters;
        let adherence = self.rng.uniform(0.55, 1.0);
        for (k, &vi) in visits.iter().enumerate() {
            let start = encs[vi].start;
            let next = visits.get(k + 1).map(|&j| encs[j].start);
            let discontinue = self.rng.chance(0.05);
            let mut stop = match next {
                Some(n) if self.rng.chance(0.2) && n - 60 * DAY > start + 7 * DAY => {
                    // A gap before the renewal: supply ran out earlier.
                    Some(n - self.rng.range(15, 60) * DAY)
                }
                Some(n) => Some(n),
                None => until.or(self.p.death),
            };
            if discontinue {
                let s = start + self.rng.range(30, 180) * DAY;
                stop = Some(stop.map_or(s, |x| x.min(s)));
            }
            if let Some(s) = stop {
                stop = Some(s.clamp(start, self.life_end));
            }
            let days = (stop.unwrap_or(self.ctx.end) - start) as f64 / DAY as f64;
            let dispenses = ((days / 30.0) * adherence).round().max(1.0) as i64;
            by_enc[vi].push(Rx {
                med,
                reason: Some(reason),
                start,
                stop,
                dispenses,
            });
            if discontinue {
                break;
            }
        }
    }

    /// The drugs administered at each visit of chronic disease `ci`'s treatment courses.
    fn course_doses(&mut self, by_enc: &mut [Vec<Rx>], ci: usize) {
        let case = &self.plan.chronic[ci];
        for (i, e) in self.plan.encounters.iter().enumerate() {
            let Kind::Course(c, j, _) = e.kind else {
                continue;
            };
            if c != ci || e.class == Class::Inpatient {
                continue;
            }
            for m in case.def.courses[j].meds {
                by_enc[i].push(Rx {
                    med: *m,
                    reason: Some(case.def.code),
                    start: e.start,
                    stop: Some(e.stop.max(e.start + HOUR).min(self.life_end)),
                    dispenses: 1,
                });
            }
        }
    }

    // ------------------------------------------------------------------ encounters
    pub(super) fn encounter(&mut self, i: usize) {
        let e = self.plan.encounters[i].clone();
        self.lines.clear();
        let age = self.p.age_at(e.start);
        match e.kind {
            Kind::Wellness => self.wellness(&e, age, Some(i) == self.allergy_enc),
            Kind::Diagnosis(ci) => self.diagnosis(&e, ci, age),
            Kind::FollowUp(ci) => self.follow_up(&e, ci, age),
            Kind::Course(ci, j, k) => self.course_visit(&e, ci, j, k),
            Kind::Acute(ai) => self.acute(&e, ai, age),
            Kind::Routine => {
                if e.code == codes::ENC_VACCINE {
                    self.immunization(&e, codes::IMM_FLU);
                } else if self.rng.chance(0.4) {
                    self.procedure(&e, codes::PROC_HISTORY_EXAM, None);
                }
            }
            Kind::Emergency => {
                self.vitals_acute(&e, age, false);
                self.procedure(&e, codes::PROC_HISTORY_EXAM, e.reason);
            }
            Kind::Inpatient { first } => self.inpatient(&e, age, first),
            Kind::Snf => {
                self.procedure(&e, codes::PROC_REHAB, e.reason);
                self.stay_care(&e, codes::SNF_CARE, 2);
                self.careplan(
                    &e,
                    codes::code("226234005", "Healthy diet"),
                    e.reason,
                    e.start,
                    Some(e.stop),
                );
            }
            Kind::Hospice => {
                self.procedure(&e, codes::PROC_HOSPICE, None);
                self.stay_care(&e, &[codes::PROC_HOSPICE], 3);
            }
            Kind::Home => self.vitals_short(&e, age),
            Kind::DeathCertification => self.cause_of_death(&e),
        }
        self.sequels(&e, i);
        // Prescriptions decided in advance for this visit.
        let rxs = std::mem::take(&mut self.rx_by_enc[i]);
        for rx in &rxs {
            self.medication(&e, rx);
        }
        self.finish_encounter(&e);
    }

    /// The visit diagnosing chronic disease `ci`: the condition, the module's
    /// procedures, device, care plan and labs.
    fn diagnosis(&mut self, e: &Enc, ci: usize, age: f64) {
        let case = &self.plan.chronic[ci];
        let (def, stop) = (case.def, case.stop);
        self.condition(e, e.start, stop, def.code);
        for pc in def.diagnosis_procedures {
            self.procedure(e, *pc, Some(def.code));
        }
        if let Some(d) = def.device {
            self.device(e, d);
        }
        if def.kind == Chronic::Diabetes {
            self.supplies_diabetes(e);
        }
        if let Some(cp) = def.careplan {
            let until = stop.or(self.p.death);
            self.careplan(e, cp, Some(def.code), e.start, until);
        }
        self.chronic_labs(e, def.kind, age);
        self.module_labs(e, ci);
    }

    /// A follow-up of chronic disease `ci`: vitals, labs, the module's follow-up
    /// procedures, diabetes monitoring.
    fn follow_up(&mut self, e: &Enc, ci: usize, age: f64) {
        let def = self.plan.chronic[ci].def;
        self.vitals_short(e, age);
        if def.kind != Chronic::Hypertension {
            self.chronic_labs(e, def.kind, age);
        }
        self.module_labs(e, ci);
        for pc in def.follow_up_procedures {
            self.procedure(e, *pc, Some(def.code));
        }
        if def.kind == Chronic::Diabetes {
            self.procedure(e, codes::PROC_HBA1C, Some(def.code));
            self.supplies_diabetes(e);
        }
        if self.rng.chance(0.3) {
            self.procedure(e, codes::PROC_MED_RECONCILIATION, None);
        }
    }

    /// Visit `k` of treatment course `j` of chronic disease `ci`: its procedures (the
    /// final encounter's at the last visit) and, at its first recorded visit, the
    /// condition the course starts with.
    fn course_visit(&mut self, e: &Enc, ci: usize, j: usize, k: u32) {
        let def = self.plan.chronic[ci].def;
        let course = &def.courses[j];
        if !self.courses_started.contains(&(ci, j)) {
            self.courses_started.push((ci, j));
            if let Some(c) = course.condition {
                self.condition(e, e.start, None, c);
            }
        }
        let procedures = match &course.last {
            Some(f) if k == course.visits => f.procedures,
            _ => course.procedures,
        };
        for pc in procedures {
            self.procedure(e, *pc, Some(def.code));
        }
    }

    /// The module's own labs, around the disease's typical value.
    fn module_labs(&mut self, e: &Enc, ci: usize) {
        let def = self.plan.chronic[ci].def;
        for l in def.labs {
            let v = self.rng.normal(l.mean, l.sd).max(l.mean * 0.1);
            self.lab(e, &l.obs, v);
        }
    }

    /// Later conditions of the modules recorded at encounter `i`.
    fn sequels(&mut self, e: &Enc, i: usize) {
        let plan = self.plan;
        for (_, c) in plan.sequels.iter().filter(|(j, _)| *j == i) {
            self.condition(e, e.start, None, *c);
        }
    }

    /// The cause of death on the death certificate, as Synthea records it.
    fn cause_of_death(&mut self, e: &Enc) {
        if let Some(c) = self.plan.cause_of_death {
            self.obs_row(
                e.start,
                Some(e),
                &codes::OBS_CAUSE_OF_DEATH,
                ObsValue::Text(c.desc),
            );
        }
    }

    fn wellness(&mut self, e: &Enc, age: f64, allergies: bool) {
        // Wellness content is recorded over the window and the recent history before it.
        let in_window = e.start >= self.ctx.window_start - HISTORY_FOLLOW_UP_YEARS * YEAR;
        let bmi = self.vitals_full(e, age);
        if in_window {
            self.growth_percentiles(e, age, bmi);
            self.contraception(e, age);
            self.seasonal_antihistamine(e);
        }
        if age >= 18.0 && in_window {
            // Social-determinant findings: active until the next yearly visit.
            let n = self.rng.weighted(&[0.45, 0.35, 0.2]);
            let mut used = [false; 8];
            for _ in 0..n {
                let k = self.rng.index(codes::SDOH_FINDINGS.len());
                if used[k] {
                    continue;
                }
                used[k] = true;
                let stop = e.start + self.rng.range(300, 420) * DAY;
                let stop = (stop < self.life_end).then_some(stop);
                self.condition(e, e.start, stop, codes::SDOH_FINDINGS[k]);
            }
            if self.rng.chance(0.25) {
                let c = *self.rng.pick(codes::SDOH_RARE_FINDINGS);
                let stop = e.start + self.rng.range(300, 420) * DAY;
                let stop = (stop < self.life_end).then_some(stop);
                self.condition(e, e.start, stop, c);
            }
            self.labs_routine(e, age);
            self.surveys(e);
            self.screening_scores(e);
        }
        if age >= 12.0 && in_window {
            if self.rng.chance(0.6) {
                self.procedure(e, codes::PROC_SDOH, None);
            }
            if self.rng.chance(0.5) {
                self.procedure(e, codes::PROC_DEPRESSION, None);
                self.procedure(e, codes::PROC_PHQ2, None);
            }
            if age >= 18.0 && self.rng.chance(0.4) {
                self.procedure(e, codes::PROC_SUBSTANCE, None);
            }
            if self
                .plan
                .chronic
                .iter()
                .any(|c| !c.meds.is_empty() && c.onset < e.start)
            {
                self.procedure(e, codes::PROC_MED_RECONCILIATION, None);
            }
        }
        if in_window {
            for &(pc, min, max, prob) in codes::WELLNESS_SCREENINGS {
                if (min..max).contains(&age) && self.rng.chance(prob) {
                    self.procedure(e, pc, None);
                }
            }
        }
        self.wellness_immunizations(e, age);
        if allergies {
            self.allergies(e);
        }
    }

    fn acute(&mut self, e: &Enc, ai: usize, age: f64) {
        let a = &ACUTE[ai];
        let (lo, hi) = a.duration_days;
        let stop = e.start + self.rng.range(lo, hi + 1) * DAY;
        let stop = (stop < self.life_end).then_some(stop);
        self.condition(e, e.start, stop, a.code);
        if matches!(e.class, Class::Emergency | Class::Urgentcare) {
            self.vitals_acute(e, age, true);
        }
        for (m, prob) in a.meds {
            if self.rng.chance(*prob) {
                let s = (e.start + self.rng.range(7, 15) * DAY).min(self.life_end);
                let rx = Rx {
                    med: *m,
                    reason: Some(a.code),
                    start: e.start,
                    stop: Some(s),
                    dispenses: 1,
                };
                self.medication(e, &rx);
            }
        }
        if a.injury {
            self.injury_analgesic(e, age);
        }
        if let Some(pc) = a.procedure {
            self.procedure(e, pc, Some(a.code));
        }
        if let Some(im) = &a.imaging {
            self.imaging(e, im);
        }
        if let Some(cp) = a.careplan {
            self.careplan(e, cp, Some(a.code), e.start, stop);
        }
        if a.code.code == "840539006" {
            for s in [
                codes::SUPPLY_GLOVES,
                codes::SUPPLY_GOWN,
                codes::SUPPLY_RESPIRATOR,
            ] {
                let q = self.rng.range(1, 4);
                self.supply(e, s, q);
            }
        }
    }

    fn inpatient(&mut self, e: &Enc, age: f64, first: bool) {
        let n = if first { self.rng.range(1, 4) } else { 1 };
        let mut used = [false; 5];
        for _ in 0..n {
            let k = self.rng.index(codes::INPATIENT_PROCEDURES.len());
            if used[k] {
                continue;
            }
            used[k] = true;
            self.procedure(e, codes::INPATIENT_PROCEDURES[k], e.reason);
        }
        if !first {
            return;
        }
        if let Some(r) = e.reason {
            let chronic_reason = self.plan.chronic.iter().any(|c| c.def.code == r);
            if !chronic_reason {
                let stop = e.stop + self.rng.range(0, 15) * DAY;
                let stop = (stop < self.life_end).then_some(stop);
                self.condition(e, e.start, stop, r);
            }
        }
        self.careplan(
            e,
            codes::INPATIENT_CAREPLAN,
            e.reason,
            e.start,
            Some(e.stop),
        );
        self.vitals_acute(e, age, false);
        let cr = self.creatinine(e.start);
        self.lab(e, &codes::OBS_CREATININE, cr);
        let g = self.glucose(e.start);
        self.lab(e, &codes::OBS_GLUCOSE, g);
    }

    // ------------------------------------------------------------------ state at a time
    pub(super) fn has_at(&self, k: Chronic, t: i64) -> bool {
        self.plan.chronic.iter().any(|c| c.is(k) && c.onset <= t)
    }

    fn treated_at(&self, k: Chronic, t: i64) -> bool {
        self.plan
            .chronic
            .iter()
            .any(|c| c.is(k) && c.onset <= t && !c.meds.is_empty())
    }

    fn height_at(&self, age: f64) -> f64 {
        let adult = self.adult_height;
        if age >= 18.0 {
            return adult;
        }
        let grown = if age < 1.0 {
            50.0 + 25.0 * age
        } else if age < 2.0 {
            75.0 + 12.0 * (age - 1.0)
        } else if age < 12.0 {
            87.0 + 6.4 * (age - 2.0)
        } else {
            151.0 + (adult - 151.0) * (age - 12.0) / 6.0
        };
        grown * adult / if self.p.female { 162.0 } else { 176.0 }
    }

    fn bmi_at(&mut self, age: f64) -> f64 {
        if age < 18.0 {
            return self
                .rng
                .normal(16.5 + 0.2 * age.min(17.0), 1.2)
                .clamp(13.0, 30.0);
        }
        self.p.risk.bmi_at(age) + self.rng.normal(0.0, 0.5)
    }

    fn systolic(&mut self, age: f64, t: i64) -> f64 {
        let mut s = self.rng.normal(112.0, 7.0) + 0.35 * (age - 30.0).max(0.0);
        if age < 12.0 {
            s -= 10.0;
        }
        if self.has_at(Chronic::Hypertension, t) {
            s += if self.treated_at(Chronic::Hypertension, t) && self.rng.chance(0.6) {
                12.0
            } else {
                28.0
            };
        }
        s.clamp(82.0, 195.0)
    }

    fn hba1c(&mut self, t: i64) -> f64 {
        if self.has_at(Chronic::Diabetes, t) {
            self.rng.normal(7.8, 1.0).clamp(6.5, 12.5)
        } else if self.has_at(Chronic::Prediabetes, t) {
            self.rng.uniform(5.7, 6.4)
        } else {
            self.rng.normal(5.2, 0.2).clamp(4.3, 5.6)
        }
    }

    fn glucose(&mut self, t: i64) -> f64 {
        let a = self.hba1c(t);
        (28.7 * a - 46.7 + self.rng.normal(0.0, 8.0)).clamp(60.0, 400.0)
    }

    fn creatinine(&mut self, t: i64) -> f64 {
        if self.has_at(Chronic::Ckd, t) {
            self.rng.uniform(1.4, 3.2)
        } else {
            self.rng
                .normal(if self.p.female { 0.8 } else { 1.0 }, 0.12)
                .clamp(0.5, 1.3)
        }
    }

    // ------------------------------------------------------------------ observations
    fn obs_row(&mut self, ts: i64, enc: Option<&Enc>, o: &Obs, value: ObsValue<'_>) {
        let v3 = self.v3;
        let pid = self.p.id;
        let mut r = self
            .chunk
            .row(TableKind::Observations)
            .ts(ts)
            .id(pid)
            .opt_id(enc.map(|e| e.id));
        if v3 {
            r = r.s(o.category);
        }
        r = r.s(o.code).s(if v3 { o.desc_v3 } else { o.desc_v2 });
        match value {
            ObsValue::Num(x) => r
                .tenths((x * 10.0).round() as i64)
                .s(o.units)
                .s("numeric")
                .end(),
            ObsValue::Text(t) => r.s(t).s(o.units).s("text").end(),
        }
    }

    pub(super) fn vital(&mut self, e: &Enc, o: &Obs, v: f64) {
        self.obs_row(e.start, Some(e), o, ObsValue::Num(v));
    }

    /// A survey score recorded at the visit's start.
    pub(super) fn survey_score(&mut self, e: &Enc, o: &Obs, v: f64) {
        self.obs_row(e.start, Some(e), o, ObsValue::Num(v));
    }

    fn lab(&mut self, e: &Enc, o: &Obs, v: f64) {
        // Labs are resulted a few minutes into the visit.
        let ts = (e.start + 5 * 60).min(e.stop);
        self.obs_row(ts, Some(e), o, ObsValue::Num(v));
    }

    /// The full vital-signs panel of a wellness visit; returns the BMI measured.
    fn vitals_full(&mut self, e: &Enc, age: f64) -> f64 {
        let h = self.height_at(age) + self.rng.normal(0.0, 0.4);
        let bmi = self.bmi_at(age);
        let w = bmi * (h / 100.0) * (h / 100.0);
        let bmi = w / ((h / 100.0) * (h / 100.0));
        self.vital(e, &codes::OBS_HEIGHT, h);
        let pain = self.rng.range(0, 5) as f64;
        self.vital(e, &codes::OBS_PAIN, pain);
        self.vital(e, &codes::OBS_WEIGHT, w);
        if age >= 2.0 {
            self.vital(e, &codes::OBS_BMI, bmi);
        }
        let sys = self.systolic(age, e.start);
        let dia = (sys * 0.63 + self.rng.normal(0.0, 4.0)).clamp(50.0, 120.0);
        self.vital(e, &codes::OBS_DIASTOLIC, dia.round());
        self.vital(e, &codes::OBS_SYSTOLIC, sys.round());
        let hr = self.heart_rate(age, e.start);
        self.vital(e, &codes::OBS_HEART_RATE, hr);
        let rr = self
            .rng
            .normal(if age < 10.0 { 22.0 } else { 15.0 }, 1.8)
            .round();
        self.vital(e, &codes::OBS_RESP_RATE, rr);
        if age >= 12.0 {
            let answer = codes::TOBACCO_ANSWERS[usize::from(self.p.smoking.min(2))];
            self.obs_row(
                e.start,
                Some(e),
                &codes::OBS_TOBACCO,
                ObsValue::Text(answer),
            );
        }
        bmi
    }

    fn heart_rate(&mut self, age: f64, t: i64) -> f64 {
        let base = if age < 2.0 {
            125.0
        } else if age < 12.0 {
            95.0
        } else {
            74.0
        };
        let hf = if self.has_at(Chronic::HeartFailure, t) {
            9.0
        } else {
            0.0
        };
        (self.rng.normal(base + hf, 9.0)).clamp(45.0, 199.0)
    }

    fn vitals_short(&mut self, e: &Enc, age: f64) {
        let sys = self.systolic(age, e.start);
        let dia = (sys * 0.63 + self.rng.normal(0.0, 4.0)).clamp(50.0, 120.0);
        self.vital(e, &codes::OBS_DIASTOLIC, dia.round());
        self.vital(e, &codes::OBS_SYSTOLIC, sys.round());
        let hr = self.heart_rate(age, e.start);
        self.vital(e, &codes::OBS_HEART_RATE, hr);
        if age >= 18.0 {
            let h = self.height_at(age);
            let bmi = self.bmi_at(age);
            self.vital(e, &codes::OBS_WEIGHT, bmi * (h / 100.0) * (h / 100.0));
        }
    }

    fn vitals_acute(&mut self, e: &Enc, age: f64, infection: bool) {
        let hr = self.heart_rate(age, e.start) + 8.0;
        self.vital(e, &codes::OBS_HEART_RATE, hr.min(199.0));
        let rr = self.rng.normal(18.0, 2.5).round();
        self.vital(e, &codes::OBS_RESP_RATE, rr);
        let copd = self.has_at(Chronic::Copd, e.start);
        let spo2 = if copd {
            self.rng.uniform(86.0, 94.0)
        } else {
            self.rng.uniform(94.0, 99.5)
        };
        self.vital(e, &codes::OBS_SPO2, spo2);
        let temp = if infection && self.rng.chance(0.5) {
            self.rng.uniform(37.6, 39.6)
        } else {
            self.rng.normal(36.9, 0.3)
        };
        self.vital(e, &codes::OBS_TEMPERATURE, temp);
        let sys = self.systolic(age, e.start) + 5.0;
        let dia = (sys * 0.63 + self.rng.normal(0.0, 4.0)).clamp(50.0, 125.0);
        self.vital(e, &codes::OBS_DIASTOLIC, dia.round());
        self.vital(e, &codes::OBS_SYSTOLIC, sys.round());
    }

    fn lipid_panel(&mut self, e: &Enc) {
        let hld = self.has_at(Chronic::Hyperlipidemia, e.start);
        let treated =
            hld && self.treated_at(Chronic::Hyperlipidemia, e.start) && self.rng.chance(0.5);
        let total = if hld && !treated {
            self.rng.normal(245.0, 22.0)
        } else {
            self.rng.normal(182.0, 18.0)
        };
        let dm = self.has_at(Chronic::Diabetes, e.start);
        let trig = self
            .rng
            .normal(if dm { 175.0 } else { 120.0 }, 30.0)
            .clamp(40.0, 500.0);
        let hdl = self.rng.normal(54.0, 10.0).clamp(20.0, 100.0);
        let ldl = (total - hdl - trig / 5.0).max(30.0);
        self.lab(e, &codes::OBS_CHOLESTEROL, total.clamp(100.0, 350.0));
        self.lab(e, &codes::OBS_TRIGLYCERIDES, trig);
        self.lab(e, &codes::OBS_LDL, ldl);
        self.lab(e, &codes::OBS_HDL, hdl);
    }

    fn metabolic_panel(&mut self, e: &Enc, age: f64) {
        let g = self.glucose(e.start);
        self.lab(e, &codes::OBS_GLUCOSE, g);
        let ckd = self.has_at(Chronic::Ckd, e.start);
        let urea = if ckd {
            self.rng.uniform(25.0, 50.0)
        } else {
            self.rng.normal(14.0, 3.5).clamp(6.0, 24.0)
        };
        self.lab(e, &codes::OBS_UREA, urea);
        let cr = self.creatinine(e.start);
        self.lab(e, &codes::OBS_CREATININE, cr);
        let egfr = 175.0
            * cr.powf(-1.154)
            * age.max(18.0).powf(-0.203)
            * if self.p.female { 0.742 } else { 1.0 };
        self.lab(e, &codes::OBS_EGFR, egfr.clamp(5.0, 140.0));
        let na = self.rng.normal(140.0, 1.8);
        self.lab(e, &codes::OBS_SODIUM, na);
        let k = self.rng.normal(4.2, 0.3);
        self.lab(e, &codes::OBS_POTASSIUM, k);
        let ca = self.rng.normal(9.4, 0.3);
        self.lab(e, &codes::OBS_CALCIUM, ca);
        self.panel(e, codes::ELECTROLYTES);
    }

    /// Each lab of `panel`, drawn within its normal range.
    fn panel(&mut self, e: &Enc, panel: &[codes::PanelLab]) {
        for l in panel {
            let v = self.rng.uniform(l.low, l.high);
            self.lab(e, &l.obs, v);
        }
    }

    /// A complete blood count: the panel, with hemoglobin following anemia.
    fn blood_count(&mut self, e: &Enc) {
        self.panel(e, codes::CBC_PANEL);
        let hb = self.hemoglobin(e.start);
        self.lab(e, &codes::OBS_HEMOGLOBIN, hb);
    }

    fn hemoglobin(&mut self, t: i64) -> f64 {
        if self.has_at(Chronic::Anemia, t) {
            self.rng.uniform(8.5, 11.5)
        } else {
            self.rng
                .normal(if self.p.female { 13.5 } else { 15.0 }, 0.8)
        }
    }

    fn labs_routine(&mut self, e: &Enc, age: f64) {
        let chronic_burden = self
            .plan
            .chronic
            .iter()
            .any(|c| c.onset <= e.start && c.def.follow_ups_per_year > 0.0);
        if chronic_burden || age >= 40.0 || self.rng.chance(0.3) {
            self.metabolic_panel(e, age);
        }
        if (age >= 20.0 && self.rng.chance(0.35)) || self.has_at(Chronic::Hyperlipidemia, e.start) {
            self.lipid_panel(e);
        }
        if self.has_at(Chronic::Diabetes, e.start) || self.has_at(Chronic::Prediabetes, e.start) {
            let a = self.hba1c(e.start);
            self.lab(e, &codes::OBS_HBA1C, a);
        }
        if self.has_at(Chronic::Anemia, e.start) || self.rng.chance(0.4) {
            self.blood_count(e);
        }
        if self.rng.chance(0.3) {
            self.panel(e, codes::HEPATIC_PANEL);
        }
    }

    fn chronic_labs(&mut self, e: &Enc, kind: Chronic, age: f64) {
        match kind {
            Chronic::Diabetes | Chronic::Prediabetes => {
                let a = self.hba1c(e.start);
                self.lab(e, &codes::OBS_HBA1C, a);
                let g = self.glucose(e.start);
                self.lab(e, &codes::OBS_GLUCOSE, g);
            }
            Chronic::Hyperlipidemia => self.lipid_panel(e),
            Chronic::Ckd => {
                let cr = self.creatinine(e.start);
                self.lab(e, &codes::OBS_CREATININE, cr);
            }
            Chronic::Hypertension => self.vitals_short(e, age),
            Chronic::Depression => {
                let s = self.rng.range(3, 7) as f64;
                self.obs_row(e.start, Some(e), &codes::OBS_PHQ2, ObsValue::Num(s));
            }
            _ => {}
        }
    }

    fn surveys(&mut self, e: &Enc) {
        let depressed = self.has_at(Chronic::Depression, e.start);
        let phq = if depressed {
            self.rng.range(3, 7)
        } else {
            self.rng.range(0, 3)
        } as f64;
        self.obs_row(e.start, Some(e), &codes::OBS_PHQ2, ObsValue::Num(phq));
        if self.rng.chance(0.6) {
            let gad = if depressed {
                self.rng.range(6, 16)
            } else {
                self.rng.range(0, 6)
            } as f64;
            self.obs_row(e.start, Some(e), &codes::OBS_GAD7, ObsValue::Num(gad));
        }
        if self.rng.chance(0.8) {
            let hh = self.rng.range(1, 6) as f64;
            self.obs_row(e.start, Some(e), &codes::OBS_HOUSEHOLD, ObsValue::Num(hh));
            for (o, answers) in codes::SURVEY_TEXT {
                let w: Vec<f64> = (0..answers.len())
                    .map(|i| if i == 0 { 4.0 } else { 1.0 })
                    .collect();
                let a = answers[self.rng.weighted(&w)];
                self.obs_row(e.start, Some(e), o, ObsValue::Text(a));
            }
        }
    }

    /// Yearly QALY/DALY/QOLS rows with empty ENCOUNTER (and CATEGORY), as real exports have.
    pub(super) fn quality_of_life(&mut self, ws: i64) {
        let burden = self.plan.chronic.len() as f64;
        let mut t = ws + self.rng.range(0, YEAR / 2);
        let mut qaly = self.p.age_at(t) * (1.0 - 0.01 * burden).max(0.7);
        let mut daly = 0.0;
        while t < self.life_end {
            let active = self.plan.chronic.iter().filter(|c| c.onset <= t).count() as f64;
            let qols = (1.0 - 0.03 * active - self.rng.uniform(0.0, 0.05)).clamp(0.2, 1.0);
            qaly += qols;
            daly += 1.0 - qols;
            self.obs_row(t, None, &codes::OBS_QALY, ObsValue::Num(qaly));
            self.obs_row(t, None, &codes::OBS_DALY, ObsValue::Num(daly));
            self.obs_row(t, None, &codes::OBS_QOLS, ObsValue::Num(qols));
            if let Some(seg) = self.segment_index(t) {
                let payer = self.segments[seg].payer;
                let ps = &mut self.chunk.stats.payers[payer];
                ps.qols_tenths += (qols * 10.0).round() as i64;
                ps.qols_count += 1;
            }
            t += YEAR;
        }
    }

    // ------------------------------------------------------------------ other tables
    fn condition(&mut self, e: &Enc, start: i64, stop: Option<i64>, c: Code) {
        let pid = self.p.id;
        self.chunk
            .row(TableKind::Conditions)
            .date(start)
            .opt_date(stop)
            .id(pid)
            .id(e.id)
            .s(c.code)
            .s(c.desc)
            .end();
    }

    fn careplan(&mut self, e: &Enc, c: Code, reason: Option<Code>, start: i64, stop: Option<i64>) {
        let id = self.rng.uuid();
        let pid = self.p.id;
        let stop = stop.filter(|s| *s <= self.life_end && day_diff(start, *s) >= 0);
        self.chunk
            .row(TableKind::Careplans)
            .id(id)
            .date(start)
            .opt_date(stop)
            .id(pid)
            .id(e.id)
            .s(c.code)
            .s(c.desc)
            .opt(reason.map(|r| r.code))
            .opt(reason.map(|r| r.desc))
            .end();
    }

    /// Care given every `every_days` days of a long stay (skilled nursing, hospice): one
    /// of `care` each time, the stay's reason as the reason.
    fn stay_care(&mut self, e: &Enc, care: &[(Code, i64)], every_days: i64) {
        let mut t = e.start + every_days * DAY;
        while t < e.stop - HOUR {
            let pc = care[self.rng.index(care.len())];
            let at = t + self.rng.range(0, 8 * HOUR);
            self.procedure_at(e, pc, e.reason, at.min(e.stop));
            t += every_days * DAY;
        }
    }

    pub(crate) fn procedure(&mut self, e: &Enc, pc: (Code, i64), reason: Option<Code>) {
        let len = (e.stop - e.start).max(60);
        let start = e.start + self.rng.range(0, len / 2);
        self.procedure_at(e, pc, reason, start);
    }

    /// A procedure of encounter `e` starting at `start` (within the encounter).
    fn procedure_at(&mut self, e: &Enc, (c, cost): (Code, i64), reason: Option<Code>, start: i64) {
        let cost = (cost as f64 * self.rng.uniform(0.85, 1.15)) as i64;
        let stop = (start + self.rng.range(5, 30) * 60).min(e.stop.max(start));
        let pid = self.p.id;
        let mut r = self.chunk.row(TableKind::Procedures);
        r = if self.v3 {
            r.ts(start).ts(stop)
        } else {
            r.ts(start)
        };
        r.id(pid)
            .id(e.id)
            .s(c.code)
            .s(c.desc)
            .money(cost)
            .opt(reason.map(|x| x.code))
            .opt(reason.map(|x| x.desc))
            .end();
        self.chunk.stats.provider_procedures[e.provider] += 1;
        self.lines.push(Line {
            code: c,
            cost,
            kind: LineKind::Procedure,
            from: start,
            to: stop,
        });
    }

    fn immunization(&mut self, e: &Enc, c: Code) {
        let cost = 13_600;
        let pid = self.p.id;
        self.chunk
            .row(TableKind::Immunizations)
            .ts(e.start)
            .id(pid)
            .id(e.id)
            .s(c.code)
            .s(c.desc)
            .money(cost)
            .end();
        self.lines.push(Line {
            code: c,
            cost,
            kind: LineKind::Immunization,
            from: e.start,
            to: e.stop,
        });
    }

    fn wellness_immunizations(&mut self, e: &Enc, age: f64) {
        let months = ((e.start - self.p.birth) as f64 / (YEAR as f64 / 12.0)).round() as i64;
        if age < 12.0 {
            for (m, vaccines) in codes::CHILD_SCHEDULE {
                if (months - m).abs() <= 1 || (*m == 48 && (months - 48).abs() <= 6 && age < 5.0) {
                    for v in *vaccines {
                        self.immunization(e, *v);
                    }
                    break;
                }
            }
        }
        if let Some((_, vaccines)) = codes::TEEN_SCHEDULE
            .iter()
            .find(|(y, _)| (age - *y as f64).abs() < 0.5)
        {
            for v in *vaccines {
                self.immunization(e, *v);
            }
        }
        if age >= 0.5 && self.rng.chance(if age >= 65.0 { 0.8 } else { 0.6 }) {
            self.immunization(e, codes::IMM_FLU);
        }
        if age >= 19.0 && e.start - self.last_td > 10 * YEAR && self.rng.chance(0.3) {
            self.last_td = e.start;
            self.immunization(e, codes::IMM_TD);
        }
        if crate::time::year_of(e.start) >= 2021
            && age >= 12.0
            && self.had_covid_vaccine < 2
            && self.rng.chance(0.7)
        {
            self.had_covid_vaccine += 1;
            self.immunization(e, codes::IMM_COVID);
        }
        if age >= 65.0 && !self.had_pneumo {
            self.had_pneumo = true;
            self.immunization(e, codes::IMM_PNEUMO);
        }
        if age >= 50.0 && !self.had_zoster && self.rng.chance(0.3) {
            self.had_zoster = true;
            self.immunization(e, codes::IMM_ZOSTER);
        }
    }

    fn allergies(&mut self, e: &Enc) {
        let n = self.rng.range(1, 4);
        let mut used = [false; 16];
        for _ in 0..n {
            let k = self.rng.index(codes::ALLERGIES.len());
            if used[k] {
                continue;
            }
            used[k] = true;
            let a = &codes::ALLERGIES[k];
            let pid = self.p.id;
            let reactions = self.rng.weighted(&[0.4, 0.45, 0.15]);
            let r1 = *self.rng.pick(codes::REACTIONS);
            let r2 = *self.rng.pick(codes::REACTIONS);
            let s1 = *self.rng.pick(&["MILD", "MODERATE", "SEVERE"]);
            let s2 = *self.rng.pick(&["MILD", "MODERATE"]);
            let stop = if self.rng.chance(0.05) {
                Some(e.start + self.rng.range(200, 2000) * DAY).filter(|s| *s < self.life_end)
            } else {
                None
            };
            let mut r = self
                .chunk
                .row(TableKind::Allergies)
                .date(e.start)
                .opt_date(stop)
                .id(pid)
                .id(e.id)
                .s(a.code.code);
            if self.v3 {
                r = r.s(a.system).s(a.code.desc).s(a.kind).s(a.category);
                r = if reactions >= 1 {
                    r.s(r1.code).s(r1.desc).s(s1)
                } else {
                    r.nulls(3)
                };
                r = if reactions >= 2 && r2 != r1 {
                    r.s(r2.code).s(r2.desc).s(s2)
                } else {
                    r.nulls(3)
                };
            } else {
                r = r.s(a.code.desc);
            }
            r.end();
        }
    }

    fn device(&mut self, e: &Enc, c: Code) {
        let pid = self.p.id;
        let made = e.start - self.rng.range(30, 400) * DAY;
        let expires = e.start + self.rng.range(365, 3650) * DAY;
        let mut udi = String::with_capacity(64);
        udi.push_str("(01)");
        udi.push_str(&format!(
            "{:014}",
            self.rng.range(10_000_000_000_000, 99_999_999_999_999)
        ));
        udi.push_str("(11)");
        udi.push_str(&yymmdd(made));
        udi.push_str("(17)");
        udi.push_str(&yymmdd(expires));
        udi.push_str(&format!(
            "(10){}(21){}",
            self.rng.range(1_000_000, 9_999_999_999),
            self.rng.range(1000, 9_999_999)
        ));
        self.chunk
            .row(TableKind::Devices)
            .ts(e.start)
            .null()
            .id(pid)
            .id(e.id)
            .s(c.code)
            .s(c.desc)
            .s(&udi)
            .end();
    }

    fn supply(&mut self, e: &Enc, c: Code, qty: i64) {
        let pid = self.p.id;
        self.chunk
            .row(TableKind::Supplies)
            .date(e.start)
            .id(pid)
            .id(e.id)
            .s(c.code)
            .s(c.desc)
            .int(qty)
            .end();
    }

    fn supplies_diabetes(&mut self, e: &Enc) {
        self.supply(e, codes::SUPPLY_STRIPS, 50);
        if self.rng.chance(0.3) {
            self.supply(e, codes::SUPPLY_LANCET, 100);
        }
    }

    fn imaging(&mut self, e: &Enc, im: &codes::Imaging) {
        let id = self.rng.uuid();
        let pid = self.p.id;
        let ms = e.start * 1000 + self.rng.range(0, 1000);
        let series = format!(
            "1.2.840.99999999.1.{}.{}",
            self.rng.range(10_000_000, 99_999_999),
            ms
        );
        let instance = format!(
            "1.2.840.99999999.1.1.{}.{}",
            self.rng.range(10_000_000, 99_999_999),
            ms
        );
        self.chunk
            .row(TableKind::ImagingStudies)
            .id(id)
            .ts(e.start)
            .id(pid)
            .id(e.id)
            .s(&series)
            .s(im.bodysite.code)
            .s(im.bodysite.desc)
            .s("DX")
            .s("Digital Radiography")
            .s(&instance)
            .s(codes::SOP_DX.code)
            .s(codes::SOP_DX.desc)
            .s(im.procedure_code)
            .end();
    }
}

fn yymmdd(ts: i64) -> String {
    let mut v = Vec::with_capacity(10);
    crate::time::write_date(&mut v, ts);
    let s = String::from_utf8_lossy(&v);
    format!("{}{}{}", &s[2..4], &s[5..7], &s[8..10])
}

/// An observation value.
enum ObsValue<'s> {
    Num(f64),
    Text(&'s str),
}
