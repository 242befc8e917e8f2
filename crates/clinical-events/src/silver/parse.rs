//! Parsing raw event lines against the expected schema, leniently: a value of the wrong
//! type becomes null and its field is named in `_malformed_fields`; a field the model
//! does not know is named in `_unknown_fields` (its value stays in bronze); a line that
//! is not a JSON object yields nulls and `_malformed_fields = ["_line"]`. Nothing is
//! dropped.
//!
//! Accepted encodings: strings as JSON strings (numbers and booleans as their text; an
//! empty or blank string is null); integers as JSON integers, integral floats or numeric
//! strings within `Int32`; `temperature_f` as any number or numeric string; timestamps as
//! RFC 3339 strings (any offset, converted to UTC) or `YYYY-MM-DD[T ]HH:MM:SS[.f]` taken
//! as UTC; `vitals` as an object of the five vitals (or null).

use chrono::{DateTime, NaiveDateTime};
use polars::prelude::*;
use serde_json::{Map, Value};

use crate::columns::{
    ADMISSION_TIME, AGE, BP_DIASTOLIC, BP_SYSTOLIC, DISCHARGE_TIME, EVENT_TIMESTAMP, HEART_RATE,
    HOSPITAL_ID, MALFORMED_FIELDS, SPO2, TEMPERATURE_F, UNKNOWN_FIELDS, VITALS, event_fields,
    utc_datetime,
};
use crate::silver::rules::WHOLE_LINE;

/// The JSON key of the nested vitals object.
pub const VITALS_KEY: &str = "vitals";

/// How one silver field is read from JSON.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// A string (numbers and booleans as their text; blank is null).
    Text,
    /// An `Int32` (integers, integral floats, numeric strings).
    Int,
    /// A `Float64` (numbers, numeric strings).
    Float,
    /// A UTC timestamp (RFC 3339, or naive taken as UTC).
    Timestamp,
    /// A `Boolean` (`true`/`false`, or the strings `"true"`/`"false"`).
    Bool,
}

/// The fields a lenient parse reads: top-level fields and, optionally, the fields of one
/// nested object flattened into the output (the ADT event's `vitals`).
#[derive(Clone, Debug)]
pub(crate) struct LenientSpec {
    /// Top-level fields and how each is read.
    pub(crate) top: Vec<(String, Kind)>,
    /// The nested object's key and its fields (`None`: flat documents).
    pub(crate) nested: Option<(String, Vec<(String, Kind)>)>,
}

impl LenientSpec {
    /// The ADT event: [`event_fields`], the vitals nested under [`VITALS_KEY`].
    fn adt() -> Self {
        let (vitals, top): (Vec<String>, Vec<String>) = event_fields()
            .into_iter()
            .map(|f| f.name.to_string())
            .partition(|name| VITALS.contains(&name.as_str()));
        let kinds = |names: Vec<String>| -> Vec<(String, Kind)> {
            names
                .into_iter()
                .map(|n| {
                    let k = kind_of(&n);
                    (n, k)
                })
                .collect()
        };
        Self {
            top: kinds(top),
            nested: Some((VITALS_KEY.to_string(), kinds(vitals))),
        }
    }

    /// The output struct dtype: every field (nested ones flattened after the top-level
    /// ones), then `_unknown_fields` and `_malformed_fields`.
    pub(crate) fn dtype(&self) -> DataType {
        let nested = self.nested.iter().flat_map(|(_, f)| f.iter());
        let mut fields: Vec<Field> = self
            .top
            .iter()
            .chain(nested)
            .map(|(n, k)| Field::new(n.as_str().into(), k.dtype()))
            .collect();
        let list = DataType::List(Box::new(DataType::String));
        fields.push(Field::new(UNKNOWN_FIELDS.into(), list.clone()));
        fields.push(Field::new(MALFORMED_FIELDS.into(), list));
        DataType::Struct(fields)
    }
}

impl Kind {
    fn dtype(self) -> DataType {
        match self {
            Kind::Text => DataType::String,
            Kind::Int => DataType::Int32,
            Kind::Float => DataType::Float64,
            Kind::Timestamp => utc_datetime(),
            Kind::Bool => DataType::Boolean,
        }
    }
}

fn kind_of(field: &str) -> Kind {
    match field {
        AGE | HOSPITAL_ID | HEART_RATE | BP_SYSTOLIC | BP_DIASTOLIC | SPO2 => Kind::Int,
        TEMPERATURE_F => Kind::Float,
        EVENT_TIMESTAMP | ADMISSION_TIME | DISCHARGE_TIME => Kind::Timestamp,
        _ => Kind::Text,
    }
}

/// A column being filled, one value per line.
enum Builder {
    Text(Vec<Option<String>>),
    Int(Vec<Option<i32>>),
    Float(Vec<Option<f64>>),
    Timestamp(Vec<Option<i64>>),
    Bool(Vec<Option<bool>>),
}

impl Builder {
    fn new(kind: Kind, capacity: usize) -> Self {
        match kind {
            Kind::Text => Builder::Text(Vec::with_capacity(capacity)),
            Kind::Int => Builder::Int(Vec::with_capacity(capacity)),
            Kind::Float => Builder::Float(Vec::with_capacity(capacity)),
            Kind::Timestamp => Builder::Timestamp(Vec::with_capacity(capacity)),
            Kind::Bool => Builder::Bool(Vec::with_capacity(capacity)),
        }
    }

    /// Appends `value` (absent: null); `false` when it has the wrong type (null appended).
    fn push(&mut self, value: Option<&Value>) -> bool {
        let value = value.filter(|v| !v.is_null());
        match self {
            Builder::Text(v) => {
                let (parsed, ok) = read(value, text);
                v.push(parsed);
                ok
            }
            Builder::Int(v) => {
                let (parsed, ok) = read(value, int);
                v.push(parsed);
                ok
            }
            Builder::Float(v) => {
                let (parsed, ok) = read(value, float);
                v.push(parsed);
                ok
            }
            Builder::Timestamp(v) => {
                let (parsed, ok) = read(value, timestamp_micros);
                v.push(parsed);
                ok
            }
            Builder::Bool(v) => {
                let (parsed, ok) = read(value, boolean);
                v.push(parsed);
                ok
            }
        }
    }

    fn into_series(self, name: &str) -> PolarsResult<Series> {
        let name = PlSmallStr::from(name);
        Ok(match self {
            Builder::Text(v) => Series::new(name, v),
            Builder::Int(v) => Series::new(name, v),
            Builder::Float(v) => Series::new(name, v),
            Builder::Timestamp(v) => Series::new(name, v).cast(&utc_datetime())?,
            Builder::Bool(v) => Series::new(name, v),
        })
    }
}

/// `(value, well-typed)`: an absent value is null and well-typed.
fn read<T>(value: Option<&Value>, parse: fn(&Value) -> Option<Option<T>>) -> (Option<T>, bool) {
    match value {
        None => (None, true),
        Some(v) => match parse(v) {
            Some(parsed) => (parsed, true),
            None => (None, false),
        },
    }
}

/// `Some(None)`: null (blank); `None`: wrong type.
fn text(v: &Value) -> Option<Option<String>> {
    match v {
        Value::String(s) if s.trim().is_empty() => Some(None),
        Value::String(s) => Some(Some(s.clone())),
        Value::Number(n) => Some(Some(n.to_string())),
        Value::Bool(b) => Some(Some(b.to_string())),
        _ => None,
    }
}

fn number(v: &Value) -> Option<Option<f64>> {
    match v {
        Value::Number(n) => n.as_f64().map(Some),
        Value::String(s) if s.trim().is_empty() => Some(None),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Some),
        _ => None,
    }
}

fn int(v: &Value) -> Option<Option<i32>> {
    if let Value::Number(n) = v
        && let Some(i) = n.as_i64()
    {
        return i32::try_from(i).ok().map(Some);
    }
    match number(v)? {
        None => Some(None),
        Some(f) if f.fract() == 0.0 && f >= f64::from(i32::MIN) && f <= f64::from(i32::MAX) => {
            Some(Some(f as i32))
        }
        Some(_) => None,
    }
}

fn boolean(v: &Value) -> Option<Option<bool>> {
    match v {
        Value::Bool(b) => Some(Some(*b)),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "" => Some(None),
            "true" => Some(Some(true)),
            "false" => Some(Some(false)),
            _ => None,
        },
        _ => None,
    }
}

fn float(v: &Value) -> Option<Option<f64>> {
    number(v)
}

fn timestamp_micros(v: &Value) -> Option<Option<i64>> {
    let Value::String(s) = v else {
        return None;
    };
    let s = s.trim();
    if s.is_empty() {
        return Some(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(Some(t.timestamp_micros()));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| Some(t.and_utc().timestamp_micros()))
}

/// The parsed columns of a batch of lines.
struct Parsed {
    top: Vec<(String, Builder)>,
    nested_key: Option<String>,
    vitals: Vec<(String, Builder)>,
    unknown: Vec<Vec<String>>,
    malformed: Vec<Vec<String>>,
}

impl Parsed {
    fn new(spec: &LenientSpec, capacity: usize) -> Self {
        let builders = |fields: &[(String, Kind)]| -> Vec<(String, Builder)> {
            fields
                .iter()
                .map(|(n, k)| (n.clone(), Builder::new(*k, capacity)))
                .collect()
        };
        Self {
            top: builders(&spec.top),
            nested_key: spec.nested.as_ref().map(|(k, _)| k.clone()),
            vitals: spec
                .nested
                .as_ref()
                .map(|(_, f)| builders(f))
                .unwrap_or_default(),
            unknown: Vec::with_capacity(capacity),
            malformed: Vec::with_capacity(capacity),
        }
    }

    fn push_line(&mut self, line: Option<&str>) {
        let object = line.and_then(|l| serde_json::from_str::<Value>(l).ok());
        let mut unknown = Vec::new();
        let mut malformed = Vec::new();
        let Some(Value::Object(object)) = object else {
            self.push_nulls();
            self.unknown.push(unknown);
            self.malformed.push(vec![WHOLE_LINE.to_string()]);
            return;
        };
        fill(&mut self.top, &object, "", &mut malformed);
        let nested_key = self.nested_key.as_deref().unwrap_or_default();
        let vitals = match object.get(nested_key) {
            Some(Value::Object(v)) if self.nested_key.is_some() => Some(v),
            None | Some(Value::Null) => None,
            Some(_) => {
                if self.nested_key.is_some() {
                    malformed.push(nested_key.to_string());
                }
                None
            }
        };
        match vitals {
            Some(v) => {
                let prefix = format!("{nested_key}.");
                fill(&mut self.vitals, v, &prefix, &mut malformed);
                unknown_keys(v, &self.vitals, &prefix, &mut unknown);
            }
            None => self.vitals.iter_mut().for_each(|(_, b)| {
                b.push(None);
            }),
        }
        for key in object.keys() {
            let known = self.nested_key.as_deref() == Some(key.as_str())
                || self.top.iter().any(|(n, _)| n == key);
            if !known {
                unknown.push(key.clone());
            }
        }
        self.unknown.push(unknown);
        self.malformed.push(malformed);
    }

    fn push_nulls(&mut self) {
        for (_, b) in self.top.iter_mut().chain(self.vitals.iter_mut()) {
            b.push(None);
        }
    }

    fn into_struct(self, name: PlSmallStr, len: usize) -> PolarsResult<Column> {
        let mut fields: Vec<Series> = Vec::with_capacity(self.top.len() + self.vitals.len() + 2);
        for (n, b) in self.top.into_iter().chain(self.vitals) {
            fields.push(b.into_series(&n)?);
        }
        fields.push(string_lists(UNKNOWN_FIELDS, &self.unknown));
        fields.push(string_lists(MALFORMED_FIELDS, &self.malformed));
        Ok(StructChunked::from_series(name, len, fields.iter())?.into_column())
    }
}

/// Reads the `builders`' fields from `object`, naming wrongly typed ones (with `prefix`).
fn fill(
    builders: &mut [(String, Builder)],
    object: &Map<String, Value>,
    prefix: &str,
    malformed: &mut Vec<String>,
) {
    for (name, builder) in builders {
        if !builder.push(object.get(name.as_str())) {
            malformed.push(format!("{prefix}{name}"));
        }
    }
}

fn unknown_keys(
    object: &Map<String, Value>,
    known: &[(String, Builder)],
    prefix: &str,
    unknown: &mut Vec<String>,
) {
    for key in object.keys() {
        if !known.iter().any(|(n, _)| n == key) {
            unknown.push(format!("{prefix}{key}"));
        }
    }
}

fn string_lists(name: &str, rows: &[Vec<String>]) -> Series {
    let mut builder =
        ListStringChunkedBuilder::new(name.into(), rows.len(), rows.iter().map(Vec::len).sum());
    for row in rows {
        builder.append_values_iter(row.iter().map(String::as_str));
    }
    builder.finish().into_series()
}

fn parse_column(c: Column, spec: &LenientSpec) -> PolarsResult<Column> {
    let name = c.name().clone();
    let lines = c.str()?;
    let mut parsed = Parsed::new(spec, lines.len());
    for line in lines.iter() {
        parsed.push_line(line);
    }
    parsed.into_struct(name, lines.len())
}

/// The struct dtype [`parse_events`] produces: every event field (vitals flattened)
/// with its silver dtype, then `_unknown_fields` and `_malformed_fields`.
pub fn parsed_dtype() -> DataType {
    LenientSpec::adt().dtype()
}

/// Parses a `String` expression of raw JSON event lines into a struct of typed fields
/// ([`parsed_dtype`]); unnest it to get the silver columns.
///
/// ```
/// use clinical_events::silver::parse_events;
/// use polars::prelude::*;
///
/// let raw = df!("raw_event" => [
///     r#"{"event_id":"e1","age":"41","vitals":{"spo2":97},"ward":"B"}"#,
///     "not json",
/// ])?;
/// let out = raw
///     .lazy()
///     .select([parse_events(col("raw_event")).alias("p")])
///     .unnest(by_name(["p"], true, false), None)
///     .collect()?;
/// assert_eq!(out.column("age")?.i32()?.get(0), Some(41));
/// assert_eq!(out.column("spo2")?.i32()?.get(0), Some(97));
/// let unknown = out.column("_unknown_fields")?.list()?.get_as_series(0).unwrap();
/// assert_eq!(unknown.str()?.get(0), Some("ward"));
/// let malformed = out.column("_malformed_fields")?.list()?.get_as_series(1).unwrap();
/// assert_eq!(malformed.str()?.get(0), Some("_line"));
/// # Ok::<(), PolarsError>(())
/// ```
pub fn parse_events(raw: Expr) -> Expr {
    parse_lenient(raw, LenientSpec::adt())
}

/// Parses a `String` expression of raw JSON lines leniently against `spec` (the rules
/// of this module) into a struct of typed fields ([`LenientSpec::dtype`]).
pub(crate) fn parse_lenient(raw: Expr, spec: LenientSpec) -> Expr {
    let dtype = spec.dtype();
    raw.map(
        move |c| parse_column(c, &spec),
        move |_, f| Ok(Field::new(f.name().clone(), dtype.clone())),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse(lines: &[&str]) -> DataFrame {
        df!("raw" => lines)
            .unwrap()
            .lazy()
            .select([parse_events(col("raw")).alias("p")])
            .unnest(by_name(["p"], true, false), None)
            .collect()
            .unwrap()
    }

    fn list(df: &DataFrame, name: &str, row: usize) -> Vec<String> {
        crate::testkit::string_lists(df, name)
            .unwrap()
            .swap_remove(row)
    }

    #[test]
    fn timestamps_in_rfc3339_with_offsets_and_naive_utc_parse_to_the_same_instant() {
        let df = parse(&[
            r#"{"event_timestamp":"2024-01-01T10:00:00Z"}"#,
            r#"{"event_timestamp":"2024-01-01T12:00:00+02:00"}"#,
            r#"{"event_timestamp":"2024-01-01 10:00:00"}"#,
        ]);
        let t = df.column(EVENT_TIMESTAMP).unwrap();
        assert_eq!(t.dtype(), &utc_datetime());
        let micros: Vec<_> = t.to_physical_repr().i64().unwrap().iter().collect();
        assert_eq!(micros[0], micros[1]);
        assert_eq!(micros[0], micros[2]);
        assert!(list(&df, MALFORMED_FIELDS, 0).is_empty());
    }

    #[test]
    fn wrongly_typed_values_become_null_and_are_named() {
        let df = parse(&[
            r#"{"age":"forty","hospital_id":2.5,"event_timestamp":"yesterday","vitals":{"spo2":"x","heart_rate":80}}"#,
        ]);
        assert_eq!(df.column(AGE).unwrap().null_count(), 1);
        assert_eq!(
            df.column(HEART_RATE).unwrap().i32().unwrap().get(0),
            Some(80)
        );
        assert_eq!(
            list(&df, MALFORMED_FIELDS, 0),
            ["event_timestamp", "age", "hospital_id", "vitals.spo2"]
        );
    }

    #[test]
    fn blank_strings_are_missing_and_numbers_are_read_as_text_for_text_fields() {
        let df = parse(&[r#"{"patient_id":"  ","diagnosis_code":410,"age":"67"}"#]);
        assert_eq!(df.column("patient_id").unwrap().null_count(), 1);
        let code = df.column("diagnosis_code").unwrap();
        assert_eq!(code.str().unwrap().get(0), Some("410"));
        assert_eq!(df.column(AGE).unwrap().i32().unwrap().get(0), Some(67));
        assert!(list(&df, MALFORMED_FIELDS, 0).is_empty());
    }

    #[test]
    fn unknown_fields_are_listed_with_nested_paths() {
        let df = parse(&[r#"{"event_id":"e","ward_phone":"x","vitals":{"resp_rate":18}}"#]);
        assert_eq!(
            list(&df, UNKNOWN_FIELDS, 0),
            ["vitals.resp_rate", "ward_phone"]
        );
    }

    #[test]
    fn a_line_that_is_not_an_object_gives_nulls_and_the_whole_line_marker() {
        let df = parse(&["[1,2]", "{", r#"{"event_id":"ok"}"#]);
        assert_eq!(list(&df, MALFORMED_FIELDS, 0), [WHOLE_LINE]);
        assert_eq!(list(&df, MALFORMED_FIELDS, 1), [WHOLE_LINE]);
        assert!(list(&df, MALFORMED_FIELDS, 2).is_empty());
        assert_eq!(df.column("event_id").unwrap().null_count(), 2);
        assert_eq!(df.height(), 3);
    }
}
