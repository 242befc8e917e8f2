//! The HTML report in a real browser: headless Chromium loads the report of a small
//! lakehouse (a generated Synthea population and simulated patient-flow events), the
//! page logs no console errors, and every chart's SVG has at least as many drawn marks
//! (`rect`, `circle`) as the report says it drew from the data. Needs Chromium
//! (the `CHROMIUM` variable names it; `.ci/browser.sh` installs Chromium and
//! sets it); prints "skipped" without it. With `REPORT_SCREENSHOTS=1` it also saves a screenshot of each
//! section to `docs/screenshots/`.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../examples/support/report_input.rs"]
mod report_input;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use lakehouse_report::{SECTIONS, render};
use synthea_gen::{GeneratorConfig, generate};

/// The Chromium binary named by `CHROMIUM` (`.ci/browser.sh` installs Chromium and sets
/// it, so the plain `cargo test` run does not render the report a second time).
fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    if found.is_none() {
        println!("skipped: CHROMIUM is not set to a Chromium binary (.ci/browser.sh sets it)");
    }
    found
}

/// Runs headless Chromium on `url` with `extra` arguments; returns (stdout, stderr).
fn run_chromium(bin: &Path, profile: &Path, url: &str, extra: &[&str]) -> (String, String) {
    let output = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=960,1100",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn build_lakehouses(root: &Path) -> (PathBuf, PathBuf) {
    let landing = root.join("landing");
    generate(
        &GeneratorConfig::new(60, 7),
        landing.join("batch-1"),
        |_| {},
    )
    .unwrap();
    let lake = root.join("lake");
    let as_of = NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
    let config = synthea_pipeline::PipelineConfig::new(&lake, "test", as_of, "run-report-1");
    synthea_pipeline::run_pipeline(&config, &landing, &mut |_| {})
        .await
        .unwrap();

    use clinical_events::simulator::{SimulatorConfig, write_landing};
    let flow_landing = root.join("flow-landing");
    let manifest =
        write_landing(&SimulatorConfig::new(2_000, 42), &flow_landing.join("sim")).unwrap();
    let flow = root.join("flow");
    let config = clinical_events::pipeline::PipelineConfig::new(
        &flow,
        manifest.summary.last_event.unwrap(),
        "run-flow-1",
    );
    clinical_events::pipeline::run_pipeline(&config, &flow_landing, &mut |_| {})
        .await
        .unwrap();
    (lake, flow)
}

/// `(rect, circle)` elements inside the `<figure data-chart="id" …>` of `dom`.
fn drawn_marks(dom: &str, id: &str) -> Option<(usize, usize)> {
    let start = dom.find(&format!("data-chart=\"{id}\""))?;
    let end = start + dom[start..].find("</figure>")?;
    let figure = &dom[start..end];
    Some((
        figure.matches("<rect").count(),
        figure.matches("<circle").count(),
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_loads_without_console_errors_and_every_chart_draws_its_marks() {
    let Some(bin) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (lake, flow) = build_lakehouses(dir.path()).await;
    let input = report_input::read_report_input(&lake, Some(&flow), "test")
        .await
        .unwrap();
    let report = render(&input).unwrap();
    let html = dir.path().join("report.html");
    std::fs::write(&html, &report.html).unwrap();
    let url = format!("file://{}", html.display());
    let profile = dir.path().join("chromium-profile");

    let (dom, log) = run_chromium(&bin, &profile, &url, &["--dump-dom"]);
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(dom.contains("Lakehouse report"), "the page did not load");

    let sections: Vec<&str> = report.charts.iter().map(|c| c.section.as_str()).collect();
    for (section, _) in SECTIONS {
        assert!(
            sections.contains(&section),
            "section {section} has no chart"
        );
    }
    for chart in &report.charts {
        let (rects, circles) = drawn_marks(&dom, &chart.id)
            .unwrap_or_else(|| panic!("chart {} is not in the DOM", chart.id));
        assert!(chart.marks > 0, "{}: no data", chart.id);
        // A bar chart draws one rect per value besides its background; a line chart a
        // circle per point.
        assert!(
            rects.saturating_sub(1) >= chart.marks || circles >= chart.marks,
            "{}: {rects} rects, {circles} circles for {} marks",
            chart.id,
            chart.marks
        );
        println!(
            "{}: {} marks drawn ({rects} rect, {circles} circle)",
            chart.id, chart.marks
        );
    }

    if std::env::var_os("REPORT_SCREENSHOTS").is_some() {
        let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&out).unwrap();
        for (section, _) in SECTIONS {
            // One page per section (the others hidden), so each screenshot starts at it.
            let style = format!("<style>section:not(#{section}){{display:none}}</style></head>");
            let page = dir.path().join(format!("report-{section}.html"));
            std::fs::write(&page, report.html.replacen("</head>", &style, 1)).unwrap();
            let png = out.join(format!("report-{section}.png"));
            let arg = format!("--screenshot={}", png.display());
            let fresh_profile = profile.with_extension(section);
            run_chromium(
                &bin,
                &fresh_profile,
                &format!("file://{}", page.display()),
                &[&arg],
            );
            assert!(png.is_file(), "{}", png.display());
        }
    }
}
