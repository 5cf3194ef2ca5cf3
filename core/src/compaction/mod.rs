//! Compaction planning: sorted runs of a bucket, Paimon's universal compaction pick, and the
//! whole plan ([`plan_compaction`]): which buckets to compact, into which level, how; with the
//! `write` feature, running it ([`compact`]). Append tables merge small files instead
//! ([`append`]).
//!
//! Level 0 files are each a sorted run, newest first; each non-empty level above is one run.
//! [`pick_universal`] chooses which leading runs to merge and the level they go to, following
//! Paimon's order of rules: size amplification, size ratio, then run count.

pub mod append;
#[cfg(feature = "write")]
mod append_run;
#[cfg(test)]
mod append_tests;
#[cfg(feature = "write")]
mod dv;
mod plan;
mod policy;
#[cfg(feature = "write")]
mod postpone;
#[cfg(feature = "write")]
mod run;
pub use append::{plan_append_compaction, AppendTask};
pub use plan::{plan_compaction, CompactTask};
pub use policy::CompactionPolicy;
#[cfg(feature = "write")]
pub(crate) use postpone::known_bucket_counts;
#[cfg(feature = "write")]
pub use run::{compact, compact_until, CompactOptions};

use crate::manifest::DataFileMeta;
use crate::options::TableOptions;

/// One sorted run: a level-0 file, or all files of a level above 0.
#[derive(Debug, Clone)]
pub struct SortedRun {
    /// The level.
    pub level: i32,
    /// Its files.
    pub files: Vec<DataFileMeta>,
}

impl SortedRun {
    /// Total bytes.
    pub fn size(&self) -> i64 {
        self.files.iter().map(|f| f.file_size).sum()
    }
}

/// What to compact: the files of the chosen runs and the level they go to.
#[derive(Debug, Clone)]
pub struct CompactUnit {
    /// Output level.
    pub output_level: i32,
    /// Input files.
    pub files: Vec<DataFileMeta>,
}

/// Universal-compaction settings from table options (Paimon's defaults).
#[derive(Debug, Clone, Copy)]
pub struct CompactionOptions {
    /// `num-sorted-run.compaction-trigger` (5).
    pub trigger: usize,
    /// `num-sorted-run.stop-trigger` (trigger + 3): writers wait above this.
    pub stop_trigger: usize,
    /// `num-levels` (trigger + 1).
    pub num_levels: i32,
    /// `compaction.max-size-amplification-percent` (200).
    pub max_size_amp: i64,
    /// `compaction.size-ratio` (1).
    pub size_ratio: i64,
}

impl CompactionOptions {
    /// Reads the options.
    pub fn from(options: &TableOptions<'_>) -> Self {
        // The registry's defaults; the stop trigger and the level count default to the
        // compaction trigger plus 3 and plus 1, as in Paimon's CoreOptions.
        let num = |k: &str, d: i64| {
            options
                .value_or_default(k)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .unwrap_or(d)
        };
        let trigger = num("num-sorted-run.compaction-trigger", 5).max(1) as usize;
        CompactionOptions {
            trigger,
            stop_trigger: num("num-sorted-run.stop-trigger", trigger as i64 + 3).max(trigger as i64)
                as usize,
            num_levels: num("num-levels", trigger as i64 + 1).max(2) as i32,
            max_size_amp: num("compaction.max-size-amplification-percent", 200),
            size_ratio: num("compaction.size-ratio", 1),
        }
    }

    /// The highest level.
    pub fn max_level(&self) -> i32 {
        self.num_levels - 1
    }
}

/// A bucket's files as sorted runs: level-0 files newest first (by max sequence number), then
/// one run per non-empty level, ascending.
pub fn sorted_runs(files: &[DataFileMeta]) -> Vec<SortedRun> {
    let mut level0: Vec<&DataFileMeta> = files.iter().filter(|f| f.level == 0).collect();
    level0.sort_by(|a, b| {
        b.max_sequence_number
            .cmp(&a.max_sequence_number)
            .then(b.min_sequence_number.cmp(&a.min_sequence_number))
            .then(b.creation_time.cmp(&a.creation_time))
            .then(b.file_name.cmp(&a.file_name))
    });
    let mut runs: Vec<SortedRun> = level0
        .into_iter()
        .map(|f| SortedRun {
            level: 0,
            files: vec![f.clone()],
        })
        .collect();
    let mut levels: Vec<i32> = files.iter().map(|f| f.level).filter(|l| *l > 0).collect();
    levels.sort_unstable();
    levels.dedup();
    for l in levels {
        runs.push(SortedRun {
            level: l,
            files: files.iter().filter(|f| f.level == l).cloned().collect(),
        });
    }
    runs
}

fn unit(runs: &[SortedRun], max_level: i32, mut n: usize) -> Option<CompactUnit> {
    let mut output = if n == runs.len() {
        max_level
    } else {
        (runs[n].level - 1).max(0)
    };
    if output == 0 {
        // Level 0 output is not allowed: absorb runs up to the first above level 0.
        while n < runs.len() {
            let next = &runs[n];
            n += 1;
            if next.level != 0 {
                output = next.level;
                break;
            }
        }
    }
    if n == runs.len() {
        output = max_level;
    }
    let files: Vec<DataFileMeta> = runs[..n].iter().flat_map(|r| r.files.clone()).collect();
    (!files.is_empty()).then_some(CompactUnit {
        output_level: output,
        files,
    })
}

/// Paimon's universal pick, or `None` when the bucket needs no compaction.
pub fn pick_universal(runs: &[SortedRun], o: &CompactionOptions) -> Option<CompactUnit> {
    if runs.len() < o.trigger {
        return None;
    }
    // Size amplification: everything but the oldest run against the oldest.
    let (last, rest) = runs.split_last()?;
    let candidates: i64 = rest.iter().map(SortedRun::size).sum();
    if candidates * 100 > o.max_size_amp * last.size() {
        return unit(runs, o.max_level(), runs.len());
    }
    if let Some(u) = pick_by_ratio(runs, o, 1, false) {
        return Some(u);
    }
    if runs.len() > o.trigger {
        return pick_by_ratio(runs, o, runs.len() - o.trigger + 1, true);
    }
    None
}

/// Paimon's forced level-0 pick (`ForceUpLevel0Compaction`), for tables whose batch reads
/// skip level 0: the leading level-0 runs, with the runs the size ratio lets in after them,
/// into the level below the next run left out (never level 0). `None` without level-0 runs.
pub fn pick_level0(runs: &[SortedRun], o: &CompactionOptions) -> Option<CompactUnit> {
    let level0 = runs.iter().take_while(|r| r.level == 0).count();
    if level0 == 0 {
        return None;
    }
    pick_by_ratio(runs, o, level0, true)
}

fn pick_by_ratio(
    runs: &[SortedRun],
    o: &CompactionOptions,
    start: usize,
    force: bool,
) -> Option<CompactUnit> {
    let mut candidate = start;
    let mut size: i64 = runs[..start].iter().map(SortedRun::size).sum();
    let mut triggered = force || candidate > 1;
    for r in &runs[start..] {
        let too_big = (size as f64) * (100.0 + o.size_ratio as f64) / 100.0 < r.size() as f64;
        if too_big && (!triggered || r.level > 1) {
            break;
        }
        size += r.size();
        candidate += 1;
        triggered = true;
    }
    if triggered {
        unit(runs, o.max_level(), candidate)
    } else {
        None
    }
}

/// Whether a compaction to `output_level` drops retract rows: nothing older can lie below it.
pub fn drops_deletes(output_level: i32, runs: &[SortedRun], deletion_vectors: bool) -> bool {
    let highest = runs.iter().map(|r| r.level).max().unwrap_or(0);
    output_level != 0 && (output_level >= highest || deletion_vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(level: i32, size: i64, seq: i64) -> DataFileMeta {
        DataFileMeta {
            file_name: format!("f{level}-{seq}"),
            file_size: size,
            row_count: 1,
            min_sequence_number: seq,
            max_sequence_number: seq,
            level,
            ..Default::default()
        }
    }

    fn opts() -> CompactionOptions {
        CompactionOptions {
            trigger: 5,
            stop_trigger: 8,
            num_levels: 6,
            max_size_amp: 200,
            size_ratio: 1,
        }
    }

    #[test]
    fn runs_order_newest_first_then_levels() {
        let runs = sorted_runs(&[file(0, 1, 1), file(3, 10, 0), file(0, 1, 5), file(1, 5, 0)]);
        let levels: Vec<i32> = runs.iter().map(|r| r.level).collect();
        assert_eq!(levels, vec![0, 0, 1, 3]);
        assert_eq!(runs[0].files[0].max_sequence_number, 5);
    }

    #[test]
    fn universal_picks_like_paimon() {
        // Too few runs.
        assert!(pick_universal(&sorted_runs(&[file(0, 1, 1), file(0, 1, 2)]), &opts()).is_none());
        // Size amplification: five small level-0 runs over a small max-level run: everything.
        let files: Vec<_> = (1..=5)
            .map(|s| file(0, 10, s))
            .chain([file(5, 10, 0)])
            .collect();
        let u = pick_universal(&sorted_runs(&files), &opts()).unwrap();
        assert_eq!((u.output_level, u.files.len()), (5, 6));
        // Size ratio: runs of similar size merge; a much larger old run stops it.
        let files: Vec<_> = (1..=5)
            .map(|s| file(0, 10, s))
            .chain([file(5, 100_000, 0)])
            .collect();
        let u = pick_universal(&sorted_runs(&files), &opts()).unwrap();
        assert_eq!(u.files.len(), 5);
        assert_eq!(u.output_level, 4);
        assert!(drops_deletes(5, &sorted_runs(&files), false));
        assert!(!drops_deletes(4, &sorted_runs(&files), false));
    }
}
