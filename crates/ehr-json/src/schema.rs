//! JSON records: parsing raw lines, inferring and widening an entity's schema, and
//! building typed frames.
//!
//! A landed line is one JSON object; a JSON array file is taken in its one-record-per-line
//! layout (`[{..},` … `{..},` … `{..}]`): the brackets and the separating comma around a
//! line's object are stripped. A line that is not a JSON object parses to no record (its
//! row carries [`JSON_ERROR`], and silver quarantines it).
//!
//! Types: `null` has no type of its own (it fits any field); `integer` widens to
//! `number`; any other mix is a conflict ([`crate::Error::TypeConflict`], naming the
//! file, the field and both types). Nested objects and arrays are kept as JSON text.

use std::collections::BTreeMap;

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Column naming why a line did not parse (null for a parsed line).
pub const JSON_ERROR: &str = "_json_error";

/// The JSON type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonType {
    /// `true` / `false` → `Boolean`.
    Boolean,
    /// Whole numbers → `Int64`.
    Integer,
    /// Other numbers → `Float64`.
    Number,
    /// Strings → `String`.
    String,
    /// Objects and arrays → their JSON text.
    Nested,
}

impl JsonType {
    /// The type of a value; `None` for `null`.
    pub fn of(value: &Value) -> Option<JsonType> {
        match value {
            Value::Null => None,
            Value::Bool(_) => Some(JsonType::Boolean),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(JsonType::Integer),
            Value::Number(_) => Some(JsonType::Number),
            Value::String(_) => Some(JsonType::String),
            Value::Array(_) | Value::Object(_) => Some(JsonType::Nested),
        }
    }

    /// The type holding both, if any (`integer` + `number` = `number`).
    pub fn widen(self, other: JsonType) -> Option<JsonType> {
        match (self, other) {
            (a, b) if a == b => Some(a),
            (JsonType::Integer, JsonType::Number) | (JsonType::Number, JsonType::Integer) => {
                Some(JsonType::Number)
            }
            _ => None,
        }
    }

    /// The Polars type of the column.
    pub fn dtype(self) -> DataType {
        match self {
            JsonType::Boolean => DataType::Boolean,
            JsonType::Integer => DataType::Int64,
            JsonType::Number => DataType::Float64,
            JsonType::String | JsonType::Nested => DataType::String,
        }
    }

    fn name(self) -> &'static str {
        match self {
            JsonType::Boolean => "boolean",
            JsonType::Integer => "integer",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Nested => "object/array",
        }
    }
}

/// An entity's inferred schema: field → type (fields only ever seen as `null` are
/// absent until a typed value arrives).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonSchema {
    /// Field types, by field name.
    pub fields: BTreeMap<String, JsonType>,
}

impl JsonSchema {
    /// Adds the types of `record` seen in `file`, widening where allowed.
    ///
    /// # Errors
    /// [`Error::TypeConflict`] naming `entity`, `file`, the field and both types.
    pub fn observe(&mut self, entity: &str, file: &str, record: &Map<String, Value>) -> Result<()> {
        for (field, value) in record {
            let Some(found) = JsonType::of(value) else {
                continue;
            };
            match self.fields.get(field) {
                None => {
                    self.fields.insert(field.clone(), found);
                }
                Some(&expected) => {
                    let widened = expected.widen(found).ok_or_else(|| Error::TypeConflict {
                        entity: entity.to_string(),
                        file: file.to_string(),
                        field: field.clone(),
                        found: found.name().to_string(),
                        expected: expected.name().to_string(),
                    })?;
                    self.fields.insert(field.clone(), widened);
                }
            }
        }
        Ok(())
    }

    /// Fields of `self` that `before` did not have.
    pub fn new_fields(&self, before: &JsonSchema) -> Vec<String> {
        self.fields
            .keys()
            .filter(|f| !before.fields.contains_key(*f))
            .cloned()
            .collect()
    }
}

/// The JSON object of one landed line, or why there is none.
pub fn parse_line(line: &str) -> std::result::Result<Map<String, Value>, String> {
    let mut text = line.trim();
    text = text.strip_prefix('[').unwrap_or(text).trim_start();
    text = text.strip_suffix(']').unwrap_or(text).trim_end();
    text = text.strip_suffix(',').unwrap_or(text).trim_end();
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("not a JSON object".to_string()),
        Err(e) => Err(format!("invalid JSON at column {}", e.column())),
    }
}

/// The typed frame of `lines` (one record per line) under `schema`: one column per
/// schema field (typed by [`JsonType::dtype`]; a value of another type is null) and
/// [`JSON_ERROR`].
///
/// # Errors
/// A Polars error building the frame.
pub fn typed_frame(lines: &StringChunked, schema: &JsonSchema) -> Result<DataFrame> {
    let parsed: Vec<std::result::Result<Map<String, Value>, String>> = lines
        .iter()
        .map(|line| parse_line(line.unwrap_or_default()))
        .collect();
    let mut columns: Vec<Column> = Vec::with_capacity(schema.fields.len() + 1);
    for (field, ty) in &schema.fields {
        let values = parsed
            .iter()
            .map(|r| r.as_ref().ok().and_then(|m| m.get(field)));
        columns.push(typed_column(field, *ty, values));
    }
    let errors: StringChunked = parsed
        .iter()
        .map(|r| r.as_ref().err().map(String::as_str))
        .collect();
    columns.push(errors.with_name(JSON_ERROR.into()).into_column());
    DataFrame::new(lines.len(), columns)
        .map_err(|e| Error::polars("building the typed JSON frame", e))
}

fn typed_column<'a>(
    name: &str,
    ty: JsonType,
    values: impl Iterator<Item = Option<&'a Value>>,
) -> Column {
    let name: PlSmallStr = name.into();
    match ty {
        JsonType::Boolean => values
            .map(|v| v.and_then(Value::as_bool))
            .collect::<BooleanChunked>()
            .with_name(name)
            .into_column(),
        JsonType::Integer => values
            .map(|v| v.and_then(Value::as_i64))
            .collect::<Int64Chunked>()
            .with_name(name)
            .into_column(),
        JsonType::Number => values
            .map(|v| v.and_then(Value::as_f64))
            .collect::<Float64Chunked>()
            .with_name(name)
            .into_column(),
        JsonType::String => values
            .map(|v| v.and_then(Value::as_str).map(str::to_string))
            .collect::<StringChunked>()
            .with_name(name)
            .into_column(),
        JsonType::Nested => values
            .map(|v| v.filter(|v| !v.is_null()).map(Value::to_string))
            .collect::<StringChunked>()
            .with_name(name)
            .into_column(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn record(json: &str) -> Map<String, Value> {
        parse_line(json).unwrap()
    }

    #[test]
    fn a_line_of_a_json_array_file_parses_without_its_brackets_and_comma() {
        assert_eq!(record(r#"[{"a": 1},"#), record(r#"{"a": 1}"#));
        assert_eq!(record(r#"{"a": 2}]"#), record(r#"{"a": 2}"#));
        assert!(parse_line("[1, 2]").is_err());
        assert!(parse_line("{broken").is_err());
    }

    #[test]
    fn integers_widen_to_numbers_and_new_fields_are_added() {
        let mut schema = JsonSchema::default();
        schema
            .observe("labs", "a.ndjson", &record(r#"{"v": 1, "u": null}"#))
            .unwrap();
        schema
            .observe("labs", "b.ndjson", &record(r#"{"v": 1.5, "u": "mg"}"#))
            .unwrap();
        assert_eq!(schema.fields["v"], JsonType::Number);
        assert_eq!(schema.fields["u"], JsonType::String);
    }

    #[test]
    fn a_type_conflict_names_the_file_field_and_both_types() {
        let mut schema = JsonSchema::default();
        schema
            .observe("labs", "a.ndjson", &record(r#"{"v": 1}"#))
            .unwrap();
        let err = schema
            .observe("labs", "b.ndjson", &record(r#"{"v": "high"}"#))
            .unwrap_err();
        let text = err.to_string();
        for part in ["b.ndjson", "`v`", "string", "integer", "labs"] {
            assert!(text.contains(part), "{text}");
        }
    }
}
