//! Application transactions: a committed (app id, version) is never committed again.

use medallion_core::{
    AppTransaction, DeleteBuilder, Error, MergeBuilder, WriteBuilder, app_transaction_version,
};
use polars::prelude::*;

use crate::read_sorted;

fn batch(ids: &[i64]) -> LazyFrame {
    df!("id" => ids).unwrap().lazy()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_transaction_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let app = "bronze/encounters";
    assert_eq!(
        app_transaction_version(dir.path(), app).await.unwrap(),
        None
    );
    WriteBuilder::new(dir.path(), batch(&[1, 2]))
        .unwrap()
        .with_app_transaction(AppTransaction::new(app, 1))
        .await
        .unwrap();
    assert_eq!(
        app_transaction_version(dir.path(), app).await.unwrap(),
        Some(1)
    );

    for replay in [1, 0] {
        let err = WriteBuilder::new(dir.path(), batch(&[1, 2]))
            .unwrap()
            .with_app_transaction(AppTransaction::new(app, replay))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::TransactionAlreadyCommitted { requested_version, committed_version: 1, .. }
                    if requested_version == replay
            ),
            "{err}"
        );
    }
    assert_eq!(
        read_sorted(dir.path(), "id").await.height(),
        2,
        "a refused replay wrote rows"
    );

    WriteBuilder::new(dir.path(), batch(&[3]))
        .unwrap()
        .with_app_transaction(AppTransaction::new(app, 2))
        .await
        .unwrap();
    assert_eq!(
        app_transaction_version(dir.path(), app).await.unwrap(),
        Some(2)
    );
    assert_eq!(read_sorted(dir.path(), "id").await.height(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_ids_are_independent() {
    let dir = tempfile::tempdir().unwrap();
    for app in ["a", "b"] {
        WriteBuilder::new(dir.path(), batch(&[1]))
            .unwrap()
            .with_app_transaction(AppTransaction::new(app, 7))
            .await
            .unwrap();
    }
    assert_eq!(
        app_transaction_version(dir.path(), "a").await.unwrap(),
        Some(7)
    );
    assert_eq!(
        app_transaction_version(dir.path(), "b").await.unwrap(),
        Some(7)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_and_delete_also_honour_transactions() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), batch(&[1, 2]))
        .unwrap()
        .await
        .unwrap();
    let txn = AppTransaction::new("silver", 5);
    MergeBuilder::new(dir.path(), batch(&[3]), ["id"])
        .unwrap()
        .when_not_matched_insert_all(None::<String>)
        .with_app_transaction(txn.clone())
        .await
        .unwrap();
    let merge_again = MergeBuilder::new(dir.path(), batch(&[3]), ["id"])
        .unwrap()
        .when_not_matched_insert_all(None::<String>)
        .with_app_transaction(txn.clone())
        .await;
    assert!(matches!(
        merge_again,
        Err(Error::TransactionAlreadyCommitted { .. })
    ));
    let delete_again = DeleteBuilder::new(dir.path())
        .unwrap()
        .with_predicate("id = 1")
        .with_app_transaction(txn)
        .await;
    assert!(matches!(
        delete_again,
        Err(Error::TransactionAlreadyCommitted { .. })
    ));
    assert_eq!(read_sorted(dir.path(), "id").await.height(), 3);
}

/// Races two writes of the same `(app id, version)` on the table in `dir`; returns
/// their results.
async fn race_same_transaction(
    dir: &std::path::Path,
    txn: AppTransaction,
) -> Vec<Result<medallion_core::WriteReport, Error>> {
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let racers: Vec<_> = [10, 20]
        .into_iter()
        .map(|first_id| {
            let (dir, txn, start) = (dir.to_path_buf(), txn.clone(), start.clone());
            tokio::spawn(async move {
                let rows = batch(&[first_id, first_id + 1]);
                let write = WriteBuilder::new(&dir, rows)
                    .unwrap()
                    .with_app_transaction(txn);
                start.wait().await;
                write.await
            })
        })
        .collect();
    let mut results = Vec::new();
    for racer in racers {
        results.push(racer.await.unwrap());
    }
    results
}

/// Exactly one of two racing writes committed; the loser was refused cleanly.
fn assert_one_winner(results: &[Result<medallion_core::WriteReport, Error>], app: &str) {
    let winners = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(winners, 1, "{results:?}");
    for result in results {
        if let Err(err) = result {
            assert!(
                matches!(
                    err,
                    Error::TransactionAlreadyCommitted { app_id, requested_version: 1, committed_version: 1, .. }
                        if app_id == app
                ),
                "{err}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_commits_of_one_transaction_commit_once() {
    let app = "silver/encounters";
    for _ in 0..6 {
        let dir = tempfile::tempdir().unwrap();
        WriteBuilder::new(dir.path(), batch(&[1]))
            .unwrap()
            .await
            .unwrap();
        let results = race_same_transaction(dir.path(), AppTransaction::new(app, 1)).await;
        assert_one_winner(&results, app);
        assert_eq!(read_sorted(dir.path(), "id").await.height(), 3);
        assert_eq!(
            medallion_core::table_version(dir.path()).await.unwrap(),
            Some(1)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creations_with_one_transaction_commit_once() {
    let app = "bronze/encounters";
    for _ in 0..6 {
        let dir = tempfile::tempdir().unwrap();
        let results = race_same_transaction(dir.path(), AppTransaction::new(app, 1)).await;
        assert_one_winner(&results, app);
        assert_eq!(read_sorted(dir.path(), "id").await.height(), 2);
        assert_eq!(
            medallion_core::table_version(dir.path()).await.unwrap(),
            Some(0)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_concurrent_merge_of_the_same_transaction_commits_once() {
    let app = "silver/patients";
    for _ in 0..4 {
        let dir = tempfile::tempdir().unwrap();
        WriteBuilder::new(dir.path(), batch(&[1, 2]))
            .unwrap()
            .await
            .unwrap();
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let racers: Vec<_> = [3, 4]
            .into_iter()
            .map(|id| {
                let (dir, start) = (dir.path().to_path_buf(), start.clone());
                tokio::spawn(async move {
                    let merge = MergeBuilder::new(&dir, batch(&[id]), ["id"])
                        .unwrap()
                        .when_not_matched_insert_all(None::<String>)
                        .with_app_transaction(AppTransaction::new(app, 1));
                    start.wait().await;
                    merge.await
                })
            })
            .collect();
        let mut ok = 0;
        for racer in racers {
            match racer.await.unwrap() {
                Ok(_) => ok += 1,
                Err(err) => assert!(
                    matches!(err, Error::TransactionAlreadyCommitted { .. }),
                    "{err}"
                ),
            }
        }
        assert_eq!(ok, 1);
        assert_eq!(read_sorted(dir.path(), "id").await.height(), 3);
    }
}
