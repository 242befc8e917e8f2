//! `VERSION AS OF` / `TIMESTAMP AS OF` in a query: each such relation is registered at
//! the version it asks for, under a hidden name, and the query is planned against it.

use std::ops::ControlFlow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use deltalake::datafusion::execution::context::SessionContext;
use deltalake::datafusion::logical_expr::LogicalPlan;
use deltalake::datafusion::sql::parser::Statement as DfStatement;
use deltalake::datafusion::sql::sqlparser::ast::{
    Expr, Ident, ObjectName, ObjectNamePart, Statement, TableFactor, TableVersion, Value, VisitMut,
    VisitorMut,
};
use deltalake::datafusion::sql::sqlparser::dialect::DatabricksDialect;
use deltalake::datafusion::sql::sqlparser::parser::Parser;

use super::catalog::{self, Pin, TableEntry, TableLocationInLake};
use super::{ROOT_SCHEMA, TIME_TRAVEL_SCHEMA, errors, table_reference};
use crate::error::{Error, Result};

/// Whether `sql` may use `VERSION AS OF` / `TIMESTAMP AS OF` (a cheap textual check; the
/// parser decides).
pub(crate) fn mentions_time_travel(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    words
        .windows(3)
        .any(|w| (w[0] == "VERSION" || w[0] == "TIMESTAMP") && w[1] == "AS" && w[2] == "OF")
}

/// Parses a time-travel timestamp: RFC 3339 (`2024-04-15T10:00:00Z`), or
/// `YYYY-MM-DD HH:MM:SS[.fff]` / `YYYY-MM-DDTHH:MM:SS` / `YYYY-MM-DD` read as UTC.
///
/// # Errors
/// [`Error::InvalidConfiguration`] naming the accepted forms.
pub fn parse_timestamp(text: &str) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(ts) = DateTime::parse_from_rfc3339(text) {
        return Ok(ts.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(ts) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(ts.and_utc());
        }
    }
    if let Some(ts) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
    {
        return Ok(ts.and_utc());
    }
    Err(Error::InvalidConfiguration {
        table: "<lakehouse>".into(),
        operation: "sql",
        reason: format!(
            "'{text}' is not a timestamp; use RFC 3339 (2024-04-15T10:00:00Z), 'YYYY-MM-DD HH:MM:SS' (UTC) or 'YYYY-MM-DD'"
        ),
    })
}

/// One relation of the query that asks for another version of a table.
#[derive(Debug, Clone, PartialEq)]
struct Request {
    table: TableEntry,
    pin: Pin,
    hidden_name: String,
}

/// Plans `sql` with its time-travel relations replaced by registered versions.
pub(crate) async fn plan(
    ctx: &SessionContext,
    sql: &str,
    tables: &[TableEntry],
) -> Result<LogicalPlan> {
    let mut statement = parse_one(sql)?;
    let requests = rewrite(&mut statement, tables)?;
    for request in &requests {
        register(ctx, request).await?;
    }
    ctx.state()
        .statement_to_plan(DfStatement::Statement(Box::new(statement)))
        .await
        .map_err(|e| errors::map(e, tables))
}

/// The one statement of `sql`, parsed with the Databricks dialect (which knows
/// `VERSION AS OF` and `TIMESTAMP AS OF`).
fn parse_one(sql: &str) -> Result<Statement> {
    let mut statements = Parser::parse_sql(&DatabricksDialect {}, sql).map_err(|e| Error::Sql {
        stage: "parse",
        reason: e.to_string(),
    })?;
    if statements.len() != 1 {
        return Err(Error::Sql {
            stage: "parse",
            reason: format!(
                "expected one statement, found {}; run statements one at a time",
                statements.len()
            ),
        });
    }
    Ok(statements.remove(0))
}

/// Points every versioned relation of `statement` at its hidden table and returns what
/// to register.
fn rewrite(statement: &mut Statement, tables: &[TableEntry]) -> Result<Vec<Request>> {
    let mut visitor = Rewriter {
        tables,
        requests: Vec::new(),
    };
    match statement.visit(&mut visitor) {
        ControlFlow::Break(error) => Err(error),
        ControlFlow::Continue(()) => Ok(visitor.requests),
    }
}

struct Rewriter<'a> {
    tables: &'a [TableEntry],
    requests: Vec<Request>,
}

impl VisitorMut for Rewriter<'_> {
    type Break = Error;

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<Error> {
        let TableFactor::Table { name, version, .. } = factor else {
            return ControlFlow::Continue(());
        };
        let Some(requested) = version.take() else {
            return ControlFlow::Continue(());
        };
        match self.request(name, &requested) {
            Ok(request) => {
                *name = ObjectName(vec![
                    ObjectNamePart::Identifier(Ident::new(TIME_TRAVEL_SCHEMA)),
                    ObjectNamePart::Identifier(Ident::new(&request.hidden_name)),
                ]);
                if !self.requests.contains(&request) {
                    self.requests.push(request);
                }
                ControlFlow::Continue(())
            }
            Err(e) => ControlFlow::Break(e),
        }
    }
}

impl Rewriter<'_> {
    fn request(&self, name: &ObjectName, version: &TableVersion) -> Result<Request> {
        let parts: Vec<String> = name
            .0
            .iter()
            .filter_map(|part| part.as_ident().map(|i| i.value.clone()))
            .collect();
        let (schema, table) = match parts.as_slice() {
            [table] => (ROOT_SCHEMA, table.as_str()),
            [schema, table] | [_, schema, table] => (schema.as_str(), table.as_str()),
            _ => ("", ""),
        };
        let entry = self
            .tables
            .iter()
            .find(|t| t.schema == schema && t.name == table)
            .ok_or_else(|| Error::SqlTableNotFound {
                table: name.to_string(),
                available: self.tables.iter().map(TableEntry::sql_name).collect(),
            })?;
        let pin = pin_of(version)?;
        let hidden_name = match pin {
            Pin::Version(v) => format!("{}@v{v}", entry.sql_name()),
            Pin::AsOf(ts) => format!("{}@{}", entry.sql_name(), ts.to_rfc3339()),
            Pin::Latest => entry.sql_name(),
        };
        Ok(Request {
            table: entry.clone(),
            pin,
            hidden_name,
        })
    }
}

/// The version a `VERSION AS OF n` / `TIMESTAMP AS OF '…'` clause asks for.
fn pin_of(version: &TableVersion) -> Result<Pin> {
    let unsupported = |what: String| Error::Sql {
        stage: "parse",
        reason: format!(
            "{what}: use VERSION AS OF <number> or TIMESTAMP AS OF '<timestamp>' (a string literal)"
        ),
    };
    match version {
        TableVersion::VersionAsOf(Expr::Value(v)) => match &v.value {
            Value::Number(n, _) => n
                .parse::<u64>()
                .map(Pin::Version)
                .map_err(|_| unsupported(format!("version {n} is not a whole number"))),
            other => Err(unsupported(format!("unsupported version {other}"))),
        },
        TableVersion::TimestampAsOf(Expr::Value(v)) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => {
                parse_timestamp(s).map(Pin::AsOf)
            }
            other => Err(unsupported(format!("unsupported timestamp {other}"))),
        },
        TableVersion::TimestampAsOf(expr) => Err(unsupported(format!(
            "unsupported timestamp expression {expr}"
        ))),
        other => Err(unsupported(format!(
            "unsupported table version clause {other}"
        ))),
    }
}

/// Registers the requested version under its hidden name (once per session).
async fn register(ctx: &SessionContext, request: &Request) -> Result<()> {
    let reference = table_reference(TIME_TRAVEL_SCHEMA, &request.hidden_name);
    if ctx.table_exist(reference.clone()).unwrap_or(false) {
        return Ok(());
    }
    let location = TableLocationInLake {
        schema: request.table.schema.clone(),
        name: request.table.name.clone(),
        path: request.table.path.clone(),
    };
    let sql_name = request.table.sql_name();
    let table = catalog::open(&location, request.pin)
        .await?
        .ok_or_else(|| Error::VersionNotFound {
            table: sql_name.clone(),
            target: request.hidden_name.clone(),
            reason: "the table did not exist yet at that time".into(),
        })?;
    let provider = catalog::provider(ctx, &table, &sql_name).await?;
    ctx.register_table(reference, provider)
        .map_err(|e| Error::Sql {
            stage: "register",
            reason: format!("{sql_name}: {e}"),
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_travel_is_detected_only_for_as_of_clauses() {
        assert!(mentions_time_travel("select * from t version as of 3"));
        assert!(mentions_time_travel(
            "SELECT * FROM t TIMESTAMP  AS\nOF '2024-01-01'"
        ));
        assert!(!mentions_time_travel("SELECT version, as_of FROM t"));
    }

    #[test]
    fn timestamps_parse_in_the_documented_forms() {
        let expected = "2024-04-15T10:00:00Z";
        for text in [
            expected,
            "2024-04-15 10:00:00",
            "2024-04-15T10:00:00",
            "2024-04-15T12:00:00+02:00",
        ] {
            assert_eq!(
                parse_timestamp(text).ok().map(|t| t.to_rfc3339()),
                Some("2024-04-15T10:00:00+00:00".into()),
                "{text}"
            );
        }
        assert!(parse_timestamp("2024-04-15").is_ok());
        assert!(parse_timestamp("last tuesday").is_err());
    }
}
