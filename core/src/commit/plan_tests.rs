//! The commit plan, without storage: bases are built by hand (or loaded once from an
//! in-memory table) and planned on directly.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures::executor::block_on;

use super::base::CommitBase;
use super::manifest_merge::ManifestMergeOptions;
use super::offsets::{OffsetClaim, SourceOffsets, SOURCE_OFFSETS_PROPERTY};
use super::plan::{plan_commit, AttemptId, CommitPlan};
use super::{Attempt, CommitChanges, Committer};
use crate::binary_row::BinaryRow;
use crate::manifest::{FileKind, IndexManifestEntry, ManifestEntry, ManifestFileMeta};
use crate::schema::{schema_path, TableSchema};
use crate::snapshot::{CommitKind, Snapshot};
use crate::storage::{MemoryStorage, ObjectMeta, Storage};
use crate::table::Table;
use crate::test_table::entry;
use crate::{Error, Result};

fn schema(options: &[(&str, &str)]) -> TableSchema {
    let fields = crate::types::parse_columns("k INT").unwrap();
    let options = options
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    TableSchema::create(fields, vec![], vec![], options, 0).unwrap()
}

fn empty_base() -> CommitBase {
    CommitBase {
        latest: None,
        schema: schema(&[("bucket", "-1")]),
        manifests: Vec::new(),
        contents: Default::default(),
        offsets: None,
        index: None,
    }
}

fn changes(kind: CommitKind, entries: Vec<ManifestEntry>) -> CommitChanges {
    CommitChanges {
        kind,
        entries,
        changelog: Vec::new(),
        properties: None,
        offsets: Vec::new(),
        index: Vec::new(),
        index_base: Vec::new(),
        keys_read_at: None,
    }
}

fn adds(names: &[&str]) -> CommitChanges {
    changes(
        CommitKind::Append,
        names.iter().map(|n| entry(FileKind::Add, n)).collect(),
    )
}

fn who(uuid: &str) -> AttemptId<'_> {
    AttemptId {
        commit_user: "plan-tests",
        identifier: 7,
        uuid,
        now_millis: 1234,
    }
}

fn file<'p>(plan: &'p CommitPlan, name: &str) -> &'p [u8] {
    &plan
        .files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} is not in the plan"))
        .1
}

/// The live file names the plan's snapshot lists, decoded from the plan's own files and, for
/// the manifests it keeps, from `table`.
async fn planned_live(table: Option<&MemoryStorage>, plan: &CommitPlan) -> Vec<String> {
    let s = &plan.snapshot;
    let mut metas = ManifestFileMeta::read_list(file(plan, &s.base_manifest_list), "base").unwrap();
    metas.extend(ManifestFileMeta::read_list(file(plan, &s.delta_manifest_list), "delta").unwrap());
    let mut entries = Vec::new();
    for m in metas {
        match plan.files.iter().find(|(n, _)| *n == m.file_name) {
            Some((_, bytes)) => {
                entries.extend(ManifestEntry::read_manifest(bytes, &m.file_name).unwrap())
            }
            None => entries.extend(
                crate::manifest::read_manifest(table.unwrap(), &m.file_name)
                    .await
                    .unwrap(),
            ),
        }
    }
    let mut live: Vec<String> = crate::manifest::fold_entries(entries)
        .unwrap()
        .into_iter()
        .map(|e| e.file.file_name)
        .collect();
    live.sort();
    live
}

#[test]
fn a_first_commit_is_snapshot_one_with_its_manifests_in_memory() {
    let base = empty_base();
    let plan = plan_commit(&base, &adds(&["a", "b"]), who("u1")).unwrap();
    let s = &plan.snapshot;
    assert_eq!(s.id, 1);
    assert_eq!(s.commit_user, "plan-tests");
    assert_eq!(s.commit_identifier, 7);
    assert_eq!(s.time_millis, 1234);
    assert_eq!(s.uuid.as_deref(), Some("u1"));
    assert_eq!(
        (s.total_record_count, s.delta_record_count),
        (Some(2), Some(2))
    );
    assert_eq!(s.changelog_manifest_list, None);
    assert_eq!(s.index_manifest, None);
    // An empty base list, one delta manifest and its list: every name carries the uuid.
    assert_eq!(plan.files.len(), 3);
    assert!(plan.files.iter().all(|(n, _)| n.contains("u1")));
    assert_eq!(
        s.base_manifest_list_size,
        Some(file(&plan, &s.base_manifest_list).len() as i64)
    );
    assert_eq!(block_on(planned_live(None, &plan)), ["a", "b"]);
}

#[test]
fn the_same_inputs_plan_the_same_files_and_snapshot() {
    let base = empty_base();
    let a = plan_commit(&base, &adds(&["a"]), who("u1")).unwrap();
    let b = plan_commit(&base, &adds(&["a"]), who("u1")).unwrap();
    // Avro containers differ in their random sync markers only: compare names and records.
    let names = |p: &CommitPlan| p.files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b));
    let manifest =
        |p: &CommitPlan| ManifestEntry::read_manifest(file(p, &names(p)[1]), "m").unwrap();
    assert_eq!(manifest(&a), manifest(&b));
    assert_eq!(a.snapshot.to_json(), b.snapshot.to_json());
    let c = plan_commit(&base, &adds(&["a"]), who("u2")).unwrap();
    assert!(c.files.iter().all(|(n, _)| n.contains("u2")));
}

#[test]
fn a_commit_without_files_still_plans_a_snapshot() {
    let plan = plan_commit(&empty_base(), &adds(&[]), who("u1")).unwrap();
    // Base and delta lists, both empty: no manifest.
    assert_eq!(plan.files.len(), 2);
    assert_eq!(plan.snapshot.delta_record_count, Some(0));
}

#[test]
fn changelog_files_get_their_own_list_and_count() {
    let mut c = adds(&["a"]);
    c.changelog = vec![
        entry(FileKind::Add, "changelog-1"),
        entry(FileKind::Add, "changelog-2"),
    ];
    let plan = plan_commit(&empty_base(), &c, who("u1")).unwrap();
    let s = &plan.snapshot;
    let list = s.changelog_manifest_list.as_deref().unwrap();
    let metas = ManifestFileMeta::read_list(file(&plan, list), list).unwrap();
    assert_eq!(metas.len(), 1);
    let entries = ManifestEntry::read_manifest(file(&plan, &metas[0].file_name), "m").unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(s.changelog_record_count, Some(2));
    assert_eq!(
        s.changelog_manifest_list_size,
        Some(file(&plan, list).len() as i64)
    );
}

/// A table in memory after `steps` commits (each adding the named files), and the base of
/// a next commit of `next`.
async fn loaded(steps: &[&[&str]], next: &CommitChanges) -> (Arc<MemoryStorage>, CommitBase) {
    let storage = Arc::new(MemoryStorage::new());
    storage
        .put_if_absent(
            &schema_path(0),
            Bytes::from(schema(&[("bucket", "-1"), ("manifest.merge-min-count", "3")]).to_json()),
        )
        .await
        .unwrap();
    let table = Arc::new(Table::open(storage.clone()).await.unwrap());
    let c = Committer::new(table, "setup");
    for (i, names) in steps.iter().enumerate() {
        let Attempt::Committed(_) = c
            .try_commit(&adds(names), i as i64, &format!("s{i}"), 10, None)
            .await
            .unwrap()
        else {
            panic!("no racer")
        };
    }
    let base = CommitBase::load(storage.as_ref(), next).await.unwrap();
    (storage, base)
}

#[test]
fn the_next_snapshot_follows_the_latest_and_carries_its_totals() {
    block_on(async {
        let next = adds(&["c"]);
        let (storage, mut base) = loaded(&[&["a"], &["b"]], &next).await;
        let latest = base.latest.as_mut().unwrap();
        latest.watermark = Some(99);
        latest.statistics = Some("stats-1".into());
        let plan = plan_commit(&base, &next, who("u3")).unwrap();
        assert_eq!(plan.snapshot.id, 3);
        assert_eq!(plan.snapshot.total_record_count, Some(3));
        assert_eq!(plan.snapshot.watermark, Some(99));
        assert_eq!(plan.snapshot.statistics.as_deref(), Some("stats-1"));
        assert_eq!(planned_live(Some(&storage), &plan).await, ["a", "b", "c"]);
        // Statistics belong to a schema: a newer schema drops them.
        base.schema.id = 1;
        let plan = plan_commit(&base, &next, who("u3")).unwrap();
        assert_eq!(plan.snapshot.statistics, None);
        assert_eq!(plan.snapshot.schema_id, 1);
    })
}

#[test]
fn a_delete_of_a_file_that_is_not_live_is_a_conflict_before_anything_is_encoded() {
    block_on(async {
        let mut next = changes(CommitKind::Compact, vec![entry(FileKind::Delete, "zzz")]);
        next.entries.push(entry(FileKind::Add, "a2"));
        let (_, base) = loaded(&[&["a"]], &next).await;
        let e = plan_commit(&base, &next, who("u2")).unwrap_err();
        assert!(matches!(e, Error::Conflict(_)), "{e}");
        // Deleting a live file is fine and leaves the rest.
        let ok = changes(
            CommitKind::Compact,
            vec![entry(FileKind::Delete, "a"), entry(FileKind::Add, "a2")],
        );
        let (storage, base) = loaded(&[&["a"], &["b"]], &ok).await;
        let plan = plan_commit(&base, &ok, who("u3")).unwrap();
        assert_eq!(planned_live(Some(&storage), &plan).await, ["a2", "b"]);
        assert_eq!(plan.snapshot.delta_record_count, Some(0));
    })
}

#[test]
fn a_base_missing_a_manifest_it_needs_is_an_error_not_a_panic() {
    block_on(async {
        let next = changes(CommitKind::Compact, vec![entry(FileKind::Delete, "a")]);
        let (_, mut base) = loaded(&[&["a"]], &next).await;
        base.contents.clear();
        let e = plan_commit(&base, &next, who("u2")).unwrap_err();
        assert!(e.to_string().contains("was not read"), "{e}");
    })
}

fn claim(from: Option<i64>, to: i64) -> OffsetClaim {
    OffsetClaim {
        source: "orders".into(),
        partition: 0,
        from,
        to,
    }
}

fn offsets_of(s: &Snapshot) -> &str {
    &s.properties.as_ref().unwrap()[SOURCE_OFFSETS_PROPERTY]
}

#[test]
fn offset_claims_advance_the_table_or_fence_the_writer() {
    let mut base = empty_base();
    let mut c = adds(&["a"]);
    c.offsets = vec![claim(None, 10)];
    // Claims need the table's offsets: a base without them is refused.
    assert!(plan_commit(&base, &c, who("u1")).is_err());
    base.offsets = Some(SourceOffsets::new());
    let plan = plan_commit(&base, &c, who("u1")).unwrap();
    assert_eq!(offsets_of(&plan.snapshot), r#"{"orders":{"0":10}}"#);
    // Another writer moved the partition to 25: this one, which began at 10, is fenced.
    let mut moved = SourceOffsets::new();
    moved.entry("orders".into()).or_default().insert(0, 25);
    base.offsets = Some(moved);
    c.offsets = vec![claim(Some(10), 30)];
    assert!(matches!(
        plan_commit(&base, &c, who("u2")),
        Err(Error::Conflict(_))
    ));
}

#[test]
fn commits_without_claims_carry_the_latest_offsets_forward() {
    block_on(async {
        let next = adds(&["b"]);
        let (_, mut base) = loaded(&[&["a"]], &next).await;
        let text = r#"{"orders":{"0":5}}"#.to_string();
        base.latest.as_mut().unwrap().properties = Some(BTreeMap::from([(
            SOURCE_OFFSETS_PROPERTY.to_string(),
            text.clone(),
        )]));
        let plan = plan_commit(&base, &next, who("u2")).unwrap();
        assert_eq!(offsets_of(&plan.snapshot), text);
    })
}

fn index_entry(kind: FileKind, name: &str, bucket: i32) -> IndexManifestEntry {
    IndexManifestEntry {
        kind,
        partition: BinaryRow::encode(&[], &[]).unwrap(),
        bucket,
        index_type: crate::dynamic_bucket::HASH_INDEX.to_string(),
        file_name: name.into(),
        file_size: 8,
        row_count: 2,
        dv_ranges: None,
        external_path: None,
        global_index: None,
    }
}

fn index_changes(index: Vec<IndexManifestEntry>) -> CommitChanges {
    let mut c = adds(&["a"]);
    c.index = index;
    c
}

#[test]
fn index_changes_apply_to_the_live_index_or_conflict() {
    let mut base = empty_base();
    base.index = Some(vec![index_entry(FileKind::Add, "index-0", 0)]);
    // Replacing a live file: the new index manifest lists the new one only.
    let replace = index_changes(vec![
        index_entry(FileKind::Delete, "index-0", 0),
        index_entry(FileKind::Add, "index-1", 0),
    ]);
    let plan = plan_commit(&base, &replace, who("u1")).unwrap();
    let name = plan.snapshot.index_manifest.clone().unwrap();
    let live = IndexManifestEntry::read_index_manifest(file(&plan, &name), &name).unwrap();
    let names: Vec<&str> = live.iter().map(|e| e.file_name.as_str()).collect();
    assert_eq!(names, ["index-1"]);
    // A delete of a file that is no longer live: another writer replaced it.
    let stale = index_changes(vec![index_entry(FileKind::Delete, "index-9", 0)]);
    assert!(matches!(
        plan_commit(&base, &stale, who("u2")),
        Err(Error::Conflict(m)) if m.contains("index-9")
    ));
    // A second live index for bucket 0.
    let twice = index_changes(vec![index_entry(FileKind::Add, "index-2", 0)]);
    assert!(matches!(
        plan_commit(&base, &twice, who("u3")),
        Err(Error::Conflict(m)) if m.contains("bucket 0")
    ));
    // Deleting the only index file leaves no index manifest.
    let none = index_changes(vec![index_entry(FileKind::Delete, "index-0", 0)]);
    assert_eq!(
        plan_commit(&base, &none, who("u4"))
            .unwrap()
            .snapshot
            .index_manifest,
        None
    );
}

#[test]
fn a_changed_hash_base_is_a_conflict() {
    let mut base = empty_base();
    base.index = Some(vec![index_entry(FileKind::Add, "index-0", 0)]);
    let partition = BinaryRow::encode(&[], &[]).unwrap().serialize();
    let mut c = adds(&["a"]);
    c.index_base = vec![(partition.clone(), vec!["index-0".into()])];
    let plan = plan_commit(&base, &c, who("u1")).unwrap();
    // Unchanged index: the manifest is rewritten with the same live file.
    assert!(plan.snapshot.index_manifest.is_some());
    c.index_base = vec![(partition, vec![])];
    assert!(matches!(
        plan_commit(&base, &c, who("u2")),
        Err(Error::Conflict(m)) if m.contains("bucket index")
    ));
    // Index changes need the live index: a base without it is refused.
    base.index = None;
    assert!(plan_commit(&base, &c, who("u3")).is_err());
}

fn meta(name: &str, size: i64, deleted: i64) -> ManifestFileMeta {
    ManifestFileMeta {
        file_name: name.into(),
        file_size: size,
        num_added_files: 1,
        num_deleted_files: deleted,
        partition_stats: crate::stats::SimpleStats::empty(),
        schema_id: 0,
        min_bucket: None,
        max_bucket: None,
        min_level: None,
        max_level: None,
        min_row_id: None,
        max_row_id: None,
    }
}

fn merge_opts(target: u64, min_count: usize, full: u64) -> ManifestMergeOptions {
    ManifestMergeOptions {
        target_size: target,
        min_count,
        full_threshold: full,
    }
}

#[test]
fn the_merge_reads_only_the_manifests_it_rewrites() {
    let metas: Vec<ManifestFileMeta> = (0..5).map(|i| meta(&format!("m{i}"), 10, 0)).collect();
    // Five small manifests, fewer than the minimum count, far from the target: none read.
    assert!(merge_opts(1000, 30, 10_000)
        .manifests_to_read(&metas)
        .is_empty());
    // The tail reaches the minimum count: all five.
    assert_eq!(
        merge_opts(1000, 5, 10_000).manifests_to_read(&metas).len(),
        5
    );
    // Runs of 30 bytes reach the target: m0..m2 merge; m3, m4 stay (below the count).
    assert_eq!(
        merge_opts(30, 30, 10_000).manifests_to_read(&metas),
        ["m0", "m1", "m2"]
    );
    // A single manifest at the target is left as it is.
    let big = vec![meta("big", 100, 0), meta("small", 1, 0)];
    assert!(merge_opts(50, 30, 10_000)
        .manifests_to_read(&big)
        .is_empty());
    // Small or delete-holding manifests reaching the full threshold: all read.
    assert_eq!(merge_opts(1000, 30, 40).manifests_to_read(&metas).len(), 5);
    let with_deletes = vec![meta("a", 5000, 1), meta("b", 5000, 0)];
    assert_eq!(
        merge_opts(1000, 30, 4000)
            .manifests_to_read(&with_deletes)
            .len(),
        2
    );
    assert!(merge_opts(1000, 30, 6000)
        .manifests_to_read(&with_deletes)
        .is_empty());
}

/// A storage that counts reads of manifests.
#[derive(Debug, Default)]
struct Counting {
    inner: MemoryStorage,
    manifest_reads: AtomicUsize,
}

#[async_trait::async_trait]
impl Storage for Counting {
    async fn get(&self, p: &str) -> Result<Bytes> {
        if p.starts_with("manifest/manifest-") && !p.starts_with("manifest/manifest-list-") {
            self.manifest_reads.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.get(p).await
    }
    async fn get_range(&self, p: &str, r: std::ops::Range<u64>) -> Result<Bytes> {
        self.inner.get_range(p, r).await
    }
    async fn head(&self, p: &str) -> Result<Option<ObjectMeta>> {
        self.inner.head(p).await
    }
    async fn put_if_absent(&self, p: &str, d: Bytes) -> Result<()> {
        self.inner.put_if_absent(p, d).await
    }
    async fn put(&self, p: &str, d: Bytes) -> Result<()> {
        self.inner.put(p, d).await
    }
    async fn list(&self, p: &str) -> Result<Vec<ObjectMeta>> {
        self.inner.list(p).await
    }
    async fn delete(&self, p: &str) -> Result<()> {
        self.inner.delete(p).await
    }
}

#[test]
fn loading_a_base_reads_manifests_only_for_conflicts_and_merges() {
    block_on(async {
        let storage = Arc::new(Counting::default());
        storage
            .put_if_absent(
                &schema_path(0),
                Bytes::from(schema(&[("bucket", "-1")]).to_json()),
            )
            .await
            .unwrap();
        let table = Arc::new(Table::open(storage.clone()).await.unwrap());
        let c = Committer::new(table, "count");
        for i in 0..4 {
            c.try_commit(&adds(&[&format!("f{i}")]), i, &format!("u{i}"), 0, None)
                .await
                .unwrap();
        }
        storage.manifest_reads.store(0, Ordering::SeqCst);
        // An append on four small manifests (below the merge count): no manifest read.
        let append = adds(&["g"]);
        let base = CommitBase::load(storage.as_ref(), &append).await.unwrap();
        assert_eq!(storage.manifest_reads.load(Ordering::SeqCst), 0);
        assert!(base.offsets.is_none() && base.index.is_none());
        // A delete is checked against every live file: all four read.
        let delete = changes(CommitKind::Compact, vec![entry(FileKind::Delete, "f0")]);
        let base = CommitBase::load(storage.as_ref(), &delete).await.unwrap();
        assert_eq!(storage.manifest_reads.load(Ordering::SeqCst), 4);
        assert_eq!(base.manifests.len(), 4);
        let plan = plan_commit(&base, &delete, who("d")).unwrap();
        assert_eq!(
            planned_live(Some(&storage.inner), &plan).await,
            ["f1", "f2", "f3"]
        );
    })
}
