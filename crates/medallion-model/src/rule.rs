//! The rule model: what a data-quality rule is. The engine that evaluates rules
//! (flags, quarantine, failing a batch) lives in `medallion-core`.

use polars::prelude::Expr;
use serde::{Deserialize, Serialize};

/// What happens to a row that violates a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Keep the row and record the rule's name in its `_dq_flags`.
    Warn,
    /// Move the row (with its flags) to the `<table>_quarantine` table.
    Quarantine,
    /// Abort the batch; nothing is committed.
    Fail,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Warn => "warn",
            Severity::Quarantine => "quarantine",
            Severity::Fail => "fail",
        })
    }
}

/// One data-quality rule.
///
/// `violation` is a boolean expression that is `true` when a row **violates** the rule;
/// a null result does not fire.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique name, e.g. `encounters.stop_before_start`; recorded in `_dq_flags`.
    pub name: String,
    /// `true` when the row violates the rule.
    pub violation: Expr,
    /// What happens to violating rows.
    pub severity: Severity,
    /// What the rule checks, for reports and docs.
    pub description: String,
}

impl Rule {
    /// A rule with the given severity.
    pub fn new(
        name: impl Into<String>,
        violation: Expr,
        severity: Severity,
        description: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            violation,
            severity,
            description: description.into(),
        }
    }

    /// A `warn` rule: keep and flag.
    pub fn warn(name: impl Into<String>, violation: Expr, description: impl Into<String>) -> Self {
        Self::new(name, violation, Severity::Warn, description)
    }

    /// A `quarantine` rule: move to the quarantine table.
    pub fn quarantine(
        name: impl Into<String>,
        violation: Expr,
        description: impl Into<String>,
    ) -> Self {
        Self::new(name, violation, Severity::Quarantine, description)
    }

    /// A `fail` rule: abort the batch.
    pub fn fail(name: impl Into<String>, violation: Expr, description: impl Into<String>) -> Self {
        Self::new(name, violation, Severity::Fail, description)
    }

    /// The same rule with another severity (e.g. from a configured override).
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn severity_serializes_as_its_lowercase_name() {
        for (s, text) in [
            (Severity::Warn, "warn"),
            (Severity::Quarantine, "quarantine"),
            (Severity::Fail, "fail"),
        ] {
            assert_eq!(s.to_string(), text);
        }
    }

    #[test]
    fn with_severity_overrides_only_the_severity() {
        let rule = Rule::warn("t.r", col("a").is_null(), "a missing").with_severity(Severity::Fail);
        assert_eq!(rule.severity, Severity::Fail);
        assert_eq!(rule.name, "t.r");
        assert_eq!(rule.description, "a missing");
    }
}
