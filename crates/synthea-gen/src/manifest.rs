//! The dirty-data manifest (`_dirty_manifest.json`): every injected defect by kind and
//! file, with 1-based data row numbers (header not counted), the column and the row's id.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::Layout;

/// File name of the manifest inside the output directory.
pub const MANIFEST_FILE: &str = "_dirty_manifest.json";

/// Kinds of injected defects. Each affected row receives exactly one defect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefectKind {
    /// An exact copy of a row is inserted right after it (the copy is recorded).
    DuplicateRow,
    /// A copy with the same `Id`/`ID` but one changed value is inserted after the row.
    DuplicateId,
    /// A required (always-filled) column is emptied.
    NullRequired,
    /// `STOP` is set before `START`.
    StopBeforeStart,
    /// The row's first date (and its `STOP`, keeping the order) is moved after the
    /// configured end date.
    FutureDate,
    /// A date/timestamp is written in a wrong format or as an impossible date.
    MalformedDate,
    /// A number (money, count, measurement) is not parseable.
    MalformedNumber,
    /// `encounters.ENCOUNTERCLASS` holds a value that is not a Synthea class.
    UnknownEncounterClass,
    /// A foreign key points to an id that does not exist.
    OrphanForeignKey,
    /// A text value gets leading/trailing whitespace.
    StrayWhitespace,
    /// A categorical value changes case (`Inpatient`, `f`, `CLOSED` → `closed`).
    CaseVariant,
}

impl DefectKind {
    /// Every kind.
    pub const ALL: [DefectKind; 11] = [
        DefectKind::DuplicateRow,
        DefectKind::DuplicateId,
        DefectKind::NullRequired,
        DefectKind::StopBeforeStart,
        DefectKind::FutureDate,
        DefectKind::MalformedDate,
        DefectKind::MalformedNumber,
        DefectKind::UnknownEncounterClass,
        DefectKind::OrphanForeignKey,
        DefectKind::StrayWhitespace,
        DefectKind::CaseVariant,
    ];
}

/// One injected defect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefectEntry {
    /// 1-based data row in the file (header not counted; the file line is `row + 1`).
    pub row: u64,
    /// The affected column, when one column was changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The row's `Id` (or patient id for tables without a key), as originally generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// Defects of one kind in one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDefects {
    /// Number of affected rows.
    pub count: u64,
    /// The affected rows, in file order.
    pub entries: Vec<DefectEntry>,
}

/// Defects of one kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindDefects {
    /// Number of affected rows over all files.
    pub count: u64,
    /// Per file name (`encounters.csv`).
    pub files: BTreeMap<String, FileDefects>,
}

/// The manifest written next to a dirty export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DirtyManifest {
    /// Master seed of the run.
    pub seed: u64,
    /// Configured defect rate (fraction of per-patient rows).
    pub dirty_rate: f64,
    /// Layout of the export.
    pub layout: Layout,
    /// Configured end date; `future_date` defects lie after it.
    pub end_date: NaiveDate,
    /// Total defects.
    pub total: u64,
    /// Per defect kind (kinds that never fired are listed with count 0).
    pub defects: BTreeMap<DefectKind, KindDefects>,
}

impl DirtyManifest {
    pub(crate) fn new(seed: u64, dirty_rate: f64, layout: Layout, end_date: NaiveDate) -> Self {
        Self {
            seed,
            dirty_rate,
            layout,
            end_date,
            total: 0,
            defects: DefectKind::ALL
                .into_iter()
                .map(|k| (k, KindDefects::default()))
                .collect(),
        }
    }

    pub(crate) fn add(&mut self, kind: DefectKind, file: &str, entry: DefectEntry) {
        let k = self.defects.entry(kind).or_default();
        k.count += 1;
        let f = k.files.entry(file.to_string()).or_default();
        f.count += 1;
        f.entries.push(entry);
        self.total += 1;
    }

    /// Count of `kind` in `file` (0 when none).
    pub fn count(&self, kind: DefectKind, file: &str) -> u64 {
        self.defects
            .get(&kind)
            .and_then(|k| k.files.get(file))
            .map_or(0, |f| f.count)
    }
}
