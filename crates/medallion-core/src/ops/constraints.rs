//! CHECK and NOT NULL constraints, added through delta-rs and enforced on every write.

use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::table::{commit_properties, open_existing, plain_strings_session};

/// Table property prefix under which Delta records each constraint's expression.
pub(crate) const CONSTRAINT_PREFIX: &str = "delta.constraints.";

/// A named Delta `CHECK` constraint: every row of the table must satisfy `expression`
/// (SQL). Delta writers, delta-rs and Spark included, refuse a write with a row that
/// does not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Constraint {
    /// Constraint name, unique in the table (Delta stores it lower-case).
    pub name: String,
    /// SQL boolean expression over the table's columns.
    pub expression: String,
}

impl Constraint {
    /// A `CHECK` constraint `name` requiring `expression`, e.g.
    /// `Constraint::check("total_cost_non_negative", "total_cost >= 0")`.
    pub fn check(name: impl Into<String>, expression: impl Into<String>) -> Self {
        Self {
            name: name.into().to_lowercase(),
            expression: expression.into(),
        }
    }

    /// A `NOT NULL` rule on `column`, as the `CHECK` constraint `<column>_not_null`
    /// (`column IS NOT NULL`): unlike a schema's nullability, it can be added to an
    /// existing table.
    pub fn not_null(column: &str) -> Self {
        Self::check(
            format!("{}_not_null", column.to_lowercase()),
            format!("{} IS NOT NULL", quoted(column)),
        )
    }
}

/// `column` as a SQL identifier (backquoted unless it is a plain lower-case name).
fn quoted(column: &str) -> String {
    let plain = column
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !column.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        column.to_string()
    } else {
        format!("`{}`", column.replace('`', "``"))
    }
}

/// Adds constraints to an existing table, in one commit; run with `.await`.
///
/// Constraints the table already has (same name and expression) are skipped, so adding
/// them on every run costs nothing after the first. delta-rs checks the rows the table
/// holds before it commits: a constraint they violate is refused with [`Error::Delta`]
/// and nothing is committed. From then on, a write (append, overwrite, MERGE) with a
/// violating row fails with [`Error::ConstraintViolated`], naming the constraints.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{AddConstraintsBuilder, Constraint, Error, WriteBuilder};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// WriteBuilder::new(dir.path(), df!("id" => ["a"], "cost" => [3i64])?.lazy())?.await?;
/// AddConstraintsBuilder::new(dir.path())?
///     .with_constraint(Constraint::not_null("id"))
///     .with_constraint(Constraint::check("cost_non_negative", "cost >= 0"))
///     .await?;
/// let bad = df!("id" => ["b"], "cost" => [-1i64])?.lazy();
/// let err = WriteBuilder::new(dir.path(), bad)?.await.unwrap_err();
/// assert!(matches!(err, Error::ConstraintViolated { .. }));
/// assert!(err.to_string().contains("cost_non_negative"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "an AddConstraintsBuilder does nothing until awaited"]
pub struct AddConstraintsBuilder {
    location: TableLocation,
    constraints: Vec<Constraint>,
    commit_metadata: Vec<(String, serde_json::Value)>,
}

impl AddConstraintsBuilder {
    /// Constraints for the existing table at `location`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(location: impl TryInto<TableLocation, Error = Error>) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            constraints: Vec::new(),
            commit_metadata: Vec::new(),
        })
    }

    /// Adds one constraint.
    pub fn with_constraint(mut self, constraint: Constraint) -> Self {
        self.constraints.push(constraint);
        self
    }

    /// Adds several constraints.
    pub fn with_constraints(mut self, constraints: impl IntoIterator<Item = Constraint>) -> Self {
        self.constraints.extend(constraints);
        self
    }

    commit_metadata_setters!();

    /// The steps: read the table's constraints, keep the missing ones, add them in one
    /// commit. Yields the table version afterwards.
    #[tracing::instrument(name = "medallion.constraints", skip_all, fields(table = %self.location))]
    async fn execute(self) -> Result<Option<u64>> {
        const OP: &str = "add constraints";
        let uri = self.location.to_string();
        let table = open_existing(&self.location, OP).await?;
        let existing = table_constraints(&table);
        let mut missing = Vec::new();
        for constraint in self.constraints {
            match existing.iter().find(|c| c.name == constraint.name) {
                Some(held) if same_expression(&held.expression, &constraint.expression) => {}
                Some(held) => {
                    return Err(Error::InvalidConfiguration {
                        table: uri,
                        operation: OP,
                        reason: format!(
                            "the table already has a constraint '{}' with another expression ({}); drop it first",
                            held.name, held.expression
                        ),
                    });
                }
                None if missing.contains(&constraint) => {}
                None => missing.push(constraint),
            }
        }
        if missing.is_empty() {
            return Ok(table.version());
        }
        let before = table.version();
        let table = table
            .add_constraint()
            .with_constraints(
                missing
                    .into_iter()
                    .map(|c| (c.name, c.expression))
                    .collect::<std::collections::HashMap<_, _>>(),
            )
            .with_session_state(plain_strings_session())
            .with_commit_properties(commit_properties(self.commit_metadata, None))
            .await
            .map_err(|e| Error::delta(&uri, OP, e))?;
        crate::fault::record_commit(before, table.version());
        Ok(table.version())
    }
}

awaitable_builder!(AddConstraintsBuilder => Option<u64>);

/// Whether two constraint expressions are the same up to identifier quoting, case and
/// spacing (delta-rs records `Id IS NOT NULL` as `"Id" IS NOT NULL`).
fn same_expression(a: &str, b: &str) -> bool {
    let normal = |s: &str| -> String {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(['`', '"'], "")
            .to_lowercase()
    };
    normal(a) == normal(b)
}

/// The constraints recorded in a loaded table's metadata, by name.
pub(crate) fn table_constraints(table: &deltalake::DeltaTable) -> Vec<Constraint> {
    let Ok(state) = table.snapshot() else {
        return Vec::new();
    };
    let mut constraints: Vec<Constraint> = state
        .metadata()
        .configuration()
        .iter()
        .filter_map(|(key, expression)| {
            let name = key.strip_prefix(CONSTRAINT_PREFIX)?;
            Some(Constraint {
                name: name.to_lowercase(),
                expression: expression.clone(),
            })
        })
        .collect();
    constraints.sort_by(|a, b| a.name.cmp(&b.name));
    constraints
}

/// The constraints of the table at `location` (empty when it has none).
///
/// # Errors
/// [`Error::TableNotFound`] when there is no table at `location`.
pub async fn constraints(
    location: impl TryInto<TableLocation, Error = Error>,
) -> Result<Vec<Constraint>> {
    let location = location.try_into()?;
    let table = open_existing(&location, "read constraints").await?;
    Ok(table_constraints(&table))
}

/// The error of a write that delta-rs refused because rows violate the table's
/// constraints (or its non-nullable columns), as [`Error::ConstraintViolated`]; `None`
/// for any other failure.
///
/// delta-rs' message quotes the offending rows, so only the row count is kept from it.
pub(crate) fn constraint_violation(
    table: &deltalake::DeltaTable,
    uri: &str,
    operation: &'static str,
    error: &deltalake::DeltaTableError,
) -> Option<Error> {
    const MARKER: &str = "Invalid data found: ";
    let message = error.to_string();
    let at = message.find(MARKER)?;
    let rows = message[at + MARKER.len()..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok());
    Some(Error::ConstraintViolated {
        table: uri.to_string(),
        operation,
        constraints: table_constraints(table)
            .into_iter()
            .map(|c| format!("{} ({})", c.name, c.expression))
            .collect(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_differing_only_in_quoting_and_spacing_are_the_same_constraint() {
        assert!(same_expression("`Id` IS NOT NULL", "\"Id\"  IS NOT NULL"));
        assert!(!same_expression("v < 100", "v < 10"));
    }

    #[test]
    fn not_null_is_a_named_check_that_quotes_unusual_column_names() {
        assert_eq!(
            Constraint::not_null("patient_id"),
            Constraint::check("patient_id_not_null", "patient_id IS NOT NULL")
        );
        assert_eq!(
            Constraint::not_null("Id").expression,
            "`Id` IS NOT NULL".to_string()
        );
    }
}
