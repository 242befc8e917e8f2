//! What a visit records besides its problem, as Synthea's wellness, contraceptives,
//! allergies and injuries modules write it: children's growth percentiles, scored
//! screenings, and the medications that have no condition (contraceptives, seasonal
//! antihistamines, analgesics after an injury).

use crate::patient::emitter::{Emitter, Rx};
use crate::patient::timeline::Enc;
use crate::reference::codes::{self, Med};
use crate::reference::modules::Chronic;
use crate::time::{DAY, YEAR, year_of};

/// Share of women of reproductive age who use a prescribed contraceptive.
const CONTRACEPTIVE_USE: f64 = 0.55;
/// Ages (years) of contraceptive prescriptions.
const REPRODUCTIVE_AGES: std::ops::Range<f64> = 14.0..50.0;

/// A percentile (0–100) of a standard-normal score `z` (logistic approximation).
fn percentile(z: f64) -> f64 {
    (100.0 / (1.0 + (-1.702 * z).exp())).clamp(0.1, 99.9)
}

impl Emitter<'_> {
    /// Children's growth percentiles at a wellness visit; the BMI percentile follows the
    /// BMI the visit measured (`bmi`).
    pub(super) fn growth_percentiles(&mut self, e: &Enc, age: f64, bmi: f64) {
        for (o, from, to) in codes::GROWTH_PERCENTILES {
            if !(*from..*to).contains(&age) {
                continue;
            }
            let z = if o.code == "59576-9" {
                (bmi - (16.5 + 0.2 * age.min(17.0))) / 1.2
            } else {
                self.rng.normal(0.0, 1.0)
            };
            self.vital(e, o, percentile(z));
        }
    }

    /// Scored screenings of an adult wellness visit: high scores when the screened
    /// disease is present.
    pub(super) fn screening_scores(&mut self, e: &Enc) {
        for s in codes::SCREENING_SCORES {
            if !self.rng.chance(s.prob) {
                continue;
            }
            let positive = s.positive_with.is_some_and(|k| self.has_at(k, e.start));
            let score = if positive {
                self.rng.range(s.max / 2 + 1, s.max + 1)
            } else {
                self.rng.weighted(&[0.7, 0.2, 0.1]) as i64
            };
            self.survey_score(e, &s.obs, score as f64);
        }
    }

    /// A contraceptive prescribed at a wellness visit of a woman of reproductive age who
    /// uses one and is not pregnant, when the previous prescription has run out. The
    /// method is chosen once, among those on the market that year.
    pub(super) fn contraception(&mut self, e: &Enc, age: f64) {
        if !self.p.female || !REPRODUCTIVE_AGES.contains(&age) || self.pregnant_at(e.start) {
            return;
        }
        let method = match self.contraceptive {
            Some(m) => m,
            None => {
                if !self.rng.chance(CONTRACEPTIVE_USE) {
                    self.contraceptive = Some(None);
                    return;
                }
                let year = year_of(e.start);
                let weights: Vec<f64> = codes::CONTRACEPTIVES
                    .iter()
                    .map(|c| if c.from_year <= year { c.weight } else { 0.0 })
                    .collect();
                let m = Some(self.rng.weighted(&weights));
                self.contraceptive = Some(m);
                m
            }
        };
        let Some(mi) = method else {
            return;
        };
        if e.start < self.contraceptive_until {
            return;
        }
        let c = codes::CONTRACEPTIVES[mi];
        let stop = e.start + c.years * YEAR;
        self.contraceptive_until = stop - 30 * DAY;
        self.unlinked_rx(e, c.med, stop, c.dispenses);
    }

    fn pregnant_at(&self, t: i64) -> bool {
        self.plan
            .chronic
            .iter()
            .any(|c| c.is(Chronic::Pregnancy) && c.onset <= t && c.stop.is_none_or(|s| t < s))
    }

    /// A season's antihistamine for a patient with seasonal allergic rhinitis.
    pub(super) fn seasonal_antihistamine(&mut self, e: &Enc) {
        if !self.has_at(Chronic::SeasonalAllergy, e.start) || !self.rng.chance(0.6) {
            return;
        }
        let weights: Vec<f64> = codes::SEASONAL_ANTIHISTAMINES
            .iter()
            .map(|(_, w)| *w)
            .collect();
        let (m, _) = codes::SEASONAL_ANTIHISTAMINES[self.rng.weighted(&weights)];
        let stop = e.start + self.rng.range(60, 120) * DAY;
        self.unlinked_rx(e, m, stop, 3);
    }

    /// The analgesic of an injury (children get paediatric doses).
    pub(super) fn injury_analgesic(&mut self, e: &Enc, age: f64) {
        if !self.rng.chance(0.85) {
            return;
        }
        let list = if age < 12.0 {
            codes::ANALGESICS_CHILD
        } else {
            codes::ANALGESICS
        };
        let weights: Vec<f64> = list.iter().map(|(_, w)| *w).collect();
        let (m, _) = list[self.rng.weighted(&weights)];
        let stop = e.start + self.rng.range(5, 15) * DAY;
        self.unlinked_rx(e, m, stop, 1);
    }

    /// A prescription without a reason from `e` to `stop` (left open when the patient's
    /// record ends first).
    fn unlinked_rx(&mut self, e: &Enc, med: Med, stop: i64, dispenses: i64) {
        let rx = Rx {
            med,
            reason: None,
            start: e.start,
            stop: (stop < self.life_end).then_some(stop),
            dispenses,
        };
        self.medication(e, &rx);
    }
}
