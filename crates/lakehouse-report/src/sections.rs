//! The report's sections: which table each chart reads, how, and its definition.

use std::collections::{BTreeMap, BTreeSet};

use crate::chart::{Bars, Lines, truncate};
use crate::data::Table;
use crate::error::Result;
use crate::html::table as html_table;
use crate::{ReportInput, SECTIONS};

/// Bars shown at most per bar chart (the largest by the chart's ordering).
const TOP: usize = 15;
/// Months of readmission history charted.
const MONTHS: usize = 36;
/// Weeks of surveillance history charted.
const WEEKS: usize = 52;
/// Runs charted in the run history.
const RUNS: usize = 20;

/// A drawn chart.
pub(crate) struct ChartSvg {
    pub(crate) title: String,
    pub(crate) svg: String,
    pub(crate) marks: usize,
}

/// A chart with its definition, or a note on why it is missing.
pub(crate) struct Figure {
    pub(crate) id: String,
    pub(crate) definition: String,
    pub(crate) chart: Option<ChartSvg>,
    pub(crate) note: String,
    pub(crate) extra_html: String,
}

/// A section of the report.
pub(crate) struct Section {
    pub(crate) id: &'static str,
    pub(crate) heading: &'static str,
    pub(crate) figures: Vec<Figure>,
}

/// Every section, in [`SECTIONS`] order.
pub(crate) fn build(input: &ReportInput) -> Result<Vec<Section>> {
    let gold = |name: &'static str| input.gold.get(name).map(|frame| Table { name, frame });
    let flow = |name: &'static str| input.flow_gold.get(name).map(|frame| Table { name, frame });
    let runs = input.runs.as_ref().map(|frame| Table {
        name: "_runs",
        frame,
    });
    let figures: [Vec<Figure>; 6] = [
        vec![
            readmissions(gold("readmission_rates"))?,
            alos(gold("los_by_condition"))?,
            adherence(gold("adherence_rates"))?,
            latency(gold("diagnosis_latency_by_condition"))?,
        ],
        vec![time_to_treatment(gold("time_to_treatment"))?],
        vec![
            prevalence(gold("condition_prevalence"))?,
            surveillance(gold("condition_incidence_weekly"))?,
        ],
        vec![occupancy(flow("occupancy_daily"))?],
        vec![data_quality(runs.as_ref())?],
        vec![run_history(runs.as_ref())?],
    ];
    Ok(SECTIONS
        .iter()
        .zip(figures)
        .map(|(&(id, heading), figures)| Section {
            id,
            heading,
            figures,
        })
        .collect())
}

fn missing(id: &str, table: &str) -> Figure {
    Figure {
        id: id.to_string(),
        definition: String::new(),
        chart: None,
        note: format!("Not shown: the lakehouse has no table {table} (or it is empty)."),
        extra_html: String::new(),
    }
}

fn bars_figure(id: &str, bars: Bars, definition: &str, extra_html: String) -> Result<Figure> {
    if bars.values.is_empty() {
        return Ok(Figure {
            note: format!("Not shown: no rows for “{}”.", bars.title),
            ..missing(id, "")
        });
    }
    Ok(Figure {
        id: id.to_string(),
        definition: definition.to_string(),
        chart: Some(ChartSvg {
            svg: bars.svg()?,
            marks: bars.marks(),
            title: bars.title,
        }),
        note: String::new(),
        extra_html,
    })
}

fn lines_figure(id: &str, lines: Lines, definition: &str, extra_html: String) -> Result<Figure> {
    if lines.marks() == 0 {
        return Ok(Figure {
            note: format!("Not shown: no rows for “{}”.", lines.title),
            ..missing(id, "")
        });
    }
    Ok(Figure {
        id: id.to_string(),
        definition: definition.to_string(),
        chart: Some(ChartSvg {
            svg: lines.svg()?,
            marks: lines.marks(),
            title: lines.title,
        }),
        note: String::new(),
        extra_html,
    })
}

/// Rows of (label, sort key, value) → the `TOP` largest by sort key as bars.
fn top_bars(mut rows: Vec<(String, f64, f64)>) -> (Vec<String>, Vec<f64>) {
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(TOP);
    rows.into_iter()
        .map(|(label, _, value)| (label, value))
        .unzip()
}

fn fmt(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.0}"))
}

/// A discharge month: month, index stays, readmissions, rate.
type MonthRow = (String, Option<f64>, Option<f64>, Option<f64>);

fn readmissions(table: Option<Table<'_>>) -> Result<Figure> {
    let id = "readmission-rate-by-month";
    let Some(t) = table else {
        return Ok(missing(id, "gold.readmission_rates"));
    };
    let (dimension, month) = (t.strings("dimension")?, t.strings("dimension_value")?);
    let (stays, readmits, rate) = (
        t.floats("index_stays")?,
        t.floats("readmissions")?,
        t.floats("rate")?,
    );
    let mut rows: Vec<MonthRow> = (0..month.len())
        .filter(|&i| dimension[i].as_deref() == Some("discharge_month"))
        .filter_map(|i| Some((month[i].clone()?, stays[i], readmits[i], rate[i])))
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let rows = &rows[rows.len().saturating_sub(MONTHS)..];
    let x_labels: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let points = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.3? * 100.0)))
        .collect();
    let recent: Vec<Vec<String>> = rows
        .iter()
        .rev()
        .take(12)
        .map(|r| {
            vec![
                r.0.clone(),
                fmt(r.2),
                fmt(r.1),
                r.3.map_or("–".into(), |v| format!("{:.1} %", v * 100.0)),
            ]
        })
        .collect();
    let lines = Lines {
        title: format!(
            "30-day readmission rate by discharge month (last {} months with discharges)",
            x_labels.len()
        ),
        x_axis: "discharge month (YYYY-MM)".into(),
        y_axis: "readmission rate (%)".into(),
        x_labels,
        series: vec![("rate".into(), points)],
    };
    let definition = "Share of index inpatient stays discharged in the month that are followed by an unplanned inpatient admission of the same patient within 30 days. Numerator: readmissions; denominator: index stays (planned admissions, transfers and deaths excluded). Source: gold.readmission_rates, dimension discharge_month.";
    let extra = html_table(
        &[
            "month",
            "readmissions (numerator)",
            "index stays (denominator)",
            "rate",
        ],
        &recent,
    );
    lines_figure(id, lines, definition, extra)
}

fn alos(table: Option<Table<'_>>) -> Result<Figure> {
    let id = "alos-by-condition";
    let Some(t) = table else {
        return Ok(missing(id, "gold.los_by_condition"));
    };
    let (code, discharges, alos) = (
        t.strings("condition_code")?,
        t.floats("discharges")?,
        t.floats("alos_days")?,
    );
    let rows = (0..code.len())
        .filter_map(|i| Some((code[i].clone()?, discharges[i]?, alos[i]?)))
        .collect();
    let (categories, values) = top_bars(rows);
    let bars = Bars {
        title: format!(
            "Average length of stay by admitting condition (top {} by discharges)",
            categories.len()
        ),
        category_axis: "condition (SNOMED code)".into(),
        value_axis: "average length of stay (days)".into(),
        categories,
        values,
    };
    bars_figure(
        id,
        bars,
        "Mean length of stay in days (discharge date minus admission date) of discharged inpatient stays, by the stay's reason code. Source: gold.los_by_condition.",
        String::new(),
    )
}

fn adherence(table: Option<Table<'_>>) -> Result<Figure> {
    let id = "adherence-by-class";
    let Some(t) = table else {
        return Ok(missing(id, "gold.adherence_rates"));
    };
    let (class, eligible, rate) = (
        t.strings("drug_class")?,
        t.floats("eligible_patients")?,
        t.floats("adherence_rate")?,
    );
    let rows = (0..class.len())
        .filter_map(|i| Some((class[i].clone()?, eligible[i]?, rate[i]? * 100.0)))
        .collect();
    let (categories, values) = top_bars(rows);
    let bars = Bars {
        title: "Medication adherence (PDC ≥ 80 %) by drug class".into(),
        category_axis: "drug class".into(),
        value_axis: "adherent patients (% of eligible)".into(),
        categories,
        values,
    };
    bars_figure(
        id,
        bars,
        "Share of eligible patients (two or more fills of the class in the period) whose proportion of days covered is at least 80 % over the 12 months before the as-of date. Source: gold.adherence_rates.",
        String::new(),
    )
}

fn latency(table: Option<Table<'_>>) -> Result<Figure> {
    let id = "diagnosis-latency";
    let Some(t) = table else {
        return Ok(missing(id, "gold.diagnosis_latency_by_condition"));
    };
    let (code, patients, median) = (
        t.strings("condition_code")?,
        t.floats("patients")?,
        t.floats("median_latency_days")?,
    );
    let rows = (0..code.len())
        .filter_map(|i| Some((code[i].clone()?, patients[i]?, median[i]?)))
        .collect();
    let (categories, values) = top_bars(rows);
    let bars = Bars {
        title: format!(
            "Median diagnosis latency by condition (top {} by patients)",
            categories.len()
        ),
        category_axis: "condition (SNOMED code)".into(),
        value_axis: "median latency (days)".into(),
        categories,
        values,
    };
    bars_figure(
        id,
        bars,
        "Median days from a patient's first encounter with a related symptom or visit to the condition's diagnosis date. Source: gold.diagnosis_latency_by_condition.",
        String::new(),
    )
}

fn time_to_treatment(table: Option<Table<'_>>) -> Result<Figure> {
    let id = "time-to-treatment";
    let Some(t) = table else {
        return Ok(missing(id, "gold.time_to_treatment"));
    };
    let description = t.strings("condition_description")?;
    let (patients, treated, median) = (
        t.floats("patients")?,
        t.floats("treated_patients")?,
        t.floats("median_days_to_medication")?,
    );
    let rows = (0..description.len())
        .filter(|&i| treated[i].is_some_and(|n| n > 0.0))
        .filter_map(|i| {
            Some((
                truncate(description[i].as_deref()?, 40),
                patients[i]?,
                median[i]?,
            ))
        })
        .collect();
    let (categories, values) = top_bars(rows);
    let bars = Bars {
        title: format!(
            "Median time to first medication by condition (top {} by patients)",
            categories.len()
        ),
        category_axis: "condition".into(),
        value_axis: "median time to treatment (days)".into(),
        categories,
        values,
    };
    bars_figure(
        id,
        bars,
        "Median days from a condition's onset to the patient's first medication started on or after it, over the patients treated. Source: gold.time_to_treatment.",
        String::new(),
    )
}

fn prevalence(table: Option<Table<'_>>) -> Result<Figure> {
    let id = "prevalence-by-group";
    let Some(t) = table else {
        return Ok(missing(id, "gold.condition_prevalence"));
    };
    let (dimension, group, code) = (
        t.strings("dimension")?,
        t.strings("group_value")?,
        t.strings("code")?,
    );
    let (description, active, per_1000) = (
        t.strings("description")?,
        t.floats("active_patients")?,
        t.floats("active_per_1000")?,
    );
    let by_age: Vec<usize> = (0..code.len())
        .filter(|&i| dimension[i].as_deref() == Some("age_band"))
        .collect();
    let mut totals: BTreeMap<&str, f64> = BTreeMap::new();
    for &i in &by_age {
        if let (Some(c), Some(_)) = (code[i].as_deref(), active[i]) {
            *totals.entry(c).or_default() += per_1000[i].unwrap_or(0.0);
        }
    }
    let top = totals
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(c, _)| *c);
    let rows: Vec<usize> = by_age
        .into_iter()
        .filter(|&i| code[i].as_deref() == top && per_1000[i].is_some())
        .collect();
    let name = rows
        .first()
        .and_then(|&i| description[i].clone())
        .unwrap_or_default();
    let mut bars: Vec<(String, f64)> = rows
        .iter()
        .filter_map(|&i| Some((group[i].clone()?, per_1000[i]?)))
        .collect();
    bars.sort_by(|a, b| a.0.cmp(&b.0));
    let (categories, values) = bars.into_iter().unzip();
    let chart = Bars {
        title: format!("Active prevalence of {} by age band", truncate(&name, 40)),
        category_axis: "age band (years)".into(),
        value_axis: "active patients per 1,000".into(),
        categories,
        values,
    };
    bars_figure(
        id,
        chart,
        "Patients with the condition active at the as-of date per 1,000 patients alive in the age band, for the condition with the highest prevalence summed over the bands; cells under the small-cell threshold are suppressed and not drawn. Source: gold.condition_prevalence, dimension age_band.",
        String::new(),
    )
}

fn surveillance(table: Option<Table<'_>>) -> Result<Figure> {
    let id = "surveillance-trends";
    let Some(t) = table else {
        return Ok(missing(id, "gold.condition_incidence_weekly"));
    };
    let (condition, week, avg) = (
        t.strings("condition")?,
        t.strings("week_start")?,
        t.floats("new_cases_4w_avg")?,
    );
    let weeks: BTreeSet<&str> = week.iter().flatten().map(String::as_str).collect();
    let x_labels: Vec<String> = weeks
        .iter()
        .skip(weeks.len().saturating_sub(WEEKS))
        .map(|w| w.to_string())
        .collect();
    let position: BTreeMap<&str, usize> = x_labels
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i))
        .collect();
    let mut series: BTreeMap<String, Vec<(usize, f64)>> = BTreeMap::new();
    for i in 0..condition.len() {
        let (Some(c), Some(w), Some(v)) = (&condition[i], &week[i], avg[i]) else {
            continue;
        };
        if let Some(&x) = position.get(w.as_str()) {
            series.entry(c.clone()).or_default().push((x, v));
        }
    }
    for points in series.values_mut() {
        points.sort_by_key(|p| p.0);
    }
    let lines = Lines {
        title: format!(
            "New cases per week, 4-week rolling average (last {} weeks)",
            x_labels.len()
        ),
        x_axis: "week starting (Monday)".into(),
        y_axis: "new cases per week (4-week mean)".into(),
        x_labels,
        series: series.into_iter().collect(),
    };
    lines_figure(
        id,
        lines,
        "New diagnoses of each surveillance condition per ISO week, averaged over the week and the three before it. Source: gold.condition_incidence_weekly.",
        String::new(),
    )
}

fn occupancy(table: Option<Table<'_>>) -> Result<Figure> {
    let id = "occupancy-by-department";
    let Some(t) = table else {
        return Ok(missing(
            id,
            "gold.occupancy_daily of a patient-flow lakehouse",
        ));
    };
    let department = t.strings("department")?;
    let (date, pct) = (t.strings("date")?, t.floats("occupancy_pct")?);
    let x_labels: Vec<String> = date
        .iter()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let position: BTreeMap<&str, usize> = x_labels
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect();
    // (department, day) -> (sum, hospitals): the mean over hospitals.
    let mut sums: BTreeMap<(String, usize), (f64, f64)> = BTreeMap::new();
    for i in 0..date.len() {
        let (Some(d), Some(day), Some(v)) = (&department[i], &date[i], pct[i]) else {
            continue;
        };
        let entry = sums.entry((d.clone(), position[day.as_str()])).or_default();
        entry.0 += v;
        entry.1 += 1.0;
    }
    let mut series: BTreeMap<String, Vec<(usize, f64)>> = BTreeMap::new();
    for ((d, x), (sum, n)) in sums {
        series.entry(d).or_default().push((x, sum / n));
    }
    let lines = Lines {
        title: "Bed occupancy by department per day (mean over hospitals)".into(),
        x_axis: "day".into(),
        y_axis: "occupancy (% of beds, occupied bed-hours)".into(),
        x_labels,
        series: series.into_iter().collect(),
    };
    lines_figure(
        id,
        lines,
        "Occupied bed-hours of the day divided by 24 × the department's beds, per department, averaged over the hospitals that have it. Source: gold.occupancy_daily of the patient-flow lakehouse.",
        String::new(),
    )
}

fn data_quality(runs: Option<&Table<'_>>) -> Result<Figure> {
    let id = "quarantined-rows";
    let Some(t) = runs else {
        return Ok(missing(id, "_runs"));
    };
    let (run, layer, name) = (
        t.strings("run_id")?,
        t.strings("layer")?,
        t.strings("table")?,
    );
    let (read, quarantined, dedup, hits) = (
        t.floats("rows_read")?,
        t.floats("rows_quarantined")?,
        t.floats("rows_deduplicated")?,
        t.strings("rule_hits")?,
    );
    let silver: Vec<usize> = (0..run.len())
        .filter(|&i| layer[i].as_deref() == Some("silver"))
        .collect();
    let mut per_table: BTreeMap<String, f64> = BTreeMap::new();
    for &i in &silver {
        *per_table
            .entry(name[i].clone().unwrap_or_default())
            .or_default() += quarantined[i].unwrap_or(0.0);
    }
    let (categories, values) = per_table.into_iter().unzip();
    let bars = Bars {
        title: "Rows quarantined per silver table (all runs)".into(),
        category_axis: "silver table".into(),
        value_axis: "quarantined rows (count)".into(),
        categories,
        values,
    };
    let rows: Vec<Vec<String>> = silver
        .iter()
        .filter(|&&i| {
            quarantined[i].unwrap_or(0.0) > 0.0
                || dedup[i].unwrap_or(0.0) > 0.0
                || hits[i]
                    .as_deref()
                    .is_some_and(|h| h != "{}" && !h.is_empty())
        })
        .take(60)
        .map(|&i| {
            vec![
                run[i].clone().unwrap_or_default(),
                name[i].clone().unwrap_or_default(),
                fmt(read[i]),
                fmt(quarantined[i]),
                fmt(dedup[i]),
                hits[i].clone().unwrap_or_default(),
            ]
        })
        .collect();
    let extra = html_table(
        &[
            "run",
            "table",
            "rows read",
            "quarantined",
            "duplicates removed",
            "rule hits (rule: rows)",
        ],
        &rows,
    );
    bars_figure(
        id,
        bars,
        "Rows of each silver table that a quarantine-severity data-quality rule moved to <table>_quarantine, summed over the runs in _runs; the table lists, per run and table, rows read, quarantined, duplicates removed and every rule's hits (warn rules flag rows without moving them). Null shares per column are not recorded in _runs.",
        extra,
    )
}

fn run_history(runs: Option<&Table<'_>>) -> Result<Figure> {
    let id = "run-history";
    let Some(t) = runs else {
        return Ok(missing(id, "_runs"));
    };
    let (run, started, status) = (
        t.strings("run_id")?,
        t.strings("started_at")?,
        t.strings("status")?,
    );
    let (written, duration) = (t.floats("rows_written")?, t.floats("duration_ms")?);
    let mut per_run: BTreeMap<(String, String), (f64, f64, usize, String)> = BTreeMap::new();
    for i in 0..run.len() {
        let key = (
            started[i].clone().unwrap_or_default(),
            run[i].clone().unwrap_or_default(),
        );
        let entry = per_run.entry(key).or_default();
        entry.0 += duration[i].unwrap_or(0.0) / 1000.0;
        entry.1 += written[i].unwrap_or(0.0);
        entry.2 += 1;
        entry.3 = status[i].clone().unwrap_or_else(|| "completed".into());
    }
    let recent: Vec<_> = per_run.iter().rev().take(RUNS).collect();
    let bars = Bars {
        title: format!("Pipeline run duration (last {} runs)", recent.len()),
        category_axis: "run".into(),
        value_axis: "summed table durations (s)".into(),
        categories: recent.iter().map(|((_, r), _)| r.clone()).collect(),
        values: recent.iter().map(|(_, v)| v.0).collect(),
    };
    let rows: Vec<Vec<String>> = recent
        .iter()
        .map(|((s, r), v)| {
            vec![
                r.clone(),
                s.clone(),
                v.3.clone(),
                v.2.to_string(),
                fmt(Some(v.1)),
            ]
        })
        .collect();
    let extra = html_table(
        &["run", "started at", "status", "tables", "rows written"],
        &rows,
    );
    bars_figure(
        id,
        bars,
        "Per run (newest first): the sum of the per-table durations recorded in _runs (bronze, silver and gold steps), and the rows written. Status interrupted marks a run rebuilt from its commits after it was killed.",
        extra,
    )
}
