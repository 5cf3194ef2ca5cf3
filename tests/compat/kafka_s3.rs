//! `strata ingest` from a real Kafka-protocol broker (tansu) into a table on a real
//! S3-protocol server (moto): exactly once across SIGKILLs, as on a local disk. The S3
//! settings reach every `strata` process through the conventional environment
//! (`AWS_ENDPOINT_URL`, ...), as users set them. Skips with a note when tansu or moto is
//! missing (fails under STRATA_REQUIRE_ALL).

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use strata_tests::cdc::*;
use strata_tests::kafka::{unique_group, Broker};
use strata_tests::s3::{moto, moto_missing, ACCESS_KEY, SECRET_KEY};
use strata_writer::ingest::sample::generate;
use strata_writer::ingest::CdcFormat;

#[test]
fn ingest_into_s3_stays_exactly_once_across_sigkills() {
    if moto_missing() {
        return;
    }
    let Some(broker) = Broker::start_or_skip() else {
        return;
    };
    // The only test of this binary: the environment is set before any other thread reads it,
    // and every `strata` it starts inherits it.
    for (k, v) in [
        ("AWS_ENDPOINT_URL", moto().endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ALLOW_HTTP", "true"),
    ] {
        std::env::set_var(k, v);
    }
    let bucket = moto().bucket("ingest");
    let table = format!("s3://{bucket}/wh/shop.db/orders");
    let table = table.as_str();
    let s = generate(CdcFormat::Debezium, 2_000, 20_000, 3, 11);
    broker.create_topic("orders-s3", 3);
    let group = unique_group("strata-s3");
    let mut args = kafka_args(table, "debezium-json", &broker.address, "orders-s3", &group);
    set(&mut args, "--commit-interval", "200ms");
    let (first, rest) = s.events.split_at(8_000);
    broker.produce("orders-s3", first);
    std::thread::scope(|scope| {
        let producer = scope.spawn(|| {
            for chunk in rest.chunks(2_000) {
                broker.produce("orders-s3", chunk);
                std::thread::sleep(Duration::from_millis(1_500));
            }
        });
        // Kills land in the group join, the ingest, a commit's puts or a compaction.
        kill_repeatedly(&args, 8, 2_500, 3_000, 7);
        producer.join().unwrap();
    });
    ok(&args);
    same_rows(&scan(table), &model(&s), "table on S3");
    same_changes(
        &changelog(table),
        &expected_changelog(&s),
        "changelog on S3",
    );
}
