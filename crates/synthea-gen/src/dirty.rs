//! Dirty-data injection. After a per-patient row is serialized, with probability
//! `dirty_rate` one defect applicable to that row is applied to its fields (or a
//! duplicate is appended) and recorded. The injector has its own random stream per
//! patient, so the clean content of a dirty export equals the clean export.

use synthea_schema::TableKind;

use crate::config::Layout;
use crate::manifest::DefectKind;
use crate::rng::{Rng, Stream};
use crate::tables::{Column, ColumnKind, is_per_patient};
use crate::time::{DAY, civil_from_days, days_from_civil};

/// A defect recorded with its chunk-local row index.
#[derive(Clone, Debug)]
pub(crate) struct DirtyRecord {
    pub(crate) kind: DefectKind,
    pub(crate) table: TableKind,
    /// 0-based row index within the chunk's buffer of `table`.
    pub(crate) local_row: u64,
    pub(crate) column: Option<&'static str>,
    pub(crate) id: Option<String>,
}

/// Per-chunk injection state.
#[derive(Debug)]
pub(crate) struct DirtyState {
    seed: u64,
    rate: f64,
    /// End date as a day number; future dates are placed after it.
    end_day: i64,
    rng: Rng,
    pub(crate) records: Vec<DirtyRecord>,
}

const UNKNOWN_CLASSES: &[&str] = &[
    "inpatint",
    "ER",
    "telehealth",
    "obs",
    "unknown",
    "ambulatroy",
];

impl DirtyState {
    pub(crate) fn new(seed: u64, rate: f64, end_day: i64) -> Self {
        Self {
            seed,
            rate,
            end_day,
            rng: Rng::derive(seed, Stream::Dirty, u64::MAX),
            records: Vec::new(),
        }
    }

    /// Reset the stream for patient `index`.
    pub(crate) fn begin_patient(&mut self, index: u64) {
        self.rng = Rng::derive(self.seed, Stream::Dirty, index);
    }

    /// Maybe corrupt the row that occupies `buf[start..]` (ending in `\n`). Returns the
    /// number of rows appended (duplicates).
    pub(crate) fn after_row(
        &mut self,
        table: TableKind,
        layout: Layout,
        buf: &mut Vec<u8>,
        start: usize,
        local_row: u64,
    ) -> u64 {
        if !is_per_patient(table) || !self.rng.chance(self.rate) {
            return 0;
        }
        let Some(cols) = layout.columns(table) else {
            return 0;
        };
        let line = String::from_utf8_lossy(&buf[start..buf.len() - 1]).into_owned();
        let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
        if fields.len() != cols.len() {
            return 0;
        }
        let id = row_id(cols, &fields);
        let kinds = applicable_defects(table, cols, &fields);
        let kind = kinds[self.rng.index(kinds.len())];
        let Some(applied) = self.apply(kind, cols, &mut fields, buf, start, local_row) else {
            return 0;
        };
        self.records.push(DirtyRecord {
            kind,
            table,
            local_row: applied.row,
            column: applied.column,
            id,
        });
        applied.appended
    }

    /// Apply defect `kind` to the row `fields` at `buf[start..]`: duplicates are appended
    /// after it, other defects rewrite it. `None` when the row offers nothing to corrupt.
    fn apply(
        &mut self,
        kind: DefectKind,
        cols: &[Column],
        fields: &mut [String],
        buf: &mut Vec<u8>,
        start: usize,
        local_row: u64,
    ) -> Option<Applied> {
        let duplicate = |column| Applied {
            column,
            appended: 1,
            row: local_row + 1,
        };
        match kind {
            DefectKind::DuplicateRow => {
                let copy = buf[start..].to_vec();
                buf.extend_from_slice(&copy);
                Some(duplicate(None))
            }
            DefectKind::DuplicateId => {
                let i = alter_target(cols)?;
                let mut copy = fields.to_vec();
                copy[i] = match cols[i].kind {
                    ColumnKind::Int => {
                        let n: i64 = copy[i].parse().unwrap_or(0);
                        (n + 1 + self.rng.range(0, 5)).to_string()
                    }
                    _ => format!("{} (amended)", copy[i]),
                };
                buf.extend_from_slice(copy.join(",").as_bytes());
                buf.push(b'\n');
                Some(duplicate(Some(cols[i].name)))
            }
            _ => {
                let column = self.corrupt_field(kind, cols, fields)?;
                buf.truncate(start);
                buf.extend_from_slice(fields.join(",").as_bytes());
                buf.push(b'\n');
                Some(Applied {
                    column: Some(column),
                    appended: 0,
                    row: local_row,
                })
            }
        }
    }

    /// Change one field of the row for an in-place defect; returns the changed column.
    fn corrupt_field(
        &mut self,
        kind: DefectKind,
        cols: &[Column],
        fields: &mut [String],
    ) -> Option<&'static str> {
        let (start_i, stop_i) = (position(cols, "START"), position(cols, "STOP"));
        let i = match kind {
            DefectKind::NullRequired => {
                let cands: Vec<usize> = nullable_required(cols)
                    .filter(|&i| !fields[i].is_empty())
                    .collect();
                let i = self.pick(&cands)?;
                fields[i].clear();
                i
            }
            DefectKind::StopBeforeStart => {
                let (a, b) = (start_i?, stop_i?);
                let back = self.rng.range(1, 30);
                fields[b] = shift_days(&fields[a], -back);
                b
            }
            DefectKind::FutureDate => {
                let i = first_date(cols, fields)?;
                let target = self.end_day + self.rng.range(2, 3650);
                let delta = target - day_of(&fields[i]).unwrap_or(target);
                fields[i] = shift_days(&fields[i], delta);
                if Some(i) == start_i
                    && let Some(b) = stop_i
                    && !fields[b].is_empty()
                {
                    fields[b] = shift_days(&fields[b], delta);
                }
                i
            }
            DefectKind::MalformedDate => {
                let i = self.pick(&filled(cols, fields, is_date))?;
                fields[i] = malform_date(&fields[i], self.rng.index(4));
                i
            }
            DefectKind::MalformedNumber => {
                let cands: Vec<usize> = numeric_targets(cols, fields).collect();
                let i = self.pick(&cands)?;
                let v = &fields[i];
                fields[i] = match self.rng.index(4) {
                    0 => format!("${v}"),
                    1 => "N/A".to_string(),
                    2 => format!("{v}.5.1"),
                    _ => format!("{v}O"),
                };
                i
            }
            DefectKind::UnknownEncounterClass => {
                let i = position(cols, "ENCOUNTERCLASS")?;
                fields[i] = (*self.rng.pick(UNKNOWN_CLASSES)).to_string();
                i
            }
            DefectKind::OrphanForeignKey => {
                let i = self.pick(&filled(cols, fields, |c| {
                    matches!(c.kind, ColumnKind::Ref(_))
                }))?;
                fields[i] = self.rng.uuid().to_string_lossless();
                i
            }
            DefectKind::StrayWhitespace => {
                let i = self.pick(&filled(cols, fields, |c| c.kind == ColumnKind::Text))?;
                fields[i] = match self.rng.index(3) {
                    0 => format!(" {}", fields[i]),
                    1 => format!("{} ", fields[i]),
                    _ => format!("  {}\t", fields[i]),
                };
                i
            }
            DefectKind::CaseVariant => {
                let i = self.pick(&filled(cols, fields, |c| {
                    matches!(c.kind, ColumnKind::Category(_))
                }))?;
                fields[i] = case_variant(&fields[i], self.rng.index(2));
                i
            }
            DefectKind::DuplicateRow | DefectKind::DuplicateId => return None,
        };
        Some(cols[i].name)
    }

    /// One of `candidates` (column positions), drawn uniformly; `None` when there is none
    /// (a draw is made either way, so the stream does not depend on the row).
    fn pick(&mut self, candidates: &[usize]) -> Option<usize> {
        candidates
            .get(self.rng.index(candidates.len().max(1)))
            .copied()
    }
}

/// What a defect did to a row.
struct Applied {
    /// The changed column, when one column was changed.
    column: Option<&'static str>,
    /// Rows appended after the row (duplicates).
    appended: u64,
    /// Chunk-local row the defect is recorded at (the copy, for duplicates).
    row: u64,
}

/// The defects that can apply to a row of `table` with these `fields`; a duplicate row
/// always can.
fn applicable_defects(table: TableKind, cols: &[Column], fields: &[String]) -> Vec<DefectKind> {
    let mut kinds: Vec<DefectKind> = vec![DefectKind::DuplicateRow];
    let has_kind =
        |f: &dyn Fn(&Column) -> bool| cols.iter().zip(fields).any(|(c, v)| f(c) && !v.is_empty());
    if cols.iter().any(|c| c.kind == ColumnKind::Id) && alter_target(cols).is_some() {
        kinds.push(DefectKind::DuplicateId);
    }
    if nullable_required(cols).next().is_some() {
        kinds.push(DefectKind::NullRequired);
    }
    if let (Some(a), Some(b)) = (position(cols, "START"), position(cols, "STOP"))
        && !fields[a].is_empty()
        && !fields[b].is_empty()
    {
        kinds.push(DefectKind::StopBeforeStart);
    }
    if first_date(cols, fields).is_some() {
        kinds.push(DefectKind::FutureDate);
        kinds.push(DefectKind::MalformedDate);
    }
    if numeric_targets(cols, fields).next().is_some() {
        kinds.push(DefectKind::MalformedNumber);
    }
    if table == TableKind::Encounters {
        kinds.push(DefectKind::UnknownEncounterClass);
    }
    if has_kind(&|c| matches!(c.kind, ColumnKind::Ref(_))) {
        kinds.push(DefectKind::OrphanForeignKey);
    }
    if has_kind(&|c| c.kind == ColumnKind::Text) {
        kinds.push(DefectKind::StrayWhitespace);
    }
    if has_kind(&|c| matches!(c.kind, ColumnKind::Category(_))) {
        kinds.push(DefectKind::CaseVariant);
    }
    kinds
}

/// Position of column `name`.
fn position(cols: &[Column], name: &str) -> Option<usize> {
    cols.iter().position(|c| c.name == name)
}

/// Positions of the filled columns that satisfy `pred`.
fn filled(cols: &[Column], fields: &[String], pred: impl Fn(&Column) -> bool) -> Vec<usize> {
    cols.iter()
        .enumerate()
        .filter(|(i, c)| pred(c) && !fields[*i].is_empty())
        .map(|(i, _)| i)
        .collect()
}

fn row_id(cols: &[Column], fields: &[String]) -> Option<String> {
    cols.iter()
        .position(|c| c.kind == ColumnKind::Id)
        .or_else(|| {
            cols.iter()
                .position(|c| c.kind == ColumnKind::Ref(TableKind::Patients))
        })
        .map(|i| fields[i].clone())
}

/// Column changed by a duplicate-id defect: first required text column, else first
/// required integer column.
fn alter_target(cols: &[Column]) -> Option<usize> {
    cols.iter()
        .position(|c| c.required && c.kind == ColumnKind::Text)
        .or_else(|| {
            cols.iter()
                .position(|c| c.required && c.kind == ColumnKind::Int)
        })
}

fn nullable_required(cols: &[Column]) -> impl Iterator<Item = usize> + '_ {
    cols.iter()
        .enumerate()
        .filter(|(_, c)| c.required && c.kind != ColumnKind::Id)
        .map(|(i, _)| i)
}

fn is_date(c: &Column) -> bool {
    matches!(c.kind, ColumnKind::Date | ColumnKind::Timestamp)
}

fn first_date(cols: &[Column], fields: &[String]) -> Option<usize> {
    cols.iter()
        .enumerate()
        .find(|(i, c)| is_date(c) && c.required && day_of(&fields[*i]).is_some())
        .map(|(i, _)| i)
}

fn numeric_targets<'a>(
    cols: &'a [Column],
    fields: &'a [String],
) -> impl Iterator<Item = usize> + 'a {
    let numeric_obs = cols
        .iter()
        .position(|c| c.name == "TYPE")
        .is_some_and(|i| fields[i] == "numeric");
    cols.iter()
        .enumerate()
        .filter(move |(i, c)| {
            !fields[*i].is_empty()
                && match c.kind {
                    ColumnKind::Float | ColumnKind::Int => true,
                    ColumnKind::ObservationValue => numeric_obs,
                    _ => false,
                }
        })
        .map(|(i, _)| i)
}

/// Day number of a `YYYY-MM-DD…` value.
fn day_of(v: &str) -> Option<i64> {
    let b = v.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = v.get(0..4)?.parse().ok()?;
    let m: u32 = v.get(5..7)?.parse().ok()?;
    let d: u32 = v.get(8..10)?.parse().ok()?;
    Some(days_from_civil(y, m, d))
}

/// Shift the date part of a date or timestamp by `delta` days, keeping the time part.
fn shift_days(v: &str, delta: i64) -> String {
    match day_of(v) {
        Some(d) => {
            let mut out = Vec::with_capacity(v.len());
            crate::time::write_date(&mut out, (d + delta) * DAY);
            let mut s = String::from_utf8_lossy(&out).into_owned();
            s.push_str(v.get(10..).unwrap_or(""));
            s
        }
        None => v.to_string(),
    }
}

fn malform_date(v: &str, variant: usize) -> String {
    let Some(d) = day_of(v) else {
        return format!("{v}?");
    };
    let (y, m, dd) = civil_from_days(d);
    let rest = v.get(10..).unwrap_or("");
    match variant {
        0 => format!(
            "{y:04}/{m:02}/{dd:02}{}",
            rest.replace('T', " ").replace('Z', "")
        ),
        1 => format!("{dd:02}-{m:02}-{y:04}{rest}"),
        2 => format!("{y:04}-02-30{rest}"),
        _ => format!("{y:04}-13-{dd:02}{rest}"),
    }
}

fn case_variant(v: &str, variant: usize) -> String {
    let lower = v.to_lowercase();
    let upper = v.to_uppercase();
    let out = if v == lower {
        if variant == 0 {
            upper.clone()
        } else {
            let mut c = lower.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
    } else {
        lower
    };
    if out == v {
        upper.to_lowercase() + "_"
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_and_malformed_dates() {
        assert_eq!(
            shift_days("2019-02-17T05:07:38Z", 12),
            "2019-03-01T05:07:38Z"
        );
        assert_eq!(shift_days("2019-02-17", -17), "2019-01-31");
        for k in 0..4 {
            let m = malform_date("2019-02-17T05:07:38Z", k);
            assert!(
                chrono::NaiveDateTime::parse_from_str(&m, "%Y-%m-%dT%H:%M:%SZ").is_err(),
                "{m}"
            );
            let d = malform_date("2019-02-17", k);
            assert!(
                chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").is_err(),
                "{d}"
            );
        }
    }

    #[test]
    fn case_variants_differ_but_match_case_insensitively() {
        for v in ["inpatient", "M", "vital-signs", "CLOSED", "Self"] {
            for k in 0..2 {
                let c = case_variant(v, k);
                assert_ne!(c, v);
                assert_eq!(c.to_lowercase(), v.to_lowercase());
            }
        }
    }
}
