//! Checking a new table's options against the registry: unknown keys (with the nearest valid
//! key), values of the wrong kind, per-column options naming no column, and notes on the
//! options Strata keeps but does not act on.
//!
//! Validation is for creating (and altering) a table. Reads never validate: a table written
//! by another engine, with options this registry does not know, must stay readable.

use std::collections::BTreeMap;

use super::parse::{
    parse_bool, parse_double, parse_duration, parse_enum, parse_int, parse_list, parse_long,
    parse_map, parse_memory_size, DURATION_HINT, MEMORY_SIZE_HINT,
};
use super::registry::FILE_INDEX_TYPE;
use super::spec::{
    all_options, field_options, lookup, open_field_prefix, open_prefix, Effect, Kind, OptionSpec,
};
use crate::types::DataField;
use crate::{Error, Result};

/// Checks `options` for a table with columns `fields`, as Paimon defines the options.
///
/// Refuses (with one [`Error::InvalidValue`] listing every problem) unknown keys, naming the
/// nearest valid key; values that are not of the option's kind (enums list their values);
/// and `fields.<column>.*`, `file-index.*` or column-list options naming no column. Returns
/// notes: the options Strata keeps in the schema but does not act on, and values Strata
/// cannot work with.
pub fn validate_options(
    options: &BTreeMap<String, String>,
    fields: &[DataField],
) -> Result<Vec<String>> {
    let mut check = Check {
        fields,
        problems: Vec::new(),
        notes: Vec::new(),
    };
    for (key, value) in options {
        check.option(key, value);
    }
    if check.problems.is_empty() {
        Ok(check.notes)
    } else {
        Err(Error::InvalidValue(check.problems.join("; ")))
    }
}

struct Check<'a> {
    fields: &'a [DataField],
    problems: Vec<String>,
    notes: Vec<String>,
}

impl Check<'_> {
    fn option(&mut self, key: &str, value: &str) {
        if let Some(spec) = lookup(key) {
            self.value(key, value, spec.kind);
            self.effect(key, spec);
            self.strata_support(key, value);
        } else if let Some(rest) = key.strip_prefix("fields.") {
            self.field_option(key, rest, value);
        } else if let Some(rest) = key.strip_prefix("file-index.") {
            self.file_index(key, rest, value);
        } else if let Some(spec) = map_entry(key).or_else(|| pattern(key)) {
            self.effect(key, spec);
        } else if open_prefix(key).is_some() {
            self.engine_note(key);
        } else {
            let known = all_options()
                .iter()
                .flat_map(|o| std::iter::once(o.key).chain(o.fallback_keys.iter().copied()))
                .filter(|k| !k.contains('#'));
            self.problems.push(match nearest(key, known) {
                Some(near) => format!("unknown table option {key:?}; did you mean {near:?}?"),
                None => format!("unknown table option {key:?} (not one Paimon defines)"),
            });
        }
    }

    /// Checks `value` against `kind`.
    fn value(&mut self, key: &str, value: &str, kind: Kind) {
        let ok = match kind {
            Kind::Bool => parse_bool(value).is_some(),
            Kind::Int => parse_int(value).is_some(),
            Kind::Long => parse_long(value).is_some(),
            Kind::Float | Kind::Double => parse_double(value).is_some(),
            Kind::MemorySize => parse_memory_size(value).is_some(),
            Kind::Duration => parse_duration(value).is_some(),
            Kind::Str | Kind::List => true,
            Kind::Map => parse_map(value).is_ok(),
            Kind::Columns => {
                self.columns(key, parse_list(value).into_iter());
                true
            }
            Kind::Enum(values) => {
                if parse_enum(value, values).is_none() {
                    let hint = nearest(value, values.iter().copied())
                        .map(|n| format!(" (did you mean {n:?}?)"))
                        .unwrap_or_default();
                    self.problems.push(format!(
                        "table option {key} = {value:?} is not one of {}{hint}",
                        values.join(", ")
                    ));
                }
                true
            }
        };
        if !ok {
            let what = match kind {
                Kind::Bool => "a boolean (true or false)".to_string(),
                Kind::MemorySize => MEMORY_SIZE_HINT.to_string(),
                Kind::Duration => DURATION_HINT.to_string(),
                Kind::Map => "a list of key:value pairs, e.g. 0:avro,3:parquet".to_string(),
                Kind::Int => "an int".to_string(),
                other => format!("a {}", other.name()),
            };
            self.problems
                .push(format!("table option {key} = {value:?} is not {what}"));
        }
    }

    /// Each of `names` must be a column.
    fn columns<'v>(&mut self, key: &str, names: impl Iterator<Item = &'v str>) {
        for name in names {
            if !self.fields.iter().any(|f| f.name == name) {
                let problem = self.no_column(name);
                self.problems.push(format!("table option {key}: {problem}"));
            }
        }
    }

    fn no_column(&self, name: &str) -> String {
        let columns = self.fields.iter().map(|f| f.name.as_str());
        match nearest(name, columns) {
            Some(n) => format!("the table has no column {name:?}; did you mean {n:?}?"),
            None => format!(
                "the table has no column {name:?} (columns: {})",
                self.fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// `fields.<column>.<option>`: the longest known option suffix decides where the column
    /// name ends (column names may hold dots).
    fn field_option(&mut self, key: &str, rest: &str, value: &str) {
        let known = field_options()
            .iter()
            .filter(|o| {
                rest.len() > o.key.len() + 1
                    && rest.ends_with(o.key)
                    && rest.as_bytes()[rest.len() - o.key.len() - 1] == b'.'
            })
            .max_by_key(|o| o.key.len());
        if let Some(spec) = known {
            let column = &rest[..rest.len() - spec.key.len() - 1];
            if spec.key == "sequence-group" {
                // `fields.<seq1>,<seq2>.sequence-group`: several sequence fields.
                self.columns(key, parse_list(column).into_iter());
            } else {
                self.columns(key, std::iter::once(column));
            }
            self.value(key, value, spec.kind);
            self.effect(key, spec);
            self.aggregate_support(key, column, spec, value);
            return;
        }
        let column = self
            .fields
            .iter()
            .filter(|f| rest.len() > f.name.len() + 1 && rest.starts_with(&format!("{}.", f.name)))
            .max_by_key(|f| f.name.len());
        match column {
            Some(f) => {
                let suffix = &rest[f.name.len() + 1..];
                if open_field_prefix(suffix) {
                    self.engine_note(key);
                    return;
                }
                let near = nearest(suffix, field_options().iter().map(|o| o.key));
                self.problems.push(match near {
                    Some(n) => format!(
                        "unknown table option {key:?}; did you mean \"fields.{}.{n}\"?",
                        f.name
                    ),
                    None => format!(
                        "unknown table option {key:?}: per-column options are {}",
                        field_options()
                            .iter()
                            .map(|o| o.key)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            None => {
                let name = rest.split('.').next().unwrap_or(rest);
                let problem = self.no_column(name);
                self.problems.push(format!("table option {key}: {problem}"));
            }
        }
    }

    /// `file-index.<type>.columns` and `file-index.<type>.<column>.<option>`.
    fn file_index(&mut self, key: &str, rest: &str, value: &str) {
        let parts: Vec<&str> = rest.split('.').collect();
        let Some(kind) = parts.first().filter(|_| parts.len() >= 2) else {
            self.problems.push(format!(
                "unknown table option {key:?} (file-index.<type>.columns)"
            ));
            return;
        };
        if !FILE_INDEX_TYPE.contains(kind) {
            self.problems.push(format!(
                "table option {key}: file index type {kind:?} is not one of {}",
                FILE_INDEX_TYPE.join(", ")
            ));
            return;
        }
        // Map columns index single keys as `column[key]`.
        let base = |c: &'_ str| c.split('[').next().unwrap_or(c).trim().to_string();
        match parts[1..] {
            ["columns"] => {
                let names: Vec<String> = parse_list(value).into_iter().map(base).collect();
                self.columns(key, names.iter().map(String::as_str));
            }
            [column, _option] => {
                let column = base(column);
                self.columns(key, std::iter::once(column.as_str()));
            }
            _ => self.problems.push(format!(
                "unknown table option {key:?}: file index options are \
                 file-index.{kind}.columns and file-index.{kind}.<column>.<option>"
            )),
        }
        self.engine_note(key);
    }

    fn effect(&mut self, key: &str, spec: &OptionSpec) {
        if spec.effect == Effect::Engine {
            self.engine_note(key);
        }
    }

    fn engine_note(&mut self, key: &str) {
        self.notes.push(format!(
            "Strata does not act on option {key} (Paimon engines do)"
        ));
    }

    /// Values Paimon defines that Strata's readers and writers cannot work with.
    fn strata_support(&mut self, key: &str, value: &str) {
        let note = match key {
            "file.format" if !value.eq_ignore_ascii_case("parquet") => {
                match value.to_ascii_lowercase().as_str() {
                    // Readers pick a data file's format by its extension, so a table whose
                    // files mix formats reads everywhere.
                    "orc" => format!(
                        "Strata reads {value} data files but writes Parquet ones (it does not \
                         write ORC yet)"
                    ),
                    "avro" => return,
                    _ => format!("Strata neither reads nor writes {value} data files"),
                }
            }
            "file.format.per.level" | "changelog-file.format"
                if value.to_ascii_lowercase().contains("orc") =>
            {
                format!(
                    "Strata writes Parquet files where {key} says ORC (it does not write ORC yet)"
                )
            }
            "file.compression" if super::FileCompression::parse(value, 1).is_none() => format!(
                "Strata cannot write file.compression = {value} (it writes {}); Strata writes \
                 to this table will fail",
                super::WRITTEN_CODECS
            ),
            "manifest.compression" => match crate::manifest::AvroCodec::from_option(value) {
                Ok(_) => return,
                Err(e) => format!("{e}; Strata commits to this table will fail"),
            },
            "bucket-function.type" if !value.eq_ignore_ascii_case("default") => format!(
                "Strata assigns buckets with the default bucket function, not {value}: \
                 do not write to this table with Strata"
            ),
            _ => return,
        };
        self.notes.push(note);
    }

    /// Aggregate functions Strata's merge cannot apply to the column.
    fn aggregate_support(&mut self, key: &str, column: &str, spec: &OptionSpec, value: &str) {
        if spec.key != "aggregate-function" {
            return;
        }
        let Some(field) = self.fields.iter().find(|f| f.name == column) else {
            return;
        };
        if let Err(e) = crate::merge::AggregateFn::parse(value.trim(), field) {
            self.notes.push(format!(
                "Strata cannot merge {key} = {value}: {e}; Strata reads of this table will fail"
            ));
        }
    }
}

/// `<map option>.<key>`: one entry of a map option (`file.format.per.level.0`).
fn map_entry(key: &str) -> Option<&'static OptionSpec> {
    all_options().iter().find(|o| {
        o.kind == Kind::Map
            && key.len() > o.key.len() + 1
            && key.starts_with(o.key)
            && key.as_bytes()[o.key.len()] == b'.'
    })
}

/// Keys with a `#` placeholder (`commit.callback.#.param`).
fn pattern(key: &str) -> Option<&'static OptionSpec> {
    all_options().iter().find(|o| {
        o.key.split_once('#').is_some_and(|(head, tail)| {
            key.len() > head.len() + tail.len() && key.starts_with(head) && key.ends_with(tail)
        })
    })
}

/// The candidate nearest to `word` by edit distance (adjacent swaps count once), if it is
/// near enough to be a likely typo.
pub(crate) fn nearest<'c>(
    word: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = 2.max(word.chars().count() / 4);
    candidates
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
/// adjacent characters each cost one.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}
