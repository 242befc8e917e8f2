//! MERGE semantics and DELETE by predicate.

use medallion_core::{DeleteBuilder, Error, MergeBuilder, WriteBuilder};
use polars::prelude::*;

use crate::read_sorted;

async fn seed(dir: &std::path::Path) {
    let target = df!(
        "id" => [1i64, 2, 3],
        "v" => ["a", "b", "c"],
        "ts" => [10i64, 10, 10],
    )
    .unwrap();
    WriteBuilder::new(dir, target.lazy())
        .unwrap()
        .await
        .unwrap();
}

fn column_str(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upsert_updates_matches_and_inserts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    let source = df!("id" => [2i64, 4], "v" => ["B", "d"], "ts" => [11i64, 11]).unwrap();
    let report = MergeBuilder::new(dir.path(), source.lazy(), ["id"])
        .unwrap()
        .when_matched_update_all(None::<String>)
        .when_not_matched_insert_all(None::<String>)
        .await
        .unwrap();
    assert_eq!(
        (
            report.rows_updated,
            report.rows_inserted,
            report.rows_deleted
        ),
        (1, 1, 0)
    );
    let out = read_sorted(dir.path(), "id").await;
    assert_eq!(
        column_str(&out, "v"),
        [Some("a"), Some("B"), Some("c"), Some("d")].map(|s| s.map(str::to_string))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clause_conditions_guard_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    // Out-of-order record (ts 5 < 10) must not overwrite; op 'D' deletes.
    let source = df!(
        "id" => [1i64, 2],
        "v" => ["stale", "gone"],
        "ts" => [5i64, 12],
        "op" => ["U", "D"],
    )
    .unwrap();
    MergeBuilder::new(dir.path(), source.lazy().drop(cols(["op"])), ["id"])
        .unwrap()
        .when_matched_update_all(Some("source.ts > target.ts"))
        .await
        .unwrap();
    assert_eq!(
        column_str(&read_sorted(dir.path(), "id").await, "v")[0].as_deref(),
        Some("a")
    );

    let deletes = df!("id" => [2i64], "v" => ["x"], "ts" => [12i64], "op" => ["D"]).unwrap();
    let report = MergeBuilder::new(dir.path(), deletes.lazy(), ["id"])
        .unwrap()
        .with_merge_schema(false)
        .when_matched_delete(Some("source.op = 'D'"))
        .await;
    // `op` is not a table column, but clause conditions may use any source column.
    let report = report.unwrap();
    assert_eq!(report.rows_deleted, 1);
    let ids: Vec<i64> = read_sorted(dir.path(), "id")
        .await
        .column("id")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(ids, [1, 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_matched_by_source_delete_removes_absent_rows() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    let snapshot = df!("id" => [1i64, 3], "v" => ["a", "c"], "ts" => [10i64, 10]).unwrap();
    let report = MergeBuilder::new(dir.path(), snapshot.lazy(), ["id"])
        .unwrap()
        .when_matched_update_all(None::<String>)
        .when_not_matched_insert_all(None::<String>)
        .when_not_matched_by_source_delete(None::<String>)
        .await
        .unwrap();
    assert_eq!(report.rows_deleted, 1);
    let ids: Vec<i64> = read_sorted(dir.path(), "id")
        .await
        .column("id")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(ids, [1, 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_source_keys_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    let source = df!("id" => [2i64, 2, 5], "v" => ["x", "y", "z"], "ts" => [1i64, 2, 3]).unwrap();
    let err = MergeBuilder::new(dir.path(), source.lazy(), ["id"])
        .unwrap()
        .when_matched_update_all(None::<String>)
        .await
        .unwrap_err();
    match &err {
        Error::DuplicateMergeKeys {
            duplicate_keys,
            example,
            ..
        } => {
            assert_eq!(*duplicate_keys, 1);
            assert_eq!(example, "id=2");
        }
        other => panic!("expected DuplicateMergeKeys, got {other}"),
    }
    assert!(err.to_string().contains("deduplicate"), "{err}");
    assert_eq!(
        read_sorted(dir.path(), "id").await.height(),
        3,
        "nothing may be committed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_key_column_lists_the_available_columns() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    let source = df!("id" => [1i64], "v" => ["x"], "ts" => [1i64]).unwrap();
    let err = MergeBuilder::new(dir.path(), source.lazy(), ["patient_id"])
        .unwrap()
        .when_matched_update_all(None::<String>)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ColumnNotFound { ref column, .. } if column == "patient_id"),
        "{err}"
    );
    assert!(err.to_string().contains("id, v, ts"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merging_the_same_batch_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    let source = df!("id" => [2i64, 9], "v" => ["B", "i"], "ts" => [11i64, 11]).unwrap();
    for _ in 0..2 {
        MergeBuilder::new(dir.path(), source.clone().lazy(), ["id"])
            .unwrap()
            .when_matched_update_all(Some("source.ts > target.ts"))
            .when_not_matched_insert_all(None::<String>)
            .await
            .unwrap();
    }
    let out = read_sorted(dir.path(), "id").await;
    assert_eq!(out.height(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_by_predicate_removes_only_matching_rows() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path()).await;
    let report = DeleteBuilder::new(dir.path())
        .unwrap()
        .with_predicate("v = 'b'")
        .await
        .unwrap();
    assert_eq!(report.rows_deleted, 1);
    assert_eq!(read_sorted(dir.path(), "id").await.height(), 2);
}
