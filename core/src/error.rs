//! The one error type of `strata-core`.
//!
//! Every variant says *what* went wrong and *where*: the file (a path relative to the table root
//! as the storage trait sees it) and, where it helps, the field or byte offset. Table metadata is
//! untrusted input, so parsers return these errors instead of panicking.

use std::fmt;

/// The most characters of one name or message an error prints: hostile metadata can carry
/// megabyte-long names, and an error should stay readable (and not flood a log).
const MAX_SHOWN: usize = 1024;

/// `text`, or its start and end around a note of how much was left out when it is longer
/// than [`MAX_SHOWN`] characters.
fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    let total = text.chars().count();
    if total <= MAX_SHOWN {
        return std::borrow::Cow::Borrowed(text);
    }
    let head: String = text.chars().take(MAX_SHOWN * 3 / 4).collect();
    let tail: String = text.chars().skip(total - MAX_SHOWN / 8).collect();
    std::borrow::Cow::Owned(format!(
        "{head}…[{} of {} bytes left out]…{tail}",
        text.len() - head.len() - tail.len(),
        text.len()
    ))
}

/// Result alias used throughout `strata-core`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors raised by `strata-core`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file's bytes do not follow the format: truncated, corrupt or hostile input.
    #[error("corrupt {}: {}", bounded(.file), bounded(.what))]
    Corrupt {
        /// The file (or logical object, such as `_MIN_KEY of manifest-x`) that is corrupt.
        file: String,
        /// What was wrong, with offsets or field names where known.
        what: String,
    },
    /// A JSON metadata file (schema, snapshot, tag, consumer) could not be parsed.
    #[error("invalid JSON in {}: {source}", bounded(.file))]
    Json {
        /// The file being parsed.
        file: String,
        /// The parser's complaint (it carries line and column).
        #[source]
        source: serde_json::Error,
    },
    /// A format feature or version Strata does not support.
    #[error("unsupported in {}: {}", bounded(.file), bounded(.what))]
    Unsupported {
        /// The file that uses the feature.
        file: String,
        /// What is unsupported.
        what: String,
    },
    /// A data type string or object that does not follow Paimon's type grammar.
    #[error("invalid data type {:?}: {}", bounded(.text), bounded(.what))]
    InvalidType {
        /// The offending type text.
        text: String,
        /// Why it is invalid.
        what: String,
    },
    /// A value that does not fit the type it is written as.
    #[error("invalid value: {}", bounded(.0))]
    InvalidValue(String),
    /// A requested object does not exist.
    #[error("not found: {}", bounded(.path))]
    NotFound {
        /// The missing path.
        path: String,
    },
    /// A commit clashes with what another committer published since it was planned (a file
    /// it deletes is gone, overlapping files at one level, differing bucket counts).
    #[error("commit conflict: {}", bounded(.0))]
    Conflict(String),
    /// A commit attempt failed before its snapshot was published: nothing it wrote is live
    /// (its manifests are removed), so the caller may remove its data files too.
    #[error("{0}; nothing was committed")]
    Uncommitted(Box<Error>),
    /// A put-if-absent found the object already there.
    #[error("already exists: {}", bounded(.path))]
    AlreadyExists {
        /// The existing path.
        path: String,
    },
    /// A write whose outcome the storage cannot tell: the request may or may not have taken
    /// effect (a timeout or a dropped connection after the body was sent, an acknowledgement
    /// lost). Storages return it from `put` and `put_if_absent` only; the committer settles it
    /// for the snapshot by reading the file back, and returns it only when that fails too.
    #[error(
        "the write of {} may or may not have taken effect: {}",
        bounded(.path),
        bounded(.message)
    )]
    OutcomeUnknown {
        /// The object written.
        path: String,
        /// What happened (the backend's message).
        message: String,
    },
    /// A storage operation failed for another reason.
    #[error("storage error on {}: {}", bounded(.path), bounded(.message))]
    Storage {
        /// The path involved.
        path: String,
        /// The storage backend's message.
        message: String,
    },
}

impl Error {
    /// Builds a [`Error::Corrupt`] for `file`.
    pub fn corrupt(file: impl fmt::Display, what: impl fmt::Display) -> Self {
        Error::Corrupt {
            file: file.to_string(),
            what: what.to_string(),
        }
    }

    /// Builds a [`Error::Unsupported`] for `file`.
    pub fn unsupported(file: impl fmt::Display, what: impl fmt::Display) -> Self {
        Error::Unsupported {
            file: file.to_string(),
            what: what.to_string(),
        }
    }

    /// Builds a [`Error::InvalidType`].
    pub fn invalid_type(text: impl fmt::Display, what: impl fmt::Display) -> Self {
        Error::InvalidType {
            text: text.to_string(),
            what: what.to_string(),
        }
    }

    /// Whether this error certainly left nothing published: a conflict, or a failure before
    /// the snapshot's put ([`Error::Uncommitted`]).
    pub fn is_unpublished(&self) -> bool {
        matches!(self, Error::Conflict(_) | Error::Uncommitted(_))
    }

    /// Replaces the file named by a `Corrupt`, `Unsupported` or `Json` error, so a low-level
    /// decoder can report against a placeholder and the caller can name the real file.
    pub fn in_file(self, file: &str) -> Self {
        match self {
            Error::Corrupt { what, .. } => Error::Corrupt {
                file: file.to_string(),
                what,
            },
            Error::Unsupported { what, .. } => Error::Unsupported {
                file: file.to_string(),
                what,
            },
            Error::Json { source, .. } => Error::Json {
                file: file.to_string(),
                source,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_shortened_in_messages() {
        let name = "x".repeat(1_000_000);
        let e = Error::Storage {
            path: name.clone(),
            message: format!("cannot open {name}"),
        };
        let shown = e.to_string();
        assert!(shown.len() < 3 * MAX_SHOWN, "{}", shown.len());
        assert!(shown.contains("bytes left out"));
        assert_eq!(
            Error::NotFound { path: "a/b".into() }.to_string(),
            "not found: a/b"
        );
        let wide = "é".repeat(2000);
        assert!(Error::InvalidValue(wide).to_string().contains("left out"));
    }
}
