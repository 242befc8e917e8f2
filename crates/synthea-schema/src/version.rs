//! Synthea export layouts ("versions") and sets of them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Synthea CSV export layout.
///
/// Synthea does not write its version into the CSV files, so a version here is a
/// *layout*: the set of files and header columns an export has. The layouts differ by a
/// handful of columns that were added, renamed or retyped between releases (each variant
/// below lists its own); version detection (the `detect` module) recognises a layout
/// from the headers alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SyntheaVersion {
    /// Synthea 2.x (April 2020 layout): procedures have a single `DATE`, no claims files,
    /// observations without `CATEGORY`, 6-column allergies, payer transitions with
    /// integer `START_YEAR`/`END_YEAR`.
    V2,
    /// Early 3.x (3.0–3.2, roughly 2020–2022): procedures `START`/`STOP`, claims and
    /// claims transactions, observations `CATEGORY`, 15-column allergies, payer
    /// transitions with `MEMBERID` and datetimes in `START_YEAR`/`END_YEAR`, providers
    /// with `UTILIZATION`, payers without `OWNERSHIP`. Patients may carry `INCOME`.
    V3Early,
    /// 3.3+ (roughly 2023 on): patients with `FIPS` and `INCOME` (and `MIDDLE` in the
    /// newest exports), payer transitions `START_DATE`/`END_DATE`, providers
    /// `ENCOUNTERS`/`PROCEDURES`, payers `OWNERSHIP`, optional `SYSTEM` in conditions and
    /// procedures, optional `patient_expenses.csv`.
    V3Latest,
}

impl SyntheaVersion {
    /// All versions, oldest first.
    pub const ALL: [SyntheaVersion; 3] = [Self::V2, Self::V3Early, Self::V3Latest];

    /// All versions, oldest first (same as [`Self::ALL`]).
    pub fn all() -> &'static [SyntheaVersion] {
        &Self::ALL
    }

    /// Human-readable label such as `"2.x"`, `"3.0-3.2"` or `"3.3+"`.
    pub fn label(self) -> &'static str {
        match self {
            Self::V2 => "2.x",
            Self::V3Early => "3.0-3.2",
            Self::V3Latest => "3.3+",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Self::V2 => 1,
            Self::V3Early => 2,
            Self::V3Latest => 4,
        }
    }
}

impl fmt::Display for SyntheaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A set of [`SyntheaVersion`]s, usable in `const` column specs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct VersionSet(u8);

impl VersionSet {
    /// No version.
    pub const NONE: VersionSet = VersionSet(0);
    /// Only 2.x.
    pub const V2: VersionSet = VersionSet(1);
    /// Only 3.0–3.2.
    pub const V3_EARLY: VersionSet = VersionSet(2);
    /// Only 3.3+.
    pub const V3_LATEST: VersionSet = VersionSet(4);
    /// Every 3.x layout.
    pub const V3: VersionSet = VersionSet(6);
    /// 2.x and 3.0–3.2.
    pub const V2_AND_V3_EARLY: VersionSet = VersionSet(3);
    /// Every version.
    pub const ALL: VersionSet = VersionSet(7);

    /// Whether `version` is in the set.
    pub const fn contains(self, version: SyntheaVersion) -> bool {
        self.0 & version.bit() != 0
    }

    /// The versions in the set, oldest first.
    pub fn versions(self) -> Vec<SyntheaVersion> {
        SyntheaVersion::ALL
            .into_iter()
            .filter(|v| self.contains(*v))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_set_membership_matches_constants() {
        assert!(VersionSet::V3.contains(SyntheaVersion::V3Early));
        assert!(VersionSet::V3.contains(SyntheaVersion::V3Latest));
        assert!(!VersionSet::V3.contains(SyntheaVersion::V2));
        assert_eq!(
            VersionSet::V2_AND_V3_EARLY.versions(),
            vec![SyntheaVersion::V2, SyntheaVersion::V3Early]
        );
        assert!(VersionSet::NONE.versions().is_empty());
        assert_eq!(VersionSet::ALL.versions().len(), 3);
    }

    #[test]
    fn version_labels_are_distinct() {
        let labels: std::collections::BTreeSet<_> =
            SyntheaVersion::ALL.iter().map(|v| v.label()).collect();
        assert_eq!(labels.len(), 3);
    }
}
