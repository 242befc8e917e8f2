//! Distribution checks against the real exports (or their documented numbers when
//! `SYNTHEA_SAMPLES_DIR` is not set).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;

use chrono::NaiveDate;
use common::{class_counts, col, gen_into, read_rows, samples_dir};
use synthea_gen::{GeneratorConfig, TableKind};

fn day(v: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&v[..10], "%Y-%m-%d").unwrap()
}

/// Pooled class counts of the three real exports, used without samples.
const REAL_POOLED: &[(&str, u64)] = &[
    ("wellness", 1282),
    ("ambulatory", 1109),
    ("outpatient", 669),
    ("emergency", 133),
    ("inpatient", 110),
    ("urgentcare", 39),
    ("home", 47),
];
const REAL_ENCOUNTERS: u64 = 3405;
const REAL_PATIENTS: u64 = 80;

#[test]
fn encounter_volume_class_mix_readmissions_and_deaths_look_real() {
    let cfg = GeneratorConfig {
        patients: 2_000,
        seed: 2024,
        threads: 2,
        ..GeneratorConfig::default()
    };
    let (dir, _) = gen_into(&cfg);

    // ---- real reference numbers
    let (real_counts, real_total, real_patients) = match samples_dir() {
        Some(s) => {
            let mut m: HashMap<String, u64> = HashMap::new();
            let (mut tot, mut pats) = (0, 0);
            for sub in ["v2-10p", "v3-2024-11p", "v3-early-59p"] {
                let (c, t, p) = class_counts(&s.join(sub).join("encounters.csv"));
                for (k, v) in c {
                    *m.entry(k).or_insert(0) += v;
                }
                tot += t;
                pats += p;
            }
            (m, tot, pats)
        }
        None => (
            REAL_POOLED
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            REAL_ENCOUNTERS,
            REAL_PATIENTS,
        ),
    };
    let (gen_counts, gen_total, gen_patients) = class_counts(&dir.path().join("encounters.csv"));
    let real_epp = real_total as f64 / real_patients as f64;
    let gen_epp = gen_total as f64 / gen_patients as f64;
    println!("encounters per patient: generated {gen_epp:.1}, real {real_epp:.1}");
    assert!(gen_epp > real_epp / 2.0 && gen_epp < real_epp * 2.0);
    for (class, _) in REAL_POOLED {
        let r = *real_counts.get(*class).unwrap_or(&0) as f64 / real_total as f64;
        let g = *gen_counts.get(*class).unwrap_or(&0) as f64 / gen_total as f64;
        println!(
            "{class:<11} generated {:5.1} %  real {:5.1} %",
            100.0 * g,
            100.0 * r
        );
        assert!(g > r / 2.0 && g < r * 2.0, "{class}: {g} vs {r}");
    }

    // ---- patients: deaths and death certification after DEATHDATE
    let (ph, patients) = read_rows(dir.path(), TableKind::Patients);
    let (pid, pdeath) = (col(&ph, "Id"), col(&ph, "DEATHDATE"));
    let deaths: HashMap<String, NaiveDate> = patients
        .iter()
        .filter(|r| !r[pdeath].is_empty())
        .map(|r| (r[pid].clone(), day(&r[pdeath])))
        .collect();
    let share = deaths.len() as f64 / patients.len() as f64;
    assert!((0.03..0.25).contains(&share), "death share {share}");
    let (eh, encs) = read_rows(dir.path(), TableKind::Encounters);
    let (ep, es, eo, ec, ecode) = (
        col(&eh, "PATIENT"),
        col(&eh, "START"),
        col(&eh, "STOP"),
        col(&eh, "ENCOUNTERCLASS"),
        col(&eh, "CODE"),
    );
    let mut certified = 0;
    for r in encs.iter().filter(|r| r[ecode] == "308646001") {
        let d = deaths
            .get(&r[ep])
            .expect("certification of a living patient");
        assert!(day(&r[es]) > *d, "certification not after death");
        certified += 1;
    }
    assert_eq!(certified, deaths.len());

    // ---- inpatient: LOS ≥ 1 day, stays merged (gap ≤ 1 day, incl. transfers), readmissions
    let mut by_patient: HashMap<&str, Vec<(i64, i64, NaiveDate, NaiveDate)>> = HashMap::new();
    for r in encs.iter().filter(|r| r[ec] == "inpatient") {
        let s = chrono::DateTime::parse_from_rfc3339(&r[es])
            .unwrap()
            .timestamp();
        let e = chrono::DateTime::parse_from_rfc3339(&r[eo])
            .unwrap()
            .timestamp();
        by_patient
            .entry(&r[ep])
            .or_default()
            .push((s, e, day(&r[es]), day(&r[eo])));
    }
    let (mut index, mut readmitted, mut los) = (0u64, 0u64, Vec::new());
    let last_ok = cfg.end_date - chrono::Duration::days(30);
    for (p, mut stays) in by_patient {
        stays.sort();
        let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::new();
        for (s, e, sd, ed) in stays {
            if let Some(last) = merged.last_mut()
                && sd <= last.1 + chrono::Duration::days(1)
            {
                last.1 = last.1.max(ed);
                continue;
            }
            los.push((e - s) as f64 / 86_400.0);
            merged.push((sd, ed));
        }
        for (k, (_, discharge)) in merged.iter().enumerate() {
            if *discharge > last_ok {
                continue;
            }
            if deaths
                .get(p)
                .is_some_and(|d| *d <= *discharge + chrono::Duration::days(31))
            {
                continue;
            }
            index += 1;
            if let Some((next_admit, _)) = merged.get(k + 1) {
                let gap = (*next_admit - *discharge).num_days();
                if (1..=30).contains(&gap) {
                    readmitted += 1;
                }
            }
        }
    }
    los.sort_by(f64::total_cmp);
    let rate = readmitted as f64 / index as f64;
    println!(
        "index stays {index}, readmission rate {:.1} % (configured {:.0} %), LOS min/median/max {:.1}/{:.1}/{:.1}",
        100.0 * rate,
        100.0 * cfg.readmission_rate,
        los[0],
        los[los.len() / 2],
        los[los.len() - 1]
    );
    assert!(index > 500, "{index}");
    assert!((rate - cfg.readmission_rate).abs() <= 0.03, "{rate}");
    assert!(los[0] >= 1.0 - 1e-9 && los[los.len() / 2] > 1.5 && los[los.len() / 2] < 9.0);
}

#[test]
fn labs_follow_conditions() {
    let (dir, _) = gen_into(&GeneratorConfig {
        patients: 400,
        seed: 8,
        threads: 2,
        ..GeneratorConfig::default()
    });
    let (ch, conds) = read_rows(dir.path(), TableKind::Conditions);
    let (cp, cc) = (col(&ch, "PATIENT"), col(&ch, "CODE"));
    let diabetics: std::collections::HashSet<&str> = conds
        .iter()
        .filter(|r| r[cc] == "44054006")
        .map(|r| r[cp].as_str())
        .collect();
    assert!(
        conds.iter().any(|r| r[cc].len() == 17),
        "a 17-digit SNOMED code"
    );
    let (oh, obs) = read_rows(dir.path(), TableKind::Observations);
    let (op, oc, ov, oe) = (
        col(&oh, "PATIENT"),
        col(&oh, "CODE"),
        col(&oh, "VALUE"),
        col(&oh, "ENCOUNTER"),
    );
    let (mut d, mut n) = (Vec::new(), Vec::new());
    for r in obs.iter().filter(|r| r[oc] == "4548-4") {
        let v: f64 = r[ov].parse().unwrap();
        if diabetics.contains(r[op].as_str()) {
            d.push(v)
        } else {
            n.push(v)
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(!d.is_empty() && !n.is_empty());
    assert!(mean(&d) > mean(&n) + 1.0, "{} vs {}", mean(&d), mean(&n));
    assert!(
        obs.iter().any(|r| r[oe].is_empty()),
        "QALY-style rows without encounter"
    );
    let (mh, meds) = read_rows(dir.path(), TableKind::Medications);
    let (ms, mr, md) = (
        col(&mh, "STOP"),
        col(&mh, "REASONCODE"),
        col(&mh, "DISPENSES"),
    );
    assert!(
        meds.iter().any(|r| r[ms].is_empty()),
        "ongoing prescriptions"
    );
    assert!(
        meds.iter().any(|r| r[mr] == "59621000"),
        "antihypertensives tied to hypertension"
    );
    assert!(meds.iter().any(|r| r[md].parse::<i64>().unwrap() > 12));
    let (ih, imms) = read_rows(dir.path(), TableKind::Immunizations);
    let ic = col(&ih, "CODE");
    assert!(
        imms.iter().any(|r| r[ic] == "08"),
        "CVX codes keep leading zeros"
    );
}

#[test]
fn claim_types_follow_the_encounter_and_the_missing_secondary_payer() {
    let (dir, _) = gen_into(&GeneratorConfig::new(40, 21));
    let (header, rows) = read_rows(dir.path(), TableKind::Claims);
    let (secondary, primary_type, secondary_type) = (
        col(&header, "SECONDARYPATIENTINSURANCEID"),
        col(&header, "HEALTHCARECLAIMTYPEID1"),
        col(&header, "HEALTHCARECLAIMTYPEID2"),
    );
    assert!(!rows.is_empty());
    for row in &rows {
        // 1 = professional, 2 = institutional; 0 = none (no secondary payer).
        assert!(["1", "2"].contains(&row[primary_type].as_str()), "{row:?}");
        assert!(row[secondary].is_empty());
        assert_eq!(row[secondary_type], "0", "{row:?}");
    }
}
