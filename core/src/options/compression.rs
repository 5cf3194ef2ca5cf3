//! `file.compression`: the data-file codecs Strata writes, named as Paimon names them.

use super::TableOptions;
use crate::{Error, Result};

/// A data-file codec Strata writes (`file.compression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileCompression {
    /// `zstd` (Paimon's default) at a level (`file.compression.zstd-level`, default 1).
    Zstd(i32),
    /// `snappy`.
    Snappy,
    /// `lz4` (written as Parquet's `LZ4_RAW`, the raw block every current reader takes).
    Lz4,
    /// `gzip`.
    Gzip,
    /// `none` or `uncompressed`.
    None,
}

/// The codec names Strata writes, for messages.
pub const WRITTEN_CODECS: &str = "zstd, snappy, lz4, gzip or none";

impl FileCompression {
    /// The codec `name` names (any case, surrounding spaces allowed), zstd at `zstd_level`.
    pub fn parse(name: &str, zstd_level: i32) -> Option<Self> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "zstd" => FileCompression::Zstd(zstd_level),
            "snappy" => FileCompression::Snappy,
            "lz4" => FileCompression::Lz4,
            "gzip" => FileCompression::Gzip,
            "none" | "uncompressed" => FileCompression::None,
            _ => return None,
        })
    }
}

impl TableOptions<'_> {
    /// The table's data-file codec: `file.compression` (default zstd) at
    /// `file.compression.zstd-level` (default 1).
    pub fn file_compression(&self) -> Result<FileCompression> {
        let level = match self.get("file.compression.zstd-level") {
            None => 1,
            Some(v) => v.trim().parse::<i32>().map_err(|_| {
                Error::InvalidValue(format!(
                    "option file.compression.zstd-level = {v:?} is not an integer"
                ))
            })?,
        };
        let name = self.get("file.compression").unwrap_or("zstd");
        FileCompression::parse(name, level).ok_or_else(|| {
            Error::unsupported(
                "option file.compression",
                format!("{name:?} (supported: {WRITTEN_CODECS})"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn codecs_parse_as_paimon_names_them() {
        let opts = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let o = opts(&[]);
        assert_eq!(
            TableOptions::new(&o).file_compression().unwrap(),
            FileCompression::Zstd(1)
        );
        let o = opts(&[
            ("file.compression", " ZSTD "),
            ("file.compression.zstd-level", "3"),
        ]);
        assert_eq!(
            TableOptions::new(&o).file_compression().unwrap(),
            FileCompression::Zstd(3)
        );
        let o = opts(&[("file.compression", "uncompressed")]);
        assert_eq!(
            TableOptions::new(&o).file_compression().unwrap(),
            FileCompression::None
        );
        let o = opts(&[("file.compression", "brotli")]);
        let err = TableOptions::new(&o).file_compression().unwrap_err();
        assert!(err.to_string().contains("zstd, snappy"), "{err}");
    }
}
