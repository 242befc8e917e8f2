//! The hospital network: hospitals, departments and bed capacities (configuration, not
//! data derived from events). Silver checks hospital ids and department names against
//! it; gold takes bed capacities from it; the simulator fills its beds.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::columns::{DEPARTMENT, HOSPITAL_ID, HOSPITAL_NAME};
use crate::error::{Error, Result};

/// Gold column: beds of a hospital department.
pub const BED_CAPACITY: &str = "bed_capacity";
/// Gold column: the department's short code, as used in bed ids.
pub const DEPARTMENT_CODE: &str = "department_code";

/// A department kind present in the network's hospitals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// Canonical name, e.g. `Emergency`.
    pub name: String,
    /// Short code used in bed ids, e.g. `EMR` (`H3-EMR-12`).
    pub code: String,
}

/// One hospital and its beds per department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hospital {
    /// Id, as in events' `hospital_id` and bed ids (`H<id>-…`).
    pub id: i32,
    /// Name.
    pub name: String,
    /// Staffed beds per department name; a department absent here has no beds.
    pub beds: BTreeMap<String, u32>,
}

/// The hospitals and departments events can refer to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Network {
    /// Department kinds. Default: [`DEFAULT_DEPARTMENTS`] (Emergency `EMR`, Surgery
    /// `SUR`, ICU `ICU`, Pediatrics `PED`, Maternity `MAT`, Oncology `ONC`, Cardiology
    /// `CAR`).
    pub departments: Vec<Department>,
    /// Hospitals. Default: seven hospitals (ids 1–7, see [`DEFAULT_HOSPITALS`]), each
    /// with [`DEFAULT_BEDS`] scaled by the hospital's size factor (rounded, at least 4).
    pub hospitals: Vec<Hospital>,
}

/// Default departments: (name, code).
pub const DEFAULT_DEPARTMENTS: [(&str, &str); 7] = [
    ("Emergency", "EMR"),
    ("Surgery", "SUR"),
    ("ICU", "ICU"),
    ("Pediatrics", "PED"),
    ("Maternity", "MAT"),
    ("Oncology", "ONC"),
    ("Cardiology", "CAR"),
];

/// Default beds of a size-1.0 hospital per department, in [`DEFAULT_DEPARTMENTS`] order.
pub const DEFAULT_BEDS: [u32; 7] = [30, 40, 16, 20, 18, 24, 28];

/// Default hospitals: (id, name, size factor applied to [`DEFAULT_BEDS`]).
pub const DEFAULT_HOSPITALS: [(i32, &str, f64); 7] = [
    (1, "St. Mary's Medical Center", 1.0),
    (2, "Riverside General Hospital", 0.75),
    (3, "Northgate University Hospital", 1.5),
    (4, "Lakeside Community Hospital", 0.5),
    (5, "Mercy Regional Medical Center", 1.25),
    (6, "Valley View Hospital", 0.9),
    (7, "Harbor Point Hospital", 0.6),
];

impl Default for Network {
    fn default() -> Self {
        let departments = DEFAULT_DEPARTMENTS
            .iter()
            .map(|(name, code)| Department {
                name: (*name).to_string(),
                code: (*code).to_string(),
            })
            .collect();
        let hospitals = DEFAULT_HOSPITALS
            .iter()
            .map(|(id, name, scale)| Hospital {
                id: *id,
                name: (*name).to_string(),
                beds: DEFAULT_DEPARTMENTS
                    .iter()
                    .zip(DEFAULT_BEDS)
                    .map(|((dept, _), beds)| {
                        let scaled = (f64::from(beds) * scale).round().max(4.0) as u32;
                        ((*dept).to_string(), scaled)
                    })
                    .collect(),
            })
            .collect();
        Self {
            departments,
            hospitals,
        }
    }
}

impl Network {
    /// Checks ids, names and codes are unique and every bed entry names a department.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the offending entry.
    pub fn validate(&self) -> Result<()> {
        let mut names = BTreeSet::new();
        let mut codes = BTreeSet::new();
        for d in &self.departments {
            if d.name.trim().is_empty() || d.code.trim().is_empty() || d.code.contains('-') {
                return Err(Error::config(
                    "network.departments",
                    "names and codes must be non-empty; codes cannot contain '-'",
                ));
            }
            if !names.insert(d.name.as_str()) || !codes.insert(d.code.as_str()) {
                return Err(Error::config(
                    "network.departments",
                    format!(
                        "department '{}' or code '{}' is listed twice",
                        d.name, d.code
                    ),
                ));
            }
        }
        let mut ids = BTreeSet::new();
        for h in &self.hospitals {
            if !ids.insert(h.id) {
                return Err(Error::config(
                    "network.hospitals",
                    format!("hospital id {} is listed twice", h.id),
                ));
            }
            if let Some(unknown) = h.beds.keys().find(|d| !names.contains(d.as_str())) {
                return Err(Error::config(
                    format!("network.hospitals[{}].beds", h.id),
                    format!("'{unknown}' is not a department of the network"),
                ));
            }
        }
        if self.hospitals.is_empty() || self.departments.is_empty() {
            return Err(Error::config(
                "network",
                "needs at least one hospital and one department",
            ));
        }
        Ok(())
    }

    /// The hospital with this id.
    pub fn hospital(&self, id: i32) -> Option<&Hospital> {
        self.hospitals.iter().find(|h| h.id == id)
    }

    /// The department with this canonical name.
    pub fn department(&self, name: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.name == name)
    }

    /// Beds of department `department` at hospital `hospital` (0 when it has none).
    pub fn beds(&self, hospital: i32, department: &str) -> u32 {
        self.hospital(hospital)
            .and_then(|h| h.beds.get(department))
            .copied()
            .unwrap_or(0)
    }

    /// Total beds of the network.
    pub fn total_beds(&self) -> u64 {
        self.hospitals
            .iter()
            .flat_map(|h| h.beds.values())
            .map(|b| u64::from(*b))
            .sum()
    }

    /// Hospital ids, in configuration order.
    pub fn hospital_ids(&self) -> Vec<i32> {
        self.hospitals.iter().map(|h| h.id).collect()
    }

    /// Canonical department names, in configuration order.
    pub fn department_names(&self) -> Vec<String> {
        self.departments.iter().map(|d| d.name.clone()).collect()
    }

    /// One row per hospital department with beds: `hospital_id` (`Int32`),
    /// `hospital_name`, `department`, `department_code`, `bed_capacity` (`UInt32`),
    /// in configuration order.
    ///
    /// # Errors
    /// [`Error::Polars`] if the frame cannot be built (a bug).
    pub fn capacity_frame(&self) -> Result<DataFrame> {
        let mut ids = Vec::new();
        let mut hospital_names = Vec::new();
        let mut departments = Vec::new();
        let mut codes = Vec::new();
        let mut beds = Vec::new();
        for h in &self.hospitals {
            for d in &self.departments {
                let Some(n) = h.beds.get(&d.name).filter(|n| **n > 0) else {
                    continue;
                };
                ids.push(h.id);
                hospital_names.push(h.name.clone());
                departments.push(d.name.clone());
                codes.push(d.code.clone());
                beds.push(*n);
            }
        }
        df!(
            HOSPITAL_ID => ids,
            HOSPITAL_NAME => hospital_names,
            DEPARTMENT => departments,
            DEPARTMENT_CODE => codes,
            BED_CAPACITY => beds,
        )
        .map_err(|e| Error::polars("building the network capacity table", e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn default_network_has_seven_hospitals_of_seven_departments() {
        let n = Network::default();
        n.validate().unwrap();
        assert_eq!(n.hospitals.len(), 7);
        assert_eq!(n.departments.len(), 7);
        assert_eq!(n.beds(1, "Surgery"), 40);
        assert_eq!(n.beds(3, "ICU"), 24);
        assert_eq!(n.beds(4, "ICU"), 8);
        assert_eq!(n.beds(8, "ICU"), 0);
        let frame = n.capacity_frame().unwrap();
        assert_eq!(frame.height(), 49);
        let total: u64 = frame
            .column(BED_CAPACITY)
            .unwrap()
            .u32()
            .unwrap()
            .into_no_null_iter()
            .map(u64::from)
            .sum();
        assert_eq!(total, n.total_beds());
    }

    #[test]
    fn validate_rejects_duplicate_ids_and_unknown_departments() {
        let mut n = Network::default();
        n.hospitals[1].id = 1;
        assert!(n.validate().is_err());
        let mut n = Network::default();
        n.hospitals[0].beds.insert("Radiology".into(), 3);
        let err = n.validate().unwrap_err().to_string();
        assert!(err.contains("Radiology"), "{err}");
    }

    #[test]
    fn network_loads_from_partial_json_with_defaults() {
        let n: Network = serde_json::from_str(
            r#"{"hospitals": [{"id": 9, "name": "Solo", "beds": {"ICU": 5}}]}"#,
        )
        .unwrap();
        n.validate().unwrap();
        assert_eq!(n.departments.len(), 7);
        assert_eq!(n.beds(9, "ICU"), 5);
        assert_eq!(n.capacity_frame().unwrap().height(), 1);
    }
}
