//! The run's organizations and providers: a fixed-size pool per city, generated once from
//! the master seed (like Synthea's provider files) and shared by all patients.

use crate::reference::places::{CITIES, FEMALE_FIRST, LAST, MALE_FIRST, STREET_KINDS, STREETS};
use crate::rng::{Rng, Stream, Uuid};

/// What kind of care an organization delivers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OrgKind {
    Hospital,
    Clinic,
    UrgentCare,
    Nursing,
    Hospice,
    HomeHealth,
}

/// One organization.
#[derive(Debug)]
pub(crate) struct Organization {
    pub(crate) id: Uuid,
    pub(crate) city: usize,
    pub(crate) name: String,
    pub(crate) address: String,
    pub(crate) zip: String,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) phone: String,
    /// Indices into [`Reference::providers`].
    pub(crate) providers: std::ops::Range<usize>,
}

/// One provider (clinician).
#[derive(Debug)]
pub(crate) struct Provider {
    pub(crate) id: Uuid,
    pub(crate) org: usize,
    pub(crate) name: String,
    pub(crate) gender: &'static str,
}

/// The shared entities of a run.
#[derive(Debug)]
pub(crate) struct Reference {
    pub(crate) orgs: Vec<Organization>,
    pub(crate) providers: Vec<Provider>,
    /// Organization indices per city and kind: `by_city[city][kind as usize]`.
    by_city: Vec<[Vec<usize>; 6]>,
    /// Hospitals over the whole state (transfer targets).
    pub(crate) hospitals: Vec<usize>,
}

fn kind_index(k: OrgKind) -> usize {
    match k {
        OrgKind::Hospital => 0,
        OrgKind::Clinic => 1,
        OrgKind::UrgentCare => 2,
        OrgKind::Nursing => 3,
        OrgKind::Hospice => 4,
        OrgKind::HomeHealth => 5,
    }
}

impl Reference {
    /// Build the pool deterministically from `seed`.
    pub(crate) fn build(seed: u64) -> Self {
        let mut rng = Rng::derive(seed, Stream::Reference, 0);
        let mut orgs = Vec::new();
        let mut providers = Vec::new();
        let mut by_city = Vec::with_capacity(CITIES.len());
        let mut hospitals = Vec::new();
        for (ci, city) in CITIES.iter().enumerate() {
            let mut slots: [Vec<usize>; 6] = Default::default();
            let big = city.weight >= 5.0;
            let counts = [
                (OrgKind::Hospital, if big { 2 } else { 1 }),
                (OrgKind::Clinic, 2 + (city.weight / 6.0) as usize),
                (OrgKind::UrgentCare, 1),
                (OrgKind::Nursing, 1),
                (OrgKind::Hospice, 1),
                (OrgKind::HomeHealth, 1),
            ];
            for (kind, n) in counts {
                for k in 0..n {
                    let oi = orgs.len();
                    let name = org_name(&mut rng, kind, city.name, k);
                    let street = format!(
                        "{} {} {}",
                        rng.range(1, 1200),
                        rng.pick(STREETS),
                        rng.pick(STREET_KINDS)
                    );
                    let zip = if rng.chance(0.4) {
                        format!("{}{:04}", city.zip, rng.range(1000, 9999))
                    } else {
                        city.zip.to_string()
                    };
                    let area = if city.lon < -72.0 {
                        413
                    } else if city.lat < 42.1 {
                        508
                    } else {
                        617
                    };
                    let phone =
                        format!("{area}{:03}{:04}", rng.range(200, 999), rng.range(0, 9999));
                    let n_prov = match kind {
                        OrgKind::Hospital => rng.range(8, 20),
                        OrgKind::Clinic => rng.range(2, 6),
                        _ => rng.range(1, 3),
                    } as usize;
                    let first_prov = providers.len();
                    for _ in 0..n_prov {
                        let female = rng.chance(0.5);
                        let first = if female {
                            rng.pick(FEMALE_FIRST)
                        } else {
                            rng.pick(MALE_FIRST)
                        };
                        providers.push(Provider {
                            id: rng.uuid(),
                            org: oi,
                            name: format!(
                                "{first}{} {}{}",
                                rng.range(1, 999),
                                rng.pick(LAST),
                                rng.range(1, 999)
                            ),
                            gender: if female { "F" } else { "M" },
                        });
                    }
                    orgs.push(Organization {
                        id: rng.uuid(),
                        city: ci,
                        name,
                        address: street,
                        zip,
                        lat: city.lat + rng.uniform(-0.03, 0.03),
                        lon: city.lon + rng.uniform(-0.03, 0.03),
                        phone,
                        providers: first_prov..providers.len(),
                    });
                    slots[kind_index(kind)].push(oi);
                    if kind == OrgKind::Hospital {
                        hospitals.push(oi);
                    }
                }
            }
            by_city.push(slots);
        }
        Self {
            orgs,
            providers,
            by_city,
            hospitals,
        }
    }

    /// A random organization of `kind` in `city`.
    pub(crate) fn org_in(&self, rng: &mut Rng, city: usize, kind: OrgKind) -> usize {
        *rng.pick(&self.by_city[city][kind_index(kind)])
    }

    /// A random provider of organization `org`.
    pub(crate) fn provider_of(&self, rng: &mut Rng, org: usize) -> usize {
        let r = &self.orgs[org].providers;
        r.start + rng.index(r.len())
    }

    /// A hospital different from `not`.
    pub(crate) fn other_hospital(&self, rng: &mut Rng, not: usize) -> usize {
        loop {
            let h = *rng.pick(&self.hospitals);
            if h != not || self.hospitals.len() < 2 {
                return h;
            }
        }
    }
}

fn org_name(rng: &mut Rng, kind: OrgKind, city: &str, k: usize) -> String {
    let upper = city.to_uppercase();
    match kind {
        OrgKind::Hospital => {
            if k == 0 {
                format!("{city} General Hospital")
            } else {
                format!("{upper} MEDICAL CENTER")
            }
        }
        OrgKind::Clinic => match rng.range(0, 3) {
            0 => format!("{city} Outpatient Clinic"),
            1 => format!("{} FAMILY PRACTICE  PC", rng.pick(LAST).to_uppercase()),
            _ => format!("{upper} COMMUNITY HEALTH CENTER {}", k + 1),
        },
        OrgKind::UrgentCare => format!("CAREWELL URGENT CARE CENTERS OF {upper}  PC"),
        OrgKind::Nursing => format!("{upper} NURSING AND REHABILITATION CTR"),
        OrgKind::Hospice => format!("{city} Hospice and Palliative Care"),
        OrgKind::HomeHealth => format!("{city} Home Health Services"),
    }
}
