//! Paimon's interval partition: files of a bucket split into sections whose key ranges do not
//! overlap, each section into sorted runs of non-overlapping files.

use std::cmp::Ordering;

use crate::binary_row::Datum;
use crate::manifest::DataFileMeta;
use crate::predicate::compare_datum_rows;
use crate::types::DataType;
use crate::Result;

/// A file with its decoded key range.
struct Ranged {
    file: DataFileMeta,
    min: Vec<Datum>,
    max: Vec<Datum>,
}

/// Sections (in key order) of sorted runs (each a list of files in key order).
pub fn partition(
    files: Vec<DataFileMeta>,
    key_types: &[DataType],
) -> Result<Vec<Vec<Vec<DataFileMeta>>>> {
    let mut ranged: Vec<Ranged> = files
        .into_iter()
        .map(|f| {
            let min = f
                .min_key
                .decode(key_types)
                .map_err(|e| e.in_file(&f.file_name))?;
            let max = f
                .max_key
                .decode(key_types)
                .map_err(|e| e.in_file(&f.file_name))?;
            Ok(Ranged { file: f, min, max })
        })
        .collect::<Result<_>>()?;
    ranged.sort_by(|a, b| {
        compare_datum_rows(&a.min, &b.min).then_with(|| compare_datum_rows(&a.max, &b.max))
    });

    let mut sections = Vec::new();
    let mut current: Vec<Ranged> = Vec::new();
    let mut bound: Option<Vec<Datum>> = None;
    for r in ranged {
        if let Some(b) = &bound {
            if compare_datum_rows(&r.min, b) == Ordering::Greater {
                sections.push(runs(std::mem::take(&mut current)));
                bound = None;
            }
        }
        if bound
            .as_ref()
            .is_none_or(|b| compare_datum_rows(&r.max, b) == Ordering::Greater)
        {
            bound = Some(r.max.clone());
        }
        current.push(r);
    }
    if !current.is_empty() {
        sections.push(runs(current));
    }
    Ok(sections)
}

/// Packs a section's files (sorted by min key) into sorted runs: each file joins the run whose
/// last file ends first, if it starts after that end; otherwise it opens a new run.
fn runs(files: Vec<Ranged>) -> Vec<Vec<DataFileMeta>> {
    // Each run with the max key of its last file.
    let mut runs: Vec<(Vec<Datum>, Vec<DataFileMeta>)> = Vec::new();
    for f in files {
        let best = runs
            .iter_mut()
            .min_by(|a, b| compare_datum_rows(&a.0, &b.0));
        match best {
            Some((end, run)) if compare_datum_rows(&f.min, end) == Ordering::Greater => {
                *end = f.max;
                run.push(f.file);
            }
            _ => runs.push((f.max, vec![f.file])),
        }
    }
    runs.into_iter().map(|(_, run)| run).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binary_row::BinaryRow;

    fn file(name: &str, min: i64, max: i64) -> DataFileMeta {
        let t = ["BIGINT".parse::<DataType>().unwrap()];
        DataFileMeta {
            file_name: name.into(),
            file_size: 1,
            row_count: 1,
            min_key: BinaryRow::encode(&t, &[Datum::BigInt(min)]).unwrap(),
            max_key: BinaryRow::encode(&t, &[Datum::BigInt(max)]).unwrap(),
            ..Default::default()
        }
    }

    #[test]
    fn sections_and_runs_follow_paimon() {
        let t = ["BIGINT".parse::<DataType>().unwrap()];
        let s = partition(
            vec![
                file("a", 1, 5),
                file("b", 3, 8),
                file("c", 6, 7),
                file("d", 10, 12),
                file("e", 9, 9),
            ],
            &t,
        )
        .unwrap();
        let names: Vec<Vec<Vec<&str>>> = s
            .iter()
            .map(|sec| {
                sec.iter()
                    .map(|r| r.iter().map(|f| f.file_name.as_str()).collect())
                    .collect()
            })
            .collect();
        assert_eq!(
            names,
            vec![
                vec![vec!["a", "c"], vec!["b"]],
                vec![vec!["e"]],
                vec![vec!["d"]]
            ]
        );
    }
}
