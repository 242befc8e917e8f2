//! Property: updating the surveillance tables batch by batch (each update sees only the
//! new batch's rows as "new") gives exactly the tables of one full computation over all
//! rows, for any split of the rows into batches — including late rows for old days,
//! re-delivered rows and empty batches.
#![allow(clippy::unwrap_used, missing_docs)]

use chrono::NaiveDate;
use ehr_population_health::prelude::*;
use polars::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::{SyntheaVersion, TableKind};

const CODES: [&str; 4] = ["6142004", "840539006", "44054006", "12345"];
const BATCHES: usize = 4;

fn silver(table: TableKind, raw: DataFrame) -> LazyFrame {
    normalize(
        table,
        SyntheaVersion::V3Latest,
        raw.lazy(),
        &NormalizeConfig::default(),
    )
    .unwrap()
}

fn day(offset: i64) -> String {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    (start + chrono::Duration::days(offset)).to_string()
}

fn patients() -> LazyFrame {
    let raw = df!(
        "Id" => ["p0", "p1", "p2", "p3", "p4"],
        "BIRTHDATE" => ["1980-01-01", "1990-01-01", "2024-01-10", "1950-01-01", "2000-01-01"],
        "DEATHDATE" => ["", "", "", "2024-01-20", ""],
    )
    .unwrap();
    silver(TableKind::Patients, raw)
}

/// One condition row: (patient, code, onset offset in days from 2024-01-01, batch).
type Row = (usize, usize, i64, usize);

fn conditions(rows: &[&Row]) -> LazyFrame {
    let raw = df!(
        "START" => rows.iter().map(|r| day(r.2)).collect::<Vec<_>>(),
        "PATIENT" => rows.iter().map(|r| format!("p{}", r.0)).collect::<Vec<_>>(),
        "CODE" => rows.iter().map(|r| CODES[r.1].to_string()).collect::<Vec<_>>(),
    )
    .unwrap();
    silver(TableKind::Conditions, raw)
}

fn materialized(tables: Surveillance) -> Surveillance {
    Surveillance {
        daily: tables.daily.collect().unwrap().lazy(),
        weekly: tables.weekly.collect().unwrap().lazy(),
    }
}

fn check(rows: Vec<Row>) -> Result<(), TestCaseError> {
    let config = SurveillanceConfig::default().with_period_days(35);
    let as_of = NaiveDate::from_ymd_opt(2024, 2, 9).unwrap();
    let inputs_of = |upto: usize| SurveillanceInputs {
        patients: patients(),
        conditions: conditions(&rows.iter().filter(|r| r.3 <= upto).collect::<Vec<_>>()),
    };
    let mut tables = materialized(surveillance(&inputs_of(0), &config, as_of).unwrap());
    for batch in 1..BATCHES {
        let new_rows = conditions(&rows.iter().filter(|r| r.3 == batch).collect::<Vec<_>>());
        let update =
            surveillance_update(&tables, &inputs_of(batch), new_rows, &config, as_of).unwrap();
        let changed = update.changed_daily.collect().unwrap();
        let next = materialized(update.tables);
        // Applying only the changed rows to the previous table gives the next one.
        let merged = tables
            .daily
            .clone()
            .join(
                changed.clone().lazy(),
                [col("condition"), col("date")],
                [col("condition"), col("date")],
                JoinArgs::new(JoinType::Anti),
            )
            .collect()
            .unwrap()
            .vstack(&changed)
            .unwrap()
            .sort(["condition", "date"], Default::default())
            .unwrap();
        prop_assert!(merged.equals_missing(&next.daily.clone().collect().unwrap()));
        tables = next;
    }
    let full = surveillance(&inputs_of(BATCHES), &config, as_of).unwrap();
    let (daily, full_daily) = (
        tables.daily.collect().unwrap(),
        full.daily.collect().unwrap(),
    );
    prop_assert!(daily.equals_missing(&full_daily), "{daily}\n{full_daily}");
    let weekly = tables.weekly.collect().unwrap();
    prop_assert!(weekly.equals_missing(&full.weekly.collect().unwrap()));
    Ok(())
}

#[test]
fn incremental_updates_over_random_batch_splits_equal_a_full_recomputation() {
    let rows = proptest::collection::vec((0..5usize, 0..CODES.len(), -5..45i64, 0..BATCHES), 0..40);
    std::thread::Builder::new()
        .stack_size(32 << 20)
        .spawn(move || {
            let mut runner = TestRunner::new(Config {
                cases: 24,
                ..Config::default()
            });
            runner.run(&rows, check).unwrap();
        })
        .unwrap()
        .join()
        .unwrap();
}
