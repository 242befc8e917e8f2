//! Same input, same lakehouse: two builds of one landing folder into two fresh lakehouses
//! agree on every silver and gold table, apart from ingestion timestamps.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use synthea_gen::{GeneratorConfig, generate};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_builds_of_the_same_input_give_the_same_silver_and_gold() {
    let landing = tempfile::tempdir().unwrap();
    for (name, seed) in [("2024-01", 5), ("2024-02", 6)] {
        let config = GeneratorConfig::new(30, seed);
        generate(&config, landing.path().join(name), |_| {}).unwrap();
    }
    let (left, right) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    common::build(left.path(), landing.path(), "left").await;
    common::build(right.path(), landing.path(), "right").await;

    let different = common::differing_tables(left.path(), right.path()).await;
    assert!(different.is_empty(), "{}", different.join("\n"));
}
