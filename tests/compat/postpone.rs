//! Postpone-bucket tables (`bucket = -2`) written by pypaimon and by Strata in turns: the
//! waiting rows stay unread by both until Strata's compaction gives them buckets, then both
//! read them equal to the model, in write order across writers.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use strata_core::manifest::live_files;
use strata_core::scan::{resolve_snapshot, SnapshotSpec};
use strata_tests::writes::*;

#[test]
fn pypaimon_and_strata_share_a_postpone_bucket_table() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = dt_table(&wh, "pp", -2, &[("postpone.default-bucket-num", "2")]);
    let mut model = DtModel::new();
    let values = |m: &DtModel| m.values().cloned().collect::<Vec<_>>();

    // Both writers' rows wait, unread by both.
    let r1 = dt_rows(0..50, "p1", "a");
    pypaimon_write(&wh, "pp", &r1);
    let mut r2 = dt_rows(30..80, "s2", "a");
    r2.extend(dt_rows(0..10, "s2", "b"));
    strata_write(&t, &r2, None);
    check(&wh, "pp", &t, vec![]);

    // Strata's compaction replays pypaimon's rows, then its own.
    compact(&t, false).expect("a compaction");
    apply_dt_rows(&mut model, &r1);
    apply_dt_rows(&mut model, &r2);
    check(&wh, "pp", &t, values(&model));
    let now = reopen(&t);
    let live = rt().block_on(async {
        let t = now;
        let s = resolve_snapshot(t.storage(), &SnapshotSpec::Latest)
            .await
            .unwrap()
            .unwrap();
        live_files(t.storage(), &s).await.unwrap()
    });
    assert!(live.iter().all(|e| e.bucket >= 0 && e.total_buckets == 2));

    // pypaimon's next rows wait again, then land after the bucketed ones.
    let r3 = dt_rows(70..90, "p3", "a");
    pypaimon_write(&wh, "pp", &r3);
    check(&wh, "pp", &t, values(&model));
    compact(&t, true).expect("a compaction");
    apply_dt_rows(&mut model, &r3);
    check(&wh, "pp", &t, values(&model));
}
