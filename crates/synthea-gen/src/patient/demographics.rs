//! Who a patient is: birth, death, sex, race, names, address, income.

use crate::reference::places::{CITIES, FEMALE_FIRST, LAST, MALE_FIRST, STREET_KINDS, STREETS};
use crate::rng::{Rng, Uuid};
use crate::time::{DAY, YEAR};

/// Demographic facts of one patient.
#[derive(Debug)]
pub(crate) struct Person {
    pub(crate) id: Uuid,
    pub(crate) birth: i64,
    pub(crate) death: Option<i64>,
    pub(crate) female: bool,
    pub(crate) race: &'static str,
    pub(crate) hispanic: bool,
    pub(crate) marital: Option<&'static str>,
    pub(crate) first: String,
    pub(crate) last: String,
    pub(crate) prefix: Option<&'static str>,
    pub(crate) suffix: Option<&'static str>,
    pub(crate) maiden: Option<String>,
    pub(crate) ssn: String,
    pub(crate) drivers: Option<String>,
    pub(crate) passport: Option<String>,
    pub(crate) birthplace: String,
    pub(crate) address: String,
    pub(crate) city: usize,
    pub(crate) fips: bool,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) income: i64,
    /// 0 never, 1 former, 2 current smoker (adults).
    pub(crate) smoking: u8,
    /// Risk factors that drive disease onsets.
    pub(crate) risk: RiskFactors,
}

/// A patient's risk factors: an adult BMI trajectory and family history.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RiskFactors {
    /// BMI at 18.
    pub(crate) bmi_at_18: f64,
    /// BMI gained per year from 18 to 60.
    pub(crate) bmi_slope: f64,
    /// A parent or sibling with diabetes.
    pub(crate) family_diabetes: bool,
    /// A parent or sibling with early cardiovascular disease.
    pub(crate) family_cvd: bool,
}

impl RiskFactors {
    /// Draw the trajectory and family history (obesity in about 20 % of adults at 30,
    /// 40 % at 50, as in NHANES).
    fn draw(rng: &mut Rng) -> Self {
        Self {
            bmi_at_18: rng.normal(25.5, 4.6).clamp(16.5, 48.0),
            bmi_slope: rng.normal(0.09, 0.07).clamp(-0.05, 0.4),
            family_diabetes: rng.chance(0.25),
            family_cvd: rng.chance(0.2),
        }
    }

    /// Adult BMI on the trajectory at `age` (years ≥ 18; flat after 60).
    pub(crate) fn bmi_at(&self, age: f64) -> f64 {
        self.bmi_at_18 + self.bmi_slope * (age.clamp(18.0, 60.0) - 18.0)
    }

    /// The first age at which the trajectory reaches `bmi`, if it does by 60.
    pub(crate) fn age_reaching(&self, bmi: f64) -> Option<f64> {
        if self.bmi_at_18 >= bmi {
            return Some(18.0);
        }
        if self.bmi_slope <= 0.0 {
            return None;
        }
        let a = 18.0 + (bmi - self.bmi_at_18) / self.bmi_slope;
        (a <= 60.0).then_some(a)
    }
}

/// Age-at-export distribution by decade (roughly the US pyramid).
const DECADE_WEIGHTS: [f64; 10] = [12.0, 13.0, 13.0, 13.5, 12.5, 13.0, 11.5, 7.5, 3.5, 0.8];

fn numbered(rng: &mut Rng, name: &str) -> String {
    format!("{name}{}", rng.range(1, 999))
}

/// Draw the demographics of one patient alive somewhere in `[.., end]`.
///
/// The steps draw from `rng` in this order (the order fixes the output for a seed).
pub(crate) fn draw(rng: &mut Rng, end: i64, window_start: i64) -> Person {
    let id = rng.uuid();
    let life = Lifespan::draw(rng, end, window_start);
    let adult = life.age_at_end >= 18.0;
    let female = rng.chance(0.51);
    let race = ["white", "black", "asian", "native", "hawaiian", "other"]
        [rng.weighted(&[0.74, 0.085, 0.07, 0.006, 0.002, 0.097])];
    let hispanic = rng.chance(if race == "other" { 0.6 } else { 0.07 });
    let marital = adult.then(|| marital_status(rng, life.age_at_end));
    let names = Names::draw(rng, female, adult, marital);
    let ssn = format!("999-{:02}-{:04}", rng.range(10, 99), rng.range(1000, 9999));
    let drivers =
        (adult && rng.chance(0.85)).then(|| format!("S999{:05}", rng.range(10_000, 99_999)));
    let passport =
        (adult && rng.chance(0.7)).then(|| format!("X{:08}X", rng.range(10_000_000, 99_999_999)));
    let home = Home::draw(rng);
    let income = (rng.normal(55_000f64.ln(), 0.75).exp()).clamp(5_000.0, 900_000.0) as i64;
    let smoking = if adult {
        [0u8, 1, 2][rng.weighted(&[0.66, 0.2, 0.14])]
    } else {
        0
    };
    let risk = RiskFactors::draw(rng);
    let c = &CITIES[home.city];
    Person {
        id,
        birth: life.birth,
        death: life.death,
        female,
        race,
        hispanic,
        marital,
        first: names.first,
        last: names.last,
        prefix: names.prefix,
        suffix: names.suffix,
        maiden: names.maiden,
        ssn,
        drivers,
        passport,
        birthplace: home.birthplace,
        address: home.address,
        city: home.city,
        fips: rng.chance(0.85),
        lat: c.lat + rng.uniform(-0.04, 0.04),
        lon: c.lon + rng.uniform(-0.04, 0.04),
        income,
        smoking,
        risk,
    }
}

/// Birth and (for some) a death from causes no disease module models.
struct Lifespan {
    birth: i64,
    death: Option<i64>,
    /// Age in years at death or at the export end.
    age_at_end: f64,
}

impl Lifespan {
    /// An age at the export end from [`DECADE_WEIGHTS`]; mortality rises with age, and
    /// deaths fall in the last 15 years before the export.
    fn draw(rng: &mut Rng, end: i64, window_start: i64) -> Self {
        let decade = rng.weighted(&DECADE_WEIGHTS) as f64;
        let age = decade * 10.0 + rng.uniform(0.0, 10.0);
        let birth_day = (end - (age * YEAR as f64) as i64).div_euclid(DAY);
        let birth = birth_day * DAY + rng.range(0, DAY);
        // Deaths from other causes; disease modules add their own deaths.
        let p_death = 0.006 + 0.0014 * (age - 35.0).max(0.0) + 0.002 * (age - 70.0).max(0.0);
        let death = if rng.chance(p_death.min(0.6)) {
            let lo = (birth + YEAR).max(window_start - 5 * YEAR);
            let hi = end - 12 * DAY;
            (hi > lo + 30 * DAY).then(|| rng.range(lo, hi))
        } else {
            None
        };
        let age_at_end = (death.unwrap_or(end) - birth) as f64 / YEAR as f64;
        Self {
            birth,
            death,
            age_at_end,
        }
    }
}

/// Marital status of an adult, by age.
fn marital_status(rng: &mut Rng, age_at_end: f64) -> &'static str {
    let w = if age_at_end > 70.0 {
        [0.5, 0.1, 0.12, 0.28]
    } else if age_at_end < 30.0 {
        [0.3, 0.62, 0.06, 0.02]
    } else {
        [0.55, 0.25, 0.15, 0.05]
    };
    ["M", "S", "D", "W"][rng.weighted(&w)]
}

/// First and last name (with Synthea's numeric suffixes), prefix, suffix and maiden name.
struct Names {
    first: String,
    last: String,
    prefix: Option<&'static str>,
    suffix: Option<&'static str>,
    maiden: Option<String>,
}

impl Names {
    fn draw(rng: &mut Rng, female: bool, adult: bool, marital: Option<&str>) -> Self {
        let first_base = if female {
            rng_pick(rng, FEMALE_FIRST)
        } else {
            rng_pick(rng, MALE_FIRST)
        };
        let first = numbered(rng, first_base);
        let last_base = rng_pick(rng, LAST);
        let last = numbered(rng, last_base);
        let married = matches!(marital, Some("M" | "W" | "D"));
        let prefix = adult.then_some(if !female {
            "Mr."
        } else if married {
            "Mrs."
        } else {
            "Ms."
        });
        let suffix = (adult && rng.chance(0.01)).then(|| *rng.pick(&["MD", "PhD", "JD"]));
        let maiden = (female && married && rng.chance(0.7)).then(|| {
            let m = rng_pick(rng, LAST);
            numbered(rng, m)
        });
        Self {
            first,
            last,
            prefix,
            suffix,
            maiden,
        }
    }
}

/// Birthplace and current city and street address.
struct Home {
    birthplace: String,
    city: usize,
    address: String,
}

impl Home {
    fn draw(rng: &mut Rng) -> Self {
        let weights: Vec<f64> = CITIES.iter().map(|c| c.weight).collect();
        let birth_city = &CITIES[rng.weighted(&weights)];
        let birthplace = format!("{}  Massachusetts  US", birth_city.name);
        let city = rng.weighted(&weights);
        let mut address = format!(
            "{} {} {}",
            rng.range(1, 1000),
            rng.pick(STREETS),
            rng.pick(STREET_KINDS)
        );
        if rng.chance(0.2) {
            address.push_str(&format!(" Suite {}", rng.range(1, 99)));
        } else if rng.chance(0.15) {
            address.push_str(&format!(" Unit {}", rng.range(1, 60)));
        }
        Self {
            birthplace,
            city,
            address,
        }
    }
}

fn rng_pick(rng: &mut Rng, s: &'static [&'static str]) -> &'static str {
    s[rng.index(s.len())]
}

impl Person {
    /// Age in years at `ts`.
    pub(crate) fn age_at(&self, ts: i64) -> f64 {
        (ts - self.birth) as f64 / YEAR as f64
    }

    /// Last instant of recorded life (death or the export end).
    pub(crate) fn life_end(&self, end: i64) -> i64 {
        self.death.unwrap_or(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deaths_fall_before_the_export_end_and_after_birth() {
        let end = 2_000_000_000;
        let mut rng = Rng::from_seed(3);
        let mut dead = 0;
        for _ in 0..2000 {
            let p = draw(&mut rng, end, end - 10 * YEAR);
            assert!(p.birth < end);
            if let Some(d) = p.death {
                dead += 1;
                assert!(d > p.birth && d <= end - 12 * DAY);
            }
            assert!(p.first.chars().last().is_some_and(|c| c.is_ascii_digit()));
        }
        // Deaths from other causes only (disease modules add theirs): some, a minority.
        assert!((20..300).contains(&dead), "{dead}");
    }
}
