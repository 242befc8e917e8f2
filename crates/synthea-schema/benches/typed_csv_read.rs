//! Rows/s of typed CSV reading (strict mode) of a generated encounters file.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_main};
use synthea_schema::detect::FileFormat;
use synthea_schema::read::{ParseMode, read_table};
use synthea_schema::spec::TableKind;
use synthea_schema::version::SyntheaVersion;

const ROWS: usize = 200_000;
const SEED: u64 = 0x5EED_2024;

/// SplitMix64: a tiny deterministic generator so the file is identical on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn write_encounters(path: &Path) -> std::io::Result<()> {
    const CLASSES: [&str; 6] = [
        "wellness",
        "ambulatory",
        "outpatient",
        "inpatient",
        "emergency",
        "urgentcare",
    ];
    let mut rng = Rng(SEED);
    let mut out = String::with_capacity(ROWS * 260);
    out.push_str("Id,START,STOP,PATIENT,ORGANIZATION,PROVIDER,PAYER,ENCOUNTERCLASS,CODE,DESCRIPTION,BASE_ENCOUNTER_COST,TOTAL_CLAIM_COST,PAYER_COVERAGE,REASONCODE,REASONDESCRIPTION\n");
    for i in 0..ROWS {
        let y = 1990 + rng.below(34);
        let m = 1 + rng.below(12);
        let d = 1 + rng.below(28);
        let h = rng.below(23);
        let reason = if rng.below(3) == 0 {
            "10939881000119105,Chronic kidney disease"
        } else {
            ","
        };
        let _ = writeln!(
            out,
            "{:08x}-{:04x}-0000-0000-{:012x},{y:04}-{m:02}-{d:02}T{h:02}:{:02}:00Z,{y:04}-{m:02}-{d:02}T{:02}:{:02}:00Z,p{:06},o{:04},d{:05},y{},{},{},Encounter for check up,{}.{:02},{}.{:02},{}.00,{reason}",
            rng.next() as u32,
            i % 65536,
            i,
            rng.below(60),
            h + 1,
            rng.below(60),
            rng.below(20_000),
            rng.below(500),
            rng.below(2_000),
            rng.below(10),
            CLASSES[rng.below(6) as usize],
            162_673_000 + rng.below(1000),
            rng.below(500),
            rng.below(100),
            rng.below(5000),
            rng.below(100),
            rng.below(100),
        );
    }
    std::fs::write(path, out)
}

fn bench(c: &mut Criterion) {
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => panic!("cannot create a temp dir: {e}"),
    };
    let path = tmp.path().join("encounters.csv");
    if let Err(e) = write_encounters(&path) {
        panic!("cannot write the bench input: {e}");
    }
    let mut group = c.benchmark_group("typed_csv_read");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    for mode in [ParseMode::Strict, ParseMode::Lenient] {
        group.bench_function(format!("encounters_{mode:?}").to_lowercase(), |b| {
            b.iter(|| {
                let lf = match read_table(
                    &path,
                    FileFormat::Csv,
                    TableKind::Encounters,
                    SyntheaVersion::V3Latest,
                    mode,
                ) {
                    Ok(lf) => lf,
                    Err(e) => panic!("read failed: {e}"),
                };
                let df = match lf.collect() {
                    Ok(df) => df,
                    Err(e) => panic!("collect failed: {e}"),
                };
                assert_eq!(df.height(), ROWS);
                black_box(df)
            });
        });
    }
    group.finish();
}

// `criterion_group!` generates an undocumented `pub fn benches`.
#[allow(missing_docs)]
mod group {
    use super::bench;
    criterion::criterion_group!(benches, bench);
}
use group::benches;
criterion_main!(benches);
