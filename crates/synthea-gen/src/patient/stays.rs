//! Inpatient stays: unplanned admissions (through the emergency department at the
//! configured rate) with nested ICU stays, contiguous stays, transfers to another
//! hospital at the configured rate and skilled nursing; then 30-day readmissions at the
//! configured rate over every index stay, whatever planned it (unplanned admissions,
//! deliveries, joint replacements).

use crate::patient::demographics::Person;
use crate::patient::timeline::{Builder, ChronicCase, Class, Enc, Kind};
use crate::reference::codes::{self, Code};
use crate::reference::modules::Chronic;
use crate::reference::organizations::OrgKind;
use crate::time::{DAY, HOUR, YEAR};

/// One inpatient admission as planned: when the patient was admitted and discharged
/// from the first hospital, and why.
struct Admission {
    admit: i64,
    stop: i64,
    reason: Code,
}

/// A stay as a readmission measure sees it: inpatient encounters of one hospital whose
/// admission day is at most one day after the running discharge day, merged.
#[derive(Clone, Copy, Debug)]
struct Span {
    admit_day: i64,
    discharge_day: i64,
    /// The next stay is at another hospital and admitted at most a day after this
    /// discharge: a transfer, not a discharge home.
    transfer_out: bool,
}

/// The diseases that cause admissions.
fn serious(chronic: &[ChronicCase]) -> Vec<&ChronicCase> {
    chronic
        .iter()
        .filter(|c| {
            matches!(
                c.def.kind,
                Chronic::HeartFailure
                    | Chronic::Copd
                    | Chronic::ObstructiveBronchitis
                    | Chronic::Cad
                    | Chronic::Diabetes
                    | Chronic::Ckd
                    | Chronic::Asthma
            )
        })
        .collect()
}

impl Builder<'_, '_> {
    /// Unplanned inpatient stays, at least 32 days apart (readmissions come from
    /// [`Self::readmissions`]), more often with serious chronic diseases and age.
    pub(super) fn inpatient_stays(
        &mut self,
        p: &Person,
        chronic: &[ChronicCase],
        hospital: usize,
        ws: i64,
    ) {
        let serious = serious(chronic);
        let mut t = (p.birth + YEAR).max(ws - 8 * YEAR);
        loop {
            let age = p.age_at(t);
            let rate = (if t < ws { 0.02 } else { 0.045 })
                + 0.07 * serious.len() as f64
                + if age > 65.0 { 0.08 } else { 0.0 };
            t += self.rng.exp(YEAR as f64 / rate) as i64;
            let admit_day = t.div_euclid(DAY) * DAY;
            if admit_day + 2 * DAY >= self.life_end {
                break;
            }
            let Some(discharge) = self.unplanned_stay(p, &serious, admit_day, hospital) else {
                break;
            };
            t = discharge.div_euclid(DAY) * DAY + 32 * DAY;
        }
    }

    /// An unplanned stay admitted on `admit_day`: the admission, sometimes an ICU stay
    /// or a contiguous surgical stay, a transfer, skilled nursing. Returns the final
    /// discharge (`None` when life ends before a one-day stay).
    fn unplanned_stay(
        &mut self,
        p: &Person,
        serious: &[&ChronicCase],
        admit_day: i64,
        hospital: usize,
    ) -> Option<i64> {
        let reason = self.admission_reason(serious, admit_day);
        let stay = self.admission(admit_day, reason, hospital)?;
        self.nested_icu_stay(&stay, hospital);
        let discharge = self.contiguous_stay(stay.stop, reason, hospital);
        let discharge = self.transfer(discharge, reason, hospital);
        self.skilled_nursing(p, discharge, reason);
        Some(discharge)
    }

    /// 30-day readmissions: every index stay planned so far (discharged alive and not
    /// transferred), in time order, is followed with the configured probability by an
    /// unplanned stay admitted 2–30 days after its discharge day — unless the next stay
    /// already falls in that window. Added stays are index stays in turn.
    pub(super) fn readmissions(&mut self, p: &Person, chronic: &[ChronicCase], hospital: usize) {
        let serious = serious(chronic);
        let death_day = p.death.map(|d| d.div_euclid(DAY) * DAY);
        let mut done = i64::MIN;
        loop {
            let spans = spans(&self.encs);
            let Some(k) = spans
                .iter()
                .position(|s| s.discharge_day > done && !s.transfer_out)
            else {
                break;
            };
            let s = spans[k];
            done = s.discharge_day;
            if death_day.is_some_and(|d| d <= s.discharge_day) {
                continue;
            }
            let next = spans.get(k + 1).map(|n| n.admit_day);
            if next.is_some_and(|a| a <= s.discharge_day + 30 * DAY)
                || !self.rng.chance(self.ctx.readmission_rate)
            {
                continue;
            }
            // Admitted 2..=30 days after the discharge day, before the next stay and
            // at least two days before the record ends.
            let first = s.discharge_day + 2 * DAY;
            let last = (s.discharge_day + 30 * DAY)
                .min(next.map_or(i64::MAX, |a| a - 3 * DAY))
                .min((self.life_end - 2 * DAY).div_euclid(DAY) * DAY);
            if last < first {
                continue;
            }
            let admit_day = first + self.rng.range(0, (last - first) / DAY + 1) * DAY;
            if self
                .unplanned_stay(p, &serious, admit_day, hospital)
                .is_none()
            {
                break;
            }
        }
    }

    /// Reason of an admission: a serious chronic disease, else an acute cause.
    fn admission_reason(&mut self, serious: &[&ChronicCase], admit_day: i64) -> Code {
        if !serious.is_empty() && self.rng.chance(0.6) {
            let c = serious[self.rng.index(serious.len())];
            if c.onset < admit_day {
                c.def.code
            } else {
                *self.rng.pick(codes::ADMISSION_REASONS)
            }
        } else {
            *self.rng.pick(codes::ADMISSION_REASONS)
        }
    }

    /// The admission on `admit_day` (through the emergency department at the configured
    /// rate) and its
    /// length of stay: ≥ 1 day, right-skewed (median ≈ 3.5 days). `None` when the
    /// patient's life ends before a one-day stay.
    fn admission(&mut self, admit_day: i64, reason: Code, hospital: usize) -> Option<Admission> {
        let life_end = self.life_end;
        let mut admit = admit_day + self.rng.range(0, DAY - 6 * HOUR);
        if self.rng.chance(self.ctx.er_admission_rate) {
            // Through the emergency department on the admission day.
            let prov = self.ctx.reference.provider_of(self.rng, hospital);
            let er_len = self.rng.range(HOUR, 4 * HOUR);
            self.push(
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
        let los_days = 1.0 + self.rng.normal(0.9, 0.75).exp().min(29.0);
        let mut stop = admit + (los_days * DAY as f64) as i64;
        if stop >= life_end - HOUR {
            stop = life_end - HOUR;
            if stop - admit < DAY {
                return None;
            }
        }
        let prov = self.ctx.reference.provider_of(self.rng, hospital);
        self.push(
            admit,
            stop - admit,
            Class::Inpatient,
            codes::ENC_INPATIENT,
            Some(reason),
            hospital,
            prov,
            Kind::Inpatient { first: true },
        );
        Some(Admission {
            admit,
            stop,
            reason,
        })
    }

    /// Sometimes an ICU-like stay nested inside the admission.
    fn nested_icu_stay(&mut self, stay: &Admission, hospital: usize) {
        let Admission {
            admit,
            stop,
            reason,
        } = *stay;
        if self.rng.chance(0.08) && stop - admit > 2 * DAY {
            let s = admit + ((stop - admit) as f64 * self.rng.uniform(0.1, 0.4)) as i64;
            let e = s + ((stop - s) as f64 * self.rng.uniform(0.3, 0.8)) as i64;
            let prov = self.ctx.reference.provider_of(self.rng, hospital);
            self.push(
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
    }

    /// Sometimes a contiguous stay at the same hospital (a surgical admission right
    /// after). Returns the discharge after it.
    fn contiguous_stay(&mut self, discharge: i64, reason: Code, hospital: usize) -> i64 {
        if !self.rng.chance(0.04) {
            return discharge;
        }
        let s = discharge + self.rng.range(0, 2 * HOUR);
        let e = s + self.rng.range(DAY, 3 * DAY);
        if e >= self.life_end - HOUR {
            return discharge;
        }
        let prov = self.ctx.reference.provider_of(self.rng, hospital);
        self.push(
            s,
            e - s,
            Class::Inpatient,
            codes::ENC_SURGICAL,
            Some(reason),
            hospital,
            prov,
            Kind::Inpatient { first: false },
        );
        e
    }

    /// A transfer to another hospital the same or next day at the configured rate.
    /// Returns the discharge after it.
    fn transfer(&mut self, discharge: i64, reason: Code, hospital: usize) -> i64 {
        if !self.rng.chance(self.ctx.transfer_rate) {
            return discharge;
        }
        let other = self.ctx.reference.other_hospital(self.rng, hospital);
        let s = discharge + self.rng.range(HOUR, 20 * HOUR);
        let e = s + self.rng.range(DAY, 6 * DAY);
        if e >= self.life_end - HOUR {
            return discharge;
        }
        let prov = self.ctx.reference.provider_of(self.rng, other);
        self.push(
            s,
            e - s,
            Class::Inpatient,
            codes::ENC_INPATIENT,
            Some(reason),
            other,
            prov,
            Kind::Inpatient { first: false },
        );
        e
    }

    /// Skilled nursing after discharge for some of the elderly (65+).
    fn skilled_nursing(&mut self, p: &Person, discharge: i64, reason: Code) {
        if !(p.age_at(discharge) > 65.0 && self.rng.chance(0.3)) {
            return;
        }
        let snf = self
            .ctx
            .reference
            .org_in(self.rng, p.city, OrgKind::Nursing);
        let prov = self.ctx.reference.provider_of(self.rng, snf);
        let s = discharge + self.rng.range(HOUR, 6 * HOUR);
        let len = self.rng.range(5 * DAY, 25 * DAY);
        if s + len < self.life_end - HOUR {
            self.push(
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
}

/// The stays of `encs` in admission order: inpatient encounters merged per hospital when
/// admitted at most a day after the running discharge day; a stay followed within a day
/// by a stay at another hospital is a transfer.
fn spans(encs: &[Enc]) -> Vec<Span> {
    let mut inpatient: Vec<(i64, i64, usize)> = encs
        .iter()
        .filter(|e| e.class == Class::Inpatient)
        .map(|e| {
            (
                e.start.div_euclid(DAY) * DAY,
                e.stop.div_euclid(DAY) * DAY,
                e.org,
            )
        })
        .collect();
    inpatient.sort_unstable();
    let mut out: Vec<(Span, usize)> = Vec::new();
    for (admit_day, discharge_day, org) in inpatient {
        if let Some((last, last_org)) = out.last_mut()
            && admit_day <= last.discharge_day + DAY
        {
            if *last_org == org {
                last.discharge_day = last.discharge_day.max(discharge_day);
                continue;
            }
            last.transfer_out = true;
        }
        out.push((
            Span {
                admit_day,
                discharge_day,
                transfer_out: false,
            },
            org,
        ));
    }
    out.into_iter().map(|(s, _)| s).collect()
}
