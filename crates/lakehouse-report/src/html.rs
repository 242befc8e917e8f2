//! The HTML page around the charts: inline CSS, a table of contents, no script.

use std::fmt::Write;

use crate::ReportInput;
use crate::sections::{Figure, Section};

const CSS: &str = "body{font-family:sans-serif;margin:0 auto;max-width:920px;padding:0 16px;color:#222}\
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-top:12px}\
figure{margin:16px 0;padding:8px;border:1px solid #e4e4e4;border-radius:6px}\
figure svg{max-width:100%;height:auto}details{margin:6px 0;color:#444}\
summary{cursor:pointer;font-weight:bold}table{border-collapse:collapse;margin:8px 0;font-size:.9em}\
td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}th{background:#f4f4f4}\
td:first-child,th:first-child{text-align:left}.note{color:#8a5a00;background:#fff7e0;padding:6px 10px}\
nav a{margin-right:12px}";

/// `text` with `& < > "` escaped for HTML.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A `<table>` from a header and rows of cells (escaped here).
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// The whole document.
pub(crate) fn document(input: &ReportInput, sections: &[Section]) -> String {
    let mut out = String::with_capacity(256 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Lakehouse report: {name}</title><style>{CSS}</style></head><body>\
         <h1>Lakehouse report: {name}</h1><p>Generated {at}. Every chart's definition is \
         under it (click <b>Definition</b>).</p><nav>",
        name = escape(&input.lakehouse),
        at = escape(&input.generated_at),
    );
    for section in sections {
        let _ = write!(
            out,
            "<a href=\"#{}\">{}</a>",
            section.id,
            escape(section.heading)
        );
    }
    out.push_str("</nav>");
    for section in sections {
        let _ = write!(
            out,
            "<section id=\"{}\"><h2>{}</h2>",
            section.id,
            escape(section.heading)
        );
        for figure in &section.figures {
            write_figure(&mut out, figure);
        }
        out.push_str("</section>");
    }
    out.push_str("</body></html>\n");
    out
}

fn write_figure(out: &mut String, figure: &Figure) {
    let Some(chart) = &figure.chart else {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(&figure.note));
        return;
    };
    let _ = write!(
        out,
        "<figure id=\"{id}\" data-chart=\"{id}\" data-marks=\"{marks}\" title=\"{title}\">{svg}\
         <details><summary>Definition</summary><p>{definition}</p></details>{extra}</figure>",
        id = figure.id,
        marks = chart.marks,
        title = escape(&chart.title),
        svg = strip_xml_declaration(&chart.svg),
        definition = escape(&figure.definition),
        extra = figure.extra_html,
    );
}

/// An SVG document without its `<?xml …?>` line, for inlining.
fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(start) => &svg[start..],
        None => svg,
    }
}
