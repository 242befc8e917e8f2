//! Fast civil-time arithmetic and Synthea's two temporal text formats.
//!
//! Instants are `i64` seconds since the Unix epoch (UTC); dates are the UTC calendar day of
//! an instant. Conversion uses Howard Hinnant's `days_from_civil` algorithm, so no time-zone
//! database or wall clock is involved.

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;
/// Seconds in an hour.
pub(crate) const HOUR: i64 = 3_600;
/// Seconds in an average year.
pub(crate) const YEAR: i64 = 31_556_952;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day number.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The instant at midnight UTC of a `chrono` date.
pub(crate) fn from_naive_date(d: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    days_from_civil(i64::from(d.year()), d.month(), d.day()) * DAY
}

/// Calendar year of an instant.
pub(crate) fn year_of(ts: i64) -> i64 {
    civil_from_days(ts.div_euclid(DAY)).0
}

/// Whole days between the calendar dates of two instants (`b - a`).
pub(crate) fn day_diff(a: i64, b: i64) -> i64 {
    b.div_euclid(DAY) - a.div_euclid(DAY)
}

#[inline]
fn push2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

#[inline]
fn push_year(out: &mut Vec<u8>, y: i64) {
    let y = y.clamp(0, 9999) as u32;
    out.push(b'0' + (y / 1000) as u8);
    out.push(b'0' + (y / 100 % 10) as u8);
    push2(out, y % 100);
}

/// Append `YYYY-MM-DD` of the UTC day of `ts`.
pub(crate) fn write_date(out: &mut Vec<u8>, ts: i64) {
    let (y, m, d) = civil_from_days(ts.div_euclid(DAY));
    push_year(out, y);
    out.push(b'-');
    push2(out, m);
    out.push(b'-');
    push2(out, d);
}

/// Append `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn write_ts(out: &mut Vec<u8>, ts: i64) {
    write_date(out, ts);
    let s = ts.rem_euclid(DAY) as u32;
    out.push(b'T');
    push2(out, s / 3600);
    out.push(b':');
    push2(out, s / 60 % 60);
    out.push(b':');
    push2(out, s % 60);
    out.push(b'Z');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts_string(ts: i64) -> String {
        let mut v = Vec::new();
        write_ts(&mut v, ts);
        String::from_utf8(v).unwrap_or_default()
    }

    #[test]
    fn timestamp_format_matches_synthea() {
        // 2019-02-17T05:07:38Z
        let ts = days_from_civil(2019, 2, 17) * DAY + 5 * HOUR + 7 * 60 + 38;
        assert_eq!(ts_string(ts), "2019-02-17T05:07:38Z");
        let mut v = Vec::new();
        write_date(&mut v, days_from_civil(1990, 5, 1) * DAY + 100);
        assert_eq!(v, b"1990-05-01");
    }

    #[test]
    fn civil_round_trip_agrees_with_chrono() {
        for days in (-40_000..40_000).step_by(37) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            let c = chrono::NaiveDate::from_ymd_opt(y as i32, m, d);
            assert!(c.is_some());
            if let Some(c) = c {
                assert_eq!(from_naive_date(c), days * DAY);
            }
        }
    }

    #[test]
    fn pre_epoch_instants_format() {
        assert_eq!(ts_string(-1), "1969-12-31T23:59:59Z");
        assert_eq!(year_of(-1), 1969);
        assert_eq!(day_diff(-1, 0), 1);
    }
}
