//! Deletes through the write path's in-buffer merge: a key inserted and deleted in one write
//! must delete the key's committed row too.

use super::tests::{kinds_opts, row, rows_of, table, write_rows};

#[tokio::test]
async fn partial_update_remove_record_on_delete_in_one_write_deletes_the_committed_row() {
    let opts = [
        ("merge-engine", "partial-update"),
        ("partial-update.remove-record-on-delete", "true"),
    ];
    let t = table(true, false, &opts).await;
    write_rows(&t, &[(1, 10, "a"), (2, 20, "a")], None, Default::default()).await;
    // Key 1 updated then deleted in the same write: the merged -D must keep its key.
    write_rows(
        &t,
        &[(1, 11, "a"), (1, 11, "a"), (2, 21, "a")],
        Some(&["+I", "-D", "+I"]),
        kinds_opts(),
    )
    .await;
    assert_eq!(rows_of(&t).await, vec![row(2, 21)]);
}

#[tokio::test]
async fn aggregation_remove_record_on_delete_in_one_write_deletes_the_committed_row() {
    let opts = [
        ("merge-engine", "aggregation"),
        ("aggregation.remove-record-on-delete", "true"),
    ];
    let t = table(true, false, &opts).await;
    write_rows(&t, &[(1, 10, "a"), (2, 20, "a")], None, Default::default()).await;
    write_rows(
        &t,
        &[(1, 11, "a"), (1, 11, "a"), (2, 21, "a")],
        Some(&["+I", "-D", "+I"]),
        kinds_opts(),
    )
    .await;
    assert_eq!(rows_of(&t).await, vec![row(2, 21)]);
}
