//! Checking and routing a write's rows: keys and NOT NULL columns present, row kinds, and each
//! row's partition and bucket (fixed-bucket hash) or key hash (dynamic buckets).

use std::collections::HashMap;

use crate::binary_row::{datum_at, BinaryRow, Datum};
use crate::bucket::{buckets_of_columns, hashes_of_columns};
use crate::key_value::RowKind;
use crate::merge::row_kind;
use crate::options::TableOptions;
use crate::schema::TableSchema;
use crate::types::DataType;
use crate::{Error, Result};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_row::{RowConverter, SortField};

use super::{Input, WriteOptions};

/// How rows of the table are checked and routed: fixed for a write.
pub(super) struct Layout {
    pub(super) pk: bool,
    pub(super) buckets: i32,
    pub(super) kind_index: Option<usize>,
    /// Columns that must not be null, and what they are.
    pub(super) required: Vec<(usize, &'static str)>,
    pub(super) pfields: Vec<crate::types::DataField>,
    pub(super) ptypes: Vec<DataType>,
    pub(super) pidx: Vec<usize>,
    pub(super) btypes: Vec<DataType>,
    pub(super) bidx: Vec<usize>,
    /// Dynamic-bucket mode: rows are routed by their key hash through the bucket index.
    pub(super) dynamic_bucket: bool,
    /// Cross-partition upserts: a dynamic-bucket table whose key lacks a partition column;
    /// rows are routed through the table-wide key index.
    pub(super) cross_partition: bool,
    /// Postpone bucket (`bucket = -2`): rows wait in `bucket-postpone` for a compaction to
    /// give them buckets (by their bucket-key hash, as fixed buckets).
    pub(super) postpone: bool,
    pub(super) dynamic: bool,
    /// Deletion-vector table: compaction marks replaced rows; overwrites drop the vectors.
    pub(super) deletion_vectors: bool,
}

/// The deletion-vector tables Strata does not write yet: append tables (Paimon's vectors there
/// come from DELETE statements, and their compaction would have to honour them), the
/// first-row engine and the full-compaction changelog producer (Paimon rejects
/// those two with vectors).
fn refuse_deletion_vectors(pk: bool, options: &TableOptions<'_>) -> Result<()> {
    let refuse = |feature: &str| {
        Err(Error::unsupported(
            "deletion-vectors.enabled",
            format!("writing deletion-vector tables {feature}"),
        ))
    };
    if !pk {
        return refuse("without a primary key");
    }
    if options.merge_engine()? == crate::options::MergeEngine::FirstRow {
        return refuse("with the first-row merge engine");
    }
    if options.changelog_producer()? == crate::options::ChangelogProducer::FullCompaction {
        return refuse("with the full-compaction changelog producer");
    }
    Ok(())
}

impl Layout {
    pub(super) fn new(
        schema: &TableSchema,
        options: &TableOptions<'_>,
        opts: &WriteOptions,
    ) -> Result<Self> {
        let pk = schema.has_primary_key();
        let buckets = schema.bucket_count()?;
        let postpone = buckets == crate::bucket::POSTPONE_BUCKET;
        if postpone && !pk {
            return Err(Error::InvalidValue(
                "bucket = -2 (postpone bucket) needs a primary key".into(),
            ));
        }
        let dynamic_bucket = pk && buckets == -1;
        let cross_partition = dynamic_bucket
            && !schema
                .partition_keys
                .iter()
                .all(|p| schema.primary_keys.contains(p));
        let deletion_vectors = options.deletion_vectors();
        if deletion_vectors {
            refuse_deletion_vectors(pk, options)?;
            if cross_partition || postpone {
                return Err(Error::unsupported(
                    "deletion-vectors.enabled",
                    if postpone {
                        "writing deletion-vector tables with a postpone bucket (bucket = -2)"
                    } else {
                        "writing deletion-vector tables with cross-partition upserts"
                    },
                ));
            }
        }
        let nfields = schema.fields.len();
        let kind_col = opts
            .row_kind_column
            .clone()
            .or_else(|| options.get("rowkind.field").map(String::from));
        let kind_index = kind_col.as_ref().map(|k| {
            schema
                .fields
                .iter()
                .position(|f| &f.name == k)
                .unwrap_or(nfields)
        });
        let pfields = schema.partition_fields()?;
        // Dynamic buckets hash the trimmed primary key (Paimon allows no bucket-key there).
        let bfields = if dynamic_bucket {
            schema.trimmed_primary_key_fields()?
        } else {
            schema.bucket_key_fields()?
        };
        let required = schema
            .fields
            .iter()
            .enumerate()
            .filter_map(|(c, f)| {
                if schema.primary_keys.contains(&f.name) {
                    Some((c, "primary-key column"))
                } else {
                    (!f.data_type.nullable).then_some((c, "NOT NULL column"))
                }
            })
            .collect();
        if let Some(o) = &opts.overwrite {
            for (k, _) in &o.partition {
                if !pfields.iter().any(|f| &f.name == k) {
                    return Err(Error::InvalidValue(format!(
                        "--partition {k}: not a partition column"
                    )));
                }
            }
        }
        Ok(Layout {
            pk,
            buckets,
            kind_index,
            required,
            ptypes: pfields.iter().map(|f| f.data_type.clone()).collect(),
            pidx: positions(schema, &pfields)?,
            btypes: bfields.iter().map(|f| f.data_type.clone()).collect(),
            bidx: positions(schema, &bfields)?,
            dynamic_bucket,
            cross_partition,
            postpone,
            dynamic: options.bool("dynamic-partition-overwrite", true) && !pfields.is_empty(),
            deletion_vectors,
            pfields,
        })
    }

    /// Checks a batch's keys, NOT NULL columns and kinds; returns the row kinds.
    pub(super) fn check(&self, schema: &TableSchema, input: &Input) -> Result<Vec<i8>> {
        let b = &input.batch;
        let at = |r: usize| format!("{}: line {}", input.path, input.first_line + r);
        for &(c, what) in &self.required {
            let col = b.column(c);
            if col.null_count() == 0 {
                continue;
            }
            if let Some(r) = (0..b.num_rows()).find(|&r| col.is_null(r)) {
                return Err(Error::InvalidValue(format!(
                    "{}: {what} {} is missing",
                    at(r),
                    schema.fields[c].name
                )));
            }
        }
        let kinds: Vec<i8> = match (&input.kinds, self.kind_index) {
            (Some(kinds), _) if kinds.len() != b.num_rows() => {
                return Err(Error::InvalidValue(format!(
                    "{}: {} row kinds for {} rows",
                    input.path,
                    kinds.len(),
                    b.num_rows()
                )));
            }
            (Some(kinds), _) => kinds.iter().map(|k| k.to_byte()).collect(),
            (None, None) => vec![row_kind::INSERT; b.num_rows()],
            (None, Some(i)) => {
                let col = b.column(i);
                let strings = col.as_string_opt::<i32>().ok_or_else(|| {
                    Error::InvalidValue(format!(
                        "{}: the row-kind column is not a string",
                        input.path
                    ))
                })?;
                (0..b.num_rows())
                    .map(|r| {
                        strings
                            .is_valid(r)
                            .then(|| RowKind::parse(strings.value(r)).map(RowKind::to_byte))
                            .flatten()
                            .ok_or_else(|| {
                                Error::InvalidValue(format!(
                                    "{}: row kind must be +I, -U, +U or -D",
                                    at(r)
                                ))
                            })
                    })
                    .collect::<Result<_>>()?
            }
        };
        if !self.pk && kinds.iter().any(|k| *k != row_kind::INSERT) {
            return Err(Error::InvalidValue(format!(
                "{}: append tables take only +I rows",
                input.path
            )));
        }
        Ok(kinds)
    }

    /// Each row's partition (an index into the returned partitions: values, encoded row) and
    /// bucket (fixed buckets) or key hash (dynamic buckets, the postpone bucket).
    #[allow(clippy::type_complexity)]
    pub(super) fn route(
        &self,
        input: &Input,
    ) -> Result<(Vec<(Vec<Datum>, BinaryRow)>, Vec<u32>, Vec<i32>)> {
        let b = &input.batch;
        let n = b.num_rows();
        // Cross-partition rows take their bucket from the key index, not from a hash.
        let hashed = (self.dynamic_bucket && !self.cross_partition) || self.postpone;
        let buckets = if hashed {
            let cols: Vec<ArrayRef> = self.bidx.iter().map(|&c| b.column(c).clone()).collect();
            hashes_of_columns(&cols, &self.btypes)?
        } else if self.buckets > 0 {
            let cols: Vec<ArrayRef> = self.bidx.iter().map(|&c| b.column(c).clone()).collect();
            buckets_of_columns(&cols, &self.btypes, self.buckets)?
        } else {
            vec![0; n]
        };
        if self.pidx.is_empty() {
            let empty = BinaryRow::encode(&[], &[])?;
            return Ok((vec![(Vec::new(), empty)], vec![0; n], buckets));
        }
        let cols: Vec<ArrayRef> = self.pidx.iter().map(|&c| b.column(c).clone()).collect();
        let rows = RowConverter::new(
            cols.iter()
                .map(|c| SortField::new(c.data_type().clone()))
                .collect(),
        )
        .and_then(|conv| conv.convert_columns(&cols))
        .map_err(|e| Error::InvalidValue(e.to_string()))?;
        let mut seen: HashMap<&[u8], u32> = HashMap::new();
        let mut parts = Vec::new();
        let mut of_row = Vec::with_capacity(n);
        let mut last: Option<(&[u8], u32)> = None;
        for r in 0..n {
            let key = rows.row(r).data();
            let p = match last {
                Some((k, p)) if k == key => p,
                _ => match seen.get(key) {
                    Some(&p) => p,
                    None => {
                        let values: Vec<Datum> = cols
                            .iter()
                            .map(|c| datum_at(c.as_ref(), r))
                            .collect::<Result<_>>()?;
                        let row = BinaryRow::encode(&self.ptypes, &values).map_err(|e| {
                            Error::InvalidValue(format!(
                                "{}: line {}: {e}",
                                input.path,
                                input.first_line + r
                            ))
                        })?;
                        parts.push((values, row));
                        seen.insert(key, parts.len() as u32 - 1);
                        parts.len() as u32 - 1
                    }
                },
            };
            last = Some((key, p));
            of_row.push(p);
        }
        Ok((parts, of_row, buckets))
    }
}

/// Where each of `fields` (columns of `schema`) sits among the schema's columns.
pub(super) fn positions(
    schema: &crate::schema::TableSchema,
    fields: &[crate::types::DataField],
) -> Result<Vec<usize>> {
    fields
        .iter()
        .map(|f| {
            schema
                .fields
                .iter()
                .position(|x| x.id == f.id)
                .ok_or_else(|| Error::InvalidValue(format!("no column {:?} in the schema", f.name)))
        })
        .collect()
}
