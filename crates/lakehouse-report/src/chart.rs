//! The two chart kinds of the report, drawn as inline SVG with plotters' SVG backend:
//! horizontal bars (one `rect` per value) and lines with a `circle` per point.

use plotters::prelude::*;

use crate::error::{ReportError, Result};

const WIDTH: u32 = 860;
const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

/// Horizontal bars: one bar per category.
#[derive(Debug, Clone)]
pub(crate) struct Bars {
    pub(crate) title: String,
    /// What the categories are (the vertical axis).
    pub(crate) category_axis: String,
    /// What the values are, with their unit (the horizontal axis).
    pub(crate) value_axis: String,
    pub(crate) categories: Vec<String>,
    pub(crate) values: Vec<f64>,
}

/// Lines over an ordered axis of labels (months, weeks, days); one point per value.
#[derive(Debug, Clone)]
pub(crate) struct Lines {
    pub(crate) title: String,
    /// What the horizontal axis is, with its unit.
    pub(crate) x_axis: String,
    /// What the values are, with their unit.
    pub(crate) y_axis: String,
    /// The ordered horizontal axis labels.
    pub(crate) x_labels: Vec<String>,
    /// Named series of (position in `x_labels`, value).
    pub(crate) series: Vec<(String, Vec<(usize, f64)>)>,
}

impl Bars {
    /// Data marks the chart draws (one bar per value).
    pub(crate) fn marks(&self) -> usize {
        self.values.len()
    }

    /// The chart as an SVG document.
    pub(crate) fn svg(&self) -> Result<String> {
        let n = self.values.len();
        let height = 120 + 26 * n.max(1) as u32;
        let max = self.values.iter().cloned().fold(0.0_f64, f64::max);
        let x_max = if max > 0.0 { max * 1.1 } else { 1.0 };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| chart_error(&self.title, e))?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(250)
                .build_cartesian_2d(0.0..x_max, -0.5..(n.max(1) as f64 - 0.5))
                .map_err(|e| chart_error(&self.title, e))?;
            let label = |y: &f64| -> String {
                let i = y.round();
                if (y - i).abs() > 1e-6 || i < 0.0 {
                    return String::new();
                }
                self.categories
                    .get(i as usize)
                    .map(|c| truncate(c, 36))
                    .unwrap_or_default()
            };
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(n.max(1))
                .y_label_formatter(&label)
                .x_desc(self.value_axis.as_str())
                .y_desc(self.category_axis.as_str())
                .draw()
                .map_err(|e| chart_error(&self.title, e))?;
            chart
                .draw_series(self.values.iter().enumerate().map(|(i, v)| {
                    let y = i as f64;
                    Rectangle::new([(0.0, y - 0.35), (*v, y + 0.35)], COLORS[0].filled())
                }))
                .map_err(|e| chart_error(&self.title, e))?;
            root.present().map_err(|e| chart_error(&self.title, e))?;
        }
        Ok(svg)
    }
}

impl Lines {
    /// Data marks the chart draws (one point per value).
    pub(crate) fn marks(&self) -> usize {
        self.series.iter().map(|(_, points)| points.len()).sum()
    }

    /// The chart as an SVG document.
    pub(crate) fn svg(&self) -> Result<String> {
        let n = self.x_labels.len().max(1);
        let values = self
            .series
            .iter()
            .flat_map(|(_, p)| p.iter().map(|(_, v)| *v));
        let (lo, hi) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let hi = if hi > lo {
            hi + (hi - lo) * 0.1
        } else {
            lo + 1.0
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, 420)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| chart_error(&self.title, e))?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(50)
                .y_label_area_size(70)
                .build_cartesian_2d(-0.5..(n as f64 - 0.5), lo..hi)
                .map_err(|e| chart_error(&self.title, e))?;
            let label = |x: &f64| -> String {
                let i = x.round();
                if (x - i).abs() > 1e-6 || i < 0.0 {
                    return String::new();
                }
                self.x_labels.get(i as usize).cloned().unwrap_or_default()
            };
            chart
                .configure_mesh()
                .x_labels(n.min(12))
                .x_label_formatter(&label)
                .x_desc(self.x_axis.as_str())
                .y_desc(self.y_axis.as_str())
                .draw()
                .map_err(|e| chart_error(&self.title, e))?;
            for (k, (name, points)) in self.series.iter().enumerate() {
                let color = COLORS[k % COLORS.len()];
                let xy: Vec<(f64, f64)> = points.iter().map(|(i, v)| (*i as f64, *v)).collect();
                chart
                    .draw_series(LineSeries::new(xy.clone(), color.stroke_width(2)))
                    .map_err(|e| chart_error(&self.title, e))?
                    .label(name.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
                chart
                    .draw_series(xy.into_iter().map(|p| Circle::new(p, 3, color.filled())))
                    .map_err(|e| chart_error(&self.title, e))?;
            }
            if self.series.len() > 1 {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK)
                    .draw()
                    .map_err(|e| chart_error(&self.title, e))?;
            }
            root.present().map_err(|e| chart_error(&self.title, e))?;
        }
        Ok(svg)
    }
}

fn chart_error(title: &str, error: impl std::fmt::Display) -> ReportError {
    ReportError::Chart {
        chart: title.to_string(),
        reason: error.to_string(),
    }
}

/// `text` cut to `max` characters (with an ellipsis).
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}
