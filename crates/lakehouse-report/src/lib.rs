//! # lakehouse-report
//!
//! A self-contained static HTML report over a lakehouse's gold tables and run history:
//! one file, inline SVG charts drawn with plotters' SVG backend, inline CSS, no script
//! and no network access, so it opens from a file share or an e-mail attachment.
//!
//! The crate is pure: [`render`] takes the tables as Polars [`DataFrame`]s (read them with
//! `medallion_core::ReadBuilder`; the `lakehouse_report` example does) and returns the
//! HTML as a `String`. Sections:
//!
//! | section | tables (gold unless noted) |
//! |---|---|
//! | Quality metrics | `readmission_rates` (by discharge month, with numerator and denominator), `los_by_condition`, `adherence_rates`, `diagnosis_latency_by_condition` |
//! | Patient journeys | `time_to_treatment` |
//! | Population health | `condition_prevalence`, `condition_incidence_weekly` |
//! | Operations | the patient-flow lakehouse's `occupancy_daily` (when given) |
//! | Data quality | `_runs` (quarantined and deduplicated rows, rule hits per table and run) |
//! | Pipeline runs | `_runs` (duration, rows written and status per run) |
//!
//! Every chart has a title, axis labels with units and its definition one click away
//! (a `<details>` element under it). A chart whose table is missing is replaced by a
//! note saying which table is missing.
//!
//! ```
//! use lakehouse_report::{ReportInput, render};
//! use polars::prelude::*;
//!
//! let mut input = ReportInput::new("demo lakehouse", "2024-04-15T10:00:00Z");
//! input.gold.insert(
//!     "los_by_condition".into(),
//!     df!("condition_code" => ["22298006"], "discharges" => [8i64], "alos_days" => [3.75])?,
//! );
//! let report = render(&input)?;
//! assert!(report.html.starts_with("<!DOCTYPE html>"));
//! assert_eq!(report.charts.iter().find(|c| c.id == "alos-by-condition").map(|c| c.marks), Some(1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod chart;
mod data;
mod error;
mod html;
mod sections;

use std::collections::BTreeMap;

use polars::prelude::DataFrame;

pub use error::{ReportError, Result};

/// The tables the report reads.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    /// The lakehouse's name or path, shown in the heading.
    pub lakehouse: String,
    /// When the report was made (shown; the caller's clock, so rendering stays pure).
    pub generated_at: String,
    /// Gold tables by name (`readmission_rates`, …).
    pub gold: BTreeMap<String, DataFrame>,
    /// The run history (`_runs`), if the lakehouse has one.
    pub runs: Option<DataFrame>,
    /// The patient-flow lakehouse's gold tables (`occupancy_daily`, …), if there is one.
    pub flow_gold: BTreeMap<String, DataFrame>,
}

impl ReportInput {
    /// An input with no tables yet.
    pub fn new(lakehouse: impl Into<String>, generated_at: impl Into<String>) -> Self {
        Self {
            lakehouse: lakehouse.into(),
            generated_at: generated_at.into(),
            ..Self::default()
        }
    }
}

/// The report: its HTML and what each chart draws.
#[derive(Debug, Clone)]
pub struct Report {
    /// The whole self-contained HTML document.
    pub html: String,
    /// One entry per chart, in document order.
    pub charts: Vec<ChartInfo>,
}

/// A chart of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartInfo {
    /// The HTML id of the chart's `<figure>` (also its `data-chart` attribute).
    pub id: String,
    /// The id of the section it belongs to.
    pub section: String,
    /// The chart title.
    pub title: String,
    /// Data marks drawn: a bar (`rect`) per value or a point (`circle`) per value.
    pub marks: usize,
}

/// The report's sections, in order: id and heading.
pub const SECTIONS: [(&str, &str); 6] = [
    ("quality", "Quality metrics"),
    ("journeys", "Patient journeys"),
    ("population", "Population health"),
    ("operations", "Operations"),
    ("data-quality", "Data quality"),
    ("runs", "Pipeline runs"),
];

/// Builds the report from `input`.
///
/// # Errors
/// [`ReportError::MissingColumn`] when a given table lacks a column a chart needs,
/// [`ReportError::Chart`] when plotters fails.
pub fn render(input: &ReportInput) -> Result<Report> {
    let sections = sections::build(input)?;
    let charts = sections
        .iter()
        .flat_map(|s| s.figures.iter().map(move |f| (s.id, f)))
        .filter_map(|(section, figure)| {
            figure.chart.as_ref().map(|c| ChartInfo {
                id: figure.id.clone(),
                section: section.to_string(),
                title: c.title.clone(),
                marks: c.marks,
            })
        })
        .collect();
    Ok(Report {
        html: html::document(input, &sections),
        charts,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use polars::prelude::*;

    fn input() -> ReportInput {
        let mut input = ReportInput::new("test <lake>", "2024-04-15");
        input.gold.insert(
            "readmission_rates".into(),
            df!(
                "dimension" => ["discharge_month", "discharge_month", "overall"],
                "dimension_value" => ["2024-01", "2024-02", "all"],
                "index_stays" => [10i64, 4, 14],
                "readmissions" => [1i64, 2, 3],
                "rate" => [0.1, 0.5, 3.0 / 14.0],
            )
            .unwrap(),
        );
        input.gold.insert(
            "los_by_condition".into(),
            df!("condition_code" => ["a", "b"], "discharges" => [3i64, 5], "alos_days" => [2.0, 4.5])
                .unwrap(),
        );
        input
    }

    #[test]
    fn every_chart_has_a_title_axis_labels_with_units_and_a_definition() {
        let report = render(&input()).unwrap();
        assert_eq!(report.charts.len(), 2);
        for chart in &report.charts {
            let start = report
                .html
                .find(&format!("data-chart=\"{}\"", chart.id))
                .unwrap();
            let figure =
                &report.html[start..start + report.html[start..].find("</figure>").unwrap()];
            assert!(figure.contains(&chart.title), "{}: title", chart.id);
            assert!(
                figure.contains("<summary>Definition</summary>"),
                "{}: definition",
                chart.id
            );
            let units = ["(%)", "(days)", "(YYYY-MM)"];
            assert!(
                units.iter().any(|u| figure.contains(u)),
                "{}: axis units",
                chart.id
            );
        }
    }

    #[test]
    fn the_readmission_chart_counts_one_point_per_month_and_lists_numerator_and_denominator() {
        let report = render(&input()).unwrap();
        let chart = report
            .charts
            .iter()
            .find(|c| c.id == "readmission-rate-by-month")
            .unwrap();
        assert_eq!(chart.marks, 2);
        assert!(report.html.contains("readmissions (numerator)"));
        assert!(
            report
                .html
                .contains("<td>2024-02</td><td>2</td><td>4</td><td>50.0 %</td>")
        );
    }

    #[test]
    fn a_missing_table_is_a_note_not_a_chart() {
        let report = render(&input()).unwrap();
        assert!(!report.charts.iter().any(|c| c.section == "operations"));
        assert!(report.html.contains("no table gold.occupancy_daily"));
    }

    #[test]
    fn the_page_is_self_contained_and_escapes_text() {
        let html = render(&input()).unwrap().html;
        assert!(!html.contains("<script"));
        for reference in ["src=\"http", "href=\"http", "url(http", "@import"] {
            assert!(!html.contains(reference), "{reference}");
        }
        assert!(html.contains("test &lt;lake&gt;"));
    }

    #[test]
    fn a_table_without_a_needed_column_is_an_error_naming_it() {
        let mut input = input();
        input.gold.insert(
            "los_by_condition".into(),
            df!("condition_code" => ["a"]).unwrap(),
        );
        let error = render(&input).unwrap_err();
        assert!(
            matches!(&error, ReportError::MissingColumn { table, column, .. }
                if table == "los_by_condition" && column == "discharges"),
            "{error}"
        );
    }
}
