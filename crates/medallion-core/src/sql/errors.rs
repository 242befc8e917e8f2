//! DataFusion errors as this crate's errors: unknown tables and columns list what exists;
//! execution errors have their quoted text redacted (a failed cast quotes the value).

use deltalake::datafusion::common::SchemaError;
use deltalake::datafusion::error::DataFusionError;
use medallion_model::redact::{DEFAULT_EXCERPT_CHARS, redacted_excerpt};

use super::catalog::TableEntry;
use crate::error::{Error, redact_values};

/// Maps a DataFusion error of a query over `tables`.
pub(crate) fn map(error: DataFusionError, tables: &[TableEntry]) -> Error {
    let root = error.find_root();
    if let DataFusionError::SchemaError(schema_error, _) = root
        && let SchemaError::FieldNotFound {
            field,
            valid_fields,
        } = schema_error.as_ref()
    {
        return Error::SqlColumnNotFound {
            column: field.flat_name(),
            available: valid_fields.iter().map(|c| c.flat_name()).collect(),
        };
    }
    if let DataFusionError::Plan(message) = root
        && let Some(table) = missing_table(message)
    {
        return Error::SqlTableNotFound {
            table: table
                .strip_prefix("datafusion.")
                .unwrap_or(table)
                .to_string(),
            available: tables.iter().map(TableEntry::sql_name).collect(),
        };
    }
    match root {
        DataFusionError::SQL(..) => Error::Sql {
            stage: "parse",
            reason: root.to_string(),
        },
        DataFusionError::Plan(_)
        | DataFusionError::SchemaError(..)
        | DataFusionError::NotImplemented(_)
        | DataFusionError::Configuration(_) => Error::Sql {
            stage: "plan",
            reason: root.to_string(),
        },
        other => Error::Sql {
            stage: "execute",
            reason: redact_single_quoted(&redact_values(&other.to_string())),
        },
    }
}

/// The table name of DataFusion's "table '…' not found" planning error.
fn missing_table(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("table '")?;
    let end = rest.find("' not found")?;
    Some(&rest[..end])
}

/// `message` with every `'…'` replaced by its redacted excerpt.
fn redact_single_quoted(message: &str) -> String {
    let mut parts = message.split('\'');
    let mut out = parts.next().unwrap_or_default().to_string();
    for (i, part) in parts.enumerate() {
        out.push('\'');
        if i % 2 == 0 {
            out.push_str(&redacted_excerpt(part, DEFAULT_EXCERPT_CHARS));
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_table_lists_the_registered_tables() {
        let tables = [TableEntry {
            schema: "gold".into(),
            name: "readmission_rates".into(),
            path: "/lake/gold/readmission_rates".into(),
            version: 0,
            columns: vec![],
        }];
        let error = map(
            DataFusionError::Plan("table 'datafusion.gold.readmissions' not found".into()),
            &tables,
        );
        let message = error.to_string();
        assert!(message.contains("'gold.readmissions'"), "{message}");
        assert!(message.contains("gold.readmission_rates"), "{message}");
    }

    #[test]
    fn execution_errors_do_not_quote_values() {
        let error = map(
            DataFusionError::Execution("Cannot cast string 'Zebulon Quixote' to Int64".into()),
            &[],
        );
        let message = error.to_string();
        assert!(!message.contains("Zebulon"), "{message}");
        assert!(message.contains("Cannot cast string"), "{message}");
    }
}
