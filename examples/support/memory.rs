//! Peak memory of the running process, for examples that print it (Linux; elsewhere
//! `None`). Not an example itself.

#![allow(dead_code)] // each example uses a different part

/// A `/proc/self/status` memory field in MB: `VmHWM` is the peak resident set size,
/// `VmRSS` the current one.
pub fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The peak resident set size in MB, formatted (`n/a` where unknown).
pub fn peak_rss() -> String {
    peak_rss_mb().map_or_else(|| "n/a".to_string(), |mb| format!("{mb:.0} MB"))
}

/// The peak resident set size in MB (`VmHWM`), where Linux reports it.
pub fn peak_rss_mb() -> Option<f64> {
    status_mb("VmHWM")
}
