//! Commits through a storage that fails the way object stores do, under random fault
//! schedules and concurrent committers: the table always holds exactly the commits reported
//! done, each once, and every snapshot id is used once.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use proptest::prelude::*;

use super::*;
use crate::manifest::{live_files, FileKind};
use crate::schema::{schema_path, TableSchema};
use crate::storage::{MemoryStorage, ObjectMeta, Storage};
use crate::test_table::entry;

/// What the next storage call suffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Nothing.
    None,
    /// A definite failure before the call takes effect (permission, 400s).
    Error,
    /// A timeout or a 503 after the retries: nothing happened, and a write's outcome is
    /// reported unknown.
    Timeout,
    /// A write takes effect but its acknowledgement is lost (outcome unknown).
    AckLost,
    /// A put-if-absent takes effect, then the client's own retry of it is answered 412
    /// (`AlreadyExists`).
    AppliedThen412,
    /// A put-if-absent is refused with 409 (a concurrent conditional write in progress):
    /// `AlreadyExists` without effect.
    Conflict409,
    /// The call is slow: other committers run meanwhile.
    Slow,
    /// A read returns a strict prefix of the object (a JSON file) or fails as truncated.
    Truncated,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        6 => Just(Fault::None),
        1 => Just(Fault::Error),
        1 => Just(Fault::Timeout),
        1 => Just(Fault::AckLost),
        1 => Just(Fault::AppliedThen412),
        1 => Just(Fault::Conflict409),
        2 => Just(Fault::Slow),
        1 => Just(Fault::Truncated),
    ]
}

/// In-memory storage that takes its faults, one per call, from a schedule; once the schedule
/// is spent, calls succeed.
#[derive(Debug)]
struct Faulty {
    inner: MemoryStorage,
    schedule: Mutex<VecDeque<Fault>>,
    /// Faults of the snapshot puts only, taken before `schedule`'s.
    snapshot_puts: Mutex<VecDeque<Fault>>,
    /// A path every read of which fails.
    unreadable: Mutex<Option<String>>,
}

impl Faulty {
    fn next(&self) -> Fault {
        let mut s = self.schedule.lock().unwrap_or_else(|p| p.into_inner());
        s.pop_front().unwrap_or(Fault::None)
    }

    async fn before(&self, path: &str) -> Result<Fault> {
        let f = self.next();
        match f {
            Fault::Error => Err(Error::Storage {
                path: path.into(),
                message: "injected: 403 Forbidden".into(),
            }),
            Fault::Slow => {
                for _ in 0..8 {
                    tokio::task::yield_now().await;
                }
                Ok(f)
            }
            _ => Ok(f),
        }
    }

    fn unknown(path: &str) -> Error {
        Error::OutcomeUnknown {
            path: path.into(),
            message: "injected: timed out".into(),
        }
    }

    fn read_fault(path: &str, f: Fault, data: Bytes) -> Result<Bytes> {
        match f {
            Fault::Timeout | Fault::AckLost => Err(Error::Storage {
                path: path.into(),
                message: "injected: timed out".into(),
            }),
            Fault::Truncated if path.starts_with("snapshot/") && data.len() > 1 => {
                Ok(data.slice(..data.len() / 2))
            }
            Fault::Truncated => Err(Error::corrupt(path, "injected: truncated body")),
            _ => Ok(data),
        }
    }
}

#[async_trait::async_trait]
impl Storage for Faulty {
    async fn get(&self, p: &str) -> Result<Bytes> {
        if self.unreadable.lock().unwrap().as_deref() == Some(p) {
            return Err(Error::Storage {
                path: p.into(),
                message: "injected: connection reset".into(),
            });
        }
        let f = self.before(p).await?;
        let data = self.inner.get(p).await?;
        Self::read_fault(p, f, data)
    }
    async fn get_range(&self, p: &str, r: std::ops::Range<u64>) -> Result<Bytes> {
        let f = self.before(p).await?;
        let data = self.inner.get_range(p, r).await?;
        match f {
            Fault::Truncated => Err(Error::corrupt(p, "injected: truncated body")),
            _ => Self::read_fault(p, f, data),
        }
    }
    async fn head(&self, p: &str) -> Result<Option<ObjectMeta>> {
        match self.before(p).await? {
            Fault::Timeout | Fault::AckLost => Err(Self::unknown(p)),
            _ => self.inner.head(p).await,
        }
    }
    async fn put_if_absent(&self, p: &str, d: Bytes) -> Result<()> {
        let targeted = if p.starts_with("snapshot/") {
            let mut q = self.snapshot_puts.lock().unwrap_or_else(|p| p.into_inner());
            q.pop_front()
        } else {
            None
        };
        let f = match targeted {
            Some(Fault::Error) => {
                return Err(Error::Storage {
                    path: p.into(),
                    message: "injected: 403 Forbidden".into(),
                })
            }
            Some(f) => f,
            None => self.before(p).await?,
        };
        match f {
            Fault::Timeout => Err(Self::unknown(p)),
            Fault::AckLost => {
                self.inner.put_if_absent(p, d).await?;
                Err(Self::unknown(p))
            }
            Fault::AppliedThen412 => {
                self.inner.put_if_absent(p, d).await?;
                Err(Error::AlreadyExists { path: p.into() })
            }
            Fault::Conflict409 => Err(Error::AlreadyExists { path: p.into() }),
            _ => self.inner.put_if_absent(p, d).await,
        }
    }
    async fn put(&self, p: &str, d: Bytes) -> Result<()> {
        match self.before(p).await? {
            Fault::Timeout => Err(Self::unknown(p)),
            Fault::AckLost | Fault::AppliedThen412 => {
                self.inner.put(p, d).await?;
                Err(Self::unknown(p))
            }
            _ => self.inner.put(p, d).await,
        }
    }
    async fn list(&self, p: &str) -> Result<Vec<ObjectMeta>> {
        match self.before(p).await? {
            Fault::Timeout | Fault::AckLost => Err(Self::unknown(p)),
            _ => self.inner.list(p).await,
        }
    }
    async fn delete(&self, p: &str) -> Result<()> {
        match self.before(p).await? {
            Fault::Timeout => Err(Self::unknown(p)),
            Fault::AckLost => {
                self.inner.delete(p).await?;
                Err(Self::unknown(p))
            }
            _ => self.inner.delete(p).await,
        }
    }
}

/// How one commit ended, as its committer reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reported {
    Done,
    /// Certainly not published (a conflict or [`Error::Uncommitted`]).
    Failed,
    /// The retries ran out on an error that leaves the outcome open.
    Unknown,
}

/// Commits `commits` appends as `user` (identifiers 1..), each retried with the same
/// identifier on every error (as a restarted job would) up to a bound.
async fn committer_run(table: Arc<Table>, user: String, commits: i64) -> Vec<Reported> {
    let committer = Committer::new(table.clone(), user.clone());
    let mut out = Vec::new();
    for identifier in 1..=commits {
        let changes = CommitChanges {
            kind: CommitKind::Append,
            entries: vec![entry(FileKind::Add, &format!("{user}-{identifier}"))],
            changelog: Vec::new(),
            properties: None,
            offsets: Vec::new(),
            index: Vec::new(),
            index_base: Vec::new(),
            keys_read_at: None,
        };
        // The latest id when the commit was prepared: its own success is looked for after it.
        let mut since = None;
        for _ in 0..100 {
            match latest_snapshot_id(table.storage()).await {
                Ok(s) => {
                    since = s;
                    break;
                }
                Err(_) => continue,
            }
        }
        // Failed only if no attempt could have published: an earlier attempt with an open
        // outcome may have landed even when a later one fails before its put.
        let mut reported = Reported::Unknown;
        let mut open = false;
        for attempt in 0..100 {
            let uuid = format!("{user}-{identifier}-{attempt}");
            match committer
                .try_commit(&changes, identifier, &uuid, 0, since)
                .await
            {
                Ok(Attempt::Committed(_)) => {
                    reported = Reported::Done;
                    break;
                }
                Ok(Attempt::Lost) => {}
                Err(e) if e.is_unpublished() && !open => reported = Reported::Failed,
                Err(_) => {
                    open = true;
                    reported = Reported::Unknown;
                }
            }
        }
        out.push(reported);
    }
    out
}

/// Runs `writers` committers of `commits` commits each under the faults, then checks the
/// table; returns how each commit was reported.
fn check_schedule(
    schedule: Vec<Fault>,
    snapshot_puts: Vec<Fault>,
    writers: usize,
    commits: i64,
) -> Vec<Vec<Reported>> {
    let storage = Arc::new(Faulty {
        inner: MemoryStorage::new(),
        schedule: Mutex::new(VecDeque::new()),
        snapshot_puts: Mutex::new(VecDeque::new()),
        unreadable: Mutex::new(None),
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let fields = crate::types::parse_columns("k INT").unwrap();
        let options = [("bucket".to_string(), "-1".to_string())].into();
        let schema = TableSchema::create(fields, vec![], vec![], options, 0).unwrap();
        storage
            .put_if_absent(&schema_path(0), Bytes::from(schema.to_json()))
            .await
            .unwrap();
        let table = Arc::new(Table::open(storage.clone()).await.unwrap());
        *storage.schedule.lock().unwrap() = schedule.into();
        *storage.snapshot_puts.lock().unwrap() = snapshot_puts.into();

        let runs = (0..writers).map(|w| committer_run(table.clone(), format!("w{w}"), commits));
        let reports = futures::future::join_all(runs).await;
        storage.schedule.lock().unwrap().clear();

        // The table as a reader sees it once the faults are over.
        let inner: &dyn Storage = &storage.inner;
        let ids = crate::snapshot::list_snapshot_ids(inner)
            .await
            .unwrap()
            .unwrap_or_default();
        let expected_ids: Vec<i64> = (1..=ids.len() as i64).collect();
        assert_eq!(ids, expected_ids, "snapshot ids are not 1..=n");
        let mut seen = BTreeSet::new();
        for &id in &ids {
            let s = Snapshot::load(inner, id).await.unwrap();
            assert!(
                seen.insert((s.commit_user.clone(), s.commit_identifier)),
                "commit {} {} landed twice",
                s.commit_user,
                s.commit_identifier
            );
        }
        let live: BTreeMap<String, usize> = match ids.last() {
            Some(&id) => {
                let latest = Snapshot::load(inner, id).await.unwrap();
                let mut m = BTreeMap::new();
                for e in live_files(inner, &latest).await.unwrap() {
                    *m.entry(e.file.file_name).or_insert(0) += 1;
                }
                m
            }
            None => BTreeMap::new(),
        };
        for (w, report) in reports.iter().enumerate() {
            for (i, r) in report.iter().enumerate() {
                let name = format!("w{w}-{}", i + 1);
                let count = live.get(&name).copied().unwrap_or(0);
                match r {
                    Reported::Done => assert_eq!(count, 1, "{name} reported done, live {count}x"),
                    Reported::Failed => assert_eq!(count, 0, "{name} reported failed but live"),
                    Reported::Unknown => assert!(count <= 1, "{name} live {count}x"),
                }
            }
        }
        let reported: usize = reports.iter().flatten().count();
        assert!(live.len() <= reported && live.values().all(|&c| c == 1));
        // Unless the schedule outlasted the retries, everything got through.
        if reports.iter().flatten().all(|r| *r == Reported::Done) {
            assert_eq!(live.len(), writers * commits as usize);
        }
        reports
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn commits_survive_random_faults(
        schedule in proptest::collection::vec(fault(), 0..400),
        snapshot_puts in proptest::collection::vec(fault(), 0..8),
        writers in 1usize..4,
        commits in 1i64..6,
    ) {
        check_schedule(schedule, snapshot_puts, writers, commits);
    }
}

#[test]
fn every_fault_of_the_snapshot_put_is_settled() {
    use Fault::*;
    for f in [
        Error,
        Timeout,
        AckLost,
        AppliedThen412,
        Conflict409,
        Slow,
        Truncated,
    ] {
        for writers in [1, 3] {
            let reports = check_schedule(Vec::new(), vec![f; 3], writers, 2);
            assert!(
                reports.iter().flatten().all(|r| *r == Reported::Done),
                "{f:?}: {reports:?}"
            );
        }
    }
}

#[test]
fn an_unsettled_put_keeps_its_files_and_a_retry_finds_the_commit() {
    let storage = Arc::new(Faulty {
        inner: MemoryStorage::new(),
        schedule: Mutex::new(VecDeque::new()),
        snapshot_puts: Mutex::new(vec![Fault::AckLost].into()),
        unreadable: Mutex::new(Some("snapshot/snapshot-1".into())),
    });
    futures::executor::block_on(async {
        let fields = crate::types::parse_columns("k INT").unwrap();
        let options = [("bucket".to_string(), "-1".to_string())].into();
        let schema = TableSchema::create(fields, vec![], vec![], options, 0).unwrap();
        storage
            .put_if_absent(&schema_path(0), Bytes::from(schema.to_json()))
            .await
            .unwrap();
        let table = Arc::new(Table::open(storage.clone()).await.unwrap());
        let c = Committer::new(table, "u");
        let changes = CommitChanges {
            kind: CommitKind::Append,
            entries: vec![entry(FileKind::Add, "a")],
            changelog: Vec::new(),
            properties: None,
            offsets: Vec::new(),
            index: Vec::new(),
            index_base: Vec::new(),
            keys_read_at: None,
        };
        let e = c.try_commit(&changes, 7, "x1", 0, None).await.unwrap_err();
        assert!(matches!(e, Error::OutcomeUnknown { .. }), "{e}");
        assert!(!e.is_unpublished());
        assert!(e.to_string().contains("strata snapshots"), "{e}");
        let manifests = storage.inner.list("manifest").await.unwrap().len();
        assert_eq!(
            manifests, 3,
            "the possibly live snapshot's manifests were removed"
        );
        *storage.unreadable.lock().unwrap() = None;
        let Attempt::Committed(s) = c.try_commit(&changes, 7, "x2", 0, None).await.unwrap() else {
            panic!("lost")
        };
        assert_eq!((s.id, s.uuid.as_deref()), (1, Some("x1")));
        let ids = crate::snapshot::list_snapshot_ids(&storage.inner)
            .await
            .unwrap();
        assert_eq!(ids, Some(vec![1]));
    });
}
