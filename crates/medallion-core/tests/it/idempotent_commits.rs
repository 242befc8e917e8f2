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
