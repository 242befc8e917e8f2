//! The data-quality rule engine: flag, quarantine or fail rows.
//!
//! A [`Rule`] is a name, a Polars boolean expression that is `true` when a row
//! **violates** the rule, a [`Severity`] and a description. [`apply_rules`] evaluates
//! all rules once and:
//! - appends the names of every rule a row violates to its `_dq_flags` list (rows are
//!   never silently fixed or dropped);
//! - routes rows that violate any `quarantine` rule to the quarantine output;
//! - fails the whole batch, before anything is written, if any row violates a `fail`
//!   rule ([`Error::RuleFailed`] names the rule, the count, the columns the rule reads
//!   and where the first failing row came from — its lineage, never its values).
//!
//! A predicate that evaluates to null (e.g. comparing a null date) does not fire.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::bronze::{SOURCE_FILE, SOURCE_ROW};
use crate::error::{Error, Result};

/// Column holding the names of the rules a row violated (`List<String>`).
pub const DQ_FLAGS: &str = "_dq_flags";

/// Columns starting with this prefix are scratch inputs of rules (e.g. a boolean check
/// computed by a transform); [`apply_rules`] removes them from its outputs.
pub const SCRATCH_PREFIX: &str = "__dq_";

pub use medallion_model::{Rule, Severity};

/// The result of applying rules to a batch.
#[derive(Debug, Clone)]
pub struct RuleOutcome {
    /// Rows to keep (warn flags included in `_dq_flags`).
    pub kept: DataFrame,
    /// Rows that violated at least one quarantine rule, with their `_dq_flags`.
    pub quarantined: DataFrame,
    /// Rows violating each rule (every rule listed, zero included).
    pub rule_hits: BTreeMap<String, u64>,
}

const QUARANTINE_COLUMN: &str = "__dq_quarantine";
const ANY_HIT_COLUMN: &str = "__dq_any_hit";
const ROW_COLUMN: &str = "__dq_row";

fn hit_column(index: usize) -> String {
    format!("{SCRATCH_PREFIX}hit_{index}")
}

/// Applies `rules` to `input`: flags rows in `_dq_flags`, splits off quarantined rows and
/// fails the batch on a `fail` rule (see [`Severity`]).
///
/// An existing `_dq_flags` column (e.g. parse flags from a lenient reader) is kept and
/// extended.
///
/// # Errors
/// [`Error::RuleFailed`] if a `fail` rule fires; [`Error::InvalidConfiguration`] for
/// duplicate rule names; [`Error::Polars`] if a rule expression (or the lazy input, e.g.
/// a transform's strict cast) does not evaluate — with data values redacted from the
/// message (see [`Error`]).
///
/// ```
/// use medallion_core::pipeline::{Rule, apply_rules};
/// use polars::prelude::*;
///
/// let df = df!("id" => [1i64, 2, 3], "start" => [1i64, 5, 2], "stop" => [2i64, 4, 2])?;
/// let rules = [
///     Rule::quarantine("stop_before_start", col("stop").lt(col("start")), "STOP before START"),
///     Rule::warn("zero_length", col("stop").eq(col("start")), "zero-length interval"),
/// ];
/// let out = apply_rules(df.lazy(), &rules, "demo")?;
/// assert_eq!((out.kept.height(), out.quarantined.height()), (2, 1));
/// assert_eq!(out.rule_hits["zero_length"], 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply_rules(input: LazyFrame, rules: &[Rule], table: &str) -> Result<RuleOutcome> {
    ensure_unique_names(rules, table)?;
    let evaluated = evaluate(input, rules, table)?;
    let rule_hits = count_hits(&evaluated, rules, table)?;
    let (kept, quarantined) = split_quarantined(evaluated, table)?;
    Ok(RuleOutcome {
        kept,
        quarantined,
        rule_hits,
    })
}

const OP: &str = "apply rules";

/// Rule names identify flags and hit counts: each may be used once.
fn ensure_unique_names(rules: &[Rule], table: &str) -> Result<()> {
    let mut names = std::collections::HashSet::new();
    match rules.iter().find(|rule| !names.insert(rule.name.as_str())) {
        Some(rule) => Err(Error::InvalidConfiguration {
            table: table.to_string(),
            operation: OP,
            reason: format!("rule name '{}' is used twice", rule.name),
        }),
        None => Ok(()),
    }
}

/// The input in its original row order with one hit column per rule, `_dq_flags`
/// extended by the rules that fired, and [`QUARANTINE_COLUMN`].
fn evaluate(input: LazyFrame, rules: &[Rule], table: &str) -> Result<DataFrame> {
    let mut input = input;
    let schema = input
        .collect_schema()
        .map_err(|e| Error::polars(table, OP, e))?;
    let existing_flags = if schema.get(DQ_FLAGS).is_some() {
        col(DQ_FLAGS).cast(DataType::List(Box::new(DataType::String)))
    } else {
        lit(Series::new_empty("".into(), &DataType::String)).implode(true)
    };
    let hits: Vec<Expr> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            rule.violation
                .clone()
                .fill_null(lit(false))
                .alias(hit_column(i))
        })
        .collect();
    let any_hit = any_of(rules, |_| true);
    // Flags are built only for rows where a rule fired (usually few): building a list
    // for every row costs more than evaluating all the rules.
    let indexed = input
        .with_row_index(ROW_COLUMN, None)
        .with_columns(hits)
        .with_column(any_hit.alias(ANY_HIT_COLUMN))
        .collect()
        .map_err(|e| Error::polars_data(table, OP, e))?;
    let any_flagged = indexed
        .column(ANY_HIT_COLUMN)
        .and_then(|c| c.bool().map(|b| b.any()))
        .map_err(|e| Error::polars(table, OP, e))?;
    let clean = indexed.clone().lazy();
    // Without flagged rows the frame is used as is: no split, concat and re-sort, which
    // would gather (copy) every column of a large batch.
    let combined = if any_flagged {
        let flagged = indexed
            .lazy()
            .filter(col(ANY_HIT_COLUMN))
            .with_column(flags_of_fired_rules(rules, existing_flags.clone(), table)?);
        let clean = clean
            .filter(col(ANY_HIT_COLUMN).not())
            .with_column(existing_flags.alias(DQ_FLAGS));
        concat([flagged, clean], UnionArgs::default())
            .map_err(|e| Error::polars(table, OP, e))?
            .sort([ROW_COLUMN], SortMultipleOptions::default())
    } else {
        clean.with_column(existing_flags.alias(DQ_FLAGS))
    };
    let quarantine_any = any_of(rules, |r| r.severity == Severity::Quarantine);
    combined
        .with_column(quarantine_any.alias(QUARANTINE_COLUMN))
        .collect()
        .map_err(|e| Error::polars(table, OP, e))
}

/// `true` where any of the rules selected by `which` fired.
fn any_of(rules: &[Rule], which: impl Fn(&Rule) -> bool) -> Expr {
    rules
        .iter()
        .enumerate()
        .filter(|(_, rule)| which(rule))
        .map(|(i, _)| col(hit_column(i)))
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(false))
}

/// `_dq_flags`: the existing flags followed by the names of the rules that fired.
fn flags_of_fired_rules(rules: &[Rule], existing_flags: Expr, table: &str) -> Result<Expr> {
    if rules.is_empty() {
        return Ok(existing_flags.alias(DQ_FLAGS));
    }
    let mut parts = vec![existing_flags];
    parts.extend(rules.iter().enumerate().map(|(i, rule)| {
        when(col(hit_column(i)))
            .then(lit(rule.name.clone()))
            .otherwise(lit(NULL).cast(DataType::String))
    }));
    Ok(concat_list(parts)
        .map_err(|e| Error::polars(table, OP, e))?
        .list()
        .eval(element().drop_nulls())
        .alias(DQ_FLAGS))
}

/// Rows violating each rule; fails the batch on the first `fail` rule that fired.
fn count_hits(evaluated: &DataFrame, rules: &[Rule], table: &str) -> Result<BTreeMap<String, u64>> {
    let mut rule_hits = BTreeMap::new();
    for (i, rule) in rules.iter().enumerate() {
        let column = evaluated
            .column(&hit_column(i))
            .and_then(|c| c.bool().cloned())
            .map_err(|e| Error::polars(table, OP, e))?;
        let count = column.sum().unwrap_or(0) as u64;
        if rule.severity == Severity::Fail && count > 0 {
            return Err(Error::RuleFailed {
                table: table.to_string(),
                rule: rule.name.clone(),
                description: rule.description.clone(),
                rows: count,
                columns: rule_columns(rule).into_boxed_slice(),
                example: first_failing_row(evaluated, &column),
            });
        }
        rule_hits.insert(rule.name.clone(), count);
    }
    Ok(rule_hits)
}

/// The columns a rule's expression reads, in order of first use.
fn rule_columns(rule: &Rule) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for name in polars_plan::utils::expr_to_leaf_column_names(&rule.violation) {
        if !columns.iter().any(|c| c.as_str() == name.as_str()) {
            columns.push(name.to_string());
        }
    }
    columns
}

/// Where the first row violating a rule (`hits`) came from — `_source_file` and
/// `_source_row` when the rows carry them, else its position in the batch — never its
/// values, which may be patient data.
fn first_failing_row(evaluated: &DataFrame, hits: &BooleanChunked) -> String {
    let first = hits.iter().position(|hit| hit == Some(true)).unwrap_or(0);
    let text = |column: &str| {
        evaluated
            .column(column)
            .ok()
            .and_then(|c| c.get(first).ok())
            .map(|v| match v {
                AnyValue::String(s) => s.to_string(),
                AnyValue::StringOwned(s) => s.to_string(),
                other => other.to_string(),
            })
            .filter(|v| v != "null")
    };
    match (text(SOURCE_FILE), text(SOURCE_ROW)) {
        (Some(file), Some(row)) => format!("row {row} of source file '{file}'"),
        _ => format!("input row {} of the rule check", first + 1),
    }
}

/// `(kept, quarantined)` rows, without scratch columns.
fn split_quarantined(evaluated: DataFrame, table: &str) -> Result<(DataFrame, DataFrame)> {
    // Rule scratch columns: ours, and any `__dq_*` check column a transform added for
    // its rules (documented contract: they never reach the outputs).
    let helper_columns: Vec<String> = evaluated
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| c.starts_with(SCRATCH_PREFIX))
        .collect();
    let any_quarantined = evaluated
        .column(QUARANTINE_COLUMN)
        .and_then(|c| c.bool().map(|b| b.any()))
        .map_err(|e| Error::polars(table, OP, e))?;
    let split = |quarantined: bool| -> Result<DataFrame> {
        let mask = col(QUARANTINE_COLUMN);
        let frame = evaluated.clone().lazy();
        // Filtering with an all-true mask would copy the batch for nothing.
        let frame = match (any_quarantined, quarantined) {
            (false, false) => frame,
            (false, true) => frame.filter(lit(false)),
            (true, true) => frame.filter(mask),
            (true, false) => frame.filter(mask.not()),
        };
        frame
            .drop(cols(helper_columns.clone()))
            .collect()
            .map_err(|e| Error::polars(table, OP, e))
    };
    Ok((split(false)?, split(true)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> LazyFrame {
        df!(
            "id" => [1i64, 2, 3, 4],
            "start" => [Some(1i64), Some(5), None, Some(2)],
            "stop" => [Some(2i64), Some(4), Some(3), Some(2)],
        )
        .unwrap()
        .lazy()
    }

    fn flags(df: &DataFrame) -> Vec<Vec<String>> {
        df.column(DQ_FLAGS)
            .unwrap()
            .list()
            .unwrap()
            .amortized_iter()
            .map(|l| {
                l.map(|s| {
                    s.as_ref()
                        .str()
                        .unwrap()
                        .iter()
                        .flatten()
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn warn_rules_flag_and_keep_rows() {
        let rules = [Rule::warn(
            "zero",
            col("stop").eq(col("start")),
            "zero length",
        )];
        let out = apply_rules(frame(), &rules, "t").unwrap();
        assert_eq!(out.kept.height(), 4);
        assert_eq!(flags(&out.kept)[3], vec!["zero".to_string()]);
        assert!(flags(&out.kept)[0].is_empty());
    }

    #[test]
    fn quarantine_rules_move_rows_with_all_their_flags() {
        let rules = [
            Rule::quarantine("stop_before_start", col("stop").lt(col("start")), "x"),
            Rule::warn("odd_id", (col("id") % lit(2)).eq(lit(0)), "y"),
        ];
        let out = apply_rules(frame(), &rules, "t").unwrap();
        assert_eq!((out.kept.height(), out.quarantined.height()), (3, 1));
        assert_eq!(
            flags(&out.quarantined)[0],
            vec!["stop_before_start".to_string(), "odd_id".to_string()]
        );
        assert_eq!(out.rule_hits["odd_id"], 2);
    }

    #[test]
    fn null_predicates_do_not_fire() {
        let rules = [Rule::quarantine(
            "stop_before_start",
            col("stop").lt(col("start")),
            "x",
        )];
        let out = apply_rules(frame(), &rules, "t").unwrap();
        // Row 3 has a null start: the comparison is null, so it is kept unflagged.
        assert!(flags(&out.kept)[2].is_empty());
    }

    #[test]
    fn fail_rules_abort_with_the_rule_name_and_count() {
        let rules = [Rule::fail(
            "no_start",
            col("start").is_null(),
            "start missing",
        )];
        let err = apply_rules(frame(), &rules, "t").unwrap_err();
        match err {
            Error::RuleFailed {
                rule,
                rows,
                columns,
                example,
                ..
            } => {
                assert_eq!((rule.as_str(), rows), ("no_start", 1));
                assert_eq!(&*columns, ["start"]);
                assert_eq!(example, "input row 3 of the rule check");
            }
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn fail_rule_errors_name_the_source_row_not_the_values() {
        let lf = df!(
            "name" => ["Ann Lee", "Zebulon Quixote"],
            "ssn" => ["123-45-6789", "999-12-3456"],
            SOURCE_FILE => ["landing/patients.csv", "landing/patients.csv"],
            SOURCE_ROW => [1i64, 2],
        )
        .unwrap()
        .lazy();
        let rules = [Rule::fail(
            "ssn_test_range",
            col("ssn").str().starts_with(lit("999")),
            "SSN in the test range",
        )];
        let message = apply_rules(lf, &rules, "t").unwrap_err().to_string();
        assert!(
            !message.contains("Zebulon") && !message.contains("999-12-3456"),
            "{message}"
        );
        assert!(
            message.contains("row 2 of source file 'landing/patients.csv'"),
            "{message}"
        );
        assert!(message.contains("[ssn]"), "{message}");
    }

    #[test]
    fn polars_errors_of_data_do_not_show_the_values() {
        let lf = df!("ssn" => ["999-12-3456"]).unwrap().lazy();
        let cast = lf.with_column(col("ssn").strict_cast(DataType::Int64));
        let message = apply_rules(cast, &[], "t").unwrap_err().to_string();
        assert!(!message.contains("999-12-3456"), "{message}");
        assert!(message.contains("ssn"), "{message}");
    }

    #[test]
    fn existing_flags_are_extended_not_replaced() {
        let lf = frame().with_column(
            lit(Series::new("".into(), ["parse_error"]))
                .implode(true)
                .alias(DQ_FLAGS),
        );
        let rules = [Rule::warn(
            "zero",
            col("stop").eq(col("start")),
            "zero length",
        )];
        let out = apply_rules(lf, &rules, "t").unwrap();
        assert_eq!(
            flags(&out.kept)[3],
            vec!["parse_error".to_string(), "zero".to_string()]
        );
        assert_eq!(flags(&out.kept)[0], vec!["parse_error".to_string()]);
    }

    #[test]
    fn duplicate_rule_names_are_rejected() {
        let rules = [
            Rule::warn("r", lit(true), "a"),
            Rule::warn("r", lit(false), "b"),
        ];
        assert!(matches!(
            apply_rules(frame(), &rules, "t"),
            Err(Error::InvalidConfiguration { .. })
        ));
    }

    #[test]
    fn scratch_check_columns_are_removed_from_outputs() {
        let lf = frame().with_column(col("id").gt(lit(3)).alias("__dq_check_big"));
        let rules = [Rule::warn("big", col("__dq_check_big"), "id above 3")];
        let out = apply_rules(lf, &rules, "t").unwrap();
        assert_eq!(out.rule_hits["big"], 1);
        assert!(out.kept.column("__dq_check_big").is_err());
    }

    #[test]
    fn no_rules_gives_empty_flag_lists() {
        let out = apply_rules(frame(), &[], "t").unwrap();
        assert_eq!(out.kept.height(), 4);
        assert!(flags(&out.kept).iter().all(Vec::is_empty));
    }
}
