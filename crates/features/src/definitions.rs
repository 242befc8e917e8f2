//! Feature definitions: what each column means, kept with the table.

use serde::{Deserialize, Serialize};

/// The definition of one feature column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureDefinition {
    /// Column name, `<entity>__<measure>[_<window>]`.
    pub name: String,
    /// Feature group (`demographics`, `conditions`, `utilization`, `medications`,
    /// `labs`, `journey`, `labels`).
    pub group: String,
    /// Polars dtype.
    pub dtype: String,
    /// What it measures and from which events (always events dated on or before the
    /// as-of date, except labels).
    pub description: String,
}

impl FeatureDefinition {
    /// A definition from its parts.
    pub fn new(name: &str, group: &str, dtype: &str, description: &str) -> Self {
        Self {
            name: name.to_string(),
            group: group.to_string(),
            dtype: dtype.to_string(),
            description: description.to_string(),
        }
    }
}
